"""Open one disk of a source VM snapshot for reading: VDDK or HTTPS.

Two ways lead from a vSphere snapshot disk to an NBD socket:

* VDDK (nbdkit's vddk plugin, VMware's library): chosen when
  ``[transport]/vddk_libdir`` is set and ``nbdkit vddk`` loads. It logs
  in with the source's user and password (handed to nbdkit by file,
  never on its command line) and checks the server against the SHA-1
  thumbprint of the certificate the vSphere session accepted.
* The datastore HTTPS path (nbdkit's curl plugin on the ``/folder`` URL
  of the snapshot's flat extent, with the session cookie): otherwise.
  curl verifies the server itself, against the source's CA or the pinned
  certificate, on the connection that sends the cookie.

Which one a disk was opened with, and why, is a job event; so is a
source whose ``verify_tls`` is off, and a certificate that is not the
pinned one (with both thumbprints).
"""

import contextlib
import os
import tempfile
from urllib import parse

from oslo_log import log as logging

from xms.common import credentials
from xms.common import tls
from xms.common.i18n import _
from xms.conf import CONF
from xms.transport import exception
from xms.transport import nbdkit
from xms.transport import reader as reader_mod
from xms.worker.tasks import base
from xms.worker.tasks import source as source_tasks

LOG = logging.getLogger(__name__)

VDDK = 'vddk'
HTTPS = 'https'


def choose_transport():
    """``(transport, reason)``: VDDK when it is configured and loads.

    :raises VddkUnavailable: ``[transport]/vddk_libdir`` is set, the
        plugin loads, but the directory holds no VDDK library.
    """
    libdir = CONF.transport.vddk_libdir
    if not libdir:
        return HTTPS, _('[transport]/vddk_libdir is not set')
    missing = nbdkit.vddk_plugin_missing()
    if missing:
        return HTTPS, missing
    nbdkit.check_vddk_libdir(libdir)
    return VDDK, _('VDDK %(version)s in %(libdir)s, transport modes '
                   '%(modes)s') % {
        'version': nbdkit.vddk_version(libdir) or '(unknown version)',
        'libdir': libdir, 'modes': CONF.transport.vddk_transports}


def vddk_source(source, vm_moref, snapshot_moref, info):
    """The nbdkit vddk source of a disk described by ``disk_url``.

    :param source: the source row (user, encrypted password, version).
    :param info: what ``driver.disk_url`` returned: ``file_name`` of the
        snapshot's disk and the ``certificate`` the session accepted.
    :raises VddkUnavailable: no certificate to give VDDK a thumbprint.
    """
    pem = info.get('certificate')
    if not pem:
        raise exception.VddkUnavailable(
            reason=_('the vSphere session of source %s has no server '
                     'certificate to give VDDK as its thumbprint')
            % source.uuid)
    password = credentials.decrypt(source.password_encrypted, source.uuid)
    try:
        return nbdkit.vddk_source(
            CONF.transport.vddk_libdir, server=source.host,
            port=source.port, thumbprint=tls.sha1_thumbprint_of_pem(pem),
            vm_moref=vm_moref, snapshot_moref=snapshot_moref,
            disk_file=info['file_name'], user=source.username,
            password=password,
            transports=CONF.transport.vddk_transports,
            vsphere_version=source.product_version)
    finally:
        del password


def https_source(job, source, info, stack):
    """The nbdkit curl source of a disk described by ``disk_url``.

    :param stack: an ``ExitStack`` that owns the CA file's directory.
    """
    ca_file = None
    if source.ca_cert:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(
            prefix='xms-ca-'))
        ca_file = os.path.join(tmp, 'ca.pem')
        with open(ca_file, 'w') as f:
            f.write(source.ca_cert)
    elif not source.thumbprint and not source.verify_tls:
        base.record(job, 'tls_unverified',
                    _('TLS verification of %s is disabled by source %s\'s '
                      'verify_tls setting: the session cookie is sent to '
                      'whichever server answers') % (source.host,
                                                     source.uuid),
                    severity='warning', source=source.uuid)
    pinned = source.thumbprint and not ca_file
    return nbdkit.curl_source(
        info['url'], cookie=info.get('cookie'), ca_file=ca_file,
        certificate=info.get('certificate') if pinned else None,
        thumbprint=source.thumbprint if pinned else None,
        verify=source.verify_tls)


def _refusal(source, info):
    """The pin mismatch that explains a failed curl start, or None.

    curl reports an untrusted certificate in its own words; the
    certificate the server presents now tells the user which one it was.
    """
    expected = tls.normalize_thumbprint(source.thumbprint)
    if source.ca_cert or not expected:
        return None
    url = parse.urlsplit(info['url'])
    port = url.port or 443
    actual = tls.presented_thumbprint(url.hostname, port,
                                      CONF.vsphere.connect_timeout)
    if actual is None or actual == expected:
        return None
    return exception.ThumbprintMismatch(
        host='%s:%d' % (url.hostname, port), expected=expected,
        actual=actual)


def _record_mismatch(job, exc):
    base.record(job, 'tls_pin_mismatch', str(exc), severity='warning',
                expected_thumbprint=exc.kwargs['expected'],
                actual_thumbprint=exc.kwargs['actual'],
                host=exc.kwargs['host'])


@contextlib.contextmanager
def open_source_disk(job, snapshot_moref, device_key):
    """An :class:`NbdReader` on one disk of a snapshot of the job's VM.

    :raises ThumbprintMismatch: the data connection met a certificate
        other than the pinned one (nothing was sent on it).
    :raises VddkUnavailable, VddkIncompatible, NbdkitError: with a
        message for the user.
    """
    driver, source, moref = source_tasks.source_of(job)
    info = driver.disk_url(base.job_context(job), source, moref,
                           snapshot_moref, device_key)
    transport, reason = choose_transport()
    with contextlib.ExitStack() as stack:
        try:
            if transport == VDDK:
                src = vddk_source(source, moref, snapshot_moref, info)
            else:
                src = https_source(job, source, info, stack)
        except exception.ThumbprintMismatch as exc:
            _record_mismatch(job, exc)
            raise
        base.record(job, 'transport_selected',
                    _('Disk %(disk)s is read over %(transport)s: '
                      '%(reason)s') % {
                        'disk': device_key,
                        'transport': ('VDDK' if transport == VDDK
                                      else _('the datastore HTTPS path')),
                        'reason': reason},
                    disk=device_key, transport=transport, reason=reason)
        if CONF.worker.max_read_rate_kib:
            src.filters = tuple(src.filters) + ('rate',)
            src.params = list(src.params) + [
                ('rate', '%dK' % (CONF.worker.max_read_rate_kib * 8))]
        try:
            server = stack.enter_context(nbdkit.NbdkitServer(
                src, name='job %s disk %s' % (job.uuid, device_key),
                timeout=CONF.transport.nbdkit_start_timeout))
        except exception.NbdkitError as exc:
            mismatch = transport == HTTPS and _refusal(source, info)
            if mismatch:
                _record_mismatch(job, mismatch)
                raise mismatch from exc
            raise
        reader = stack.enter_context(reader_mod.NbdReader(
            server.uri, connections=CONF.transport.connections,
            requests=CONF.transport.requests_in_flight))
        yield reader

"""Expose a source disk over NBD for the life of one copy.

:class:`NbdkitServer` starts nbdkit on a Unix socket inside a private
(0700) temporary directory, captures its stderr into a log file (replayed
into our log, with secrets masked, when it stops), waits until the socket
really serves NBD, and always stops it: SIGTERM, then SIGKILL. nbdkit runs
with ``--exit-with-parent`` so a dying worker does not leak it.

Secrets never reach a command line, a log or an exception: the vddk
plugin's password and the curl plugin's session cookie are written to
0600 files in the private directory and handed to nbdkit as
``password=+FILE`` / ``cookie=+FILE`` (nbdkit reads them at start-up; the
files are removed as soon as the server answers).

Sources:

* :func:`vddk_source`: the production path (VMware VDDK, operator
  supplied; Debian does not ship nbdkit's vddk plugin, see
  ``doc/source/admin/transport.rst``), with the VDDK/vSphere compatibility
  table checked before anything starts;
* :func:`curl_source`: a vSphere datastore file over HTTPS (the
  ``/folder`` URL), with a session cookie; curl verifies the server with
  the source's CA or with the pinned certificate as its only CA;
* :func:`file_source`: a local image (tests, local imports);
* :func:`nbd_source`: an NBD URI served by someone else; nothing to start.
"""

import contextlib
import errno
import glob
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import nbd
from oslo_log import log as logging

from xms.common import tls
from xms.conf import CONF
from xms.transport import exception

LOG = logging.getLogger(__name__)

#: Default VDDK major.minor -> vSphere major.minor versions it supports
#: (from VMware's VDDK release notes). Overridden by
#: ``[transport]/vddk_compatibility``.
DEFAULT_VDDK_COMPATIBILITY = {
    '6.7': ['6.0', '6.5', '6.7'],
    '7.0': ['6.5', '6.7', '7.0'],
    '8.0': ['6.7', '7.0', '8.0'],
}

VDDK_TRANSPORTS = ('nbdssl:nbd', 'nbdssl', 'nbd', 'hotadd',
                   'hotadd:nbdssl:nbd')


class Source:
    """What nbdkit must run: a plugin, its parameters and its secrets.

    :param plugin: nbdkit plugin name (``vddk``, ``curl``, ``file``).
    :param params: list of ``(key, value)``; values are not secret.
    :param secrets: ``{key: value}`` passed as ``key=+FILE``.
    :param filters: nbdkit filters, in order.
    :param files: ``{name: bytes}`` extra files to write into the private
        directory; ``{name}`` in a parameter value is replaced by the path.
    """

    def __init__(self, plugin, params, secrets=None, filters=(), files=None):
        self.plugin = plugin
        self.params = list(params)
        self.secrets = dict(secrets or {})
        self.filters = list(filters)
        self.files = dict(files or {})

    def __repr__(self):
        # Parameters are safe to show; secrets are only named.
        return '<Source %s %s secrets=%s>' % (
            self.plugin, ' '.join('%s=%s' % kv for kv in self.params),
            sorted(self.secrets))


def _mmver(version):
    m = re.match(r'^\s*(\d+)\.(\d+)', str(version or ''))
    return '%s.%s' % (m.group(1), m.group(2)) if m else None


def compatibility_table(conf=None):
    """The VDDK -> vSphere table: the option if set, else the default."""
    conf = conf or CONF
    raw = conf.transport.vddk_compatibility
    if not raw:
        return DEFAULT_VDDK_COMPATIBILITY
    return {_mmver(k) or k: [_mmver(v) or v for v in re.split(r'[\s|]+', vs)
                             if v]
            for k, vs in raw.items()}


def check_vddk_compatible(vddk_version, vsphere_version, table=None):
    """Refuse a VDDK that does not support the source's vSphere version.

    :param vddk_version: e.g. ``8.0.2`` (see :func:`vddk_version`).
    :param vsphere_version: e.g. ``7.0.3`` (vCenter ``about.version``).
    :param table: ``{vddk_mm: [vsphere_mm, ...]}``.
    :raises VddkIncompatible: the pair is not in the table.
    """
    table = table if table is not None else compatibility_table()
    vddk_mm = _mmver(vddk_version)
    vs_mm = _mmver(vsphere_version)
    supported = table.get(vddk_mm, [])
    if vs_mm not in supported:
        raise exception.VddkIncompatible(
            vddk=vddk_version, vsphere=vsphere_version,
            supported=', '.join(supported) or 'none known')


def vddk_version(libdir):
    """VDDK version from ``libdir/lib64/libvixDiskLib.so.X.Y.Z``.

    :returns: ``'X.Y.Z'`` or None when it cannot be told.
    """
    best = None
    for path in glob.glob(os.path.join(libdir, 'lib64',
                                       'libvixDiskLib.so.*')):
        m = re.search(r'\.so\.(\d+(?:\.\d+)*)$', path)
        if m and (best is None or len(m.group(1)) > len(best)):
            best = m.group(1)
    return best


def vddk_plugin_missing(nbdkit=None, timeout=30):
    """Why nbdkit's vddk plugin cannot be loaded, or None when it can.

    ``nbdkit vddk --dump-plugin`` loads the plugin without VDDK itself
    (the plugin opens ``libvixDiskLib`` only when it serves), so this
    tells a missing plugin from a missing library.

    :returns: None, or nbdkit's own message.
    """
    nbdkit = nbdkit or CONF.transport.nbdkit_path
    try:
        proc = subprocess.run([nbdkit, 'vddk', '--dump-plugin'],
                              capture_output=True, text=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return '%s could not be run (%s)' % (nbdkit, exc)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout or '').strip().splitlines()
        errors = [ln for ln in lines if 'error' in ln] or lines
        return 'the nbdkit vddk plugin is not installed (%s vddk: %s)' % (
            nbdkit, errors[0] if errors else 'exit status %d'
            % proc.returncode)
    return None


def check_vddk_libdir(libdir):
    """Refuse a ``[transport]/vddk_libdir`` that holds no VDDK.

    :raises VddkUnavailable: naming the directory and what is missing.
    """
    if not os.path.isdir(libdir or ''):
        raise exception.VddkUnavailable(
            reason='[transport]/vddk_libdir %s is not a directory' % libdir)
    if not glob.glob(os.path.join(libdir, 'lib64', 'libvixDiskLib.so*')):
        raise exception.VddkUnavailable(
            reason='no lib64/libvixDiskLib.so* in [transport]/vddk_libdir '
                   '%s' % libdir)


def vddk_source(libdir, server, thumbprint, vm_moref, snapshot_moref,
                disk_file, user, password, transports='nbdssl:nbd',
                port=None, vsphere_version=None, vddk_ver=None,
                table=None, filters=('retry',)):
    """nbdkit vddk plugin reading one disk of a VM snapshot.

    :param libdir: VDDK directory (``vmware-vix-disklib-distrib``).
    :param server: vCenter or ESXi host name.
    :param thumbprint: server certificate thumbprint, as VDDK expects it
        (colon-separated SHA-1 hex).
    :param vm_moref: VM managed object id, e.g. ``vm-123``.
    :param snapshot_moref: snapshot managed object id, e.g.
        ``snapshot-456``.
    :param disk_file: ``[datastore] vm/disk.vmdk`` of the disk.
    :param user: vSphere user name.
    :param password: vSphere password (handed over by file).
    :param transports: ``nbdssl:nbd`` (network) or ``hotadd`` (the worker
        is a VM on the same vSphere).
    :param vsphere_version: the source's version, checked against the
        compatibility table when given.
    :param vddk_ver: VDDK version; read from ``libdir`` when omitted.
    :raises VddkIncompatible: VDDK and vSphere versions do not match.
    :raises InvalidParameterValue: unknown transports or missing libdir.
    """
    from xms.common import exception as common_exc

    if transports not in VDDK_TRANSPORTS:
        raise common_exc.InvalidParameterValue(
            name='transports', reason='one of %s' % ', '.join(
                VDDK_TRANSPORTS))
    if not libdir or not os.path.isdir(libdir):
        raise common_exc.InvalidParameterValue(
            name='vddk_libdir', reason='%s is not a directory' % libdir)
    vddk_ver = vddk_ver or vddk_version(libdir)
    if vsphere_version:
        if not vddk_ver:
            raise exception.VddkIncompatible(
                vddk='unknown (no lib64/libvixDiskLib.so.* in %s)' % libdir,
                vsphere=vsphere_version, supported='unknown')
        check_vddk_compatible(vddk_ver, vsphere_version, table)
    params = [('libdir', libdir), ('server', server), ('user', user),
              ('thumbprint', thumbprint), ('vm', 'moref=%s' % vm_moref),
              ('snapshot', snapshot_moref), ('transports', transports),
              ('file', disk_file)]
    if port:
        params.append(('port', str(port)))
    return Source('vddk', params, secrets={'password': password},
                  filters=filters)


def curl_source(url, cookie=None, ca_file=None, certificate=None,
                thumbprint=None, verify=True, filters=()):
    """nbdkit curl plugin reading a datastore file over HTTPS.

    curl verifies the server itself, on the connection that sends the
    cookie: with ``ca_file``, against that CA; with a pin, against the
    pinned certificate given as its only CA (``cainfo``), so a server
    without that certificate's private key fails the handshake before
    the request is sent; with neither, against the system CA store.
    ``sslverify=false`` is only used when the caller asks for it with
    ``verify=False`` and has neither.

    :param url: ``https://host/folder/<path>?dcPath=..&dsName=..`` of the
        disk's ``-flat.vmdk`` (the raw extent).
    :param cookie: vSphere session cookie (``vmware_soap_session=...``),
        handed over by file.
    :param ca_file: CA bundle to verify the server with.
    :param certificate: PEM of the server certificate to trust (the one
        the vSphere session accepted); checked against ``thumbprint``
        when both are given.
    :param thumbprint: SHA-256 thumbprint to pin. Without
        ``certificate``, the server's certificate is read and compared
        with it first; curl then trusts only that certificate.
    :param verify: False to skip TLS verification when there is no CA
        and no pin (lab use only).
    :raises ThumbprintMismatch: the certificate is not the pinned one.
    """
    from urllib import parse

    params = [('url', url)]
    files = {}
    parsed = parse.urlsplit(url)
    if parsed.scheme == 'https':
        host = '%s:%d' % (parsed.hostname, parsed.port or 443)
        if ca_file:
            params.append(('cainfo', ca_file))
        elif thumbprint or certificate:
            pem = certificate or _pinned_certificate(parsed, thumbprint)
            expected = tls.normalize_thumbprint(thumbprint)
            actual = tls.thumbprint(ssl.PEM_cert_to_DER_cert(pem))
            if expected and actual != expected:
                raise exception.ThumbprintMismatch(
                    host=host, actual=actual, expected=expected)
            files[PINNED_CERT_FILE] = pem.encode('ascii')
            params.append(('cainfo', '{%s}' % PINNED_CERT_FILE))
        elif not verify:
            LOG.warning('TLS verification of %s is disabled by the source\'s '
                        'verify_tls setting', host)
            params.append(('sslverify', 'false'))
    secrets = {'cookie': cookie} if cookie else {}
    return Source('curl', params, secrets=secrets, filters=filters,
                  files=files)


#: Name of the pinned certificate file in nbdkit's private directory.
PINNED_CERT_FILE = 'pinned-cert.pem'


def _pinned_certificate(parsed, pin):
    """Read the certificate of the URL's server, refusing any but the pin.

    Only the certificate is read (no request is sent); curl then trusts
    that certificate alone on its own connection.

    :raises ThumbprintMismatch: another certificate was presented.
    """
    port = parsed.port or 443
    ctx = tls.client_context(pin=pin)
    try:
        with socket.create_connection((parsed.hostname, port),
                                      timeout=CONF.vsphere.connect_timeout
                                      ) as sock:
            with ctx.wrap_socket(sock, server_hostname=parsed.hostname):
                pass
    except tls.PinMismatch as exc:
        raise exception.ThumbprintMismatch(
            host='%s:%d' % (parsed.hostname, port), actual=exc.actual,
            expected=exc.expected)
    return ctx.peer_pem


def file_source(path, filters=()):
    """nbdkit file plugin serving a local image (raw)."""
    return Source('file', [('file', path)], filters=filters)


@contextlib.contextmanager
def nbd_source(uri):
    """An NBD URI served elsewhere: nothing to start, yields the URI."""
    yield uri


class NbdkitServer:
    """nbdkit running one :class:`Source` on a private Unix socket.

    Use as a context manager; :attr:`uri` is the NBD URI to read.

    :param source: what to serve.
    :param name: label for logs (job and disk).
    :param log_path: file to append nbdkit's stderr to (the job log).
    :param readonly: serve read-only (always, for sources).
    :param timeout: seconds to wait for the socket to serve.
    :param nbdkit: the nbdkit executable (``[transport]/nbdkit_path``).
    :param verbose: run nbdkit with ``-v`` (debug output into the log).
    """

    def __init__(self, source, name='disk', log_path=None, readonly=True,
                 timeout=30, nbdkit=None, verbose=False):
        self.source = source
        self.name = name
        self.log_path = log_path
        self.readonly = readonly
        self.timeout = timeout
        self.nbdkit = nbdkit or CONF.transport.nbdkit_path
        self.verbose = verbose
        self.proc = None
        self.tmpdir = None
        self.socket = None
        self._stderr = None
        self._secret_files = []

    @property
    def uri(self):
        return 'nbd+unix:///?socket=%s' % self.socket

    def _mask(self, text):
        for value in self.source.secrets.values():
            if value:
                text = text.replace(value, '***')
        return text

    def argv(self):
        """The command line (safe to log: secrets are file references)."""
        args = [self.nbdkit, '--foreground', '--exit-with-parent',
                '--unix', self.socket]
        if self.readonly:
            args.append('--readonly')
        if self.verbose:
            args.append('--verbose')
        for f in self.source.filters:
            args.append('--filter=%s' % f)
        args.append(self.source.plugin)
        for key, value in self.source.params:
            for fname in self.source.files:
                value = value.replace('{%s}' % fname,
                                      os.path.join(self.tmpdir, fname))
            args.append('%s=%s' % (key, value))
        for key in sorted(self.source.secrets):
            args.append('%s=+%s' % (key, os.path.join(self.tmpdir,
                                                      'secret-' + key)))
        return args

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.tmpdir = tempfile.mkdtemp(prefix='xms-nbdkit-')
        os.chmod(self.tmpdir, 0o700)
        self.socket = os.path.join(self.tmpdir, 'nbd.sock')
        try:
            self._write_files()
            args = self.argv()
            self._stderr = open(os.path.join(self.tmpdir, 'nbdkit.log'),
                                'w+b')
            LOG.info('Starting nbdkit %s plugin for %s: %s',
                     self.source.plugin, self.name, ' '.join(args))
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=self._stderr,
                stderr=self._stderr, close_fds=True)
            self._wait_serving()
            self._remove_secret_files()
        except BaseException:
            self.stop()
            raise

    def _write_files(self):
        for key, value in self.source.secrets.items():
            path = os.path.join(self.tmpdir, 'secret-' + key)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(value)
            self._secret_files.append(path)
        for name, data in self.source.files.items():
            with open(os.path.join(self.tmpdir, name), 'wb') as f:
                f.write(data)

    def _remove_secret_files(self):
        for path in self._secret_files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._secret_files = []

    def _log_tail(self, size=2000):
        if self._stderr is None:
            return ''
        self._stderr.flush()
        self._stderr.seek(0, os.SEEK_END)
        end = self._stderr.tell()
        self._stderr.seek(max(0, end - size))
        return self._mask(self._stderr.read().decode('utf-8', 'replace'))

    #: NBD connections the plugin may refuse, once nbdkit listens,
    #: before its start counts as failed: a plugin that cannot open the
    #: disk (a refused certificate, a missing file) says so every time.
    REFUSALS = 3

    def _wait_serving(self):
        deadline = time.monotonic() + self.timeout
        delay = 0.01
        refusals = 0
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise exception.NbdkitError(
                    plugin=self.source.plugin,
                    reason='exited with status %d: %s'
                    % (rc, self._log_tail().strip()))
            if os.path.exists(self.socket):
                h = nbd.NBD()
                try:
                    h.connect_uri(self.uri)
                    h.get_size()
                    h.shutdown()
                    return
                except nbd.Error as e:
                    last = e.string
                    # Not listening yet is not a refusal.
                    if e.errnum != errno.ECONNREFUSED:
                        refusals += 1
                    if refusals >= self.REFUSALS:
                        raise exception.NbdkitError(
                            plugin=self.source.plugin,
                            reason='it refused %d connections (%s): %s'
                            % (refusals, self._mask(last or ''),
                               self._log_tail().strip()))
                finally:
                    del h
            else:
                last = 'socket not created yet'
            if time.monotonic() > deadline:
                raise exception.NbdkitError(
                    plugin=self.source.plugin,
                    reason='not serving after %ss (%s): %s'
                    % (self.timeout, self._mask(last),
                       self._log_tail().strip()))
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def stop(self):
        """Stop nbdkit (TERM, then KILL) and remove the private dir."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    LOG.warning('nbdkit for %s ignored SIGTERM; killing',
                                self.name)
                    self.proc.kill()
                    self.proc.wait()
            LOG.debug('nbdkit for %s exited with %s', self.name,
                      self.proc.returncode)
            self.proc = None
        if self._stderr is not None:
            self._replay_log()
            self._stderr.close()
            self._stderr = None
        self._remove_secret_files()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _replay_log(self):
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._mask(self._stderr.read().decode('utf-8', 'replace'))
        if not text.strip():
            return
        for line in text.splitlines():
            LOG.info('nbdkit[%s]: %s', self.name, line)
        if self.log_path:
            with open(self.log_path, 'a') as f:
                f.write(text if text.endswith('\n') else text + '\n')

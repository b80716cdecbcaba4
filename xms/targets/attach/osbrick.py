"""os-brick attach: Cinder attachments API plus a local os-brick connect.

For a worker that runs on a host of the storage network (not inside a
Nova instance). The worker creates a Cinder attachment with its own
connector properties, Cinder exports the volume to it and returns the
connection info, and os-brick connects it here (iSCSI, NVMe-oF, RBD,
a local file ...) and reports the device path. Detach disconnects
os-brick and deletes the attachment, in that order, always.

The attachment is made without an instance (Cinder allows that for
services such as Glance and Ironic); it is found again by volume and
connector host, so detach needs nothing but the volume id, and attach is
idempotent across resumes.
"""

import socket
import threading

from openstack import exceptions as os_exc
from oslo_log import log as logging
from oslo_utils import excutils

from xms.common.i18n import _
from xms.conf import CONF
from xms.targets import base
from xms.targets import session

LOG = logging.getLogger(__name__)

# Attachments with "mode" and without instance need 3.54.
MICROVERSION = '3.54'


def connector_properties():
    """This host's connector, as Cinder's initialize_connection wants it.

    os-brick probes every transport (initiator names, NQN ...); when a
    probe cannot run (no root helper in a test, no iSCSI tools) the
    minimal connector still works for transports that need no
    initiator identity, such as ``local``.
    """
    host = CONF.target.osbrick_host or socket.gethostname()
    try:
        from os_brick.initiator import connector
        props = connector.get_connector_properties(
            CONF.target.osbrick_root_helper, CONF.target.osbrick_ip,
            CONF.target.osbrick_use_multipath, False, host=host)
    except Exception as exc:
        LOG.warning('os-brick could not probe connector properties (%s); '
                    'using a minimal connector', exc)
        props = {'ip': CONF.target.osbrick_ip, 'host': host,
                 'multipath': CONF.target.osbrick_use_multipath,
                 'platform': 'x86_64', 'os_type': 'linux',
                 'do_local_attach': False}
    props['host'] = host
    return props


def _brick_connector(protocol):
    from os_brick.initiator import connector
    return connector.InitiatorConnector.factory(
        protocol.upper(), CONF.target.osbrick_root_helper,
        use_multipath=CONF.target.osbrick_use_multipath,
        device_scan_attempts=5)


def _data(conn_info):
    """os-brick's connection properties from Cinder's connection info.

    The attachments API returns them flat, next to
    ``driver_volume_type``; the older initialize_connection nests them
    under ``data``.
    """
    return conn_info.get('data') or conn_info


class OsBrickAttachDriver(base.AttachDriver):

    def __init__(self):
        # volume id -> (attachment id, connection info, device info) of
        # attachments made by this process, for a precise disconnect.
        self._attached = {}
        self._lock = threading.Lock()

    def _bs(self, context):
        return session.connection(context).block_storage

    def _request(self, bs, method, url, **kwargs):
        resp = getattr(bs, method)(url, microversion=MICROVERSION,
                                   raise_exc=False, **kwargs)
        if resp.status_code == 404:
            raise os_exc.NotFoundException(response=resp)
        if resp.status_code >= 400:
            raise base.TargetError(
                reason=_('Cinder %(method)s %(url)s answered %(code)s: '
                         '%(body)s') % {'method': method.upper(),
                                        'url': url,
                                        'code': resp.status_code,
                                        'body': resp.text[:500]})
        return resp.json() if resp.content else {}

    def _our_attachments(self, bs, volume_id):
        host = connector_properties()['host']
        try:
            body = self._request(
                bs, 'get', '/attachments/detail?volume_id=%s' % volume_id)
        except base.TargetError:
            # The cloud's resource_filters.json allows no volume_id
            # filter: list the project's attachments instead.
            body = self._request(bs, 'get', '/attachments/detail')
        ours = []
        for att in body.get('attachments', []):
            if att.get('volume_id') != volume_id:
                continue
            connector = (att.get('connection_info') or {}).get(
                'connector') or {}
            if att.get('attached_host') in (host, None) or \
                    connector.get('host') == host:
                ours.append(att)
        return ours

    def attach(self, context, volume_id):
        bs = self._bs(context)
        with self._lock:
            known = self._attached.get(volume_id)
        if known:
            return known[2]['path']
        connector = connector_properties()
        att = self._request(bs, 'post', '/attachments', json={
            'attachment': {'volume_uuid': volume_id,
                           'connector': connector,
                           'mode': 'rw'}})['attachment']
        conn_info = att.get('connection_info') or {}
        protocol = conn_info.get('driver_volume_type')
        if not protocol:
            self._request(bs, 'delete', '/attachments/%s' % att['id'])
            raise base.TargetError(reason=_('Cinder gave no connection '
                                            'info for volume %s')
                                   % volume_id)
        try:
            device = _brick_connector(protocol).connect_volume(
                _data(conn_info))
            self._request(bs, 'post', '/attachments/%s/action' % att['id'],
                          json={'os-complete': None})
        except Exception:
            with excutils.save_and_reraise_exception():
                try:
                    self._request(bs, 'delete',
                                  '/attachments/%s' % att['id'])
                except Exception as exc:
                    LOG.warning('Could not delete attachment %s after a '
                                'failed attach: %s', att['id'], exc)
        with self._lock:
            self._attached[volume_id] = (att['id'], conn_info, device)
        LOG.info('Volume %s attached here over %s at %s (attachment %s)',
                 volume_id, protocol, device.get('path'), att['id'])
        return device['path']

    def detach(self, context, volume_id):
        bs = self._bs(context)
        with self._lock:
            known = self._attached.pop(volume_id, None)
        try:
            attachments = self._our_attachments(bs, volume_id)
        except os_exc.NotFoundException:
            attachments = []
        if known and not any(a['id'] == known[0] for a in attachments):
            attachments.append({'id': known[0],
                                'connection_info': known[1]})
        for att in attachments:
            conn_info = att.get('connection_info') or (
                known[1] if known and known[0] == att['id'] else {})
            protocol = conn_info.get('driver_volume_type')
            device = known[2] if known and known[0] == att['id'] else None
            if protocol:
                try:
                    _brick_connector(protocol).disconnect_volume(
                        _data(conn_info), device)
                except Exception as exc:
                    LOG.warning('os-brick could not disconnect volume %s: '
                                '%s', volume_id, exc)
            try:
                self._request(bs, 'delete', '/attachments/%s' % att['id'])
            except os_exc.NotFoundException:
                pass
            LOG.info('Volume %s detached from here (attachment %s)',
                     volume_id, att['id'])


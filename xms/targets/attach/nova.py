"""Nova attach: the worker is a Nova instance and attaches to itself.

The conversion-host pattern: the worker runs inside a Nova instance in
the target project, asks Nova to attach the target volume to that
instance, and finds the new block device under ``/dev/disk/by-id`` by
the volume's serial (Nova gives the volume id as the disk serial; virtio
truncates it to 20 characters, SCSI keeps it whole). Any storage
backend works, with no storage-network access from the worker.

The worker's instance id comes from ``[target]/worker_instance_id`` or
the metadata service.
"""

import os
import threading
import time

from openstack import exceptions as os_exc
from oslo_log import log as logging
import requests

from xms.common.i18n import _
from xms.conf import CONF
from xms.targets import base
from xms.targets import session

LOG = logging.getLogger(__name__)

VIRTIO_SERIAL_LEN = 20


def find_device(volume_id, by_id_dir=None):
    """The by-id device of ``volume_id``, or None.

    Matches names that end with the (possibly truncated) serial, such as
    ``virtio-0b2f...`` or ``scsi-0QEMU_QEMU_HARDDISK_0b2f...``, and
    skips partitions (``-partN``).
    """
    by_id_dir = by_id_dir or CONF.target.disk_by_id_dir
    serial = volume_id[:VIRTIO_SERIAL_LEN]
    try:
        names = sorted(os.listdir(by_id_dir))
    except FileNotFoundError:
        return None
    for name in names:
        if '-part' in name:
            continue
        if name.endswith(volume_id) or name.endswith(serial):
            return os.path.realpath(os.path.join(by_id_dir, name))
    return None


class NovaAttachDriver(base.AttachDriver):

    def __init__(self):
        self._instance_id = None
        self._lock = threading.Lock()

    def worker_instance_id(self):
        """This worker's own Nova instance id."""
        with self._lock:
            if self._instance_id:
                return self._instance_id
            instance_id = CONF.target.worker_instance_id
            if not instance_id:
                try:
                    resp = requests.get(CONF.target.metadata_url,
                                        timeout=10)
                    resp.raise_for_status()
                    instance_id = resp.json()['uuid']
                except (requests.RequestException, KeyError,
                        ValueError) as exc:
                    raise base.TargetError(
                        reason=_('the nova attach driver needs the '
                                 'worker\'s instance id: set [target]/'
                                 'worker_instance_id or run the worker in '
                                 'a Nova instance (%s)') % exc)
            self._instance_id = instance_id
            return instance_id

    def _wait_volume(self, conn, volume_id, status):
        volume = conn.block_storage.get_volume(volume_id)
        try:
            return conn.block_storage.wait_for_status(
                volume, status=status, failures=['error', 'error_attaching',
                                                 'error_detaching'],
                interval=CONF.target.poll_interval,
                wait=CONF.target.volume_timeout)
        except os_exc.ResourceFailure:
            raise base.TargetError(reason=_('volume %(id)s failed to reach '
                                            '%(status)s') %
                                   {'id': volume_id, 'status': status})
        except os_exc.ResourceTimeout:
            raise base.TargetTimeout(what='Volume', id=volume_id,
                                     wanted=status,
                                     timeout=CONF.target.volume_timeout,
                                     status=volume.status)

    def _attached_here(self, conn, server_id, volume_id):
        return any(a.volume_id == volume_id
                   for a in conn.compute.volume_attachments(server_id))

    def attach(self, context, volume_id):
        conn = session.connection(context)
        server_id = self.worker_instance_id()
        if not self._attached_here(conn, server_id, volume_id):
            conn.compute.create_volume_attachment(server_id,
                                                  volume=volume_id)
            LOG.info('Volume %s attaching to worker instance %s',
                     volume_id, server_id)
        self._wait_volume(conn, volume_id, 'in-use')
        deadline = time.monotonic() + CONF.target.volume_timeout
        while True:
            path = find_device(volume_id)
            if path:
                LOG.info('Volume %s is %s on this worker', volume_id, path)
                return path
            if time.monotonic() > deadline:
                raise base.TargetTimeout(
                    what='Device of volume', id=volume_id,
                    wanted='%s/*%s' % (CONF.target.disk_by_id_dir,
                                       volume_id[:VIRTIO_SERIAL_LEN]),
                    timeout=CONF.target.volume_timeout, status='absent')
            time.sleep(min(CONF.target.poll_interval, 1))

    def detach(self, context, volume_id):
        conn = session.connection(context)
        server_id = self.worker_instance_id()
        try:
            if not self._attached_here(conn, server_id, volume_id):
                return
            # Writes must be on the volume before Nova detaches it.
            path = find_device(volume_id)
            if path:
                try:
                    fd = os.open(path, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                except OSError as exc:
                    LOG.warning('Could not flush %s: %s', path, exc)
            conn.compute.delete_volume_attachment(server_id, volume_id,
                                                  ignore_missing=True)
        except os_exc.NotFoundException:
            return
        try:
            self._wait_volume(conn, volume_id, 'available')
        except os_exc.NotFoundException:
            return
        LOG.info('Volume %s detached from worker instance %s', volume_id,
                 server_id)

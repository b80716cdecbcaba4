"""Cinder storage: one volume per source disk.

Cinder sizes are whole GiB, so a volume may be larger than its disk;
the exact source size is kept in the volume's metadata and returned as
``real_size_bytes`` (the copier writes that many bytes; conversion and
the guest see the rounded size). Volumes are named
``xms-job-<job>-disk-<key>`` and carry ``xms_job_id`` and
``xms_device_key`` metadata, so a resumed task finds the volume it
created instead of making a second one, and cleanup finds volumes that
were never recorded.
"""

from openstack import exceptions as os_exc
from oslo_log import log as logging

from xms.common.i18n import _
from xms.conf import CONF
from xms.targets import base
from xms.targets import quotas
from xms.targets import session

LOG = logging.getLogger(__name__)

META_REAL_SIZE = 'xms_real_size_bytes'


def volume_name(job_id, device_key):
    return 'xms-job-%s-disk-%s' % (job_id, device_key)


def _is_ours(volume, job_id, device_key=None):
    meta = volume.metadata or {}
    if meta.get(base.META_JOB) != str(job_id):
        return False
    return device_key is None or meta.get(base.META_DEVICE) == str(
        device_key)


class CinderStorageDriver(base.StorageDriver):

    def _conn(self, context):
        return session.connection(context)

    def _wait(self, conn, volume, status='available'):
        try:
            return conn.block_storage.wait_for_status(
                volume, status=status, failures=['error', 'error_deleting'],
                interval=CONF.target.poll_interval,
                wait=CONF.target.volume_timeout)
        except os_exc.ResourceFailure:
            raise base.TargetError(
                reason=_('volume %(id)s went to status error') %
                {'id': volume.id})
        except os_exc.ResourceTimeout:
            raise base.TargetTimeout(what='Volume', id=volume.id,
                                     wanted=status,
                                     timeout=CONF.target.volume_timeout,
                                     status=volume.status)

    def _find(self, conn, job_id, device_key):
        try:
            candidates = list(conn.block_storage.volumes(
                details=True, name=volume_name(job_id, device_key)))
        except os_exc.BadRequestException:
            # The cloud's resource_filters.json allows no name filter.
            candidates = conn.block_storage.volumes(details=True)
        for volume in candidates:
            if _is_ours(volume, job_id, device_key):
                return volume
        return None

    def _result(self, volume, real_size, key, created):
        return {'id': volume.id,
                'size_bytes': int(volume.size) * base.GiB,
                'real_size_bytes': real_size,
                'device_key': key,
                'volume_type': volume.volume_type,
                'availability_zone': volume.availability_zone,
                'created': created}

    def create_volume(self, context, job, disk, volume_type=None, az=None):
        conn = self._conn(context)
        job_id = base.job_ref(job)
        key = base.field(disk, 'device_key')
        real_size = int(base.field(disk, 'capacity_bytes') or 0)
        size_gib = base.round_up_gib(real_size)
        volume_type = volume_type or base.volume_type_for(job, disk)
        az = az or base.availability_zone_for(job)

        volume = self._find(conn, job_id, key)
        if volume is not None and volume.status == 'error':
            LOG.warning('Job %s: volume %s of disk %s is in error; '
                        'replacing it', job_id, volume.id, key)
            self.delete_volume(context, volume.id)
            volume = None
        if volume is not None:
            LOG.info('Job %s: found volume %s of disk %s again', job_id,
                     volume.id, key)
            volume = self._wait(conn, volume)
            return self._result(volume, real_size, key, False)

        errors = self._shortfalls(conn, {'volumes': 1,
                                         'gigabytes': size_gib})
        if errors:
            raise errors[0]
        try:
            volume = conn.block_storage.create_volume(
                name=volume_name(job_id, key),
                size=size_gib,
                volume_type=volume_type,
                availability_zone=az,
                description=_('Disk %(key)s of %(vm)s, migrated by XMS '
                              'job %(job)s') %
                {'key': key, 'vm': base.field(job, 'vm_name') or '?',
                 'job': job_id},
                metadata={base.META_JOB: str(job_id),
                          base.META_DEVICE: str(key),
                          META_REAL_SIZE: str(real_size)})
        except os_exc.HttpException as exc:
            if exc.status_code == 413:
                raise base.TargetError(
                    reason=_('Cinder refused volume of %(gib)s GiB: '
                             'quota exceeded (%(msg)s)') %
                    {'gib': size_gib, 'msg': exc.details or exc})
            raise base.TargetError(reason=_('Cinder refused the volume of '
                                            'disk %(key)s: %(exc)s') %
                                   {'key': key, 'exc': exc})
        LOG.info('Job %s: volume %s (%s GiB, type %s) created for disk %s',
                 job_id, volume.id, size_gib, volume_type, key)
        volume = self._wait(conn, volume)
        return self._result(volume, real_size, key, True)

    def delete_volume(self, context, volume_id):
        conn = self._conn(context)
        try:
            volume = conn.block_storage.get_volume(volume_id)
        except os_exc.NotFoundException:
            return
        if volume.status in ('in-use', 'attaching', 'detaching',
                             'reserved'):
            # A worker that died left an attachment behind: drop it.
            for att in conn.block_storage.attachments(volume_id=volume_id):
                conn.block_storage.delete_attachment(att,
                                                     ignore_missing=True)
        conn.block_storage.delete_volume(volume_id, ignore_missing=True)
        try:
            conn.block_storage.wait_for_delete(
                volume, interval=CONF.target.poll_interval,
                wait=CONF.target.volume_timeout)
        except os_exc.ResourceTimeout:
            raise base.TargetTimeout(what='Volume', id=volume_id,
                                     wanted='deleted',
                                     timeout=CONF.target.volume_timeout,
                                     status=volume.status)
        LOG.info('Volume %s deleted', volume_id)

    def finalize_volume(self, context, volume_id, image_metadata):
        conn = self._conn(context)
        conn.block_storage.set_volume_bootable_status(volume_id, True)
        metadata = {k: str(v) for k, v in (image_metadata or {}).items()
                    if v is not None}
        if metadata:
            conn.block_storage.set_volume_image_metadata(volume_id,
                                                         **metadata)
        LOG.info('Volume %s is bootable with image metadata %s', volume_id,
                 sorted(metadata))

    def quota_usage(self, context):
        """``{'volumes'|'gigabytes': {'limit', 'in_use', 'reserved'}}``."""
        return quotas.usage(
            quotas.absolute_limits(self._conn(context).block_storage),
            quotas.CINDER_LIMITS)

    def _shortfalls(self, conn, wanted):
        quota = quotas.usage(quotas.absolute_limits(conn.block_storage),
                             quotas.CINDER_LIMITS)
        return quotas.shortfalls(quota, wanted, conn.current_project_id)

    def check_quota(self, context, spec):
        wanted = {'volumes': int(spec.get('volumes') or 0),
                  'gigabytes': int(spec.get('gigabytes') or 0)}
        return [str(e) for e in self._shortfalls(self._conn(context),
                                                  wanted)]

    def list_volumes(self, context, job):
        conn = self._conn(context)
        job_id = base.job_ref(job)
        return [v.id for v in conn.block_storage.volumes(details=True)
                if _is_ours(v, job_id)]

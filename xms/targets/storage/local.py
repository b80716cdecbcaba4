"""Local storage: each volume is a sparse raw file.

For the embedded default and for users who want image files. Sizes are
exact (no GiB rounding): a raw file can be any length.
"""

import os
import shutil

from oslo_log import log as logging

from xms.targets import base
from xms.targets import local_common as lc

LOG = logging.getLogger(__name__)


class LocalStorageDriver(base.StorageDriver):

    def create_volume(self, context, job, disk, volume_type=None, az=None):
        job_id = base.job_ref(job)
        key = base.field(disk, 'device_key')
        size = int(base.field(disk, 'capacity_bytes') or 0)
        vol_id = lc.volume_id(job_id, key)
        path = lc.volume_path(vol_id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        created = not os.path.exists(path)
        if created:
            with open(path, 'wb') as f:
                f.truncate(size)
            LOG.info('Job %s: local volume %s created (%d bytes)', job_id,
                     path, size)
        elif os.path.getsize(path) < size:
            os.truncate(path, size)
        meta = lc.read_json(lc.meta_path(vol_id), {})
        meta.update({base.META_JOB: str(job_id),
                     base.META_DEVICE: str(key)})
        meta.setdefault('bootable', False)
        lc.write_json(lc.meta_path(vol_id), meta)
        return {'id': vol_id, 'size_bytes': size, 'real_size_bytes': size,
                'device_key': key, 'volume_type': None,
                'availability_zone': None, 'path': path,
                'created': created}

    def delete_volume(self, context, volume_id):
        path = lc.volume_path(volume_id)
        gone = lc.remove(path)
        lc.remove(lc.meta_path(volume_id))
        lc.remove_job_dir_if_empty(os.path.basename(os.path.dirname(path)))
        if gone:
            LOG.info('Local volume %s deleted', path)

    def finalize_volume(self, context, volume_id, image_metadata):
        path = lc.meta_path(volume_id)
        meta = lc.read_json(path, {})
        meta['bootable'] = True
        meta['volume_image_metadata'] = dict(image_metadata or {})
        lc.write_json(path, meta)

    def get_volume_metadata(self, volume_id):
        """The sidecar metadata of a local volume (bootable, image)."""
        return lc.read_json(lc.meta_path(volume_id), {})

    def check_quota(self, context, spec):
        need = int(spec.get('gigabytes') or 0) * base.GiB
        need = int(spec.get('bytes') or need)
        os.makedirs(lc.root(), exist_ok=True)
        free = shutil.disk_usage(lc.root()).free
        if need > free:
            return ['Quota local_dir space: %d bytes needed, %d free in %s'
                    % (need, free, lc.root())]
        return []

    def list_volumes(self, context, job):
        job_id = base.job_ref(job)
        try:
            names = os.listdir(lc.job_dir(job_id))
        except FileNotFoundError:
            return []
        return sorted('%s/%s' % (job_id, n) for n in names
                      if n.startswith('disk-') and n.endswith('.raw'))

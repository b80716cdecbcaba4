"""Paths of the local target, shared by its drivers.

Everything of a job lives in ``[target]/local_dir/<job id>/``:
``disk-<key>.raw`` (a volume), ``disk-<key>.json`` (its metadata),
``ports.json`` (the NICs) and ``domain.xml`` (the "instance").
A local volume id is the volume file's path relative to ``local_dir``.
"""

import json
import os

from xms.common.i18n import _
from xms.conf import CONF
from xms.targets import base


def root():
    return os.path.abspath(CONF.target.local_dir)


def job_dir(job_id):
    return os.path.join(root(), str(job_id))


def volume_id(job_id, device_key):
    return '%s/disk-%s.raw' % (job_id, device_key)


def volume_path(vol_id):
    """Absolute path of a local volume id, refusing ids that escape."""
    path = os.path.abspath(os.path.join(root(), vol_id))
    if not path.startswith(root() + os.sep) or not path.endswith('.raw'):
        raise base.TargetError(reason=_('invalid local volume id %s')
                               % vol_id)
    return path


def meta_path(vol_id):
    return volume_path(vol_id)[:-len('.raw')] + '.json'


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def write_json(path, data):
    """Write atomically: a resumed task never reads half a file."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def remove(path):
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


def remove_job_dir_if_empty(job_id):
    try:
        os.rmdir(job_dir(job_id))
    except OSError:
        pass

"""Tasks on the target: volumes, attachment to the worker, the instance.

Target volumes belong to the job, not to the flow that made them: a
failed flow keeps them (a retry resumes writing into them, keeping the
data already copied) and only the cancel flow or the delete of the job
(:func:`clean_target`, both) delete them, unless the user asked to keep
the target. Attachments and the instance do belong to
their flow, and their reverts undo them.
"""

import functools

from oslo_log import log as logging

from xms.common.i18n import _
from xms.db import api as db_api
from xms.targets import base as target_base
from xms.targets import cleanup
from xms.worker.tasks import base

LOG = logging.getLogger(__name__)


def _resources(job):
    return dict(job.target_resources or {})


def _save_resources(job, **values):
    resources = _resources(base.get_job(job.id))
    resources.update(values)
    return db_api.job_update(base.admin_context(job.id), job.id,
                             {'target_resources': resources})


class CreateVolumes(base.JobTask):
    """One target volume per source disk (found again when it exists).

    :returns: ``{device_key: volume_id}`` (keys as strings).
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        ctx = base.job_context(job)
        storage = target_base.get_storage_driver()
        spec = job.target_spec or {}
        volumes = {}
        for disk in job.disks:
            vol = storage.create_volume(
                ctx, job, disk, volume_type=disk.volume_type,
                az=spec.get('availability_zone'))
            db_api.job_disk_update(base.admin_context(job.id), job.id,
                                   disk.device_key,
                                   {'volume_id': vol['id']})
            volumes[str(disk.device_key)] = vol['id']
            if vol.get('created', True):
                base.record(job, 'volume_created',
                            _('Target volume %(vol)s created for disk '
                              '%(disk)s') % {'vol': vol['id'],
                                             'disk': disk.device_key},
                            volume=vol['id'], device_key=disk.device_key)
        _save_resources(job, volumes=sorted(volumes.values()))
        return volumes


class AttachVolumes(base.JobTask):
    """Make every target volume writable here.

    :returns: ``{device_key: local path}`` (keys as strings).
    """

    default_provides = 'target_paths'

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        ctx = base.job_context(job)
        attach = target_base.get_attach_driver()
        paths = {}
        for disk in job.disks:
            paths[str(disk.device_key)] = attach.attach(ctx, disk.volume_id)
        return paths

    def revert(self, job_id, *args, **kwargs):
        detach_all(job_id)


def detach_all(job_id):
    """Detach every volume of a job from here; never raises."""
    try:
        job = base.get_job(job_id)
        ctx = base.job_context(job)
        attach = target_base.get_attach_driver()
    except Exception:  # noqa: BLE001
        LOG.exception('Job %s: cannot detach its volumes', job_id)
        return
    for disk in job.disks:
        if not disk.volume_id:
            continue
        try:
            attach.detach(ctx, disk.volume_id)
        except Exception:  # noqa: BLE001 - detach what can be detached
            LOG.exception('Job %s: could not detach volume %s', job_id,
                          disk.volume_id)


class DetachVolumes(base.JobTask):
    """Detach the job's volumes from this worker."""

    def execute(self, job_id):
        detach_all(job_id)


class FinalizeVolumes(base.JobTask):
    """Make the boot volume bootable, described by the inspection.

    The inspection of the converted guest, when there is one, describes
    what will boot (conversion installs VirtIO drivers, for one); the
    inspection before conversion otherwise.
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        ctx = base.job_context(job)
        storage = target_base.get_storage_driver()
        inspection = job.inspection_converted or job.inspection or {}
        metadata = inspection.get('image_metadata') or {}
        for disk in job.disks:
            storage.finalize_volume(ctx, disk.volume_id, metadata)


def _nics(job):
    if job.vm_id is None:
        return []
    return list(db_api.vm_get(base.admin_context(), job.vm_id).nics)


class CreatePorts(base.JobTask):
    """One target port per source NIC, on the network it is mapped to.

    Uses the job's ``network_mapping`` and ``security_groups`` (a NIC's
    own groups win). Ports are named after the job and NIC, so a resumed
    task finds them again; they are recorded in
    ``target_resources['ports']`` before the task returns, so cleanup
    finds them even if the flow dies right after.

    :returns: the port ids, in NIC order.
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        nics = _nics(job)
        if not nics:
            _save_resources(job, ports=[])
            return []
        spec = job.target_spec or {}
        ports = target_base.get_network_driver().create_ports(
            base.job_context(job), job, nics,
            spec.get('network_mapping') or [],
            security_groups=spec.get('security_groups'))
        _save_resources(job, ports=list(ports))
        base.record(job, 'ports_created',
                    _('%d target port(s) ready') % len(ports),
                    ports=list(ports))
        return list(ports)

    def revert(self, job_id, result=None, *args, **kwargs):
        # A failed execute already removed the ports it made (the
        # driver's contract); a Failure result has nothing to undo.
        if not isinstance(result, list) or not result:
            return
        try:
            job = base.get_job(job_id)
            target_base.get_network_driver().delete_ports(
                base.job_context(job), result)
            left = [p for p in _resources(job).get('ports') or ()
                    if p not in result]
            _save_resources(job, ports=left)
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not delete ports %s', job_id,
                          result)


def _flavor(ctx, job, compute):
    spec = job.target_spec or {}
    if spec.get('flavor_id'):
        return spec['flavor_id']
    vm = db_api.vm_get(base.admin_context(), job.vm_id)
    flavor = compute.best_flavor(ctx, vm.num_cpus or 1, vm.memory_mb or 512)
    return flavor['id']


class CreateInstance(base.JobTask):
    """Create (and boot, unless told not to) the migrated instance.

    Named by :func:`xms.targets.base.instance_name_for`, on the target
    spec's flavor or the best match for the VM, in its availability
    zone, with the ports :class:`CreatePorts` recorded.
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        ctx = base.job_context(job)
        compute = target_base.get_compute_driver()
        existing = compute.find_instance(ctx, job)
        if existing:
            return existing
        spec = job.target_spec or {}
        volumes = [d.volume_id for d in job.disks]
        ports = _resources(job).get('ports') or []
        instance = compute.create_instance(
            ctx, job, volumes, ports, _flavor(ctx, job, compute),
            power_on=spec.get('boot', True))
        _save_resources(job, instance=instance)
        base.record(job, 'instance_created',
                    _('Target instance %s created') % instance,
                    instance=instance)
        return instance

    def revert(self, job_id, result=None, *args, **kwargs):
        if not isinstance(result, str):
            return
        try:
            job = base.get_job(job_id)
            target_base.get_compute_driver().delete_instance(
                base.job_context(job), result)
            _save_resources(job, instance=None)
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not delete instance %s', job_id,
                          result)


class DeleteTarget(base.JobTask):
    """Cleanup: delete the instance, ports and volumes of the job.

    Runs :func:`xms.targets.cleanup.cleanup` (the one cleanup) with the
    job's trust, recording an event per deleted resource, and fails the
    task (hence the cancel flow, leaving the job ``failed`` with the
    error so that a new cancel tries again) when anything stayed behind.
    Kept when the job says ``keep_target``.
    """

    def execute(self, job_id):
        return clean_target(base.get_job(job_id))


def clean_target(job):
    """Delete the job's target resources, acting through its trust.

    The one entry to :func:`xms.targets.cleanup.cleanup` for a job row:
    used by the cancel flow and by the conductor's job delete. Records an
    event per deleted resource (or ``target_kept``), drops what went from
    the job's row, then raises if anything stayed behind.

    :returns: False when the job keeps its target, True when it is gone.
    :raises CleanupIncomplete: naming what could not be deleted.
    """
    if job.keep_target:
        base.record(job, 'target_kept',
                    _('Target resources kept (keep_target)'))
        return False
    result = cleanup.cleanup(base.job_context(job), job,
                             record=functools.partial(base.record, job))
    forget_deleted(job, result['deleted'])
    cleanup.check(job.uuid, result)
    return True


def forget_deleted(job, deleted):
    """Drop what the cleanup deleted from the job's row.

    The disks lose their volume and checkpoints (a new run starts from
    scratch) and ``target_resources`` only keeps what still exists.
    """
    gone = set(deleted.get('volumes') or ())
    for disk in job.disks:
        if disk.volume_id and disk.volume_id in gone:
            db_api.job_disk_update(base.admin_context(job.id), job.id,
                                   disk.device_key,
                                   {'volume_id': None, 'checkpoint': None,
                                    'last_change_id': None})
    resources = _resources(base.get_job(job.id))
    values = {
        'volumes': [v for v in resources.get('volumes') or ()
                    if v not in gone],
        'ports': [p for p in resources.get('ports') or ()
                  if p not in set(deleted.get('ports') or ())]}
    if resources.get('instance') == deleted.get('instance'):
        values['instance'] = None
    _save_resources(job, **values)

"""Tasks on the source VM: power, changed block tracking, snapshots.

They reach vSphere through ``xms.sources.base.get_driver``; the driver
decrypts the source's credential in this process only, so nothing secret
ever enters a flow's store or results.
"""

from oslo_log import log as logging

from xms.common.i18n import _
from xms.db import api as db_api
from xms.sources import base as source_base
from xms.worker.tasks import base

LOG = logging.getLogger(__name__)

POWERED_ON = 'poweredOn'


def source_of(job):
    """``(driver, source row, vm moref)`` of a job."""
    ctx = base.admin_context()
    source = db_api.source_get(ctx, job.source_id)
    vm = db_api.vm_get(ctx, job.vm_id)
    return source_base.get_driver(source.type), source, vm.moref


def power_back_on(job, message):
    """Power the job's source VM on (if it is not) and record it."""
    driver, source, moref = source_of(job)
    ctx = base.job_context(job)
    if driver.power_state(ctx, source, moref) != POWERED_ON:
        driver.power_on(ctx, source, moref)
    db_api.job_update(base.admin_context(job.id), job.id,
                      {'source_powered_off': False})
    base.record(job, 'source_powered_on', message)


class PowerOffSource(base.JobTask):
    """Shut the source VM down (guest shutdown, then hard power-off).

    :returns: True when this task powered the VM off (so its revert, and
        a cancel, power it back on), False if it was already off.
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        driver, source, moref = source_of(job)
        ctx = base.job_context(job)
        if driver.power_state(ctx, source, moref) != POWERED_ON:
            LOG.info('Job %s: source VM %s is already off', job.uuid, moref)
            return bool(job.source_powered_off)
        # Recorded before the call: a worker dying inside it still leaves
        # the job knowing that XMS may have stopped the VM.
        db_api.job_update(base.admin_context(job.id), job.id,
                          {'source_powered_off': True})
        base.record(job, 'source_power_off',
                    _('Shutting the source VM down'))
        how = driver.power_off(ctx, source, moref,
                               timeout=job.shutdown_timeout)
        base.record(job, 'source_powered_off',
                    _('Source VM powered off (%s)') % how, how=how)
        return True

    def revert(self, job_id, result=None, *args, **kwargs):
        if result is not True:
            return
        try:
            power_back_on(base.get_job(job_id),
                          _('Source VM powered on again'))
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not power the source back on',
                          job_id)


class RestoreSourcePower(base.JobTask):
    """Cleanup: power the source on again if XMS powered it off."""

    def execute(self, job_id):
        job = base.get_job(job_id)
        if not job.source_powered_off:
            return False
        power_back_on(job, _('Source VM powered on again (XMS had powered '
                             'it off)'))
        return True


class EnableCbt(base.JobTask):
    """Turn on changed block tracking when it is off.

    There is no revert: turning tracking off again would only forget the
    change ids other tools may rely on, and it costs nothing left on.
    """

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        driver, source, moref = source_of(job)
        enabled = driver.enable_cbt(base.job_context(job), source, moref)
        if enabled:
            base.record(job, 'cbt_enabled',
                        _('Changed block tracking enabled on the source '
                          'VM'))
        return bool(enabled)


class CreateSnapshot(base.JobTask):
    """Take a snapshot of the source VM for this flow.

    Idempotent: a resumed task finds the snapshot it took before (same
    job, same purpose, still live) instead of taking another one.

    :param purpose: ``export``, ``sync`` or ``final``; it names the
        snapshot and the task's result in the flow (``provides``).
    :returns: ``{'id': <snapshots row id>, 'moref': <snapshot moref>}``.
    """

    def __init__(self, purpose, **kwargs):
        kwargs.setdefault('name', 'CreateSnapshot-%s' % purpose)
        kwargs.setdefault('provides', 'snapshot_%s' % purpose)
        super().__init__(**kwargs)
        self.purpose = purpose

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        ctx = base.admin_context(job_id)
        for row in db_api.snapshot_list(ctx, filters={
                'job_id': job.id, 'purpose': self.purpose,
                'state': 'created'}):
            if row.snapshot_moref:
                LOG.info('Job %s: reusing snapshot %s', job.uuid, row.name)
                return {'id': row.id, 'moref': row.snapshot_moref}
        driver, source, moref = source_of(job)
        row = driver.create_snapshot(base.job_context(job), source, moref,
                                     job.id, self.purpose)
        base.record(job, 'snapshot_created',
                    _('Snapshot %s of the source VM created') % row.name,
                    snapshot=row.name, purpose=self.purpose)
        return {'id': row.id, 'moref': row.snapshot_moref}

    def revert(self, job_id, result=None, *args, **kwargs):
        try:
            job = base.get_job(job_id)
            rows = db_api.snapshot_list(base.admin_context(), filters={
                'job_id': job.id, 'purpose': self.purpose,
                'state': ['creating', 'created', 'removing']})
            if isinstance(result, dict):
                rows = [r for r in rows if r.id == result['id']] or rows
            driver, source, _moref = source_of(job)
            for row in rows:
                driver.remove_snapshot(base.job_context(job), source, row)
                base.record(job, 'snapshot_removed',
                            _('Snapshot %s removed') % row.name,
                            snapshot=row.name)
        except Exception:  # noqa: BLE001 - reverts never raise; the
            # reaper removes what is left.
            LOG.exception('Job %s: could not remove its %s snapshot; the '
                          'snapshot reaper will', job_id, self.purpose)


class RemoveSnapshot(base.JobTask):
    """Remove the snapshot a :class:`CreateSnapshot` of ``purpose`` took."""

    def __init__(self, purpose, **kwargs):
        kwargs.setdefault('name', 'RemoveSnapshot-%s' % purpose)
        kwargs.setdefault('rebind', {'snapshot': 'snapshot_%s' % purpose})
        super().__init__(**kwargs)
        self.purpose = purpose

    def execute(self, job_id, snapshot):
        job = base.get_job(job_id)
        driver, source, _moref = source_of(job)
        row = [r for r in db_api.snapshot_list(
            base.admin_context(), filters={'id': snapshot['id']})]
        if not row or row[0].state == 'removed':
            return
        driver.remove_snapshot(base.job_context(job), source, row[0])
        base.record(job, 'snapshot_removed',
                    _('Snapshot %s removed') % row[0].name,
                    snapshot=row[0].name)


class RemoveJobSnapshots(base.JobTask):
    """Cleanup: remove every snapshot XMS still holds for the job."""

    def execute(self, job_id):
        job = base.get_job(job_id)
        rows = db_api.snapshot_list(base.admin_context(), filters={
            'job_id': job.id,
            'state': ['creating', 'created', 'removing', 'failed']})
        if not rows:
            return 0
        driver, source, _moref = source_of(job)
        for row in rows:
            driver.remove_snapshot(base.job_context(job), source, row)
            base.record(job, 'snapshot_removed',
                        _('Snapshot %s removed') % row.name,
                        snapshot=row.name)
        return len(rows)

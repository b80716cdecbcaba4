"""Tasks on the job row: open a flow, name its phases, close it.

Every flow opens with :class:`StartFlow`, whose revert is what leaves a
failed job ``failed`` with a message a user can act on (or hands a
cancelled job to its cleanup flow), and closes with :class:`FinishFlow`,
which releases the job's one-flow lock (``jobs.active_flow``).
"""

from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import exception
from xms.common import states
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import api as db_api
from xms.flows import dispatch
from xms.flows import names
from xms.worker.tasks import base

LOG = logging.getLogger(__name__)


def _set_state(ctx, job, target, phase=None, **values):
    """job_set_state, or a plain update when the job is already there."""
    if job.state == target:
        values['phase'] = phase
        return db_api.job_update(ctx, job.id, values,
                                 expected={'state': target})
    return db_api.job_set_state(ctx, job, target, phase=phase, **values)


class StartFlow(base.JobTask):
    """Move the job into the flow's state; on revert, fail it cleanly.

    :param flow_name: the flow's stable name (``cold``, ``cutover``...).
    :param state: the job state the flow runs in.
    :param phase: the first phase.
    """

    def __init__(self, flow_name, state, phase, **kwargs):
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.state = state
        self.phase = phase

    def execute(self, job_id):
        ctx = base.admin_context(job_id)
        job = base.get_job(job_id)
        base.check_cancel(job)
        values = {'worker_host': CONF.host, 'error': None,
                  'active_flow': self.flow_name}
        if job.started_at is None:
            values['started_at'] = timeutils.utcnow()
        if job.state not in (states.QUEUED, self.state):
            raise exception.InvalidStateTransition(
                job=job.uuid, source=job.state, target=self.state)
        resumed = job.state == self.state and job.phase is not None
        job = _set_state(ctx, job, self.state,
                         job.phase if resumed else self.phase, **values)
        base.record(job, 'flow_started',
                    _('%(flow)s flow %(how)s on worker %(host)s') % {
                        'flow': self.flow_name,
                        'how': _('resumed') if resumed else _('started'),
                        'host': CONF.host},
                    flow=self.flow_name, phase=job.phase)
        LOG.info('Job %s: flow %s running on %s (state %s, phase %s)',
                 job.uuid, self.flow_name, CONF.host, job.state, job.phase)

    def revert(self, job_id, *args, **kwargs):
        try:
            self._revert(job_id, kwargs.get('flow_failures'))
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not record the end of flow %s',
                          job_id, self.flow_name)

    def _revert(self, job_id, flow_failures):
        ctx = base.admin_context(job_id)
        job = base.get_job(job_id)
        if job.state == states.CANCELLING:
            db_api.job_update(ctx, job.id, {'active_flow': None,
                                            'worker_host': None})
            base.record(job, 'flow_stopped',
                        _('%s flow stopped for the cancel; cleaning up')
                        % self.flow_name, flow=self.flow_name)
            LOG.info('Job %s: flow %s stopped for cancel', job.uuid,
                     self.flow_name)
            dispatch.post_cleanup(ctx, job.id)
            return
        reason = base.failure_message(flow_failures)
        step = job.phase or self.phase
        message = _('Step %(step)s of the %(flow)s flow failed: %(reason)s '
                    'Fix the cause, then retry the job (data already '
                    'copied is kept) or cancel it to clean up.') % {
                        'step': step, 'flow': self.flow_name,
                        'reason': reason.rstrip('.') + '.'}
        values = {'error': message, 'failed_flow': self.flow_name,
                  'active_flow': None, 'worker_host': None,
                  'rate_bps': None, 'eta_seconds': None}
        if states.can_transition(job.state, states.FAILED):
            job = db_api.job_set_state(ctx, job, states.FAILED, phase=step,
                                       **values)
        else:
            job = db_api.job_update(ctx, job.id, values)
        base.record(job, 'failed', message, severity='error',
                    flow=self.flow_name, phase=step)
        LOG.warning('Job %s failed in %s: %s', job.uuid, step, reason)


class SetPhase(base.JobTask):
    """Record that the job entered ``phase`` (an event too)."""

    def __init__(self, phase, **kwargs):
        kwargs.setdefault('name', 'SetPhase-%s-%s' % (
            phase, kwargs.pop('suffix', '')))
        super().__init__(**kwargs)
        self.phase = phase

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        if job.phase == self.phase:
            return
        job = db_api.job_update(base.admin_context(job.id), job.id,
                                {'phase': self.phase},
                                expected={'state': job.state})
        base.record(job, 'phase_changed', _('Phase %s') % self.phase,
                    state=job.state, phase=self.phase)


class FinishFlow(base.JobTask):
    """Close the flow: move the job to ``state`` and release its lock.

    :param state: ``ready`` after a warm sync flow, ``completed`` after a
        cold or cutover flow.
    """

    def __init__(self, flow_name, state, **kwargs):
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.state = state

    def execute(self, job_id):
        ctx = base.admin_context(job_id)
        job = base.get_job(job_id)
        base.check_cancel(job)
        values = {'active_flow': None, 'failed_flow': None,
                  'worker_host': None, 'rate_bps': None,
                  'eta_seconds': None, 'error': None}
        if self.state == states.COMPLETED:
            # A finished job shows its disks as copied in full.
            total = sum(d.capacity_bytes or 0 for d in job.disks)
            values.update(bytes_done=total, bytes_total=total)
        if self.state == states.READY:
            now = timeutils.utcnow()
            interval = job.sync_interval or 3600
            values['next_sync_at'] = now + _seconds(interval)
        job = db_api.job_set_state(ctx, job, self.state, phase=None,
                                   **values)
        base.record(job, 'flow_finished' if self.state == states.READY
                    else 'completed',
                    _('%(flow)s flow finished; job is %(state)s') % {
                        'flow': self.flow_name, 'state': self.state},
                    flow=self.flow_name, state=self.state)
        LOG.info('Job %s: flow %s finished, state %s', job.uuid,
                 self.flow_name, self.state)


class StartCleanup(base.JobTask):
    """Open the cancel flow; on revert, leave the job failed."""

    def execute(self, job_id):
        job = base.get_job(job_id)
        if job.state != states.CANCELLING:
            raise exception.InvalidStateTransition(
                job=job.uuid, source=job.state, target=states.CANCELLED)
        db_api.job_update(base.admin_context(job.id), job.id,
                          {'worker_host': CONF.host, 'phase': states.CLEANUP,
                           'active_flow': names.CANCEL})
        base.record(job, 'cleanup_started', _('Cleaning up after cancel'))

    def revert(self, job_id, *args, **kwargs):
        try:
            ctx = base.admin_context(job_id)
            job = base.get_job(job_id)
            reason = base.failure_message(kwargs.get('flow_failures'))
            message = _('Cleanup after cancel failed: %s Check the source '
                        'and target, then cancel the job again.') % (
                            reason.rstrip('.') + '.')
            values = {'error': message, 'active_flow': None,
                      'worker_host': None, 'failed_flow': names.CANCEL}
            if states.can_transition(job.state, states.FAILED):
                job = db_api.job_set_state(ctx, job, states.FAILED,
                                           phase=None, **values)
            else:
                job = db_api.job_update(ctx, job.id, values)
            base.record(job, 'failed', message, severity='error',
                        flow=names.CANCEL)
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not record a failed cleanup',
                          job_id)


class FinishCancel(base.JobTask):
    """The job is ``cancelled``: everything XMS made is gone."""

    def execute(self, job_id):
        ctx = base.admin_context(job_id)
        job = base.get_job(job_id)
        job = db_api.job_set_state(ctx, job, states.CANCELLED, phase=None,
                                   active_flow=None, worker_host=None,
                                   rate_bps=None, eta_seconds=None,
                                   next_sync_at=None)
        base.record(job, 'cancelled', _('Job cancelled and cleaned up'))
        LOG.info('Job %s cancelled', job.uuid)


def _seconds(n):
    import datetime
    return datetime.timedelta(seconds=n)

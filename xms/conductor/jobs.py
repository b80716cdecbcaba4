"""Job execution behind the conductor's RPC actions.

Each action is a conditional update of the job row followed by posting a
flow (:mod:`xms.conductor.dispatch`). The update takes the job's
one-flow lock, ``jobs.active_flow``, only if nobody holds it (and the
job is still in the state the action expects) in the same UPDATE, so two
conductors, a user and the scheduler can race on a job and exactly one
of them posts a flow.

Flow names: ``cold``, ``warm_full_sync``, ``incremental_sync``,
``cutover`` and ``cancel`` (see :mod:`xms.worker.flows`).
"""

from oslo_log import log as logging

from xms.common import events
from xms.common import exception
from xms.common import states
from xms.common.i18n import _
from xms.conductor import dispatch
from xms.db import api as db_api

LOG = logging.getLogger(__name__)

COLD = 'cold'
FULL_SYNC = 'warm_full_sync'
INCREMENTAL_SYNC = 'incremental_sync'
CUTOVER = 'cutover'
CANCEL = 'cancel'


def _take(context, job, flow_name, expected_states, target=None,
          phase=None, **values):
    """Take the job's flow lock (and move it to ``target``) atomically.

    :raises ConcurrentUpdate: when another flow holds the lock or the job
        left ``expected_states``.
    """
    values = dict(values, active_flow=flow_name)
    if target is not None and target != job.state:
        states.check_transition(job.uuid, job.state, target, job.type)
        values['state'] = target
        values['phase'] = phase
    return db_api.job_update(context, job.id, values,
                             expected={'state': tuple(expected_states),
                                       'active_flow': None})


def _post(context, job, flow_name, restore):
    """Post ``flow_name``; on failure give the lock (and state) back."""
    try:
        fd_uuid = dispatch.post(job, flow_name)
    except Exception as exc:
        LOG.exception('Job %s: could not post flow %s', job.uuid, flow_name)
        db_api.job_update(context, job.id, dict(restore, active_flow=None))
        events.record(context, 'job', 'dispatch_failed',
                      _('Could not hand the %(flow)s flow to a worker '
                        '(%(exc)s); try the action again.')
                      % {'flow': flow_name, 'exc': type(exc).__name__},
                      job=job, severity='error')
        raise
    return db_api.job_update(context, job.id,
                             {'flow_detail_uuid': fd_uuid})


def start(context, job_id):
    """Post the first flow of a queued job (cold, or warm full sync)."""
    job = db_api.job_get(context, job_id)
    flow_name = COLD if job.type == states.COLD else FULL_SYNC
    try:
        job = _take(context, job, flow_name, [states.QUEUED])
    except exception.ConcurrentUpdate:
        LOG.info('Job %s: not started, it already has a flow or left '
                 'queued', job.uuid)
        return None
    return _post(context, job, flow_name, {})


def sync(context, job_id, scheduled=False):
    """Run an incremental sync of a ready warm job now.

    :param scheduled: True when the scheduler asks (not a user).
    :returns: the job, or None when it was not in a state to sync.
    """
    job = db_api.job_get(context, job_id)
    if job.type != states.WARM:
        return None
    try:
        job = _take(context, job, INCREMENTAL_SYNC, [states.READY],
                    states.SYNCING, states.INCREMENTAL_SYNC)
    except (exception.ConcurrentUpdate, exception.InvalidStateTransition):
        LOG.info('Job %s: sync not posted (state %s, flow %s)', job.uuid,
                 job.state, job.active_flow)
        return None
    if scheduled:
        events.record(context, 'job', 'sync_scheduled',
                      _('Scheduled incremental sync'), job=job)
    return _post(context, job, INCREMENTAL_SYNC,
                 {'state': states.READY, 'phase': None})


def cutover(context, job_id):
    """Post the cutover flow of a ready warm job."""
    job = db_api.job_get(context, job_id)
    states.check_action(states.CUTOVER, job.uuid, job.type, job.state,
                        job.incremental_syncs or 0)
    try:
        job = _take(context, job, CUTOVER, [states.READY],
                    states.CUTTING_OVER, states.FINAL_DELTA,
                    next_sync_at=None)
    except exception.ConcurrentUpdate:
        raise exception.ActionNotAllowed(
            action=states.CUTOVER, job=job.uuid, state=job.state,
            reason=_('a sync is running; cut over once it finished'))
    return _post(context, job, CUTOVER,
                 {'state': states.READY, 'phase': None})


def cancel(context, job_id, keep_target=False):
    """Cancel a job: stop its flow at the next checkpoint, clean up.

    The job goes to ``cancelling`` at once. A running flow notices it
    (between tasks, and in the copy before every chunk) and stops; its
    opening task's revert then posts the cleanup flow. Without a running
    flow the cleanup is posted here.
    """
    job = db_api.job_get(context, job_id)
    states.check_action(states.CANCEL, job.uuid, job.type, job.state)
    job = db_api.job_set_state(
        context, job, states.CANCELLING, phase=states.CLEANUP,
        keep_target=bool(keep_target or job.keep_target), next_sync_at=None)
    LOG.info('Job %s: cancelling (flow %s)', job.uuid, job.active_flow)
    if job.active_flow is None:
        post_cleanup(context, job.id)
    return job


def post_cleanup(context, job_id):
    """Post the cleanup flow of a cancelling job no flow holds."""
    job = db_api.job_get(context, job_id)
    try:
        job = _take(context, job, CANCEL, [states.CANCELLING])
    except exception.ConcurrentUpdate:
        return None
    return _post(context, job, CANCEL, {})


def retry(context, job_id):
    """Run a failed job's failed flow again, keeping what it did.

    The flow's tasks find what exists (volumes, change ids) and the copy
    resumes from each disk's last checkpoint.
    """
    job = db_api.job_get(context, job_id)
    states.check_action(states.RETRY, job.uuid, job.type, job.state)
    flow_name = job.failed_flow or (COLD if job.type == states.COLD
                                    else FULL_SYNC)
    if flow_name == CANCEL:
        return cancel(context, job_id, job.keep_target)
    job = _take(context, job, flow_name, [states.FAILED], states.QUEUED,
                None, error=None)
    return _post(context, job, flow_name,
                 {'state': states.FAILED, 'phase': job.phase})


def resume_local(context):
    """Re-queue, in-process, every flow a job still holds (start-up).

    Only for the ``local`` dispatcher: on etcd the posted jobs survive
    the process and another worker claims them.
    """
    dispatcher = dispatch.get_dispatcher()
    count = 0
    for job in db_api.job_list(context, filters={}):
        if job.active_flow and job.flow_detail_uuid:
            dispatcher.enqueue(job.flow_detail_uuid, job.id,
                               job.active_flow)
            count += 1
            LOG.info('Job %s: flow %s re-queued after restart', job.uuid,
                     job.active_flow)
    return count

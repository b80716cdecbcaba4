"""Job execution behind the conductor's RPC actions.

Each action is a conditional update of the job row followed by posting a
flow (:mod:`xms.flows.dispatch`). The update takes the job's
one-flow lock, ``jobs.active_flow``, only if nobody holds it (and the
job is still in the state the action expects) in the same UPDATE, so two
conductors, a user and the scheduler can race on a job and exactly one
of them posts a flow.

Flow names: see :mod:`xms.flows.names`.

No job stays without the flow it needs: a queued or cancelling job whose
flow could not be posted is given a time for the next attempt (doubling
from ``[conductor]/dispatch_retry_interval``), which the scheduler's
periodic pass honours (:func:`xms.conductor.scheduler.run_dispatch_retries`)
until ``[conductor]/dispatch_max_attempts`` fail the job.

Deleting a failed or cancelled job cleans its target up first
(:func:`delete`), here in the conductor: the job's trust is all it needs
and the conductor holds the job's state, so a failed cleanup keeps the
record with its error for the user to ask again.
"""

import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import events
from xms.common import exception
from xms.common import states
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import api as db_api
from xms.flows import dispatch
from xms.flows import names

LOG = logging.getLogger(__name__)

# The flows this module posts (spelt once, in xms.flows.names).
COLD = names.COLD
FULL_SYNC = names.FULL_SYNC
INCREMENTAL_SYNC = names.INCREMENTAL_SYNC
CUTOVER = names.CUTOVER
CANCEL = names.CANCEL
# Not a flow: the name of the job's lock (``active_flow``) while its
# delete cleans up the target, so that no flow starts meanwhile.
DELETE = 'delete'

# States that only a posted flow moves on: a failed post is retried.
_RETRIED_STATES = (states.QUEUED, states.CANCELLING)


def _post(context, job, flow_name, restore):
    """Post ``flow_name``; on failure give the lock (and state) back.

    A job left queued or cancelling by the failure gets its next attempt
    scheduled (:func:`_dispatch_failed`); the others went back to a state
    where the user acts again.
    """
    try:
        fd_uuid = dispatch.post(job, flow_name)
    except Exception as exc:
        LOG.exception('Job %s: could not post flow %s', job.uuid, flow_name)
        _dispatch_failed(context, job, flow_name, restore, exc)
        raise
    return db_api.job_update(context, job.id,
                             {'flow_detail_uuid': fd_uuid,
                              'dispatch_attempts': 0,
                              'next_dispatch_at': None})


def retry_delay(attempts, conf=CONF):
    """Seconds to wait after ``attempts`` failed posts (doubling, capped)."""
    delay = conf.conductor.dispatch_retry_interval * 2 ** (attempts - 1)
    return min(delay, conf.conductor.dispatch_retry_max_interval)


def _dispatch_failed(context, job, flow_name, restore, exc):
    values = dict(restore, active_flow=None)
    fmt = {'flow': flow_name, 'exc': type(exc).__name__}
    if values.get('state', job.state) not in _RETRIED_STATES:
        db_api.job_update(context, job.id, values)
        events.record(context, 'job', 'dispatch_failed',
                      _('Could not hand the %(flow)s flow to a worker '
                        '(%(exc)s); try the action again.') % fmt,
                      job=job, severity='error',
                      payload={'flow': flow_name})
        return
    attempts = (job.dispatch_attempts or 0) + 1
    limit = CONF.conductor.dispatch_max_attempts
    fmt.update(attempt=attempts, max=limit)
    if attempts >= limit:
        message = _('Could not hand the %(flow)s flow to a worker in '
                    '%(attempt)d attempts (last error %(exc)s). Check that '
                    'the workers and their jobboard are reachable, then '
                    'retry or cancel the job.') % fmt
        job = db_api.job_set_state(
            context, job, states.FAILED, phase=None,
            **dict(values, dispatch_attempts=attempts, next_dispatch_at=None,
                   error=message, failed_flow=flow_name))
        events.record(context, 'job', 'dispatch_failed', message, job=job,
                      severity='error',
                      payload={'flow': flow_name, 'attempt': attempts})
        LOG.warning('Job %s failed: %s', job.uuid, message)
        return
    delay = retry_delay(attempts)
    values.update(dispatch_attempts=attempts,
                  next_dispatch_at=timeutils.utcnow()
                  + datetime.timedelta(seconds=delay))
    db_api.job_update(context, job.id, values)
    fmt['delay'] = delay
    events.record(context, 'job', 'dispatch_failed',
                  _('Could not hand the %(flow)s flow to a worker '
                    '(%(exc)s); attempt %(attempt)d of %(max)d, the '
                    'conductor tries again in %(delay)d s.') % fmt,
                  job=job, severity='warning',
                  payload={'flow': flow_name, 'attempt': attempts,
                           'retry_in': delay})


def first_flow(job):
    """The flow a queued job starts with."""
    return COLD if job.type == states.COLD else FULL_SYNC


def start(context, job_id):
    """Post the first flow of a queued job (cold, or warm full sync)."""
    job = db_api.job_get(context, job_id)
    flow_name = first_flow(job)
    try:
        job = dispatch.take(context, job, flow_name, [states.QUEUED])
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
        job = dispatch.take(context, job, INCREMENTAL_SYNC,
                            [states.READY], states.SYNCING,
                            states.INCREMENTAL_SYNC)
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
        job = dispatch.take(context, job, CUTOVER, [states.READY],
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
    # A user action starts the dispatch attempts afresh.
    job = db_api.job_set_state(
        context, job, states.CANCELLING, phase=states.CLEANUP,
        keep_target=bool(keep_target or job.keep_target), next_sync_at=None,
        dispatch_attempts=0, next_dispatch_at=None)
    LOG.info('Job %s: cancelling (flow %s)', job.uuid, job.active_flow)
    if job.active_flow is None:
        post_cleanup(context, job.id)
    return job


def post_cleanup(context, job_id):
    """Post the cleanup flow of a cancelling job no flow holds."""
    job = db_api.job_get(context, job_id)
    try:
        job = dispatch.take(context, job, CANCEL, [states.CANCELLING])
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
    flow_name = job.failed_flow or first_flow(job)
    if flow_name == CANCEL:
        return cancel(context, job_id, job.keep_target)
    job = dispatch.take(context, job, flow_name, [states.FAILED],
                        states.QUEUED, None, error=None, dispatch_attempts=0,
                        next_dispatch_at=None)
    return _post(context, job, flow_name,
                 {'state': states.FAILED, 'phase': job.phase})


def delete(context, job_id):
    """Delete a finished job: its target first, then its trust and record.

    A failed or cancelled job's target (instance, ports, volumes, found
    from its records and by its metadata) is deleted through the job's
    trust unless it ``keep_target``; the job shows phase ``deleting``
    meanwhile and holds the ``delete`` lock, so no flow starts on it. A
    cleanup that leaves anything behind keeps the record, with the error
    and a ``delete_failed`` event, and the user can ask again; only a
    complete cleanup lets the trust and the record go. A completed job's
    target is the migrated VM: it is never touched.

    A cancelled job whose trust the conductor has already revoked
    (:mod:`xms.conductor.trusts`) was cleaned up by its cancel flow,
    which a job only leaves as ``cancelled`` when nothing stayed behind.

    :returns: True when the record went, False when the cleanup failed.
    :raises ActionNotAllowed: when the job is not finished or a flow
        holds it.
    """
    from xms.worker.tasks import target as target_tasks
    job = db_api.job_get(context, job_id)
    states.check_action(states.DELETE, job.uuid, job.type, job.state)
    cleans = job.state != states.COMPLETED
    job, prior_phase = _take_delete_lock(context, job, cleans)
    events.record(context, 'job', 'delete_started',
                  _('Deleting the job and its target resources') if cleans
                  else _('Deleting the job record'), job=job)
    LOG.info('Job %s: delete started (%s)', job.uuid, job.state)
    if cleans:
        try:
            if job.state == states.CANCELLED and not job.trust_id:
                events.record(context, 'job', 'target_cleanup_skipped',
                              _('The cancel flow already deleted the '
                                'target resources'), job=job)
            else:
                target_tasks.clean_target(job)
        except Exception as exc:
            _delete_failed(context, job, prior_phase, exc)
            return False
    if job.trust_id:
        from xms.common import keystone
        keystone.delete_trust(context, job.trust_id)
    try:
        db_api.job_delete(context, job.id)
    except exception.JobNotFound:
        LOG.info('Job %s: already deleted by another request', job.uuid)
        return True
    except exception.XmsException as exc:
        _delete_failed(context, job, prior_phase, exc)
        return False
    events.record(context, 'job', 'deleted', _('Job record deleted'),
                  resource_uuid=job.uuid, project_id=job.project_id)
    LOG.info('Job %s deleted', job.uuid)
    return True


def _take_delete_lock(context, job, cleans):
    """Lock a finished job for its delete; returns ``(job, phase before)``.

    A delete that died half-way (a conductor restart) still holds the
    lock: asking again takes it over, since the cleanup only deletes what
    exists and the record goes in a conditional DELETE.
    """
    values = {'active_flow': DELETE}
    if cleans:
        values['phase'] = states.DELETING
    for holder in (None, DELETE):
        try:
            locked = db_api.job_update(context, job.id, values, expected={
                'state': job.state, 'active_flow': holder})
        except exception.ConcurrentUpdate:
            continue
        return locked, (job.phase if holder is None else None)
    raise exception.ActionNotAllowed(
        action=states.DELETE, job=job.uuid, state=job.state,
        reason=_('a %s flow holds it; try again once it ended')
        % job.active_flow)


def _delete_failed(context, job, prior_phase, exc):
    reason = (exc.message if isinstance(exc, exception.XmsException)
              else _('unexpected error (%s), see the conductor log')
              % type(exc).__name__)
    LOG.warning('Job %s: delete failed: %s', job.uuid, reason,
                exc_info=not isinstance(exc, exception.XmsException))
    message = _('Delete stopped, the job is kept: %s Fix the cause, then '
                'delete the job again.') % (reason.rstrip('.') + '.')
    try:
        job = db_api.job_update(context, job.id, {
            'active_flow': None, 'phase': prior_phase, 'error': message},
            expected={'active_flow': DELETE})
    except (exception.ConcurrentUpdate, exception.JobNotFound):
        LOG.info('Job %s: delete lock already released', job.uuid)
    events.record(context, 'job', 'delete_failed', message, job=job,
                  severity='error')

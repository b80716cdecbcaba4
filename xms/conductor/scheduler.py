"""The conductor's periodic work on jobs.

* Incremental syncs of warm jobs whose ``next_sync_at`` is due, as long
  as the worker pool has free slots (a sync waiting for a slot would
  only make the lag look better than it is).
* Flows that jobs should hold and do not (:func:`run_dispatch_retries`):
  the first flow of a queued job whose post failed or whose start
  request was lost, and the cleanup flow of a cancelling job (the
  stopped flow's own revert posts it; this catches a worker that died
  first, or a post that failed). Failed posts are retried with
  exponential backoff and an event per attempt, and fail the job after
  ``[conductor]/dispatch_max_attempts``.

Only the elected leader runs it (:mod:`xms.conductor.coordination`);
should two conductors briefly both lead, every post is still a
conditional update of the job's flow lock, so a job never gets two flows.
"""

import datetime
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import context as xms_context
from xms.common import events
from xms.common import states
from xms.common.i18n import _
from xms.conductor import jobs
from xms.conf import CONF
from xms.db import api as db_api

LOG = logging.getLogger(__name__)

WORKER_BINARY = 'xms-worker'


def free_slots(context):
    """Slots of live workers minus the flows jobs hold."""
    timeout = CONF.conductor.heartbeat_timeout
    slots = sum(w.slots or 0 for w in db_api.worker_list(
        context, binary=WORKER_BINARY)
        if db_api.worker_is_alive(w, timeout))
    return slots - db_api.job_count_active_flows(context)


def run_due_syncs(context):
    """Post the incremental syncs that are due; return how many."""
    free = free_slots(context)
    if free <= 0:
        return 0
    posted = 0
    for job in db_api.job_list_due_syncs(context, timeutils.utcnow(),
                                         limit=free):
        try:
            if jobs.sync(context, job.id, scheduled=True) is not None:
                posted += 1
        except Exception:  # noqa: BLE001 - one job never stops the rest
            LOG.exception('Job %s: scheduled sync failed to post', job.uuid)
    if posted:
        LOG.info('Scheduler posted %d incremental sync(s)', posted)
    return posted


def run_dispatch_retries(context):
    """Post the flows that queued and cancelling jobs lack; return how many.

    Each attempt is recorded as a ``dispatch_retry`` event; a failed one
    is recorded (and the next one scheduled, or the job failed) by
    :func:`xms.conductor.jobs._post`.
    """
    now = timeutils.utcnow()
    lost_before = now - datetime.timedelta(
        seconds=CONF.conductor.dispatch_retry_interval)
    posted = 0
    for job in db_api.job_list_dispatch_due(context, now, lost_before):
        cancelling = job.state == states.CANCELLING
        flow_name = jobs.CANCEL if cancelling else jobs.first_flow(job)
        attempt = (job.dispatch_attempts or 0) + 1
        events.record(context, 'job', 'dispatch_retry',
                      _('Posting the %(flow)s flow (attempt %(n)d of '
                        '%(max)d)') % {
                          'flow': flow_name, 'n': attempt,
                          'max': CONF.conductor.dispatch_max_attempts},
                      job=job, payload={'flow': flow_name,
                                        'attempt': attempt})
        try:
            if cancelling:
                result = jobs.post_cleanup(context, job.id)
            else:
                result = jobs.start(context, job.id)
        except Exception:  # noqa: BLE001 - one job never stops the rest
            LOG.warning('Job %s: flow %s failed to post (attempt %d)',
                        job.uuid, flow_name, attempt)
            continue
        if result is not None:
            posted += 1
    if posted:
        LOG.info('Scheduler posted %d missing flow(s)', posted)
    return posted


def run_once(context=None):
    context = context or xms_context.get_admin_context()
    return {'syncs': run_due_syncs(context),
            'dispatches': run_dispatch_retries(context)}


class Periodic:
    """Run ``func()`` every ``interval`` seconds on a daemon thread.

    :param gate: called before every run; the run is skipped unless it
        returns True (the conductor passes its election's ``is_leader``,
        so that only the leader runs periodic work).
    """

    def __init__(self, name, func, interval, gate=None):
        self.name = name
        self.func = func
        self.interval = interval
        self.gate = gate
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=self.name)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.interval):
            if self.gate is not None and not self.gate():
                continue
            try:
                self.func()
            except Exception:  # noqa: BLE001 - keep the loop alive
                LOG.exception('Periodic task %s failed', self.name)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)


def get_periodics(gate=None):
    """The conductor's periodic tasks, each run only while ``gate()``.

    Scheduler (syncs and dispatch retries), trust revoker, snapshot
    reaper and the purge of finished jobs' flow records; see
    :mod:`xms.conductor.coordination` for why each is safe should two
    conductors briefly both lead.
    """
    from xms.conductor import reaper
    from xms.conductor import trusts
    from xms.db import purge
    periodics = [
        Periodic('xms-sync-scheduler', run_once,
                 CONF.conductor.sync_scheduler_interval, gate),
        Periodic('xms-trust-revoker', trusts.revoke_finished,
                 CONF.conductor.sync_scheduler_interval, gate),
        Periodic('xms-snapshot-reaper', reaper.run_once,
                 CONF.conductor.snapshot_reaper_interval, gate)]
    if CONF.conductor.purge_interval:
        periodics.append(Periodic('xms-purge', purge.run_periodic,
                                  CONF.conductor.purge_interval, gate))
    return periodics

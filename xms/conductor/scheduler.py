"""The conductor's periodic work on jobs.

* Incremental syncs of warm jobs whose ``next_sync_at`` is due, as long
  as the worker pool has free slots (a sync waiting for a slot would
  only make the lag look better than it is).
* Cleanup flows of cancelled jobs whose running flow has stopped (the
  flow's own revert posts it; this catches a worker that died first).

Several conductors may run it at once: every post is a conditional
update of the job's flow lock, so a job never gets two flows.
"""

import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import context as xms_context
from xms.common import states
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


def run_pending_cleanups(context):
    """Post the cleanup flow of cancelling jobs no flow holds."""
    posted = 0
    for job in db_api.job_list(context, filters={
            'state': states.CANCELLING, 'active_flow': None}):
        try:
            if jobs.post_cleanup(context, job.id) is not None:
                posted += 1
        except Exception:  # noqa: BLE001
            LOG.exception('Job %s: cleanup failed to post', job.uuid)
    return posted


def run_once(context=None):
    context = context or xms_context.get_admin_context()
    return {'syncs': run_due_syncs(context),
            'cleanups': run_pending_cleanups(context)}


class Periodic:
    """Run ``func()`` every ``interval`` seconds on a daemon thread."""

    def __init__(self, name, func, interval):
        self.name = name
        self.func = func
        self.interval = interval
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=self.name)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.func()
            except Exception:  # noqa: BLE001 - keep the loop alive
                LOG.exception('Periodic task %s failed', self.name)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)


def get_periodics():
    """The conductor's periodic tasks: scheduler, trust revoker, reaper."""
    from xms.conductor import reaper
    from xms.conductor import trusts
    return [Periodic('xms-sync-scheduler', run_once,
                     CONF.conductor.sync_scheduler_interval),
            Periodic('xms-trust-revoker', trusts.revoke_finished,
                     CONF.conductor.sync_scheduler_interval),
            Periodic('xms-snapshot-reaper', reaper.run_once,
                     CONF.conductor.snapshot_reaper_interval)]

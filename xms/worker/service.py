"""The xms-worker process: runs migration flows in ``max_jobs`` slots.

With the etcd jobboard a TaskFlow conductor claims posted flows, each
with a lease of ``[taskflow]/claim_ttl`` seconds that this process keeps
refreshing while the flow runs; a worker that dies (or hangs) stops
refreshing, etcd drops its claims, and another worker resumes the flows
from their last completed task (and the copy from its last checkpoint).

With the ``local`` dispatcher (xms-all-in-one) the same flows, persisted
the same way, are run by in-process slot threads; at start-up the flows
jobs still hold are queued again, so a restart resumes them.

A graceful stop claims nothing more, asks running flows to suspend after
their current task, waits ``[worker]/graceful_shutdown_timeout`` seconds
and then releases the claims it still holds so that another worker
resumes those flows at once instead of after the lease expires.
"""

import os
import threading

import cotyledon
from oslo_log import log as logging
from taskflow import exceptions as tf_exc
from taskflow.conductors import backends as conductor_backends

from xms.common import context as xms_context
from xms.common import service as xms_service
from xms.common.i18n import _
from xms.conductor import dispatch
from xms.conf import CONF
from xms.db import api as db_api
from xms.db import taskflow as db_taskflow

LOG = logging.getLogger(__name__)

BINARY = 'xms-worker'


def flow_claimed(job_id, flow_name):
    """Record that this worker now runs (or resumes) a job's flow."""
    from xms.worker.tasks import base as task_base
    try:
        ctx = xms_context.get_admin_context()
        job = db_api.job_update(ctx, job_id, {'worker_host': CONF.host})
        task_base.record(job, 'flow_claimed',
                         _('%(flow)s flow claimed by worker %(host)s') % {
                             'flow': flow_name, 'host': CONF.host},
                         flow=flow_name, host=CONF.host)
        LOG.info('Job %s: flow %s claimed', job.uuid, flow_name)
    except Exception:  # noqa: BLE001 - bookkeeping only
        LOG.warning('Could not record the claim of job %s', job_id,
                    exc_info=True)


class _OwnClaimsGuard:
    """The jobboard, refusing to claim a job this worker already runs.

    If this worker's lease on a running flow lapsed (an etcd outage
    longer than the claim TTL), the flow shows as unclaimed again; the
    worker that still runs it must not claim it a second time and run
    the same flow twice at once.
    """

    def __init__(self, board, running):
        self._board = board
        self._running = running

    def __getattr__(self, name):
        return getattr(self._board, name)

    def claim(self, job, who, expiry=None):
        if job.uuid in self._running():
            raise tf_exc.UnclaimableJob('job %s already runs here'
                                        % job.uuid)
        return self._board.claim(job, who, expiry=expiry)


class EtcdRunner:
    """A TaskFlow conductor on the etcd jobboard, plus lease refreshes."""

    def __init__(self, slots):
        self.slots = slots
        self.name = '%s-%d' % (CONF.host, os.getpid())
        self.backend = None
        self.board = None
        self.conductor = None
        self._threads = []
        self._stop = threading.Event()

    @property
    def running(self):
        if self.conductor is None:
            return 0
        return len(self.conductor._dispatched)

    def _jobs(self):
        if self.conductor is None:
            return []
        return [getattr(f, 'job', None)
                for f in list(self.conductor._dispatched)]

    def start(self):
        self.backend = db_taskflow.get_backend()
        self.board = dispatch.connect_jobboard(self.name,
                                               persistence=self.backend)
        guarded = _OwnClaimsGuard(
            self.board, lambda: {j.uuid for j in self._jobs() if j})
        self.conductor = conductor_backends.fetch(
            'nonblocking', self.name, guarded, persistence=self.backend,
            engine='serial', wait_timeout=1.0,
            max_simultaneous_jobs=self.slots)
        self.conductor.notifier.register('running_start', self._claimed)
        self._threads = [
            threading.Thread(target=self.conductor.run, daemon=True,
                             name='xms-worker-conductor'),
            threading.Thread(target=self._refresh_claims, daemon=True,
                             name='xms-worker-claims')]
        for t in self._threads:
            t.start()
        LOG.info('Worker %s claims flows from etcd jobboard %s (claim ttl '
                 '%d s)', self.name, CONF.taskflow.jobboard_name,
                 CONF.taskflow.claim_ttl)

    @staticmethod
    def _claimed(_event, details):
        job = details.get('job')
        info = (job.details or {}) if job is not None else {}
        if info.get('job_id'):
            flow_claimed(info['job_id'], info.get('flow_name'))

    def _refresh_claims(self):
        interval = max(1.0, CONF.taskflow.claim_ttl / 3.0)
        while not self._stop.wait(interval):
            for job in self._jobs():
                if job is None:
                    continue
                try:
                    if not job.extend_expiry(CONF.taskflow.claim_ttl):
                        LOG.error('The claim of %s expired while this '
                                  'worker runs it; another worker may '
                                  'resume it', job)
                except Exception:  # noqa: BLE001 - retried next round
                    LOG.warning('Could not refresh the claim of %s', job,
                                exc_info=True)

    def stop(self, timeout):
        if self.conductor is None:
            return
        self.conductor.stop()
        if not self.conductor.wait(timeout):
            for job in self._jobs():
                if job is None:
                    continue
                try:
                    LOG.info('Releasing the claim of %s', job)
                    if job.lease is not None:
                        job.lease.revoke()
                except Exception:  # noqa: BLE001
                    LOG.warning('Could not release %s', job, exc_info=True)
        self._stop.set()
        for t in self._threads[1:]:
            t.join(timeout=5)
        try:
            self.board.close()
        finally:
            self.backend.close()


class LocalRunner:
    """Slot threads draining the in-process dispatcher."""

    def __init__(self, slots):
        self.slots = slots
        self.dispatcher = dispatch.get_dispatcher()
        self.backend = None
        self._stop = threading.Event()
        self._threads = []
        self._engines = {}
        self._lock = threading.Lock()

    @property
    def running(self):
        with self._lock:
            return len(self._engines)

    def start(self):
        from xms.conductor import jobs
        self.backend = db_taskflow.get_backend()
        self._threads = [threading.Thread(target=self._slot, daemon=True,
                                          name='xms-worker-slot-%d' % i)
                         for i in range(self.slots)]
        for t in self._threads:
            t.start()
        resumed = jobs.resume_local(xms_context.get_admin_context())
        LOG.info('Worker runs flows in-process with %d slot(s); %d flow(s) '
                 'resumed', self.slots, resumed)

    def _slot(self):
        while not self._stop.is_set():
            item = self.dispatcher.get(timeout=0.5)
            if item is None:
                continue
            fd_uuid, job_id, flow_name = item
            try:
                self.run_flow(fd_uuid, job_id, flow_name)
            finally:
                self.dispatcher.done(fd_uuid)

    def run_flow(self, fd_uuid, job_id, flow_name):
        try:
            engine = dispatch.load_engine(fd_uuid, self.backend)
        except Exception:  # noqa: BLE001
            LOG.exception('Cannot load flow %s of job %s', flow_name,
                          job_id)
            return
        with self._lock:
            self._engines[fd_uuid] = engine
        flow_claimed(job_id, flow_name)
        try:
            LOG.info('Running flow %s (%s) of job %s', flow_name, fd_uuid,
                     job_id)
            engine.run()
        except Exception:  # noqa: BLE001 - the flow recorded its failure
            LOG.warning('Flow %s of job %s failed', flow_name, job_id,
                        exc_info=True)
        finally:
            with self._lock:
                self._engines.pop(fd_uuid, None)

    def stop(self, timeout):
        self._stop.set()
        with self._lock:
            engines = list(self._engines.values())
        for engine in engines:
            try:
                engine.suspend()
            except Exception:  # noqa: BLE001
                LOG.warning('Could not suspend a flow', exc_info=True)
        for t in self._threads:
            t.join(timeout=max(1, timeout / max(1, len(self._threads))))
        if self.backend is not None:
            self.backend.close()


def make_runner(slots=None):
    slots = slots or CONF.worker.max_jobs
    if CONF.taskflow.jobboard_backend == dispatch.LOCAL:
        return LocalRunner(slots)
    return EtcdRunner(slots)


class WorkerService(cotyledon.Service):
    """One worker: runs flows in its slots, heartbeats in ``workers``."""

    name = BINARY

    def __init__(self, worker_id=0):
        super().__init__(worker_id)
        self.runner = None
        self.heartbeat = xms_service.Heartbeat(
            BINARY, slots=CONF.worker.max_jobs,
            running=lambda: self.runner.running if self.runner else 0,
            interval=CONF.worker.heartbeat_interval)

    @property
    def running(self):
        return self.runner.running if self.runner else 0

    def run(self):
        self.heartbeat.start()
        self.runner = make_runner()
        self.runner.start()
        LOG.info('%s started on host %s with %d slot(s)', BINARY, CONF.host,
                 CONF.worker.max_jobs)

    def terminate(self):
        LOG.info('%s on host %s stopping', BINARY, CONF.host)
        if self.runner is not None:
            self.runner.stop(CONF.worker.graceful_shutdown_timeout)
        self.heartbeat.stop()
        LOG.info('%s on host %s stopped', BINARY, CONF.host)

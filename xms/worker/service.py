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

import threading

import cotyledon
from oslo_log import log as logging
from taskflow import exceptions as tf_exc
from taskflow.conductors import backends as conductor_backends

from xms.common import context as xms_context
from xms.common import fencing
from xms.common import service as xms_service
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import api as db_api
from xms.flows import dispatch
from xms.flows import engine as flow_engine
from xms.flows import jobboard

LOG = logging.getLogger(__name__)

BINARY = 'xms-worker'


def flow_claimed(job_id, flow_name, flow_uuid=None):
    """Start this worker's claim epoch of a job's flow, in this thread.

    Increments ``jobs.flow_epoch`` and holds the new value
    (:mod:`xms.common.fencing`), so that every write of the flow from now
    on is refused once another worker claims it, and so are the writes of
    a previous owner still running somewhere. Called in the thread that
    runs the flow's engine, before the engine writes anything.

    :returns: the epoch, or None when it could not be recorded (the flow
        then cannot write anything and is abandoned to another worker).
    """
    from xms.worker.tasks import base as task_base
    fencing.set_current(job_id, None, flow_uuid)
    try:
        job = db_api.job_claim_flow(xms_context.get_admin_context(), job_id,
                                    {'worker_host': CONF.host})
    except Exception:  # noqa: BLE001 - the flow is fenced out instead
        LOG.warning('Could not start a claim epoch for job %s; its flow '
                    'is left to another worker', job_id, exc_info=True)
        return None
    fencing.hold(job_id, job.flow_epoch)
    fencing.set_current(job_id, job.flow_epoch, flow_uuid)
    task_base.record(job, 'flow_claimed',
                     _('%(flow)s flow claimed by worker %(host)s (claim '
                       'epoch %(epoch)d)') % {
                         'flow': flow_name, 'host': CONF.host,
                         'epoch': job.flow_epoch},
                     flow=flow_name, host=CONF.host, epoch=job.flow_epoch)
    LOG.info('Job %s: flow %s claimed (epoch %d)', job.uuid, flow_name,
             job.flow_epoch)
    return job.flow_epoch


def flow_ended(job_id, flow_name, epoch):
    """Forget the flow's claim epoch; record it if it was fenced out."""
    from xms.worker.tasks import base as task_base
    current = fencing.current()
    if current is not None and current[:2] == (job_id, epoch):
        fencing.set_current(None)
    lost = fencing.release(job_id, epoch)
    if lost is None:
        return
    held, found = lost
    LOG.warning('Job %s: flow %s stopped, fenced out: this worker held '
                'claim epoch %s and another worker claimed epoch %s',
                job_id, flow_name, held, found)
    try:
        job = db_api.job_get(xms_context.get_admin_context(), job_id)
    except Exception:  # noqa: BLE001 - the job may be gone
        return
    task_base.record(job, 'fenced',
                     _('The %(flow)s flow on worker %(host)s stopped: its '
                       'claim (epoch %(held)s) was taken over by epoch '
                       '%(found)s, which owns the job now') % {
                         'flow': flow_name, 'host': CONF.host,
                         'held': held, 'found': found},
                     severity='warning', flow=flow_name, host=CONF.host,
                     epoch=held, current_epoch=found)


def _job_info(job):
    info = job.details or {}
    return info.get('job_id'), info.get('flow_name')


class ClaimedJobs:
    """The jobboard as this worker's conductor uses it, counting claims.

    Every job the conductor claims passes through :meth:`claim` and
    leaves through :meth:`consume` or :meth:`abandon` (TaskFlow's
    conductor calls one of them when a job's run ends, however it
    ended), so the jobs held here are exactly the flows this worker runs:
    what its heartbeat reports and whose leases it refreshes.

    It also refuses to claim a job this worker already runs: if its
    lease on a running flow lapsed (an etcd outage longer than the claim
    TTL), the flow shows as unclaimed again, and the worker that still
    runs it must not claim it a second time and run it twice at once.
    """

    def __init__(self, board):
        self._board = board
        self._lock = threading.Lock()
        self._jobs = {}
        self._epochs = {}

    def __getattr__(self, name):
        return getattr(self._board, name)

    def jobs(self):
        """The jobboard jobs this worker holds now."""
        with self._lock:
            return list(self._jobs.values())

    def __len__(self):
        with self._lock:
            return len(self._jobs)

    def claim(self, job, who, expiry=None):
        with self._lock:
            if job.uuid in self._jobs:
                raise tf_exc.UnclaimableJob('job %s already runs here'
                                            % job.uuid)
        if expiry is None:
            self._board.claim(job, who)
        else:
            self._board.claim(job, who, expiry=expiry)
        with self._lock:
            self._jobs[job.uuid] = job

    def started(self, job, epoch):
        """The claim epoch the flow of ``job`` runs with here."""
        with self._lock:
            self._epochs[job.uuid] = epoch

    def consume(self, job, who):
        with self._lock:
            epoch = self._epochs.get(job.uuid)
        if epoch is None:
            # The flow never got its epoch and did not run: another
            # worker (or this one) claims it again. A flow fenced out
            # after it started has lost its claim anyway; consuming it
            # then fails harmlessly, as abandoning would.
            return self.abandon(job, who)
        try:
            return self._board.consume(job, who)
        finally:
            self._forget(job)

    def abandon(self, job, who):
        try:
            return self._board.abandon(job, who)
        finally:
            self._forget(job)

    def _forget(self, job):
        with self._lock:
            self._jobs.pop(job.uuid, None)
            epoch = self._epochs.pop(job.uuid, None)
        job_id, flow_name = _job_info(job)
        if job_id is not None:
            flow_ended(job_id, flow_name, epoch)


class EtcdRunner:
    """A TaskFlow conductor on the etcd jobboard, plus lease refreshes."""

    def __init__(self, slots):
        self.slots = slots
        self.name = jobboard.process_name()
        self.backend = None
        self.board = None
        self.claimed = None
        self.conductor = None
        self._threads = []
        self._stop = threading.Event()

    @property
    def running(self):
        return len(self.claimed) if self.claimed is not None else 0

    def _jobs(self):
        return self.claimed.jobs() if self.claimed is not None else []

    def start(self):
        self.backend = jobboard.persistence()
        self.board = jobboard.connect(self.name,
                                      persistence_backend=self.backend)
        self.claimed = ClaimedJobs(self.board)
        self.conductor = conductor_backends.fetch(
            'nonblocking', self.name, self.claimed,
            persistence=flow_engine.FencedBackend(self.backend),
            engine='serial', wait_timeout=1.0,
            max_simultaneous_jobs=self.slots)
        self.conductor.notifier.register('compilation_start', self._claimed)
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

    def _claimed(self, _event, details):
        # TaskFlow's conductor notifies in the thread that then compiles
        # and runs the engine, before the engine writes anything.
        job = details.get('job')
        if job is None:
            return
        job_id, flow_name = _job_info(job)
        if job_id is not None:
            epoch = flow_claimed(job_id, flow_name,
                                 (job.details or {}).get('flow_uuid'))
            self.claimed.started(job, epoch)

    def _refresh_claims(self):
        interval = max(1.0, CONF.taskflow.claim_ttl / 3.0)
        while not self._stop.wait(interval):
            for job in self._jobs():
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
            jobboard.reset()


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
        self.backend = jobboard.persistence()
        self._threads = [threading.Thread(target=self._slot, daemon=True,
                                          name='xms-worker-slot-%d' % i)
                         for i in range(self.slots)]
        for t in self._threads:
            t.start()
        resumed = dispatch.resume_local(xms_context.get_admin_context())
        LOG.info('Worker runs flows in-process with %d slot(s); %d flow(s) '
                 'resumed', self.slots, resumed)

    def _slot(self):
        while not self._stop.is_set():
            item = self.dispatcher.get(timeout=0.5)
            if item is None:
                continue
            fd_uuid, job_id, flow_name = item
            ran = False
            try:
                ran = self.run_flow(fd_uuid, job_id, flow_name)
            finally:
                self.dispatcher.done(fd_uuid)
            if ran is False and not self._stop.wait(1.0):
                # No claim epoch (the database did not answer): the flow
                # did not start; queue it again.
                self.dispatcher.enqueue(fd_uuid, job_id, flow_name)

    def run_flow(self, fd_uuid, job_id, flow_name):
        try:
            engine = flow_engine.load_engine(
                fd_uuid, flow_engine.FencedBackend(self.backend))
        except Exception:  # noqa: BLE001
            LOG.exception('Cannot load flow %s of job %s', flow_name,
                          job_id)
            return
        with self._lock:
            self._engines[fd_uuid] = engine
        epoch = None
        try:
            epoch = flow_claimed(job_id, flow_name, fd_uuid)
            if epoch is None:
                return False
            LOG.info('Running flow %s (%s) of job %s', flow_name, fd_uuid,
                     job_id)
            engine.run()
        except Exception:  # noqa: BLE001 - the flow recorded its failure
            LOG.warning('Flow %s of job %s failed', flow_name, job_id,
                        exc_info=True)
        finally:
            flow_ended(job_id, flow_name, epoch)
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
            jobboard.reset()


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

"""Hand flows to workers: the etcd jobboard, or in-process dispatch.

Posting a flow means: persist its flow detail
(:func:`xms.flows.engine.create_flow_detail`), then make it claimable:

* ``etcd`` (``[taskflow]/jobboard_backend``, the default): a TaskFlow
  jobboard job naming the logbook and flow detail. Workers claim jobs
  with a lease of ``[taskflow]/claim_ttl`` seconds that they keep
  refreshing; a worker that dies stops refreshing, etcd drops its claim
  when the lease expires and another worker claims the job and resumes
  the flow from its last completed task.
* ``local`` (xms-all-in-one): an in-process queue served by the
  worker's slots. The flow detail is persisted all the same, and a
  restarted process re-queues every flow its jobs still hold
  (``jobs.active_flow``, :func:`resume_local`), so it resumes exactly
  as a worker would.

A flow is posted only by whoever took the job's one-flow lock
(:func:`take`): the conductor for user actions and the scheduler, a
worker for the cleanup flow that follows a cancelled flow.
"""

import collections
import threading

from oslo_log import log as logging
from oslo_utils import importutils

from xms.common import states
from xms.conf import CONF
from xms.db import api as db_api
from xms.flows import engine as flow_engine
from xms.flows import jobboard
from xms.flows import names

LOG = logging.getLogger(__name__)

ETCD = jobboard.ETCD
LOCAL = jobboard.LOCAL


class EtcdDispatcher:
    """Posts flows to the etcd jobboard (one connection per process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._board = None

    def post(self, job, flow_name, book, flow_detail):
        with self._lock:
            if self._board is None:
                self._board = jobboard.connect()
            self._board.post('xms-%s-%s' % (flow_name, job.uuid), book=book,
                             details={'store': flow_engine.store_for(job),
                                      'flow_uuid': flow_detail.uuid,
                                      'job_id': job.id,
                                      'flow_name': flow_name})

    def close(self):
        with self._lock:
            if self._board is not None:
                self._board.close()
                self._board = None


class LocalDispatcher:
    """In-process dispatch for xms-all-in-one.

    Flows wait in a FIFO until a slot of the local worker is free; the
    worker (``xms.worker.service``) drains it with ``[worker]/max_jobs``
    threads.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._queue = collections.deque()
        self._queued = set()

    def post(self, job, flow_name, book, flow_detail):
        self.enqueue(flow_detail.uuid, job.id, flow_name)

    def enqueue(self, flow_detail_uuid, job_id, flow_name):
        with self._cond:
            if flow_detail_uuid in self._queued:
                return
            self._queued.add(flow_detail_uuid)
            self._queue.append((flow_detail_uuid, job_id, flow_name))
            self._cond.notify()

    def get(self, timeout=None):
        """Next flow to run: ``(flow_detail_uuid, job_id, flow_name)``."""
        with self._cond:
            if not self._queue:
                self._cond.wait(timeout)
            if not self._queue:
                return None
            return self._queue.popleft()

    def done(self, flow_detail_uuid):
        with self._cond:
            self._queued.discard(flow_detail_uuid)

    def close(self):
        pass


_dispatcher = None
_lock = threading.Lock()


def get_dispatcher():
    """The process-wide dispatcher of ``[taskflow]/jobboard_backend``."""
    global _dispatcher
    with _lock:
        if _dispatcher is None:
            if CONF.taskflow.jobboard_backend == LOCAL:
                _dispatcher = LocalDispatcher()
            else:
                _dispatcher = EtcdDispatcher()
        return _dispatcher


def reset():
    """Forget the process-wide dispatcher (tests, service stop)."""
    global _dispatcher
    with _lock:
        if _dispatcher is not None:
            _dispatcher.close()
        _dispatcher = None


def take(context, job, flow_name, expected_states, target=None,
         phase=None, **values):
    """Take the job's one-flow lock (and move it to ``target``) atomically.

    The lock, ``jobs.active_flow``, is taken only if nobody holds it and
    the job is still in ``expected_states``, in one UPDATE, so that of
    the processes racing on a job exactly one posts a flow.

    :raises ConcurrentUpdate: when another flow holds the lock or the job
        left ``expected_states``.
    :raises InvalidStateTransition: when the state machine forbids
        ``target``.
    """
    values = dict(values, active_flow=flow_name)
    if target is not None and target != job.state:
        values['state'] = target
        values['phase'] = phase
    return db_api.job_update(context, job.id, values,
                             expected={'state': tuple(expected_states),
                                       'active_flow': None})


def post(job, flow_name):
    """Persist and dispatch a new run of ``flow_name`` for ``job``.

    :returns: the flow detail's uuid.
    """
    importutils.import_class(names.factory_path(flow_name))  # fail early
    book, flow_detail = flow_engine.create_flow_detail(job, flow_name)
    get_dispatcher().post(job, flow_name, book, flow_detail)
    LOG.info('Job %s: posted flow %s (%s) to the %s dispatcher', job.uuid,
             flow_name, flow_detail.uuid, CONF.taskflow.jobboard_backend)
    return flow_detail.uuid


def post_cleanup(context, job_id):
    """Post the cleanup flow of a cancelling job no flow holds.

    Used by the conductor (a cancel with no running flow) and by a
    worker whose flow stopped for a cancel. A failed post gives the lock
    back; the conductor's scheduler posts the cleanup of every
    cancelling job without a flow (``xms.conductor.scheduler``).

    :returns: the flow detail's uuid, or None when another flow holds
        the job or the post failed.
    """
    job = db_api.job_get(context, job_id)
    try:
        job = take(context, job, names.CANCEL, [states.CANCELLING])
    except Exception:  # noqa: BLE001 - ConcurrentUpdate: someone else
        return None
    try:
        fd_uuid = post(job, names.CANCEL)
    except Exception:  # noqa: BLE001 - the scheduler posts it again
        LOG.warning('Job %s: could not post its cleanup flow; the '
                    'conductor retries', job.uuid, exc_info=True)
        db_api.job_update(context, job.id, {'active_flow': None},
                          expected={'active_flow': names.CANCEL})
        return None
    db_api.job_update(context, job.id, {'flow_detail_uuid': fd_uuid,
                                        'dispatch_attempts': 0,
                                        'next_dispatch_at': None})
    return fd_uuid


def resume_local(context):
    """Re-queue, in-process, every flow a job still holds (start-up).

    Only for the ``local`` dispatcher: on etcd the posted jobs survive
    the process and another worker claims them.
    """
    dispatcher = get_dispatcher()
    count = 0
    for job in db_api.job_list(context, filters={}):
        if (job.active_flow in names.FACTORIES
                and job.flow_detail_uuid):
            dispatcher.enqueue(job.flow_detail_uuid, job.id,
                               job.active_flow)
            count += 1
            LOG.info('Job %s: flow %s re-queued after restart', job.uuid,
                     job.active_flow)
    return count

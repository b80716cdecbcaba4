"""Hand flows to workers: the etcd jobboard, or in-process dispatch.

Posting a flow means: build its flow detail from the flow's factory
(``xms.worker.flows.FACTORIES``) in a logbook of TaskFlow's SQL
persistence (the XMS database), then make it claimable:

* ``etcd`` (``[taskflow]/jobboard_backend``, the default): a TaskFlow
  jobboard job naming the logbook and flow detail. Workers claim jobs
  with a lease of ``[taskflow]/claim_ttl`` seconds that they keep
  refreshing; a worker that dies stops refreshing, etcd drops its claim
  when the lease expires and another worker claims the job and resumes
  the flow from its last completed task.
* ``local`` (xms-all-in-one): an in-process queue served by the
  worker's slots. The flow detail is persisted all the same, and a
  restarted process re-queues every flow its jobs still hold
  (``jobs.active_flow``), so it resumes exactly as a worker would.

The store holds only ``job_id``: everything else is read from the
database by the tasks.
"""

import collections
import threading

from oslo_log import log as logging
from oslo_utils import importutils
from oslo_utils import uuidutils
from taskflow import engines
from taskflow.jobs import backends as job_backends
from taskflow.persistence import models as tf_models

from xms.conf import CONF
from xms.db import taskflow as db_taskflow
from xms.worker import flows

LOG = logging.getLogger(__name__)

ETCD = 'etcd'
LOCAL = 'local'


def factory_path(flow_name):
    return flows.FACTORIES[flow_name]


def store_for(job):
    return {'job_id': job.id}


def create_flow_detail(job, flow_name):
    """Persist a new flow detail (in its own logbook) for ``job``.

    The logbook shares the flow detail's uuid so either finds the other.

    :returns: ``(logbook, flow_detail)``.
    """
    fd_uuid = uuidutils.generate_uuid()
    book = tf_models.LogBook('xms-job-%s' % job.uuid, uuid=fd_uuid)
    flow_detail = tf_models.FlowDetail('%s-%s' % (flow_name, job.uuid),
                                       uuid=fd_uuid)
    book.add(flow_detail)
    backend = db_taskflow.get_backend()
    try:
        engines.save_factory_details(flow_detail, factory_path(flow_name),
                                     (), {}, backend=None)
        flow_detail.meta['store'] = store_for(job)
        flow_detail.meta['job_id'] = job.id
        flow_detail.meta['flow_name'] = flow_name
        conn = backend.get_connection()
        try:
            conn.save_logbook(book)
        finally:
            conn.close()
    finally:
        backend.close()
    return book, flow_detail


def load_engine(flow_detail_uuid, backend):
    """A TaskFlow engine that runs (or resumes) a persisted flow detail."""
    conn = backend.get_connection()
    book = conn.get_logbook(flow_detail_uuid)
    flow_detail = book.find(flow_detail_uuid)
    store = dict(flow_detail.meta.get('store') or {})
    return engines.load_from_detail(flow_detail, store=store,
                                    backend=backend, engine='serial')


def etcd_conf(conf=CONF):
    host, _sep, port = conf.taskflow.jobboard_hosts[0].rpartition(':')
    return {'board': 'etcd', 'host': host or '127.0.0.1',
            'port': int(port or 2379),
            'path': conf.taskflow.jobboard_name,
            'ttl': conf.taskflow.claim_ttl,
            # A hung etcd call must not outlast the claims it refreshes.
            'timeout': max(2.0, conf.taskflow.claim_ttl / 3.0)}


def connect_jobboard(name, persistence=None, conf=CONF):
    board = job_backends.fetch(name, etcd_conf(conf),
                               persistence=persistence)
    board.connect()
    return board


class EtcdDispatcher:
    """Posts flows to the etcd jobboard (one connection per process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._board = None

    def post(self, job, flow_name, book, flow_detail):
        with self._lock:
            if self._board is None:
                self._board = connect_jobboard('xms-conductor-poster')
            self._board.post('xms-%s-%s' % (flow_name, job.uuid), book=book,
                             details={'store': store_for(job),
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


def post(job, flow_name):
    """Persist and dispatch a new run of ``flow_name`` for ``job``.

    :returns: the flow detail's uuid.
    """
    importutils.import_class(factory_path(flow_name))  # fail early
    book, flow_detail = create_flow_detail(job, flow_name)
    get_dispatcher().post(job, flow_name, book, flow_detail)
    LOG.info('Job %s: posted flow %s (%s) to the %s dispatcher', job.uuid,
             flow_name, flow_detail.uuid, CONF.taskflow.jobboard_backend)
    return flow_detail.uuid

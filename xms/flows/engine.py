"""Persist a flow's detail, and load the engine that runs or resumes it.

A flow detail lives in its own logbook (sharing its uuid) in TaskFlow's
SQL persistence, with the flow's factory and a store that holds only
``job_id``: everything else is read from the database by the tasks, so a
flow resumed hours later on another worker sees the job as it is now.
"""

from oslo_utils import uuidutils
from taskflow import engines
from taskflow.persistence import models as tf_models

from xms.common import context as xms_context
from xms.common import exception
from xms.common import fencing
from xms.db import api as db_api
from xms.flows import jobboard
from xms.flows import names


def store_for(job):
    return {'job_id': job.id}


def create_flow_detail(job, flow_name, backend=None):
    """Persist a new flow detail (in its own logbook) for ``job``.

    :returns: ``(logbook, flow_detail)``.
    """
    backend = backend or jobboard.persistence()
    fd_uuid = uuidutils.generate_uuid()
    book = tf_models.LogBook('xms-job-%s' % job.uuid, uuid=fd_uuid)
    flow_detail = tf_models.FlowDetail('%s-%s' % (flow_name, job.uuid),
                                       uuid=fd_uuid)
    book.add(flow_detail)
    engines.save_factory_details(flow_detail, names.factory_path(flow_name),
                                 (), {}, backend=None)
    flow_detail.meta['store'] = store_for(job)
    flow_detail.meta['job_id'] = job.id
    flow_detail.meta['flow_name'] = flow_name
    conn = backend.get_connection()
    try:
        conn.save_logbook(book)
    finally:
        conn.close()
    return book, flow_detail


def load_engine(flow_detail_uuid, backend=None):
    """A serial engine that runs (or resumes) a persisted flow detail."""
    backend = backend or jobboard.persistence()
    conn = backend.get_connection()
    try:
        book = conn.get_logbook(flow_detail_uuid)
    finally:
        conn.close()
    flow_detail = book.find(flow_detail_uuid)
    store = dict(flow_detail.meta.get('store') or {})
    return engines.load_from_detail(flow_detail, store=store,
                                    backend=backend, engine='serial')


class FencedBackend:
    """TaskFlow persistence that refuses the writes of a fenced flow.

    TaskFlow records every atom's state and result in the flow detail
    the new owner of a taken-over flow now runs. The engine of a worker
    whose claim was taken over must not write there: its failure, its
    revert intentions or a task result would overwrite the new owner's.
    Before each write for the flow the current thread runs
    (:func:`xms.common.fencing.current`), the job's claim epoch is read
    and compared with the one this worker holds; a mismatch raises
    :class:`~xms.common.exception.FencedOut`, so the engine stops there
    with nothing reverted. The XMS writes of the flow are fenced in the
    same transaction as the write (:mod:`xms.db.api`); this check runs
    just before TaskFlow's own write, which is as close as a separate
    connection allows.
    """

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def get_connection(self):
        return _FencedConnection(self._backend.get_connection())


class _FencedConnection:

    _WRITES = frozenset(['update_atom_details', 'update_flow_details',
                         'save_logbook'])

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        attr = getattr(self._conn, name)
        if name not in self._WRITES:
            return attr

        def write(*args, **kwargs):
            check_current_claim()
            return attr(*args, **kwargs)
        return write


def check_current_claim():
    """Raise FencedOut when this thread's flow lost its claim epoch.

    A flow whose job has since moved on to another flow (the cleanup flow
    its cancelled run posted) keeps writing its own, finished records:
    only a flow resumed by another claim of the same flow detail, or a
    flow that never got an epoch, is refused.
    """
    claim = fencing.current()
    if claim is None:
        return
    job_id, held, flow_uuid = claim
    lost = fencing.fenced(job_id)
    if lost is None or lost[0] != held:
        found, job_flow = db_api.job_flow_claim(
            xms_context.get_admin_context(), job_id)
        if held is not None and (found == held or (
                flow_uuid is not None and job_flow != flow_uuid)):
            return
        fencing.mark_fenced(job_id, held, found)
        lost = (held, found)
    raise exception.FencedOut(job=job_id, mine=lost[0], current=lost[1])

"""Purge of what finished jobs leave in the database.

Every flow XMS posts is a TaskFlow logbook named ``xms-job-<job UUID>``
holding one flow detail and its atom details (:mod:`xms.db.taskflow`). A
warm job adds one per incremental sync, so a campaign of days grows these
tables without bound; nothing reads them once the flow ended. After
``older_than_days`` (``[conductor]/purge_older_than_days``, or
``xms-manage db purge --older-than``) a logbook goes with its flow and
atom details when its last update is that old and:

* its job was deleted, completed or cancelled; or
* its job is still unfinished (``ready`` between syncs, say) and the
  logbook is not the job's current flow (``jobs.flow_detail_uuid``): a
  superseded sync.

A ``failed`` job keeps all of its logbooks: a retry may still need them.
The events of deleted jobs (their ``deleted`` event, recorded after the
record went, and any row a database without cascading deletes left
behind) go after the same retention; the events of existing jobs stay
with them.

Rows are deleted by key, in batches, atom details first; running the
purge twice at once (two conductors that briefly both lead, or an
operator's ``xms-manage db purge`` next to the periodic one) deletes
each row once and the other run's deletes find nothing.
"""

import contextlib
import datetime

from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa
from taskflow.persistence.backends.sqlalchemy import tables as tf_tables

from xms.common import states
from xms.conf import CONF
from xms.db import api as db_api
from xms.db import models
from xms.db import taskflow as db_taskflow

LOG = logging.getLogger(__name__)

BOOK_PREFIX = 'xms-job-'
BATCH = 200
# Jobs whose every logbook may go once old enough.
_DONE_STATES = frozenset([states.COMPLETED, states.CANCELLED])


def _tf_tables():
    return tf_tables.fetch(sa.MetaData())


@contextlib.contextmanager
def _tf_engine(conf):
    if not conf.taskflow.persistence_connection:
        yield db_api.get_engine()
        return
    backend = db_taskflow.get_backend(conf)
    try:
        yield backend.engine
    finally:
        backend.close()


def _jobs(conn):
    """``{job uuid: (state, flow_detail_uuid)}`` of every job."""
    rows = conn.execute(sa.select(models.Job.uuid, models.Job.state,
                                  models.Job.flow_detail_uuid))
    return {r.uuid: (r.state, r.flow_detail_uuid) for r in rows}


def _expired_books(tf_conn, tables, jobs, cutoff):
    """UUIDs of the logbooks the purge removes (see the module doc)."""
    lb = tables.logbooks
    last = sa.func.coalesce(lb.c.updated_at, lb.c.created_at)
    rows = tf_conn.execute(sa.select(lb.c.uuid, lb.c.name)
                           .where(lb.c.name.like(BOOK_PREFIX + '%'))
                           .where(last < cutoff))
    books = []
    for row in rows:
        job = jobs.get(row.name[len(BOOK_PREFIX):])
        if job is None:
            books.append(row.uuid)
            continue
        state, current = job
        if state in _DONE_STATES:
            books.append(row.uuid)
        elif state != states.FAILED and row.uuid != current:
            books.append(row.uuid)
    return books


def _count(conn, table, column, values):
    return conn.execute(sa.select(sa.func.count()).select_from(table)
                        .where(column.in_(values))).scalar()


def _purge_books(tf_engine, tables, books, dry_run):
    counts = {'logbooks': 0, 'flowdetails': 0, 'atomdetails': 0}
    fd, ad, lb = tables.flowdetails, tables.atomdetails, tables.logbooks
    for start in range(0, len(books), BATCH):
        batch = books[start:start + BATCH]
        # One transaction per batch: a crash between batches leaves only
        # whole logbooks, and a batch never holds locks for long.
        with (tf_engine.connect() if dry_run
              else tf_engine.begin()) as conn:
            fds = [r.uuid for r in conn.execute(
                sa.select(fd.c.uuid).where(fd.c.parent_uuid.in_(batch)))]
            if dry_run:
                counts['atomdetails'] += (_count(conn, ad, ad.c.parent_uuid,
                                                 fds) if fds else 0)
                counts['flowdetails'] += len(fds)
                counts['logbooks'] += _count(conn, lb, lb.c.uuid, batch)
                continue
            if fds:
                counts['atomdetails'] += conn.execute(
                    ad.delete().where(ad.c.parent_uuid.in_(fds))).rowcount
                counts['flowdetails'] += conn.execute(
                    fd.delete().where(fd.c.uuid.in_(fds))).rowcount
            counts['logbooks'] += conn.execute(
                lb.delete().where(lb.c.uuid.in_(batch))).rowcount
    return counts


def _purge_events(engine, jobs, cutoff, dry_run):
    """Events of deleted jobs older than ``cutoff``."""
    ev = models.Event.__table__
    job_ids = sa.select(models.Job.id)
    orphan = sa.or_(
        sa.and_(ev.c.job_id.is_(None), ev.c.resource_type == 'job',
                ev.c.resource_uuid.isnot(None)),
        sa.and_(ev.c.job_id.isnot(None), ev.c.job_id.not_in(job_ids)))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ev.c.id, ev.c.job_id,
                                      ev.c.resource_uuid)
                            .where(ev.c.created_at < cutoff).where(orphan))
        ids = [r.id for r in rows
               if r.job_id is not None or r.resource_uuid not in jobs]
    if dry_run:
        return len(ids)
    deleted = 0
    for start in range(0, len(ids), BATCH):
        with engine.begin() as conn:
            deleted += conn.execute(ev.delete().where(
                ev.c.id.in_(ids[start:start + BATCH]))).rowcount
    return deleted


def purge(older_than_days, dry_run=False, conf=CONF, now=None):
    """Remove finished flows' TaskFlow records and deleted jobs' events.

    :param older_than_days: retention in days (0: everything eligible).
    :param dry_run: count what would go, delete nothing.
    :returns: ``{'logbooks': n, 'flowdetails': n, 'atomdetails': n,
        'events': n}``, deleted (or to delete, on a dry run).
    """
    cutoff = (now or timeutils.utcnow()) - datetime.timedelta(
        days=older_than_days)
    tables = _tf_tables()
    engine = db_api.get_engine()
    with engine.connect() as conn:
        jobs = _jobs(conn)
    with _tf_engine(conf) as tf_engine:
        with tf_engine.connect() as tf_conn:
            books = _expired_books(tf_conn, tables, jobs, cutoff)
        counts = _purge_books(tf_engine, tables, books, dry_run)
    counts['events'] = _purge_events(engine, jobs, cutoff, dry_run)
    return counts


def run_periodic():
    """The leader's periodic purge with ``[conductor]`` retention."""
    days = CONF.conductor.purge_older_than_days
    counts = purge(days)
    if any(counts.values()):
        LOG.info('Purged the records of flows finished more than %d '
                 'day(s) ago: %s', days, counts)
    return counts

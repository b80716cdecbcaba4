"""``xms-manage db purge`` against MariaDB.

The TaskFlow records are written by TaskFlow's own SQL persistence, in
the shape XMS posts them (one logbook ``xms-job-<job UUID>`` per flow,
holding one flow detail and its atom details); the jobs are rows of the
XMS schema, and the deleted job goes through the conductor's delete. The
console script then runs as an operator runs it.
"""

import datetime
import os
import subprocess
import sys

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from taskflow.persistence import models as tf_models

from xms.common import context as xms_context
from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.db import models
from xms.db import purge
from xms.db import taskflow as db_taskflow
from xms.tests.functional import base

COUNTED = ('logbooks', 'flowdetails', 'atomdetails', 'events')
ATOMS = 3


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class TestPurge(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.ctx = xms_context.get_admin_context()

    def manage(self, *args):
        conf = os.path.join(self.state_path, 'manage.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = %s\n' % (self.state_path, self.db.url))
        result = subprocess.run(
            [_script('xms-manage'), '--config-file', conf, 'db', 'purge']
            + list(args), capture_output=True, text=True, check=False)
        self.assertEqual(0, result.returncode, result.stderr)
        counts = {}
        for line in result.stdout.splitlines():
            words = line.split()
            if len(words) == 2 and words[0] in COUNTED:
                counts[words[0]] = int(words[1])
        self.assertEqual(sorted(COUNTED), sorted(counts), result.stdout)
        return counts

    def job(self, state, **values):
        return db_api.job_create(self.ctx, dict(
            project_id='p1', type=states.WARM, state=state, **values))

    def flow(self, job, age_days=0, current=False):
        """Persist one flow of ``job`` as XMS does; return its uuid."""
        fd_uuid = uuidutils.generate_uuid()
        book = tf_models.LogBook('xms-job-%s' % job.uuid, uuid=fd_uuid)
        flow = tf_models.FlowDetail('incremental_sync-%s' % job.uuid,
                                    uuid=fd_uuid)
        for i in range(ATOMS):
            flow.add(tf_models.TaskDetail('task-%d' % i,
                                          uuid=uuidutils.generate_uuid()))
        book.add(flow)
        with db_taskflow.get_connection() as conn:
            conn.save_logbook(book)
        if age_days:
            self.age('logbooks', 'uuid', fd_uuid, age_days)
        if current:
            db_api.job_update(self.ctx, job.id,
                              {'flow_detail_uuid': fd_uuid})
        return fd_uuid

    @staticmethod
    def table(name):
        if name == 'events':
            return models.Event.__table__
        return getattr(purge._tf_tables(), name)

    def age(self, table, key, value, days):
        then = timeutils.utcnow() - datetime.timedelta(days=days)
        table = self.table(table)
        with db_api.get_engine().begin() as conn:
            conn.execute(table.update().where(table.c[key] == value)
                         .values(created_at=then, updated_at=then))

    def books(self):
        lb = purge._tf_tables().logbooks
        with db_api.get_engine().connect() as conn:
            return {r.uuid for r in conn.execute(sa.select(lb.c.uuid))}

    def rows(self, table):
        with db_api.get_engine().connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(
                self.table(table))).scalar()

    def test_purge_by_state_and_retention(self):
        completed = self.job(states.COMPLETED)
        cancelled = self.job(states.CANCELLED)
        failed = self.job(states.FAILED)
        ready = self.job(states.READY)
        deleted = self.job(states.COMPLETED)
        gone = {
            'completed': self.flow(completed, age_days=10),
            'cancelled': self.flow(cancelled, age_days=10),
            'deleted': self.flow(deleted, age_days=10),
            'superseded': self.flow(ready, age_days=10),
        }
        kept = {
            'failed': self.flow(failed, age_days=10),
            'ready-current': self.flow(ready, age_days=10, current=True),
            'completed-young': self.flow(completed, age_days=1),
            'superseded-young': self.flow(ready, age_days=1),
        }
        self.assertTrue(jobs.delete(self.ctx, deleted.id))
        deleted_events = db_api.event_list(
            self.ctx, filters={'resource_uuid': deleted.uuid})
        self.assertTrue(deleted_events)
        for event in deleted_events:
            self.age('events', 'id', event.id, 10)
        other = db_api.event_create(self.ctx, {
            'project_id': 'p1', 'job_id': completed.id,
            'resource_type': 'job', 'resource_uuid': completed.uuid,
            'event_type': 'state_changed', 'message': 'kept'})
        self.age('events', 'id', other.id, 10)
        before = {t: self.rows(t) for t in ('logbooks', 'flowdetails',
                                            'atomdetails', 'events')}

        expected = {'logbooks': len(gone), 'flowdetails': len(gone),
                    'atomdetails': ATOMS * len(gone),
                    'events': len(deleted_events)}
        dry = self.manage('--older-than', '5', '--dry-run')
        self.assertEqual(expected, dry)
        self.assertEqual(before, {t: self.rows(t) for t in before})

        self.assertEqual(expected, self.manage('--older-than', '5'))
        self.assertEqual(set(kept.values()), self.books())
        self.assertEqual(before['atomdetails'] - ATOMS * len(gone),
                         self.rows('atomdetails'))
        self.assertEqual([], db_api.event_list(
            self.ctx, filters={'resource_uuid': deleted.uuid}))
        self.assertEqual([other.id], [e.id for e in db_api.event_list(
            self.ctx, job_id=completed.id)])

        # Run again (in this process: the script was proven above):
        # nothing left of that age.
        self.assertEqual(dict.fromkeys(COUNTED, 0), purge.purge(5))
        # A shorter retention takes the young finished records too, but
        # never the failed job's nor the ready job's current flow.
        self.assertEqual(2, purge.purge(0)['logbooks'])
        self.assertEqual({kept['failed'], kept['ready-current']},
                         self.books())

    def test_periodic_purge_uses_conductor_retention(self):
        completed = self.job(states.COMPLETED)
        old = self.flow(completed, age_days=40)
        young = self.flow(completed, age_days=20)
        self.config(purge_older_than_days=30, group='conductor')
        counts = purge.run_periodic()
        self.assertEqual(1, counts['logbooks'])
        self.assertEqual({young}, self.books())
        self.assertNotIn(old, self.books())

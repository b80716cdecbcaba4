"""``xms-manage db purge`` on MariaDB, after real flows ran.

A cold job completes and is deleted, a warm job stays ``ready`` after
an incremental sync (its full sync's logbook is superseded), a third job
completes, a fourth stays ``failed``: the purge removes the TaskFlow
records of every finished flow except the failed job's and the ready
job's current one, and the events of the deleted job, and nothing that
is younger than the retention.
"""

import os
import subprocess
import sys

import sqlalchemy as sa

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.db import purge
from xms.tests.functional.orchestration import base

MiB = base.MiB


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class TestPurge(base.OrchestrationTestCase):

    vcsim_kwargs = {'vms': 4}

    def manage(self, *args):
        conf = os.path.join(self.state_path, 'manage.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = %s\n' % (self.state_path,
                                           self.conf.conf.database.connection))
        result = subprocess.run(
            [_script('xms-manage'), '--config-file', conf, 'db', 'purge']
            + list(args), capture_output=True, text=True, check=False)
        self.assertEqual(0, result.returncode, result.stderr)
        counts = {}
        for line in result.stdout.splitlines()[1:]:
            name, value = line.split()
            counts[name] = int(value)
        return counts

    def books(self):
        """``{logbook uuid: job uuid}`` of every XMS logbook."""
        lb = purge._tf_tables().logbooks
        with db_api.get_engine().connect() as conn:
            return {r.uuid: r.name[len(purge.BOOK_PREFIX):]
                    for r in conn.execute(sa.select(lb.c.uuid, lb.c.name))}

    def rows(self, table):
        with db_api.get_engine().connect() as conn:
            return conn.execute(sa.text(
                'SELECT COUNT(*) FROM %s' % table)).scalar()

    def run_job(self, job_type, vm):
        job = self.make_job(job_type, vm=vm)
        jobs.start(self.ctx, job.id)
        wanted = states.READY if job_type == 'warm' else states.COMPLETED
        job = self.wait_state(job, wanted, states.FAILED)
        self.assertEqual(wanted, job.state, job.error)
        return job

    def test_purge_keeps_failed_and_current_flows(self):
        self.driver.discover(self.ctx, self.source)
        vms = sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))[:4]
        for vm in vms:
            self.put_disk(base.random_disk(2 * MiB), vm=vm)
        self.start_local_worker()

        deleted = self.run_job('cold', vms[0])
        self.assertTrue(jobs.delete(self.ctx, deleted.id))
        warm = self.run_job('warm', vms[1])
        jobs.sync(self.ctx, warm.id)
        warm = self.wait_state(warm, states.READY, states.FAILED)
        self.assertEqual(1, warm.incremental_syncs, warm.error)
        completed = self.run_job('cold', vms[2])
        # A job that failed after its flow ran: set up from a completed
        # run, since a retry only needs the state and the failed flow.
        failed = self.run_job('cold', vms[3])
        db_api.job_update(self.ctx, failed.id, {
            'state': states.FAILED, 'failed_flow': jobs.COLD,
            'error': 'set up by the test'})

        books = self.books()
        per_job = {}
        for book, job_uuid in books.items():
            per_job.setdefault(job_uuid, []).append(book)
        self.assertEqual(1, len(per_job[deleted.uuid]))
        self.assertEqual(2, len(per_job[warm.uuid]))
        before = {t: self.rows(t) for t in ('logbooks', 'flowdetails',
                                            'atomdetails')}
        deleted_events = db_api.event_list(
            self.ctx, filters={'resource_uuid': deleted.uuid})
        self.assertTrue(deleted_events)

        # Nothing is a day old yet.
        self.assertEqual({'logbooks': 0, 'flowdetails': 0, 'atomdetails': 0,
                          'events': 0}, self.manage('--older-than', '1'))

        expected_books = (per_job[deleted.uuid] + per_job[completed.uuid]
                          + [b for b in per_job[warm.uuid]
                             if b != warm.flow_detail_uuid])
        dry = self.manage('--older-than', '0', '--dry-run')
        self.assertEqual(len(expected_books), dry['logbooks'])
        self.assertEqual(len(expected_books), dry['flowdetails'])
        self.assertGreater(dry['atomdetails'], len(expected_books))
        self.assertEqual(len(deleted_events), dry['events'])
        self.assertEqual(before, {t: self.rows(t) for t in before})

        done = self.manage('--older-than', '0')
        self.assertEqual(dry, done)
        left = self.books()
        self.assertEqual(sorted(set(books) - set(expected_books)),
                         sorted(left))
        self.assertIn(warm.flow_detail_uuid, left)
        self.assertEqual(sorted(per_job[failed.uuid]),
                         sorted(b for b, j in left.items()
                                if j == failed.uuid))
        self.assertEqual(before['atomdetails'] - done['atomdetails'],
                         self.rows('atomdetails'))
        self.assertEqual([], db_api.event_list(
            self.ctx, filters={'resource_uuid': deleted.uuid}))
        # The events of jobs that still exist stay.
        self.assertTrue(self.events(completed))
        self.assertTrue(self.events(warm))
        # The kept flows still load: the ready job syncs again.
        jobs.sync(self.ctx, warm.id)
        warm = self.wait_state(warm, states.READY, states.FAILED)
        self.assertEqual(2, warm.incremental_syncs, warm.error)

        # A second purge finds nothing more to do but the sync just made
        # superseded.
        again = self.manage('--older-than', '0')
        self.assertEqual(1, again['logbooks'])
        self.assertEqual(0, again['events'])

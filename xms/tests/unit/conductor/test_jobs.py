"""The conductor's job actions: flow lock, states, what gets posted."""

import fixtures
from oslo_db.sqlalchemy import engines

from xms.common import context
from xms.common import exception
from xms.common import states
from xms.conductor import jobs
from xms.conductor import scheduler
from xms.db import api as db_api
from xms.db import migration
from xms.tests import base


class JobsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(connection='sqlite://', group='database')
        engine = engines.create_engine('sqlite://')
        migration.upgrade(engine=engine, taskflow=False)
        self.addCleanup(db_api.main_context_manager.patch_engine(engine))
        self.ctx = context.get_admin_context()
        self.posted = []
        self.fail_post = None
        self.useFixture(fixtures.MonkeyPatch(
            'xms.conductor.dispatch.post', self._post))

    def _post(self, job, flow_name):
        if self.fail_post:
            raise self.fail_post
        self.posted.append((job.id, flow_name))
        return 'fd-%d' % len(self.posted)

    def make_job(self, job_type='cold', state=states.QUEUED, **values):
        values = dict({'project_id': 'p1', 'type': job_type,
                       'state': state}, **values)
        return db_api.job_create(self.ctx, values)

    def job(self, job):
        return db_api.job_get(self.ctx, job.id)


class TestStart(JobsTestCase):

    def test_cold_posts_cold_flow_and_takes_the_lock(self):
        job = self.make_job()
        jobs.start(self.ctx, job.id)
        self.assertEqual([(job.id, 'cold')], self.posted)
        row = self.job(job)
        self.assertEqual(('cold', 'fd-1', states.QUEUED),
                         (row.active_flow, row.flow_detail_uuid, row.state))

    def test_warm_posts_full_sync(self):
        job = self.make_job('warm')
        jobs.start(self.ctx, job.id)
        self.assertEqual([(job.id, 'warm_full_sync')], self.posted)

    def test_second_start_posts_nothing(self):
        job = self.make_job()
        jobs.start(self.ctx, job.id)
        self.assertIsNone(jobs.start(self.ctx, job.id))
        self.assertEqual(1, len(self.posted))

    def test_failed_post_releases_the_lock(self):
        job = self.make_job()
        self.fail_post = RuntimeError('etcd down')
        self.assertRaises(RuntimeError, jobs.start, self.ctx, job.id)
        row = self.job(job)
        self.assertIsNone(row.active_flow)
        self.assertEqual(states.QUEUED, row.state)
        events = db_api.event_list(self.ctx, job_id=job.id)
        self.assertEqual('dispatch_failed', events[0].event_type)


class TestSyncCutover(JobsTestCase):

    def test_sync_moves_ready_to_syncing(self):
        job = self.make_job('warm', states.READY)
        jobs.sync(self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.SYNCING, states.INCREMENTAL_SYNC,
                          'incremental_sync'),
                         (row.state, row.phase, row.active_flow))
        self.assertEqual([(job.id, 'incremental_sync')], self.posted)

    def test_sync_while_a_flow_holds_the_job_is_skipped(self):
        job = self.make_job('warm', states.READY, active_flow='cutover')
        self.assertIsNone(jobs.sync(self.ctx, job.id))
        self.assertEqual([], self.posted)
        self.assertEqual(states.READY, self.job(job).state)

    def test_failed_sync_post_restores_ready(self):
        job = self.make_job('warm', states.READY)
        self.fail_post = RuntimeError('boom')
        self.assertRaises(RuntimeError, jobs.sync, self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.READY, None), (row.state, row.active_flow))

    def test_cutover_needs_an_incremental_sync(self):
        job = self.make_job('warm', states.READY)
        self.assertRaises(exception.ActionNotAllowed, jobs.cutover,
                          self.ctx, job.id)
        job = self.make_job('warm', states.READY, incremental_syncs=1)
        jobs.cutover(self.ctx, job.id)
        self.assertEqual(states.CUTTING_OVER, self.job(job).state)
        self.assertEqual([(job.id, 'cutover')], self.posted)


class TestCancelRetry(JobsTestCase):

    def test_cancel_idle_job_posts_cleanup(self):
        job = self.make_job('warm', states.READY)
        jobs.cancel(self.ctx, job.id, keep_target=True)
        row = self.job(job)
        self.assertEqual((states.CANCELLING, 'cancel', True),
                         (row.state, row.active_flow, row.keep_target))
        self.assertEqual([(job.id, 'cancel')], self.posted)

    def test_cancel_running_job_leaves_it_to_the_flow(self):
        job = self.make_job('cold', states.RUNNING, active_flow='cold')
        jobs.cancel(self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.CANCELLING, 'cold'),
                         (row.state, row.active_flow))
        self.assertEqual([], self.posted)

    def test_retry_posts_the_failed_flow_from_queued(self):
        job = self.make_job('warm', states.FAILED,
                            failed_flow='incremental_sync', error='x')
        jobs.retry(self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.QUEUED, 'incremental_sync', None),
                         (row.state, row.active_flow, row.error))
        self.assertEqual([(job.id, 'incremental_sync')], self.posted)

    def test_retry_of_failed_cleanup_cancels_again(self):
        job = self.make_job('cold', states.FAILED, failed_flow='cancel')
        jobs.retry(self.ctx, job.id)
        self.assertEqual(states.CANCELLING, self.job(job).state)
        self.assertEqual([(job.id, 'cancel')], self.posted)


class TestScheduler(JobsTestCase):

    def setUp(self):
        super().setUp()
        db_api.worker_register(self.ctx, 'w1', 'xms-worker', slots=2)

    def _due(self, **values):
        import datetime

        from oslo_utils import timeutils
        past = timeutils.utcnow() - datetime.timedelta(seconds=5)
        return self.make_job('warm', states.READY, next_sync_at=past,
                             **values)

    def test_due_syncs_posted_up_to_free_slots(self):
        jobs_ = [self._due() for _i in range(3)]
        self.make_job('cold', states.RUNNING, active_flow='cold')
        result = scheduler.run_once(self.ctx)
        self.assertEqual(1, result['syncs'])
        self.assertEqual([(jobs_[0].id, 'incremental_sync')], self.posted)

    def test_not_due_not_posted(self):
        import datetime

        from oslo_utils import timeutils
        self.make_job('warm', states.READY, next_sync_at=(
            timeutils.utcnow() + datetime.timedelta(hours=1)))
        self.assertEqual(0, scheduler.run_once(self.ctx)['syncs'])

    def test_cleanup_of_cancelling_job_without_flow(self):
        job = self.make_job('cold', states.CANCELLING)
        self.assertEqual(1, scheduler.run_once(self.ctx)['cleanups'])
        self.assertEqual([(job.id, 'cancel')], self.posted)

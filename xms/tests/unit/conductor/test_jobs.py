"""The conductor's job actions: flow lock, states, what gets posted."""

import datetime

import fixtures
from oslo_utils import timeutils

from xms.common import context
from xms.common import exception
from xms.common import states
from xms.conductor import jobs
from xms.conductor import scheduler
from xms.db import api as db_api
from xms.tests import base


class JobsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.use_memory_database()
        self.ctx = context.get_admin_context()
        self.posted = []
        self.fail_post = None
        self.useFixture(fixtures.MonkeyPatch(
            'xms.flows.dispatch.post', self._post))

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
        self.assertEqual(1, scheduler.run_once(self.ctx)['dispatches'])
        self.assertEqual([(job.id, 'cancel')], self.posted)


def _ago(seconds):
    return timeutils.utcnow() - datetime.timedelta(seconds=seconds)


class TestDispatchRetry(JobsTestCase):

    def setUp(self):
        super().setUp()
        self.config(dispatch_retry_interval=10,
                    dispatch_retry_max_interval=25, dispatch_max_attempts=4,
                    group='conductor')

    def events(self, job):
        return [(e.event_type, e.severity) for e in reversed(
            db_api.event_list(self.ctx, job_id=job.id))]

    def assertWaits(self, seconds, before, after, when):
        """``when`` is ``seconds`` after a moment between the two."""
        delay = datetime.timedelta(seconds=seconds)
        self.assertTrue(before + delay <= when <= after + delay,
                        (before, when, after))

    def make_due(self, job):
        db_api.job_update(self.ctx, job.id, {'next_dispatch_at': _ago(1)})

    def given_up_job(self):
        """A job whose start and 3 re-posts all failed: the 4th and last
        attempt of ``dispatch_max_attempts`` failed it."""
        job = self.make_job()
        self.fail_post = RuntimeError('etcd down')
        self.assertRaises(RuntimeError, jobs.start, self.ctx, job.id)
        for _attempt in range(3):
            self.make_due(job)
            scheduler.run_dispatch_retries(self.ctx)
        return job

    def test_delay_doubles_up_to_the_cap(self):
        self.assertEqual([10, 20, 25, 25],
                         [jobs.retry_delay(n) for n in (1, 2, 3, 4)])

    def test_failed_start_is_retried_with_backoff_until_it_posts(self):
        job = self.make_job()
        self.fail_post = RuntimeError('etcd down')
        before = timeutils.utcnow()
        self.assertRaises(RuntimeError, jobs.start, self.ctx, job.id)
        after = timeutils.utcnow()
        row = self.job(job)
        self.assertEqual((states.QUEUED, None, 1),
                         (row.state, row.active_flow, row.dispatch_attempts))
        self.assertWaits(10, before, after, row.next_dispatch_at)
        # Not due yet: the scheduler leaves it alone.
        self.assertEqual(0, scheduler.run_dispatch_retries(self.ctx))
        self.assertEqual(['dispatch_failed'],
                         [e for e, _s in self.events(job)])

        self.make_due(job)
        before = timeutils.utcnow()
        self.assertEqual(0, scheduler.run_dispatch_retries(self.ctx))
        after = timeutils.utcnow()
        row = self.job(job)
        self.assertEqual(2, row.dispatch_attempts)
        self.assertWaits(20, before, after, row.next_dispatch_at)

        self.fail_post = None
        self.make_due(job)
        self.assertEqual(1, scheduler.run_dispatch_retries(self.ctx))
        row = self.job(job)
        self.assertEqual(('cold', 0, None), (row.active_flow,
                                             row.dispatch_attempts,
                                             row.next_dispatch_at))
        self.assertEqual([(job.id, 'cold')], self.posted)
        self.assertEqual([('dispatch_failed', 'warning'),
                          ('dispatch_retry', 'info'),
                          ('dispatch_failed', 'warning'),
                          ('dispatch_retry', 'info')], self.events(job))

    def test_job_fails_after_the_last_attempt_and_can_be_retried(self):
        job = self.given_up_job()
        row = self.job(job)
        self.assertEqual((states.FAILED, 'cold', None, 4),
                         (row.state, row.failed_flow, row.active_flow,
                          row.dispatch_attempts))
        self.assertIn('in 4 attempts (last error RuntimeError)', row.error)
        self.assertEqual(('dispatch_failed', 'error'), self.events(job)[-1])
        self.make_due(job)
        self.assertEqual(0, scheduler.run_dispatch_retries(self.ctx))

        self.fail_post = None
        jobs.retry(self.ctx, job.id)
        row = self.job(job)
        self.assertEqual(('cold', 0), (row.active_flow,
                                       row.dispatch_attempts))

    def test_cancel_after_giving_up_gets_all_its_attempts(self):
        job = self.given_up_job()
        self.assertEqual(states.FAILED, self.job(job).state)
        self.assertRaises(RuntimeError, jobs.cancel, self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.CANCELLING, 1),
                         (row.state, row.dispatch_attempts))

    def test_failed_cleanup_post_is_retried(self):
        job = self.make_job('warm', states.READY)
        self.fail_post = RuntimeError('etcd down')
        self.assertRaises(RuntimeError, jobs.cancel, self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.CANCELLING, None, 1),
                         (row.state, row.active_flow, row.dispatch_attempts))
        self.assertEqual(0, scheduler.run_dispatch_retries(self.ctx))
        self.fail_post = None
        self.make_due(job)
        self.assertEqual(1, scheduler.run_dispatch_retries(self.ctx))
        self.assertEqual([(job.id, 'cancel')], self.posted)

    def test_failed_sync_post_is_left_to_the_user(self):
        job = self.make_job('warm', states.READY)
        self.fail_post = RuntimeError('etcd down')
        self.assertRaises(RuntimeError, jobs.sync, self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.READY, 0, None),
                         (row.state, row.dispatch_attempts,
                          row.next_dispatch_at))

    def test_lost_start_request_is_posted_once_old_enough(self):
        fresh = self.make_job()
        lost = self.make_job(created_at=_ago(60))
        self.assertEqual(1, scheduler.run_dispatch_retries(self.ctx))
        self.assertEqual([(lost.id, 'cold')], self.posted)
        self.assertIsNone(self.job(fresh).active_flow)
        self.assertEqual(['dispatch_retry'],
                         [e for e, _s in self.events(lost)])


class TestDelete(JobsTestCase):

    def setUp(self):
        super().setUp()
        self.cleaned = []
        self.cleanup_error = None
        self.trusts_deleted = []
        self.useFixture(fixtures.MonkeyPatch(
            'xms.worker.tasks.target.clean_target', self._clean))
        self.useFixture(fixtures.MonkeyPatch(
            'xms.common.keystone.delete_trust',
            lambda ctx, trust_id: self.trusts_deleted.append(trust_id)))

    def _clean(self, job):
        # What the phase and lock look like while the cleanup runs.
        row = self.job(job)
        self.cleaned.append((job.id, row.phase, row.active_flow))
        if self.cleanup_error:
            raise self.cleanup_error
        return True

    def events(self, job):
        return [e.event_type for e in reversed(
            db_api.event_list(self.ctx, job_id=job.id))]

    def gone(self, job):
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)

    def test_failed_job_cleans_target_then_trust_and_record_go(self):
        job = self.make_job(state=states.FAILED, phase='write_volume',
                            trust_id='t1')
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.assertEqual([(job.id, 'deleting', 'delete')], self.cleaned)
        self.assertEqual(['t1'], self.trusts_deleted)
        self.gone(job)

    def test_failed_cleanup_keeps_the_record_and_can_be_asked_again(self):
        job = self.make_job(state=states.FAILED, phase='write_volume',
                            trust_id='t1')
        self.cleanup_error = exception.XmsException(
            'Target cleanup of job x left resources behind: volume v1: '
            'busy')
        self.assertFalse(jobs.delete(self.ctx, job.id))
        row = self.job(job)
        self.assertEqual((states.FAILED, 'write_volume', None),
                         (row.state, row.phase, row.active_flow))
        self.assertIn('volume v1: busy', row.error)
        self.assertIn('delete the job again', row.error)
        self.assertEqual([], self.trusts_deleted)
        self.assertEqual(['delete_started', 'delete_failed'],
                         self.events(job))

        self.cleanup_error = None
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.gone(job)

    def test_delete_held_by_a_dead_conductor_can_be_asked_again(self):
        job = self.make_job(state=states.FAILED, phase='deleting',
                            active_flow='delete')
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.gone(job)

    def test_job_holding_a_flow_is_refused(self):
        job = self.make_job(state=states.FAILED, active_flow='cancel')
        self.assertRaises(exception.ActionNotAllowed, jobs.delete,
                          self.ctx, job.id)
        self.assertEqual([], self.cleaned)

    def test_cancelled_job_without_trust_was_cleaned_by_its_cancel(self):
        job = self.make_job(state=states.CANCELLED)
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.assertEqual([], self.cleaned)
        self.gone(job)

    def test_cancelled_job_with_its_trust_is_cleaned(self):
        job = self.make_job(state=states.CANCELLED, trust_id='t2')
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.assertEqual([(job.id, 'deleting', 'delete')], self.cleaned)

    def test_completed_job_keeps_its_target(self):
        job = self.make_job(state=states.COMPLETED, trust_id='t3')
        self.assertTrue(jobs.delete(self.ctx, job.id))
        self.assertEqual([], self.cleaned)
        self.assertEqual(['t3'], self.trusts_deleted)
        self.gone(job)

    def test_unfinished_job_is_refused(self):
        job = self.make_job(state=states.RUNNING, active_flow='cold')
        self.assertRaises(exception.ActionNotAllowed, jobs.delete,
                          self.ctx, job.id)

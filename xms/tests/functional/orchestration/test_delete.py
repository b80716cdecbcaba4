"""Delete of a failed or cancelled job: the target goes before the record.

A real cold flow fails (a digest mismatch injected once, as in
``test_cancel_retry``) and leaves its target volume behind, as failed
flows do so that a retry keeps the data; deleting the job through the
conductor's RPC endpoint removes the volume (and everything else of the
job in the target), then the record. A cleanup that cannot finish (the
target's network API unreachable) keeps the job with the reason, and a
second delete, once the cause is fixed, completes.
"""

import os

from xms.common import exception
from xms.common import states
from xms.conductor import jobs
from xms.conductor import manager
from xms.db import api as db_api
from xms.targets import local_common
from xms.tests.functional.orchestration import base
from xms.tests.functional.orchestration import test_cancel_retry

MiB = base.MiB


class TestDelete(test_cancel_retry._CancelRetryBase):

    def setUp(self):
        super().setUp()
        self.conductor = manager.ConductorManager(self.conf.conf.host)
        self.put_disk(base.random_disk(2 * MiB))
        self._fail_verify_once()
        self.start_local_worker()

    def failed_job(self, **values):
        job = self.make_job('cold', **values)
        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.FAILED, states.COMPLETED)
        self.assertEqual(states.FAILED, job.state)
        return job

    def target_files(self, job):
        path = os.path.join(local_common.root(), job.uuid)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def deleted_events(self, job):
        return db_api.event_list(self.ctx, filters={
            'resource_uuid': job.uuid, 'event_type': 'deleted'})

    def test_delete_of_failed_job_removes_its_target(self):
        job = self.failed_job()
        volume = job.disks[0].volume_id
        self.assertTrue(os.path.exists(local_common.volume_path(volume)))

        self.conductor.delete_job(self.ctx, job.id)

        self.assertFalse(os.path.exists(local_common.volume_path(volume)))
        self.assertEqual([], self.target_files(job))
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)
        self.assertEqual(1, len(self.deleted_events(job)))

    def test_delete_keeps_the_target_of_a_keep_target_job(self):
        job = self.failed_job(keep_target=True)
        volume = job.disks[0].volume_id

        self.conductor.delete_job(self.ctx, job.id)

        self.assertTrue(os.path.exists(local_common.volume_path(volume)))
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)

    def test_delete_of_cancelled_job(self):
        job = self.failed_job()
        jobs.cancel(self.ctx, job.id)
        self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertNothingLeft(job)

        self.conductor.delete_job(self.ctx, job.id)

        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)
        self.assertEqual(1, len(self.deleted_events(job)))

    def test_failed_cleanup_keeps_the_job_and_delete_can_be_asked_again(self):
        job = self.failed_job()
        volume = job.disks[0].volume_id
        # The conductor cannot reach the target's network API (Neutron
        # without a trust or token): the ports cannot be looked up.
        self.config(network_driver='neutron', group='target')

        self.conductor.delete_job(self.ctx, job.id)

        row = self.job(job)
        self.assertEqual((states.FAILED, states.EXPORT, None),
                         (row.state, row.phase, row.active_flow))
        self.assertIn('Delete stopped, the job is kept', row.error)
        self.assertIn('looking up ports', row.error)
        self.assertIn('delete the job again', row.error)
        types = [e.event_type for e in self.events(job)]
        self.assertEqual(['delete_started', 'volume_deleted',
                          'delete_failed'], types[-3:])
        # What could go went, and the job's row says so.
        self.assertFalse(os.path.exists(local_common.volume_path(volume)))
        self.assertIsNone(row.disks[0].volume_id)

        self.config(network_driver='local', group='target')
        self.conductor.delete_job(self.ctx, job.id)
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)

"""Cancel in several phases leaves nothing behind; retry completes."""

import os

import fixtures

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.targets import local_common
from xms.tests.functional.orchestration import base
from xms.transport import exception as transport_exc
from xms.transport import hashing

MiB = base.MiB


class _CancelRetryBase(base.OrchestrationTestCase):

    def assertNothingLeft(self, job, power='poweredOn'):
        job = self.job(job)
        self.assertEqual(states.CANCELLED, job.state, job.error)
        self.assertIsNone(job.active_flow)
        self.assertEqual([], self.live_snapshots())
        self.assertEqual([], self.vm_snapshots())
        target = os.path.join(local_common.root(), job.uuid)
        self.assertFalse(os.path.exists(target) and os.listdir(target),
                         'target left behind: %s' % target)
        self.assertEqual(power, self.power_state())
        self.assertTrue(all(d.volume_id is None for d in job.disks))

    def _fail_verify_once(self):
        real = hashing.verify
        calls = []

        def verify(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise transport_exc.DigestMismatch(disk='disk-2000',
                                                   offset=0, length=4096)
            return real(*args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'xms.transport.hashing.verify', verify))
        return calls



class TestCancel(_CancelRetryBase):

    def test_cancel_queued(self):
        """No slot yet: the flow never runs, the cleanup does."""
        self.put_disk(base.random_disk(2 * MiB))
        job = self.make_job('cold')
        jobs.start(self.ctx, job.id)
        self.assertEqual(states.QUEUED, self.job(job).state)
        jobs.cancel(self.ctx, job.id)
        self.assertEqual(states.CANCELLING, self.job(job).state)
        self.start_local_worker()
        self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertNothingLeft(job)
        # Cancelled: the VM is free for another job.
        self.assertIsNone(self.job(job).active_vm_id)
        self.make_job('cold')

    def test_cancel_during_full_sync_copy(self):
        """Stops at the next checkpoint, removes snapshot and volume."""
        self.config(max_read_rate_kib=1024, group='worker')
        self.put_disk(base.random_disk(8 * MiB))
        self.start_local_worker()
        job = self.make_job('warm')
        jobs.start(self.ctx, job.id)
        self.wait_for(job, lambda j: j.phase == states.FULL_SYNC
                      and j.bytes_done > 0, what='copy under way')
        jobs.cancel(self.ctx, job.id)
        job = self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertNothingLeft(job)
        types = [e.event_type for e in self.events(job)]
        self.assertIn('flow_stopped', types)
        self.assertIn('snapshot_removed', types)
        self.assertIn('volume_deleted', types)

    def test_cancel_ready_warm_job_keep_target(self):
        self.put_disk(base.random_disk(2 * MiB))
        self.start_local_worker()
        job = self.make_job('warm')
        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.READY, states.FAILED)
        self.assertEqual(states.READY, job.state, job.error)
        path = local_common.volume_path(job.disks[0].volume_id)
        jobs.cancel(self.ctx, job.id, keep_target=True)
        job = self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertEqual(states.CANCELLED, job.state, job.error)
        self.assertTrue(os.path.exists(path))
        self.assertEqual([], self.live_snapshots())
        self.assertEqual([], self.vm_snapshots())

    def test_cancel_cold_after_power_off_powers_source_on(self):
        self.config(max_read_rate_kib=1024, group='worker')
        self.put_disk(base.random_disk(8 * MiB))
        self.start_local_worker()
        job = self.make_job('cold')
        jobs.start(self.ctx, job.id)
        self.wait_for(job, lambda j: j.source_powered_off
                      and j.bytes_done > 0, what='export copying')
        self.assertEqual('poweredOff', self.power_state())
        jobs.cancel(self.ctx, job.id)
        self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertNothingLeft(job, power='poweredOn')

    def test_cancel_failed_job(self):
        self.put_disk(base.random_disk(2 * MiB))
        self._fail_verify_once()
        self.start_local_worker()
        job = self.make_job('cold')
        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.FAILED, states.COMPLETED)
        self.assertEqual(states.FAILED, job.state)
        jobs.cancel(self.ctx, job.id)
        self.wait_state(job, states.CANCELLED, states.FAILED)
        self.assertNothingLeft(job)


class TestRetry(_CancelRetryBase):

    def test_retry_after_injected_failure_keeps_data(self):
        data = base.random_disk(4 * MiB)
        self.put_disk(data)
        calls = self._fail_verify_once()
        self.start_local_worker()
        job = self.make_job('cold')
        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.FAILED, states.COMPLETED)
        self.assertEqual(states.FAILED, job.state)
        self.assertEqual('cold', job.failed_flow)
        self.assertEqual(states.EXPORT, job.phase)
        self.assertIn('retry', job.error)
        self.assertIn('differs', job.error.lower().replace(
            'mismatch', 'differs'))
        # The failed flow removed its snapshot; the copied volume stays.
        self.assertEqual([], self.live_snapshots())
        self.assertEqual([data], self.target_bytes(job))

        jobs.retry(self.ctx, job.id)
        job = self.wait_state(job, states.COMPLETED, states.FAILED)
        self.assertEqual(states.COMPLETED, job.state, job.error)
        self.assertEqual(2, len(calls))
        self.assertEqual([data], self.target_bytes(job))
        types = [e.event_type for e in self.events(job)]
        self.assertIn('copy_kept', types)
        syncs = db_api.api_job_syncs(self.ctx, job.id)
        self.assertEqual(['failed', 'completed'], [s.status for s in syncs])
        self.assertEqual(0, syncs[-1].bytes_copied)

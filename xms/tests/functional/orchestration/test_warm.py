"""A warm migration: full sync, incremental syncs, cutover."""

import os

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.tests.functional.orchestration import base

MiB = base.MiB


class TestWarmMigration(base.OrchestrationTestCase):

    def _write(self, offset, n):
        data = os.urandom(n)
        self.sim.write_live_disk(base.VM, offset, data)
        return data

    def test_full_sync_two_incrementals_cutover(self):
        size = 6 * MiB
        self.put_disk(base.random_disk(size))
        self.start_local_worker()
        job = self.make_job('warm')

        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.READY, states.FAILED)
        self.assertEqual(states.READY, job.state, job.error)
        self.assertIsNotNone(job.disks[0].last_change_id)
        self.assertIsNotNone(job.next_sync_at)
        self.assertIsNotNone(job.last_sync_at)
        # The datastore HTTPS path cannot tell holes from data; CBT ("*")
        # can: the full sync reads only the allocated 5 MiB of 6 (the
        # two 512 KiB zero runs of random_disk are not read).
        full = db_api.api_job_syncs(self.ctx, job.id)[0]
        self.assertEqual(('full', 'completed'), (full.kind, full.status))
        self.assertEqual(size - MiB, full.bytes_copied)
        self.assertEqual(self.sim.read_live_disk(base.VM, 0, size),
                         self.target_bytes(job)[0])

        copied = []
        for i in range(2):
            self._write((i + 1) * MiB + 4096, 64 * 1024)
            self._write(5 * MiB, 8192)
            jobs.sync(self.ctx, job.id)
            job = self.wait_state(job, states.READY, states.FAILED)
            self.assertEqual(states.READY, job.state, job.error)
            self.assertEqual(i + 1, job.incremental_syncs)
            self.assertEqual(self.sim.read_live_disk(base.VM, 0, size),
                             self.target_bytes(job)[0])
            sync = db_api.api_job_syncs(self.ctx, job.id)[-1]
            self.assertEqual(('incremental', 'completed'),
                             (sync.kind, sync.status))
            copied.append(sync.bytes_copied)
        # Only the changed areas move (aligned to 64 KiB blocks).
        for n in copied:
            self.assertLess(n, size // 4)

        self._write(3 * MiB, 100 * 1024)
        jobs.cutover(self.ctx, job.id)
        job = self.wait_state(job, states.COMPLETED, states.FAILED)
        self.assertEqual(states.COMPLETED, job.state, job.error)
        self.assertEqual('poweredOff', self.power_state())
        at_power_off = self.sim.read_live_disk(base.VM, 0, size)
        self.assertEqual([at_power_off], self.target_bytes(job))
        disk = job.disks[0]
        self.assertEqual(disk.source_digest, disk.target_digest)
        self.assertEqual([], self.live_snapshots())
        self.assertEqual([], self.vm_snapshots())
        kinds = [s.kind for s in db_api.api_job_syncs(self.ctx, job.id)]
        self.assertEqual(['full', 'incremental', 'incremental',
                          'pre_cutover', 'final'], kinds)
        self.assertTrue(job.target_resources.get('instance'))

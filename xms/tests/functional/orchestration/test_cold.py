"""A cold migration end to end into the local target."""

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.targets.compute import local as local_compute
from xms.tests.functional.orchestration import base

MiB = base.MiB


class TestColdMigration(base.OrchestrationTestCase):

    def test_cold_job_end_to_end(self):
        data = base.random_disk(6 * MiB)
        self.put_disk(data)
        self.start_local_worker()
        job = self.make_job('cold')

        jobs.start(self.ctx, job.id)
        job = self.wait_state(job, states.COMPLETED, states.FAILED)

        self.assertEqual(states.COMPLETED, job.state, job.error)
        # Completed: the VM is free for another job.
        self.assertEqual(job.vm_id, self.make_job('cold').vm_id)
        self.assertEqual([data], self.target_bytes(job))
        disk = job.disks[0]
        self.assertEqual(disk.source_digest, disk.target_digest)
        self.assertIsNotNone(disk.source_digest)
        self.assertEqual(len(data), job.bytes_done)
        self.assertEqual('poweredOff', self.power_state())
        self.assertEqual([], self.live_snapshots(job))
        self.assertEqual([], self.vm_snapshots())
        phases = [e.payload['phase'] for e in self.events(job)
                  if e.event_type == 'phase_changed']
        self.assertEqual(['inspect', 'write_volume', 'guest_fixes',
                          'finalize', 'boot_target'], phases)
        self.assertTrue(job.target_resources.get('instance'))
        with open(local_compute.domain_path(job.uuid)) as f:
            domain = f.read()
        self.assertIn(job.target_resources['instance'], domain)
        # One port per source NIC, written into the domain with its MAC.
        nics = db_api.vm_get(self.ctx, job.vm_id).nics
        self.assertTrue(nics)
        self.assertEqual(len(nics), len(job.target_resources['ports']))
        for nic in nics:
            self.assertIn(nic.mac_address, domain)
        self.assertTrue(job.inspection_converted)

"""Snapshots on vcsim: recorded first, removed, reaped when leaked."""

import fixtures
from oslo_utils import uuidutils

from xms.db import api as db_api
from xms.sources import exception
from xms.sources.vsphere import inventory
from xms.sources.vsphere import manage
from xms.tests.functional.sources import base


class TestSnapshots(base.VSphereTestCase):

    def _snapshot_names(self, vm_name):
        vm = self.sim.find_vm(vm_name)
        return [node.name for node in inventory.walk_snapshots(vm.snapshot)]

    def test_create_records_row_first_then_remove(self):
        job = self.make_job('DC0_H0_VM0')
        vm_moref = self.vm_moref('DC0_H0_VM0')
        seen = []
        real_create = db_api.snapshot_create

        def spy(context, values):
            # When the row is written, vSphere has no such snapshot yet.
            seen.append((values['name'],
                         list(self._snapshot_names('DC0_H0_VM0'))))
            return real_create(context, values)

        self.useFixture(fixtures.MonkeyPatch(
            'xms.db.api.snapshot_create', spy))

        row = self.driver.create_snapshot(self.ctx, self.source, vm_moref,
                                          job.id, 'sync1', quiesce=True)

        name = 'xms-%s-sync1' % job.uuid
        self.assertEqual([(name, [])], seen)
        self.assertEqual(name, row.name)
        self.assertEqual('created', row.state)
        self.assertEqual(job.id, row.job_id)
        self.assertEqual(vm_moref, row.vm_moref)
        self.assertEqual('sync1', row.purpose)
        self.assertTrue(row.snapshot_moref)
        self.assertEqual([name], self._snapshot_names('DC0_H0_VM0'))

        removed = self.driver.remove_snapshot(self.ctx, self.source, row)
        self.assertEqual('removed', removed.state)
        self.assertIsNotNone(removed.removed_at)
        self.assertEqual([], self._snapshot_names('DC0_H0_VM0'))
        # Removing again is harmless (already gone counts as removed).
        self.driver.remove_snapshot(self.ctx, self.source, row.id)

    def test_failed_create_leaves_row_for_reaper(self):
        job = self.make_job('DC0_H0_VM0')
        self.assertRaises(exception.SourceError,
                          self.driver.create_snapshot, self.ctx,
                          self.source, 'vm-does-not-exist', job.id, 'full')
        rows = db_api.snapshot_list(self.ctx, filters={'job_id': job.id})
        self.assertEqual(1, len(rows))
        self.assertIn(rows[0].state, ('failed', 'creating'))

    def test_reaper(self):
        running = self.make_job('DC0_H0_VM0', state='running')
        finished = self.make_job('DC0_H0_VM1', state='completed')
        vm0 = self.vm_moref('DC0_H0_VM0')
        vm1 = self.vm_moref('DC0_H0_VM1')
        keep = self.driver.create_snapshot(self.ctx, self.source, vm0,
                                           running.id, 'sync')
        orphan = self.driver.create_snapshot(self.ctx, self.source, vm1,
                                             finished.id, 'sync')
        # A snapshot named as XMS names them that nobody recorded (a lost
        # row), and users' snapshots that must never be touched, even
        # one whose name starts with our prefix.
        vm2 = self.sim.find_vm('DC0_C0_RP0_VM0')
        self.sim.wait_for_task(vm2.CreateSnapshot_Task(
            name='xms-%s-sync' % uuidutils.generate_uuid(), memory=False,
            quiesce=False))
        self.sim.wait_for_task(vm2.CreateSnapshot_Task(
            name='before-upgrade', memory=False, quiesce=False))
        self.sim.wait_for_task(vm2.CreateSnapshot_Task(
            name='xms-nightly', memory=False, quiesce=False))

        summary = manage.reap()

        self.assertEqual(1, summary['removed'])
        self.assertEqual(1, summary['unknown_removed'])
        self.assertEqual(0, summary['errors'])
        self.assertEqual([keep.name], self._snapshot_names('DC0_H0_VM0'))
        self.assertEqual([], self._snapshot_names('DC0_H0_VM1'))
        self.assertEqual(['before-upgrade', 'xms-nightly'],
                         self._snapshot_names('DC0_C0_RP0_VM0'))
        reaped = db_api.event_list(self.ctx, filters={
            'event_type': 'snapshot_removed'})
        self.assertEqual(2, len(reaped))
        self.assertEqual({finished.id, None}, {e.job_id for e in reaped})
        states = {r.id: r.state for r in db_api.snapshot_list(self.ctx)}
        self.assertEqual('created', states[keep.id])
        self.assertEqual('removed', states[orphan.id])

        # Once the job is finished its snapshot is reaped too.
        db_api.job_update(self.ctx, running.id, {'state': 'cancelled'})
        summary = self.driver.reap_snapshots(self.ctx)
        self.assertEqual(1, summary['removed'])
        self.assertEqual([], self._snapshot_names('DC0_H0_VM0'))


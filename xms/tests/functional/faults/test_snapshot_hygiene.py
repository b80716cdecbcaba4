"""Snapshot hygiene: the reaper removes the snapshots XMS leaked and
never one it did not take.

Each trial builds, on a few vcsim VMs, what crashes and lost reverts
leave behind, mixed with the owners' own snapshots in the same trees:

- a snapshot of a job that failed (its revert could not reach vCenter)
  and one of a job the user then deleted: both leaked, both reaped at
  the conductor's next reaper run (a deleted job's snapshot without
  waiting for the grace that protects the CBT stun snapshot);
- a snapshot named as XMS names them that no row knows (a lost row):
  reaped;
- the snapshot of a running job: kept;
- owners' snapshots, before ours (our parent) and after (our child),
  some named with our prefix ("xms-nightly"): all kept, and a child of a
  removed snapshot stays in the tree.

A second reaper run removes nothing more.

Gate: one trial. ``tox -e faults``: 10 seeded layouts.
"""

import time

from oslo_utils import uuidutils

from xms.common import states
from xms.conductor import reaper
from xms.db import api as db_api
from xms.tests.functional import faults
from xms.tests.functional.orchestration import base

PURPOSES = ['sync', 'pre_cutover', 'final', 'export']
OWNER_NAMES = ['before-upgrade', 'xms-nightly', 'xms-before-patch',
               'XMS-%s-sync' % uuidutils.generate_uuid(), 'weekly']


class TestSnapshotHygiene(base.OrchestrationTestCase):

    def _vm_moref(self, vm):
        return self.sim.find_vm(vm)._moId

    def _owner(self, vm, name):
        self.sim.wait_for_task(self.sim.find_vm(vm).CreateSnapshot_Task(
            name=name, memory=False, quiesce=False))
        return name

    def _ours(self, vm, job, purpose):
        return self.driver.create_snapshot(
            self.ctx, self.source, self._vm_moref(vm), job.id,
            purpose).name

    def _trial(self, vms, rnd, n):
        """Returns (removed, kept_ours, owners kept, leftovers)."""
        expected = {vm: [] for vm in vms}
        leaked = set()
        jobs_made = self.made = []
        owner_names = list(OWNER_NAMES)
        rnd.shuffle(owner_names)
        for i, vm in enumerate(vms):
            kind = ['failed', 'deleted', 'lost', 'running'][i % 4]
            if rnd.random() < 0.7:
                expected[vm].append(self._owner(
                    vm, '%s-%d' % (owner_names[i % len(owner_names)], n)))
            job = self.make_job('warm', vm=vm, state=states.RUNNING)
            jobs_made.append(job)
            if kind == 'lost':
                name = self._owner(vm, 'xms-%s-sync'
                                   % uuidutils.generate_uuid())
            else:
                name = self._ours(vm, job, rnd.choice(PURPOSES))
            if kind == 'running':
                expected[vm].append(name)
            else:
                leaked.add(name)
            if rnd.random() < 0.7:
                # The owner's snapshot taken on top of ours: removing
                # ours must keep it (removeChildren=False).
                expected[vm].append(self._owner(
                    vm, '%s-child-%d' % (owner_names[(i + 1)
                                                     % len(owner_names)],
                                         n)))
            if kind in ('failed', 'deleted', 'lost'):
                job = db_api.job_set_state(self.ctx, job, states.FAILED,
                                           phase=None, active_flow=None)
            if kind == 'deleted':
                db_api.job_delete(self.ctx, job.id)
        summary = reaper.run_once(self.ctx)
        again = reaper.run_once(self.ctx)
        left = {}
        for vm in vms:
            found = self.vm_snapshots(vm)
            if sorted(found) != sorted(expected[vm]):
                left[vm] = {'found': found, 'expected': expected[vm]}
        if any(again.values()):
            left['second_run'] = again
        if summary['errors']:
            left['errors'] = summary['errors']
        removed = summary['removed'] + summary['unknown_removed']
        if removed != len(leaked):
            left['removed'] = '%d of %d' % (removed, len(leaked))
        owners = sum(1 for vm in vms for s in expected[vm]
                     if not s.startswith('xms-') or not s.endswith(
                         tuple('-%s' % p for p in PURPOSES)))
        return removed, len(leaked), owners, left

    def _free_vms(self, vms, made):
        """Free the VMs for the next trial: no job, no snapshot."""
        gone = {j.id for j in made} - {
            j.id for j in db_api.job_list(self.ctx, filters={})}
        for job in made:
            if job.id in gone:
                continue
            row = self.job(job)
            if row.state not in states.FINISHED_STATES:
                row = db_api.job_set_state(self.ctx, row, states.FAILED,
                                           phase=None, active_flow=None)
            db_api.job_delete(self.ctx, row.id)
        for vm in vms:
            if self.vm_snapshots(vm):
                self.sim.wait_for_task(
                    self.sim.find_vm(vm).RemoveAllSnapshots_Task())
        for row in self.live_snapshots():
            db_api.snapshot_update(self.ctx, row.id, {'state': 'removed'})

    def test_reaper_removes_ours_only(self):
        seed, rnd = faults.rng('snapshot-hygiene')
        self.driver.discover(self.ctx, self.source)
        vms = sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))
        count = faults.trials(full=10)
        table = faults.FigureTable(
            'Snapshot hygiene (seed %d)' % seed,
            ['trial', 'VMs', 'leaked', 'reaped', 'owner snapshots kept',
             'result', 'leftovers', 'seconds'])
        failures = []
        began = time.monotonic()
        for n in range(count):
            start = time.monotonic()
            chosen = rnd.sample(vms, 4)
            self.made = []
            try:
                removed, leaked, owners, left = self._trial(chosen, rnd, n)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append('trial %d: %s' % (n, exc))
                table.add(n, len(chosen), '-', '-', '-', 'FAIL', '-',
                          '%.1f' % (time.monotonic() - start))
                continue
            finally:
                self._free_vms(chosen, self.made)
            if left:
                failures.append('trial %d: %s' % (n, left))
            table.add(n, len(chosen), leaked, removed, owners,
                      'pass' if not left else 'FAIL', len(left),
                      '%.1f' % (time.monotonic() - start))
        table.add('all', '%d trials' % count, '-', '-', '-',
                  '%d passed' % (count - len(failures)), '-',
                  '%.1f' % (time.monotonic() - began))
        table.emit()
        self.assertEqual([], failures)

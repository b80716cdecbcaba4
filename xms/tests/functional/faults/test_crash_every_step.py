"""Crash at every step: kill -9 the worker at each task boundary of the
cold, full-sync, incremental-sync and cutover flows, and at random
points inside the copy; another worker resumes.

Every trial: the job completes, the target disk is bit-identical to the
source snapshot the flow read, what the successor read again is at most
one checkpoint window, and nothing is left behind: no XMS snapshot (in
our records or on the VM, where the owner's own snapshot survives), no
stray target file (volume, metadata, ports), no nbdkit process.

A task boundary is a transition TaskFlow persists: ``RUNNING`` (the task
is about to run) of every task, and ``SUCCESS`` of the last one (all is
done but the jobboard entry is not consumed yet). The worker kills
itself there (``crash_child``); inside the copy the test kills it once
the copy passed a seeded random fraction of its plan.

Gate: one seeded trial per flow. ``tox -e faults``: every boundary plus
two copy points per flow (83 trials).
"""

import os
import signal
import time

from oslo_utils import importutils

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.flows import names as flow_factories
from xms.tests.functional import faults
from xms.tests.functional.faults import workers

MiB = workers.MiB
SIZE = 4 * MiB
#: Every worker reads at this rate, so that a copy lasts long enough for
#: the test to kill it at a chosen fraction.
RATE_KIB = 1024

#: Copy kind of each flow's copy a test kills inside the copy.
COPY_KIND = {'cold': 'export', 'warm_full_sync': 'full',
             'incremental_sync': 'incremental', 'cutover': 'pre_cutover'}
DONE = {'cold': states.COMPLETED, 'warm_full_sync': states.READY,
        'incremental_sync': states.READY, 'cutover': states.COMPLETED}


def task_names(flow_name):
    flow = importutils.import_class(flow_factories.FACTORIES[flow_name])()
    return [atom.name for atom in flow]


def kill_points(flow_name):
    """Every boundary of a flow, then the copy points."""
    names = task_names(flow_name)
    points = [('task', n, 'RUNNING') for n in names]
    points.append(('task', names[-1], 'SUCCESS'))
    return points


class TestCrashEveryStep(workers.WorkerProcessesTestCase):

    vcsim_kwargs = {'vms': 16} if faults.full_run() else {}

    def _points(self, flow_name):
        seed, rnd = faults.rng('crash-every-step-%s' % flow_name)
        points = kill_points(flow_name)
        copies = [('copy', round(rnd.uniform(0.2, 0.6), 2))
                  for _ in range(2)]
        if faults.full_run():
            return seed, points + copies
        return seed, [rnd.choice(points + copies[:1])]

    def _vms(self):
        self.driver.discover(self.ctx, self.source)
        return sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))

    def _changes(self, vm, rnd, n=8, length=512 * 1024):
        for _ in range(n):
            offset = rnd.randrange(0, SIZE - length, 512)
            self.sim.write_live_disk(vm, offset, os.urandom(length))

    def _kill_in_copy(self, job, victim, kind, fraction):
        def copying(j):
            ck = j.disks[0].checkpoint or {}
            return (ck.get('kind') == kind and not ck.get('done')
                    and j.disks[0].bytes_total
                    and j.disks[0].bytes_done
                    >= fraction * j.disks[0].bytes_total)
        row = self.wait_for(job, copying, timeout=180,
                            what='%s copy past %s' % (kind, fraction))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        return row.disks[0].bytes_done

    def _next_spare(self):
        self.spare = self.spawn_worker('w%d' % self.spawned,
                                       rate_kib=RATE_KIB)
        self.spawned += 1

    def _fresh_chain(self):
        """The running worker, and a spare already loaded to succeed it."""
        self.spawned = 0
        self._next_spare()
        self.current = self.activate(self.spare)
        self._next_spare()

    def _trial(self, flow_name, point, vm, rnd):
        data = workers.base.random_disk(SIZE)
        self.put_disk(data, vm=vm)
        keep = [self.user_snapshot(vm)]
        job_type = 'cold' if flow_name == 'cold' else 'warm'
        job = self.make_job(job_type, vm=vm)
        in_copy = point[0] == 'copy'
        victim = self.current
        self.arm(victim, None if in_copy
                 else '%s:%s:%s' % (flow_name, point[1], point[2]))
        jobs.start(self.ctx, job.id)
        if flow_name in ('incremental_sync', 'cutover'):
            row = self.wait_state(job, states.READY, states.FAILED,
                                  timeout=180)
            self.assertEqual(states.READY, row.state, row.error)
            if flow_name == 'cutover':
                # A cutover follows at least one incremental sync.
                jobs.sync(self.ctx, job.id)
                row = self.wait_state(job, states.READY, states.FAILED,
                                      timeout=180)
                self.assertEqual(states.READY, row.state, row.error)
            self._changes(vm, rnd)
            (jobs.sync if flow_name == 'incremental_sync'
             else jobs.cutover)(self.ctx, job.id)
        at_kill = None
        if in_copy:
            at_kill = self._kill_in_copy(job, victim, COPY_KIND[flow_name],
                                         point[1])
        else:
            self.assertEqual(-signal.SIGKILL, self.wait_dead(victim))
        successor = self.current = self.activate(self.spare)
        self._next_spare()
        row = self.wait_state(job, DONE[flow_name], states.FAILED,
                              timeout=240)
        self.assertEqual(DONE[flow_name], row.state, row.error)
        expected = (data if flow_name in ('cold', 'warm_full_sync')
                    else self.sim.read_live_disk(vm, 0, SIZE))
        self.assertEqual([expected], self.target_bytes(job),
                         'target differs from the source')
        events = self.events(job)
        resumed = [e for e in events if e.event_type == 'copy_resumed']
        reread = 0
        if at_kill is not None:
            start = resumed[-1].payload['resumed_bytes'] if resumed else 0
            reread = max(0, at_kill - start)
        # A copy that completed before the kill is not run again: one
        # disk_copied event per copy the flows ran.
        copies = {'cold': 1, 'warm_full_sync': 1, 'incremental_sync': 2,
                  'cutover': 4}[flow_name]
        copied = [e for e in events if e.event_type == 'disk_copied']
        reread += sum(e.payload['bytes_read'] for e in copied[copies:])
        self.assertLessEqual(reread, workers.REREAD_WINDOW)
        left = self.leftovers(job, vm, keep=keep)
        self.assertIsNone(successor.poll())
        return reread, left

    def _suite(self, flow_name):
        seed, points = self._points(flow_name)
        _seed, rnd = faults.rng('crash-every-step-data-%s' % flow_name)
        vms = self._vms()
        table = faults.FigureTable(
            'Crash at every step: %s flow (seed %d)' % (flow_name, seed),
            ['trial', 'kill point', 'result', 're-read bytes', 'leftovers',
             'seconds'])
        failures = []
        reread_max = leftover_total = 0
        began = time.monotonic()
        self._fresh_chain()
        for i, point in enumerate(points):
            start = time.monotonic()
            where = ('copy@%d%%' % (point[1] * 100) if point[0] == 'copy'
                     else '%s:%s' % (point[1], point[2]))
            try:
                reread, left = self._trial(flow_name, point, vms[i], rnd)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append('%s: %s' % (where, exc))
                # Start the next trial with workers that know nothing of
                # this one.
                for proc in (self.current, self.spare):
                    self.stop_worker(proc)
                self._fresh_chain()
                table.add(i, where, 'FAIL', '-', '-',
                          '%.1f' % (time.monotonic() - start))
                workers.progress(table)
                continue
            reread_max = max(reread_max, reread)
            leftover_total += len(left)
            if left:
                failures.append('%s: left %s' % (where, left))
            table.add(i, where, 'pass' if not left else 'LEFT', reread,
                      sum(len(v) if isinstance(v, list) else 1
                          for v in left.values()),
                      '%.1f' % (time.monotonic() - start))
            workers.progress(table)
        table.add('all', '%d trials' % len(points),
                  '%d passed' % (len(points) - len(failures)),
                  'max %d' % reread_max, leftover_total,
                  '%.1f' % (time.monotonic() - began))
        table.emit()
        self.assertEqual([], failures)

    def test_cold(self):
        self._suite('cold')

    def test_full_sync(self):
        self._suite('warm_full_sync')

    def test_incremental_sync(self):
        self._suite('incremental_sync')

    def test_cutover(self):
        self._suite('cutover')

"""Warm under load: the guest keeps writing through every sync and up
to the moment the VM powers off; the target equals the disk at
power-off.

The guest is a thread writing the VM's live disk on vcsim (whose XMS
extension freezes snapshot disks and answers Changed Block Tracking
queries from their content) at random offsets, with writes that
straddle a copy chunk, at offset 0 and on the last sector, between and
during the full sync, the incremental syncs and the cutover. The power
off is wrapped so that it takes the guest's lock: a write is either
before it or never, as with a real guest.

Gate: one trial. ``tox -e faults``: 20 seeded trials.
"""

import collections
import os
import random
import threading
import time

import fixtures

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.tests.functional import faults
from xms.tests.functional.faults import workers
from xms.tests.functional.orchestration import base

MiB = base.MiB
SIZE = 4 * MiB
SECTOR = 512
CHUNK = MiB  # [transport]/chunk_size_mib in the orchestration set-up


class Guest(threading.Thread):
    """Writes the live disk until the VM is powered off."""

    def __init__(self, sim, vm, seed):
        super().__init__(daemon=True, name='guest-%s' % vm)
        self.sim, self.vm = sim, vm
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.powered_off = False
        self.stopped = threading.Event()
        self.kinds = collections.Counter()
        self.bytes = 0
        self.error = None

    def _next(self):
        r = self.rnd
        kind = r.choice(['random', 'random', 'straddle', 'first',
                         'last'])
        if kind == 'first':
            return kind, 0, r.randrange(1, 129) * SECTOR
        if kind == 'last':
            n = r.randrange(1, 9) * SECTOR
            return kind, SIZE - n, n
        if kind == 'straddle':
            boundary = r.randrange(1, SIZE // CHUNK) * CHUNK
            before = r.randrange(1, 129) * SECTOR
            after = r.randrange(1, 129) * SECTOR
            return kind, boundary - before, before + after
        n = r.randrange(1, 257) * SECTOR
        return kind, r.randrange(0, (SIZE - n) // SECTOR + 1) * SECTOR, n

    def run(self):
        try:
            while not self.stopped.is_set():
                with self.lock:
                    if self.powered_off:
                        return
                    kind, offset, n = self._next()
                    self.sim.write_live_disk(self.vm, offset,
                                             os.urandom(n))
                    self.kinds[kind] += 1
                    self.bytes += n
                self.stopped.wait(self.rnd.uniform(0.002, 0.02))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            self.error = exc

    def stop(self):
        self.stopped.set()
        self.join(30)


class TestWarmUnderLoad(base.OrchestrationTestCase):

    vcsim_kwargs = {'vms': 16} if faults.full_run() else {}

    def setUp(self):
        super().setUp()
        self.guest = None
        from xms.sources.vsphere import power
        real = power.power_off
        test = self

        def power_off(session, vm, timeout=None):
            guest = test.guest
            if guest is None or guest.moref != vm._moId:
                return real(session, vm, timeout)
            with guest.lock:
                result = real(session, vm, timeout)
                guest.powered_off = True
            return result

        self.useFixture(fixtures.MonkeyPatch(
            'xms.sources.vsphere.power.power_off', power_off))
        self.start_local_worker()

    def _trial(self, vm, rnd):
        self.put_disk(base.random_disk(SIZE), vm=vm)
        user = 'owner-%s' % vm
        self.sim.wait_for_task(self.sim.find_vm(vm).CreateSnapshot_Task(
            name=user, memory=False, quiesce=False))
        self.guest = Guest(self.sim, vm, rnd.random())
        self.guest.moref = self.sim.find_vm(vm)._moId
        self.guest.start()
        self.addCleanup(self.guest.stop)
        job = self.make_job('warm', vm=vm)
        jobs.start(self.ctx, job.id)
        row = self.wait_state(job, states.READY, states.FAILED,
                              timeout=180)
        self.assertEqual(states.READY, row.state, row.error)
        syncs = rnd.randint(1, 2)
        for _ in range(syncs):
            # Between syncs too: let the guest write for a while.
            time.sleep(rnd.uniform(0.1, 1.0))
            jobs.sync(self.ctx, job.id)
            row = self.wait_state(job, states.READY, states.FAILED,
                                  timeout=180)
            self.assertEqual(states.READY, row.state, row.error)
        time.sleep(rnd.uniform(0.1, 1.0))
        jobs.cutover(self.ctx, job.id)
        row = self.wait_state(job, states.COMPLETED, states.FAILED,
                              timeout=240)
        self.assertEqual(states.COMPLETED, row.state, row.error)
        self.assertTrue(self.guest.powered_off)
        self.guest.stop()
        self.assertIsNone(self.guest.error)
        self.assertEqual('poweredOff', self.power_state(vm))
        # No write after the power-off: the live disk now is the disk
        # as it was at power-off.
        at_power_off = self.sim.read_live_disk(vm, 0, SIZE)
        same = [at_power_off] == self.target_bytes(job)
        final = db_api.api_job_syncs(self.ctx, job.id)[-1]
        left = {}
        if self.live_snapshots(job):
            left['snapshot_rows'] = [s.name for s in self.live_snapshots(
                job)]
        if self.vm_snapshots(vm) != [user]:
            left['vm_snapshots'] = self.vm_snapshots(vm)
        return same, syncs, final.bytes_copied, left

    def test_target_equals_disk_at_power_off(self):
        seed, rnd = faults.rng('warm-under-load')
        self.driver.discover(self.ctx, self.source)
        vms = sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))
        count = faults.trials(full=20)
        table = faults.FigureTable(
            'Warm under load (seed %d)' % seed,
            ['trial', 'syncs', 'guest writes (random/straddle/first/last)',
             'guest bytes', 'final sync bytes', 'result', 'leftovers',
             'seconds'])
        failures = []
        began = time.monotonic()
        for i in range(count):
            start = time.monotonic()
            try:
                same, syncs, final, left = self._trial(vms[i], rnd)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append('trial %d: %s' % (i, exc))
                table.add(i, '-', '-', '-', '-', 'FAIL', '-',
                          '%.1f' % (time.monotonic() - start))
                workers.progress(table)
                continue
            finally:
                if self.guest is not None:
                    self.guest.stop()
            k = self.guest.kinds
            if not same:
                failures.append('trial %d: target differs from the disk '
                                'at power-off' % i)
            if left:
                failures.append('trial %d: left %s' % (i, left))
            table.add(i, syncs, '%d/%d/%d/%d' % (
                k['random'], k['straddle'], k['first'], k['last']),
                self.guest.bytes, final,
                'pass' if same and not left else 'FAIL', len(left),
                '%.1f' % (time.monotonic() - start))
            workers.progress(table)
        table.add('all', '%d trials' % count, '-', '-', '-',
                  '%d passed' % (count - len(failures)), '-',
                  '%.1f' % (time.monotonic() - began))
        table.emit()
        self.assertEqual([], failures)

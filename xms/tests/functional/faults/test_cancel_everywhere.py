"""Cancel everywhere: in every state and at every task of the cold,
warm (full and incremental sync) and cutover flows.

The cancel arrives exactly as a task is about to run (the test wraps the
tasks' ``pre_execute``, TaskFlow's hook before ``execute``, and calls
the conductor's ``jobs.cancel`` there), and in the states between flows
(queued, ready, and completed, where it is refused). After every cancel:
the job is ``cancelled``, the source VM is powered on again, no XMS
snapshot is left (the owner's own snapshot survives) and the target is
gone, or kept whole when the cancel asked for ``keep_target``.

Gate: one seeded trial each of cold, warm and cutover. ``tox -e
faults``: every state and every phase of every flow (at a seeded task of
the phase; ``XMS_FAULT_CANCEL_TASKS=all`` cancels at every task),
``keep_target`` chosen at random.
"""

import os
import threading
import time

import fixtures
from oslo_utils import importutils

from xms.common import exception
from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.flows import names as flow_factories
from xms.targets import local_common
from xms.tests.functional import faults
from xms.tests.functional.faults import workers
from xms.tests.functional.orchestration import base
from xms.worker.tasks import base as task_base

MiB = base.MiB
SIZE = 4 * MiB


def task_names(flow_name):
    flow = importutils.import_class(flow_factories.FACTORIES[flow_name])()
    return [atom.name for atom in flow]


#: The phase each flow opens with (its StartFlow task sets it).
FIRST_PHASE = {'cold': states.EXPORT, 'warm_full_sync': states.INITIALIZING,
               'incremental_sync': states.INCREMENTAL_SYNC,
               'cutover': states.FINAL_DELTA}


def phases(flow_name):
    """``[(phase, [task names])]`` of a flow, in order."""
    out = [(FIRST_PHASE[flow_name], [])]
    for name in task_names(flow_name):
        if name.startswith('SetPhase-'):
            out.append((name.split('-')[1], []))
        out[-1][1].append(name)
    return [(phase, names) for phase, names in out if names]


def flows_of(kind):
    return {'cold': ['cold'],
            'warm': ['warm_full_sync', 'incremental_sync'],
            'cutover': ['cutover']}[kind]


def cases(kind, rnd=None):
    """(flow to cancel in, task name) or ('state', state) of a job type.

    Every task with ``rnd`` None; else one task of each phase, chosen
    with ``rnd``.
    """
    out = []
    if kind in ('cold', 'warm'):
        out.append(('state', states.QUEUED))
    for flow in flows_of(kind):
        if flow == 'incremental_sync':
            out.append(('state', states.READY))
        for _phase, names in phases(flow):
            chosen = names if rnd is None else [rnd.choice(names)]
            out.extend((flow, n) for n in chosen)
    if kind == 'cutover':
        out.append(('state', states.COMPLETED))
    return out


class _CancelAt:
    """Cancels a job once, as the named task of the named flow starts."""

    def __init__(self, test, job, flow, task, keep_target):
        self.test, self.job = test, job
        self.flow, self.task = flow, task
        self.keep_target = keep_target
        self.fired = threading.Event()

    def __call__(self, task):
        if self.fired.is_set() or task.name != self.task:
            return
        row = db_api.job_get(self.test.ctx, self.job.id)
        if row.active_flow != self.flow:
            return
        self.fired.set()
        jobs.cancel(self.test.ctx, self.job.id,
                    keep_target=self.keep_target)


class TestCancelEverywhere(base.OrchestrationTestCase):

    vcsim_kwargs = {'vms': 16} if faults.full_run() else {}

    def setUp(self):
        super().setUp()
        self.hook = None
        real = task_base.JobTask.pre_execute
        test = self

        def pre_execute(task):
            if test.hook is not None:
                test.hook(task)
            return real(task)

        self.useFixture(fixtures.MonkeyPatch(
            'xms.worker.tasks.base.JobTask.pre_execute', pre_execute))
        self.start_local_worker()

    def _vms(self):
        self.driver.discover(self.ctx, self.source)
        return sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))

    def _target_files(self, job):
        # The local target keeps a job's files under its uuid.
        path = local_common.job_dir(job.uuid)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def _trial(self, kind, case, vm, keep_target):
        """Returns (outcome, leftovers) of one cancel."""
        self.put_disk(base.random_disk(SIZE), vm=vm)
        user = 'owner-%s' % vm
        self.sim.wait_for_task(self.sim.find_vm(vm).CreateSnapshot_Task(
            name=user, memory=False, quiesce=False))
        job = self.make_job('cold' if kind == 'cold' else 'warm', vm=vm)
        where, what = case
        refused = False
        if where == 'state' and what == states.QUEUED:
            self.hook = None
            # Queued, not yet dispatched: the flow never runs.
            self.assertEqual(states.QUEUED, self.job(job).state)
            jobs.cancel(self.ctx, job.id, keep_target=keep_target)
        else:
            cancel_at = None
            if where != 'state':
                cancel_at = _CancelAt(self, job, where, what, keep_target)
            self.hook = cancel_at
            jobs.start(self.ctx, job.id)
            if kind in ('warm', 'cutover') and where != 'warm_full_sync':
                row = self.wait_state(job, states.READY, states.FAILED,
                                      states.CANCELLED)
                self.assertEqual(states.READY, row.state, row.error)
                if kind == 'cutover':
                    # A cutover follows at least one incremental sync.
                    jobs.sync(self.ctx, job.id)
                    row = self.wait_state(job, states.READY, states.FAILED)
                    self.assertEqual(states.READY, row.state, row.error)
                self.sim.write_live_disk(vm, 0, os.urandom(65536))
                if what == states.READY:
                    jobs.cancel(self.ctx, job.id, keep_target=keep_target)
                elif where == 'incremental_sync':
                    jobs.sync(self.ctx, job.id)
                else:
                    jobs.cutover(self.ctx, job.id)
            if what == states.COMPLETED:
                row = self.wait_state(job, states.COMPLETED, states.FAILED)
                self.assertEqual(states.COMPLETED, row.state, row.error)
                self.assertRaises(exception.XmsException, jobs.cancel,
                                  self.ctx, job.id)
                refused = True
        final = (states.COMPLETED,) if refused else (
            states.CANCELLED, states.FAILED, states.COMPLETED, states.READY)
        row = self.wait_state(job, *final, timeout=180)
        self.hook = None
        if where not in ('state',) and not cancel_at.fired.is_set():
            self.fail('the cancel hook never fired at %s' % (case,))
        left = {}
        if refused:
            # Nothing changes: the target stays, the source stays off.
            if self.power_state(vm) != 'poweredOff':
                left['power'] = self.power_state(vm)
            if not self._target_files(job):
                left['target_removed'] = True
            outcome = 'refused'
        else:
            if row.state != states.CANCELLED:
                self.fail('job %s after cancel at %s: %s' % (
                    row.state, case, row.error))
            outcome = 'cancelled'
            if self.power_state(vm) != 'poweredOn':
                left['power'] = self.power_state(vm)
            files = self._target_files(job)
            if keep_target:
                vols = [d.volume_id for d in row.disks if d.volume_id]
                missing = [v for v in vols if not os.path.exists(
                    local_common.volume_path(v))]
                if missing:
                    left['kept_volumes_missing'] = missing
            else:
                if files:
                    left['target_files'] = files
                if any(d.volume_id for d in row.disks):
                    left['volume_ids'] = [d.volume_id for d in row.disks]
        if self.live_snapshots(job):
            left['snapshot_rows'] = [s.name for s in self.live_snapshots(
                job)]
        if self.vm_snapshots(vm) != [user]:
            left['vm_snapshots'] = self.vm_snapshots(vm)
        return outcome, left

    def _suite(self, kind):
        seed, rnd = faults.rng('cancel-everywhere-%s' % kind)
        # Every phase (at a seeded task of it) and state under faults;
        # every task with XMS_FAULT_CANCEL_TASKS=all; one in the gate.
        if os.environ.get('XMS_FAULT_CANCEL_TASKS') == 'all':
            chosen = cases(kind)
        elif faults.full_run():
            chosen = cases(kind, rnd)
        else:
            chosen = [rnd.choice(cases(kind))]
        vms = self._vms()
        table = faults.FigureTable(
            'Cancel everywhere: %s (seed %d)' % (kind, seed),
            ['trial', 'cancelled at', 'keep_target', 'result', 'leftovers',
             'seconds'])
        failures = []
        began = time.monotonic()
        leftover_total = 0
        for i, case in enumerate(chosen):
            keep = rnd.random() < 0.3
            start = time.monotonic()
            where = '%s:%s' % case
            try:
                outcome, left = self._trial(kind, case, vms[i], keep)
            except Exception as exc:  # noqa: BLE001 - reported below
                self.hook = None
                failures.append('%s: %s' % (where, exc))
                table.add(i, where, keep, 'FAIL', '-',
                          '%.1f' % (time.monotonic() - start))
                workers.progress(table)
                continue
            leftover_total += len(left)
            if left:
                failures.append('%s: left %s' % (where, left))
            table.add(i, where, keep, outcome if not left else 'LEFT',
                      len(left), '%.1f' % (time.monotonic() - start))
            workers.progress(table)
        table.add('all', '%d trials' % len(chosen),
                  '-', '%d passed' % (len(chosen) - len(failures)),
                  leftover_total, '%.1f' % (time.monotonic() - began))
        table.emit()
        self.assertEqual([], failures)

    def test_cold(self):
        self._suite('cold')

    def test_warm(self):
        self._suite('warm')

    def test_cutover(self):
        self._suite('cutover')

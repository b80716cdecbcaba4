"""Fencing: a worker paused past its lease cannot write after its successor.

A worker is paused with SIGSTOP in the middle of a copy, long enough for
its etcd lease to lapse; another worker claims the flow (a new claim
epoch, ``jobs.flow_epoch``) and resumes the copy. The first worker is
then continued with SIGCONT while the second still copies: every write
it attempts (a checkpoint, progress, a phase change, a revert's cleanup)
must be refused, it must stop without reverting anything and say so (a
``fenced`` event with both epochs), and the job must complete with a
bit-identical disk and nothing left behind.

One trial in the gate, five under ``tox -e faults``.
"""

import os
import signal
import time

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.tests.functional import faults
from xms.tests.functional.orchestration import base
from xms.tests.functional.orchestration import test_jobboard

MiB = base.MiB


def _children(pid, name):
    """Pids of the live processes named ``name`` whose parent is ``pid``."""
    out = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index('(') + 1:stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2:].split()
        if comm == name and int(fields[1]) == pid and fields[0] != 'Z':
            out.append(int(entry))
    return out


class TestPausedWorkerIsFenced(test_jobboard.JobboardTestCase):

    #: Short, so that a paused worker loses its claim within seconds.
    claim_ttl = 5

    def test_sigstop_past_lease_then_sigcont(self):
        count = faults.trials(full=5)
        seed, rng = faults.rng('fencing')
        table = faults.FigureTable(
            'Fencing: SIGSTOP past the lease, SIGCONT after the takeover '
            '(seed %d)' % seed,
            ['trial', 'stopped at', 'takeover s', 'fenced', 'epochs',
             'refused writes', 'ck regress', 'identical', 'leftovers',
             'pass'])
        passes = 0
        for trial in range(count):
            row = self._trial(trial, rng.uniform(0.15, 0.4))
            table.add(trial + 1, *row)
            passes += row[-1] == 'yes'
        table.emit()
        self.assertEqual(count, passes)

    def _trial(self, trial, fraction):
        size = 8 * MiB
        data = base.random_disk(size, seed=trial)
        self.put_disk(data)
        job = self.make_job('warm')
        # Both workers are up before the flow is posted (starting one
        # takes seconds on a loaded machine): whichever claims the flow
        # is paused, the other resumes it.
        procs = {name: self.start_worker(name, rate_kib=512)
                 for name in ('wa-%d' % trial, 'wb-%d' % trial)}
        jobs.start(self.ctx, job.id)
        row = self.wait_for(
            job, lambda j: j.worker_host in procs
            and (j.disks[0].checkpoint or {}).get('bytes_done', 0)
            >= fraction * size, what='a worker copying past %s' % fraction)
        victim = row.worker_host
        successor = [n for n in procs if n != victim][0]
        w1, w2 = procs[victim], procs[successor]
        epoch1 = self.job(job).flow_epoch
        os.kill(w1.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            stopped_at = self.job(job).disks[0].checkpoint['bytes_done']
            row = self.wait_for(
                job, lambda j: j.worker_host == successor
                and j.flow_epoch > epoch1, timeout=60,
                what='%s claimed the flow' % successor)
            takeover = time.monotonic() - stopped
            epoch2 = row.flow_epoch
            self.wait_for(job, lambda j: any(
                e.event_type == 'copy_resumed' for e in self.events(j)),
                what='w2 resumed the copy')
        finally:
            os.kill(w1.pid, signal.SIGCONT)
        # From now on the checkpoint only moves forward: w1's writes,
        # which would set it back to where w1 was, are refused.
        regressions = 0
        last = 0
        deadline = time.monotonic() + 120
        while True:
            row = self.job(job)
            ck = row.disks[0].checkpoint or {}
            if ck.get('bytes_done', 0) < last and not ck.get('done'):
                regressions += 1
            last = max(last, ck.get('bytes_done', 0))
            if row.state in (states.READY, states.FAILED) \
                    and row.active_flow is None:
                break
            self.assertLess(time.monotonic(), deadline, 'job not done')
            time.sleep(0.02)
        fenced = self.wait_for(job, lambda j: any(
            e.event_type == 'fenced' for e in self.events(j)),
            timeout=60, what='w1 reported being fenced out')
        event = [e for e in self.events(fenced)
                 if e.event_type == 'fenced'][0]
        job = self.job(job)
        identical = self.target_bytes(job) == [data]
        # No nbdkit left under either worker (w1 is alive and idle).
        leftovers = []
        end = time.monotonic() + 30
        while time.monotonic() < end:
            leftovers = (_children(w1.pid, 'nbdkit')
                         + _children(w2.pid, 'nbdkit'))
            if not leftovers:
                break
            time.sleep(0.2)
        leftovers = (['nbdkit:%d' % p for p in leftovers]
                     + ['snapshot:%s' % s.name
                        for s in self.live_snapshots(job)]
                     + ['vm snapshot:%s' % s for s in self.vm_snapshots()])
        failed = [e for e in self.events(job) if e.event_type == 'failed']
        ok = (job.state == states.READY and identical and not leftovers
              and not regressions and not failed
              and event.payload['host'] == victim
              and event.payload['epoch'] == epoch1
              and event.payload['current_epoch'] == epoch2)
        self.assertEqual(states.READY, job.state, job.error)
        self.assertTrue(identical, 'target differs from the source disk')
        self.assertEqual([], leftovers)
        self.assertEqual(0, regressions)
        self.assertEqual([], [e.message for e in failed])
        self.assertEqual(victim, event.payload['host'])
        self.assertEqual(epoch1, event.payload['epoch'])
        self.assertEqual(epoch2, event.payload['current_epoch'])
        refused = self._refused_writes(victim)
        self._stop(w1)
        self._stop(w2)
        # Free the VM for the next trial (a ready warm job claims it).
        db_api.job_update(self.ctx, job.id, {'active_vm_id': None})
        return ['%d%%' % (100 * stopped_at // size), '%.1f' % takeover,
                'yes', '%d->%d' % (epoch1, epoch2), refused, regressions,
                'yes' if identical else 'NO', len(leftovers),
                'yes' if ok else 'no']

    def _refused_writes(self, name):
        path = os.path.join(self.state_path, '%s.log' % name)
        with open(path, errors='replace') as f:
            return sum(1 for line in f if 'FencedOut' in line
                       or 'fenced out' in line)

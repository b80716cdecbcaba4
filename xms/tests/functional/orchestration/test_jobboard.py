"""Flows on the etcd jobboard, run by separate worker processes.

A worker killed with SIGKILL in the middle of a copy loses its claim
when its etcd lease expires; another worker claims the flow and the copy
resumes from the last checkpoint. Many jobs against few slots drain
with no job ever run twice at once.
"""

import os
import signal
import subprocess
import sys
import uuid

from oslo_utils import timeutils

from xms.common import states
from xms.conductor import jobs
from xms.db import api as db_api
from xms.tests.functional.orchestration import base

MiB = base.MiB


class JobboardTestCase(base.OrchestrationTestCase):

    def setUp(self):
        super().setUp()
        self.board = 'xms-test-%s' % uuid.uuid4().hex[:12]
        self.config(jobboard_backend='etcd', jobboard_name=self.board,
                    claim_ttl=self.claim_ttl, group='taskflow')
        self.procs = []

    #: claim TTL of the workers: short where a test waits for a dead
    #: worker's claims to expire, longer elsewhere so that a loaded test
    #: machine never lets a live worker's claim lapse.
    claim_ttl = 15

    def _resumes(self, job):
        return [e for e in self.events(job)
                if e.event_type == 'copy_resumed']

    def start_worker(self, name, slots=2, rate_kib=0):
        conf = self.write_worker_conf(name, self.board, self.claim_ttl,
                                      slots=slots, rate_kib=rate_kib)
        proc = subprocess.Popen(
            [sys.executable, '-m',
             'xms.tests.functional.orchestration.worker_child', conf],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
        self.procs.append(proc)
        self.addCleanup(self._stop, proc)
        line = proc.stdout.readline()
        if b'worker ready' not in line:
            self.fail('worker %s did not start: %s%s' % (
                name, line.decode(), proc.stdout.read().decode()[-3000:]))
        return proc

    @staticmethod
    def _stop(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()


class TestWorkerKilled(JobboardTestCase):

    claim_ttl = 5

    def test_kill_9_during_full_sync_resumes_from_checkpoint(self):
        size = 16 * MiB
        data = base.random_disk(size)
        self.put_disk(data)
        job = self.make_job('warm')
        workers = {'w1': self.start_worker('w1', rate_kib=1024)}
        jobs.start(self.ctx, job.id)
        self.wait_for(job, lambda j: j.worker_host == 'w1',
                      what='w1 claimed the flow')
        # The successor is up before the kill: it cannot claim the flow
        # while w1 holds it.
        workers['w2'] = self.start_worker('w2', rate_kib=512)

        # Kill the copying worker twice, at two points of the copy; a
        # third worker finishes.
        for kill, (victim, successor, fraction) in enumerate(
                (('w1', 'w2', 0.25), ('w2', 'w3', 0.6))):
            row = self.wait_for(
                job, lambda j, f=fraction, v=victim: j.worker_host == v
                and not (j.disks[0].checkpoint or {}).get('done')
                and (j.disks[0].checkpoint or {}).get('bytes_done', 0)
                >= f * size, what='%s copying past %s' % (victim, fraction))
            before = self.job(job).disks[0]
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            ck_at_kill = before.checkpoint['bytes_done']
            progress_at_kill = before.bytes_done
            self.assertEqual(states.RUNNING, row.state)

            row = self.wait_for(
                job, lambda j, s=successor: j.worker_host == s,
                timeout=60, what='%s took over' % successor)
            if successor == 'w2':
                workers['w3'] = self.start_worker('w3', rate_kib=4096)
            self.wait_for(job, lambda j, n=kill + 1: n == len(
                self._resumes(j)), what='copy resumed by %s' % successor)
            resumed = self._resumes(job)[-1]
            resumed_at = resumed.payload['resumed_bytes']
            # The successor continues from the victim's last durable
            # checkpoint (or a later one), not from byte zero...
            self.assertGreaterEqual(resumed_at, ck_at_kill)
            self.assertGreater(resumed_at, 0)
            # ... so what is read twice is at most what the victim had
            # copied past its checkpoint: one window plus the reads in
            # flight.
            window = (1 + 4) * MiB
            self.assertLessEqual(progress_at_kill - resumed_at, window)

        job = self.wait_state(job, states.READY, states.FAILED, timeout=120)
        self.assertEqual(states.READY, job.state, job.error)
        self.assertEqual([data], self.target_bytes(job))
        copied = [e for e in self.events(job)
                  if e.event_type == 'disk_copied']
        self.assertEqual(1, len(copied))
        last_resume = [e for e in self.events(job)
                       if e.event_type == 'copy_resumed'][-1]
        # The last worker read exactly what was left after its resume
        # point, less the zero runs, which CBT does not report as
        # allocated (the plan zeroes them on the target instead).
        resumed_at = last_resume.payload['resumed_bytes']
        block = 64 * 1024
        allocated_left = sum(
            block for off in range(resumed_at, size, block)
            if any(data[off:off + block]))
        self.assertEqual(allocated_left, copied[0].payload['bytes_read'])
        hosts = [e.payload['host'] for e in self.events(job)
                 if e.event_type == 'flow_claimed']
        self.assertEqual(['w1', 'w2', 'w3'], hosts)
        self.assertEqual([], self.live_snapshots())
        self.assertEqual([], self.vm_snapshots())



class TestGracefulStop(JobboardTestCase):

    #: Long enough that a successor can only take over quickly if the
    #: stopping worker released its claim itself.
    claim_ttl = 90

    def test_sigterm_releases_claim_and_successor_resumes(self):
        size = 16 * MiB
        data = base.random_disk(size)
        self.put_disk(data)
        job = self.make_job('warm')
        # Both workers are up before the flow is posted (a worker's start
        # can take longer than the rest of the copy on a loaded machine);
        # whichever claims it is stopped.
        workers = {'w1': self.start_worker('w1', rate_kib=1024),
                   'w2': self.start_worker('w2', rate_kib=1024)}
        jobs.start(self.ctx, job.id)
        row = self.wait_for(job, lambda j: j.worker_host in workers
                            and (j.disks[0].checkpoint or {}).get(
                                'bytes_done', 0) >= size // 4,
                            what='a worker copying')
        first = row.worker_host
        second = 'w2' if first == 'w1' else 'w1'
        w1 = workers[first]
        stopped_at = timeutils.utcnow()
        w1.send_signal(signal.SIGTERM)
        # graceful_shutdown_timeout is 5 s: the worker suspends its flow,
        # releases the claim and exits cleanly.
        self.assertEqual(0, w1.wait(timeout=60))

        job = self.wait_state(job, states.READY, states.FAILED, timeout=120)
        self.assertEqual(states.READY, job.state, job.error)
        self.assertEqual([data], self.target_bytes(job))
        claims = [e for e in self.events(job)
                  if e.event_type == 'flow_claimed']
        self.assertEqual([first, second],
                         [e.payload['host'] for e in claims])
        # w2 could claim it long before w1's claim would have expired:
        # w1 released it.
        taken_over = (claims[1].created_at - stopped_at).total_seconds()
        self.assertLess(taken_over, self.claim_ttl / 2)
        # The copy went on from a checkpoint, not from byte zero.
        self.assertTrue(self._resumes(job))
        self.assertGreater(self._resumes(job)[-1].payload['resumed_bytes'],
                           0)
        self.assertEqual([], self.live_snapshots())

class TestManyJobsFewSlots(JobboardTestCase):

    vcsim_kwargs = {"vms": 12}
    JOBS = 24
    WORKERS = 2
    SLOTS = 2

    def test_jobs_drain_in_order_never_twice_at_once(self):
        self.driver.discover(self.ctx, self.source)
        vms = sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))[:self.JOBS]
        self.assertEqual(self.JOBS, len(vms))
        posted = []
        for vm in vms:
            job = self.make_job('warm', vm=vm)
            jobs.start(self.ctx, job.id)
            posted.append(job)
        for i in range(self.WORKERS):
            self.start_worker('w%d' % i, slots=self.SLOTS)
        for job in posted:
            row = self.wait_state(job, states.READY, states.FAILED,
                                  timeout=300)
            self.assertEqual(states.READY, row.state, row.error)

        slots = self.WORKERS * self.SLOTS
        runs = []
        for job in posted:
            events = self.events(job)
            started = [e for e in events if e.event_type == 'flow_started']
            finished = [e for e in events if e.event_type == 'flow_finished']
            # Each job ran once: one start, one finish.
            self.assertEqual((1, 1), (len(started), len(finished)))
            runs.append((started[0].id, finished[0].id, job.id))
        # Never more flows at once than slots: walk the events in order.
        marks = sorted([(s, 1) for s, _f, _j in runs]
                       + [(f, -1) for _s, f, _j in runs])
        running = peak = 0
        for _id, delta in marks:
            running += delta
            peak = max(peak, running)
        self.assertLessEqual(peak, slots)
        # In order: a job never starts after more than ``slots`` jobs
        # posted after it have started.
        order = [j for _s, _f, j in sorted(runs)]
        for pos, job_id in enumerate(order):
            overtaken = sum(1 for j in order[:pos] if j > job_id)
            self.assertLess(overtaken, slots, order)

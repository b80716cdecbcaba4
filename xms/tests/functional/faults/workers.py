"""Set-up the fault suites share: worker processes on an etcd jobboard,
and the checks that a trial left nothing behind.

Each worker is a separate process (``crash_child``) that a trial can
kill with SIGKILL, by itself at a named task transition or from the test
at a point of the copy; the others claim its flows when its etcd lease
lapses. Everything goes through the conductor's jobs module and the
worker processes, as a deployment runs them.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

from xms.targets import local_common
from xms.tests.functional.orchestration import base

MiB = base.MiB

#: What a killed copy may read twice: the checkpoint window plus the
#: reads in flight (``checkpoint_window_mib`` + ``buffer_mib`` of
#: ``OrchestrationTestCase.write_worker_conf``).
REREAD_WINDOW = (1 + 4) * MiB


class WorkerProcessesTestCase(base.OrchestrationTestCase):

    #: Short, so that a dead worker's flows are claimed again quickly; a
    #: live worker refreshes its claims every ttl/3 seconds.
    claim_ttl = 5

    def setUp(self):
        super().setUp()
        self.board = 'xms-faults-%s' % uuid.uuid4().hex[:12]
        self.config(jobboard_backend='etcd', jobboard_name=self.board,
                    claim_ttl=self.claim_ttl, group='taskflow')

    def spawn_worker(self, name, rate_kib=0, slots=2):
        """Start a worker process up to the point where it would claim.

        It imports everything and waits: :meth:`activate` lets it run.
        Its ``kill_file`` (empty at first) arms it, see :meth:`arm`.
        """
        conf = self.write_worker_conf(name, self.board, self.claim_ttl,
                                      slots=slots, rate_kib=rate_kib)
        kill_file = os.path.join(self.state_path, '%s.kill' % name)
        open(kill_file, 'w').close()
        proc = subprocess.Popen(
            [sys.executable, '-m', 'xms.tests.functional.faults.crash_child',
             conf, kill_file], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
        proc.worker_name = name
        proc.kill_file = kill_file
        proc.active = False
        self.addCleanup(self.stop_worker, proc)
        return proc

    def activate(self, proc):
        """Let a spawned worker run; returns once it claims flows."""
        if proc.active:
            return proc
        for _ in range(2):
            line = proc.stdout.readline()
            if b'loaded' in line:
                proc.stdin.write(b'go\n')
                proc.stdin.flush()
            elif b'worker ready' in line:
                proc.active = True
                return proc
            else:
                break
        self.fail('worker %s did not start: %s%s' % (
            proc.worker_name, line.decode(),
            proc.stdout.read().decode()[-3000:]))

    @staticmethod
    def arm(proc, kill_at):
        """Make ``proc`` kill itself at ``flow:task:STATE`` (or never)."""
        with open(proc.kill_file, 'w') as f:
            f.write(kill_at or '')

    def start_worker(self, name, kill_at=None, rate_kib=0, slots=2):
        """Spawn, arm and activate a worker in one go."""
        proc = self.spawn_worker(name, rate_kib=rate_kib, slots=slots)
        self.arm(proc, kill_at)
        return self.activate(proc)

    @staticmethod
    def stop_worker(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except OSError:
                    pass

    def wait_dead(self, proc, timeout=120, what='worker killed itself'):
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail('%s: not within %d s' % (what, timeout))

    # -- leftovers -------------------------------------------------------

    def user_snapshot(self, vm, name='before-upgrade'):
        """A snapshot the VM's owner took: XMS must never touch it."""
        self.sim.wait_for_task(self.sim.find_vm(vm).CreateSnapshot_Task(
            name=name, memory=False, quiesce=False))
        return name

    def nbdkit_processes(self):
        """nbdkit processes reading this test's simulator."""
        port = ':%d' % self.sim.port
        found = []
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    argv = f.read().split(b'\0')
            except OSError:
                continue
            if (argv and os.path.basename(argv[0]) == b'nbdkit'
                    and any(port.encode() in a or
                            self.state_path.encode() in a for a in argv)):
                found.append(int(pid))
        return found

    def leftovers(self, job, vm, keep=(), target=True):
        """What a finished job left that it should not have, by kind.

        ``keep``: the VM's snapshots that must remain (the user's).
        ``target``: whether the job's target is meant to exist.
        """
        job = self.job(job)
        out = {}
        snaps = self.live_snapshots(job)
        if snaps:
            out['snapshot_rows'] = [s.name for s in snaps]
        on_vm = self.vm_snapshots(vm)
        if sorted(on_vm) != sorted(keep):
            out['vm_snapshots'] = on_vm
        root = local_common.root()
        wanted = set()
        if target:
            for d in job.disks:
                if d.volume_id:
                    path = local_common.volume_path(d.volume_id)
                    wanted |= {path, path[:-len('.raw')] + '.json'}
            # The local target keeps a job's files under its uuid.
            job_dir = local_common.job_dir(job.uuid)
            wanted |= {os.path.join(job_dir, n)
                       for n in ('ports.json', 'domain.xml',
                                 'instance.json')}
        stray = []
        if os.path.isdir(root):
            for dirpath, _dirs, files in os.walk(root):
                for n in files:
                    p = os.path.join(dirpath, n)
                    owner = os.path.relpath(p, root).split(os.sep)[0]
                    if owner == job.uuid and p not in wanted:
                        stray.append(os.path.relpath(p, root))
        if stray:
            out['target_files'] = sorted(stray)
        if target and any(d.volume_id is None for d in job.disks):
            out['volumes_missing'] = True
        # nbdkit runs --exit-with-parent; give the kernel a moment to
        # deliver the parent's death.
        deadline = time.monotonic() + 10
        procs = self.nbdkit_processes()
        while procs and time.monotonic() < deadline:
            time.sleep(0.2)
            procs = self.nbdkit_processes()
        if procs:
            out['nbdkit'] = procs
        return out


def progress(table):
    """Append a suite's newest row to ``$XMS_FAULT_PROGRESS`` at once.

    Tables print when a suite ends; a long run cut short still shows the
    trials it finished.
    """
    path = os.environ.get('XMS_FAULT_PROGRESS')
    if path and table.rows:
        with open(path, 'a') as f:
            f.write('%s | %s\n' % (table.title, ' | '.join(table.rows[-1])))

"""xms-all-in-one's in-process dispatch resumes flows after a restart.

The all-in-one keeps flows in the same TaskFlow persistence as workers
do; at start-up it queues again every flow a job still holds. Here the
process is killed with SIGKILL in the middle of a full sync and started
again: the copy resumes from its last checkpoint and the job finishes.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from xms.common import states
from xms.conductor import jobs
from xms.tests.functional.orchestration import base

MiB = base.MiB


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class TestAllInOneRestart(base.OrchestrationTestCase):

    DB_BACKEND = 'sqlite'

    def _start(self):
        c = self.conf.conf
        conf = os.path.join(self.state_path, 'aio.conf')
        with open(conf, 'w') as f:
            f.write('\n'.join([
                '[DEFAULT]', 'host = aio', 'state_path = %s' % self.state_path,
                '[database]', 'connection = %s' % c.database.connection,
                '[api]', 'port = %d' % _free_port(),
                '[worker]', 'max_jobs = 2', 'heartbeat_interval = 1',
                'max_read_rate_kib = 1024',
                '[conductor]', 'heartbeat_interval = 1',
                '[credentials]',
                'key_repository = %s' % c.credentials.key_repository,
                '[vsphere]', 'task_poll_interval = 0.05',
                'power_poll_interval = 0.05',
                '[target]', 'local_dir = %s' % c.target.local_dir,
                '[conversion]', 'driver = none',
                '[transport]', 'chunk_size_mib = 1', 'buffer_mib = 4',
                'checkpoint_window_mib = 1', '']))
        script = os.path.join(os.path.dirname(sys.executable),
                              'xms-all-in-one')
        log = open(os.path.join(self.state_path, 'aio.log'), 'ab')
        self.addCleanup(log.close)
        proc = subprocess.Popen([script, '--config-file', conf],
                                stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(self._stop, proc)
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

    def test_killed_all_in_one_resumes_its_flows_on_restart(self):
        size = 12 * MiB
        data = base.random_disk(size)
        self.put_disk(data)
        job = self.make_job('warm')
        # Posted before any process runs it: the all-in-one finds the
        # flow at start-up, like one it was running when it died.
        jobs.start(self.ctx, job.id)
        self.assertEqual(states.QUEUED, self.job(job).state)

        proc = self._start()
        self.wait_for(job, lambda j: (j.disks[0].checkpoint or {}).get(
            'bytes_done', 0) >= 3 * MiB, what='copy under way')
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at_kill = self.job(job).disks[0].checkpoint['bytes_done']
        time.sleep(0.5)

        self._start()
        job = self.wait_state(job, states.READY, states.FAILED)
        self.assertEqual(states.READY, job.state, job.error)
        self.assertEqual([data], self.target_bytes(job))
        resumed = [e for e in self.events(job)
                   if e.event_type == 'copy_resumed']
        self.assertEqual(1, len(resumed))
        self.assertGreaterEqual(resumed[0].payload['resumed_bytes'],
                                at_kill)
        claims = [e for e in self.events(job)
                  if e.event_type == 'flow_claimed']
        self.assertEqual(2, len(claims))
        self.assertEqual([], self.live_snapshots())

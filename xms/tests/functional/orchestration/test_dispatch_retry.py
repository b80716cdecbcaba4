"""A dispatch that fails, then recovers: no job stays queued forever.

The conductor (this process) reaches the etcd jobboard through a port
where nothing listens at first: posting the job's flow fails as it does
when etcd is down. The conductor's real periodic task then re-posts the
flow with backoff, recording an event per attempt; once a forwarder to
the real etcd listens on that port ("etcd is back") the post succeeds, a
separate worker process claims the flow and the job completes. When etcd
stays away for every attempt, the job fails with a clear error and a
retry completes it once etcd is back.
"""

import socket
import threading

from taskflow import exceptions as tf_exc

from xms.common import states
from xms.conductor import manager
from xms.conductor import scheduler
from xms.tests.functional.fixtures import sockets
from xms.tests.functional.orchestration import base
from xms.tests.functional.orchestration import test_jobboard

MiB = base.MiB


class EtcdForwarder:
    """A TCP port that refuses connections until :meth:`start`, then
    forwards them to the real etcd."""

    def __init__(self, target=('127.0.0.1', 2379)):
        self.target = target
        probe = socket.socket()
        probe.bind(('127.0.0.1', 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server = None

    def start(self):
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(('127.0.0.1', self.port))
        self._server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=sockets.pump, args=(src, dst),
                                 daemon=True).start()

    def stop(self):
        if self._server is not None:
            self._server.close()


class TestDispatchRetry(test_jobboard.JobboardTestCase):

    def setUp(self):
        super().setUp()
        self.etcd = EtcdForwarder()
        self.addCleanup(self.etcd.stop)
        # The workers use the real etcd; this conductor goes through the
        # forwarder's port, closed for now.
        self.config(jobboard_hosts=['127.0.0.1:%d' % self.etcd.port],
                    group='taskflow')
        self.config(dispatch_retry_interval=1, dispatch_retry_max_interval=2,
                    group='conductor')
        self.conductor = manager.ConductorManager(self.conf.conf.host)
        self.put_disk(base.random_disk(3 * MiB))
        self.job_row = self.make_job('cold')

    def start_periodic(self):
        periodic = scheduler.Periodic('xms-test-scheduler', scheduler.run_once,
                                      0.2)
        periodic.start()
        self.addCleanup(periodic.stop)

    def event_types(self, job, *wanted):
        return [e.event_type for e in self.events(job)
                if e.event_type in wanted]

    def test_dispatch_fails_then_recovers_and_the_job_completes(self):
        self.config(dispatch_max_attempts=30, group='conductor')
        job = self.job_row
        self.assertRaises(tf_exc.JobFailure, self.conductor.start_job,
                          self.ctx, job.id)
        row = self.job(job)
        self.assertEqual((states.QUEUED, None, 1),
                         (row.state, row.active_flow, row.dispatch_attempts))
        self.assertIsNotNone(row.next_dispatch_at)

        self.start_worker('w0')
        self.start_periodic()
        # The periodic task keeps trying while etcd is unreachable.
        self.wait_for(job, lambda r: r.dispatch_attempts >= 3, timeout=60,
                      what='three failed dispatch attempts')
        self.assertEqual(states.QUEUED, self.job(job).state)

        self.etcd.start()  # etcd is back
        row = self.wait_state(job, states.COMPLETED, states.FAILED,
                              timeout=180)
        self.assertEqual(states.COMPLETED, row.state, row.error)
        self.assertEqual((0, None), (row.dispatch_attempts,
                                     row.next_dispatch_at))
        events = self.event_types(job, 'dispatch_failed', 'dispatch_retry',
                                  'flow_started', 'completed')
        failed = events.count('dispatch_failed')
        self.assertGreaterEqual(failed, 3)
        # One dispatch_retry event per re-post: every failed one and the
        # one that got through.
        self.assertEqual(failed, events.count('dispatch_retry'))
        self.assertEqual(['dispatch_retry', 'flow_started', 'completed'],
                         events[-3:])
        retries = [e for e in self.events(job)
                   if e.event_type == 'dispatch_retry']
        self.assertEqual(list(range(2, failed + 2)),
                         [e.payload['attempt'] for e in retries])

    def test_dispatch_gives_up_then_retry_completes(self):
        self.config(dispatch_max_attempts=3, group='conductor')
        job = self.job_row
        self.assertRaises(tf_exc.JobFailure, self.conductor.start_job,
                          self.ctx, job.id)
        self.start_periodic()
        row = self.wait_for(job, lambda r: r.state == states.FAILED,
                            timeout=60, what='failed after 3 attempts')
        self.assertEqual((3, 'cold', None),
                         (row.dispatch_attempts, row.failed_flow,
                          row.active_flow))
        self.assertIn('Could not hand the cold flow to a worker in 3 '
                      'attempts', row.error)
        self.assertIn('retry or cancel the job', row.error)
        # The event of the last attempt is recorded just after the state
        # changes: wait for it rather than read the events at once.
        self.wait_for(
            job, lambda _row: len(self.event_types(
                job, 'dispatch_failed')) == 3,
            timeout=30, what='the third dispatch_failed event')

        self.etcd.start()
        self.start_worker('w0')
        self.conductor.retry_job(self.ctx, job.id)
        row = self.wait_state(job, states.COMPLETED, states.FAILED,
                              timeout=180)
        self.assertEqual(states.COMPLETED, row.state, row.error)

"""The embedded API server: a full queue answers 503, never a reset."""

import http.client
import threading

from xms.api import server
from xms.tests import base


class TestAPIServer(base.TestCase):

    def setUp(self):
        super().setUp()
        self.release = threading.Event()
        self.running = threading.Semaphore(0)

        def app(environ, start_response):
            self.running.release()
            self.release.wait(30)
            start_response('200 OK', [('Content-Type', 'text/plain'),
                                      ('Content-Length', '2')])
            return [b'ok']

        self.config(workers=1, max_queued_requests=1, retry_after=7,
                    backlog=64, group='api')
        self.server = server.APIServer(app, '127.0.0.1', 0)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.addCleanup(self.release.set)

    def _request(self, results, index):
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port,
                                          timeout=30)
        try:
            conn.request('POST', '/v1/jobs', body=b'{"x": 1}' * 100,
                         headers={'Content-Type': 'application/json'})
            resp = conn.getresponse()
            results[index] = (resp.status, resp.getheader('Retry-After'),
                              resp.read())
        except OSError as exc:
            results[index] = (None, None, repr(exc))
        finally:
            conn.close()

    def test_full_queue_answers_503_with_retry_after(self):
        clients = 12
        results = [None] * clients
        # The first request takes the only worker.
        first = threading.Thread(target=self._request, args=(results, 0))
        first.start()
        self.assertTrue(self.running.acquire(timeout=30))
        rest = [threading.Thread(target=self._request, args=(results, i))
                for i in range(1, clients)]
        for thread in rest:
            thread.start()
        # One waits in the queue; the others are answered at once.
        refused = lambda: sum(1 for r in results if r and r[0] == 503)  # noqa
        for _i in range(300):
            if refused() >= clients - 2:
                break
            self.running.acquire(timeout=0.1)
        self.release.set()
        for thread in [first] + rest:
            thread.join(30)
        statuses = sorted(r[0] for r in results)
        self.assertNotIn(None, statuses, results)
        self.assertEqual(clients - 2, statuses.count(503), results)
        self.assertEqual(2, statuses.count(200), results)
        for status, retry_after, body in results:
            if status == 503:
                self.assertEqual('7', retry_after)
                self.assertIn(b'at capacity', body)
        self.assertEqual(clients - 2, self.server.httpd.refused)

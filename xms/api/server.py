"""The embedded HTTP server of xms-api and xms-all-in-one.

Production deployments may run the ``xms.api.wsgi`` application under
uwsgi (``etc/xms/xms-api-uwsgi.ini``); this server exists so that
``xms-api`` and the all-in-one hold real load with no extra component,
on native threads and without eventlet. It is cheroot (CherryPy's WSGI
server) with the limits an operator sets in ``[api]``:

* ``backlog``: the listen queue the kernel keeps while every worker is
  busy, so a burst of clients waits instead of being reset;
* ``workers``: a bounded pool of threads running the application;
* ``max_queued_requests``: connections that have a request ready but no
  free worker yet. When this queue is full the server answers
  ``503 Service Unavailable`` with ``Retry-After`` itself, and only
  then closes the connection: a client always gets an answer it can
  act on, never a reset.
"""

import queue
import socket
import threading

from cheroot import wsgi
from oslo_log import log as logging

from xms.conf import CONF

LOG = logging.getLogger(__name__)

# How long a refused connection may take to read our answer and close.
_REFUSE_LINGER = 5.0
# Refusals being answered at once; past this the server is under attack
# rather than load, and a connection is closed without an answer.
_MAX_REFUSING = 256

_BUSY_BODY = (b'{"error": {"code": 503, "title": "Service Unavailable", '
              b'"message": "The API server is at capacity; retry after the '
              b'time in Retry-After.", "field": null, "request_id": null}}')


def busy_response(retry_after):
    """The bytes of the 503 the server sends when its queue is full."""
    return (b'HTTP/1.1 503 Service Unavailable\r\n'
            b'Content-Type: application/json\r\n'
            b'Retry-After: %d\r\n'
            b'Content-Length: %d\r\n'
            b'Connection: close\r\n\r\n' % (retry_after, len(_BUSY_BODY))
            + _BUSY_BODY)


class _Server(wsgi.Server):
    """cheroot's server, answering 503 instead of dropping a connection.

    cheroot answers a connection its full request queue cannot take
    with a bare 503 and closes it without reading the request, which can
    reach the client as a reset. Here the connection is handed to a
    short-lived thread that writes the API's 503 (JSON error,
    ``Retry-After``), half-closes, and reads what the client still sends
    until it closes too (closing with unread bytes would make the kernel
    send a reset instead of our answer).
    """

    retry_after = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._refusing = threading.BoundedSemaphore(_MAX_REFUSING)
        self.refused = 0

    def process_conn(self, conn):
        try:
            self.requests.put(conn)
        except queue.Full:
            self.refused += 1
            if self._refusing.acquire(blocking=False):
                threading.Thread(target=self._refuse, args=(conn,),
                                 name='xms-api-refuse', daemon=True).start()
            else:
                LOG.warning('API server saturated: closing a connection '
                            'without an answer')
                conn.close()

    def _refuse(self, conn):
        sock = conn.socket
        try:
            sock.settimeout(_REFUSE_LINGER)
            sock.sendall(busy_response(self.retry_after))
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
        except OSError:
            pass
        finally:
            self._refusing.release()
            try:
                conn.close()
            except OSError:
                pass


class APIServer:
    """Serve a WSGI app on host:port from a background thread."""

    def __init__(self, app, host, port, conf=CONF):
        opts = conf.api
        self.httpd = _Server(
            (host, port), app,
            numthreads=opts.workers, max=opts.workers,
            request_queue_size=opts.backlog,
            timeout=opts.client_socket_timeout,
            accepted_queue_size=opts.max_queued_requests,
            # Never block the accepting thread on a full queue: answer.
            accepted_queue_timeout=0,
            server_name='xms-api')
        self.httpd.retry_after = opts.retry_after
        # Idle keep-alive connections wait in a selector, not in a worker.
        self.httpd.keep_alive_conn_limit = opts.max_queued_requests
        self.httpd.prepare()
        self.host, self.port = self.httpd.bind_addr[:2]
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve,
                                        name='xms-api', daemon=True)
        self._thread.start()
        LOG.info('xms-api listening on http://%s:%s/ (%d workers, '
                 'backlog %d, %d queued requests at most)', self.host,
                 self.port, self.httpd.requests.min,
                 self.httpd.request_queue_size,
                 self.httpd.requests._queue.maxsize)

    def stop(self):
        self.httpd.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

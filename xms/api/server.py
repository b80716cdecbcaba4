"""A small threaded HTTP server for xms-api and xms-all-in-one.

Production deployments may run ``xms-api-wsgi`` under uwsgi instead; this
server exists so that ``xms-api`` works with no extra component, with
native threads and no eventlet.
"""

import socketserver
import threading
from wsgiref import simple_server

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class _Handler(simple_server.WSGIRequestHandler):
    def log_message(self, fmt, *args):
        LOG.info('%s "%s"', self.client_address[0], fmt % args)


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class APIServer:
    """Serve a WSGI app on host:port from a background thread."""

    def __init__(self, app, host, port):
        self.httpd = simple_server.make_server(host, port, app,
                                               server_class=_Server,
                                               handler_class=_Handler)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        name='xms-api', daemon=True)
        self._thread.start()
        LOG.info('xms-api listening on http://%s:%s/', self.host, self.port)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

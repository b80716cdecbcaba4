"""WSGI entry point for uwsgi or mod_wsgi.

Two ways in, one application:

* ``module = xms.api.wsgi:application`` (``etc/xms/xms-api-uwsgi.ini``):
  under uwsgi the application is built when the worker imports this
  module (``lazy-apps``: after the fork, so every worker opens its own
  database pool and broker connections, and ``need-app`` stops uwsgi on
  a configuration error); any other server builds it on the first
  request. Importing the module elsewhere (tests, docs) does nothing;
* the ``xms-api-wsgi`` script pbr generates calls
  :func:`initialize_wsgi_app`.

The configuration files are found as for every XMS command
(``/etc/xms/xms.conf``), or named with uwsgi's ``pyargv``
(``pyargv = --config-file /etc/xms/xms.conf``).
"""

import sys
import threading

from xms.api import app
from xms.common import credentials
from xms.common import rpc
from xms.common import service as xms_service


def initialize_wsgi_app(argv=None):
    xms_service.prepare_service(argv or sys.argv)
    credentials.check_keys()
    rpc.init()
    return app.setup_app()


class _Application:
    """The WSGI callable, built once from ``sys.argv``'s configuration.

    A module attribute rather than a function result, because uwsgi
    looks ``application`` up in the module's namespace.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._app = None

    def load(self):
        with self._lock:
            if self._app is None:
                self._app = initialize_wsgi_app(sys.argv)
        return self._app

    def __call__(self, environ, start_response):
        return (self._app or self.load())(environ, start_response)


application = _Application()

try:
    import uwsgi  # noqa: F401  (exists only inside uwsgi)
except ImportError:
    pass
else:
    application.load()

"""WSGI entry point for uwsgi or mod_wsgi.

Two ways in, one application:

* ``module = xms.api.wsgi:application`` (``etc/xms/xms-api-uwsgi.ini``):
  the ``application`` attribute is built on first access, in the uwsgi
  worker that imports it (``lazy-apps``), so every worker opens its own
  database pool and broker connections after the fork;
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

_LOCK = threading.Lock()
_APPLICATION = None


def initialize_wsgi_app(argv=None):
    xms_service.prepare_service(argv or sys.argv)
    credentials.check_keys()
    rpc.init()
    return app.setup_app()


def __getattr__(name):
    """Build ``application`` once, when the WSGI server asks for it."""
    global _APPLICATION
    if name != 'application':
        raise AttributeError(name)
    with _LOCK:
        if _APPLICATION is None:
            _APPLICATION = initialize_wsgi_app(sys.argv)
    return _APPLICATION

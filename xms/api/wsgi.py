"""WSGI entry point for uwsgi or mod_wsgi (``xms-api-wsgi``)."""

import sys

from xms.api import app
from xms.common import credentials
from xms.common import rpc
from xms.common import service as xms_service


def initialize_wsgi_app(argv=None):
    xms_service.prepare_service(argv or sys.argv)
    credentials.check_keys()
    rpc.init()
    return app.setup_app()

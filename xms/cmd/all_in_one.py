"""xms-all-in-one: API, conductor and worker in one process.

The embedded default for a single host: SQLite (created and migrated at
start), in-process messaging (oslo.messaging's ``fake://`` driver) and
in-process dispatch, ``noauth`` API on loopback unless configured
otherwise. The code paths are those of the separate processes; only the
drivers differ.
"""

import os
import signal
import sys
import threading

from oslo_log import log as logging

from xms.api import app
from xms.api import server
from xms.cmd import run
from xms.common import rpc
from xms.common import service as xms_service
from xms.conductor import service as conductor_service
from xms.conf import CONF
from xms.db import migration
from xms.worker import service as worker_service

LOG = logging.getLogger(__name__)


def _set_embedded_defaults():
    state = CONF.state_path
    CONF.set_default('connection', 'sqlite:///%s' % os.path.join(
        state, 'xms.sqlite'), group='database')
    CONF.set_default('transport_url', 'fake://')
    CONF.set_default('auth_strategy', 'noauth', group='api')
    CONF.set_default('host_ip', '127.0.0.1', group='api')
    CONF.set_default('jobboard_backend', 'local', group='taskflow')
    CONF.set_default('storage_driver', 'local', group='target')
    CONF.set_default('attach_driver', 'local', group='target')
    CONF.set_default('compute_driver', 'local', group='target')
    CONF.set_default('network_driver', 'local', group='target')


def _main(argv):
    xms_service.prepare_service(argv)
    _set_embedded_defaults()
    os.makedirs(CONF.state_path, exist_ok=True)
    xms_service.check_database(require_schema=False)
    migration.upgrade()
    xms_service.check_messaging()
    rpc.init()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())

    services = [conductor_service.ConductorService(),
                worker_service.WorkerService()]
    api_server = server.APIServer(app.setup_app(), CONF.api.host_ip,
                                  CONF.api.port)
    for svc in services:
        svc.run()
    api_server.start()
    LOG.info('xms-all-in-one ready: API on http://%s:%s/',
             api_server.host, api_server.port)
    stop.wait()
    LOG.info('xms-all-in-one stopping')
    api_server.stop()
    for svc in reversed(services):
        svc.terminate()
    return 0


def main():
    sys.exit(run(_main, sys.argv))

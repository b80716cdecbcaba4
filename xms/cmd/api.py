"""xms-api: the REST API."""

import sys

import cotyledon

from xms.api import app
from xms.api import server
from xms.cmd import run
from xms.common import credentials
from xms.common import rpc
from xms.common import service as xms_service
from xms.conf import CONF


class APIService(cotyledon.Service):
    name = 'xms-api'

    def __init__(self, worker_id=0):
        super().__init__(worker_id)
        self.server = server.APIServer(app.setup_app(), CONF.api.host_ip,
                                       CONF.api.port)

    def run(self):
        self.server.start()

    def terminate(self):
        self.server.stop()
        rpc.cleanup()


def _main(argv):
    xms_service.prepare_service(argv)
    credentials.check_keys()
    xms_service.check_database()
    xms_service.check_messaging()
    rpc.init()
    manager = cotyledon.ServiceManager()
    manager.add(APIService, workers=1)
    manager.run()
    return 0


def main():
    sys.exit(run(_main, sys.argv))

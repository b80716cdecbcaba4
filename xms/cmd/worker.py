"""xms-worker: runs migration flows claimed from the jobboard."""

import sys

import cotyledon

from xms.cmd import run
from xms.common import credentials
from xms.common import rpc
from xms.common import service as xms_service
from xms.worker import service as worker_service


def _main(argv):
    xms_service.prepare_service(argv)
    credentials.check_keys()
    xms_service.check_database()
    xms_service.check_messaging()
    rpc.init()
    manager = cotyledon.ServiceManager()
    manager.add(worker_service.WorkerService, workers=1)
    manager.run()
    return 0


def main():
    sys.exit(run(_main, sys.argv))

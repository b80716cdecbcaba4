"""xms-conductor: the job orchestrator."""

import sys

import cotyledon

from xms.cmd import run
from xms.common import credentials
from xms.common import rpc
from xms.common import service as xms_service
from xms.conductor import service as conductor_service


def _main(argv):
    xms_service.prepare_service(argv)
    credentials.check_keys()
    xms_service.check_database()
    xms_service.check_messaging()
    rpc.init()
    manager = cotyledon.ServiceManager()
    manager.add(conductor_service.ConductorService, workers=1)
    manager.run()
    return 0


def main():
    sys.exit(run(_main, sys.argv))

"""The xms-worker process: runs migration flows in ``max_jobs`` slots."""

import cotyledon
from oslo_log import log as logging

from xms.common import service as xms_service
from xms.conf import CONF

LOG = logging.getLogger(__name__)

BINARY = 'xms-worker'


class WorkerService(cotyledon.Service):
    """One worker: advertises its slots and heartbeats in ``workers``."""

    name = BINARY

    def __init__(self, worker_id=0):
        super().__init__(worker_id)
        self.running = 0
        self.heartbeat = xms_service.Heartbeat(
            BINARY, slots=CONF.worker.max_jobs,
            running=lambda: self.running,
            interval=CONF.worker.heartbeat_interval)

    def run(self):
        self.heartbeat.start()
        LOG.info('%s started on host %s with %d slot(s)', BINARY, CONF.host,
                 CONF.worker.max_jobs)

    def terminate(self):
        LOG.info('%s on host %s stopping', BINARY, CONF.host)
        self.heartbeat.stop()
        LOG.info('%s on host %s stopped', BINARY, CONF.host)

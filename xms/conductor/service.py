"""The xms-conductor process: RPC server, heartbeat, periodic work."""

import cotyledon
from oslo_log import log as logging
import oslo_messaging as messaging

from xms.common import rpc
from xms.common import service as xms_service
from xms.conductor import coordination
from xms.conductor import manager
from xms.conf import CONF

LOG = logging.getLogger(__name__)

BINARY = 'xms-conductor'


class ConductorService(cotyledon.Service):
    """One conductor: serves RPC on ``[conductor]/topic`` with threads.

    Every conductor serves RPC; the periodic work runs only on the
    elected leader (:mod:`xms.conductor.coordination`).
    """

    name = BINARY

    def __init__(self, worker_id=0):
        super().__init__(worker_id)
        self.manager = manager.ConductorManager(CONF.host)
        self.heartbeat = xms_service.Heartbeat(BINARY)
        self.rpcserver = None
        self.periodics = []
        self.election = coordination.Election(CONF.host)

    def run(self):
        target = messaging.Target(topic=CONF.conductor.topic,
                                  server=CONF.host)
        self.rpcserver = rpc.get_server(target, [self.manager])
        self.rpcserver.start()
        self.heartbeat.start()
        # Orchestration: incremental sync scheduler, cleanup of cancelled
        # jobs, snapshot reaper, purge (xms.conductor.scheduler), on the
        # leader only.
        from xms.conductor import scheduler
        self.election.start()
        self.periodics = scheduler.get_periodics(self.election.is_leader)
        for periodic in self.periodics:
            periodic.start()
        LOG.info('%s started on host %s, topic %s', BINARY, CONF.host,
                 CONF.conductor.topic)

    def terminate(self):
        LOG.info('%s on host %s stopping', BINARY, CONF.host)
        if self.rpcserver is not None:
            self.rpcserver.stop()
            self.rpcserver.wait()
        for periodic in self.periodics:
            periodic.stop()
        # After the periodic work stopped: the next leader starts at once.
        self.election.stop()
        self.heartbeat.stop()
        rpc.cleanup()
        LOG.info('%s on host %s stopped', BINARY, CONF.host)

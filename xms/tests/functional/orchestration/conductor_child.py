"""A conductor process for the tests: ``python -m ...conductor_child CONF``.

Runs :class:`xms.conductor.service.ConductorService` (RPC on RabbitMQ,
leader election on etcd, periodic work) in this process alone, without
cotyledon's supervisor, so a test can kill it with SIGKILL. It prints
``conductor ready`` once serving, then ``leader yes`` or ``leader no``
with a monotonic time stamp whenever its leadership changes.
"""

import signal
import sys
import threading
import time

from xms.common import rpc
from xms.common import service as xms_service
from xms.conductor import service as conductor_service


def _report(leader):
    print('leader %s %.3f' % ('yes' if leader else 'no', time.time()),
          flush=True)


def main():
    xms_service.prepare_service([sys.argv[0], '--config-file',
                                 sys.argv[1]], default_config_files=[])
    rpc.init()
    svc = conductor_service.ConductorService()
    svc.election.on_change = _report
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    svc.run()
    print('conductor ready', flush=True)
    stop.wait()
    svc.terminate()


if __name__ == '__main__':
    main()

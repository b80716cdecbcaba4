"""A worker process for the tests: ``python -m ...worker_child CONF``.

Runs :class:`xms.worker.service.WorkerService` (etcd jobboard, real
flows) in this process alone, without cotyledon's supervisor, so a test
can kill it with SIGKILL and see another worker take its flows over.
"""

import signal
import sys
import threading

from xms.common import service as xms_service
from xms.worker import service as worker_service


def main():
    xms_service.prepare_service([sys.argv[0], '--config-file',
                                 sys.argv[1]], default_config_files=[])
    svc = worker_service.WorkerService()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    svc.run()
    print('worker ready', flush=True)
    stop.wait()
    svc.terminate()


if __name__ == '__main__':
    main()

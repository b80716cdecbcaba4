"""A worker process that kills itself at a named task transition.

``python -m xms.tests.functional.faults.crash_child CONF KILL_FILE``
imports everything, prints ``loaded`` and waits for a line on stdin
before it runs the same worker as
:mod:`xms.tests.functional.orchestration.worker_child` (so a test starts
its spare workers ahead, and a successor is up a second after a kill).

Each time it claims a flow it reads ``KILL_FILE``; when that holds
``<flow>:<task>:<STATE>`` for the claimed flow, it attaches a TaskFlow
listener to the flow's engine (through the conductor's
``_listeners_from_job``, TaskFlow's extension point for that) that
SIGKILLs the process when the task reaches the state (``RUNNING``: the
task is about to run, its start is persisted; ``SUCCESS``: its result is
persisted). The product carries no test hook: only this test process
adds the listener.
"""

import os
import signal
import sys

from taskflow.conductors import base as conductor_base
from taskflow.listeners import base as listener_base

from xms.tests.functional.orchestration import worker_child


class _KillAt(listener_base.Listener):

    def __init__(self, engine, task_name, state):
        super().__init__(engine, task_listen_for=(state,),
                         flow_listen_for=(), retry_listen_for=())
        self.task_name = task_name

    def _task_receiver(self, state, details):
        if details.get('task_name') == self.task_name:
            print('killing myself at %s %s' % (self.task_name, state),
                  flush=True)
            os.kill(os.getpid(), signal.SIGKILL)


def install(kill_file):
    real = conductor_base.Conductor._listeners_from_job

    def listeners(self, job, engine):
        found = list(real(self, job, engine))
        try:
            with open(kill_file) as f:
                spec = f.read().strip()
        except FileNotFoundError:
            spec = ''
        if spec:
            flow, task_name, state = spec.split(':')
            if (job.details or {}).get('flow_name') == flow:
                found.append(_KillAt(engine, task_name, state))
        return found

    conductor_base.Conductor._listeners_from_job = listeners


if __name__ == '__main__':
    install(sys.argv.pop(2))
    print('loaded', flush=True)
    sys.stdin.readline()
    worker_child.main()

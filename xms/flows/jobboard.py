"""This process's TaskFlow persistence backend and etcd jobboard.

Both are made once per process (and again after a fork) and shared by
every flow it posts or runs: a SQLAlchemy backend holds a connection
pool, so building one per dispatch would open and drop a pool each time.
Posters and claimers on the jobboard name themselves after the process
(:func:`process_name`), so a claim or a post in etcd says which process
made it.
"""

import os
import threading

from taskflow.jobs import backends as job_backends

from xms.conf import CONF
from xms.db import taskflow as db_taskflow

ETCD = 'etcd'
LOCAL = 'local'

_lock = threading.Lock()
_backend = None
_backend_key = None


def process_name(conf=CONF):
    """``<host>-<pid>``: who claims or posts on the jobboard."""
    return '%s-%d' % (conf.host, os.getpid())


def persistence(conf=CONF):
    """The process-wide TaskFlow persistence backend (the XMS database).

    Made again after a fork (a child must not share its parent's pooled
    sockets) or when the configured database changed (tests).
    """
    global _backend, _backend_key
    key = (os.getpid(), db_taskflow.connection_url(conf))
    with _lock:
        if _backend is None or _backend_key != key:
            if _backend is not None and _backend_key[0] == os.getpid():
                _backend.close()
            _backend = db_taskflow.get_backend(conf)
            _backend_key = key
        return _backend


def reset():
    """Close the process-wide backend (service stop, tests)."""
    global _backend, _backend_key
    with _lock:
        if _backend is not None and _backend_key[0] == os.getpid():
            _backend.close()
        _backend = None
        _backend_key = None


def etcd_conf(conf=CONF):
    host, _sep, port = conf.taskflow.jobboard_hosts[0].rpartition(':')
    return {'board': 'etcd', 'host': host or '127.0.0.1',
            'port': int(port or 2379),
            'path': conf.taskflow.jobboard_name,
            'ttl': conf.taskflow.claim_ttl,
            # A hung etcd call must not outlast the claims it refreshes.
            'timeout': max(2.0, conf.taskflow.claim_ttl / 3.0)}


def connect(name=None, persistence_backend=None, conf=CONF):
    """A connected etcd jobboard acting as ``name`` (this process)."""
    board = job_backends.fetch(name or process_name(conf), etcd_conf(conf),
                               persistence=persistence_backend)
    board.connect()
    return board

"""Serve one OpenStack WSGI app with gunicorn, inside the service's venv.

Usage: <venv>/bin/python serve.py PORT MODULE:ATTR [service args...]

The service args become ``sys.argv[1:]`` before the app is imported,
because several services parse their command line (``--config-file``)
when their WSGI module loads. One worker with threads: enough for tests,
and connections are closed after each response so clients that reuse
connections never meet a half-closed one.
"""

import importlib
import sys

from gunicorn.app import base


class App(base.BaseApplication):

    def __init__(self, port, target, argv):
        self.port = port
        self.target = target
        self.argv = argv
        super().__init__()

    def load_config(self):
        self.cfg.set('bind', '127.0.0.1:%s' % self.port)
        self.cfg.set('workers', 1)
        self.cfg.set('worker_class', 'gthread')
        self.cfg.set('threads', 4)
        self.cfg.set('timeout', 300)
        self.cfg.set('keepalive', 0)
        self.cfg.set('accesslog', None)
        if 'control_socket_disable' in self.cfg.settings:
            # gunicorn >= 24 opens ~/.gunicorn/gunicorn.ctl by default;
            # several servers would fight over it.
            self.cfg.set('control_socket_disable', True)

    def load(self):
        sys.argv = [self.target.split(':')[0]] + self.argv
        module, attr = self.target.split(':')
        return getattr(importlib.import_module(module), attr)


if __name__ == '__main__':
    App(sys.argv[1], sys.argv[2], sys.argv[3:]).run()

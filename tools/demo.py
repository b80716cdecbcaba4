#!/usr/bin/env python3
"""Run xms-all-in-one and show that its parts are up.

Started by ``tools/demo`` with the project's virtualenv. It starts
``xms-all-in-one`` on SQLite with in-process messaging in a scratch state
directory, waits for the API, then prints version discovery, the health
check and the conductor and worker rows of the ``workers`` table, and stops
the process with SIGTERM. It exits non-zero if any of that fails.
"""

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
        return resp.status, resp.read().decode()


def _step(title):
    print('\n== %s' % title, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--state-path',
                        help='Directory for the SQLite database and logs '
                             '(default: a new temporary directory).')
    parser.add_argument('--port', type=int, default=0,
                        help='API port (default: a free port).')
    args = parser.parse_args()

    state = args.state_path or tempfile.mkdtemp(prefix='xms-demo-')
    os.makedirs(state, exist_ok=True)
    port = args.port or _free_port()
    conf = os.path.join(state, 'xms.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nstate_path = %s\nhost = demo\n'
                '[api]\nport = %d\n[conductor]\nheartbeat_interval = 1\n'
                '[worker]\nheartbeat_interval = 1\n' % (state, port))
    log_path = os.path.join(state, 'xms-all-in-one.log')
    script = os.path.join(os.path.dirname(sys.executable), 'xms-all-in-one')

    _step('Starting xms-all-in-one (SQLite, in-process messaging) in %s'
          % state)
    t0 = time.monotonic()
    log = open(log_path, 'w')
    proc = subprocess.Popen([script, '--config-file', conf,
                             '--log-file', log_path],
                            stdout=log, stderr=subprocess.STDOUT)
    base = 'http://127.0.0.1:%d' % port
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError('xms-all-in-one exited with %s; see %s'
                                   % (proc.returncode, log_path))
            try:
                status, body = _get(base + '/')
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError('the API did not answer; see %s' % log_path)
        print('API answering on %s after %.1f s' % (base,
                                                    time.monotonic() - t0))

        _step('GET / (version discovery)')
        doc = json.loads(body)
        version = doc['default_version']
        print('%s: API %s, microversions %s to %s' % (
            doc['name'], version['id'], version['min_version'],
            version['version']))

        _step('GET /healthcheck')
        status, body = _get(base + '/healthcheck')
        print('%d %s' % (status, body.strip()))
        if status != 200:
            raise RuntimeError('health check failed')

        _step('Processes registered in the workers table')
        time.sleep(2.5)  # let at least two heartbeats land
        db = sqlite3.connect(os.path.join(state, 'xms.sqlite'))
        rows = db.execute('SELECT binary, host, slots, state, started_at, '
                          'heartbeat_at FROM workers ORDER BY binary'
                          ).fetchall()
        db.close()
        print('%-14s %-6s %-5s %-5s %-26s %s' % (
            'binary', 'host', 'slots', 'state', 'started', 'heartbeat'))
        for row in rows:
            print('%-14s %-6s %-5s %-5s %-26s %s' % row)
        binaries = {r[0] for r in rows if r[3] == 'up' and r[5] > r[4]}
        if binaries != {'xms-conductor', 'xms-worker'}:
            raise RuntimeError('conductor and worker are not both beating')
    finally:
        _step('Stopping xms-all-in-one (SIGTERM)')
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        log.close()
        print('exit status %d; log in %s' % (code, log_path))
    if code != 0:
        return code
    print('\nXMS all-in-one is healthy.')
    return 0


if __name__ == '__main__':
    sys.exit(main())

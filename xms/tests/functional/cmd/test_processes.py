"""The processes start, connect, report in and stop cleanly.

Each test runs the real console scripts against a private MariaDB
database and the machine's RabbitMQ.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from oslo_serialization import jsonutils

from xms.common import context
from xms.db import api as db_api
from xms.db import migration
from xms.tests.functional import base
from xms.tests.functional.fixtures import minicloud

RABBIT_URL = os.environ.get('XMS_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _wait(predicate, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


class ProcessTestCase(base.FunctionalTestCase):

    def write_config(self, extra=''):
        path = os.path.join(self.state_path, 'xms.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nhost = test-%s\nstate_path = %s\n'
                    'transport_url = %s\n%s\n'
                    # oslo.db retries a refused connection at start-up
                    # (10 x 10 s by default); keep the failure tests short.
                    '[database]\nconnection = %s\nmax_retries = 2\n'
                    'retry_interval = 1\n'
                    '[conductor]\nheartbeat_interval = 1\n'
                    '[worker]\nheartbeat_interval = 1\nmax_jobs = 3\n'
                    '[api]\nauth_strategy = noauth\nhost_ip = 127.0.0.1\n'
                    'port = %d\n[credentials]\nkey_repository = %s\n'
                    % (self.id().rsplit('.', 1)[-1], self.state_path,
                       RABBIT_URL, extra, self.db.url, self.api_port,
                       self.keys))
        return path

    def setUp(self):
        super().setUp()
        self.api_port = _free_port()
        self.keys = self.use_credential_keys()

    def start(self, name, config):
        log = open(os.path.join(self.state_path, name + '.log'), 'w+')
        self.addCleanup(log.close)
        proc = subprocess.Popen([_script(name), '--config-file', config],
                                stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(self._kill, proc)
        return proc, log

    @staticmethod
    def _kill(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def workers(self):
        return {(w.binary, w.host): w for w in
                db_api.worker_list(context.get_admin_context())}


class TestConductorAndWorker(ProcessTestCase):

    def test_register_heartbeat_and_stop_on_sigterm(self):
        config = self.write_config()
        procs = [self.start('xms-conductor', config),
                 self.start('xms-worker', config)]
        host = 'test-test_register_heartbeat_and_stop_on_sigterm'

        def both_beating():
            rows = self.workers()
            cond = rows.get(('xms-conductor', host))
            work = rows.get(('xms-worker', host))
            if not (cond and work):
                return None
            # A heartbeat after registration proves the thread runs.
            if (cond.heartbeat_at > cond.started_at
                    and work.heartbeat_at > work.started_at):
                return rows
            return None

        rows = _wait(both_beating)
        logs = ''.join(open(p[1].name).read() for p in procs)
        self.assertTrue(rows, 'processes did not report in:\n%s' % logs)
        self.assertEqual(3, rows[('xms-worker', host)].slots)
        for key in (('xms-conductor', host), ('xms-worker', host)):
            self.assertTrue(db_api.worker_is_alive(rows[key], 30))

        for proc, _log in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, log in procs:
            self.assertEqual(0, proc.wait(timeout=60),
                             open(log.name).read())
        rows = self.workers()
        for key in (('xms-conductor', host), ('xms-worker', host)):
            self.assertEqual('down', rows[key].state)
            self.assertFalse(db_api.worker_is_alive(rows[key], 30))


class TestAPI(ProcessTestCase):

    def test_version_discovery_and_healthcheck(self):
        proc, log = self.start('xms-api', self.write_config())
        base_url = 'http://127.0.0.1:%d' % self.api_port

        def get(path):
            try:
                with urllib.request.urlopen(base_url + path,  # noqa: S310
                                            timeout=5) as resp:
                    return resp.status, resp.read()
            except OSError:
                return None

        answer = _wait(lambda: get('/'), timeout=60)
        self.assertIsNotNone(answer, open(log.name).read())
        status, body = answer
        self.assertEqual(200, status)
        doc = jsonutils.loads(body)
        self.assertEqual('v1', doc['default_version']['id'])
        self.assertEqual('1.0', doc['default_version']['min_version'])
        status, body = get('/healthcheck')
        self.assertEqual(200, status)
        self.assertEqual(b'OK', body.strip())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=30))


class TestStartupErrors(ProcessTestCase):
    """Misconfiguration ends a process with one clear line, no traceback."""

    def run_script(self, name, config):
        result = subprocess.run([_script(name), '--config-file', config],
                                capture_output=True, text=True, timeout=120)
        return result.returncode, result.stderr

    def assert_one_line(self, stderr, *fragments):
        lines = [line for line in stderr.splitlines() if line.strip()]
        self.assertEqual(1, len(lines), stderr)
        self.assertNotIn('Traceback', stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def test_unknown_option(self):
        config = self.write_config(extra='bogus_option = 1')
        for name in ('xms-conductor', 'xms-worker', 'xms-api'):
            code, err = self.run_script(name, config)
            self.assertEqual(1, code, err)
            self.assert_one_line(err, 'unknown option', 'bogus_option',
                                 '[DEFAULT]')

    def test_unknown_section(self):
        config = self.write_config()
        with open(config, 'a') as f:
            f.write('[vshpere]\napi_retry_count = 2\n')
        code, err = self.run_script('xms-worker', config)
        self.assertEqual(1, code, err)
        self.assert_one_line(err, 'unknown section [vshpere]')

    def test_wrong_database_url(self):
        config = self.write_config()
        with open(config) as f:
            text = f.read().replace(self.db.url,
                                    'mysql+pymysql://root:secretpw@'
                                    '127.0.0.1:1/xms')
        with open(config, 'w') as f:
            f.write(text)
        code, err = self.run_script('xms-conductor', config)
        self.assertEqual(1, code, err)
        self.assert_one_line(err, 'Cannot reach the database',
                             '[database]/connection')
        self.assertNotIn('secretpw', err)

    def test_unreachable_broker(self):
        config = self.write_config()
        with open(config) as f:
            text = f.read().replace(
                RABBIT_URL,
                'rabbit://guest:brokerpw@127.0.0.1:%d/' % _free_port())
        with open(config, 'w') as f:
            f.write(text)
        code, err = self.run_script('xms-worker', config)
        self.assertEqual(1, code, err)
        self.assert_one_line(err, 'Cannot reach the message broker',
                             'transport_url')
        self.assertNotIn('brokerpw', err)

    def test_schema_not_synced(self):
        config = self.write_config()
        # A fresh empty database: the process refuses to run on it.
        import sqlalchemy as sa
        with self.db.engine.begin() as conn:
            conn.execute(sa.text('DELETE FROM xms_alembic_version'))
        code, err = self.run_script('xms-conductor', config)
        self.assertEqual(1, code, err)
        self.assert_one_line(err, 'xms-manage db sync')


class TestManage(ProcessTestCase):

    DB_BACKEND = 'mysql'

    def test_db_sync_and_version(self):
        import sqlalchemy as sa
        with self.db.engine.begin() as conn:
            conn.execute(sa.text('SET FOREIGN_KEY_CHECKS = 0'))
            for table in sa.inspect(conn).get_table_names():
                conn.execute(sa.text('DROP TABLE `%s`' % table))
        config = self.write_config()
        result = subprocess.run([_script('xms-manage'), '--config-file',
                                 config, 'db', 'version'],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('None', result.stdout)
        result = subprocess.run([_script('xms-manage'), '--config-file',
                                 config, 'db', 'sync'],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('revision %s' % migration.head(), result.stdout)
        with self.db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        self.assertIn('jobs', tables)
        self.assertIn('flowdetails', tables)
        result = subprocess.run([_script('xms-status'), '--config-file',
                                 config, 'upgrade', 'check'],
                                capture_output=True, text=True, timeout=60)
        # The jobboard default is etcd: success, so the exit code is 0.
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)
        self.assertIn('Database schema', result.stdout)


class TestCredentialKeysRequired(ProcessTestCase):
    """Every service that encrypts or decrypts source passwords refuses to
    start without keys, with one line naming the option, the path and the
    command to run."""

    SERVICES = ('xms-api', 'xms-conductor', 'xms-worker', 'xms-all-in-one')

    def test_each_service_refuses_to_start_without_keys(self):
        missing = os.path.join(self.state_path, 'no-keys')
        self.keys = missing
        config = self.write_config()
        for name in self.SERVICES:
            result = subprocess.run([_script(name), '--config-file', config],
                                    capture_output=True, text=True,
                                    timeout=120, check=False)
            self.assertEqual(1, result.returncode,
                             '%s: %s' % (name, result.stderr))
            lines = result.stderr.strip().splitlines()
            self.assertEqual(1, len(lines), '%s: %s' % (name, result.stderr))
            self.assertEqual(
                '%s: error: No credential encryption key in %s '
                '([credentials]/key_repository). Run "xms-manage '
                'credentials init" once for the deployment, then copy the '
                'keys to every XMS host with "xms-manage credentials '
                'export" and "xms-manage credentials init --from FILE".'
                % (name, missing), lines[0])
            self.assertFalse(os.path.exists(missing), name)
        # Nothing registered: none got as far as its heartbeat.
        self.assertEqual({}, self.workers())

    def test_a_corrupt_key_is_refused_too(self):
        with open(os.path.join(self.keys, '0'), 'w') as f:
            f.write('not a key')
        result = subprocess.run(
            [_script('xms-conductor'), '--config-file', self.write_config()],
            capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(1, result.returncode, result.stderr)
        self.assertEqual(
            'xms-conductor: error: The credential key repository %s '
            '([credentials]/key_repository) is unusable: a key file does '
            'not hold a Fernet key.' % self.keys, result.stderr.strip())

    @staticmethod
    def castellan_config(auth_url, barbican_url, password):
        return ('[credentials]\nbackend = castellan\n'
                '[barbican]\nbarbican_endpoint = %s\n'
                '[service_auth]\nauth_type = password\n'
                'auth_url = %s\nusername = xms\npassword = %s\n'
                'project_name = service\nuser_domain_id = default\n'
                'project_domain_id = default\n'
                % (barbican_url, auth_url, password))

    def test_castellan_backend_starts_with_the_real_barbican(self):
        state = minicloud.shared_minicloud()
        config = self.write_config(self.castellan_config(
            state['auth_url'], state['barbican']['url'],
            state['users']['xms']['password']))
        proc, log = self.start('xms-conductor', config)
        host = 'test-test_castellan_backend_starts_with_the_real_barbican'
        row = _wait(lambda: self.workers().get(('xms-conductor', host)))
        self.assertIsNotNone(row, open(log.name).read())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=60), open(log.name).read())

    def test_castellan_backend_needs_its_key_manager(self):
        config = self.write_config(self.castellan_config(
            'http://127.0.0.1:%d/v3' % _free_port(),
            'http://127.0.0.1:%d' % _free_port(), 'unused-password'))
        result = subprocess.run([_script('xms-worker'), '--config-file',
                                 config], capture_output=True, text=True,
                                timeout=120, check=False)
        self.assertEqual(1, result.returncode, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith(
            'xms-worker: error: The key manager ([credentials]/backend '
            'castellan, [key_manager]/backend barbican, as the '
            '[service_auth] user) could not be reached: '), lines[0])
        self.assertNotIn('unused-password', result.stderr)

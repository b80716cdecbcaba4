"""The deployed API while MariaDB, RabbitMQ or Keystone is down.

The split processes (xms-api, xms-conductor, xms-worker) reach each
dependency through a :class:`~xms.tests.functional.fixtures.tcp_cut.
CutProxy`; cutting it looks to them like the service restarting (open
connections reset, new ones refused), while the machine's shared
services keep running for the other tests. For each outage:

* the API answers 503 with ``Retry-After`` and a message naming the
  dependency, fast (under a second on an idle host; asserted under
  ``FAST`` seconds to allow for a loaded one), never hangs;
* a request refused half-way leaves nothing behind (no job row, no
  source left "queued" for a discovery nobody will run);
* once the proxy forwards again, the services recover by themselves:
  the same requests succeed and a discovery cast after the outage
  completes, with no process restarted.

``trials(full=3)`` outages of each dependency under ``tox -e faults``.
"""

import os
import time
import urllib.parse

import requests
import sqlalchemy as sa

from xms.tests.functional import base as func_base
from xms.tests.functional import faults
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.fixtures import minicloud
from xms.tests.functional.fixtures import tcp_cut
from xms.tests.functional.fixtures import vcsim

#: Seconds within which a 503 must come back, with room for the 3x
#: slowdown of a loaded machine: the database's in about a second; the
#: broker's after the one reconnection ``[api] rpc_cast_retry`` allows;
#: Keystone's after the service session's three connection retries
#: (0.5 + 1 + 2 s of back-off).
FAST = {'mariadb': 3.0, 'rabbitmq': 9.0, 'keystone': 15.0}
#: Seconds the services get to recover after the dependency is back.
RECOVERY = 120

COLUMNS = ('dependency', 'trial', 'requests refused', 'all 503',
           'slowest 503 s', 'left behind', 'recovered s', 'processes alive')


def _host_port(netloc):
    host, _sep, port = netloc.rpartition(':')
    return host, int(port)


class DegradationTest(func_base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.state = self.cloud.state
        self.admin = self.cloud.admin_connection()
        self.sim = self.useFixture(vcsim.VcsimFixture())
        db = sa.engine.make_url(self.db.url)
        self.db_proxy = self.useFixture(tcp_cut.CutProxy(
            (db.host or '127.0.0.1', db.port or 3306)))
        db_url = db.set(host='127.0.0.1', port=self.db_proxy.port)
        rabbit = urllib.parse.urlsplit(deployment.RABBIT_URL)
        self.rabbit_proxy = self.useFixture(tcp_cut.CutProxy(
            _host_port(rabbit.netloc.rpartition('@')[2])))
        rabbit_url = rabbit._replace(netloc='%s@%s' % (
            rabbit.netloc.rpartition('@')[0],
            self.rabbit_proxy.address)).geturl()
        keystone = urllib.parse.urlsplit(self.state['auth_url'])
        self.keystone_proxy = self.useFixture(tcp_cut.CutProxy(
            _host_port(keystone.netloc)))
        auth_url = keystone._replace(
            netloc=self.keystone_proxy.address).geturl()
        cloud = dict(self.state, auth_url=auth_url)
        self.deploy = self.useFixture(deployment.Deployment(
            os.path.join(self.state_path, 'xms'),
            db_url.render_as_string(hide_password=False), cloud,
            extra={'DEFAULT': {'transport_url': rabbit_url}}))
        self.addOnException(self._attach_logs)
        # Tokens come from Keystone directly: the user's session is not
        # what is being degraded.
        self.session = deployment.manager_session(self.state, self.admin)
        self.client = self.deploy.client(self.session)
        self.source = self.client.post('/sources', {
            'name': 'degraded-vcenter', 'type': 'vmware',
            'host': self.sim.host, 'port': self.sim.port,
            'username': self.sim.username, 'password': self.sim.password,
            'thumbprint': self.sim.thumbprint}, expect=201)
        self.discover()
        vms = self.client.get('/vms?source_id=%s&limit=100'
                              % self.source['uuid'])['vms']
        self.vm_ids = [vm['uuid'] for vm in vms[:2]]
        # The job gate: a passing preflight of the VMs.
        pfs = self.client.post('/preflights', {
            'vm_ids': self.vm_ids, 'mode': 'cold'},
            expect=202)['preflights']
        for pf in pfs:
            self.client.wait('/preflights/%s' % pf['uuid'],
                             lambda p: p['status'] not in (
                                 'pending', 'running'), 'preflight',
                             timeout=180)

    def _attach_logs(self, exc_info):
        from testtools import content
        for name, text in self.deploy.logs().items():
            self.addDetail('%s.log' % name,
                           content.text_content(text[-40000:]))

    def discover(self):
        path = '/sources/%s' % self.source['uuid']
        before = self.client.get(path)['discovery']['finished_at']
        self.client.post(path + '/discover', expect=202)
        return self.client.wait(
            path, lambda s: s['discovery']['status'] not in (
                'queued', 'running') and s['discovery']['finished_at']
            != before, 'discovery', timeout=180)

    def request(self, method, path, body=None):
        """One API call: ``(status, seconds, body, headers)``."""
        began = time.monotonic()
        resp = requests.request(
            method, '%s/v1%s' % (self.deploy.base_url, path), json=body,
            headers={'X-Auth-Token': self.session.get_token(),
                     'Accept': 'application/json'}, timeout=180)
        return (resp.status_code, time.monotonic() - began,
                resp.json() if resp.content else None, resp.headers)

    def refused(self, calls, service):
        """Make each call; return (503 count, slowest, problems)."""
        problems = []
        slowest = 0.0
        count = 0
        for method, path, body in calls:
            status, seconds, doc, headers = self.request(method, path, body)
            if not (method == 'POST' and path == '/jobs'
                    and service != 'Keystone'):
                # A job's trusts take Keystone's time, outage or not (tens
                # of seconds on a loaded machine): only what the outage
                # costs is timed.
                slowest = max(slowest, seconds)
            if status != 503:
                problems.append('%s %s: %s %s' % (method, path, status, doc))
                continue
            count += 1
            message = doc['error']['message']
            if service not in message or 'Retry-After' not in headers:
                problems.append('%s %s: %s' % (method, path, message))
        return count, slowest, problems

    def recover(self, calls):
        """Seconds until every call succeeds again."""
        began = time.monotonic()
        deadline = began + RECOVERY
        pending = list(calls)
        while pending:
            method, path, body, ok = pending[0]
            status, _s, doc, _h = self.request(method, path, body)
            if status in ok:
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                self.fail('%s %s still %s after %d s: %s' % (
                    method, path, status, RECOVERY, doc))
            time.sleep(0.5)
        return time.monotonic() - began

    def alive(self):
        return all(p.poll() is None for p in self.deploy.procs.values())

    def outage(self, name, proxy, service, calls, left_behind, recovery,
               table):
        for trial in range(faults.trials(full=3)):
            proxy.cut()
            try:
                count, slowest, problems = self.refused(calls, service)
                leftovers = left_behind()
            finally:
                proxy.restore()
            recovered = self.recover(recovery)
            alive = self.alive()
            table.add(name, trial + 1, '%d/%d' % (count, len(calls)),
                      not problems, '%.2f' % slowest, leftovers,
                      '%.1f' % recovered, alive)
            self.assertEqual([], problems)
            self.assertLess(slowest, FAST[name])
            self.assertEqual(0, leftovers)
            self.assertTrue(alive)
        # The conductors took work again: a discovery cast after the
        # outage runs to its end.
        self.assertEqual('completed',
                         self.discover()['discovery']['status'])

    def count_rows(self, table):
        engine = sa.create_engine(self.db.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(
                    sa.table(table))).scalar()
        finally:
            engine.dispose()


class TestDegradation(DegradationTest):

    def test_database_down(self):
        table = faults.FigureTable('Degradation: MariaDB down', COLUMNS)
        calls = [('GET', '/sources', None),
                 ('GET', '/sources/%s' % self.source['uuid'], None),
                 ('POST', '/sources', {'name': 'during-db-outage',
                                       'host': 'vc.example.org',
                                       'username': 'u', 'password': 'p'}),
                 ('GET', '/jobs', None)]
        try:
            self.outage(
                'mariadb', self.db_proxy, 'database is unreachable', calls,
                lambda: 0,
                [('GET', '/sources', None, (200,)),
                 ('GET', '/jobs', None, (200,))], table)
        finally:
            table.emit()
        names = [s['name'] for s in self.client.get('/sources')['sources']]
        self.assertNotIn('during-db-outage', names)

    def test_broker_down(self):
        table = faults.FigureTable('Degradation: RabbitMQ down', COLUMNS)
        jobs_before = self.count_rows('jobs')
        source = '/sources/%s' % self.source['uuid']
        calls = [('POST', '/jobs', {'vm_ids': self.vm_ids[:1],
                                    'type': 'cold'}),
                 ('POST', source + '/discover', {}),
                 ('POST', '/preflights', {'vm_ids': self.vm_ids,
                                          'mode': 'cold'})]
        pf_before = self.count_rows('preflights')

        def left_behind():
            discovery = self.client.get(source)['discovery']['status']
            return ((self.count_rows('jobs') - jobs_before)
                    + (self.count_rows('preflights') - pf_before)
                    + (discovery == 'queued'))
        try:
            self.outage('rabbitmq', self.rabbit_proxy,
                        'message broker is unreachable', calls,
                        left_behind, [('GET', source, None, (200,))],
                        table)
        finally:
            table.emit()
        # Reads never needed the broker.
        self.assertEqual(200, self.request('GET', '/jobs')[0])

    def test_keystone_down(self):
        table = faults.FigureTable('Degradation: Keystone down', COLUMNS)
        jobs_before = self.count_rows('jobs')
        # The token is validated (and cached) before the outage; a job
        # needs a trust, which only Keystone can make.
        self.request('GET', '/jobs')
        calls = [('POST', '/jobs', {'vm_ids': self.vm_ids[:1],
                                    'type': 'cold'})]
        try:
            self.outage('keystone', self.keystone_proxy,
                        'Keystone', calls,
                        lambda: self.count_rows('jobs') - jobs_before,
                        [('GET', '/jobs', None, (200,))], table)
        finally:
            table.emit()

"""The API under hundreds of concurrent clients, as deployed.

Each client is a thread with its own HTTP connection and the project
manager's Keystone token; all start at once and each creates and reads
a source, a preflight and (one client in eight) a job, racing the
others for two VMs. Run against the all-in-one (the embedded cheroot
server) and against uwsgi with the shipped ini (split processes over
RabbitMQ). The figures: 0 connections reset or refused, 0 answers of
5xx, every resource created listed exactly once, one job per VM (the
database's uniqueness, not the API's check, decides the race), and the
latency percentiles.

The gate runs 64 clients against the all-in-one; ``tox -e faults`` runs
256 against both.
"""

import os
import threading
import time
import uuid

import requests

from xms.tests.functional import base as func_base
from xms.tests.functional import faults
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.fixtures import minicloud
from xms.tests.functional.fixtures import vcsim

GATE_CLIENTS = 64
FULL_CLIENTS = 256
#: One client in this many also tries to create a job.
JOB_EVERY = 8
VMS = ('DC0_H0_VM0', 'DC0_H0_VM1')


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered))) - 1)
    return ordered[max(index, 0)]


class Client(threading.Thread):
    """One user: a source, a preflight, maybe a job; reads after each."""

    def __init__(self, index, base_url, token, source_host, vm_ids,
                 start, results):
        super().__init__(daemon=True, name='load-%d' % index)
        self.index = index
        self.url = base_url + '/v1'
        self.headers = {'X-Auth-Token': token, 'Accept': 'application/json',
                        'Content-Type': 'application/json'}
        self.source_host = source_host
        self.vm_ids = vm_ids
        self.start_event = start
        self.results = results
        self.session = requests.Session()

    def call(self, method, path, body=None):
        began = time.monotonic()
        try:
            resp = self.session.request(method, self.url + path, json=body,
                                        headers=self.headers, timeout=300)
        except requests.ConnectionError as exc:
            self.results.record(method, path, None, time.monotonic() - began,
                                error=repr(exc))
            return None, None
        self.results.record(method, path, resp.status_code,
                            time.monotonic() - began, text=resp.text)
        return resp.status_code, (resp.json() if resp.content else None)

    def run(self):
        self.start_event.wait()
        tag = 'load-%d-%s' % (self.index, uuid.uuid4().hex[:6])
        status, source = self.call('POST', '/sources', {
            'name': tag, 'type': 'vmware', 'host': self.source_host,
            'username': 'svc', 'password': 'load-test-%s' % tag})
        if status == 201:
            self.results.created('sources', source['uuid'])
            self.call('GET', '/sources/%s' % source['uuid'])
        vm_id = self.vm_ids[self.index % len(self.vm_ids)]
        status, body = self.call('POST', '/preflights', {
            'vm_ids': [vm_id], 'mode': 'cold'})
        if status == 202:
            pf = body['preflights'][0]['uuid']
            self.results.created('preflights', pf)
            self.call('GET', '/preflights/%s' % pf)
        if self.index % JOB_EVERY == 0:
            vm_id = self.vm_ids[self.index // JOB_EVERY % len(self.vm_ids)]
            status, body = self.call('POST', '/jobs', {
                'vm_ids': [vm_id], 'type': 'cold'})
            if status == 201:
                self.results.created('jobs', body['jobs'][0]['uuid'])
        self.call('GET', '/jobs?limit=50')
        self.call('GET', '/sources?limit=20')


class Results:

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []
        self.errors = []
        self.resources = {'sources': [], 'preflights': [], 'jobs': []}

    def record(self, method, path, status, seconds, error=None, text=''):
        with self.lock:
            self.calls.append((method, status, seconds))
            if status is None or status >= 500:
                self.errors.append('%s %s: %s %s' % (
                    method, path, status, error or text[:300]))

    def created(self, kind, uuid_):
        with self.lock:
            self.resources[kind].append(uuid_)

    def count(self, predicate):
        return sum(1 for c in self.calls if predicate(c))


class ApiLoadTest(func_base.FunctionalTestCase):
    """Concurrent clients against one deployment mode."""

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.state = self.cloud.state
        self.admin = self.cloud.admin_connection()
        self.sim = self.useFixture(vcsim.VcsimFixture())

    def deploy(self, mode, extra=None):
        deploy = self.useFixture(deployment.Deployment(
            os.path.join(self.state_path, 'xms-%s' % mode), self.db.url,
            self.state, mode=mode, extra=extra))
        self.addOnException(lambda exc_info: self._attach_logs(deploy))
        return deploy

    def _attach_logs(self, deploy):
        from testtools import content
        for name, text in deploy.logs().items():
            self.addDetail('%s.log' % name,
                           content.text_content(text[-40000:]))

    def discover(self, client):
        source = client.post('/sources', {
            'name': 'load-vcenter', 'type': 'vmware', 'host': self.sim.host,
            'port': self.sim.port, 'username': self.sim.username,
            'password': self.sim.password,
            'thumbprint': self.sim.thumbprint}, expect=201)
        client.post('/sources/%s/discover' % source['uuid'], expect=202)
        client.wait('/sources/%s' % source['uuid'],
                    lambda s: s['discovery']['status'] not in (
                        'never', 'queued', 'running'), 'discovery',
                    timeout=180)
        vms = {v['name']: v['uuid'] for v in client.get(
            '/vms?source_id=%s&limit=100' % source['uuid'])['vms']}
        vm_ids = [vms[name] for name in VMS]
        # The job gate wants a passing preflight of each VM.
        pfs = client.post('/preflights', {'vm_ids': vm_ids,
                                          'mode': 'cold'},
                          expect=202)['preflights']
        for pf in pfs:
            done = client.wait('/preflights/%s' % pf['uuid'],
                               lambda p: p['status'] not in (
                                   'pending', 'running'), 'preflight',
                               timeout=180)
            self.assertIn(done['verdict'], ('pass', 'warn'), done)
        return vm_ids

    def listed(self, client, kind, query=''):
        seen = []
        marker = None
        while True:
            path = '/%s?limit=1000%s' % (kind, query)
            if marker:
                path += '&marker=%s' % marker
            page = client.get(path)[kind]
            seen.extend(item['uuid'] for item in page)
            if len(page) < 1000:
                return seen
            marker = page[-1]['uuid']

    def run_load(self, mode, clients, table):
        deploy = self.deploy(mode)
        session = deployment.manager_session(self.state, self.admin)
        client = deploy.client(session)
        vm_ids = self.discover(client)
        results = Results()
        start = threading.Event()
        threads = [Client(i, deploy.base_url, session.get_token(),
                          self.sim.host, vm_ids, start, results)
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        start.set()
        for thread in threads:
            thread.join(timeout=900)
        wall = time.monotonic() - began
        self.assertFalse([t.name for t in threads if t.is_alive()])

        resets = results.count(lambda c: c[1] is None)
        fivexx = results.count(lambda c: c[1] is not None and c[1] >= 500)
        busy = results.count(lambda c: c[1] == 503)
        dupes = 0
        missing = 0
        for kind, query in (('sources', ''), ('preflights', ''),
                            ('jobs', '')):
            listed = self.listed(client, kind, query)
            for uuid_ in results.resources[kind]:
                count = listed.count(uuid_)
                missing += count == 0
                dupes += count > 1
        jobs = results.resources['jobs']
        seconds = [c[2] for c in results.calls if c[1] is not None]
        table.add(mode, clients, len(results.calls), resets, fivexx, busy,
                  len(results.resources['sources']),
                  len(results.resources['preflights']), len(jobs),
                  missing, dupes, '%.2f' % percentile(seconds, 50),
                  '%.2f' % percentile(seconds, 95),
                  '%.2f' % max(seconds or [0]), '%.0f' % wall)
        # Cancel what won the race, so no migration outlives the test.
        for job in jobs:
            client.post('/jobs/%s/cancel' % job, {}, expect=202)
        for job in jobs:
            client.wait('/jobs/%s' % job, lambda j: j['state'] in (
                'cancelled', 'failed', 'completed'), 'job %s to end' % job,
                timeout=300)

        self.assertEqual([], results.errors[:20])
        self.assertEqual(0, resets)
        self.assertEqual(0, fivexx)
        self.assertEqual(clients, len(results.resources['sources']))
        self.assertEqual(clients, len(results.resources['preflights']))
        self.assertEqual(len(VMS), len(jobs))
        self.assertEqual((0, 0), (missing, dupes))


COLUMNS = ('mode', 'clients', 'requests', 'resets', '5xx', '503',
           'sources', 'preflights', 'jobs', 'unlisted', 'listed twice',
           'p50 s', 'p95 s', 'max s', 'wall s')


class TestApiLoad(ApiLoadTest):

    def test_all_in_one(self):
        table = faults.FigureTable('API load: all-in-one (cheroot)', COLUMNS)
        try:
            self.run_load(deployment.ALL_IN_ONE,
                          faults.trials(full=FULL_CLIENTS,
                                        gate=GATE_CLIENTS), table)
        finally:
            table.emit()

    def test_uwsgi(self):
        table = faults.FigureTable('API load: uwsgi (shipped ini)', COLUMNS)
        try:
            self.run_load(deployment.UWSGI,
                          faults.trials(full=FULL_CLIENTS,
                                        gate=GATE_CLIENTS // 4), table)
        finally:
            table.emit()

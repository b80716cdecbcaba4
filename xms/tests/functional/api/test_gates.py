"""The job gate through the REST API, against a real Keystone, MariaDB,
RabbitMQ and a conductor: preflights per mode, a rescan invalidating a
verdict, one active job per VM under concurrent requests, and a wave that
is created whole or not at all.

Each test prints its figures (``GATES ...`` lines).
"""

import socketserver
import threading
import time
from wsgiref import simple_server

import requests

from xms.api import app
from xms.db import api as db_api
from xms.tests.functional.api import base
from xms.tests.functional.fixtures import fault_proxy
from xms.tests.functional.fixtures import vcsim

WAIT = 120
CONCURRENT = 24


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    daemon_threads = True
    # Every client connects at once: the default backlog of 5 would have
    # the kernel drop connections before the API sees them.
    request_queue_size = 2 * CONCURRENT


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


class GateTestCase(base.KeystoneAPITestCase):

    def wait_for(self, path, done, persona='member'):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            resp = self.request(persona, 'get', path)
            self.assertEqual(200, resp.status_int, resp.text)
            if done(resp.json):
                return resp.json
            time.sleep(0.2)
        self.fail('%s did not finish: %s' % (path, resp.text))

    def preflight(self, vm_uuid, mode):
        resp = self.request('member', 'post', '/v1/preflights',
                            {'vm_ids': [vm_uuid], 'mode': mode})
        self.assertEqual(202, resp.status_int, resp.text)
        uuid = resp.json['preflights'][0]['uuid']
        return self.wait_for('/v1/preflights/%s' % uuid,
                             lambda p: p['status'] in ('completed',
                                                       'failed'))

    def submit(self, vm_uuids, job_type, persona='member', **extra):
        return self.request(persona, 'post', '/v1/jobs',
                            dict(vm_ids=list(vm_uuids), type=job_type,
                                 **extra))

    def jobs_of(self, vm):
        return db_api.job_list(self.admin_context(),
                               filters={'vm_id': vm.id})

    def trusts_of(self, user='member1', project='p1'):
        """Ids of the trusts ``user`` gave, as Keystone lists them."""
        sess = self.keystone.session(user, project)
        body = sess.get('%s/OS-TRUST/trusts?trustor_user_id=%s' % (
            self.keystone.url, self.keystone.users[user])).json()
        return {t['id'] for t in body['trusts']}


class TestPreflightModes(GateTestCase):

    def setUp(self):
        super().setUp()
        # The source is a placeholder: checks read the stored inventory.
        self.config(probe_source=False, group='preflight')
        # A Linux guest with Tools running: nothing else blocks, so the
        # verdicts depend on the mode only.
        self.vm = self.make_vm(self.make_source()['uuid'], verdict=None,
                               guest_family='linuxGuest',
                               guest_id='debian12_64Guest',
                               hardware_version='vmx-19', firmware='bios',
                               tools_status='running')

    def test_warm_job_after_a_cold_only_pass(self):
        cold = self.preflight(self.vm.uuid, 'cold')
        self.assertIn(cold['verdict'], ('pass', 'warn'), cold)
        resp = self.submit([self.vm.uuid], 'warm')
        self.assertEqual(409, resp.status_int, resp.text)
        message = resp.json['error']['message']
        self.assertIn('needs a warm preflight', message)
        self.assertIn('run a warm preflight of VM %s' % self.vm.name,
                      message)
        self.assertEqual([], self.jobs_of(self.vm))
        warm = self.preflight(self.vm.uuid, 'warm')
        self.assertIn(warm['verdict'], ('pass', 'warn'), warm)
        resp = self.submit([self.vm.uuid], 'warm')
        self.assertEqual(201, resp.status_int, resp.text)
        print('GATES modes: cold preflight %s -> warm job %d, warm '
              'preflight %s -> warm job %d' % (
                  cold['verdict'], 409, warm['verdict'], resp.status_int))

    def test_block_override_records_who_and_why(self):
        # The placeholder source does not answer: a probed preflight
        # blocks on it.
        self.config(probe_source=True, group='preflight')
        blocked = self.preflight(self.vm.uuid, 'cold')
        self.assertEqual('block', blocked['verdict'], blocked)
        resp = self.submit([self.vm.uuid], 'cold')
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertIn('gave Block', resp.json['error']['message'])
        resp = self.submit([self.vm.uuid], 'cold', persona='admin',
                           override_block=True)
        self.assertEqual(400, resp.status_int, resp.text)
        self.assertEqual('override_reason', resp.json['error']['field'])
        resp = self.submit([self.vm.uuid], 'cold', persona='admin',
                           override_block=True,
                           override_reason='vCenter moved; copied by hand')
        self.assertEqual(201, resp.status_int, resp.text)
        job = resp.json['jobs'][0]
        self.assertEqual('vCenter moved; copied by hand',
                         job['override_reason'])
        events = self.request('admin', 'get', '/v1/jobs/%s/events'
                              % job['uuid']).json['events']
        override = [e for e in events
                    if e['event_type'] == 'block_overridden'][0]
        self.assertEqual(self.keystone.users['admin'],
                         override['payload']['user_id'])
        self.assertEqual('vCenter moved; copied by hand',
                         override['payload']['reason'])
        self.assertEqual(blocked['uuid'],
                         override['payload']['preflight_id'])


class TestRescanInvalidates(GateTestCase):
    """Discovery of a real vcsim through the API, twice."""

    VM = 'DC0_H0_VM0'

    def setUp(self):
        super().setUp()
        self.config(task_poll_interval=0.05, group='vsphere')
        self.sim = self.useFixture(vcsim.VcsimFixture())
        self.source = self.make_source(
            host=self.sim.host, port=self.sim.port,
            username=self.sim.username, password=self.sim.password,
            thumbprint=self.sim.thumbprint)

    def rescan(self):
        path = '/v1/sources/%s' % self.source['uuid']
        resp = self.request('member', 'post', path + '/discover', {})
        self.assertEqual(202, resp.status_int, resp.text)
        source = self.wait_for(path, lambda s: s['discovery']['status'] in (
            'completed', 'failed'))
        self.assertEqual('completed', source['discovery']['status'],
                         source)
        vms = self.request('member', 'get', '/v1/vms?name=%s' % self.VM)
        return vms.json['vms'][0]

    def disks_of(self, vm):
        return self.request('member', 'get', '/v1/vms/%s' % vm['uuid']
                            ).json['disks']

    def test_rescan_with_a_changed_disk_invalidates(self):
        vm = self.rescan()
        disks = len(self.disks_of(vm))
        warm = self.preflight(vm['uuid'], 'warm')
        self.assertIn(warm['verdict'], ('pass', 'warn'), warm)
        # A rescan that changes nothing keeps the verdict.
        self.assertEqual(warm['verdict'], self.rescan()['verdict'])

        self.sim.add_disk(self.VM, 2 * 1024 * 1024)
        vm = self.rescan()
        self.assertIsNone(vm['verdict'])
        resp = self.submit([vm['uuid']], 'warm')
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertIn('changed since its last warm preflight (a rescan); '
                      'run a warm preflight of VM %s again' % self.VM,
                      resp.json['error']['message'])
        resp = self.submit([vm['uuid']], 'cold')
        self.assertEqual(409, resp.status_int, resp.text)

        again = self.preflight(vm['uuid'], 'warm')
        resp = self.submit([vm['uuid']], 'warm')
        self.assertEqual(201, resp.status_int, resp.text)
        self.assertEqual(disks + 1, len(self.disks_of(vm)))
        self.assertEqual(disks + 1, len(resp.json['jobs'][0]['disks']))
        print('GATES rescan: warm preflight %s, disk added, rescan -> '
              'warm job 409 and cold job 409; new warm preflight %s -> '
              '201' % (warm['verdict'], again['verdict']))


class TestOneActiveJobPerVm(GateTestCase):

    def setUp(self):
        super().setUp()
        self.vm = self.make_vm(self.make_source()['uuid'])

    def serve(self):
        """The API on a real threaded HTTP server, for real concurrency."""
        httpd = simple_server.make_server('127.0.0.1', 0, app.setup_app(),
                                          server_class=_ThreadingServer,
                                          handler_class=_QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(httpd.server_close)
        self.addCleanup(httpd.shutdown)
        return 'http://127.0.0.1:%d' % httpd.server_address[1]

    def test_concurrent_creates_make_one_job(self):
        # Keystone behind a pass-through proxy, to count the trusts: each
        # request that got past the API's early check made one, so those
        # beyond the first were stopped by the database's constraint.
        proxy = self.useFixture(fault_proxy.FaultProxy(
            self.keystone.url.rsplit('/v3', 1)[0],
            lambda method, path, index: None))
        self.conf.conf.set_override('auth_url', proxy.url + '/v3',
                                    group='service_auth')
        url = self.serve() + '/v1/jobs'
        trusts_before = self.trusts_of()
        barrier = threading.Barrier(CONCURRENT)
        answers = [None] * CONCURRENT

        def post(i):
            barrier.wait()
            try:
                resp = requests.post(
                    url, json={'vm_ids': [self.vm.uuid], 'type': 'cold'},
                    headers={'X-Auth-Token': self.tokens['member']},
                    timeout=WAIT)
                answers[i] = (resp.status_code, resp.json())
            except Exception as exc:  # noqa: BLE001 - reported below
                answers[i] = (repr(exc), None)

        started = time.monotonic()
        threads = [threading.Thread(target=post, args=(i,))
                   for i in range(CONCURRENT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        elapsed = time.monotonic() - started
        codes = [a[0] if a else 'no answer' for a in answers]
        created = codes.count(201)
        conflicts = codes.count(409)
        print('GATES concurrency: %d concurrent POST /v1/jobs for one VM '
              'in %.1f s: %d created, %d answered 409, other: %s' % (
                  CONCURRENT, elapsed, created, conflicts,
                  [c for c in codes if c not in (201, 409)]))
        self.assertEqual(CONCURRENT, len(codes))
        self.assertEqual(1, created, answers)
        self.assertEqual(CONCURRENT - 1, conflicts, answers)
        winner = [a[1] for a in answers if a[0] == 201][0]['jobs'][0]
        for code, body in answers:
            if code == 409:
                self.assertIn('VM %s already has an active job'
                              % self.vm.uuid, body['error']['message'])
        jobs = self.jobs_of(self.vm)
        self.assertEqual([winner['uuid']], [j.uuid for j in jobs])
        self.assertEqual(self.vm.id, jobs[0].active_vm_id)
        # The losers' trusts were deleted: only the job's remains.
        new_trusts = self.trusts_of() - trusts_before
        self.assertEqual({jobs[0].trust_id}, new_trusts)
        trust_calls = [(m, c) for m, p, c in proxy.seen
                       if p.endswith('/OS-TRUST/trusts')
                       or '/OS-TRUST/trusts/' in p]
        posted = trust_calls.count(('POST', 201))
        deleted = trust_calls.count(('DELETE', 204))
        print('GATES concurrency: %d requests passed the early check and '
              'made a trust, %d of them were refused by the database '
              'constraint; %d trusts deleted, %d left in Keystone (the '
              'job\'s)' % (posted, posted - 1, deleted, len(new_trusts)))
        self.assertEqual(posted - 1, deleted)

    def test_vm_free_again_when_the_job_is_cancelled(self):
        first = self.make_job(self.vm)
        resp = self.submit([self.vm.uuid], 'cold')
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertIn(first['uuid'], resp.json['error']['message'])
        ctx = self.admin_context()
        row = db_api.job_get(ctx, first['uuid'])
        db_api.job_update(ctx, row.id, {'state': 'failed'})
        resp = self.submit([self.vm.uuid], 'cold')
        self.assertEqual(409, resp.status_int, resp.text)
        db_api.job_update(ctx, row.id, {'state': 'cancelled'})
        resp = self.submit([self.vm.uuid], 'cold')
        self.assertEqual(201, resp.status_int, resp.text)


class TestAtomicWave(GateTestCase):
    """Keystone refuses the 2nd trust of a wave (a proxy in front of the
    real Keystone answers 403 to it); the 1st was really created."""

    def setUp(self):
        super().setUp()
        source = self.make_source()
        self.vms = [self.make_vm(source['uuid']) for _ in range(3)]

        def refuse_second_trust(method, path, index):
            if method == 'POST' and path.endswith('/OS-TRUST/trusts'):
                return 403 if index == 2 else None
            return None
        upstream = self.keystone.url.rsplit('/v3', 1)[0]
        self.proxy = self.useFixture(fault_proxy.FaultProxy(
            upstream, refuse_second_trust))
        # Trusts are made and deleted through [service_auth]auth_url;
        # tokens are still validated by auth_token against Keystone.
        self.conf.conf.set_override('auth_url', self.proxy.url + '/v3',
                                    group='service_auth')

    def test_second_trust_refused_creates_nothing(self):
        before = self.trusts_of()
        resp = self.submit([vm.uuid for vm in self.vms], 'cold')
        self.assertEqual(502, resp.status_int, resp.text)
        self.assertIn('Keystone could not create a trust',
                      resp.json['error']['message'])
        trust_calls = [s for s in self.proxy.seen
                       if '/OS-TRUST/trusts' in s[1]]
        jobs = sum(len(self.jobs_of(vm)) for vm in self.vms)
        left = self.trusts_of() - before
        print('GATES wave: 3 VMs, trust calls %s -> %d, jobs created %d, '
              'trusts left %d' % ([(m, c) for m, _p, c in trust_calls],
                                  resp.status_int, jobs, len(left)))
        # The 1st trust was created, the 2nd refused, the 1st deleted.
        self.assertEqual([('POST', 201), ('POST', 403), ('DELETE', 204)],
                         [(m, c) for m, _p, c in trust_calls])
        self.assertEqual(0, jobs)
        self.assertEqual(set(), left)
        events = db_api.event_list(self.admin_context())
        self.assertEqual([], [e for e in events if e.resource_type == 'job'])

        # With Keystone answering again the same wave is created whole.
        self.proxy.refuse = lambda method, path, index: None
        resp = self.submit([vm.uuid for vm in self.vms], 'cold')
        self.assertEqual(201, resp.status_int, resp.text)
        self.assertEqual(3, len(resp.json['jobs']))
        self.assertEqual(3, len(self.trusts_of() - before))
        self.assertEqual(3, len(db_api.job_list(self.admin_context())))

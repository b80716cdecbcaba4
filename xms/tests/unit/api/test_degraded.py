"""The API while a dependency is down: 503 with Retry-After, and a
request refused half-way leaves nothing behind."""

import fixtures
from keystoneauth1 import exceptions as ks_exc
from oslo_db import exception as db_exc
import oslo_messaging as messaging
import sqlalchemy as sa

from xms.db import api as db_api
from xms.db import models
from xms.tests.unit.api import base


class BrokerDown(base.FakeConductorAPI):
    """A conductor client whose casts fail after ``ok`` successes."""

    def __init__(self, ok=0):
        super().__init__()
        self.ok = ok

    def __getattr__(self, name):
        def cast(context, *args, **kwargs):
            if self.ok <= 0:
                raise messaging.MessageDeliveryFailure('broker unreachable')
            self.ok -= 1
            self.calls.append((name, context) + args)
        return cast


class TestBrokerDown(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.source = self.make_source()
        self.vm = self.make_vm(self.source['uuid'], 'web1', verdict='pass')
        self.vm2 = self.make_vm(self.source['uuid'], 'web2', verdict='pass')

    def _broker(self, ok=0):
        self.rpc = BrokerDown(ok)
        self.useFixture_rpc()

    @staticmethod
    def _count(model):
        with db_api.get_engine().connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(
                model.__table__)).scalar()

    def assert_503(self, resp, service):
        self.assertEqual(503, resp.status_int)
        self.assertEqual('2', resp.headers['Retry-After'])
        error = resp.json['error']
        self.assertIn('%s is unreachable' % service, error['message'])
        self.assertIn('Retry later', error['message'])

    def test_job_wave_refused_and_rolled_back(self):
        self._broker()
        resp = self.post('/v1/jobs', {
            'vm_ids': [self.vm.uuid, self.vm2.uuid], 'type': 'cold'},
            status=503, roles='member')
        self.assert_503(resp, 'message broker')
        self.assertEqual([], self.get('/v1/jobs').json['jobs'])
        for model in (models.Job, models.JobDisk, models.Event):
            self.assertEqual(0, self._count(model), model.__name__)
        # The VMs are free: once the broker is back the same wave works.
        self._broker(ok=2)
        self.post('/v1/jobs', {'vm_ids': [self.vm.uuid, self.vm2.uuid],
                               'type': 'cold'}, roles='member')

    def test_wave_cut_half_way_keeps_only_the_started_job(self):
        self._broker(ok=1)
        self.post('/v1/jobs', {'vm_ids': [self.vm.uuid, self.vm2.uuid],
                               'type': 'cold'}, status=503, roles='member')
        jobs = self.get('/v1/jobs').json['jobs']
        self.assertEqual([self.vm.uuid], [j['vm_id'] for j in jobs])

    def test_preflights_refused_and_removed(self):
        before = self._count(models.Preflight)
        self._broker()
        resp = self.post('/v1/preflights', {'vm_ids': [self.vm.uuid],
                                            'mode': 'cold'},
                         status=503, roles='member')
        self.assert_503(resp, 'message broker')
        self.assertEqual(before, self._count(models.Preflight))

    def test_discover_refused_and_status_restored(self):
        self._broker()
        resp = self.post('/v1/sources/%s/discover' % self.source['uuid'],
                         status=503)
        self.assert_503(resp, 'message broker')
        source = self.get('/v1/sources/%s' % self.source['uuid']).json
        self.assertNotEqual('queued', source['discovery']['status'])

    def test_actions_refused(self):
        self._broker(ok=1)
        job = self.post('/v1/jobs', {'vm_ids': [self.vm.uuid],
                                     'type': 'cold'},
                        roles='member').json['jobs'][0]
        resp = self.post('/v1/jobs/%s/cancel' % job['uuid'], {},
                         status=503)
        self.assert_503(resp, 'message broker')
        self.assertEqual('queued',
                         self.get('/v1/jobs/%s' % job['uuid']).json['state'])


class TestOtherDependencies(base.APITestCase):

    def _fail(self, exc):
        self.useFixture(fixtures.MockPatchObject(
            db_api, 'api_list', side_effect=exc))

    def test_database_down(self):
        self._fail(db_exc.DBConnectionError('(2003, "Can\'t connect")'))
        resp = self.get('/v1/sources', status=503)
        self.assertIn('database is unreachable',
                      resp.json['error']['message'])
        self.assertEqual('2', resp.headers['Retry-After'])
        # The driver's message (host names, SQL) stays in the log.
        self.assertNotIn('2003', resp.text)

    def test_keystone_down(self):
        self._fail(ks_exc.ConnectFailure('Unable to establish connection'))
        resp = self.get('/v1/sources', status=503)
        self.assertIn('Keystone', resp.json['error']['message'])

    def test_conductor_silent(self):
        self._fail(messaging.MessagingTimeout('no reply'))
        resp = self.get('/v1/sources', status=503)
        self.assertIn('conductor service is unreachable',
                      resp.json['error']['message'])

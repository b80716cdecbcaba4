"""Base of the API unit tests: the real app with ``noauth``, an
in-memory SQLite database and a conductor client that records calls."""

import webtest

from xms.api import app
from xms.common import policy
from xms.conductor import rpcapi
from xms.db import api as db_api
from xms.tests import base

PROJECT = 'p1'
OTHER = 'p2'


class FakeConductorAPI:
    """Records every RPC the API makes; ``test_source`` answers."""

    def __init__(self):
        self.calls = []

    def test_source(self, context, source_id, timeout=None):
        self.calls.append(('test_source', context, source_id))
        return {'status': 'connected', 'product_name': 'VMware vCenter',
                'version': '8.0.2', 'build': '22385739',
                'api_type': 'VirtualCenter'}

    def __getattr__(self, name):
        def record(context, *args, **kwargs):
            self.calls.append((name, context) + args
                              + tuple(sorted(kwargs.items())))
        return record

    def names(self):
        return [c[0] for c in self.calls]


class APITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_strategy='noauth', group='api')
        self.use_credential_keys()
        self.use_memory_database()
        policy.reset()
        self.addCleanup(policy.reset)
        self.rpc = FakeConductorAPI()
        self.useFixture_rpc()
        self.app = webtest.TestApp(app.setup_app())

    def useFixture_rpc(self):
        rpcapi.reset()
        rpcapi._API = self.rpc
        self.addCleanup(rpcapi.reset)

    @staticmethod
    def headers(roles='admin,member,reader', project=PROJECT, user='u1',
                version=None):
        headers = {'X-Roles': roles, 'X-Project-Id': project,
                   'X-User-Id': user}
        if version:
            headers['OpenStack-API-Version'] = version
        return headers

    def get(self, path, status=200, **kw):
        return self.app.get(path, headers=self.headers(**kw), status=status)

    def post(self, path, body=None, status=201, **kw):
        if body is None:
            return self.app.post(path, headers=self.headers(**kw),
                                 status=status)
        return self.app.post_json(path, body, headers=self.headers(**kw),
                                  status=status)

    def patch(self, path, body, status=200, **kw):
        return self.app.patch_json(path, body, headers=self.headers(**kw),
                                   status=status)

    def put(self, path, body, status=200, **kw):
        return self.app.put_json(path, body, headers=self.headers(**kw),
                                 status=status)

    def delete(self, path, status=204, **kw):
        return self.app.delete(path, headers=self.headers(**kw),
                               status=status)

    def assertError(self, resp, code, field=None, contains=None):
        self.assertEqual(code, resp.status_int)
        error = resp.json['error']
        self.assertEqual(code, error['code'])
        self.assertEqual(field, error['field'])
        if contains:
            self.assertIn(contains, error['message'])
        return error

    # --- data ---

    def make_source(self, project=PROJECT, name='vc1', **values):
        body = {'name': name, 'host': 'vc.example.org', 'username': 'svc',
                'password': 'Sup3rSecret!'}
        body.update(values)
        return self.post('/v1/sources', body, project=project).json

    def make_vm(self, source_uuid, name='vm1', verdict=None, disks=2,
                project=PROJECT):
        from xms.db import models
        ctx = self.admin_context()
        source = db_api.source_get(ctx, source_uuid)

        @db_api.main_context_manager.writer
        def _create(context):
            vm = models.Vm(uuid=db_api.new_uuid(), source_id=source.id,
                           project_id=project, moref='vm-%s' % name,
                           name=name, power_state='poweredOn',
                           verdict=verdict, snapshot_count=0,
                           missing=False)
            for key in range(disks):
                vm.disks.append(models.VmDisk(
                    device_key=2000 + key, capacity_bytes=(key + 1) << 30,
                    file_name='[ds1] %s/disk%d.vmdk' % (name, key),
                    is_rdm=False))
            vm.nics.append(models.VmNic(device_key=4000,
                                        network_name='VM Network',
                                        mac_address='00:50:56:00:00:01'))
            context.session.add(vm)
            context.session.flush()
            return vm
        vm = _create(ctx)
        if verdict:
            self.make_preflight(vm, verdict)
        return vm

    @staticmethod
    def admin_context():
        from xms.common import context
        return context.get_admin_context()

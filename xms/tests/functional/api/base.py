"""Functional API tests: the XMS app behind a real keystonemiddleware,
a real Keystone, MariaDB, and a conductor serving RPC over RabbitMQ."""

import os
import uuid

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts
from testtools import content
import webtest

from xms.api import app
from xms.common import context
from xms.common import policy
from xms.common import rpc
from xms.conductor import manager
from xms.conductor import rpcapi
from xms.db import api as db_api
from xms.db import models
from xms.tests.functional import base
from xms.tests.functional.fixtures import keystone

TRANSPORT_URL = os.environ.get('XMS_TEST_TRANSPORT_URL',
                               'rabbit://guest:guest@127.0.0.1:5672/')

# persona: (user, project) of its token; None is a request without one.
# The cloud admin's token is scoped to Keystone's admin project; the
# resources the personas act on are in p1.
PERSONAS = {
    'admin': ('admin', 'admin'),
    'manager': ('manager1', 'p1'),
    'member': ('member1', 'p1'),
    'reader': ('reader1', 'p1'),
    'other': ('member2', 'p2'),
    'anonymous': None,
}


class ConductorTestCase(base.FunctionalTestCase):
    """A private database and a conductor serving RPC over RabbitMQ on a
    private topic, with flows queued in-process."""

    def setUp(self):
        super().setUp()
        self.use_credential_keys()
        for group, opts in messaging_opts.list_opts():
            if group is None:
                self.conf.conf.register_opts(opts)
        self.config(transport_url=TRANSPORT_URL)
        self.config(topic='xms-conductor-test-%s' % uuid.uuid4().hex[:8],
                    group='conductor')
        # Job actions reach the orchestration layer; keep its flows in
        # this process's queue (no worker runs here) rather than on the
        # shared etcd jobboard where other tests' workers would claim them.
        self.config(jobboard_backend='local', group='taskflow')
        from xms.flows import dispatch
        dispatch.reset()
        self.addCleanup(dispatch.reset)
        policy.reset()
        self.addCleanup(policy.reset)
        self._start_conductor()

    def _start_conductor(self):
        rpc.init(self.conf.conf)
        self.addCleanup(rpc.cleanup)
        rpcapi.reset()
        self.addCleanup(rpcapi.reset)
        target = messaging.Target(topic=self.conf.conf.conductor.topic,
                                  server='test-host')
        self.manager = manager.ConductorManager('test-host')
        server = rpc.get_server(target, [self.manager])
        server.start()

        def stop():
            server.stop()
            server.wait()
        self.addCleanup(stop)


class KeystoneAPITestCase(ConductorTestCase):
    """The app behind ``auth_token`` and a real Keystone, with a token per
    persona of :data:`PERSONAS`."""

    def setUp(self):
        super().setUp()
        self.keystone = keystone.shared_keystone()
        self.keystone.configure_xms(self.conf.conf)
        self.addCleanup(keystone.unconfigure_xms, self.conf.conf)
        self.app = webtest.TestApp(app.setup_app())
        self.tokens = {name: (self.keystone.token(*who) if who else None)
                       for name, who in PERSONAS.items()}
        self.project = {name: (self.keystone.projects[who[1]] if who
                               else None)
                        for name, who in PERSONAS.items()}

    def request(self, persona, method, path, body=None, status='*'):
        headers = {}
        if self.tokens[persona]:
            headers['X-Auth-Token'] = self.tokens[persona]
        kwargs = {'headers': headers, 'status': status,
                  'expect_errors': True}
        if body is not None:
            return getattr(self.app, '%s_json' % method)(path, body,
                                                         **kwargs)
        return getattr(self.app, method)(path, **kwargs)

    def print_figures(self, name, text):
        """Show a suite's figures: attached to the test and written to
        the terminal (past the output capture) so every run shows them."""
        self.addDetail(name, content.text_content(text))
        os.write(2, ('\n== %s ==\n%s\n' % (name, text)).encode('utf-8'))

    # --- data ---

    @staticmethod
    def admin_context():
        return context.get_admin_context()

    def make_source(self, persona='manager', **values):
        body = {'name': 'vc-%s' % uuid.uuid4().hex[:8],
                'host': '127.0.0.1', 'username': 'svc',
                'password': 'Sup3rSecret!'}
        body.update(values)
        resp = self.request(persona, 'post', '/v1/sources', body)
        self.assertEqual(201, resp.status_int, resp.text)
        return resp.json

    def make_vm(self, source_uuid, verdict='pass', **values):
        """A discovered VM; ``verdict``: a warm preflight of it with that
        verdict; ``values``: other ``vms`` columns."""
        ctx = self.admin_context()
        source = db_api.source_get(ctx, source_uuid)

        @db_api.main_context_manager.writer
        def _create(context):
            name = 'vm-%s' % uuid.uuid4().hex[:8]
            vm = models.Vm(uuid=str(uuid.uuid4()), source_id=source.id,
                           project_id=source.project_id, moref=name,
                           name=name, power_state='poweredOn',
                           verdict=verdict, snapshot_count=0,
                           missing=False)
            for column, value in values.items():
                setattr(vm, column, value)
            vm.disks.append(models.VmDisk(device_key=2000,
                                          capacity_bytes=1 << 30,
                                          file_name='[ds] %s/d.vmdk' % name,
                                          is_rdm=False))
            context.session.add(vm)
            context.session.flush()
            return vm
        vm = _create(ctx)
        if verdict:
            self.make_preflight(vm, verdict)
        return vm

    def make_job(self, vm, persona='member', state=None, **values):
        resp = self.request(persona, 'post', '/v1/jobs',
                            {'vm_ids': [vm.uuid], 'type': 'warm'})
        self.assertEqual(201, resp.status_int, resp.text)
        job = resp.json['jobs'][0]
        if state or values:
            ctx = self.admin_context()
            row = db_api.job_get(ctx, job['uuid'])
            if state:
                values['state'] = state
            db_api.job_update(ctx, row.id, values)
        return job

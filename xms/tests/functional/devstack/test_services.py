"""The xms.conf the devstack plugin writes, run against the mini-cloud.

:func:`xms.tests.devstack.run_plugin` runs ``devstack/plugin.sh``'s
stack phases with devstack's variables set to the mini-cloud's real
addresses (Keystone, RabbitMQ, etcd, this host) and its functions
recorded. This test then does what devstack would have done with the
record: writes the ``iniset`` calls to ``xms.conf``, runs the recorded
``xms-manage`` commands and starts the recorded ``run_process``
commands (``xms-api``, ``xms-conductor``, ``xms-worker``) with the real
console scripts. A project manager and a member then reach the
conductor and vcsim through the API with Keystone tokens.

Three values differ from the record, so that parallel tests never share
them: the database (a private one, not ``xms``), the conductor's RPC
topic and the jobboard's name.
"""

import os
import shlex
import subprocess
import sys

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from testtools import content

from xms.tests import devstack
from xms.tests.functional import base as func_base
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.fixtures import minicloud
from xms.tests.functional.fixtures import vcsim


class RecordedDeployment(deployment.Deployment):
    """The services of a devstack :class:`~xms.tests.devstack.Record`.

    :param record: the record of the stack phases.
    :param overrides: ``{group: {option: value}}`` replacing recorded
        values.
    """

    def __init__(self, record, cloud, overrides):
        super().__init__(record.conf_dir, None, cloud)
        self.record = record
        self.overrides = overrides
        self.port = int(record.ini(record.xms_conf)['api']['port'])
        self.base_url = 'http://127.0.0.1:%d' % self.port

    def options(self):
        opts = self.record.ini(self.record.xms_conf)
        for group, values in self.overrides.items():
            opts.setdefault(group, {}).update(values)
        return opts

    def _command(self, argv):
        """A recorded command with the recorders' directory replaced by
        the real console scripts'."""
        fake_bin = os.path.join(self.record.workdir, 'bin')
        real_bin = os.path.dirname(sys.executable)
        return [real_bin + a[len(fake_bin):] if a.startswith(fake_bin + '/')
                else a for a in argv]

    def _setUp(self):
        self.config_file = self.write_config()
        assert self.config_file == self.record.xms_conf
        for call in self.record.phase('stack', 'extra'):
            if call[0] == 'xms-manage':
                argv = self._command(
                    [os.path.join(self.record.workdir, 'bin', call[0])]
                    + list(call[1:]))
                subprocess.run(argv, check=True, capture_output=True,
                               timeout=120)
            elif call[0] == 'run_process':
                name, argv = call[1], shlex.split(call[2])
                self._start(name, self._command(argv))
        self.addCleanup(self.stop_all)
        deployment.wait_for(self._api_up, 'the XMS API on %s'
                            % self.base_url, timeout=120,
                            on_wait=self._check_alive)

    def _start(self, name, argv):
        log = open(self.log_path(name) + '.out', 'w')
        self.addCleanup(log.close)
        self.procs[name] = subprocess.Popen(
            argv + ['--log-file', self.log_path(name)], stdout=log,
            stderr=subprocess.STDOUT)


class TestDevstackServices(func_base.FunctionalTestCase):

    def test_plugin_configuration_runs_xms(self):
        cloud = self.useFixture(minicloud.MiniCloud(self.conf)).state
        sim = self.useFixture(vcsim.VcsimFixture())
        workdir = os.path.join(self.state_path, 'devstack')
        os.makedirs(workdir)
        etcd_host, etcd_port = deployment.ETCD_HOST.rsplit(':', 1)
        record = devstack.run_plugin(workdir, phases=devstack.STACK, env={
            'SERVICE_HOST': etcd_host, 'HOST_IP': '127.0.0.1',
            'ETCD_PORT': etcd_port,
            'KEYSTONE_SERVICE_URI': cloud['auth_url'],
            'REGION_NAME': cloud['region_name'],
            'SERVICE_PASSWORD': cloud['users']['xms']['password'],
            'XMS_SERVICE_HOST': '127.0.0.1',
            'XMS_SERVICE_PORT': str(deployment.free_port()),
            'XMS_FAKE_TRANSPORT_URL': deployment.RABBIT_URL,
            'MEMCACHE_SERVERS': '', 'SSL_BUNDLE_FILE': '',
            # The embedded server: the console scripts are the ones the
            # test can start without uwsgi.
            'XMS_USE_UWSGI': 'False', 'XMS_ENABLE_VCSIM': 'False'})
        self.assertEqual(
            ['xms-api', 'xms-cond', 'xms-worker'],
            [c[1] for c in record.calls if c[0] == 'run_process'])
        suffix = os.path.basename(self.state_path)[-10:]
        deploy = self.useFixture(RecordedDeployment(record, cloud, {
            'database': {'connection': self.db.url},
            'conductor': {'topic': 'xms-devstack-%s' % suffix},
            'taskflow': {'jobboard_name': 'xms-devstack-%s' % suffix}}))
        self.addOnException(lambda _exc: [
            self.addDetail(name, content.text_content(deploy.log_tail(name)))
            for name in deploy.procs])

        manager = deploy.client(deployment.manager_session(
            cloud, minicloud.admin_connection(cloud)))
        member = deploy.client(deployment.user_session(cloud, 'alice'))
        source = manager.post('/sources', {
            'name': 'devstack-vcsim', 'type': 'vmware', 'host': sim.host,
            'port': sim.port, 'username': sim.username,
            'password': sim.password, 'thumbprint': sim.thumbprint},
            expect=201)
        # An RPC call: the API reaches the conductor, which logs in to
        # vcsim with the password the API encrypted.
        info = member.post('/sources/%s/test' % source['uuid'], expect=200)
        self.assertTrue(info.get('product_name'), info)
        member.post('/sources/%s/discover' % source['uuid'], expect=202)
        done = member.wait('/sources/%s' % source['uuid'],
                           lambda s: s['discovery']['status'] not in (
                               'never', 'queued', 'running'),
                           'discovery', timeout=120)
        self.assertNotEqual('failed', done['discovery']['status'], done)
        vms = member.get('/vms?source_id=%s' % source['uuid'])['vms']
        self.assertIn('DC0_H0_VM0', [vm['name'] for vm in vms])
        # The worker of the recorded command line heartbeats; only an
        # operator (admin) lists workers.
        admin = deploy.client(ks_session.Session(auth=v3.Password(
            auth_url=cloud['auth_url'], user_domain_id='default',
            project_domain_id='default', **cloud['admin'])))
        workers = admin.wait(
            '/workers', lambda doc: [w for w in doc['workers']
                                     if w['binary'] == 'xms-worker'
                                     and w['alive']],
            'the worker\'s heartbeat', timeout=60)['workers']
        self.assertIn('xms-conductor', [w['binary'] for w in workers])

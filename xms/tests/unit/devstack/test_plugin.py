"""devstack/plugin.sh and lib/xms with devstack's functions recorded.

What the plugin would do in each phase, in which order, and the
xms.conf it would write, checked against the options XMS and its
libraries register (xms-config-generator.conf's namespaces and the
keystoneauth plugins the two auth groups name).
"""

import os

import fixtures
from keystoneauth1 import loading as ks_loading
import stevedore

from xms.tests import base
from xms.tests import devstack

GENERATOR_CONF = os.path.join(devstack.TOP, 'etc', 'xms',
                              'xms-config-generator.conf')
#: Groups whose options come from the keystoneauth plugin they name.
AUTH_GROUPS = ('keystone_authtoken', 'service_auth')


def registered_options():
    """``{group: {option names}}`` of every namespace the sample
    configuration documents."""
    with open(GENERATOR_CONF) as f:
        namespaces = [line.split('=', 1)[1].strip() for line in f
                      if line.startswith('namespace')]
    known = {}
    for namespace in namespaces:
        mgr = stevedore.named.NamedExtensionManager(
            'oslo.config.opts', names=[namespace], invoke_on_load=True)
        for ext in mgr:
            for group, opts in ext.obj:
                name = getattr(group, 'name', group) or 'DEFAULT'
                for opt in opts:
                    known.setdefault(name, set()).update(
                        [opt.dest, opt.name.replace('-', '_')])
    return known


class TestDevstackPlugin(base.TestCase):

    def run_plugin(self, **kwargs):
        return devstack.run_plugin(
            self.useFixture(fixtures.TempDir()).path, **kwargs)

    def test_order_of_a_stack_and_unstack(self):
        rec = self.run_plugin()
        top = os.path.join(rec.workdir, 'dest', 'xms')
        bin_dir = os.path.join(rec.workdir, 'bin')
        # install: packages of the bindep profiles, then XMS, the client
        # and uwsgi, then the simulator; no dashboard without Horizon.
        client = ([('setup_develop', top + '/client')]
                  if os.path.isdir(os.path.join(devstack.TOP, 'client'))
                  else [])
        self.assertEqual(
            [('install_bindep', top + '/bindep.txt', 'demo', 'conversion'),
             ('setup_develop', top),
             ('pip_install', 'uwsgi')] + client +
            [('install_package', 'golang-go',
              'golang-github-vmware-govmomi-dev', 'patch'),
             ('vcsim-build',)],
            rec.phase('stack', 'install'))
        # post-config: the file, then the accounts and catalog.
        post = rec.phase('stack', 'post-config')
        names = [c[0] for c in post]
        self.assertLess(max(i for i, n in enumerate(names) if n == 'iniset'),
                        names.index('get_or_create_user'))
        self.assertEqual(
            [('get_or_create_user', 'xms', 'service-secret', 'Default'),
             ('get_or_create_role', 'service'),
             ('get_or_create_user_role', 'service', 'user-xms', 'service'),
             ('get_or_create_user_role', 'admin', 'user-xms', 'service'),
             ('get_or_create_service', 'xms', 'migration',
              'VMware to OpenStack migration service'),
             ('get_or_create_endpoint', 'service-xms', 'RegionOne',
              'http://192.0.2.10:8980', 'http://192.0.2.10:8980',
              'http://192.0.2.10:8980')],
            [c for c in post if c[0].startswith('get_or_create')])
        # extra: the schema and the keys before any process starts; the
        # source before the API; the API answers before stack.sh goes on.
        conf = rec.xms_conf
        self.assertEqual(
            [('recreate_database', 'xms'),
             ('xms-manage', '--config-file', conf, 'db', 'sync'),
             ('xms-manage', '--config-file', conf, 'credentials', 'init'),
             ('run_process', 'xms-vcsim',
              '%s/cache/vcsim/vcsim -l 192.0.2.10:8989 -username '
              'administrator@vsphere.local -password service-secret'
              % os.path.join(rec.workdir, 'data', 'xms')),
             ('run_process', 'xms-api', '%s/uwsgi --procname-prefix xms-api '
              '--ini %s/xms-api-uwsgi.ini' % (bin_dir, rec.conf_dir)),
             ('run_process', 'xms-cond',
              '%s/xms-conductor --config-file %s' % (bin_dir, conf)),
             ('run_process', 'xms-worker',
              '%s/xms-worker --config-file %s' % (bin_dir, conf)),
             ('wait_for_service', '60', 'http://192.0.2.10:8980')],
            rec.phase('stack', 'extra'))
        self.assertEqual(
            [('stop_process', s) for s in
             ('xms-api', 'xms-cond', 'xms-worker', 'xms-vcsim')],
            rec.phase('unstack'))
        self.assertEqual(
            [('sudo', 'rm', '-rf', rec.conf_dir,
              os.path.join(rec.workdir, 'data', 'xms'))],
            rec.phase('clean'))

    def test_configuration_written(self):
        rec = self.run_plugin(phases=devstack.STACK)
        doc = rec.ini(rec.xms_conf)
        self.assertEqual(
            'rabbit://stackrabbit:rabbit-secret@192.0.2.10:5672/',
            doc['DEFAULT']['transport_url'])
        self.assertEqual('mysql+pymysql://root:db-secret@127.0.0.1/xms',
                         doc['database']['connection'])
        self.assertEqual({'host_ip': '192.0.2.10', 'port': '8980',
                          'auth_strategy': 'keystone'}, doc['api'])
        self.assertEqual('xms', doc['keystone_authtoken']['username'])
        self.assertEqual('migration',
                         doc['keystone_authtoken']['service_type'])
        self.assertEqual('http://192.0.2.10/identity',
                         doc['keystone_authtoken']['www_authenticate_uri'])
        self.assertEqual(
            {'auth_type': 'v3password',
             'auth_url': 'http://192.0.2.10/identity', 'username': 'xms',
             'password': 'service-secret', 'project_name': 'service',
             'user_domain_name': 'Default',
             'project_domain_name': 'Default', 'region_name': 'RegionOne',
             'interface': 'public'}, doc['service_auth'])
        self.assertEqual({'jobboard_backend': 'etcd',
                          'jobboard_hosts': '192.0.2.10:2379'},
                         doc['taskflow'])
        if os.path.exists(os.path.join(devstack.TOP, 'xms', 'conf',
                                       'coordination.py')):
            self.assertEqual('etcd3+http://192.0.2.10:2379',
                             doc['coordination']['backend_url'])
        else:
            self.assertNotIn('coordination', doc)
        self.assertEqual('keyrepo', doc['credentials']['backend'])
        self.assertEqual({'storage_driver': 'cinder',
                          'attach_driver': 'osbrick',
                          'compute_driver': 'nova',
                          'network_driver': 'neutron'},
                         {k: v for k, v in doc['target'].items()
                          if k.endswith('_driver')})
        self.assertEqual('virt_v2v', doc['conversion']['driver'])
        self.assertEqual('4', doc['worker']['max_jobs'])
        uwsgi = rec.ini(os.path.join(rec.conf_dir, 'xms-api-uwsgi.ini'))
        self.assertEqual(
            {'uwsgi': {'http11-socket': '192.0.2.10:8980',
                       'pyargv': '--config-file %s' % rec.xms_conf}}, uwsgi)
        # The file the plugin copied is the repository's uwsgi ini.
        with open(os.path.join(devstack.TOP, 'etc', 'xms',
                               'xms-api-uwsgi.ini')) as f:
            shipped = f.read()
        with open(os.path.join(rec.conf_dir, 'xms-api-uwsgi.ini')) as f:
            self.assertEqual(shipped, f.read())

    def test_every_option_written_exists(self):
        rec = self.run_plugin(phases=devstack.STACK)
        known = registered_options()
        for group in AUTH_GROUPS:
            auth_type = rec.ini(rec.xms_conf)[group]['auth_type']
            known.setdefault(group, set()).update(
                o.dest for o in ks_loading.get_plugin_options(auth_type))
            known[group].update(['auth_type', 'auth_section'])
        for group, values in rec.ini(rec.xms_conf).items():
            for option in values:
                self.assertIn(option, known.get(group, ()),
                              '[%s]%s is no XMS option' % (group, option))

    def test_dashboard_with_horizon_and_no_simulator(self):
        rec = self.run_plugin(
            phases=devstack.STACK[:1], services=['horizon'],
            env={'XMS_ENABLE_VCSIM': 'False',
                 'XMS_CONVERSION_DRIVER': 'none'})
        top = os.path.join(rec.workdir, 'dest', 'xms')
        install = rec.phase('stack', 'install')
        self.assertIn(('install_bindep', top + '/bindep.txt', 'demo'),
                      install)
        if os.path.isdir(os.path.join(devstack.TOP, 'dashboard')):
            self.assertIn(('setup_develop', top + '/dashboard'), install)
            local = os.path.join(rec.workdir, 'horizon',
                                 'openstack_dashboard', 'local')
            self.assertTrue(os.path.isfile(os.path.join(
                local, 'enabled', '_90_project_migration_panelgroup.py')))
            self.assertTrue(os.path.isfile(os.path.join(
                local, 'local_settings.d', '_90_xms.py')))
        self.assertNotIn(('vcsim-build',), install)

    def test_embedded_api_server(self):
        rec = self.run_plugin(phases=devstack.STACK,
                              env={'XMS_USE_UWSGI': 'False'})
        self.assertIn(
            ('run_process', 'xms-api', '%s/xms-api --config-file %s'
             % (os.path.join(rec.workdir, 'bin'), rec.xms_conf)),
            rec.phase('stack', 'extra'))
        self.assertNotIn(('pip_install', 'uwsgi'), rec.calls)
        self.assertFalse(os.path.exists(
            os.path.join(rec.conf_dir, 'xms-api-uwsgi.ini')))

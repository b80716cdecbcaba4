"""Every option is documented and registered; secrets are marked."""

from xms.conf import CONF
from xms.conf import keystone
from xms.conf import opts
from xms.tests import base


class TestOpts(base.TestCase):

    def test_every_option_has_help(self):
        for group, options in opts.list_opts():
            for opt in options:
                self.assertTrue(opt.help, '[%s]/%s has no help'
                                % (group, opt.name))

    def test_listed_options_are_registered(self):
        for group, options in opts.list_opts():
            if group == 'service_auth':
                # keystoneauth registers plugin options when it loads the
                # plugin named by auth_type; only XMS's own are checked.
                options = keystone.opts
            for opt in options:
                if group == 'DEFAULT':
                    self.assertIn(opt.dest, CONF)
                else:
                    self.assertIn(opt.dest, CONF[group])

    def test_one_module_per_group(self):
        groups = [group for group, _options in opts.list_opts()]
        self.assertEqual(len(groups), len(set(groups)))
        for expected in ('api', 'conductor', 'worker', 'taskflow',
                         'vsphere', 'transport', 'target', 'conversion',
                         'credentials', 'service_auth'):
            self.assertIn(expected, groups)

    def test_secrets_are_secret(self):
        for group, options in opts.list_opts():
            for opt in options:
                if ('password' in opt.name or 'secret' in opt.name
                        or opt.name.endswith('connection')):
                    self.assertTrue(opt.secret, '[%s]/%s' % (group,
                                                             opt.name))

    def test_api_port_default(self):
        self.assertEqual(8980, CONF.api.port)

    def test_database_default_is_sqlite_under_state_path(self):
        self.assertEqual('sqlite:///%s/xms.sqlite' % self.state_path,
                         CONF.database.connection)

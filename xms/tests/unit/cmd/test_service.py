"""Start-up checks: configuration errors become one clear line."""

import io
import os

import fixtures

from xms.cmd import run
from xms.common import exception
from xms.common import service
from xms.conf import CONF
from xms.tests import base


class TestUnknownOptions(base.TestCase):

    def _write(self, text):
        path = os.path.join(self.state_path, 'xms.conf')
        with open(path, 'w') as f:
            f.write(text)
        CONF(['--config-file', path], project='xms',
             default_config_files=[])
        return path

    def test_known_options_pass(self):
        self._write('[DEFAULT]\nhost = h\ndebug = true\n'
                    'transport_url = rabbit://\n'
                    '[api]\nport = 1234\n[database]\nconnection = sqlite://\n'
                    '[keystone_authtoken]\nauth_type = password\n'
                    'username = xms\n'
                    '[oslo_messaging_rabbit]\nheartbeat_timeout_threshold=0\n'
                    '[vsphere]\napi_retry_count = 1\n')
        service.check_unknown_options(CONF)

    def test_unknown_option_named_with_file(self):
        path = self._write('[api]\nprot = 1234\n')
        exc = self.assertRaises(exception.ConfigInvalid,
                                service.check_unknown_options, CONF)
        self.assertIn('"prot"', str(exc))
        self.assertIn('[api]', str(exc))
        self.assertIn(path, str(exc))

    def test_unknown_section(self):
        self._write('[wroker]\nmax_jobs = 2\n')
        exc = self.assertRaises(exception.ConfigInvalid,
                                service.check_unknown_options, CONF)
        self.assertIn('unknown section [wroker]', str(exc))


class TestRun(base.TestCase):

    def test_xms_exception_is_one_line_and_status_1(self):
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))

        def fail():
            raise exception.DatabaseUnavailable(url='mysql://h/x',
                                                reason='refused\nmore')

        self.assertEqual(1, run(fail))
        lines = err.getvalue().splitlines()
        self.assertEqual(1, len(lines))
        self.assertIn('Cannot reach the database at mysql://h/x', lines[0])

    def test_success_passes_through(self):
        self.assertEqual(0, run(lambda: 0))

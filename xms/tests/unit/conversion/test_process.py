import os

from xms.conversion import errors
from xms.conversion import process
from xms.tests import base


class TestEnv(base.TestCase):

    def test_from_options(self):
        self.config(libguestfs_backend='direct',
                    libguestfs_backend_settings='force_tcg',
                    libguestfs_memsize=1024, group='conversion')
        env = process.libguestfs_env({'PATH': '/bin',
                                      'LIBGUESTFS_DEBUG': '1'})
        self.assertEqual('direct', env['LIBGUESTFS_BACKEND'])
        self.assertEqual('force_tcg', env['LIBGUESTFS_BACKEND_SETTINGS'])
        self.assertEqual('1024', env['LIBGUESTFS_MEMSIZE'])
        self.assertNotIn('LIBGUESTFS_HV', env)
        self.assertNotIn('LIBGUESTFS_DEBUG', env)
        self.assertEqual('/bin', env['PATH'])

    def test_unset_options_keep_environment(self):
        env = process.libguestfs_env({'LIBGUESTFS_BACKEND_SETTINGS': 'x'})
        self.assertEqual('x', env['LIBGUESTFS_BACKEND_SETTINGS'])


class TestRun(base.TestCase):

    def test_lines_streamed_in_order(self):
        seen = []
        result = process.run(
            ['sh', '-c', 'echo one; echo two >&2; printf "a\\rb\\n"; '
             'exit 3'], 30, line_callback=seen.append, env=dict(os.environ))
        self.assertEqual(['one', 'two', 'b'], seen)
        self.assertEqual(3, result.returncode)
        self.assertFalse(result.ok)
        self.assertFalse(result.timed_out)

    def test_keeps_tail(self):
        result = process.run(['seq', '1', '100'], 30, keep=5,
                             env=dict(os.environ))
        self.assertEqual(['96', '97', '98', '99', '100'], result.lines)
        self.assertTrue(result.ok)

    def test_timeout_kills_the_group(self):
        # The child sleeps in the background: the whole session must go.
        result = process.run(['sh', '-c', 'sleep 60 & echo started; wait'],
                             1, env=dict(os.environ))
        self.assertTrue(result.timed_out)
        self.assertFalse(result.ok)
        self.assertEqual(['started'], result.lines)

    def test_callback_errors_do_not_fail(self):
        def boom(line):
            raise ValueError(line)
        result = process.run(['echo', 'x'], 30, line_callback=boom,
                             env=dict(os.environ))
        self.assertTrue(result.ok)

    def test_missing_tool(self):
        exc = self.assertRaises(errors.ConversionFailed, process.run,
                                ['/nonexistent/virt-v2v-in-place'], 30)
        self.assertEqual('missing_tools', exc.cause)
        self.assertIn('python3-guestfs', str(exc))

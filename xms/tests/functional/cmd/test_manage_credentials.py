"""``xms-manage credentials init|rotate-key|export`` run as the real
console script against MariaDB and a vcsim."""

import json
import os
import stat
import subprocess
import sys

from xms.common import credentials
from xms.db import api as db_api
from xms.sources.vsphere import client
from xms.tests.functional.fixtures import vcsim
from xms.tests.functional.sources import base


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class ManageCredentialsTestCase(base.VSphereTestCase):
    """A source stored before each test, with keys made by ``init``."""

    vcsim_kwargs = None

    def use_credential_keys(self, path=None):
        # The keys of these tests come from the real command, not from
        # the base class's shortcut.
        path = path or os.path.join(self.state_path, 'keys')
        self.keys = path
        self.config(key_repository=path, group='credentials')
        return path

    def manage(self, *args, keys=None):
        conf = os.path.join(self.state_path, 'xms.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = %s\n[credentials]\nkey_repository = %s\n'
                    % (self.state_path, self.db.url, keys or self.keys))
        return subprocess.run(
            [_script('xms-manage'), '--config-file', conf] + list(args),
            capture_output=True, text=True, check=False)

    def init(self, *args, keys=None):
        result = self.manage('credentials', 'init', *args, keys=keys)
        self.assertEqual(0, result.returncode, result.stderr)
        return result

    def stored(self):
        return {s.id: s.password_encrypted
                for s in db_api.source_list(self.ctx)}


class TestInit(ManageCredentialsTestCase):

    def test_init_creates_a_private_repository_once(self):
        result = self.init()
        self.assertIn('1 key(s) installed, key 0 is primary', result.stdout)
        self.assertEqual(['0'], os.listdir(self.keys))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.keys).st_mode))
        key_file = os.path.join(self.keys, '0')
        self.assertEqual(0o600, stat.S_IMODE(os.stat(key_file).st_mode))
        with open(key_file, 'rb') as f:
            key = f.read()

        again = self.manage('credentials', 'init')
        self.assertEqual(1, again.returncode)
        lines = again.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), again.stderr)
        self.assertIn('already has keys; refusing to overwrite', lines[0])
        self.assertIn(self.keys, lines[0])
        with open(key_file, 'rb') as f:
            self.assertEqual(key, f.read())

    def test_nothing_creates_keys_implicitly(self):
        exc = self.assertRaises(credentials.CredentialKeyMissing,
                                credentials.encrypt, 'pw')
        self.assertIn('xms-manage credentials init', str(exc))
        self.assertFalse(os.path.exists(self.keys))
        result = self.manage('credentials', 'rotate-key')
        self.assertEqual(1, result.returncode)
        self.assertIn('No credential encryption key in %s' % self.keys,
                      result.stderr)
        self.assertFalse(os.path.exists(self.keys))

    def test_replace_needs_an_export(self):
        self.init()
        result = self.manage('credentials', 'init', '--replace')
        self.assertEqual(1, result.returncode)
        self.assertIn('--replace needs --from FILE', result.stderr)
        self.assertEqual(['0'], os.listdir(self.keys))


class TestRotateKey(ManageCredentialsTestCase):

    def setUp(self):
        super().setUp()
        self.init()
        self.sim = self.useFixture(vcsim.VcsimFixture())
        self.source = self.make_source(name='vc-main')
        self.passwords = {self.source.id: self.sim.password}
        for i in range(3):
            password = 'pw-%d-$(id) "quoted" é' % i
            source = self.make_source(name='s%d' % i, password=password)
            self.passwords[source.id] = password

    def test_rotate_reencrypts_and_the_source_still_connects(self):
        before = self.stored()
        result = self.manage('credentials', 'rotate-key')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('Key 1 is now primary; 4 source password(s) '
                      're-encrypted', result.stdout)
        after = self.stored()
        for source_id, token in after.items():
            self.assertNotEqual(before[source_id], token)
            self.assertEqual(self.passwords[source_id],
                             credentials.decrypt(token))
        # A source stored before the rotation logs in after it.
        client.close_all()
        about = self.driver.test_connection(self.ctx,
                                            self.reload_source())
        self.assertIn('VMware', about['product_name'])

        for _ in range(3):
            self.assertEqual(0, self.manage('credentials',
                                            'rotate-key').returncode)
        self.assertEqual(['2', '3', '4'], sorted(os.listdir(self.keys)))
        for source_id, token in self.stored().items():
            self.assertEqual(self.passwords[source_id],
                             credentials.decrypt(token))
        client.close_all()
        self.driver.test_connection(self.ctx, self.reload_source())
        for secret in self.passwords.values():
            self.assertNotIn(secret, result.stdout + result.stderr)


class TestExport(ManageCredentialsTestCase):

    def test_export_to_file_and_init_another_host_from_it(self):
        self.init()
        self.assertEqual(0, self.manage('credentials',
                                        'rotate-key').returncode)
        token = credentials.encrypt('exported-pw')
        export = os.path.join(self.state_path, 'keys.json')
        result = self.manage('credentials', 'export', export)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('WARNING: this export holds the keys', result.stderr)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(export).st_mode))
        with open(export) as f:
            doc = json.load(f)
        self.assertEqual(['0', '1'], sorted(doc['keys']))
        self.assertNotIn('exported-pw', json.dumps(doc))

        # Never overwrites a file: it may be another host's export.
        again = self.manage('credentials', 'export', export)
        self.assertEqual(1, again.returncode)
        self.assertIn('already exists; refusing to overwrite', again.stderr)

        other = os.path.join(self.state_path, 'other-host-keys')
        self.init('--from', export, keys=other)
        self.assertEqual(['0', '1'], sorted(os.listdir(other)))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(other).st_mode))
        self.assertEqual('exported-pw', credentials.decrypt(token,
                                                            path=other))

        # After a rotation here, the other host takes the new set.
        self.assertEqual(0, self.manage('credentials',
                                        'rotate-key').returncode)
        token = credentials.encrypt('after-rotation')
        refused = self.manage('credentials', 'init', '--from', export,
                              keys=other)
        self.assertEqual(1, refused.returncode)
        stdout = self.manage('credentials', 'export', '-')
        self.assertEqual(0, stdout.returncode, stdout.stderr)
        self.assertIn('WARNING', stdout.stderr)
        newer = os.path.join(self.state_path, 'keys-2.json')
        with open(newer, 'w') as f:
            f.write(stdout.stdout)
        self.init('--from', newer, '--replace', keys=other)
        self.assertEqual(['0', '1', '2'], sorted(os.listdir(other)))
        self.assertEqual('after-rotation',
                         credentials.decrypt(token, path=other))

    def test_export_without_keys_and_a_bad_import(self):
        result = self.manage('credentials', 'export', '-')
        self.assertEqual(1, result.returncode)
        self.assertIn('xms-manage credentials init', result.stderr)
        self.assertEqual('', result.stdout)
        bad = os.path.join(self.state_path, 'bad.json')
        with open(bad, 'w') as f:
            json.dump({'format': 'xms-credential-keys', 'version': 1,
                       'keys': {'0': 'not-a-key'}}, f)
        result = self.manage('credentials', 'init', '--from', bad)
        self.assertEqual(1, result.returncode)
        self.assertIn('key 0 is not a Fernet key', result.stderr)
        self.assertFalse(os.path.exists(self.keys))

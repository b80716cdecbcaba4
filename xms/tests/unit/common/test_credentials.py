"""Source passwords are encrypted with a rotating key repository."""

import json
import os

import fixtures

from xms.common import credentials
from xms.tests import base


class TestCredentials(base.TestCase):

    def setUp(self):
        super().setUp()
        self.repo = os.path.join(self.state_path, 'keys')
        self.config(key_repository=self.repo, group='credentials')

    def test_round_trip_and_no_plaintext(self):
        credentials.init_repository()
        token = credentials.encrypt('s3cr3t-pw')
        self.assertNotIn('s3cr3t-pw', token)
        self.assertEqual('s3cr3t-pw', credentials.decrypt(token))

    def test_init_creates_private_repository_and_refuses_again(self):
        self.assertEqual([0], credentials.init_repository())
        self.assertEqual(['0'], os.listdir(self.repo))
        self.assertEqual(0o700, os.stat(self.repo).st_mode & 0o777)
        self.assertEqual(0o600,
                         os.stat(os.path.join(self.repo, '0')).st_mode
                         & 0o777)
        self.assertRaises(credentials.CredentialKeysExist,
                          credentials.init_repository)
        # Replacing with a fresh key would orphan the stored passwords.
        self.assertRaises(credentials.CredentialKeysExist,
                          credentials.init_repository, replace=True)

    def test_encrypt_never_creates_keys(self):
        exc = self.assertRaises(credentials.CredentialKeyMissing,
                                credentials.encrypt, 'x')
        self.assertIn('xms-manage credentials init', str(exc))
        self.assertIn('[credentials]/key_repository', str(exc))
        self.assertFalse(os.path.exists(self.repo))

    def test_rotation_reencrypts_and_drops_oldest(self):
        self.config(max_active_keys=2, group='credentials')
        credentials.init_repository()
        stored = {'s1': credentials.encrypt('pw-1'),
                  's2': credentials.encrypt('pw-2')}

        def reencrypt(rotate):
            for key in stored:
                stored[key] = rotate(stored[key])

        for _round in range(3):
            credentials.rotate(reencrypt)
        self.assertEqual(['2', '3'], sorted(os.listdir(self.repo)))
        self.assertEqual('pw-1', credentials.decrypt(stored['s1']))
        self.assertEqual('pw-2', credentials.decrypt(stored['s2']))

    def test_failed_rotation_keeps_every_key(self):
        self.config(max_active_keys=2, group='credentials')
        credentials.init_repository()
        token = credentials.encrypt('pw')
        credentials.rotate(lambda rewrite: None)

        def fail(rewrite):
            raise RuntimeError('database went away')

        self.assertRaises(RuntimeError, credentials.rotate, fail)
        self.assertEqual(['0', '1', '2'], sorted(os.listdir(self.repo)))
        self.assertEqual('pw', credentials.decrypt(token))

    def test_rotation_needs_a_repository(self):
        self.assertRaises(credentials.CredentialKeyMissing,
                          credentials.rotate, lambda rewrite: None)
        self.assertFalse(os.path.exists(self.repo))

    def test_export_round_trip_and_replace(self):
        credentials.init_repository()
        credentials.rotate(lambda rewrite: None)
        token = credentials.encrypt('pw')
        text = credentials.export_keys()
        other = os.path.join(self.state_path, 'other')
        keys = credentials.read_export(text, 'export.json')
        self.assertEqual([0, 1], credentials.init_repository(other, keys))
        self.assertEqual('pw', credentials.decrypt(token, path=other))
        # A replacement drops the keys the export lacks.
        credentials.rotate(lambda rewrite: None, path=other)
        self.assertEqual([0, 1], credentials.init_repository(
            other, keys, replace=True))
        self.assertEqual(['0', '1'], sorted(os.listdir(other)))

    def test_read_export_names_what_is_wrong(self):
        cases = [
            ('{', 'not JSON'),
            ('{"format": "other"}', '"format" is not'),
            ('{"format": "xms-credential-keys", "version": 9}',
             'unsupported "version"'),
            ('{"format": "xms-credential-keys", "version": 1, "keys": {}}',
             'no "keys"'),
            (json.dumps({'format': 'xms-credential-keys', 'version': 1,
                         'keys': {'a': 'b'}}), 'map key numbers to keys'),
            (json.dumps({'format': 'xms-credential-keys', 'version': 1,
                         'keys': {'3': 'short'}}), 'key 3 is not a Fernet'),
        ]
        for text, expected in cases:
            exc = self.assertRaises(credentials.CredentialExportInvalid,
                                    credentials.read_export, text, 'f.json')
            self.assertIn('f.json', str(exc))
            self.assertIn(expected, str(exc))

    def test_check_keys(self):
        self.assertRaises(credentials.CredentialKeyMissing,
                          credentials.check_keys)
        credentials.init_repository()
        self.assertEqual(1, credentials.check_keys())
        with open(os.path.join(self.repo, '0'), 'w') as f:
            f.write('garbage')
        exc = self.assertRaises(credentials.CredentialKeyInvalid,
                                credentials.check_keys)
        self.assertIn('not hold a Fernet key', str(exc))

    def test_undecryptable_names_source_not_secret(self):
        credentials.init_repository()
        token = credentials.encrypt('pw')
        for name in os.listdir(self.repo):
            os.unlink(os.path.join(self.repo, name))
        credentials.init_repository()
        exc = self.assertRaises(credentials.CredentialUndecryptable,
                                credentials.decrypt, token, 'src-1')
        self.assertIn('src-1', str(exc))
        self.assertNotIn('pw', str(exc).replace('password', ''))

    def test_missing_repository(self):
        exc = self.assertRaises(credentials.CredentialKeyMissing,
                                credentials.decrypt, 'abc')
        self.assertIn(self.repo, str(exc))


class TestCastellanDispatch(base.TestCase):
    """With backend castellan new passwords go to the key manager; the
    stored value says which backend reads it back."""

    def setUp(self):
        super().setUp()
        self.repo = os.path.join(self.state_path, 'keys')
        self.config(key_repository=self.repo, group='credentials')
        self.secrets = {}
        self.useFixture(fixtures.MockPatch(
            'xms.common.castellan_secrets.store', self._store))
        self.useFixture(fixtures.MockPatch(
            'xms.common.castellan_secrets.get',
            lambda ref, source_id='?': self.secrets[ref]))
        self.useFixture(fixtures.MockPatch(
            'xms.common.castellan_secrets.delete',
            lambda ref: self.secrets.pop(ref)))
        self.checked = self.useFixture(fixtures.MockPatch(
            'xms.common.castellan_secrets.check')).mock

    def _store(self, plaintext):
        ref = 'castellan:%d' % len(self.secrets)
        self.secrets[ref] = plaintext
        return ref

    def test_new_passwords_go_to_the_key_manager(self):
        credentials.init_repository()
        old = credentials.encrypt('old-pw')
        self.config(backend='castellan', group='credentials')
        ref = credentials.encrypt('new-pw')
        self.assertEqual('castellan:0', ref)
        self.assertEqual('new-pw', credentials.decrypt(ref))
        self.assertEqual('old-pw', credentials.decrypt(old))
        credentials.discard(old)   # a token needs nothing
        credentials.discard(ref)
        self.assertEqual({}, self.secrets)

    def test_check_asks_the_key_manager_not_the_repository(self):
        self.config(backend='castellan', group='credentials')
        self.assertEqual(0, credentials.check_keys())
        self.checked.assert_called_once_with()

    def test_repository_commands_refuse(self):
        self.config(backend='castellan', group='credentials')
        exc = self.assertRaises(credentials.CredentialBackendMismatch,
                                credentials.refuse_with_castellan,
                                'rotate-key')
        self.assertIn('"xms-manage credentials rotate-key"', str(exc))

    def test_rotation_leaves_references_alone(self):
        credentials.init_repository()
        stored = [credentials.encrypt('pw'), 'castellan:7']

        def reencrypt(rewrite):
            stored[:] = [rewrite(t) for t in stored]

        credentials.rotate(reencrypt)
        self.assertEqual('castellan:7', stored[1])
        self.assertEqual('pw', credentials.decrypt(stored[0]))

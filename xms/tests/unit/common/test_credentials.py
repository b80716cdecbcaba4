"""Source passwords are encrypted with a rotating key repository."""

import os

from xms.common import credentials
from xms.tests import base


class TestCredentials(base.TestCase):

    def setUp(self):
        super().setUp()
        self.repo = os.path.join(self.state_path, 'keys')
        self.config(key_repository=self.repo, group='credentials')

    def test_round_trip_and_no_plaintext(self):
        token = credentials.encrypt('s3cr3t-pw')
        self.assertNotIn('s3cr3t-pw', token)
        self.assertEqual('s3cr3t-pw', credentials.decrypt(token))

    def test_first_encrypt_creates_private_repository(self):
        credentials.encrypt('x')
        self.assertEqual(['0'], os.listdir(self.repo))
        self.assertEqual(0o700, os.stat(self.repo).st_mode & 0o777)
        self.assertEqual(0o600,
                         os.stat(os.path.join(self.repo, '0')).st_mode
                         & 0o777)

    def test_rotation_reencrypts_and_drops_oldest(self):
        self.config(max_active_keys=2, group='credentials')
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

    def test_undecryptable_names_source_not_secret(self):
        token = credentials.encrypt('pw')
        for name in os.listdir(self.repo):
            os.unlink(os.path.join(self.repo, name))
        credentials.setup_repository()
        exc = self.assertRaises(credentials.CredentialUndecryptable,
                                credentials.decrypt, token, 'src-1')
        self.assertIn('src-1', str(exc))
        self.assertNotIn('pw', str(exc).replace('password', ''))

    def test_missing_repository(self):
        exc = self.assertRaises(credentials.CredentialKeyMissing,
                                credentials.decrypt, 'abc')
        self.assertIn(self.repo, str(exc))

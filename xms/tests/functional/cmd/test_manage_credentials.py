"""``xms-manage credentials rotate-key`` on MariaDB, run as a process."""

import os
import subprocess
import sys

from xms.common import context
from xms.common import credentials
from xms.db import api as db_api
from xms.tests.functional import base


class TestRotateKey(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.keys = os.path.join(self.state_path, 'keys')
        self.config(key_repository=self.keys, group='credentials')
        self.ctx = context.get_admin_context()
        self.passwords = {}
        for i in range(3):
            password = 'pw-%d-secret' % i
            source = db_api.source_create(self.ctx, {
                'project_id': 'p1', 'name': 's%d' % i, 'host': 'h',
                'username': 'u',
                'password_encrypted': credentials.encrypt(password)})
            self.passwords[source.id] = password

    def manage(self, *args):
        conf = os.path.join(self.state_path, 'xms.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\n[database]\n'
                    'connection = %s\n[credentials]\nkey_repository = %s\n'
                    % (self.state_path, self.db.url, self.keys))
        return subprocess.run(
            [sys.executable, '-c',
             'import sys; from xms.cmd.manage import main; main()',
             '--config-file', conf] + list(args),
            capture_output=True, text=True, check=False)

    def stored(self):
        return {s.id: s.password_encrypted
                for s in db_api.source_list(self.ctx)}

    def test_rotate_reencrypts_and_drops_old_keys(self):
        before = self.stored()
        result = self.manage('credentials', 'rotate-key')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('3 source password(s) re-encrypted', result.stdout)
        after = self.stored()
        for source_id, token in after.items():
            self.assertNotEqual(before[source_id], token)
            self.assertEqual(self.passwords[source_id],
                             credentials.decrypt(token))
        for _ in range(3):
            self.assertEqual(0, self.manage('credentials',
                                            'rotate-key').returncode)
        self.assertEqual(3, len(os.listdir(self.keys)))
        for source_id, token in self.stored().items():
            self.assertEqual(self.passwords[source_id],
                             credentials.decrypt(token))
        for secret in self.passwords.values():
            self.assertNotIn(secret, result.stdout + result.stderr)

    def test_setup(self):
        result = self.manage('credentials', 'setup')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('already has keys', result.stdout)

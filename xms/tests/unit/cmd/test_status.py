"""``xms-status upgrade check``: the credential keys check."""

from oslo_upgradecheck import upgradecheck

from xms.cmd import status
from xms.tests import base


class TestCredentialKeysCheck(base.TestCase):

    def test_fails_without_keys_and_passes_with_them(self):
        self.config(key_repository=self.state_path + '/keys',
                    group='credentials')
        result = status.Checks()._check_credential_keys()
        self.assertEqual(upgradecheck.Code.FAILURE, result.code)
        self.assertIn('xms-manage credentials init', result.details)
        self.use_credential_keys(self.state_path + '/keys')
        result = status.Checks()._check_credential_keys()
        self.assertEqual(upgradecheck.Code.SUCCESS, result.code)

"""xms-status: ``upgrade check`` (oslo.upgradecheck)."""

import sys

from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from xms.common import credentials
from xms.common import exception
from xms.common import service as xms_service
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import migration


class Checks(upgradecheck.UpgradeCommands):
    """Checks an operator runs before and after upgrading XMS."""

    def _check_db_schema(self):
        try:
            xms_service.check_database(require_schema=False)
        except exception.XmsException as exc:
            return upgradecheck.Result(upgradecheck.Code.FAILURE, str(exc))
        current, expected = migration.version(), migration.head()
        if current != expected:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Schema at revision %(cur)s, this release needs %(exp)s: '
                  'run "xms-manage db sync".')
                % {'cur': current or 'none', 'exp': expected})
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_credential_keys(self):
        try:
            credentials.check_keys()
        except exception.XmsException as exc:
            return upgradecheck.Result(upgradecheck.Code.FAILURE, str(exc))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_jobboard(self):
        if CONF.taskflow.jobboard_backend == 'local':
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('[taskflow]/jobboard_backend is "local": flows run only '
                  'inside xms-all-in-one. Use "etcd" for separate workers.'))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    _upgrade_checks = (
        (_('Database schema'), _check_db_schema),
        (_('Credential keys'), _check_credential_keys),
        (_('Jobboard backend'), _check_jobboard),
        (_('Policy file'), (common_checks.check_policy_json,
                            {'conf': CONF})),
    )


def main():
    return upgradecheck.main(CONF, project='xms', upgrade_command=Checks())


if __name__ == '__main__':
    sys.exit(main())

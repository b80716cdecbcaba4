from django.utils.translation import gettext_lazy as _

from xms_dashboard.content import panel_base


class Environments(panel_base.MigrationPanel):
    name = _('Environments')
    slug = 'migration_environments'
    policy_rules = (('migration', 'xms:sources:list'),)

from django.utils.translation import gettext_lazy as _

from xms_dashboard.content import panel_base


class Migrations(panel_base.MigrationPanel):
    name = _('Migrations')
    slug = 'migration_jobs'
    policy_rules = (('migration', 'xms:jobs:list'),)

from django.utils.translation import gettext_lazy as _

from xms_dashboard.content import panel_base


class Discover(panel_base.MigrationPanel):
    name = _('Discover')
    slug = 'migration_discover'
    policy_rules = (('migration', 'xms:vms:list'),)

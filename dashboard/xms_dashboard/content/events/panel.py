from django.utils.translation import gettext_lazy as _

from xms_dashboard.content import panel_base


class Events(panel_base.MigrationPanel):
    name = _('Events')
    slug = 'migration_events'
    policy_rules = (('migration', 'xms:events:list'),)

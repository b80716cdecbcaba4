"""The Discover table: every discovered VM of the project's sources.

"Preflight Selected" and "Migrate Selected" act on the ticked rows: they
carry the VM ids to their form and workflow in the query string.
"""

from urllib import parse

from django import shortcuts
from django.template.defaultfilters import title
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from horizon import tables

from xms_dashboard import formats

BADGES = {'pass': 'label-success', 'warn': 'label-warning',
          'block': 'label-danger'}


def verdict_badge(vm):
    """The preflight verdict as a coloured label."""
    verdict = getattr(vm, 'verdict', None)
    if not verdict:
        return format_html('<span class="label label-default">{}</span>',
                           _('not checked'))
    return format_html('<span class="label {} xms-verdict">{}</span>',
                       BADGES.get(verdict, 'label-default'), title(verdict))


class _SelectedAction(tables.Action):
    """A table action that sends the ticked VMs to another page."""
    requires_input = True
    url = None

    def handle(self, data_table, request, object_ids):
        query = parse.urlencode({'vm_ids': ','.join(object_ids)})
        return shortcuts.redirect('%s?%s' % (reverse(self.url), query))


class PreflightSelected(_SelectedAction):
    name = 'preflight'
    verbose_name = _('Preflight Selected')
    url = 'horizon:project:migration_discover:preflight'
    policy_rules = (('migration', 'xms:preflights:create'),)


class MigrateSelected(_SelectedAction):
    name = 'migrate'
    verbose_name = _('Migrate Selected')
    url = 'horizon:project:migration_jobs:create'
    policy_rules = (('migration', 'xms:jobs:create'),)


class VmFilter(tables.FilterAction):
    filter_type = 'server'
    filter_choices = (
        ('name', _('Name ='), True),
        ('source_id', _('Environment ID ='), True),
        ('power_state', _('Power state ='), True),
        ('verdict', _('Verdict (pass, warn, block) ='), True),
    )


def _memory(vm):
    return formats.size((vm.memory_mb or 0) * 1024 * 1024)


class VmsTable(tables.DataTable):
    name = tables.WrappingColumn(
        'name', verbose_name=_('Name'),
        link='horizon:project:migration_discover:detail')
    power_state = tables.Column('power_state', verbose_name=_('Power'))
    guest = tables.Column('guest_full_name', verbose_name=_('Guest OS'),
                          empty_value='-')
    cpus = tables.Column('num_cpus', verbose_name=_('CPUs'))
    memory = tables.Column(_memory, verbose_name=_('Memory'))
    firmware = tables.Column('firmware', verbose_name=_('Firmware'),
                             empty_value='-')
    cbt = tables.Column('cbt_enabled', verbose_name=_('CBT'),
                        filters=(lambda v: _('on') if v else _('off'),))
    host = tables.Column('esxi_host', verbose_name=_('Host'),
                         empty_value='-')
    verdict = tables.Column(verdict_badge, verbose_name=_('Verdict'))

    class Meta:
        name = 'vms'
        verbose_name = _('Discovered VMs')
        table_actions = (VmFilter, PreflightSelected, MigrateSelected)
        multi_select = True

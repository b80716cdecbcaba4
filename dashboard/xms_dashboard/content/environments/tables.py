"""The Environments table: VMware sources, their status and actions.

Each action carries the policy rule the API enforces for it, so a reader
sees none of them (Horizon drops actions whose rule fails).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import exceptions
from horizon import messages
from horizon import tables

from xms_dashboard.api import xms


class AddEnvironment(tables.LinkAction):
    name = 'add'
    verbose_name = _('Add Environment')
    url = 'horizon:project:migration_environments:add'
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = (('migration', 'xms:sources:create'),)


class TestConnection(tables.Action):
    name = 'test'
    verbose_name = _('Test Connection')
    requires_input = True
    policy_rules = (('migration', 'xms:sources:test'),)

    def single(self, table, request, obj_id):
        try:
            info = xms.source_test(request, obj_id)
        except Exception as exc:
            exceptions.handle(request, getattr(exc, 'message', str(exc)))
            return None
        messages.success(request, _(
            'Connected: %(product)s %(version)s, build %(build)s') % {
                'product': info.get('product_name'),
                'version': info.get('product_version') or '',
                'build': info.get('product_build') or '-'})
        return None


class Discover(tables.BatchAction):
    name = 'discover'
    help_text = _('Discovery reads the inventory again; VMs that '
                  'disappeared are marked as missing.')
    policy_rules = (('migration', 'xms:sources:discover'),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Discover', 'Discover', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Discovery started for',
                             'Discovery started for', count)

    def action(self, request, obj_id):
        xms.source_discover(request, obj_id)


class RotateCredential(tables.LinkAction):
    name = 'credential'
    verbose_name = _('Rotate Credential')
    url = 'horizon:project:migration_environments:credential'
    classes = ('ajax-modal',)
    policy_rules = (('migration', 'xms:sources:update_credential'),)


class DeleteEnvironment(tables.DeleteAction):
    policy_rules = (('migration', 'xms:sources:delete'),)

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Delete Environment', 'Delete Environments',
                             count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Deleted Environment', 'Deleted Environments',
                             count)

    def delete(self, request, obj_id):
        xms.source_delete(request, obj_id)


class UpdateRow(tables.Row):
    """Rows refresh while discovery runs."""
    ajax = True

    def get_data(self, request, source_id):
        return xms.source_get(request, source_id)


def _discovery(source):
    discovery = source.discovery or {}
    return discovery.get('status') or '-'


def _product(source):
    if not source.product_name:
        return '-'
    return '%s %s (build %s)' % (source.product_name,
                                 source.product_version or '',
                                 source.product_build or '-')


def _discover_link(source):
    return '%s?source_id=%s' % (
        reverse('horizon:project:migration_discover:index'), source.uuid)


STATUS_CHOICES = (('connected', True), ('disconnected', False),
                  ('error', False), ('unknown', None))
DISCOVERY_CHOICES = (('completed', True), ('failed', False),
                     ('never', True), ('queued', None), ('running', None))


class EnvironmentsTable(tables.DataTable):
    name = tables.Column('name', verbose_name=_('Name'),
                         link=_discover_link)
    host = tables.Column('host', verbose_name=_('Host'))
    status = tables.Column('status', verbose_name=_('Status'),
                           status=True, status_choices=STATUS_CHOICES)
    reason = tables.Column('status_reason', verbose_name=_('Reason'),
                           empty_value='')
    product = tables.Column(_product, verbose_name=_('Product'))
    discovery = tables.Column(_discovery, verbose_name=_('Discovery'),
                              status=True, status_choices=DISCOVERY_CHOICES)

    class Meta:
        name = 'environments'
        verbose_name = _('Environments')
        status_columns = ['discovery']
        row_class = UpdateRow
        table_actions = (AddEnvironment, DeleteEnvironment)
        row_actions = (TestConnection, Discover, RotateCredential,
                       DeleteEnvironment)

"""New Migration: VMs, type, network mapping per NIC, flavor, volume type.

The VMs step refuses what the API would refuse, on the field to fix: a VM
whose preflight says Block (or that has no preflight yet) on the VM list,
a source network used by a selected VM's NIC without a target network on
that network's field. The API checks again when the jobs are created.
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import messages
from horizon import workflows

from xms_dashboard.api import xms

MIN_SYNC_INTERVAL = 300
#: How many VMs' NICs the network step reads when none are selected.
MAX_VMS_FOR_NETWORKS = 50


def net_field(port_group):
    """The stable field name of a source network (port group)."""
    digest = hashlib.sha256(port_group.encode('utf-8')).hexdigest()[:12]
    return 'net_%s' % digest


def best_flavor(flavors, vms):
    """The smallest flavor with the CPUs and memory of the largest VM."""
    cpus = max([vm.num_cpus or 1 for vm in vms] or [1])
    ram = max([vm.memory_mb or 0 for vm in vms] or [0])
    fits = [f for f in flavors if f.vcpus >= cpus and f.ram >= ram]
    if not fits:
        return None
    return min(fits, key=lambda f: (f.vcpus, f.ram, f.disk))


def selected_ids(data, context):
    """The VMs submitted, else those preselected (``?vm_ids=a,b``)."""
    if data and hasattr(data, 'getlist') and data.getlist('vm_ids'):
        return data.getlist('vm_ids')
    raw = context.get('vm_ids') or []
    if isinstance(raw, str):
        return [v for v in raw.split(',') if v]
    return list(raw)


class SelectVmsAction(workflows.Action):
    job_type = forms.ThemableChoiceField(
        label=_('Migration type'),
        choices=(('cold', _('Cold: the source is powered off, then '
                            'copied')),
                 ('warm', _('Warm: copied while it runs, cut over '
                            'later'))))
    vm_ids = forms.MultipleChoiceField(
        label=_('VMs'), widget=forms.CheckboxSelectMultiple(),
        help_text=_('One migration per VM. Only VMs whose preflight says '
                    'Pass or Warn can be migrated.'))
    sync_interval = forms.IntegerField(
        label=_('Sync interval (seconds, warm)'), required=False,
        min_value=MIN_SYNC_INTERVAL, initial=3600)

    class Meta:
        name = _('VMs and Networks')
        help_text = _('Choose the VMs and map every source network their '
                      'NICs use to a network of this project.')

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        self.vms = {}
        try:
            for vm in xms.vm_list(request):
                if not getattr(vm, 'missing', False):
                    self.vms[vm.uuid] = vm
        except Exception:
            exceptions.handle(request, _('Unable to list the discovered '
                                         'VMs.'))
        self.fields['vm_ids'].choices = [
            (vm.uuid, '%s (%s)' % (vm.name, vm.verdict or _('no preflight')))
            for vm in sorted(self.vms.values(), key=lambda v: v.name)]
        self.fields['vm_ids'].initial = selected_ids(None, context)
        self.details = {}
        self.port_groups = self._port_groups(request, context)
        networks = self._networks(request)
        for port_group in self.port_groups:
            self.fields[net_field(port_group)] = forms.ThemableChoiceField(
                label=_('Target network for "%s"') % port_group,
                required=False,
                choices=[('', _('(not mapped)'))] + networks)

    def _candidates(self, context):
        """The VMs whose NICs get a field: the submitted or preselected
        ones, else every VM (up to a limit)."""
        chosen = selected_ids(self.data, context)
        if not chosen:
            chosen = list(self.vms)[:MAX_VMS_FOR_NETWORKS]
        return [v for v in chosen if v in self.vms]

    def _port_groups(self, request, context):
        found = set()
        for vm_id in self._candidates(context):
            try:
                detail = xms.vm_get(request, vm_id)
            except Exception:
                exceptions.handle(request, _('Unable to read VM %s.')
                                  % vm_id)
                continue
            self.details[vm_id] = detail
            for nic in getattr(detail, 'nics', None) or []:
                found.add(nic.get('network_name') or '*')
        return sorted(found)

    @staticmethod
    def _networks(request):
        from openstack_dashboard import api
        try:
            nets = api.neutron.network_list_for_tenant(
                request, request.user.project_id)
        except Exception:
            exceptions.handle(request, _('Unable to list networks.'))
            return []
        return [(n.id, n.name_or_id) for n in nets]

    def clean(self):
        cleaned = super().clean()
        for vm_id in cleaned.get('vm_ids') or []:
            vm = self.vms.get(vm_id)
            if vm is None:
                continue
            if vm.verdict == 'block':
                self.add_error('vm_ids', _(
                    'VM %s is blocked by its preflight: fix the blocking '
                    'checks (Discover shows them) and run a preflight '
                    'again.') % vm.name)
            elif not vm.verdict:
                self.add_error('vm_ids', _(
                    'VM %s has no preflight verdict yet: use Preflight '
                    'Selected on the Discover page first.') % vm.name)
            detail = self.details.get(vm_id)
            for nic in getattr(detail, 'nics', None) or []:
                port_group = nic.get('network_name') or '*'
                field = net_field(port_group)
                if field not in self.fields:
                    # Selected after the form was drawn: a new field.
                    continue
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, _(
                        'NIC %(nic)s of VM %(vm)s is on "%(pg)s": choose '
                        'its target network.') % {
                            'nic': nic.get('label') or nic.get('device_key'),
                            'vm': vm.name, 'pg': port_group})
        if cleaned.get('job_type') == 'warm' and \
                not cleaned.get('sync_interval'):
            self.add_error('sync_interval', _('A warm migration needs a '
                                              'sync interval.'))
        return cleaned


class SelectVms(workflows.Step):
    action_class = SelectVmsAction
    contributes = ('job_type', 'vm_ids', 'sync_interval',
                   'network_mapping')

    def contribute(self, data, context):
        context = super().contribute(data, context)
        mapping = []
        for port_group in self.action.port_groups:
            network_id = data.get(net_field(port_group))
            if network_id:
                mapping.append({'source_network': port_group,
                                'network_id': network_id})
        context['network_mapping'] = mapping
        context['vm_objects'] = [self.action.vms[v]
                                 for v in data.get('vm_ids') or []
                                 if v in self.action.vms]
        return context


class TargetAction(workflows.Action):
    flavor_id = forms.ThemableChoiceField(
        label=_('Flavor'), required=False,
        help_text=_('Empty: XMS picks the best match for each VM.'))
    volume_type = forms.ThemableChoiceField(label=_('Volume type'),
                                            required=False)
    boot = forms.BooleanField(label=_('Boot the instance at the end'),
                              initial=True, required=False)

    class Meta:
        name = _('Target')
        help_text = _('The flavor suggested fits the largest selected '
                      'VM.')

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        from openstack_dashboard import api
        flavors, types = [], []
        try:
            flavors = list(api.nova.flavor_list(request))
        except Exception:
            exceptions.handle(request, _('Unable to list flavors.'))
        try:
            types = list(api.cinder.volume_type_list(request))
        except Exception:
            exceptions.handle(request, _('Unable to list volume types.'))
        vms = []
        ids = selected_ids(self.data, context)
        if ids:
            try:
                vms = [xms.vm_get(request, v) for v in ids]
            except Exception:
                vms = []
        best = best_flavor(flavors, vms) if vms else None
        choices = [('', _('Best match (chosen by XMS)'))]
        for flavor in sorted(flavors, key=lambda f: (f.vcpus, f.ram)):
            label = '%s (%d vCPU, %d MiB)' % (flavor.name, flavor.vcpus,
                                              flavor.ram)
            if best is not None and flavor.id == best.id:
                label = '%s - %s' % (label, _('best match'))
            choices.append((flavor.id, label))
        self.fields['flavor_id'].choices = choices
        if best is not None:
            self.fields['flavor_id'].initial = best.id
        self.fields['volume_type'].choices = [('', _('Default'))] + [
            (t.name, t.name) for t in types]


class Target(workflows.Step):
    action_class = TargetAction
    contributes = ('flavor_id', 'volume_type', 'boot')


class NewMigration(workflows.Workflow):
    slug = 'new_migration'
    name = _('New Migration')
    finalize_button_name = _('Start Migration')
    success_message = _('Migration of %s started.')
    failure_message = _('Unable to start the migration of %s.')
    success_url = 'horizon:project:migration_jobs:index'
    default_steps = (SelectVms, Target)

    def format_status_message(self, message):
        count = len(self.context.get('vm_ids') or [])
        return message % (_('%d VM(s)') % count)

    @staticmethod
    def target_of(context):
        target = {'network_mapping': context.get('network_mapping') or []}
        if context.get('flavor_id'):
            target['flavor_id'] = context['flavor_id']
        if context.get('volume_type'):
            target['volume_type'] = context['volume_type']
        target['boot'] = bool(context.get('boot'))
        return target

    def handle(self, request, context):
        try:
            xms.job_create(
                request, context['vm_ids'], context['job_type'],
                self.target_of(context),
                sync_interval=(context.get('sync_interval')
                               if context['job_type'] == 'warm' else None))
        except Exception as exc:
            messages.error(request, getattr(exc, 'message', str(exc)))
            return False
        return True

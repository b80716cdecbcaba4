"""Preflight Selected: one preflight per ticked VM, cold or warm."""

from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import messages

from xms_dashboard.api import xms


class PreflightForm(forms.SelfHandlingForm):
    vm_ids = forms.CharField(widget=forms.HiddenInput())
    mode = forms.ThemableChoiceField(
        label=_('Migration type'),
        choices=(('cold', _('Cold (source powered off)')),
                 ('warm', _('Warm (syncs while the source runs)'))),
        help_text=_('A warm preflight also admits a cold migration.'))
    network_id = forms.ThemableChoiceField(
        label=_('Target network for every NIC'), required=False,
        help_text=_('Checks that the network exists and has room; the '
                    'migration itself maps each NIC.'))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields['network_id'].choices = [('', _('(not checked)'))] + \
            _networks(request)

    def clean_vm_ids(self):
        ids = [v for v in self.cleaned_data['vm_ids'].split(',') if v]
        if not ids:
            raise forms.ValidationError(_('Select at least one VM.'))
        return ids

    def handle(self, request, data):
        target = None
        if data.get('network_id'):
            target = {'network_mapping': [{'source_network': '*',
                                           'network_id': data['network_id']}]}
        try:
            found = xms.preflight_create(request, data['vm_ids'],
                                         data['mode'], target)
        except Exception as exc:
            exceptions.handle(request, getattr(exc, 'message', str(exc)))
            return False
        messages.success(request, _('Preflight started for %d VM(s).')
                         % len(found))
        return True


def _networks(request):
    """``[(id, name)]`` of the networks the project can use (Neutron)."""
    from openstack_dashboard import api
    try:
        nets = api.neutron.network_list_for_tenant(
            request, request.user.project_id)
    except Exception:
        exceptions.handle(request, _('Unable to list networks.'))
        return []
    return [(n.id, n.name_or_id) for n in nets]

"""Add Environment and Rotate Credential: the password is write-only."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import messages

from xms_dashboard.api import xms

INDEX = 'horizon:project:migration_environments:index'


def _api_error(form, request, exc, redirect):
    """The API's refusal on the field it names, else as a message."""
    field = getattr(exc, 'field', None)
    if field and field in form.fields:
        form.add_error(field, getattr(exc, 'message', str(exc)))
        return False
    exceptions.handle(request, getattr(exc, 'message', str(exc)),
                      redirect=redirect)
    return False


class AddEnvironment(forms.SelfHandlingForm):
    name = forms.CharField(max_length=255, label=_('Name'))
    host = forms.CharField(max_length=255, label=_('vCenter or ESXi host'))
    port = forms.IntegerField(min_value=1, max_value=65535, initial=443,
                              label=_('Port'))
    username = forms.CharField(max_length=255, label=_('User name'))
    password = forms.CharField(
        label=_('Password'), max_length=1024,
        widget=forms.PasswordInput(render_value=False),
        help_text=_('Stored encrypted by XMS; never shown again.'))
    datacenter = forms.CharField(
        max_length=255, required=False, label=_('Datacenter'),
        help_text=_('Limit discovery to this datacenter.'))
    verify_tls = forms.BooleanField(initial=True, required=False,
                                    label=_('Verify TLS certificate'))
    thumbprint = forms.CharField(
        max_length=128, required=False, label=_('SHA-256 thumbprint'),
        help_text=_('Pins a self-signed certificate.'))
    ca_cert = forms.CharField(
        required=False, label=_('CA certificate (PEM)'),
        widget=forms.Textarea(attrs={'rows': 3}))

    def handle(self, request, data):
        try:
            source = xms.source_create(request, **data)
        except Exception as exc:
            return _api_error(self, request, exc, reverse(INDEX))
        messages.success(request, _('Environment "%s" added.') % source.name)
        return source


class RotateCredential(forms.SelfHandlingForm):
    source_id = forms.CharField(widget=forms.HiddenInput())
    username = forms.CharField(max_length=255, required=False,
                               label=_('User name'),
                               help_text=_('Empty keeps the current one.'))
    password = forms.CharField(
        label=_('New password'), max_length=1024,
        widget=forms.PasswordInput(render_value=False))

    def handle(self, request, data):
        try:
            xms.source_set_credential(request, data['source_id'],
                                      data.get('username') or None,
                                      data['password'])
        except Exception as exc:
            return _api_error(self, request, exc, reverse(INDEX))
        messages.success(request, _('Credential replaced.'))
        return True

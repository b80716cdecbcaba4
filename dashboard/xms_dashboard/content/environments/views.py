from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import tables

from xms_dashboard.api import xms
from xms_dashboard.content.environments import forms as env_forms
from xms_dashboard.content.environments import tables as env_tables


class IndexView(tables.DataTableView):
    table_class = env_tables.EnvironmentsTable
    template_name = 'xms_dashboard/table.html'
    page_title = _('Environments')

    def get_data(self):
        try:
            return xms.source_list(self.request)
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)))
            return []


class AddView(forms.ModalFormView):
    form_class = env_forms.AddEnvironment
    form_id = 'add_environment_form'
    modal_id = 'add_environment_modal'
    template_name = 'xms_dashboard/modal_form.html'
    submit_label = _('Add Environment')
    submit_url = reverse_lazy('horizon:project:migration_environments:add')
    success_url = reverse_lazy('horizon:project:migration_environments:index')
    page_title = _('Add Environment')


class CredentialView(forms.ModalFormView):
    form_class = env_forms.RotateCredential
    form_id = 'rotate_credential_form'
    modal_id = 'rotate_credential_modal'
    template_name = 'xms_dashboard/modal_form.html'
    submit_label = _('Rotate Credential')
    success_url = reverse_lazy('horizon:project:migration_environments:index')
    page_title = _('Rotate Credential')

    def get_initial(self):
        return {'source_id': self.kwargs['source_id']}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['submit_url'] = reverse(
            'horizon:project:migration_environments:credential',
            args=[self.kwargs['source_id']])
        return context

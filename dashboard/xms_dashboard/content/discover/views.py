from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import tables
from horizon import views

from xms_dashboard import formats
from xms_dashboard.api import xms
from xms_dashboard.content.discover import forms as discover_forms
from xms_dashboard.content.discover import tables as discover_tables

CATEGORIES = ('compute', 'storage', 'network', 'guest', 'readiness')
INDEX = 'horizon:project:migration_discover:index'


class IndexView(tables.DataTableView):
    table_class = discover_tables.VmsTable
    template_name = 'xms_dashboard/table.html'
    page_title = _('Discover')

    def get_filters(self):
        """The table's server-side filter, and ``?source_id=`` (the link
        from an environment's name)."""
        filters = {}
        source_id = self.request.GET.get('source_id')
        if source_id:
            filters['source_id'] = source_id
        table = self.table
        field = table.get_filter_field()
        value = table.get_filter_string()
        if field and value:
            filters[field] = value.strip().lower() if field == 'verdict' \
                else value.strip()
        return filters

    def get_data(self):
        try:
            return xms.vm_list(self.request, **self.get_filters())
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)))
            return []


def group_checks(checks, scores=None):
    """``[(category, score, [check, ...]), ...]``: blocks first in each."""
    order = {'block': 0, 'warn': 1, 'pass': 2}
    groups = {}
    for check in checks or []:
        groups.setdefault(check.get('category') or 'other', []).append(check)
    ordered = [c for c in CATEGORIES if c in groups]
    ordered += sorted(set(groups) - set(CATEGORIES))
    scores = scores or {}
    return [(c, scores.get(c),
             sorted(groups[c], key=lambda x: order.get(x.get('status'), 3)))
            for c in ordered]


class DetailView(views.HorizonTemplateView):
    """A VM and every check of its newest preflight, with remediation."""
    template_name = 'xms_dashboard/vm_detail.html'
    page_title = '{{ vm.name }}'

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            vm = xms.vm_get(self.request, self.kwargs['vm_id'])
            preflight = xms.preflight_latest(self.request, vm.uuid)
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)),
                              redirect=reverse_lazy(INDEX))
        context['vm'] = vm
        context['memory'] = formats.size((vm.memory_mb or 0) * 1024 * 1024)
        context['disks'] = [dict(d, size=formats.size(d.get('capacity_bytes')))
                            for d in getattr(vm, 'disks', [])]
        context['preflight'] = preflight
        context['check_groups'] = group_checks(
            preflight.checks if preflight else [],
            preflight.scores if preflight else None)
        context['verdict'] = discover_tables.verdict_badge(vm)
        return context


class PreflightView(forms.ModalFormView):
    form_class = discover_forms.PreflightForm
    form_id = 'preflight_form'
    modal_id = 'preflight_modal'
    template_name = 'xms_dashboard/modal_form.html'
    submit_label = _('Run Preflight')
    submit_url = reverse_lazy('horizon:project:migration_discover:preflight')
    success_url = reverse_lazy(INDEX)
    page_title = _('Preflight Selected VMs')

    def get_initial(self):
        return {'vm_ids': self.request.GET.get('vm_ids', '')}

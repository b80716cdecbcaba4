from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import tables
from horizon import views
from horizon import workflows

from xms_dashboard.api import xms
from xms_dashboard.content.migrations import detail
from xms_dashboard.content.migrations import tables as job_tables
from xms_dashboard.content.migrations import workflows as job_workflows

INDEX = 'horizon:project:migration_jobs:index'


class IndexView(tables.DataTableView):
    table_class = job_tables.JobsTable
    template_name = 'xms_dashboard/table.html'
    page_title = _('Migrations')

    def get_data(self):
        try:
            return xms.job_list(self.request)
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)))
            return []


class CreateView(workflows.WorkflowView):
    workflow_class = job_workflows.NewMigration

    def get_initial(self):
        initial = super().get_initial()
        initial['vm_ids'] = self.request.GET.get('vm_ids', '')
        return initial


class DetailView(views.HorizonTemplateView):
    template_name = 'xms_dashboard/job_detail.html'
    page_title = _('Migration of {{ job.vm_name }}')

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            job = xms.job_get(self.request, self.kwargs['job_id'])
            events = xms.event_list(self.request, job_id=job.uuid)
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)),
                              redirect=reverse_lazy(INDEX))
        context.update(
            job=job, progress=job_tables.progress_bar(job),
            rate=job_tables.rate(job), eta=job_tables.eta(job),
            lag=job_tables.lag(job), timeline=detail.timeline(job, events),
            chart=detail.sync_chart(job), disks=detail.disks(job),
            links=detail.target_links(job))
        return context

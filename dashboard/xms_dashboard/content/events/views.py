from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import tables

from xms_dashboard.api import xms
from xms_dashboard.content.events import tables as event_tables


class IndexView(tables.DataTableView):
    table_class = event_tables.EventsTable
    template_name = 'xms_dashboard/table.html'
    page_title = _('Events')

    def get_filters(self):
        filters = {}
        job_id = self.request.GET.get('job_id')
        if job_id:
            filters['job_id'] = job_id
        field = self.table.get_filter_field()
        value = self.table.get_filter_string()
        if field and value:
            filters[field] = value.strip()
        return filters

    def get_data(self):
        try:
            return xms.event_list(self.request, **self.get_filters())
        except Exception as exc:
            exceptions.handle(self.request,
                              getattr(exc, 'message', str(exc)))
            return []

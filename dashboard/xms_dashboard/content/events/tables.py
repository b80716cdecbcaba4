"""Events, newest first (the API's order), filtered on the server by job,
severity or type."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables


def _job_link(event):
    if not event.job_id:
        return None
    return reverse('horizon:project:migration_jobs:detail',
                   args=[event.job_id])


class EventFilter(tables.FilterAction):
    filter_type = 'server'
    filter_choices = (
        ('job_id', _('Job ID ='), True),
        ('severity', _('Severity (info, warning, error) ='), True),
        ('event_type', _('Type ='), True),
    )


class EventsTable(tables.DataTable):
    created_at = tables.Column('created_at', verbose_name=_('When'))
    severity = tables.Column('severity', verbose_name=_('Severity'))
    event_type = tables.Column('event_type', verbose_name=_('Type'))
    message = tables.WrappingColumn('message', verbose_name=_('Message'))
    job = tables.Column('job_id', verbose_name=_('Job'), link=_job_link,
                        empty_value='-')

    class Meta:
        name = 'events'
        verbose_name = _('Events')
        table_actions = (EventFilter,)
        multi_select = False

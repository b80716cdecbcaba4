"""``/v1/events`` (project-wide) and ``/v1/jobs/{job_id}/events``:
newest first, filterable, paginated."""

import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import utils
from xms.api.schemas import events as schema
from xms.common import policy
from xms.db import api as db_api
from xms.db import models

_FILTERS = ('job_id', 'resource_type', 'resource_uuid', 'event_type',
            'severity')


def event_view(event, job_uuids):
    return {
        'uuid': event.uuid,
        'project_id': event.project_id,
        'job_id': job_uuids.get(event.job_id),
        'resource_type': event.resource_type,
        'resource_uuid': event.resource_uuid,
        'event_type': event.event_type,
        'severity': event.severity,
        'message': event.message,
        'payload': event.payload,
        'created_at': utils.isotime(event.created_at),
    }


def _list(ctx, query, filters, path):
    page = utils.page_args(query, default_dir='desc')
    page['sort_key'] = 'id'
    rows = db_api.api_list(ctx, models.Event, filters, **page)
    jobs = db_api.api_uuids(ctx, models.Job, [r.job_id for r in rows])
    return utils.collection('events', rows,
                            [event_view(r, jobs) for r in rows], page, path)


class EventsController(rest.RestController):

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:events:list', ctx)
        filters = {k: query[k] for k in _FILTERS if k in query}
        return _list(ctx, query, filters, 'events')


class JobEventsController(rest.RestController):
    """Events of one job; the job id comes from the parent route."""

    @pecan.expose('json')
    @validation.validated(path=('job_id',), query=schema.JOB_LIST_QUERY)
    def get_all(self, job_id, query):
        ctx = utils.context()
        job = db_api.job_get(ctx, job_id)
        policy.authorize('xms:events:list', ctx,
                         {'project_id': job.project_id})
        filters = {k: query[k] for k in ('event_type', 'severity')
                   if k in query}
        filters['job_id'] = job.id
        return _list(ctx, query, filters, 'jobs/%s/events' % job.uuid)

"""Schemas of ``/v1/events`` and ``/v1/jobs/{job_id}/events``."""

from xms.api.schemas import common

SEVERITIES = ['debug', 'info', 'warning', 'error']

_FILTERS = {
    'resource_type': common.text(32),
    'resource_uuid': common.UUID,
    'event_type': common.text(64),
    'severity': {'type': 'string', 'enum': SEVERITIES},
}

JOB_LIST_QUERY = {
    'type': 'object',
    'properties': {
        'limit': {'type': 'integer', 'minimum': 1,
                  'maximum': common.MAX_LIMIT},
        'marker': common.UUID,
        'event_type': _FILTERS['event_type'],
        'severity': _FILTERS['severity'],
    },
    'additionalProperties': False,
}

LIST_QUERY = {
    'type': 'object',
    'properties': dict(JOB_LIST_QUERY['properties'], job_id=common.UUID,
                       **_FILTERS),
    'additionalProperties': False,
}

EVENT = common.obj({
    'uuid': common.UUID,
    'project_id': common.NULLABLE_STRING,
    'job_id': common.NULLABLE_UUID,
    'resource_type': common.STRING,
    'resource_uuid': common.NULLABLE_STRING,
    'event_type': common.STRING,
    'severity': common.STRING,
    'message': common.STRING,
    'payload': common.NULLABLE_OBJECT,
    'created_at': common.DATETIME,
}, required=['uuid', 'event_type', 'message'])

EVENTS = common.collection('events', EVENT)

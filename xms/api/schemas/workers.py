"""Schemas of ``/v1/workers`` (operators)."""

from xms.api.schemas import common

LIST_QUERY = {
    'type': 'object',
    'properties': {'binary': {'type': 'string',
                              'enum': ['xms-conductor', 'xms-worker',
                                       'xms-all-in-one']}},
    'additionalProperties': False,
}

WORKER = common.obj({
    'host': common.STRING,
    'binary': common.STRING,
    'slots': common.INTEGER,
    'running': common.INTEGER,
    'free_slots': common.INTEGER,
    'version': common.NULLABLE_STRING,
    'state': common.STRING,
    'alive': common.BOOLEAN,
    'started_at': common.DATETIME,
    'heartbeat_at': common.DATETIME,
}, required=['host', 'binary', 'state'])

WORKERS = {'type': 'object',
           'properties': {'workers': {'type': 'array', 'items': WORKER}},
           'required': ['workers'], 'additionalProperties': False}

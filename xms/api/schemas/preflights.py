"""Schemas of ``/v1/preflights``."""

from xms.api.schemas import common
from xms.api.schemas import targets

MODES = ['cold', 'warm']
STATUSES = ['pending', 'running', 'completed', 'failed']

CREATE = common.obj({
    'vm_ids': {'type': 'array', 'items': common.UUID, 'minItems': 1,
               'maxItems': 200, 'uniqueItems': True},
    'mode': {'type': 'string', 'enum': MODES},
    'target': targets.TARGET,
}, required=['vm_ids', 'mode'])

LIST_QUERY = common.list_query(
    ['created_at', 'updated_at', 'verdict', 'status'],
    {'vm_id': dict(common.UUID, description='Only preflights of this VM.'),
     'verdict': {'type': 'string', 'enum': ['pass', 'warn', 'block']},
     'status': {'type': 'string', 'enum': STATUSES},
     'mode': {'type': 'string', 'enum': MODES}})

CHECK = {'type': 'object'}

PREFLIGHT = common.obj({
    'uuid': common.UUID,
    'project_id': common.STRING,
    'vm_id': common.NULLABLE_UUID,
    'mode': common.STRING,
    'target': common.NULLABLE_OBJECT,
    'status': common.STRING,
    'verdict': common.NULLABLE_STRING,
    'scores': common.NULLABLE_OBJECT,
    'checks': {'type': ['array', 'null'], 'items': CHECK},
    'error': common.NULLABLE_STRING,
    'finished_at': common.DATETIME,
    'created_at': common.DATETIME,
    'updated_at': common.DATETIME,
    'links': common.LINKS,
}, required=['uuid', 'mode', 'status'])

PREFLIGHTS = common.collection('preflights', PREFLIGHT)

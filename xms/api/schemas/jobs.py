"""Schemas of ``/v1/jobs`` and its actions."""

from xms.api.schemas import common
from xms.api.schemas import targets
from xms.common import states

MIN_SYNC_INTERVAL = 300
DEFAULT_SYNC_INTERVAL = 3600
DEFAULT_SHUTDOWN_TIMEOUT = 300

CREATE = common.obj({
    'vm_ids': {'type': 'array', 'items': common.UUID, 'minItems': 1,
               'maxItems': 200, 'uniqueItems': True,
               'description': 'One job per VM; several make a wave.'},
    'type': {'type': 'string', 'enum': list(states.JOB_TYPES)},
    'target': targets.TARGET,
    'sync_interval': {'type': 'integer', 'minimum': MIN_SYNC_INTERVAL,
                      'maximum': 30 * 86400},
    'shutdown_timeout': {'type': 'integer', 'minimum': 0,
                         'maximum': 86400},
    'keep_target': common.BOOLEAN,
    'override_block': common.BOOLEAN,
    'override_reason': {
        'type': 'string', 'minLength': 1, 'maxLength': 1024,
        'description': 'Why the preflight Block is overridden; required '
                       'with override_block, kept on the job and in its '
                       'block_overridden event with the admin\'s user id.'},
}, required=['vm_ids', 'type'])
# override_block true needs a reason (who overrides is the request's user).
CREATE['if'] = {'properties': {'override_block': {'const': True}},
                'required': ['override_block']}
CREATE['then'] = {'required': ['override_reason']}

CANCEL = common.obj({'keep_target': common.BOOLEAN})

LIST_QUERY = common.list_query(
    ['created_at', 'updated_at', 'state', 'type', 'started_at',
     'finished_at'],
    {'state': {'type': 'array', 'items': {'type': 'string',
                                          'enum': list(states.STATES)},
               'description': 'Only jobs in these states (comma list).'},
     'type': {'type': 'string', 'enum': list(states.JOB_TYPES)},
     'vm_id': common.UUID,
     'source_id': common.UUID,
     'wave_id': common.UUID})

DISK = common.obj({
    'device_key': common.INTEGER,
    'source_path': common.NULLABLE_STRING,
    'capacity_bytes': common.INTEGER,
    'volume_id': common.NULLABLE_STRING,
    'volume_type': common.NULLABLE_STRING,
    'bytes_done': common.INTEGER,
    'bytes_total': common.INTEGER,
    'percent': {'type': 'number'},
    'rate_bps': common.NULLABLE_INTEGER,
    # Block-wise digests of what was read from the source snapshot and of
    # the target at verification; equal digests prove the copy.
    'source_digest': common.NULLABLE_STRING,
    'target_digest': common.NULLABLE_STRING,
})

SYNC = common.obj({
    'uuid': common.UUID,
    'kind': common.STRING,
    'status': common.STRING,
    'started_at': common.DATETIME,
    'finished_at': common.DATETIME,
    'bytes_changed': common.NULLABLE_INTEGER,
    'bytes_copied': common.NULLABLE_INTEGER,
    'error': common.NULLABLE_STRING,
})

PROGRESS = common.obj({
    'bytes_done': common.INTEGER,
    'bytes_total': common.INTEGER,
    'percent': {'type': 'number'},
    'rate_bps': common.NULLABLE_INTEGER,
    'eta_seconds': common.NULLABLE_INTEGER,
})

LAG = common.obj({
    'last_sync_at': common.DATETIME,
    'next_sync_at': common.DATETIME,
    'seconds': common.NULLABLE_INTEGER,
    'pending_bytes': common.NULLABLE_INTEGER,
})

_FIELDS = {
    'uuid': common.UUID,
    'project_id': common.STRING,
    'user_id': common.NULLABLE_STRING,
    'source_id': common.NULLABLE_UUID,
    'vm_id': common.NULLABLE_UUID,
    'vm_name': common.NULLABLE_STRING,
    'wave_id': common.NULLABLE_UUID,
    'type': common.STRING,
    'state': common.STRING,
    'phase': common.NULLABLE_STRING,
    'target': common.NULLABLE_OBJECT,
    'sync_interval': common.NULLABLE_INTEGER,
    'shutdown_timeout': common.NULLABLE_INTEGER,
    'keep_target': common.BOOLEAN,
    'override_block': common.BOOLEAN,
    'override_reason': common.NULLABLE_STRING,
    'progress': PROGRESS,
    'lag': LAG,
    'incremental_syncs': common.INTEGER,
    'error': common.NULLABLE_STRING,
    'worker_host': common.NULLABLE_STRING,
    'target_resources': common.NULLABLE_OBJECT,
    'allowed_actions': {'type': 'array', 'items': {
        'type': 'string', 'enum': list(states.ACTIONS)}},
    'started_at': common.DATETIME,
    'finished_at': common.DATETIME,
    'created_at': common.DATETIME,
    'updated_at': common.DATETIME,
    'links': common.LINKS,
}

JOB_SUMMARY = common.obj(dict(_FIELDS), required=['uuid', 'state'])
JOB = common.obj(dict(_FIELDS,
                      disks={'type': 'array', 'items': DISK},
                      syncs={'type': 'array', 'items': SYNC},
                      # The guest as inspected on the copied disks (OS,
                      # firmware, drivers) and the image metadata made
                      # from it; null before the inspect step ran.
                      inspection=common.NULLABLE_OBJECT,
                      # The converted guest inspected again: what boots;
                      # null until conversion ran (or when skipped).
                      inspection_converted=common.NULLABLE_OBJECT),
                 required=['uuid', 'state', 'disks', 'syncs'])
JOBS = common.collection('jobs', JOB_SUMMARY)

WAVE = common.obj({'wave_id': common.UUID,
                   'jobs': {'type': 'array', 'items': JOB}},
                  required=['wave_id', 'jobs'])

ACTION_ACCEPTED = common.obj({
    'uuid': common.UUID,
    'action': common.STRING,
    'state': common.STRING,
}, required=['uuid', 'action'])

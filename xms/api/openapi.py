"""The OpenAPI 3.1 description of API v1, generated from the schemas.

Parameters and request bodies come from the ``xms_schemas`` that
:func:`xms.api.validation.validated` attaches to each controller method,
so the description cannot drift from what the API enforces; responses
come from the response schemas in :mod:`xms.api.schemas`.
"""

import copy

from xms import version
from xms.api import versions
from xms.api.controllers.v1 import events
from xms.api.controllers.v1 import jobs
from xms.api.controllers.v1 import preflights
from xms.api.controllers.v1 import sources
from xms.api.controllers.v1 import vms
from xms.api.controllers.v1 import workers
from xms.api.schemas import common
from xms.api.schemas import events as events_schema
from xms.api.schemas import jobs as jobs_schema
from xms.api.schemas import preflights as preflights_schema
from xms.api.schemas import sources as sources_schema
from xms.api.schemas import vms as vms_schema
from xms.api.schemas import workers as workers_schema

_S = sources.SourcesController
_J = jobs.JobsController

# (method, path, controller function, success status, response schema,
#  summary, policy rule)
ROUTES = (
    ('get', '/v1/sources', _S.get_all, 200, sources_schema.SOURCES,
     'List sources', 'xms:sources:list'),
    ('post', '/v1/sources', _S.post, 201, sources_schema.SOURCE,
     'Register a source', 'xms:sources:create'),
    ('get', '/v1/sources/{source_id}', _S.get_one, 200,
     sources_schema.SOURCE, 'Show a source', 'xms:sources:get'),
    ('patch', '/v1/sources/{source_id}', _S.patch, 200,
     sources_schema.SOURCE, 'Update a source', 'xms:sources:update'),
    ('delete', '/v1/sources/{source_id}', _S.delete, 204, None,
     'Delete a source', 'xms:sources:delete'),
    ('put', '/v1/sources/{source_id}/credential',
     sources.SourceCredentialController.put, 200,
     sources_schema.SOURCE, 'Rotate the credential of a source',
     'xms:sources:update_credential'),
    ('post', '/v1/sources/{source_id}/test', _S.test, 200,
     sources_schema.TEST_RESULT, 'Test the connection to a source',
     'xms:sources:test'),
    ('post', '/v1/sources/{source_id}/discover', _S.discover, 202,
     sources_schema.SOURCE, 'Scan the inventory of a source',
     'xms:sources:discover'),
    ('get', '/v1/vms', vms.VmsController.get_all, 200, vms_schema.VMS,
     'List VMs', 'xms:vms:list'),
    ('get', '/v1/vms/{vm_id}', vms.VmsController.get_one, 200,
     vms_schema.VM, 'Show a VM', 'xms:vms:get'),
    ('get', '/v1/preflights', preflights.PreflightsController.get_all, 200,
     preflights_schema.PREFLIGHTS, 'List preflights',
     'xms:preflights:list'),
    ('post', '/v1/preflights', preflights.PreflightsController.post, 202,
     common.collection('preflights', preflights_schema.PREFLIGHT),
     'Run preflights', 'xms:preflights:create'),
    ('get', '/v1/preflights/{preflight_id}',
     preflights.PreflightsController.get_one, 200,
     preflights_schema.PREFLIGHT, 'Show a preflight',
     'xms:preflights:get'),
    ('get', '/v1/jobs', _J.get_all, 200, jobs_schema.JOBS, 'List jobs',
     'xms:jobs:list'),
    ('post', '/v1/jobs', _J.post, 201, jobs_schema.WAVE,
     'Create jobs (a wave)', 'xms:jobs:create'),
    ('get', '/v1/jobs/{job_id}', _J.get_one, 200, jobs_schema.JOB,
     'Show a job', 'xms:jobs:get'),
    ('delete', '/v1/jobs/{job_id}', _J.delete, 202,
     jobs_schema.ACTION_ACCEPTED, 'Delete a finished job',
     'xms:jobs:delete'),
    ('post', '/v1/jobs/{job_id}/sync', _J.sync, 202,
     jobs_schema.ACTION_ACCEPTED, 'Sync a warm job now', 'xms:jobs:sync'),
    ('post', '/v1/jobs/{job_id}/cutover', _J.cutover, 202,
     jobs_schema.ACTION_ACCEPTED, 'Cut a warm job over',
     'xms:jobs:cutover'),
    ('post', '/v1/jobs/{job_id}/cancel', _J.cancel, 202,
     jobs_schema.ACTION_ACCEPTED, 'Cancel a job', 'xms:jobs:cancel'),
    ('post', '/v1/jobs/{job_id}/retry', _J.retry, 202,
     jobs_schema.ACTION_ACCEPTED, 'Retry a failed job', 'xms:jobs:retry'),
    ('get', '/v1/jobs/{job_id}/events',
     events.JobEventsController.get_all, 200, events_schema.EVENTS,
     'List the events of a job', 'xms:events:list'),
    ('get', '/v1/events', events.EventsController.get_all, 200,
     events_schema.EVENTS, 'List events', 'xms:events:list'),
    ('get', '/v1/workers', workers.WorkersController.get_all, 200,
     workers_schema.WORKERS, 'List workers', 'xms:workers:list'),
)

# Error answers every authenticated route may give.
_ERRORS = {'400': 'Invalid request (the body names the field).',
           '401': 'No valid token.',
           '403': 'Policy does not allow it.',
           '404': 'Not found, or in another project.',
           '406': 'Unsupported microversion.'}
_BODY_ERRORS = {'409': 'Conflict with the resource\'s state.',
                '413': 'Body too large.',
                '415': 'Body is not application/json.'}


def _param(name, where, schema, required):
    schema = copy.deepcopy(schema)
    description = schema.pop('description', None)
    param = {'name': name, 'in': where, 'required': required,
             'schema': schema}
    if description:
        param['description'] = description
    if where == 'query' and schema.get('type') == 'array':
        param.update(style='form', explode=False)
    return param


# What an operation does beyond its summary, where a user needs to know
# (rendered into the api-ref under the operation's title).
DESCRIPTIONS = {
    ('delete', '/v1/jobs/{job_id}'): (
        'The delete is asynchronous. For a ``failed`` or ``cancelled`` '
        'job the conductor first deletes what the job created in the '
        'target, acting through the job\'s trust: its Nova instance, its '
        'Neutron ports and its Cinder volumes, those the job recorded and '
        'those found by the job\'s metadata and port names (created just '
        'before a crash). A job created with ``keep_target`` keeps them. '
        'Meanwhile the job keeps its state and shows phase ``deleting``, '
        'and each deleted resource is an event (``instance_deleted``, '
        '``port_deleted``, ``volume_deleted``). Only when nothing was left '
        'behind are the job\'s trust and record deleted. If anything could '
        'not be deleted, the job stays with the reason in ``error`` and a '
        '``delete_failed`` event: fix the cause and delete the job again. '
        'A ``completed`` job\'s target is the migrated server and is never '
        'touched: only the record and the trust go.'),
}


def _operation(method, path, func, status, response, summary, rule):
    schemas = func.xms_schemas
    params = [_param(name, 'path', common.UUID, True)
              for name in schemas['path']]
    for name, prop in schemas['query'].get('properties', {}).items():
        params.append(_param(name, 'query', prop, False))
    params.append({'name': versions.HEADER, 'in': 'header',
                   'required': False, 'schema': {'type': 'string'},
                   'description': 'Microversion, "migration 1.N".'})
    error = {'content': {'application/json': {'schema': common.ERROR}}}
    responses = {}
    ok = {'description': summary}
    if response is not None:
        ok['content'] = {'application/json': {'schema': response}}
    responses[str(status)] = ok
    codes = dict(_ERRORS)
    if method in ('post', 'put', 'patch', 'delete'):
        codes.update(_BODY_ERRORS)
    for code, text in codes.items():
        responses[code] = dict(error, description=text)
    op = {'summary': summary, 'operationId': '%s %s' % (method, path),
          'parameters': params, 'responses': responses,
          'x-policy-rule': rule, 'security': [{'keystone': []}]}
    if (method, path) in DESCRIPTIONS:
        op['description'] = DESCRIPTIONS[(method, path)]
    if schemas['body'] is not None:
        op['requestBody'] = {
            'required': bool(schemas['body'].get('required')),
            'content': {'application/json': {'schema': schemas['body']}}}
    return op


def document():
    """The OpenAPI 3.1 document as a dict."""
    paths = {}
    for route in ROUTES:
        method, path = route[0], route[1]
        paths.setdefault(path, {})[method] = _operation(*route)
    return {
        'openapi': '3.1.0',
        'info': {'title': 'XMS migration API', 'version':
                 version.version_string(),
                 'description': 'Migrate VMware vSphere VMs into '
                                'OpenStack. Microversions %s to %s.'
                                % (versions.MIN_VERSION_STRING,
                                   versions.MAX_VERSION_STRING)},
        'components': {'securitySchemes': {'keystone': {
            'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'}}},
        'paths': paths,
    }

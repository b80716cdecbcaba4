"""``/v1/preflights``: read-only assessments of VMs (run by the
conductor with :mod:`xms.preflight.engine`)."""

import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import utils
from xms.api.schemas import preflights as schema
from xms.common import policy
from xms.conductor import rpcapi
from xms.db import api as db_api
from xms.db import models
from xms.preflight import target as preflight_target


def preflight_view(preflight, vm_uuid):
    return {
        'uuid': preflight.uuid,
        'project_id': preflight.project_id,
        'vm_id': vm_uuid,
        'mode': preflight.mode,
        'target': preflight.target_spec,
        'status': preflight.status,
        'verdict': preflight.verdict,
        'scores': preflight.scores,
        'checks': preflight.checks,
        'error': preflight.error,
        'finished_at': utils.isotime(preflight.finished_at),
        'created_at': utils.isotime(preflight.created_at),
        'updated_at': utils.isotime(preflight.updated_at),
        'links': utils.link('preflights', preflight.uuid),
    }


def _target_facts(ctx, target_spec):
    """Ask the target its questions here, where the user's token is.

    :returns: the answers for the conductor, or None with no target or no
        configured inspector.
    """
    inspector = preflight_target.get_inspector() if target_spec else None
    if inspector is None:
        return None
    return preflight_target.gather(inspector, ctx, target_spec)


class PreflightsController(rest.RestController):

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:preflights:list', ctx)
        page = utils.page_args(query, default_dir='desc')
        filters = {k: query[k] for k in ('vm_id', 'verdict', 'status',
                                         'mode') if k in query}
        rows = db_api.api_list(ctx, models.Preflight, filters, **page)
        vms = db_api.api_uuids(ctx, models.Vm, [r.vm_id for r in rows])
        return utils.collection(
            'preflights', rows,
            [preflight_view(r, vms.get(r.vm_id)) for r in rows], page,
            'preflights')

    @pecan.expose('json')
    @validation.validated(path=('preflight_id',))
    def get_one(self, preflight_id, query):
        ctx = utils.context()
        preflight = db_api.preflight_get(ctx, preflight_id)
        policy.authorize('xms:preflights:get', ctx,
                         {'project_id': preflight.project_id})
        vms = db_api.api_uuids(ctx, models.Vm, [preflight.vm_id])
        return preflight_view(preflight, vms.get(preflight.vm_id))

    @pecan.expose('json')
    @validation.validated(body=schema.CREATE)
    def post(self, query, body):
        ctx = utils.context()
        policy.authorize('xms:preflights:create', ctx)
        vms = [db_api.vm_get(ctx, vm_id) for vm_id in body['vm_ids']]
        created = [db_api.preflight_create(ctx, {
            'project_id': vm.project_id, 'vm_id': vm.id,
            'mode': body['mode'], 'target_spec': body.get('target')})
            for vm in vms]
        try:
            rpcapi.get_api().run_preflights(
                ctx, [p.id for p in created],
                target_facts=_target_facts(ctx, body.get('target')))
        except Exception:
            # No conductor will run them (broker down, target facts not
            # gathered): the client's 503 or 4xx leaves nothing behind.
            db_api.preflights_discard(ctx, [p.id for p in created])
            raise
        utils.set_status(202)
        return {'preflights': [preflight_view(p, vm.uuid)
                               for p, vm in zip(created, vms, strict=True)]}

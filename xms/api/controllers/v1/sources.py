"""``/v1/sources``: VMware endpoints registered by a project.

The password is write-only: it is encrypted (:mod:`xms.common.credentials`)
before it is stored and appears in no answer, log line, event or RPC
message.
"""

import contextlib

from oslo_log import log as logging
from oslo_utils import excutils
import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import utils
from xms.api.schemas import sources as schema
from xms.common import credentials
from xms.common import policy
from xms.conductor import rpcapi
from xms.db import api as db_api
from xms.db import models

LOG = logging.getLogger(__name__)


def source_view(source):
    return {
        'uuid': source.uuid,
        'project_id': source.project_id,
        'name': source.name,
        'type': source.type,
        'host': source.host,
        'port': source.port,
        'username': source.username,
        'datacenter': source.datacenter,
        'verify_tls': bool(source.verify_tls),
        'ca_cert': source.ca_cert,
        'thumbprint': source.thumbprint,
        'status': source.status,
        'status_reason': source.status_reason,
        'status_checked_at': utils.isotime(source.status_checked_at),
        'product_name': source.product_name,
        'product_version': source.product_version,
        'product_build': source.product_build,
        'api_type': source.api_type,
        'discovery': {
            'status': source.discovery_status,
            'started_at': utils.isotime(source.discovery_started_at),
            'finished_at': utils.isotime(source.discovery_finished_at),
            'error': source.discovery_error,
        },
        'created_at': utils.isotime(source.created_at),
        'updated_at': utils.isotime(source.updated_at),
        'links': utils.link('sources', source.uuid),
    }


def _get(ctx, source_id, action):
    source = db_api.source_get(ctx, source_id)
    policy.authorize('xms:sources:%s' % action, ctx,
                     {'project_id': source.project_id})
    return source


@contextlib.contextmanager
def _discarded_on_failure(stored):
    """Forget a just-stored password when the row that would refer to it
    is not written (a key manager secret would be orphaned otherwise)."""
    try:
        yield
    except Exception:
        with excutils.save_and_reraise_exception():
            _discard_quietly(stored, None)


def _discard_quietly(stored, source_uuid):
    """Forget a password no row refers to any more. A failure is logged,
    not raised: the request's own outcome (its success, or the error that
    left the secret unused) is what the user needs to see."""
    try:
        credentials.discard(stored)
    except Exception:
        LOG.warning('Could not delete a password secret no source refers '
                    'to any more (source %s); delete it in the key '
                    'manager', source_uuid or '(not created)',
                    exc_info=True)


class SourceCredentialController(rest.RestController):
    """``PUT /v1/sources/{source_id}/credential``: rotate in place."""

    @pecan.expose('json')
    @validation.validated(path=('source_id',), body=schema.CREDENTIAL)
    def put(self, source_id, query, body):
        ctx = utils.context()
        source = _get(ctx, source_id, 'update_credential')
        old = source.password_encrypted
        values = {'password_encrypted': credentials.encrypt(
            body['password'])}
        if body.get('username'):
            values['username'] = body['username']
        with _discarded_on_failure(values['password_encrypted']):
            source = db_api.source_update(ctx, source.id, values)
        LOG.info('Credential of source %s replaced', source.uuid)
        _discard_quietly(old, source.uuid)
        return source_view(source)


class SourcesController(rest.RestController):

    _custom_actions = {'test': ['POST'], 'discover': ['POST']}

    credential = SourceCredentialController()

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:sources:list', ctx)
        page = utils.page_args(query)
        filters = {k: query[k] for k in ('name', 'status') if k in query}
        rows = db_api.api_list(ctx, models.Source, filters, **page)
        return utils.collection('sources', rows,
                                [source_view(s) for s in rows], page,
                                'sources')

    @pecan.expose('json')
    @validation.validated(path=('source_id',))
    def get_one(self, source_id, query):
        return source_view(_get(utils.context(), source_id, 'get'))

    @pecan.expose('json')
    @validation.validated(body=schema.CREATE)
    def post(self, query, body):
        ctx = utils.context()
        policy.authorize('xms:sources:create', ctx)
        values = dict(body)
        values['password_encrypted'] = credentials.encrypt(
            values.pop('password'))
        values['project_id'] = ctx.project_id
        values.setdefault('type', 'vmware')
        if values.get('thumbprint'):
            values['thumbprint'] = values['thumbprint'].upper()
        with _discarded_on_failure(values['password_encrypted']):
            source = db_api.source_create(ctx, values)
        LOG.info('Source %s (%s) registered in project %s', source.uuid,
                 source.host, source.project_id)
        view = source_view(source)
        utils.set_status(201, view['links'][0]['href'])
        return view

    @pecan.expose('json')
    @validation.validated(path=('source_id',), body=schema.UPDATE)
    def patch(self, source_id, query, body):
        ctx = utils.context()
        source = _get(ctx, source_id, 'update')
        values = dict(body)
        if values.get('thumbprint'):
            values['thumbprint'] = values['thumbprint'].upper()
        source = db_api.source_update(ctx, source.id, values)
        LOG.info('Source %s updated: %s', source.uuid,
                 ', '.join(sorted(values)))
        return source_view(source)

    @pecan.expose('json')
    @validation.validated(path=('source_id',))
    def delete(self, source_id, query):
        ctx = utils.context()
        source = _get(ctx, source_id, 'delete')
        db_api.source_delete(ctx, source.id)
        LOG.info('Source %s deleted', source.uuid)
        _discard_quietly(source.password_encrypted, source.uuid)
        utils.set_status(204)

    @pecan.expose('json')
    @validation.validated(path=('source_id',), body=validation.EMPTY_QUERY)
    def test(self, source_id, query, body):
        ctx = utils.context()
        source = _get(ctx, source_id, 'test')
        return rpcapi.get_api().test_source(ctx, source.id)

    @pecan.expose('json')
    @validation.validated(path=('source_id',), body=validation.EMPTY_QUERY)
    def discover(self, source_id, query, body):
        ctx = utils.context()
        source = _get(ctx, source_id, 'discover')
        before = {'discovery_status': source.discovery_status,
                  'discovery_error': source.discovery_error}
        source = db_api.source_update(ctx, source.id, {
            'discovery_status': 'queued', 'discovery_error': None})
        try:
            rpcapi.get_api().discover_source(ctx, source.id)
        except Exception:
            # No conductor heard of it: the source is not left "queued".
            db_api.source_update(ctx, source.id, before)
            raise
        utils.set_status(202)
        return source_view(source)

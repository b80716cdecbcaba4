"""The one place the dashboard talks to the XMS API.

Every panel calls the functions below with the Django request; they build
a client from the signed-in user's token and the catalog's ``migration``
endpoint (or ``XMS_API_URL`` in Horizon's settings, for a deployment whose
catalog lacks it) and return :class:`Resource` objects whose attributes
are the API's fields. Nothing else in the plugin knows a URL or a JSON
shape, so when the API changes this module is the one to follow it.

The client is python-xmsclient's when it is installed (the library the
``openstack migration`` commands use); it speaks the same REST API, so
the functions below work with either.
"""

import logging

from django.conf import settings
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base

from xms_dashboard import exceptions

LOG = logging.getLogger(__name__)

XmsApiError = exceptions.XmsApiError

SERVICE_TYPE = 'migration'
#: Job states that change by themselves: their rows keep refreshing.
FINAL_STATES = ('completed', 'failed', 'cancelled')
#: Preflight statuses that are still changing.
RUNNING_PREFLIGHT = ('pending', 'running')


class Resource:
    """An API object: its fields as attributes (``to_dict`` for all)."""

    def __init__(self, info):
        self._info = dict(info)
        for key, value in info.items():
            setattr(self, key, value)
        # Horizon's tables use ``id``; the API's is ``uuid``.
        if 'uuid' in info and 'id' not in info:
            self.id = info['uuid']

    def to_dict(self):
        return dict(self._info)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self._info.get('uuid'))


def endpoint(request):
    """The API's root URL: the setting, else the user's catalog."""
    override = getattr(settings, 'XMS_API_URL', None)
    if override:
        return override.rstrip('/')
    return base.url_for(request, SERVICE_TYPE).rstrip('/')


def is_available(request):
    """Whether this user's cloud has an XMS API to talk to."""
    if getattr(settings, 'XMS_API_URL', None):
        return True
    return base.is_service_enabled(request, SERVICE_TYPE)


def _session(request):
    verify = getattr(settings, 'OPENSTACK_SSL_CACERT', None) or not getattr(
        settings, 'OPENSTACK_SSL_NO_VERIFY', False)
    auth = token_endpoint.Token(endpoint(request), request.user.token.id)
    return ks_session.Session(auth=auth, verify=verify)


class _Rest:
    """The REST API through a keystoneauth session (the user's token)."""

    def __init__(self, request):
        self.session = _session(request)
        self.url = endpoint(request) + '/v1'

    def call(self, method, path, body=None, params=None):
        try:
            resp = self.session.request(
                self.url + path, method, json=body, params=params,
                raise_exc=False,
                headers={'Accept': 'application/json'})
        except ks_exc.ClientException as exc:
            raise XmsApiError(503, 'The migration service cannot be '
                              'reached: %s' % exc)
        doc = None
        if resp.content:
            try:
                doc = resp.json()
            except ValueError:
                doc = None
        if resp.status_code >= 400:
            error = (doc or {}).get('error') or {}
            raise XmsApiError(resp.status_code,
                              error.get('message') or resp.reason,
                              error.get('field'))
        return doc


def _client(request):
    return _Rest(request)


def _params(**filters):
    return {k: v for k, v in filters.items() if v not in (None, '')}


def _list(request, collection, limit=200, **filters):
    doc = _client(request).call('GET', '/' + collection,
                                params=_params(limit=limit, **filters))
    return [Resource(item) for item in doc[collection]]


# -- sources (Environments) -------------------------------------------------

SOURCE_FIELDS = ('name', 'host', 'port', 'username', 'password',
                 'datacenter', 'verify_tls', 'ca_cert', 'thumbprint')


def source_list(request):
    return _list(request, 'sources')


def source_get(request, source_id):
    return Resource(_client(request).call('GET', '/sources/%s' % source_id))


def source_create(request, **fields):
    body = {k: v for k, v in fields.items()
            if k in SOURCE_FIELDS and v not in (None, '')}
    body['type'] = 'vmware'
    return Resource(_client(request).call('POST', '/sources', body))


def source_delete(request, source_id):
    _client(request).call('DELETE', '/sources/%s' % source_id)


def source_test(request, source_id):
    """Open a session, report product and build (a dict)."""
    return _client(request).call('POST', '/sources/%s/test' % source_id, {})


def source_discover(request, source_id):
    return _client(request).call('POST', '/sources/%s/discover' % source_id,
                                 {})


def source_set_credential(request, source_id, username, password):
    """Rotate the source's credential in place."""
    body = {'password': password}
    if username:
        body['username'] = username
    return Resource(_client(request).call(
        'PUT', '/sources/%s/credential' % source_id, body))


# -- VMs and preflights (Discover) -----------------------------------------

def vm_list(request, **filters):
    return _list(request, 'vms', **filters)


def vm_get(request, vm_id):
    return Resource(_client(request).call('GET', '/vms/%s' % vm_id))


def preflight_create(request, vm_ids, mode, target=None):
    body = {'vm_ids': list(vm_ids), 'mode': mode}
    if target:
        body['target'] = target
    doc = _client(request).call('POST', '/preflights', body)
    return [Resource(p) for p in doc['preflights']]


def preflight_list(request, **filters):
    return _list(request, 'preflights', **filters)


def preflight_latest(request, vm_id):
    """The VM's newest preflight, or None."""
    found = _list(request, 'preflights', limit=1, vm_id=vm_id,
                  sort_key='created_at', sort_dir='desc')
    return found[0] if found else None


# -- jobs (Migrations) -------------------------------------------------------

def job_list(request, **filters):
    return _list(request, 'jobs', sort_key='created_at', sort_dir='desc',
                 **filters)


def job_get(request, job_id):
    return Resource(_client(request).call('GET', '/jobs/%s' % job_id))


def job_create(request, vm_ids, job_type, target, sync_interval=None):
    body = {'vm_ids': list(vm_ids), 'type': job_type, 'target': target}
    if sync_interval:
        body['sync_interval'] = int(sync_interval)
    doc = _client(request).call('POST', '/jobs', body)
    return [Resource(j) for j in doc['jobs']]


def job_action(request, job_id, action, **body):
    """``sync``, ``cutover``, ``cancel`` or ``retry``."""
    return _client(request).call('POST', '/jobs/%s/%s' % (job_id, action),
                                 body)


def job_delete(request, job_id):
    _client(request).call('DELETE', '/jobs/%s' % job_id)


# -- events ------------------------------------------------------------------

def event_list(request, job_id=None, **filters):
    if job_id:
        doc = _client(request).call(
            'GET', '/jobs/%s/events' % job_id,
            params=_params(limit=200, **filters))
        return [Resource(e) for e in doc['events']]
    return _list(request, 'events', **filters)

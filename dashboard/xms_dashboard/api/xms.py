"""The one place the dashboard talks to the XMS API.

Every panel calls the functions below with the Django request; they build
a client from the signed-in user's token and the catalog's ``migration``
endpoint (in ``XMS_REGION`` when set, else the user's region; or
``XMS_API_URL`` in Horizon's settings, for a deployment whose catalog
lacks it) and return python-xmsclient's resources, whose attributes are
the API's fields. Nothing else in the plugin knows a URL or a JSON shape,
so when the API changes this module is the one to follow it.

The client is python-xmsclient, the library of the ``openstack
migration`` commands; its errors carry the API's own message and the
field it names, which the forms show on that field.
"""

import logging

from django.conf import settings
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from xmsclient import client as xms_client
from xmsclient import exceptions

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'migration'
#: Job states that change by themselves: their rows keep refreshing.
FINAL_STATES = ('completed', 'failed', 'cancelled')
#: Preflight statuses that are still changing.
RUNNING_PREFLIGHT = ('pending', 'running')
#: Events shown at once (the newest; the API pages the rest).
EVENT_LIMIT = 200

#: What the client raises; the enabled file makes it recoverable.
ClientException = exceptions.ClientException
HttpError = exceptions.HttpError

_INTERFACES = {'publicURL': 'public', 'internalURL': 'internal',
               'adminURL': 'admin'}


def _catalog_url(request):
    """The ``migration`` endpoint of the user's catalog in XMS's region.

    Every service of the type is looked at (a catalog may list several,
    each with endpoints in its own region), not only the first one.
    """
    region = (getattr(settings, 'XMS_REGION', None)
              or request.user.services_region)
    wanted = _INTERFACES.get(getattr(settings, 'OPENSTACK_ENDPOINT_TYPE',
                                     'publicURL'), 'public')
    for service in request.user.service_catalog or []:
        if service.get('type') != SERVICE_TYPE:
            continue
        for endpoint in service.get('endpoints', []):
            where = endpoint.get('region_id') or endpoint.get('region')
            if where == region and endpoint.get('interface') == wanted:
                return endpoint['url']
    return None


def endpoint(request):
    """The API's root URL: ``XMS_API_URL``, else the user's catalog."""
    url = getattr(settings, 'XMS_API_URL', None) or _catalog_url(request)
    if not url:
        raise exceptions.ConnectionError(
            'No endpoint of service type "%s" in the catalog' % SERVICE_TYPE)
    return url.rstrip('/')


def is_available(request):
    """Whether this user's cloud has an XMS API to talk to."""
    return bool(getattr(settings, 'XMS_API_URL', None)
                or _catalog_url(request))


def _client(request):
    """python-xmsclient with the user's token, on the user's endpoint."""
    verify = getattr(settings, 'OPENSTACK_SSL_CACERT', None) or not getattr(
        settings, 'OPENSTACK_SSL_NO_VERIFY', False)
    url = endpoint(request)
    session = ks_session.Session(
        auth=token_endpoint.Token(url, request.user.token.id), verify=verify)
    return xms_client.Client('1', session=session, endpoint_override=url)


# -- sources (Environments) -------------------------------------------------

SOURCE_FIELDS = ('name', 'host', 'port', 'username', 'password',
                 'datacenter', 'verify_tls', 'ca_cert', 'thumbprint')


def source_list(request):
    return _client(request).sources.list()


def source_get(request, source_id):
    return _client(request).sources.get(source_id)


def source_create(request, **fields):
    body = {k: v for k, v in fields.items()
            if k in SOURCE_FIELDS and v not in (None, '')}
    return _client(request).sources.create(type='vmware', **body)


def source_delete(request, source_id):
    _client(request).sources.delete(source_id)


def source_test(request, source_id):
    """Open a session, report product and build (a dict)."""
    return _client(request).sources.test(source_id)


def source_discover(request, source_id):
    return _client(request).sources.discover(source_id)


def source_set_credential(request, source_id, username, password):
    """Rotate the source's credential in place."""
    return _client(request).sources.set_credential(
        source_id, password, username=username or None)


# -- VMs and preflights (Discover) -----------------------------------------

def vm_list(request, **filters):
    return _client(request).vms.list(**filters)


def vm_get(request, vm_id):
    return _client(request).vms.get(vm_id)


def preflight_create(request, vm_ids, mode, target=None):
    return _client(request).preflights.create(list(vm_ids), mode,
                                              target=target)


def preflight_latest(request, vm_id):
    """The VM's newest preflight, or None."""
    found = _client(request).preflights.list(
        limit=1, vm_id=vm_id, sort_key='created_at', sort_dir='desc')
    return found[0] if found else None


# -- jobs (Migrations) -------------------------------------------------------

def job_list(request, **filters):
    return _client(request).jobs.list(sort_key='created_at',
                                      sort_dir='desc', **filters)


def job_get(request, job_id):
    return _client(request).jobs.get(job_id)


def job_create(request, vm_ids, job_type, target, sync_interval=None):
    fields = {'target': target}
    if sync_interval:
        fields['sync_interval'] = int(sync_interval)
    return _client(request).jobs.create(list(vm_ids), job_type,
                                        **fields).jobs


def job_action(request, job_id, action):
    """``sync``, ``cutover``, ``cancel`` or ``retry``."""
    return getattr(_client(request).jobs, action)(job_id)


def job_delete(request, job_id):
    _client(request).jobs.delete(job_id)


# -- events ------------------------------------------------------------------

def event_list(request, job_id=None, **filters):
    """The newest events first, of one job or of the project."""
    client = _client(request)
    if job_id:
        return client.jobs.events(job_id, limit=EVENT_LIMIT, **filters)
    return client.events.list(limit=EVENT_LIMIT, **filters)

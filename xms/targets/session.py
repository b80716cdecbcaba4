"""openstacksdk connections that act in a job's target project.

A worker acts with the job's Keystone trust (the context's
``trust_id``): :func:`xms.common.keystone.trust_session` gives a session
of the XMS service user scoped to the trust, so every call runs with the
roles the user delegated in the target project (member, not admin), and
tokens are re-issued as they expire. The API side (preflight) has the
user's own token instead. Nothing else is accepted: target drivers never
act as the service user in its own project.
"""

import threading

from openstack import connection as os_connection

from xms.common import exception
from xms.common import keystone
from xms.common.i18n import _
from xms.conf import CONF

_CACHE = {}
_LOCK = threading.Lock()
_MAX_CACHED = 64


def _session_for(context):
    if getattr(context, 'trust_id', None):
        return ('trust', context.trust_id), keystone.trust_session(
            context.trust_id)
    if getattr(context, 'auth_token', None):
        return (('token', context.auth_token, context.project_id),
                keystone.user_session(context))
    raise exception.NotAuthorized(
        message=_('The target cloud needs a trust or a user token; the '
                  'context has neither.'))


def connection(context):
    """An openstacksdk connection acting for ``context``.

    Connections are cached per trust (or token) so their keystoneauth
    sessions reuse tokens instead of authenticating on every call.
    """
    # Cheap to compute the key without building a session.
    if getattr(context, 'trust_id', None):
        key = ('trust', context.trust_id)
    else:
        key = ('token', getattr(context, 'auth_token', None),
               getattr(context, 'project_id', None))
    with _LOCK:
        conn = _CACHE.get(key)
        if conn is not None:
            return conn
    _, sess = _session_for(context)
    conn = os_connection.Connection(
        session=sess,
        region_name=CONF.service_auth.region_name,
        interface=CONF.service_auth.interface,
        app_name='xms')
    with _LOCK:
        if len(_CACHE) >= _MAX_CACHED:
            _CACHE.clear()
        _CACHE.setdefault(key, conn)
        return _CACHE[key]


def forget(context=None):
    """Drop cached connections (all, or those of ``context``)."""
    with _LOCK:
        if context is None:
            _CACHE.clear()
        elif getattr(context, 'trust_id', None):
            _CACHE.pop(('trust', context.trust_id), None)

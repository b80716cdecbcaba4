"""Keystone trusts and sessions for jobs.

Warm jobs outlive the token of the user who submitted them. When a job
is created the API asks Keystone, with the user's own token, for a trust
from that user to the XMS service user (``[service_auth]``) on the
job's project; workers later act in that project with a session scoped
to the trust (:func:`trust_session`). The trust is deleted when the job
ends or is deleted (:func:`delete_trust`).
"""

import datetime
import random

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import exception
from xms.common.i18n import _
from xms.conf import CONF
from xms.conf import keystone as keystone_conf

LOG = logging.getLogger(__name__)

GROUP = keystone_conf.SERVICE_AUTH_GROUP

# Roles the trust delegates. Keystone's implied roles give a member the
# reader role too; nothing XMS does in a project needs admin.
TRUST_ROLES = ('member',)

_CREATE_ATTEMPTS = 5
_RANDOM = random.SystemRandom()


class TrustError(exception.XmsException):
    msg_fmt = _('Keystone could not %(action)s a trust for project '
                '%(project)s: %(reason)s')
    code = 502


def _service_auth(**overrides):
    auth = ks_loading.load_auth_from_conf_options(CONF, GROUP)
    if auth is None:
        raise exception.ConfigInvalid(
            error=_('[%s] has no auth_type; XMS needs a service user to '
                    'receive trusts') % GROUP)
    return auth


# The service user's requests (its own tokens, trust revocations) are
# safe to send again; under load Keystone may drop a connection before it
# answers (seen with 24 concurrent job creations).
_SERVICE_CONNECT_RETRIES = 3


def _session(auth, **kwargs):
    return ks_loading.load_session_from_conf_options(CONF, GROUP,
                                                     auth=auth, **kwargs)


def _identity_url():
    _service_auth()  # registers the plugin's options, auth_url among them
    url = CONF[GROUP].auth_url.rstrip('/')
    return url if url.endswith('/v3') else url + '/v3'


def service_session():
    """A session of the XMS service user (project-scoped per config)."""
    return _session(_service_auth(),
                    connect_retries=_SERVICE_CONNECT_RETRIES)


def service_user_fields():
    """The service user's password credentials from ``[service_auth]``,
    for clients that take them as fields (castellan) rather than as a
    keystoneauth plugin.

    :raises ConfigInvalid: unless ``auth_type`` is password.
    """
    _service_auth()  # registers the plugin's options
    opts = CONF[GROUP]
    if opts.auth_type not in ('password', 'v3password'):
        raise exception.ConfigInvalid(
            error=_('[%s] must use auth_type password') % GROUP)
    fields = {'auth_url': _identity_url(), 'password': opts.password}
    for name in ('username', 'user_id', 'user_domain_id', 'user_domain_name',
                 'project_id', 'project_name', 'project_domain_id',
                 'project_domain_name'):
        fields[name] = getattr(opts, name, None)
    return fields


def service_user_id():
    return service_session().get_user_id()


def user_session(context):
    """A session that acts with the token of the request's user."""
    if not context.auth_token:
        raise TrustError(action='create', project=context.project_id,
                         reason=_('the request carries no token'))
    auth = v3.Token(auth_url=_identity_url(), token=context.auth_token,
                    project_id=context.project_id)
    return _session(auth)


def create_trust(context, project_id=None, roles=TRUST_ROLES):
    """Create a trust from the request's user to the service user.

    :returns: the trust id.
    :raises TrustError: when Keystone refuses.
    """
    project_id = project_id or context.project_id
    body = {'trust': {
        'trustor_user_id': context.user_id,
        'trustee_user_id': service_user_id(),
        'project_id': project_id,
        'impersonation': True,
        'roles': [{'name': r} for r in roles],
    }}
    sess = user_session(context)
    expires = timeutils.utcnow() + datetime.timedelta(
        days=CONF[GROUP].trust_expiry_days)
    for attempt in range(_CREATE_ATTEMPTS):
        # Keystone refuses two trusts with the same trustor, trustee,
        # project and expiry, to the second (a wave of jobs submitted at
        # once): spread expiries over an hour and retry on a clash.
        expiry = expires + datetime.timedelta(
            seconds=_RANDOM.randrange(3600))
        body['trust']['expires_at'] = expiry.strftime(
            '%Y-%m-%dT%H:%M:%S.000000Z')
        try:
            resp = sess.post(_identity_url() + '/OS-TRUST/trusts',
                             json=body)
            break
        except ks_exc.Conflict as exc:
            if attempt + 1 == _CREATE_ATTEMPTS:
                raise TrustError(action='create', project=project_id,
                                 reason=_('%s') % exc)
        except (ks_exc.ConnectionError, ks_exc.ServiceUnavailable):
            # Keystone is down, not refusing: the API answers 503.
            raise
        except ks_exc.ClientException as exc:
            raise TrustError(action='create', project=project_id,
                             reason=_('%s') % exc)
    trust_id = resp.json()['trust']['id']
    LOG.info('Trust %s created from user %s on project %s', trust_id,
             context.user_id, project_id)
    return trust_id


def delete_trust(context, trust_id):
    """Delete a trust; a trust already gone is not an error.

    The service user deletes it (Keystone lets an admin or the trustor
    do so), because the user's token may have expired long ago.
    """
    try:
        service_session().delete(
            _identity_url() + '/OS-TRUST/trusts/%s' % trust_id)
    except ks_exc.NotFound:
        LOG.debug('Trust %s was already deleted', trust_id)
    except ks_exc.ClientException as exc:
        LOG.warning('Could not delete trust %s: %s', trust_id, exc)
        return False
    LOG.info('Trust %s deleted', trust_id)
    return True


def trust_session(trust_id):
    """A session of the service user scoped to ``trust_id``.

    Workers use it to act in the job's target project; tokens are
    re-issued from the trust as they expire.
    """
    base = _service_auth()  # also registers the password plugin options
    if CONF[GROUP].auth_type not in ('password', 'v3password'):
        raise exception.ConfigInvalid(
            error=_('[%s] must use auth_type password for trusts') % GROUP)
    opts = CONF[GROUP]
    auth = v3.Password(auth_url=_identity_url(), username=opts.username,
                       user_id=opts.user_id, password=opts.password,
                       user_domain_id=opts.user_domain_id,
                       user_domain_name=opts.user_domain_name,
                       trust_id=trust_id)
    return ks_session.Session(auth=auth, verify=_session(base).verify)

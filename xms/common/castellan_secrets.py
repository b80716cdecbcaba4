"""Source passwords kept as secrets of a key manager, through castellan.

With ``[credentials]/backend = castellan`` each source password is a
passphrase secret in the key manager (Barbican unless
``[key_manager]/backend`` says otherwise); the source row keeps only
``castellan:<secret id>``. Every XMS process reads and writes the secrets
as the XMS service user of ``[service_auth]``, so they belong to its
project and need no key on the XMS hosts. :mod:`xms.common.credentials`
is the only caller.
"""

import uuid

from castellan import key_manager
from castellan.common import exception as castellan_exc
from castellan.common.credentials import keystone_password
from castellan.common.objects import passphrase
from oslo_log import log as logging

from xms.common import exception
from xms.common import keystone
from xms.common.i18n import _
from xms.conf import CONF

LOG = logging.getLogger(__name__)

PREFIX = 'castellan:'

_MANAGER = None


class KeyManagerUnavailable(exception.XmsException):
    msg_fmt = _('The key manager ([credentials]/backend castellan, '
                '[key_manager]/backend %(backend)s, as the [service_auth] '
                'user) could not %(action)s: %(reason)s')
    code = 503


class SecretMissing(exception.XmsException):
    msg_fmt = _('The password secret of source %(source)s is gone from the '
                'key manager. Set the password again with '
                '"PUT /v1/sources/%(source)s/credential".')


def is_reference(stored):
    return isinstance(stored, str) and stored.startswith(PREFIX)


def _manager():
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = key_manager.API(CONF)
    return _MANAGER


def _credential():
    """The service user, as castellan takes it: one set of credentials
    for Keystone trusts and for the key manager."""
    fields = keystone.service_user_fields()
    return keystone_password.KeystonePassword(fields.pop('password'),
                                              **fields)


def _failed(action, exc):
    return KeyManagerUnavailable(backend=CONF.key_manager.backend,
                                 action=action,
                                 reason=str(exc).splitlines()[0])


def store(plaintext):
    """Store ``plaintext`` as a new secret; returns the reference to keep.

    :raises KeyManagerUnavailable: when the key manager refuses.
    """
    secret = passphrase.Passphrase(plaintext, name='xms-source-password')
    credential = _credential()
    try:
        secret_id = _manager().store(credential, secret)
    except Exception as exc:  # castellan lets keystoneauth's errors out
        raise _failed(_('store a password'), exc)
    LOG.info('Source password stored as key manager secret %s', secret_id)
    return PREFIX + secret_id


def get(reference, source_id='?'):
    """The password a reference of :func:`store` points to.

    :raises SecretMissing: when the secret was deleted.
    :raises KeyManagerUnavailable: on any other failure.
    """
    credential = _credential()
    try:
        secret = _manager().get(credential, reference[len(PREFIX):])
    except castellan_exc.ManagedObjectNotFoundError:
        raise SecretMissing(source=source_id)
    except Exception as exc:
        raise _failed(_('read a password'), exc)
    value = secret.get_encoded()
    return value.decode('utf-8') if isinstance(value, bytes) else value


def delete(reference):
    """Delete a secret; one already gone is not an error.

    :raises KeyManagerUnavailable: when the key manager refuses.
    """
    credential = _credential()
    try:
        _manager().delete(credential, reference[len(PREFIX):])
    except castellan_exc.ManagedObjectNotFoundError:
        return
    except Exception as exc:
        raise _failed(_('delete a password'), exc)
    LOG.info('Key manager secret %s deleted', reference[len(PREFIX):])


def check():
    """Authenticate and reach the key manager, before a service starts.

    Reads a secret that cannot exist: "not found" proves the endpoint
    answers and accepts the service user.

    :raises KeyManagerUnavailable: otherwise.
    """
    credential = _credential()
    try:
        _manager().get(credential, str(uuid.uuid4()))
    except castellan_exc.ManagedObjectNotFoundError:
        return
    except Exception as exc:
        raise _failed(_('be reached'), exc)

"""Encryption of source passwords at rest.

Passwords are stored only as Fernet tokens made with the keys of a local
key repository ([credentials]/key_repository), one key per file named by
its index. The newest key encrypts; every key decrypts, so rotation
(``xms-manage credentials rotate-key``) adds a key, re-encrypts every
stored password with it and only then drops the oldest keys beyond
``max_active_keys``.

With ``[credentials]/backend = castellan`` the passwords are secrets of
a key manager instead (:mod:`xms.common.castellan_secrets`) and the
local keys are not used for new passwords.

Nothing creates keys implicitly: ``xms-manage credentials init`` creates
the repository once, and ``xms-manage credentials export`` copies it to
the other hosts. A key minted by a service on first use would differ on
every host, and each host would then fail to decrypt the passwords the
others stored. The API encrypts; the conductor and the workers decrypt
when they open a vSphere session; each refuses to start without keys
(:func:`check_keys`).
"""

import json
import os
import shutil
import tempfile

from cryptography import fernet
from oslo_log import log as logging

from xms.common import castellan_secrets
from xms.common import exception
from xms.common.i18n import _
from xms.conf import CONF

LOG = logging.getLogger(__name__)

# Format marker of the file ``xms-manage credentials export`` writes.
EXPORT_FORMAT = 'xms-credential-keys'
EXPORT_VERSION = 1


class CredentialKeyMissing(exception.XmsException):
    msg_fmt = _('No credential encryption key in %(path)s '
                '([credentials]/key_repository). Run "xms-manage '
                'credentials init" once for the deployment, then copy the '
                'keys to every XMS host with "xms-manage credentials '
                'export" and "xms-manage credentials init --from FILE".')


class CredentialKeyInvalid(exception.XmsException):
    msg_fmt = _('The credential key repository %(path)s '
                '([credentials]/key_repository) is unusable: %(reason)s.')


class CredentialKeysExist(exception.XmsException):
    msg_fmt = _('The credential key repository %(path)s already has keys; '
                'refusing to overwrite them (the stored passwords need '
                'them). Use "xms-manage credentials rotate-key" to add a '
                'key, or "init --from FILE --replace" to install an '
                'export from another host.')


class CredentialExportInvalid(exception.XmsException):
    msg_fmt = _('%(path)s is not a key export of "xms-manage credentials '
                'export": %(reason)s.')


class CredentialBackendMismatch(exception.XmsException):
    msg_fmt = _('"xms-manage credentials %(action)s" manages the local key '
                'repository, but [credentials]/backend is castellan: the '
                'key manager keeps the keys of new passwords.')


class CredentialUndecryptable(exception.XmsException):
    msg_fmt = _('The stored password of source %(source)s cannot be '
                'decrypted with the keys in the key repository. Restore '
                'the key repository or set the password again with '
                '"PUT /v1/sources/%(source)s/credential".')


def _castellan():
    return CONF.credentials.backend == 'castellan'


def refuse_with_castellan(action):
    """Refuse a key-repository command when the key manager has the keys.

    :raises CredentialBackendMismatch: with backend castellan.
    """
    if _castellan():
        raise CredentialBackendMismatch(action=action)


def _repository():
    return CONF.credentials.key_repository


def _key_files(path):
    if not os.path.isdir(path):
        return []
    return sorted((int(name), os.path.join(path, name))
                  for name in os.listdir(path) if name.isdigit())


def _load_keys(path=None):
    """Keys as ``[(index, key)]``, newest first.

    :raises CredentialKeyInvalid: when a key file cannot be read.
    """
    path = path or _repository()
    keys = []
    for index, name in reversed(_key_files(path)):
        try:
            with open(name, 'rb') as f:
                keys.append((index, f.read().strip()))
        except OSError as exc:
            raise CredentialKeyInvalid(path=path, reason=exc.strerror)
    return keys


def _fernets(keys, path):
    try:
        return [fernet.Fernet(key) for _index, key in keys]
    except ValueError:
        raise CredentialKeyInvalid(
            path=path, reason=_('a key file does not hold a Fernet key'))


def check_keys(path=None):
    """Prove the keys are usable, before a service starts: the local
    repository holds keys, or (castellan) the key manager answers.

    :returns: the number of local keys (0 with castellan).
    :raises CredentialKeyMissing: when there is no key.
    :raises CredentialKeyInvalid: when a key is unreadable or malformed.
    :raises KeyManagerUnavailable: when the key manager fails.
    """
    if _castellan() and path is None:
        castellan_secrets.check()
        return 0
    path = path or _repository()
    keys = _load_keys(path)
    if not keys:
        raise CredentialKeyMissing(path=path)
    _fernets(keys, path)
    return len(keys)


def _write_key(path, index, key=None):
    name = os.path.join(path, str(index))
    fd = os.open(name + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(key or fernet.Fernet.generate_key())
    os.rename(name + '.tmp', name)


def init_repository(path=None, keys=None, replace=False):
    """Create the repository with a first key, or with exported keys.

    :param keys: ``{index: key}`` from :func:`read_export`; a new key
        when None.
    :param replace: install ``keys`` in place of existing keys (only with
        ``keys``: replacing with a fresh key would orphan every stored
        password).
    :returns: the indexes written.
    :raises CredentialKeysExist: when the repository has keys and
        ``replace`` is false.
    """
    path = path or _repository()
    if _key_files(path) and not (replace and keys):
        raise CredentialKeysExist(path=path)
    keys = keys or {0: None}
    os.makedirs(path, mode=0o700, exist_ok=True)
    # Write the new set beside the repository, rename each key into place
    # and only then drop the keys the new set lacks: a service reading
    # keys meanwhile never finds the repository empty.
    staging = tempfile.mkdtemp(prefix='.init-', dir=path)
    try:
        for index, key in keys.items():
            _write_key(staging, index, key)
        for index in keys:
            os.rename(os.path.join(staging, str(index)),
                      os.path.join(path, str(index)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for index, name in _key_files(path):
        if index not in keys:
            os.unlink(name)
    return sorted(keys)


def _multifernet(path=None):
    path = path or _repository()
    keys = _load_keys(path)
    if not keys:
        raise CredentialKeyMissing(path=path)
    return fernet.MultiFernet(_fernets(keys, path))


def encrypt(plaintext, path=None):
    """Protect a password; returns what the source row keeps.

    That is a Fernet token of the newest local key, or (castellan) the
    reference of a new key manager secret, which :func:`discard` deletes
    when the row no longer needs it.

    :raises CredentialKeyMissing: when the repository has no key.
    :raises KeyManagerUnavailable: when the key manager fails.
    """
    if _castellan() and path is None:
        return castellan_secrets.store(plaintext)
    return _multifernet(path).encrypt(plaintext.encode('utf-8')).decode()


def decrypt(ciphertext, source_id='?', path=None):
    """Recover a stored password, whichever backend stored it.

    :raises CredentialUndecryptable: when no key in the repository fits.
    :raises SecretMissing, KeyManagerUnavailable: for a key manager
        secret that is gone or cannot be read.
    """
    if castellan_secrets.is_reference(ciphertext):
        return castellan_secrets.get(ciphertext, source_id)
    multi = _multifernet(path)
    try:
        return multi.decrypt(ciphertext.encode('ascii')).decode('utf-8')
    except (fernet.InvalidToken, ValueError):
        raise CredentialUndecryptable(source=source_id)


def discard(stored):
    """Forget what :func:`encrypt` returned once no row refers to it.

    Deletes the key manager secret of a reference; a Fernet token needs
    nothing.

    :raises KeyManagerUnavailable: when the key manager fails.
    """
    if castellan_secrets.is_reference(stored):
        castellan_secrets.delete(stored)


def rotate(reencrypt, path=None):
    """Add a key, re-encrypt through ``reencrypt``, drop the oldest keys.

    The old keys stay until ``reencrypt`` has returned, so a password
    not yet rewritten still decrypts; when it raises, nothing is dropped
    and the new key stays primary (every key still decrypts), so running
    the rotation again finishes it.

    :param reencrypt: callable taking a function ``old_token -> new_token``
        that rewrites every stored password (in one DB transaction).
    :returns: index of the new primary key.
    :raises CredentialKeyMissing: when there is no repository to rotate.
    """
    path = path or _repository()
    check_keys(path)
    new_index = _key_files(path)[-1][0] + 1
    _write_key(path, new_index)
    multi = _multifernet(path)

    def rewrite(token):
        # A key manager reference has no local key to rotate.
        if castellan_secrets.is_reference(token):
            return token
        return multi.rotate(token.encode('ascii')).decode()

    reencrypt(rewrite)
    files = _key_files(path)
    for _index, name in files[:-CONF.credentials.max_active_keys]:
        os.unlink(name)
    LOG.info('Credential key %d is now primary; %d key(s) kept', new_index,
             min(len(files), CONF.credentials.max_active_keys))
    return new_index


def export_keys(path=None):
    """The repository as a JSON document for ``init --from``.

    :raises CredentialKeyMissing: when there is nothing to export.
    """
    path = path or _repository()
    check_keys(path)
    keys = {str(index): key.decode('ascii')
            for index, key in _load_keys(path)}
    return json.dumps({'format': EXPORT_FORMAT, 'version': EXPORT_VERSION,
                       'keys': keys}, indent=2, sort_keys=True) + '\n'


def read_export(text, name):
    """Parse an export into ``{index: key}``, checking every key.

    :param name: the file name, for the error message.
    :raises CredentialExportInvalid: on anything but a valid export.
    """
    try:
        doc = json.loads(text)
    except ValueError:
        raise CredentialExportInvalid(path=name, reason=_('not JSON'))
    if not isinstance(doc, dict) or doc.get('format') != EXPORT_FORMAT:
        raise CredentialExportInvalid(
            path=name, reason=_('"format" is not "%s"') % EXPORT_FORMAT)
    if doc.get('version') != EXPORT_VERSION:
        raise CredentialExportInvalid(
            path=name, reason=_('unsupported "version" %r') %
            doc.get('version'))
    raw = doc.get('keys')
    if not isinstance(raw, dict) or not raw:
        raise CredentialExportInvalid(path=name, reason=_('no "keys"'))
    keys = {}
    for index, key in raw.items():
        if not (isinstance(index, str) and index.isdigit()
                and isinstance(key, str)):
            raise CredentialExportInvalid(
                path=name, reason=_('"keys" must map key numbers to keys'))
        try:
            fernet.Fernet(key.encode('ascii'))
        except (ValueError, UnicodeEncodeError):
            raise CredentialExportInvalid(
                path=name, reason=_('key %s is not a Fernet key') % index)
        keys[int(index)] = key.encode('ascii')
    return keys

"""Encryption of source passwords at rest.

Passwords are stored only as Fernet tokens made with the keys of a local
key repository ([credentials]/key_repository), one key per file named by
its index. The newest key encrypts; every key decrypts, so rotation
(``xms-manage credentials rotate-key``) adds a key, re-encrypts every
stored password with it and then drops the oldest keys beyond
``max_active_keys``.

Only the process that opens a vSphere session calls :func:`decrypt`;
everything else refers to a source by id.
"""

import os

from cryptography import fernet
from oslo_log import log as logging

from xms.common import exception
from xms.common.i18n import _
from xms.conf import CONF

LOG = logging.getLogger(__name__)


class CredentialKeyMissing(exception.XmsException):
    msg_fmt = _('No credential encryption key in %(path)s. Run '
                '"xms-manage credentials setup" on the API and conductor '
                'hosts.')


class CredentialUndecryptable(exception.XmsException):
    msg_fmt = _('The stored password of source %(source)s cannot be '
                'decrypted with the keys in the key repository. Restore '
                'the key repository or set the password again with '
                '"PUT /v1/sources/%(source)s/credential".')


def _repository():
    return CONF.credentials.key_repository


def _key_files(path):
    if not os.path.isdir(path):
        return []
    return sorted((int(name), os.path.join(path, name))
                  for name in os.listdir(path) if name.isdigit())


def _load_keys(path=None):
    """Keys, newest first."""
    path = path or _repository()
    keys = []
    for _index, name in reversed(_key_files(path)):
        with open(name, 'rb') as f:
            keys.append(f.read().strip())
    return keys


def setup_repository(path=None):
    """Create the repository with a first key if it has none.

    :returns: True when a key was created.
    """
    path = path or _repository()
    os.makedirs(path, mode=0o700, exist_ok=True)
    if _key_files(path):
        return False
    _write_key(path, 0)
    return True


def _write_key(path, index):
    name = os.path.join(path, str(index))
    fd = os.open(name + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(fernet.Fernet.generate_key())
    os.rename(name + '.tmp', name)


def _multifernet(path=None):
    keys = _load_keys(path)
    if not keys:
        raise CredentialKeyMissing(path=path or _repository())
    return fernet.MultiFernet([fernet.Fernet(k) for k in keys])


def encrypt(plaintext, path=None):
    """Encrypt ``plaintext`` with the newest key; returns text."""
    if CONF.credentials.backend == 'keyrepo' and not _key_files(
            path or _repository()):
        # The first write creates the repository, so that an all-in-one
        # deployment needs no setup step; a multi-host deployment
        # distributes the repository like Keystone's fernet keys.
        setup_repository(path)
    return _multifernet(path).encrypt(plaintext.encode('utf-8')).decode()


def decrypt(ciphertext, source_id='?', path=None):
    """Decrypt a stored password.

    :raises CredentialUndecryptable: when no key in the repository fits.
    """
    try:
        return _multifernet(path).decrypt(
            ciphertext.encode('ascii')).decode('utf-8')
    except (fernet.InvalidToken, ValueError):
        raise CredentialUndecryptable(source=source_id)


def rotate(reencrypt, path=None):
    """Add a key, re-encrypt through ``reencrypt``, drop the oldest keys.

    :param reencrypt: callable taking a function ``old_token -> new_token``
        that rewrites every stored password (in one DB transaction).
    :returns: index of the new primary key.
    """
    path = path or _repository()
    setup_repository(path)
    files = _key_files(path)
    new_index = files[-1][0] + 1
    _write_key(path, new_index)
    multi = _multifernet(path)
    reencrypt(lambda token: multi.rotate(token.encode('ascii')).decode())
    files = _key_files(path)
    for _index, name in files[:-CONF.credentials.max_active_keys]:
        os.unlink(name)
    LOG.info('Credential key %d is now primary; %d key(s) kept', new_index,
             min(len(files), CONF.credentials.max_active_keys))
    return new_index

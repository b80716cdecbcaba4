"""``xms-manage credentials init|rotate-key|export``: the key repository.

``init`` creates the key repository once for the deployment, with a first
key, or on another host from an export (``--from FILE``); it refuses to
overwrite keys, which the stored passwords need. ``rotate-key`` adds a
key, re-encrypts every stored source password with it in one database
transaction and drops the oldest keys beyond
``[credentials]/max_active_keys``. ``export`` writes the keys to a file
(mode 0600) or stdout for copying to the other XMS hosts; copy it again
after every rotation. With ``[credentials]/backend = castellan`` the key
manager keeps the keys and the three commands refuse to run.

Appends its parser to :data:`xms.cmd.manage.PARSER_ADDERS`; imported by
``xms.cmd.manage``.
"""

import os
import sys

from xms.cmd import manage
from xms.common import context as xms_context
from xms.common import credentials
from xms.common import exception
from xms.common import service as xms_service
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import api as db_api

EXPORT_WARNING = _(
    'WARNING: this export holds the keys that decrypt every stored source '
    'password. Copy it to the other XMS hosts over an encrypted channel '
    'only, install it there with "xms-manage credentials init --from '
    'FILE" and delete every copy afterwards.')


class ExportFileExists(exception.XmsException):
    msg_fmt = _('%(path)s already exists; refusing to overwrite it. Remove '
                'it or choose another file.')


def init():
    credentials.refuse_with_castellan('init')
    path = CONF.credentials.key_repository
    source = CONF.command.from_file
    if CONF.command.replace and not source:
        raise exception.ConfigInvalid(
            error=_('--replace needs --from FILE: a fresh key in place of '
                    'the existing ones would make every stored password '
                    'undecryptable'))
    keys = None
    if source:
        try:
            with open(source) as f:
                text = f.read()
        except OSError as exc:
            raise credentials.CredentialExportInvalid(
                path=source, reason=exc.strerror)
        keys = credentials.read_export(text, source)
    indexes = credentials.init_repository(path, keys=keys,
                                          replace=CONF.command.replace)
    print('Key repository %s: %d key(s) installed, key %d is primary'
          % (path, len(indexes), indexes[-1]))


def rotate_key():
    credentials.refuse_with_castellan('rotate-key')
    xms_service.check_database()
    ctx = xms_context.get_admin_context()
    counted = []

    def reencrypt(rewrite):
        counted.append(db_api.source_reencrypt_passwords(ctx, rewrite))

    index = credentials.rotate(reencrypt)
    print('Key %d is now primary; %d source password(s) re-encrypted. '
          'Copy the repository to every other XMS host now ("xms-manage '
          'credentials export").'
          % (index, counted[0] if counted else 0))
    return index


def export():
    credentials.refuse_with_castellan('export')
    target = CONF.command.file
    text = credentials.export_keys()
    sys.stderr.write(EXPORT_WARNING + '\n')
    if target == '-':
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ExportFileExists(path=target)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    print('Keys of %s written to %s (mode 0600)'
          % (CONF.credentials.key_repository, target))


def _add_credential_parsers(subparsers):
    parser = subparsers.add_parser(
        'credentials', help='Encryption keys of source passwords.')
    sub = parser.add_subparsers(dest='credentials_action', required=True)
    init_parser = sub.add_parser(
        'init', help='Create the key repository once: a first key, or the '
                     'keys of an export from another host.')
    init_parser.add_argument(
        '--from', dest='from_file', metavar='FILE',
        help='Install the keys of "xms-manage credentials export" instead '
             'of creating a key.')
    init_parser.add_argument(
        '--replace', action='store_true',
        help='With --from: replace the keys this host has (after a '
             'rotation on another host).')
    init_parser.set_defaults(func=init)
    sub.add_parser('rotate-key', help='Add a key, re-encrypt every source '
                                      'password, drop the oldest keys.'
                   ).set_defaults(func=rotate_key)
    export_parser = sub.add_parser(
        'export', help='Write the keys to FILE (mode 0600) or stdout ("-") '
                       'for the other XMS hosts.')
    export_parser.add_argument('file', metavar='FILE',
                               help='File to create, or "-" for stdout.')
    export_parser.set_defaults(func=export)


if _add_credential_parsers not in manage.PARSER_ADDERS:
    manage.PARSER_ADDERS.append(_add_credential_parsers)

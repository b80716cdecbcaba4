"""``xms-manage credentials setup|rotate-key``: the password key repository.

``setup`` creates the key repository with a first key; ``rotate-key``
adds a key, re-encrypts every stored source password with it in one
database transaction and drops the oldest keys beyond
``[credentials]/max_active_keys``. Copy the repository to every API and
conductor host after a rotation (as with Keystone's fernet keys).

Appends its parser to :data:`xms.cmd.manage.PARSER_ADDERS`; imported by
``xms.cmd.manage``.
"""

from xms.cmd import manage
from xms.common import context as xms_context
from xms.common import credentials
from xms.common import service as xms_service
from xms.conf import CONF
from xms.db import api as db_api


def setup():
    created = credentials.setup_repository()
    print('Key repository %s %s' % (
        CONF.credentials.key_repository,
        'created' if created else 'already has keys'))


def rotate_key():
    xms_service.check_database()
    ctx = xms_context.get_admin_context()
    counted = []

    def reencrypt(rewrite):
        counted.append(db_api.source_reencrypt_passwords(ctx, rewrite))

    index = credentials.rotate(reencrypt)
    print('Key %d is now primary; %d source password(s) re-encrypted'
          % (index, counted[0] if counted else 0))
    return index


def _add_credential_parsers(subparsers):
    parser = subparsers.add_parser(
        'credentials', help='Encryption keys of source passwords.')
    sub = parser.add_subparsers(dest='credentials_action', required=True)
    sub.add_parser('setup', help='Create the key repository with a first '
                                 'key.').set_defaults(func=setup)
    sub.add_parser('rotate-key', help='Add a key, re-encrypt every source '
                                      'password, drop the oldest keys.'
                   ).set_defaults(func=rotate_key)


if _add_credential_parsers not in manage.PARSER_ADDERS:
    manage.PARSER_ADDERS.append(_add_credential_parsers)

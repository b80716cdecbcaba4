"""Options of the [credentials] group: source password encryption."""

from oslo_config import cfg

group = cfg.OptGroup('credentials', title='Source credential protection')

opts = [
    cfg.StrOpt('backend',
               default='keyrepo',
               choices=[('keyrepo', 'Fernet tokens in the database, made '
                                    'with the keys of key_repository.'),
                        ('castellan', 'Each password is a secret in the key '
                                      'manager ([key_manager]/backend, '
                                      'Barbican by default), stored and '
                                      'read as the [service_auth] user; '
                                      'the database keeps its reference.')],
               help='Where source passwords are kept. Every XMS process '
                    'needs the backend: xms-api stores passwords, '
                    'xms-conductor and xms-worker read them when they open '
                    'a vSphere session, and xms-all-in-one does both; each '
                    'refuses to start when the keys (keyrepo) or the key '
                    'manager (castellan) are unusable. Changing the backend '
                    'applies to passwords set afterwards; set the others '
                    'again with PUT /v1/sources/{id}/credential.'),
    cfg.StrOpt('key_repository',
               default='$state_path/credential-keys',
               help='Directory of the keys that encrypt source passwords '
                    '(backend keyrepo). Every XMS process needs the same '
                    'keys. Create the repository once with "xms-manage '
                    'credentials init", copy it to every other host with '
                    '"xms-manage credentials export" and "xms-manage '
                    'credentials init --from FILE" (again after each '
                    'rotate-key), and keep it readable by the xms user '
                    'alone.'),
    cfg.IntOpt('max_active_keys',
               default=3,
               min=2,
               help='Keys kept in the repository; "xms-manage credentials '
                    'rotate-key" drops the oldest beyond this number, after '
                    're-encrypting every stored password with the new '
                    'key.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

"""Options of the [credentials] group: source password encryption."""

from oslo_config import cfg

group = cfg.OptGroup('credentials', title='Source credential protection')

opts = [
    cfg.StrOpt('key_repository',
               default='$state_path/credential-keys',
               help='Directory of the keys that encrypt source passwords. '
                    'Every XMS process needs the same keys: xms-api '
                    'encrypts, xms-conductor and xms-worker decrypt when '
                    'they open a vSphere session, and xms-all-in-one does '
                    'both; each refuses to start without them. Create the '
                    'repository once with "xms-manage credentials init", '
                    'copy it to every other host with "xms-manage '
                    'credentials export" and "xms-manage credentials init '
                    '--from FILE" (again after each rotate-key), and keep '
                    'it readable by the xms user alone.'),
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

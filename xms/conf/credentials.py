"""Options of the [credentials] group: source password encryption."""

from oslo_config import cfg

group = cfg.OptGroup('credentials', title='Source credential protection')

opts = [
    cfg.StrOpt('backend',
               default='keyrepo',
               choices=[('keyrepo', 'Local key repository with rotation.'),
                        ('castellan', 'Barbican (or another key manager) '
                                      'through castellan.')],
               help='Where source passwords are protected.'),
    cfg.StrOpt('key_repository',
               default='$state_path/credential-keys',
               help='Directory of the encryption keys. Keep it on the '
                    'hosts that run the API and conductor only, readable '
                    'by the xms user alone.'),
    cfg.IntOpt('max_active_keys',
               default=3,
               min=2,
               help='Keys kept in the repository; rotation drops the '
                    'oldest beyond this number, after re-encrypting.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

"""Options of the [conversion] group: guest conversion (virt-v2v)."""

from oslo_config import cfg

group = cfg.OptGroup('conversion', title='Guest conversion options')

opts = [
    cfg.StrOpt('driver',
               default='virt_v2v',
               help='Converter (xms.conversion entry point): "virt_v2v" or '
                    '"none" for guests that already run on KVM.'),
    cfg.StrOpt('virtio_win',
               help='Path of the virtio-win ISO or directory used to '
                    'install VirtIO drivers into Windows guests. Windows '
                    'guests are blocked at preflight when it is unset.'),
    cfg.StrOpt('libguestfs_backend',
               default='direct',
               help='LIBGUESTFS_BACKEND for virt-v2v runs.'),
    cfg.StrOpt('libguestfs_backend_settings',
               help='LIBGUESTFS_BACKEND_SETTINGS for virt-v2v runs, e.g. '
                    '"force_tcg" where nested KVM does not work.'),
    cfg.IntOpt('timeout',
               default=3600,
               min=60,
               help='Seconds after which a conversion is stopped and the '
                    'job fails.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

"""Options of the [transport] group: the disk copy engine."""

from oslo_config import cfg

group = cfg.OptGroup('transport', title='Disk transport options')

opts = [
    cfg.StrOpt('nbdkit_path',
               default='nbdkit',
               help='nbdkit executable used to expose source disks.'),
    cfg.StrOpt('vddk_libdir',
               help='Directory of the VMware VDDK (vmware-vix-disklib-'
                    'distrib) installed by the operator. When unset the '
                    'vSphere datastore HTTPS path is used instead.'),
    cfg.IntOpt('chunk_size_mib',
               default=8,
               min=1,
               help='Largest single read and write of the copier, in MiB.'),
    cfg.IntOpt('requests_in_flight',
               default=8,
               min=1,
               help='Reads in flight per disk.'),
    cfg.IntOpt('parallel_disks',
               default=2,
               min=1,
               help='Disks of one job copied at the same time.'),
    cfg.IntOpt('checkpoint_window_mib',
               default=256,
               min=1,
               help='Bytes copied between two durable checkpoints, in MiB. '
                    'A resumed copy re-reads at most one window.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

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
    cfg.IntOpt('inspect_timeout',
               default=900,
               min=30,
               help='Seconds after which an inspection of the guest '
                    '(virt-v2v-inspector and the libguestfs details pass) '
                    'is stopped and the job fails.'),
    cfg.StrOpt('inspector',
               default='libguestfs',
               choices=[('libguestfs', 'one libguestfs appliance launch '
                         'reads OS, firmware, boot loader, drivers and '
                         'VMware Tools'),
                        ('virt-v2v-inspector', 'also run '
                         'virt-v2v-inspector, which in virt-v2v 2.2 makes '
                         'a full trial conversion (as slow as the '
                         'conversion itself)')],
               help='How the guest on the copied disks is inspected.'),
    cfg.StrOpt('probe_python',
               default='/usr/bin/python3',
               help='Python interpreter that has the libguestfs binding '
                    '(Debian python3-guestfs); it runs the inspection in '
                    'a separate process.'),
    cfg.IntOpt('libguestfs_memsize',
               min=256,
               help='Memory of the libguestfs appliance in MiB '
                    '(LIBGUESTFS_MEMSIZE); unset keeps the libguestfs '
                    'default.'),
    cfg.StrOpt('libguestfs_hv',
               help='qemu binary of the libguestfs appliance '
                    '(LIBGUESTFS_HV); unset keeps the libguestfs default.'),
    cfg.StrOpt('libguestfs_cachedir',
               help='Directory of the cached libguestfs appliance '
                    '(LIBGUESTFS_CACHEDIR); unset uses $TMPDIR or /var/tmp.'),
    cfg.BoolOpt('remove_vmware_tools',
                default=True,
                help='Remove VMware Tools from the guest during conversion. '
                     'A job can override it with "remove_vmware_tools" in '
                     'its conversion options. virt-v2v 2.2 always removes '
                     'them from Linux guests; keeping them is then reported '
                     'as a warning in the job events.'),
    cfg.ListOpt('firstboot_scripts',
                default=[],
                help='Scripts (paths on the worker) installed into every '
                     'converted guest to run once at its first boot on '
                     'the target, after those of the job.'),
    cfg.BoolOpt('use_overlay',
                default=True,
                help='Convert local file targets through a qcow2 overlay '
                     'that is committed only when the conversion succeeds, '
                     'so a failed conversion never damages the copied '
                     'disk and syncing can continue.'),
    cfg.StrOpt('work_dir',
               help='Directory for conversion work files (libvirt XML, '
                    'overlays of block devices); defaults to '
                    '$state_path/conversion.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

"""Options of the [preflight] group: the read-only assessment engine."""

from oslo_config import cfg

group = cfg.OptGroup('preflight', title='Preflight options')

opts = [
    cfg.IntOpt('max_vms_per_run',
               default=200,
               min=1,
               help='Largest number of VMs one preflight request may '
                    'assess.'),
    cfg.IntOpt('min_hardware_version',
               default=7,
               min=4,
               help='Lowest VMware virtual hardware version the transport '
                    'library reads (Block below it).'),
    cfg.IntOpt('max_hardware_version',
               default=21,
               min=4,
               help='Highest VMware virtual hardware version known to work '
                    'with the transport library (Warn above it).'),
    cfg.StrOpt('target_inspector',
               help='Name of the target inspector (entry point in the '
                    '"xms.preflight.target" group) that answers quota, '
                    'network and flavor questions about the target cloud. '
                    'Unset: target-side checks report Warn "not checked".'),
    cfg.BoolOpt('probe_source',
                default=True,
                help='Whether a preflight opens a session to the VM\'s '
                     'source (once per source and run) to check it is '
                     'reachable, instead of trusting the stored source '
                     'status.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

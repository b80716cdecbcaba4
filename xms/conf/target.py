"""Options of the [target] group: where migrated VMs land."""

from oslo_config import cfg

group = cfg.OptGroup('target', title='Target options')

opts = [
    cfg.StrOpt('storage_driver',
               default='cinder',
               help='Driver (xms.target.storage entry point) that creates '
                    'target volumes: "cinder", or "local" for sparse raw '
                    'files.'),
    cfg.StrOpt('attach_driver',
               default='nova',
               help='Driver (xms.target.attach entry point) that attaches '
                    'target volumes to the worker for writing: "nova", '
                    '"osbrick" or "local".'),
    cfg.StrOpt('compute_driver',
               default='nova',
               help='Driver (xms.target.compute entry point) that creates '
                    'the migrated instance: "nova", or "local" for a '
                    'libvirt domain XML.'),
    cfg.StrOpt('local_dir',
               default='$state_path/target',
               help='Directory of the local target\'s volumes and domain '
                    'definitions.'),
    cfg.StrOpt('worker_instance_id',
               help='Nova instance id of this worker, for the "nova" '
                    'attach driver. Read from the metadata service when '
                    'unset.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

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
                    'target volumes to the worker for writing: "nova" '
                    '(the worker is a Nova instance and attaches the '
                    'volume to itself), "osbrick" (Cinder attachments API '
                    'and os-brick on the worker host) or "local".'),
    cfg.StrOpt('compute_driver',
               default='nova',
               help='Driver (xms.target.compute entry point) that creates '
                    'the migrated instance: "nova", or "local" for a '
                    'libvirt domain XML.'),
    cfg.StrOpt('network_driver',
               default='neutron',
               help='Driver (xms.target.network entry point) that creates '
                    'the instance\'s ports: "neutron", or "local" (the '
                    'NICs are entries of the domain XML).'),
    cfg.StrOpt('local_dir',
               default='$state_path/target',
               help='Directory of the local target\'s volumes and domain '
                    'definitions.'),
    cfg.StrOpt('worker_instance_id',
               help='Nova instance id of this worker, for the "nova" '
                    'attach driver. Read from the metadata service when '
                    'unset.'),
    cfg.StrOpt('metadata_url',
               default='http://169.254.169.254/openstack/latest/'
                       'meta_data.json',
               help='Where the "nova" attach driver reads the worker\'s '
                    'own instance id when worker_instance_id is unset.'),
    cfg.StrOpt('disk_by_id_dir',
               default='/dev/disk/by-id',
               help='Directory the "nova" attach driver searches for the '
                    'device whose name carries the volume\'s serial.'),
    cfg.StrOpt('volume_type',
               help='Cinder volume type of target volumes when the job '
                    'names none. Unset: the project\'s default type.'),
    cfg.StrOpt('availability_zone',
               help='Availability zone of target volumes and instances '
                    'when the job names none.'),
    cfg.StrOpt('osbrick_host',
               help='Host name the "osbrick" attach driver puts in its '
                    'connector. Default: this host\'s name.'),
    cfg.StrOpt('osbrick_ip',
               default='127.0.0.1',
               help='IP address the "osbrick" attach driver puts in its '
                    'connector (the worker\'s address on the storage '
                    'network).'),
    cfg.StrOpt('osbrick_root_helper',
               default='sudo xms-rootwrap /etc/xms/rootwrap.conf',
               help='Root helper os-brick uses for commands that need '
                    'root.'),
    cfg.BoolOpt('osbrick_use_multipath',
                default=False,
                help='Ask os-brick and Cinder for multipath connections.'),
    cfg.IntOpt('volume_timeout',
               default=600,
               min=1,
               help='Seconds to wait for a volume to become available, '
                    'attached or detached.'),
    cfg.IntOpt('boot_timeout',
               default=900,
               min=1,
               help='Seconds to wait for a migrated instance to become '
                    'ACTIVE (or ERROR).'),
    cfg.IntOpt('poll_interval',
               default=2,
               min=1,
               help='Seconds between status polls of volumes, '
                    'attachments and instances.'),
    cfg.BoolOpt('keep_mac',
                default=True,
                help='Give target ports the source NIC\'s MAC address '
                     'unless the network mapping says otherwise (guests '
                     'often bind configuration to the MAC).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

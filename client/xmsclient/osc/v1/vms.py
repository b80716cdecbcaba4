"""``openstack migration vm list|show``: the discovered inventory."""

from osc_lib.command import command

from xmsclient.osc.v1 import common

SORT_KEYS = ('name', 'created_at', 'updated_at', 'power_state', 'verdict')
LIST_FIELDS = ('uuid', 'name', 'power_state', 'guest_full_name', 'num_cpus',
               'memory_mb', 'verdict')
LONG_FIELDS = ('source_id', 'firmware', 'cbt_enabled', 'snapshot_count',
               'esxi_host', 'missing')
SHOW_FIELDS = ('uuid', 'name', 'source_id', 'moref', 'power_state',
               'guest_id', 'guest_family', 'guest_full_name', 'firmware',
               'secure_boot', 'hardware_version', 'num_cpus',
               'cores_per_socket', 'memory_mb', 'cbt_enabled',
               'snapshot_count', 'consolidation_needed', 'tools_status',
               'tools_version', 'esxi_host', 'cluster', 'folder',
               'datacenter', 'bios_uuid', 'instance_uuid', 'verdict',
               'missing', 'disks', 'nics', 'last_seen_at', 'project_id',
               'created_at', 'updated_at')
FORMATTERS = {'disks': common.ListOfDictColumn,
              'nics': common.ListOfDictColumn}


class ListVm(command.Lister):
    """List discovered VMs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', metavar='<source>',
                            help='Only VMs of this source (name or ID)')
        parser.add_argument('--name', metavar='<name>',
                            help='Only VMs with this name ("*" is a '
                                 'wildcard)')
        parser.add_argument('--power-state', metavar='<state>',
                            choices=('poweredOn', 'poweredOff', 'suspended'),
                            help='Only VMs in this power state')
        parser.add_argument('--verdict', metavar='<verdict>',
                            choices=('pass', 'warn', 'block'),
                            help='Only VMs whose latest preflight has this '
                                 'verdict')
        missing = parser.add_mutually_exclusive_group()
        missing.add_argument('--missing', dest='missing', action='store_true',
                             default=None,
                             help='Only VMs the last scan did not see')
        missing.add_argument('--present', dest='missing',
                             action='store_false',
                             help='Only VMs the last scan saw')
        parser.add_argument('--long', action='store_true',
                            help='More columns')
        common.add_pagination(parser, SORT_KEYS)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        source_id = None
        if parsed_args.source:
            source_id = common.find_id(xms.sources, parsed_args.source,
                                       'source')
        fields = LIST_FIELDS + (LONG_FIELDS if parsed_args.long else ())
        vms = xms.vms.list(
            source_id=source_id, name=parsed_args.name,
            power_state=parsed_args.power_state,
            verdict=parsed_args.verdict, missing=parsed_args.missing,
            limit=parsed_args.limit, marker=parsed_args.marker,
            **common.sort_args(parsed_args, SORT_KEYS))
        return common.headings(fields), common.rows(vms, fields)


class ShowVm(command.ShowOne):
    """Show a VM with its disks and NICs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('vm', metavar='<vm>', help='VM (name or ID)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        vm = common.find(xms.vms, parsed_args.vm, 'VM')
        if 'disks' not in vm.to_dict():
            vm = xms.vms.get(vm.uuid)
        return common.show(vm, SHOW_FIELDS, FORMATTERS)

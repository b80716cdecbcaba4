"""``openstack migration worker list``: the conductor and workers (cloud
admins)."""

from osc_lib.command import command

from xmsclient.osc.v1 import common

FIELDS = ('host', 'binary', 'state', 'alive', 'slots', 'running',
          'free_slots', 'version', 'heartbeat_at')
SORT_KEYS = ('host', 'binary', 'state', 'slots', 'running', 'free_slots',
             'heartbeat_at', 'started_at')


class ListWorker(command.Lister):
    """List the XMS conductors and workers with their free slots."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--binary', choices=('xms-conductor',
                                                 'xms-worker',
                                                 'xms-all-in-one'),
                            help='Only services of this kind')
        parser.add_argument('--limit', metavar='<limit>', type=int,
                            help='Largest number of workers to show')
        parser.add_argument('--marker', metavar='<host>',
                            help='Host of the last worker of the previous '
                                 'page')
        parser.add_argument('--sort', metavar='<key>[:<direction>]',
                            help='Sort by <key> ascending (:asc) or '
                                 'descending (:desc); keys: %s'
                                 % ', '.join(SORT_KEYS))
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        workers = common.client(self).workers.list(binary=parsed_args.binary)
        # The API answers every worker at once: page and sort here.
        items = common.sort_locally([w.to_dict() for w in workers],
                                    parsed_args, SORT_KEYS, id_field='host')
        return common.headings(FIELDS), common.rows(items, FIELDS)

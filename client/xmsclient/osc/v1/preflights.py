"""``openstack migration preflight run|list|show``: assessments."""

import time

from osc_lib import exceptions as osc_exc
from osc_lib.command import command

from xmsclient.osc.v1 import common
from xmsclient.osc.v1 import target

SORT_KEYS = ('created_at', 'updated_at', 'verdict', 'status')
LIST_FIELDS = ('uuid', 'vm_id', 'mode', 'status', 'verdict', 'finished_at')
SHOW_FIELDS = ('uuid', 'vm_id', 'mode', 'status', 'verdict', 'scores',
               'checks', 'target', 'error', 'finished_at', 'project_id',
               'created_at', 'updated_at')
FORMATTERS = {'scores': common.DictColumn, 'checks': common.ChecksColumn,
              'target': common.DictColumn}
FINISHED = ('completed', 'failed')


class RunPreflight(command.Lister):
    """Assess VMs before their migration (several at once)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--vm', metavar='<vm>', dest='vms',
                            action='append', required=True,
                            help='VM to assess (name or ID); repeat for '
                                 'several')
        parser.add_argument('--mode', choices=('cold', 'warm'),
                            default='cold',
                            help='The migration to assess for (default: '
                                 'cold)')
        target.add_arguments(parser)
        parser.add_argument('--wait', action='store_true',
                            help='Wait for the verdicts')
        parser.add_argument('--timeout', metavar='<seconds>', type=int,
                            default=900,
                            help='Give up waiting after this long '
                                 '(default: 900)')
        parser.add_argument('--poll-interval', metavar='<seconds>',
                            type=float, default=2.0,
                            help='Seconds between polls (default: 2)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        vm_ids = [common.find_id(xms.vms, v, 'VM') for v in parsed_args.vms]
        preflights = xms.preflights.create(
            vm_ids, parsed_args.mode,
            target=target.build(parsed_args, self.app.client_manager))
        if parsed_args.wait:
            deadline = time.monotonic() + parsed_args.timeout
            while any(p.status not in FINISHED for p in preflights):
                if time.monotonic() > deadline:
                    raise osc_exc.CommandError(
                        'Preflights not finished after %d s' %
                        parsed_args.timeout)
                time.sleep(parsed_args.poll_interval)
                preflights = [p if p.status in FINISHED
                              else xms.preflights.get(p.uuid)
                              for p in preflights]
        return (common.headings(LIST_FIELDS),
                common.rows(preflights, LIST_FIELDS))


class ListPreflight(command.Lister):
    """List preflights, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--vm', metavar='<vm>',
                            help='Only preflights of this VM (name or ID)')
        parser.add_argument('--verdict', choices=('pass', 'warn', 'block'),
                            help='Only preflights with this verdict')
        parser.add_argument('--status', choices=('pending', 'running',
                                                 'completed', 'failed'),
                            help='Only preflights in this status')
        parser.add_argument('--mode', choices=('cold', 'warm'),
                            help='Only preflights of this mode')
        common.add_pagination(parser, SORT_KEYS)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        vm_id = (common.find_id(xms.vms, parsed_args.vm, 'VM')
                 if parsed_args.vm else None)
        preflights = xms.preflights.list(
            vm_id=vm_id, verdict=parsed_args.verdict,
            status=parsed_args.status, mode=parsed_args.mode,
            limit=parsed_args.limit, marker=parsed_args.marker,
            **common.sort_args(parsed_args, SORT_KEYS))
        return (common.headings(LIST_FIELDS),
                common.rows(preflights, LIST_FIELDS))


class ShowPreflight(command.ShowOne):
    """Show a preflight: its verdict, the score of each category and each
    check with its remediation."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('preflight', metavar='<preflight>',
                            help='Preflight ID')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        preflight = common.client(self).preflights.get(parsed_args.preflight)
        return common.show(preflight, SHOW_FIELDS, FORMATTERS)

"""``openstack migration event list`` and ``job event list``: what
happened, newest first."""

from osc_lib.command import command

from xmsclient.osc.v1 import common

FIELDS = ('created_at', 'severity', 'event_type', 'resource_type',
          'message')
LONG_FIELDS = ('uuid', 'job_id', 'resource_uuid', 'payload')
SEVERITIES = ('debug', 'info', 'warning', 'error')
SORT_KEYS = ('created_at', 'severity', 'event_type', 'resource_type')


def _columns(parsed_args):
    return FIELDS + (LONG_FIELDS if parsed_args.long else ())


def _common_arguments(parser):
    parser.add_argument('--type', metavar='<event-type>', dest='event_type',
                        help='Only events of this type (e.g. '
                             'sync_finished)')
    parser.add_argument('--severity', choices=SEVERITIES,
                        help='Only events of this severity')
    parser.add_argument('--long', action='store_true', help='More columns')
    common.add_pagination(parser, SORT_KEYS)


def _output(events, parsed_args):
    # The API pages newest first; --sort orders the page here.
    items = [e.to_dict() for e in events]
    if parsed_args.sort:
        marker, limit = parsed_args.marker, parsed_args.limit
        parsed_args.marker = parsed_args.limit = None
        items = common.sort_locally(items, parsed_args, SORT_KEYS)
        parsed_args.marker, parsed_args.limit = marker, limit
    fields = _columns(parsed_args)
    return (common.headings(fields),
            common.rows(items, fields, {'payload': common.DictColumn}))


class ListEvent(command.Lister):
    """List the project's events, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--job', metavar='<job-id>',
                            help='Only events of this job')
        parser.add_argument('--resource-type', metavar='<type>',
                            help='Only events of this kind of resource '
                                 '(source, job, preflight ...)')
        parser.add_argument('--resource', metavar='<uuid>',
                            help='Only events of this resource')
        _common_arguments(parser)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        events = common.client(self).events.list(
            job_id=parsed_args.job, resource_type=parsed_args.resource_type,
            resource_uuid=parsed_args.resource,
            event_type=parsed_args.event_type,
            severity=parsed_args.severity, limit=parsed_args.limit,
            marker=parsed_args.marker)
        return _output(events, parsed_args)


class ListJobEvent(command.Lister):
    """List a job's events, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job', metavar='<job>', help='Job ID')
        _common_arguments(parser)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        events = common.client(self).jobs.events(
            parsed_args.job, event_type=parsed_args.event_type,
            severity=parsed_args.severity, limit=parsed_args.limit,
            marker=parsed_args.marker)
        return _output(events, parsed_args)

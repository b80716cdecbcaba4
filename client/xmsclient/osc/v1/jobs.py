"""``openstack migration job ...``: migrations, their actions and their
live progress."""

from osc_lib import exceptions as osc_exc
from osc_lib.cli import format_columns
from osc_lib.command import command

from xmsclient import exceptions
from xmsclient.osc.v1 import common
from xmsclient.osc.v1 import progress
from xmsclient.osc.v1 import target

SORT_KEYS = ('created_at', 'updated_at', 'state', 'type', 'started_at',
             'finished_at')
STATES = ('queued', 'running', 'ready', 'syncing', 'cutting_over',
          'completed', 'failed', 'cancelling', 'cancelled')
LIST_FIELDS = ('uuid', 'vm_name', 'type', 'state', 'phase', 'percent',
               'created_at')
LONG_FIELDS = ('wave_id', 'vm_id', 'source_id', 'worker_host',
               'incremental_syncs', 'allowed_actions', 'error')
SHOW_FIELDS = ('uuid', 'vm_name', 'vm_id', 'source_id', 'wave_id', 'type',
               'state', 'phase', 'percent', 'bytes_done', 'bytes_total',
               'rate_bps', 'eta_seconds', 'allowed_actions', 'error',
               'target', 'sync_interval', 'shutdown_timeout',
               'incremental_syncs', 'last_sync_at', 'next_sync_at',
               'lag_seconds', 'pending_bytes', 'keep_target',
               'override_block', 'override_reason', 'worker_host', 'disks',
               'syncs', 'target_resources', 'inspection',
               'inspection_converted', 'project_id', 'user_id',
               'started_at', 'finished_at', 'created_at', 'updated_at')
FORMATTERS = {'target': common.DictColumn,
              'target_resources': common.DictColumn,
              'inspection': common.DictColumn,
              'inspection_converted': common.DictColumn,
              'disks': common.ListOfDictColumn,
              'syncs': common.ListOfDictColumn,
              'allowed_actions': format_columns.ListColumn}
FAILED = ('failed', 'cancelled')


def flatten(job):
    """The job's fields with ``progress`` and ``lag`` spread into columns.
    """
    info = job.to_dict() if hasattr(job, 'to_dict') else dict(job)
    info.update(info.pop('progress', None) or {})
    lag = info.pop('lag', None) or {}
    info['last_sync_at'] = lag.get('last_sync_at')
    info['next_sync_at'] = lag.get('next_sync_at')
    info['lag_seconds'] = lag.get('seconds')
    info['pending_bytes'] = lag.get('pending_bytes')
    info.pop('links', None)
    return info


def add_wait(parser, what):
    parser.add_argument(
        '--wait', action='store_true',
        help='Show live progress until %s; exit non-zero with the reason '
             'on the last line when a job fails (Ctrl-C stops watching, '
             'not the job)' % what)
    parser.add_argument('--timeout', metavar='<seconds>', type=int,
                        help='Give up waiting after this long (default: '
                             'no limit)')
    parser.add_argument('--poll-interval', metavar='<seconds>', type=float,
                        default=2.0,
                        help='Seconds between polls (default: 2)')


def wait(command, parsed_args, job_ids, done, failed=FAILED):
    """Watch until ``done``; raise with the reason of a failed job."""
    watcher = progress.Watcher(common.client(command).jobs,
                               command.app.stdout,
                               interval=parsed_args.poll_interval,
                               timeout=parsed_args.timeout)
    try:
        views = watcher.watch(job_ids, done)
    except TimeoutError as exc:
        raise osc_exc.CommandError(str(exc))
    bad = [v for v in views if v['state'] in failed]
    if bad:
        raise osc_exc.CommandError('\n'.join(progress.failure_line(v)
                                             for v in bad))
    return views


class CreateJob(command.Lister):
    """Migrate VMs: one job per --vm (several make a wave)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--vm', metavar='<vm>', dest='vms',
                            action='append', required=True,
                            help='VM to migrate (name or ID); repeat for a '
                                 'wave')
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument('--cold', dest='type', action='store_const',
                          const='cold', default='cold',
                          help='Cold migration: the VM is copied while off '
                               '(default)')
        kind.add_argument('--warm', dest='type', action='store_const',
                          const='warm',
                          help='Warm migration: full copy while the VM runs, '
                               'then incremental syncs until cutover')
        target.add_arguments(parser)
        parser.add_argument('--sync-interval', metavar='<seconds>', type=int,
                            help='Warm: seconds between automatic syncs '
                                 '(at least 300)')
        parser.add_argument('--shutdown-timeout', metavar='<seconds>',
                            type=int,
                            help='Warm: how long cutover waits for the guest '
                                 'to shut down before powering it off')
        parser.add_argument('--keep-target', action='store_true',
                            help='Keep the volumes and instance when the job '
                                 'is cancelled or fails')
        parser.add_argument('--override-block', metavar='<reason>',
                            help='Cloud admins: submit despite a Block '
                                 'preflight verdict, for this reason')
        add_wait(parser, 'every job completes (a warm job: until it is '
                         'ready for sync and cutover)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        vm_ids = [common.find_id(xms.vms, v, 'VM') for v in parsed_args.vms]
        fields = {}
        spec = target.build(parsed_args, self.app.client_manager)
        if spec:
            fields['target'] = spec
        for name in ('sync_interval', 'shutdown_timeout'):
            if getattr(parsed_args, name) is not None:
                fields[name] = getattr(parsed_args, name)
        if parsed_args.keep_target:
            fields['keep_target'] = True
        if parsed_args.override_block:
            fields['override_block'] = True
            fields['override_reason'] = parsed_args.override_block
        wave = xms.jobs.create(vm_ids, parsed_args.type, **fields)
        views = [flatten(j) for j in wave.jobs]
        if parsed_args.wait:
            views = [flatten(v) for v in wait(
                self, parsed_args, [j.uuid for j in wave.jobs],
                progress.settled)]
        return (common.headings(LIST_FIELDS + ('wave_id',)),
                common.rows(views, LIST_FIELDS + ('wave_id',)))


class ListJob(command.Lister):
    """List jobs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--state', metavar='<state>', action='append',
                            choices=STATES,
                            help='Only jobs in this state; repeat for '
                                 'several')
        parser.add_argument('--type', choices=('cold', 'warm'),
                            help='Only jobs of this type')
        parser.add_argument('--vm', metavar='<vm>',
                            help='Only jobs of this VM (name or ID)')
        parser.add_argument('--source', metavar='<source>',
                            help='Only jobs of this source (name or ID)')
        parser.add_argument('--wave', metavar='<wave-id>',
                            help='Only jobs of this wave')
        parser.add_argument('--long', action='store_true',
                            help='More columns')
        common.add_pagination(parser, SORT_KEYS)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        jobs = xms.jobs.list(
            state=parsed_args.state, type=parsed_args.type,
            vm_id=(common.find_id(xms.vms, parsed_args.vm, 'VM')
                   if parsed_args.vm else None),
            source_id=(common.find_id(xms.sources, parsed_args.source,
                                      'source')
                       if parsed_args.source else None),
            wave_id=parsed_args.wave, limit=parsed_args.limit,
            marker=parsed_args.marker,
            **common.sort_args(parsed_args, SORT_KEYS))
        fields = LIST_FIELDS + (LONG_FIELDS if parsed_args.long else ())
        return (common.headings(fields),
                common.rows([flatten(j) for j in jobs], fields,
                            {'allowed_actions': FORMATTERS[
                                'allowed_actions']}))


class ShowJob(command.ShowOne):
    """Show a job: progress, disks, syncs, target and allowed actions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job', metavar='<job>', help='Job ID')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        job = common.client(self).jobs.get(parsed_args.job)
        return common.show(flatten(job), SHOW_FIELDS, FORMATTERS)


def _refused(xms, job_id, exc):
    """A 409's line with the actions the job allows now."""
    line = common.error_line(exc)
    try:
        job = xms.jobs.get(job_id)
    except exceptions.ClientException:
        return line
    allowed = ', '.join(job.allowed_actions) or 'none'
    return '%s; allowed actions now: %s' % (line, allowed)


class _Action(command.Command):
    """A job action; prints what the API accepted."""

    action = None
    wait_for = None
    #: End states of a waited-for job that make the command fail.
    failed_states = FAILED

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('job', metavar='<job>', help='Job ID')
        if self.wait_for:
            add_wait(parser, self.wait_for)
        return parser

    def call(self, xms, parsed_args):
        return getattr(xms.jobs, self.action)(parsed_args.job)

    def done(self, before):
        return progress.finished

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        before = None
        if getattr(parsed_args, 'wait', False):
            before = xms.jobs.get(parsed_args.job).to_dict()
        try:
            accepted = self.call(xms, parsed_args)
        except exceptions.Conflict as exc:
            raise osc_exc.CommandError(_refused(xms, parsed_args.job, exc))
        self.app.stdout.write('Job %s: %s accepted (state %s)\n' % (
            accepted['uuid'], accepted['action'], accepted.get('state')))
        if getattr(parsed_args, 'wait', False):
            wait(self, parsed_args, [parsed_args.job], self.done(before),
                 failed=self.failed_states)
        return 0


class SyncJob(_Action):
    """Run an incremental sync of a warm job now."""

    action = 'sync'
    wait_for = 'the sync has finished'

    def done(self, before):
        return progress.sync_done({s['uuid'] for s in before['syncs']})


class CutoverJob(_Action):
    """Cut a warm job over: final delta, source off, boot the target."""

    action = 'cutover'
    wait_for = 'the job completes'


class RetryJob(_Action):
    """Retry a failed job from its last checkpoint."""

    action = 'retry'
    wait_for = 'the job completes (a warm job: is ready again)'

    def done(self, before):
        return progress.settled


class CancelJob(_Action):
    """Cancel a job and clean up what it created in the target."""

    action = 'cancel'
    wait_for = 'the job is cancelled'
    # Cancelled is the goal here, not a failure.
    failed_states = ('failed',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--keep-target', action='store_true',
                            help='Keep the volumes and instance made so far')
        return parser

    def call(self, xms, parsed_args):
        return xms.jobs.cancel(parsed_args.job,
                               keep_target=parsed_args.keep_target)


class DeleteJob(command.Command):
    """Delete finished jobs (their records and events)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('jobs', metavar='<job>', nargs='+',
                            help='Job IDs')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        xms = common.client(self)
        failed = []
        for job_id in parsed_args.jobs:
            try:
                xms.jobs.delete(job_id)
            except exceptions.Conflict as exc:
                failed.append(_refused(xms, job_id, exc))
            except exceptions.ClientException as exc:
                failed.append('%s: %s' % (job_id, common.error_line(exc)))
        if failed:
            raise osc_exc.CommandError('\n'.join(failed))


class WatchJob(command.Command):
    """Show the live progress of jobs until they complete or need you."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('jobs', metavar='<job>', nargs='+',
                            help='Job IDs')
        parser.add_argument('--timeout', metavar='<seconds>', type=int,
                            help='Give up after this long (default: no '
                                 'limit)')
        parser.add_argument('--poll-interval', metavar='<seconds>',
                            type=float, default=2.0,
                            help='Seconds between polls (default: 2)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        wait(self, parsed_args, parsed_args.jobs, progress.settled)
        return 0

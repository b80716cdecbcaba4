"""``openstack migration source ...``: VMware endpoints.

The password is read from a hidden prompt or from standard input
(``--password-stdin``), never from the command line, where ``ps`` and
the shell history would keep it.
"""

import getpass
import sys
import time

from osc_lib import exceptions as osc_exc
from osc_lib.command import command

from xmsclient.osc.v1 import common

SORT_KEYS = ('name', 'created_at', 'updated_at', 'status')
LIST_FIELDS = ('uuid', 'name', 'host', 'status', 'discovery_status')
SHOW_FIELDS = ('uuid', 'name', 'type', 'host', 'port', 'username',
               'datacenter', 'verify_tls', 'thumbprint', 'ca_cert', 'status',
               'status_reason', 'status_checked_at', 'product_name',
               'product_version', 'product_build', 'api_type',
               'discovery_status', 'discovery_started_at',
               'discovery_finished_at', 'discovery_error', 'project_id',
               'created_at', 'updated_at')


def flatten(source):
    """The source's fields with ``discovery`` spread into
    ``discovery_<field>`` columns."""
    info = source.to_dict()
    for key, value in (info.pop('discovery', None) or {}).items():
        info['discovery_%s' % key] = value
    info.pop('links', None)
    return info


def read_password(parsed_args, stdin=None, prompt=getpass.getpass):
    """The password from standard input or a hidden prompt.

    :raises CommandError: with neither a terminal nor --password-stdin.
    """
    stdin = stdin or sys.stdin
    if parsed_args.password_stdin:
        password = stdin.readline().rstrip('\r\n')
    elif stdin.isatty():
        password = prompt('Password of %s: ' % parsed_args.username_for)
        if prompt('Repeat the password: ') != password:
            raise osc_exc.CommandError('The passwords do not match')
    else:
        raise osc_exc.CommandError(
            'No terminal to ask the password on: pass --password-stdin '
            'and write the password to standard input')
    if not password:
        raise osc_exc.CommandError('The password is empty')
    return password


def _add_password(parser):
    parser.add_argument(
        '--password-stdin', action='store_true',
        help='Read the password from the first line of standard input '
             '(default: ask for it on the terminal, without echo)')


def _add_tls(parser):
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument('--verify-tls', dest='verify_tls', action='store_true',
                     default=None,
                     help='Verify the endpoint\'s TLS certificate (default)')
    tls.add_argument('--no-verify-tls', dest='verify_tls',
                     action='store_false',
                     help='Do not verify the certificate (pin it with '
                          '--thumbprint instead)')
    parser.add_argument('--ca-cert', metavar='<file>',
                        help='PEM file of the CA that signs the endpoint\'s '
                             'certificate')
    parser.add_argument('--thumbprint', metavar='<sha256>',
                        help='SHA-256 fingerprint of the endpoint\'s '
                             'certificate (AA:BB:...)')
    parser.add_argument('--port', metavar='<port>', type=int,
                        help='HTTPS port (default: 443)')
    parser.add_argument('--datacenter', metavar='<name>',
                        help='Only this datacenter of the endpoint')


def _tls_fields(parsed_args):
    fields = {}
    for name in ('port', 'datacenter', 'thumbprint', 'verify_tls'):
        value = getattr(parsed_args, name)
        if value is not None:
            fields[name] = value
    if parsed_args.ca_cert:
        with open(parsed_args.ca_cert) as f:
            fields['ca_cert'] = f.read()
    return fields


class CreateSource(command.ShowOne):
    """Register a VMware vCenter or ESXi endpoint."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>', help='Source name')
        parser.add_argument('--host', metavar='<host>', required=True,
                            help='vCenter or ESXi host name or address')
        parser.add_argument('--username', metavar='<username>',
                            required=True, help='vSphere user name')
        _add_password(parser)
        _add_tls(parser)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        parsed_args.username_for = parsed_args.username
        fields = dict(_tls_fields(parsed_args), name=parsed_args.name,
                      host=parsed_args.host,
                      username=parsed_args.username,
                      password=read_password(parsed_args))
        source = common.client(self).sources.create(**fields)
        return common.show(flatten(source), SHOW_FIELDS)


class ListSource(command.Lister):
    """List sources."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>',
                            help='Only sources with this name')
        parser.add_argument('--status', metavar='<status>',
                            choices=('unknown', 'connected', 'disconnected',
                                     'error'),
                            help='Only sources in this status')
        parser.add_argument('--long', action='store_true',
                            help='More columns')
        common.add_pagination(parser, SORT_KEYS)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        fields = LIST_FIELDS
        if parsed_args.long:
            fields += ('port', 'username', 'product_version', 'api_type',
                       'status_reason')
        sources = common.client(self).sources.list(
            name=parsed_args.name, status=parsed_args.status,
            limit=parsed_args.limit, marker=parsed_args.marker,
            **common.sort_args(parsed_args, SORT_KEYS))
        return (common.headings(fields),
                common.rows([flatten(s) for s in sources], fields))


class ShowSource(command.ShowOne):
    """Show a source."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('source', metavar='<source>',
                            help='Source (name or ID)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        source = common.find(common.client(self).sources, parsed_args.source,
                             'source')
        return common.show(flatten(source), SHOW_FIELDS)


class SetSource(command.ShowOne):
    """Change a source's settings (not its credential: see
    ``source credential set``)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('source', metavar='<source>',
                            help='Source (name or ID)')
        parser.add_argument('--name', metavar='<name>', help='New name')
        parser.add_argument('--host', metavar='<host>', help='New host')
        _add_tls(parser)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        fields = _tls_fields(parsed_args)
        for name in ('name', 'host'):
            if getattr(parsed_args, name):
                fields[name] = getattr(parsed_args, name)
        if not fields:
            raise osc_exc.CommandError('Nothing to change: give at least one '
                                       'option')
        sources = common.client(self).sources
        source_id = common.find_id(sources, parsed_args.source, 'source')
        return common.show(flatten(sources.update(source_id, **fields)),
                           SHOW_FIELDS)


class DeleteSource(command.Command):
    """Delete sources (and forget their passwords)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('sources', metavar='<source>', nargs='+',
                            help='Sources (names or IDs)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        sources = common.client(self).sources
        failed = []
        for name in parsed_args.sources:
            try:
                sources.delete(common.find_id(sources, name, 'source'))
            except Exception as exc:  # noqa: BLE001 - report each, go on
                failed.append('%s: %s' % (name, common.error_line(exc)))
        if failed:
            raise osc_exc.CommandError('; '.join(failed))


class TestSource(command.ShowOne):
    """Connect to a source now and show what answered."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('source', metavar='<source>',
                            help='Source (name or ID)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        sources = common.client(self).sources
        result = sources.test(common.find_id(sources, parsed_args.source,
                                             'source'))
        fields = ('status', 'product_name', 'version', 'build', 'api_type')
        return common.show(result, fields)


class DiscoverSource(command.ShowOne):
    """Scan a source's inventory (VMs, disks, NICs)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('source', metavar='<source>',
                            help='Source (name or ID)')
        parser.add_argument('--wait', action='store_true',
                            help='Wait until the scan has finished')
        parser.add_argument('--timeout', metavar='<seconds>', type=int,
                            default=1800,
                            help='Give up waiting after this long '
                                 '(default: 1800)')
        parser.add_argument('--poll-interval', metavar='<seconds>',
                            type=float, default=2.0,
                            help='Seconds between polls (default: 2)')
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        sources = common.client(self).sources
        source = sources.discover(common.find_id(sources, parsed_args.source,
                                                 'source'))
        if parsed_args.wait:
            deadline = time.monotonic() + parsed_args.timeout
            while source.discovery['status'] in ('queued', 'running'):
                if time.monotonic() > deadline:
                    raise osc_exc.CommandError(
                        'Discovery of source %s still %s after %d s' % (
                            source.uuid, source.discovery['status'],
                            parsed_args.timeout))
                time.sleep(parsed_args.poll_interval)
                source = sources.get(source.uuid)
            if source.discovery['status'] == 'failed':
                raise osc_exc.CommandError(
                    'Discovery of source %s failed: %s' % (
                        source.uuid, source.discovery.get('error')))
        return common.show(flatten(source), SHOW_FIELDS)


class SetSourceCredential(command.ShowOne):
    """Replace a source's password (and optionally its user name)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('source', metavar='<source>',
                            help='Source (name or ID)')
        parser.add_argument('--username', metavar='<username>',
                            help='New vSphere user name')
        _add_password(parser)
        return parser

    @common.api_errors
    def take_action(self, parsed_args):
        sources = common.client(self).sources
        source = common.find(sources, parsed_args.source, 'source')
        parsed_args.username_for = parsed_args.username or source.username
        password = read_password(parsed_args)
        source = sources.set_credential(source.uuid, password=password,
                                        username=parsed_args.username)
        return common.show(flatten(source), SHOW_FIELDS)

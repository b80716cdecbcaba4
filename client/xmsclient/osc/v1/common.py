"""What every ``openstack migration`` command shares: pagination and
sort options, name-or-id lookup, column formatting and the one-line
rendering of API errors."""

import functools
import re

from cliff import columns
from osc_lib import exceptions as osc_exc
from osc_lib.cli import format_columns

from xmsclient import exceptions

UUID_RE = re.compile('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                     '[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def is_uuid(value):
    return bool(UUID_RE.match(value or ''))


def client(command):
    return command.app.client_manager.migration


# -- errors ----------------------------------------------------------------

def error_line(exc):
    """One readable line for an API error: the API's message, the field
    it names when the message does not, and the status."""
    if isinstance(exc, exceptions.HttpError):
        message = exc.message
        if exc.field and exc.field not in message:
            message = '%s: %s' % (exc.field, message)
        return '%s (HTTP %s)' % (message, exc.http_status)
    return str(exc)


def api_errors(func):
    """Decorate ``take_action``: an API error becomes a ``CommandError``
    with :func:`error_line`, which OSC prints as one line (and, with
    ``--debug``, with the traceback and the requests)."""
    @functools.wraps(func)
    def wrapper(self, parsed_args):
        try:
            return func(self, parsed_args)
        except exceptions.ClientException as exc:
            raise osc_exc.CommandError(error_line(exc)) from exc
    return wrapper


# -- lookups -----------------------------------------------------------------

def find(manager, name_or_id, kind):
    """The resource named or identified by ``name_or_id``.

    :raises CommandError: when none or several match the name.
    """
    if is_uuid(name_or_id):
        return manager.get(name_or_id)
    matches = manager.list(name=name_or_id)
    if not matches:
        raise osc_exc.CommandError('No %s with name or ID %s' % (
            kind, name_or_id))
    if len(matches) > 1:
        raise osc_exc.CommandError(
            'More than one %s is named %s; use its ID (%s)' % (
                kind, name_or_id, ', '.join(m.uuid for m in matches)))
    return matches[0]


def find_id(manager, name_or_id, kind):
    if is_uuid(name_or_id):
        return name_or_id
    return find(manager, name_or_id, kind).uuid


# -- lists -----------------------------------------------------------------

def add_pagination(parser, sort_keys=None):
    """``--limit``, ``--marker`` and ``--sort <key>[:<dir>]``."""
    parser.add_argument(
        '--limit', metavar='<limit>', type=int,
        help='Largest number of items to return (one page; default: every '
             'item, following the API\'s pages)')
    parser.add_argument(
        '--marker', metavar='<uuid>',
        help='ID of the last item of the previous page')
    help_text = 'Sort by <key> ascending (:asc) or descending (:desc)'
    if sort_keys:
        help_text += '; keys: %s' % ', '.join(sort_keys)
    parser.add_argument('--sort', metavar='<key>[:<direction>]',
                        help=help_text)


def sort_args(parsed_args, sort_keys):
    """``{'sort_key', 'sort_dir'}`` of ``--sort`` (server-side sort)."""
    if not parsed_args.sort:
        return {}
    key, _sep, direction = parsed_args.sort.partition(':')
    if key not in sort_keys:
        raise osc_exc.CommandError('--sort: unknown key %s; use one of %s'
                                   % (key, ', '.join(sort_keys)))
    if direction and direction not in ('asc', 'desc'):
        raise osc_exc.CommandError('--sort: the direction is asc or desc, '
                                   'not %s' % direction)
    result = {'sort_key': key}
    if direction:
        result['sort_dir'] = direction
    return result


def sort_locally(items, parsed_args, keys, id_field='uuid'):
    """``--sort``, ``--marker`` and ``--limit`` on a list the API does not
    sort or page (``keys``: the fields one may sort by)."""
    if parsed_args.sort:
        key, _sep, direction = parsed_args.sort.partition(':')
        if key not in keys:
            raise osc_exc.CommandError('--sort: unknown key %s; use one of '
                                       '%s' % (key, ', '.join(keys)))
        items = sorted(items, key=lambda i: (i.get(key) is None,
                                             str(i.get(key))),
                       reverse=direction == 'desc')
    if getattr(parsed_args, 'marker', None):
        ids = [i.get(id_field) for i in items]
        if parsed_args.marker not in ids:
            raise osc_exc.CommandError('--marker: no item %s'
                                       % parsed_args.marker)
        items = items[ids.index(parsed_args.marker) + 1:]
    if getattr(parsed_args, 'limit', None):
        items = items[:parsed_args.limit]
    return items


# -- columns ---------------------------------------------------------------

def human_size(value):
    if value is None:
        return ''
    value = float(value)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if abs(value) < 1024 or unit == 'TiB':
            return ('%d %s' % (value, unit) if unit == 'B'
                    else '%.1f %s' % (value, unit))
        value /= 1024
    return str(value)


class ChecksColumn(columns.FormattableColumn):
    """Preflight checks: one line per check with its remediation for
    people, the API's list for machines."""

    def human_readable(self):
        lines = []
        for check in self._value or []:
            line = '%-5s %s/%s: %s' % (
                str(check.get('status', '')).upper(), check.get('category'),
                check.get('name'), check.get('message'))
            if check.get('remediation') and check.get('status') != 'pass':
                line += ' -> %s' % check['remediation']
            lines.append(line)
        return '\n'.join(lines)

    def machine_readable(self):
        return self._value


class DictColumn(format_columns.DictColumn):
    def human_readable(self):
        if not self._value:
            return ''
        return super().human_readable()


class ListOfDictColumn(columns.FormattableColumn):
    """A list of objects (disks, NICs, syncs): one line each."""

    def human_readable(self):
        return '\n'.join(
            ', '.join('%s=%s' % (k, v) for k, v in item.items()
                      if v is not None)
            for item in self._value or [])

    def machine_readable(self):
        return self._value


def show(resource, fields, formatters=None):
    """``(columns, values)`` of a ShowOne from a resource's dict."""
    info = resource.to_dict() if hasattr(resource, 'to_dict') else resource
    formatters = formatters or {}
    values = []
    for field in fields:
        value = info.get(field)
        if field in formatters:
            value = formatters[field](value)
        values.append(value)
    return tuple(fields), tuple(values)


def rows(resources, fields, formatters=None):
    formatters = formatters or {}
    result = []
    for resource in resources:
        info = (resource.to_dict() if hasattr(resource, 'to_dict')
                else resource)
        result.append(tuple(
            formatters[f](info.get(f)) if f in formatters else info.get(f)
            for f in fields))
    return result


def headings(fields):
    """``vm_name`` -> ``VM Name``: OSC's list headings."""
    special = {'uuid': 'UUID', 'vm': 'VM', 'id': 'ID', 'mb': 'MB',
               'tls': 'TLS', 'ca': 'CA', 'api': 'API', 'eta': 'ETA'}
    return tuple(' '.join(special.get(w, w.capitalize())
                          for w in f.split('_')) for f in fields)

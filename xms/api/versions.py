"""REST API microversions of XMS.

Clients ask for a version with ``OpenStack-API-Version: migration 1.x``
(or ``migration latest``); without the header they get the minimum
version, so old clients never see a change they did not ask for. Every
change to a request or response bumps the minor version and adds a row
to :data:`HISTORY`; old versions keep working. Answers carry the version
used, the supported range and ``Vary: OpenStack-API-Version``.
"""

import re

from pecan import hooks

from xms.common import exception
from xms.common.i18n import _

SERVICE_TYPE = 'migration'
HEADER = 'OpenStack-API-Version'
MIN_HEADER = 'OpenStack-API-Minimum-Version'
MAX_HEADER = 'OpenStack-API-Maximum-Version'

MINOR_0_INITIAL = 0

# (minor version, name, what changed). Names are stable: code compares
# against the MINOR_* constants, documentation shows the names.
HISTORY = (
    (MINOR_0_INITIAL, 'initial',
     'Sources, VMs, preflights, jobs (waves, actions), events and '
     'workers.'),
)

MIN_VERSION = (1, MINOR_0_INITIAL)
MAX_VERSION = (1, HISTORY[-1][0])

MIN_VERSION_STRING = '%d.%d' % MIN_VERSION
MAX_VERSION_STRING = '%d.%d' % MAX_VERSION

_VERSION_RE = re.compile(r'^([1-9]\d*)\.(0|[1-9]\d*)$')


class VersionNotAcceptable(exception.XmsException):
    msg_fmt = _('Version %(version)s is not supported; this API supports '
                '%(min)s to %(max)s.')
    code = 406


def min_version_string():
    return MIN_VERSION_STRING


def max_version_string():
    return MAX_VERSION_STRING


def parse(header_value):
    """The (major, minor) asked for by a header value, or None.

    :raises InvalidParameterValue: for a malformed value.
    :raises VersionNotAcceptable: for a version out of range.
    """
    if not header_value:
        return None
    wanted = None
    for item in header_value.split(','):
        parts = item.strip().split()
        if len(parts) == 2 and parts[0].lower() == SERVICE_TYPE:
            wanted = parts[1]
    if wanted is None:
        return None
    if wanted.lower() == 'latest':
        return MAX_VERSION
    match = _VERSION_RE.match(wanted)
    if not match:
        raise exception.InvalidParameterValue(
            name=HEADER, reason=_('expected "%s 1.N" or "%s latest", got '
                                  '"%s"') % (SERVICE_TYPE, SERVICE_TYPE,
                                             header_value))
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(version=wanted, min=MIN_VERSION_STRING,
                                   max=MAX_VERSION_STRING)
    return version


def requested(request):
    """The version of this request (negotiated by the hook)."""
    return getattr(request, 'api_version', MIN_VERSION)


def response_headers(request):
    version = getattr(request, 'api_version', None) or MIN_VERSION
    return {HEADER: '%s %d.%d' % (SERVICE_TYPE, version[0], version[1]),
            MIN_HEADER: MIN_VERSION_STRING,
            MAX_HEADER: MAX_VERSION_STRING,
            'Vary': HEADER}


class MicroversionHook(hooks.PecanHook):
    """Negotiate the version before a controller runs; echo it after."""

    priority = 10

    def on_route(self, state):
        state.request.api_version = MIN_VERSION
        state.request.api_version = (
            parse(state.request.headers.get(HEADER)) or MIN_VERSION)

    def after(self, state):
        for key, value in response_headers(state.request).items():
            state.response.headers[key] = value

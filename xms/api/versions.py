"""REST API microversions of XMS.

Clients ask for a version with ``OpenStack-API-Version: migration 1.x``.
Every change to a request or response bumps the minor version and adds a
line below; old versions keep working.

* 1.0 - Initial version: sources, vms, preflights, jobs, events, workers.
"""

SERVICE_TYPE = 'migration'
HEADER = 'OpenStack-API-Version'

MINOR_0_INITIAL = 0

MIN_VERSION_STRING = '1.0'
MAX_VERSION_STRING = '1.%d' % MINOR_0_INITIAL


def min_version_string():
    return MIN_VERSION_STRING


def max_version_string():
    return MAX_VERSION_STRING

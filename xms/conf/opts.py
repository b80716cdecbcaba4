"""Entry point of oslo-config-generator: every XMS option group."""

from xms.conf import api
from xms.conf import conductor
from xms.conf import conversion
from xms.conf import coordination
from xms.conf import credentials
from xms.conf import default
from xms.conf import keystone
from xms.conf import preflight
from xms.conf import target
from xms.conf import taskflow
from xms.conf import transport
from xms.conf import vsphere
from xms.conf import worker


def list_opts():
    """Return (group, options) pairs, in the order of the sample file."""
    return [
        ('DEFAULT', default.opts),
        ('api', api.opts),
        ('conductor', conductor.opts),
        ('conversion', conversion.opts),
        ('coordination', coordination.opts),
        ('credentials', credentials.opts),
        ('preflight', preflight.opts),
        ('service_auth', keystone.list_opts()),
        ('target', target.opts),
        ('taskflow', taskflow.opts),
        ('transport', transport.opts),
        ('vsphere', vsphere.opts),
        ('worker', worker.opts),
    ]


def set_defaults():
    """Defaults XMS sets on options that libraries own."""
    from oslo_log import log
    from oslo_middleware import cors

    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'pyVmomi=WARNING', 'taskflow=INFO', 'stevedore=INFO'])
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                       'OpenStack-API-Version', 'Content-Type'],
        expose_headers=['X-OpenStack-Request-ID', 'OpenStack-API-Version'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH'])

"""XMS configuration: one module per option group, all registered here.

Import ``CONF`` from this package rather than from ``oslo_config`` so that
every option is registered before it is read.
"""

from oslo_config import cfg

from xms.conf import api
from xms.conf import conductor
from xms.conf import conversion
from xms.conf import coordination
from xms.conf import credentials
from xms.conf import database
from xms.conf import default
from xms.conf import keystone
from xms.conf import preflight
from xms.conf import target
from xms.conf import taskflow
from xms.conf import transport
from xms.conf import vsphere
from xms.conf import worker

CONF = cfg.CONF

for _module in (api, conductor, conversion, coordination, credentials,
                database, default, keystone, preflight, target, taskflow,
                transport, vsphere, worker):
    _module.register_opts(CONF)

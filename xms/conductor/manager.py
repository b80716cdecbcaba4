"""The conductor's RPC endpoints (server side of conductor/rpcapi.py).

The conductor owns every job state transition. RPC methods take the
request context first and IDs after it, never secrets.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

LOG = logging.getLogger(__name__)


class ConductorManager:
    """RPC endpoint of xms-conductor.

    API version history:

    * 1.0 - initial version
    """

    RPC_API_VERSION = '1.0'

    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host):
        self.host = host

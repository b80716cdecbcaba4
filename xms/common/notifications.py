"""oslo.messaging notifications for XMS events.

Every event stored in the ``events`` table is also emitted as a
notification ``xms.<resource>.<event_type>`` so that operators can feed
them into their monitoring. Notification failures never fail the work
that caused them.
"""

from oslo_log import log as logging

from xms.common import rpc

LOG = logging.getLogger(__name__)

_PRIORITIES = {'info': 'info', 'warning': 'warn', 'error': 'error'}


def emit(context, resource_type, event_type, payload, severity='info'):
    """Emit one notification; log and swallow any messaging error."""
    if rpc.NOTIFIER is None:
        return
    notifier = rpc.get_notifier()
    method = getattr(notifier, _PRIORITIES.get(severity, 'info'))
    try:
        method(context, 'xms.%s.%s' % (resource_type, event_type), payload)
    except Exception:
        LOG.warning('Could not emit notification xms.%s.%s',
                    resource_type, event_type, exc_info=True)

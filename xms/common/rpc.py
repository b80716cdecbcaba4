"""oslo.messaging transport, RPC client/server and notifier helpers.

Every XMS process calls :func:`init` once after reading its configuration.
The request context travels with each message through
:class:`RequestContextSerializer`, without the user's token; payloads
are plain JSON-able values (IDs and small dicts), never objects that hold
secrets.
"""

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from xms.common import context as xms_context
from xms.common import exception
from xms.conf import CONF

TRANSPORT = None
NOTIFICATION_TRANSPORT = None
NOTIFIER = None

# Reconnections a notification may take before it is dropped (logged).
NOTIFY_RETRY = 1

# Exceptions from these modules are re-raised in the caller as themselves.
ALLOWED_EXMODS = [exception.__name__]


# Context fields that are bearer credentials: whoever reads them off the
# broker (an RPC peer, any notification consumer) could replay them.
_CREDENTIAL_FIELDS = ('auth_token',)


class RequestContextSerializer(messaging.Serializer):
    """Send the XMS request context, minus credentials, with every message.

    Work that acts in the target cloud after the API call carries the
    job's trust (``trust_id``), usable only by the XMS service user; work
    the API does with the user's token happens in the API. So the token
    has no business on the broker, in RPC messages or in notifications.
    """

    def __init__(self, base=None):
        self._base = base or messaging.NoOpSerializer()

    def serialize_entity(self, context, entity):
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        values = context.to_dict()
        for key in _CREDENTIAL_FIELDS:
            values.pop(key, None)
        return values

    def deserialize_context(self, context):
        return xms_context.RequestContext.from_dict(context)


def init(conf=CONF):
    """Create the RPC and notification transports from configuration.

    :raises MessagingUnavailable: when the transport URL is invalid.
    """
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    try:
        TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
        NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    except (messaging.InvalidTransportURL,
            messaging.DriverLoadFailure) as exc:
        raise exception.MessagingUnavailable(
            url=_safe_url(conf.transport_url), reason=exc)
    # One reconnection, not oslo.messaging's default of retrying
    # forever: the events table is the durable record, and a request or
    # a flow must not hang on a notification while the broker is down.
    NOTIFIER = messaging.Notifier(NOTIFICATION_TRANSPORT,
                                  serializer=RequestContextSerializer(),
                                  publisher_id='xms.%s' % conf.host,
                                  retry=NOTIFY_RETRY)


def cleanup():
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    for transport in (TRANSPORT, NOTIFICATION_TRANSPORT):
        if transport is not None:
            transport.cleanup()
    TRANSPORT = NOTIFICATION_TRANSPORT = NOTIFIER = None


def _safe_url(url):
    """The transport URL without its password, for messages."""
    if not url:
        return '(unset)'
    try:
        parsed = messaging.TransportURL.parse(CONF, url)
    except messaging.InvalidTransportURL:
        return '(invalid URL)'
    hosts = ','.join('%s:%s' % (h.hostname, h.port) for h in parsed.hosts)
    return '%s://%s/%s' % (parsed.transport, hosts,
                           parsed.virtual_host or '')


def safe_transport_url(conf=CONF):
    return _safe_url(conf.transport_url)


def get_client(target, version_cap=None):
    assert TRANSPORT is not None, 'xms.common.rpc.init() was not called'
    return messaging.get_rpc_client(TRANSPORT, target,
                                    version_cap=version_cap,
                                    serializer=RequestContextSerializer())


def get_server(target, endpoints, executor='threading'):
    assert TRANSPORT is not None, 'xms.common.rpc.init() was not called'
    access_policy = dispatcher.DefaultRPCAccessPolicy
    return messaging.get_rpc_server(TRANSPORT, target, endpoints,
                                    executor=executor,
                                    serializer=RequestContextSerializer(),
                                    access_policy=access_policy)


def get_notifier(publisher_id=None):
    assert NOTIFIER is not None, 'xms.common.rpc.init() was not called'
    if publisher_id:
        return NOTIFIER.prepare(publisher_id=publisher_id)
    return NOTIFIER

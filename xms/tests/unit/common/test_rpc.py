"""Messages leave the process without the user's token.

These go through oslo.messaging itself (its in-memory ``fake://`` RPC
driver and its ``test`` notification driver), so what is checked is what
oslo.messaging would hand the broker.
"""

import threading

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts
from oslo_messaging.notify import _impl_test

from xms.common import context
from xms.common import notifications
from xms.common import rpc
from xms.tests import base

TOKEN = 'gAAAAAB-user-token-that-must-not-travel'


def user_context():
    return context.RequestContext(user_id='u', project_id='p',
                                  roles=['member', 'reader'],
                                  auth_token=TOKEN, trust_id='t',
                                  request_id='req-1')


class _Endpoint:
    target = messaging.Target(version='1.0')

    def __init__(self):
        self.seen = []
        self.done = threading.Event()

    def ping(self, context, value):
        self.seen.append(context)
        self.done.set()
        return value


class TestNoTokenOnTheWire(base.TestCase):

    def setUp(self):
        super().setUp()
        for group, opts in messaging_opts.list_opts():
            self.conf.conf.register_opts(opts, group=group)
        self.config(transport_url='fake://')
        self.config(driver=['test'],
                    group='oslo_messaging_notifications')
        rpc.init(self.conf.conf)
        self.addCleanup(rpc.cleanup)
        _impl_test.reset()
        self.addCleanup(_impl_test.reset)

    def test_serialized_context_has_no_token(self):
        values = rpc.RequestContextSerializer().serialize_context(
            user_context())
        self.assertNotIn('auth_token', values)
        self.assertNotIn(TOKEN, repr(values))
        self.assertEqual('t', values['trust_id'])

    def test_rpc_call_carries_identity_not_token(self):
        endpoint = _Endpoint()
        target = messaging.Target(topic='xms-test-rpc', server='h')
        server = rpc.get_server(target, [endpoint])
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        client = rpc.get_client(messaging.Target(topic='xms-test-rpc'))
        self.assertEqual(3, client.prepare(timeout=10).call(
            user_context(), 'ping', value=3))
        received = endpoint.seen[0]
        self.assertIsInstance(received, context.RequestContext)
        self.assertIsNone(received.auth_token)
        self.assertEqual(('u', 'p', 't', 'req-1'),
                         (received.user_id, received.project_id,
                          received.trust_id, received.request_id))
        self.assertEqual(['member', 'reader'], received.roles)

    def test_notification_context_has_no_token(self):
        notifications.emit(user_context(), 'job', 'created',
                           {'job_id': 'j1'})
        sent = _impl_test.NOTIFICATIONS
        self.assertEqual(1, len(sent))
        ctxt, message = sent[0][0], sent[0][1]
        self.assertEqual('xms.job.created', message['event_type'])
        self.assertNotIn('auth_token', ctxt)
        self.assertNotIn(TOKEN, repr(sent))
        self.assertEqual('u', ctxt['user'])

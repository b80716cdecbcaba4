"""The user's token stays in the API: read off a real RabbitMQ.

A member drives the API with a real Keystone token; the conductor's RPC
endpoint (served over RabbitMQ) records the context each message brought,
and a notification listener on a private topic of the same broker records
every notification the API and the conductor emitted. The token is found
in none of them.
"""

import threading
import time
import uuid

import fixtures
import oslo_messaging as messaging

from xms.common import rpc
from xms.tests.functional.api import base


class _Listener:
    """Notification endpoint: keeps the raw context and payload."""

    def __init__(self):
        self.seen = []
        self.arrived = threading.Event()

    def _keep(self, ctxt, publisher_id, event_type, payload, metadata):
        self.seen.append((event_type, ctxt, payload))
        self.arrived.set()

    info = warn = error = _keep


class TestNoTokenOnTheBroker(base.KeystoneAPITestCase):

    def setUp(self):
        super().setUp()
        topic = 'xms-test-notifications-%s' % uuid.uuid4().hex[:8]
        transport = messaging.get_notification_transport(self.conf.conf)
        self.addCleanup(transport.cleanup)
        notifier = messaging.Notifier(
            transport, publisher_id='xms.test', driver='messagingv2',
            topics=[topic], serializer=rpc.RequestContextSerializer())
        self.useFixture(fixtures.MockPatchObject(rpc, 'NOTIFIER', notifier))
        self.listener = _Listener()
        server = messaging.get_notification_listener(
            transport, [messaging.Target(topic=topic)], [self.listener],
            executor='threading')
        server.start()

        def stop():
            server.stop()
            server.wait()
        self.addCleanup(stop)
        self.rpc_contexts = []
        for method in ('run_preflights', 'discover_source', 'start_job'):
            self._record(method)

    def _record(self, method):
        real = getattr(self.manager, method)

        def recording(context, *args, **kwargs):
            self.rpc_contexts.append((method, context))
            return real(context, *args, **kwargs)
        setattr(self.manager, method, recording)

    def _wait(self, predicate, timeout=60):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail('timed out')
            time.sleep(0.1)

    def test_token_in_no_rpc_message_and_no_notification(self):
        token = self.tokens['member']
        source = self.make_source()
        vm = self.make_vm(source['uuid'])
        resp = self.request('member', 'post', '/v1/preflights',
                            {'vm_ids': [vm.uuid], 'mode': 'cold'})
        self.assertEqual(202, resp.status_int, resp.text)
        resp = self.request('member', 'post',
                            '/v1/sources/%s/discover' % source['uuid'], {})
        self.assertEqual(202, resp.status_int, resp.text)
        self.make_job(self.make_vm(source['uuid']))
        self._wait(lambda: len({m for m, _c in self.rpc_contexts}) >= 2)
        self._wait(lambda: len(self.listener.seen) >= 2)

        for method, context in self.rpc_contexts:
            self.assertIsNone(context.auth_token, method)
            self.assertEqual(self.keystone.users['member1'],
                             context.user_id, method)
        for event_type, ctxt, payload in self.listener.seen:
            self.assertNotIn('auth_token', ctxt, event_type)
            self.assertNotIn(token, repr((ctxt, payload)), event_type)
        self.print_figures('tokens-on-the-broker', (
            'RPC messages received by the conductor: %d (%s), with the '
            'token: 0\nnotifications read off RabbitMQ: %d (%s), with the '
            'token: 0') % (
                len(self.rpc_contexts),
                ', '.join(sorted({m for m, _c in self.rpc_contexts})),
                len(self.listener.seen),
                ', '.join(sorted({e for e, _c, _p in self.listener.seen}))))

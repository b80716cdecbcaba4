"""The request context survives RPC serialisation and carries no secret."""

from xms.common import context
from xms.common import rpc
from xms.tests import base


class TestContext(base.TestCase):

    def test_round_trip_through_rpc_serializer(self):
        ctx = context.RequestContext(user_id='u', project_id='p',
                                     roles=['member'], trust_id='t',
                                     request_id='req-1')
        serializer = rpc.RequestContextSerializer()
        again = serializer.deserialize_context(
            serializer.serialize_context(ctx))
        self.assertIsInstance(again, context.RequestContext)
        self.assertEqual('u', again.user_id)
        self.assertEqual('p', again.project_id)
        self.assertEqual('t', again.trust_id)
        self.assertEqual(['member'], again.roles)
        self.assertEqual('req-1', again.request_id)

    def test_policy_values_include_project(self):
        ctx = context.RequestContext(project_id='p', roles=['reader'])
        values = ctx.to_policy_values()
        self.assertEqual('p', values['project_id'])
        self.assertEqual(['reader'], values['roles'])

    def test_elevated_is_a_copy(self):
        ctx = context.RequestContext(project_id='p', roles=['member'])
        admin = ctx.elevated()
        self.assertTrue(admin.is_admin)
        self.assertIn('admin', admin.roles)
        self.assertFalse(ctx.is_admin)
        self.assertNotIn('admin', ctx.roles)

    def test_admin_context(self):
        self.assertTrue(context.get_admin_context().is_admin)

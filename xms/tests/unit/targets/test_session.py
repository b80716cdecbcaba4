from unittest import mock

from xms.common import context
from xms.common import exception
from xms.targets import session
from xms.tests import base as test_base


class SessionTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        session.forget()
        self.addCleanup(session.forget)

    @mock.patch('openstack.connection.Connection')
    @mock.patch('xms.common.keystone.trust_session')
    def test_trust_is_preferred_and_cached(self, trust_session, conn):
        ctx = context.RequestContext(trust_id='t1', auth_token='tok',
                                     project_id='p')
        first = session.connection(ctx)
        self.assertIs(first, session.connection(ctx))
        trust_session.assert_called_once_with('t1')
        self.assertEqual(trust_session.return_value,
                         conn.call_args.kwargs['session'])

    @mock.patch('openstack.connection.Connection')
    @mock.patch('xms.common.keystone.user_session')
    def test_user_token(self, user_session, conn):
        ctx = context.RequestContext(auth_token='tok', project_id='p')
        session.connection(ctx)
        user_session.assert_called_once_with(ctx)

    def test_neither(self):
        self.assertRaises(exception.NotAuthorized, session.connection,
                          context.RequestContext(project_id='p'))

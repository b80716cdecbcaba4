"""The rules in code: names, documentation and the personas."""

from oslo_policy import policy as oslo_policy

from xms import policies
from xms.common import context
from xms.common import policy
from xms.tests import base


def ctx(roles, project='p1'):
    return context.RequestContext(user_id='u', project_id=project,
                                  roles=roles)


ADMIN = ['admin', 'member', 'reader']
MEMBER = ['member', 'reader']
READER = ['reader']


class TestRules(base.TestCase):

    def test_documented_and_project_scoped(self):
        rules = [r for r in policies.list_rules()
                 if r.name.startswith('xms:')]
        self.assertGreater(len(rules), 20)
        for rule in rules:
            self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
            self.assertEqual(['project'], rule.scope_types, rule.name)
            self.assertTrue(rule.description)
            self.assertEqual(3, len(rule.name.split(':')), rule.name)

    def test_names_unique(self):
        names = [r.name for r in policies.list_rules()]
        self.assertEqual(len(names), len(set(names)))


class TestPersonas(base.TestCase):

    def setUp(self):
        super().setUp()
        policy.reset()
        self.addCleanup(policy.reset)

    def _check(self, rule, roles, project='p1', target='p1'):
        return policy.check(rule, ctx(roles, project),
                            {'project_id': target})

    def test_sources_need_admin_to_change(self):
        for action in ('create', 'update', 'delete', 'update_credential'):
            rule = 'xms:sources:%s' % action
            self.assertTrue(self._check(rule, ADMIN))
            self.assertFalse(self._check(rule, MEMBER))

    def test_sources_use_needs_member(self):
        for action in ('test', 'discover'):
            rule = 'xms:sources:%s' % action
            self.assertTrue(self._check(rule, MEMBER))
            self.assertFalse(self._check(rule, READER))
            self.assertFalse(self._check(rule, MEMBER, target='p2'))

    def test_readers_read_their_project_only(self):
        for rule in ('xms:sources:get', 'xms:vms:list', 'xms:jobs:get',
                     'xms:events:list', 'xms:preflights:get'):
            self.assertTrue(self._check(rule, READER))
            self.assertFalse(self._check(rule, READER, target='p2'))
            self.assertTrue(self._check(rule, ADMIN, target='p2'))
            self.assertFalse(self._check(rule, []))

    def test_job_actions(self):
        for action in ('create', 'sync', 'cutover', 'cancel', 'retry',
                       'delete'):
            rule = 'xms:jobs:%s' % action
            self.assertTrue(self._check(rule, MEMBER))
            self.assertFalse(self._check(rule, READER))
        self.assertFalse(self._check('xms:jobs:override_block', MEMBER))
        self.assertTrue(self._check('xms:jobs:override_block', ADMIN))

    def test_workers_admin_only(self):
        self.assertFalse(self._check('xms:workers:list', MEMBER))
        self.assertTrue(self._check('xms:workers:list', ADMIN))

    def test_authorize_raises_403(self):
        from xms.common import exception
        exc = self.assertRaises(exception.PolicyNotAuthorized,
                                policy.authorize, 'xms:workers:list',
                                ctx(READER))
        self.assertEqual(403, exc.code)

    def test_operator_override(self):
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"xms:workers:list": "role:reader"\n')
        self.config(policy_file=path, group='oslo_policy')
        policy.reset()
        self.assertTrue(self._check('xms:workers:list', READER))

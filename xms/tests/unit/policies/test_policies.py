"""The rules in code: names, documentation and the personas."""

from oslo_policy import policy as oslo_policy

from xms import policies
from xms.common import context
from xms.common import policy
from xms.tests import base


def ctx(roles, project='p1', admin_project=False, system=None):
    return context.RequestContext(user_id='u', project_id=project,
                                  roles=roles, is_admin_project=admin_project,
                                  system_scope=system)


# Roles as Keystone's implied roles expand them in a token.
ADMIN = ['admin', 'manager', 'member', 'reader']
MANAGER = ['manager', 'member', 'reader']
MEMBER = ['member', 'reader']
READER = ['reader']


def cloud_admin():
    """role:admin on a token of Keystone's admin project."""
    return ctx(ADMIN, project='admin', admin_project=True)


def system_admin():
    return ctx(['admin', 'manager', 'member', 'reader'], project=None,
               system='all')


class TestRules(base.TestCase):

    def test_documented_and_scoped(self):
        rules = [r for r in policies.list_rules()
                 if r.name.startswith('xms:')]
        self.assertGreater(len(rules), 20)
        creates = {'xms:sources:create', 'xms:jobs:create',
                   'xms:preflights:create'}
        for rule in rules:
            self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
            self.assertEqual(['project'] if rule.name in creates
                             else ['system', 'project'], rule.scope_types,
                             rule.name)
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

    def test_sources_need_manager_to_change(self):
        for action in ('create', 'update', 'delete', 'update_credential'):
            rule = 'xms:sources:%s' % action
            self.assertTrue(self._check(rule, MANAGER))
            self.assertFalse(self._check(rule, MANAGER, target='p2'))
            self.assertFalse(self._check(rule, MEMBER))
            self.assertTrue(policy.check(rule, cloud_admin(),
                                         {'project_id': 'p2'}))

    def test_admin_of_one_project_is_not_cloud_admin(self):
        project_admin = ctx(ADMIN)
        self.assertFalse(policy.is_cloud_admin(project_admin))
        self.assertFalse(policy.check('xms:workers:list', project_admin))
        self.assertFalse(policy.check('xms:sources:get', project_admin,
                                      {'project_id': 'p2'}))
        self.assertFalse(policy.check('xms:jobs:override_block',
                                      project_admin))
        # Through its implied roles it manages its own project.
        self.assertTrue(policy.check('xms:sources:create', project_admin))

    def test_cloud_admin_personas(self):
        for admin in (cloud_admin(), system_admin()):
            self.assertTrue(policy.is_cloud_admin(admin))
            self.assertTrue(policy.check('xms:workers:list', admin))
            self.assertTrue(policy.check('xms:jobs:get', admin,
                                         {'project_id': 'p2'}))
        # Creating needs a project to own what is created.
        self.assertFalse(policy.check('xms:sources:create',
                                      system_admin()))

    def test_system_scoped_non_admin_gets_nothing(self):
        reader = ctx(READER, project=None, system='all')
        self.assertFalse(policy.is_cloud_admin(reader))
        for rule in ('xms:sources:list', 'xms:jobs:list', 'xms:vms:list'):
            self.assertFalse(policy.check(rule, reader))

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
            self.assertFalse(self._check(rule, ADMIN, target='p2'))
            self.assertTrue(policy.check(rule, cloud_admin(),
                                         {'project_id': 'p2'}))
            self.assertFalse(self._check(rule, []))

    def test_job_actions(self):
        for action in ('create', 'sync', 'cutover', 'cancel', 'retry',
                       'delete'):
            rule = 'xms:jobs:%s' % action
            self.assertTrue(self._check(rule, MEMBER))
            self.assertFalse(self._check(rule, READER))
        self.assertFalse(self._check('xms:jobs:override_block', MEMBER))
        self.assertTrue(policy.check('xms:jobs:override_block',
                                     cloud_admin()))

    def test_workers_admin_only(self):
        self.assertFalse(self._check('xms:workers:list', MEMBER))
        self.assertTrue(policy.check('xms:workers:list', cloud_admin()))

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

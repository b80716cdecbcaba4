"""Check strings shared by every XMS policy: the personas.

XMS follows OpenStack's secure RBAC defaults (Keystone's default roles,
as Nova and Ironic use them):

* **cloud admin**: ``role:admin`` on a system-scoped token
  (``system_scope:all``) or on a token scoped to Keystone's admin project
  (``is_admin_project:True``; Keystone marks the project named by its
  ``[resource]/admin_project_name``). Sees and acts on every project, as
  :mod:`xms.db.api` scoping does for an admin context. ``role:admin`` on
  any other project is *not* a cloud admin: through Keystone's implied
  roles it is that project's manager.
* **project manager** (``role:manager``): registers, changes and deletes
  the project's VMware sources.
* **project member** (``role:member``): uses the sources (test,
  discover), runs preflights and migrations.
* **project reader** (``role:reader``): looks.

Keystone's implied roles (admin > manager > member > reader) give each
persona the roles below it, so each string names only its own role.
"""

from oslo_policy import policy

# The personas are named rules; every xms: rule refers to them, so an
# operator who redefines one (say admin_api) changes it everywhere.
ADMIN = 'rule:admin_api'
PROJECT_MANAGER = 'rule:project_manager'
PROJECT_MEMBER = 'rule:project_member'
PROJECT_READER = 'rule:project_reader'

ADMIN_OR_MANAGER = '%s or %s' % (ADMIN, PROJECT_MANAGER)
ADMIN_OR_MEMBER = '%s or %s' % (ADMIN, PROJECT_MEMBER)
ADMIN_OR_READER = '%s or %s' % (ADMIN, PROJECT_READER)

# A cloud admin may use a system-scoped token; what creates resources
# needs a project to own them, so it takes project-scoped tokens only.
SCOPE = ['system', 'project']
PROJECT_SCOPE = ['project']

rules = [
    policy.RuleDefault('admin_api',
                       'role:admin and (system_scope:all or '
                       'is_admin_project:True)',
                       description='Cloud administrator: every project. '
                                   'Also decides whether a request sees '
                                   'every project\'s resources.'),
    policy.RuleDefault('project_manager',
                       'role:manager and project_id:%(project_id)s',
                       description='Manager of the resource\'s project.'),
    policy.RuleDefault('project_member',
                       'role:member and project_id:%(project_id)s',
                       description='Member of the resource\'s project.'),
    policy.RuleDefault('project_reader',
                       'role:reader and project_id:%(project_id)s',
                       description='Reader of the resource\'s project.'),
]


def rule(name, check_str, description, operations, scope_types=None):
    """A documented XMS rule.

    :param operations: ``[(method, path), ...]`` the rule guards.
    :param scope_types: default :data:`SCOPE`; :data:`PROJECT_SCOPE` for
        what creates resources in the token's project.
    """
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': m, 'path': p} for m, p in operations],
        scope_types=list(scope_types or SCOPE))


def list_rules():
    return rules

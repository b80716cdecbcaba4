"""Check strings shared by every XMS policy: the personas.

XMS follows Keystone's default roles with project scope. ``admin`` is the
cloud operator and sees every project (as :func:`xms.db.api` scoping
does for an admin context); ``member`` works in its project and
``reader`` only looks at it. Keystone's implied roles give a member the
reader role and an admin the member role, so each persona's string names
only its own role.
"""

from oslo_policy import policy

ADMIN = 'role:admin'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'

ADMIN_OR_MEMBER = '(%s) or (%s)' % (ADMIN, PROJECT_MEMBER)
ADMIN_OR_READER = '(%s) or (%s)' % (ADMIN, PROJECT_READER)

SCOPE = ['project']

rules = [
    policy.RuleDefault('admin_api', ADMIN,
                       description='Cloud administrator: every project.'),
    policy.RuleDefault('project_member', PROJECT_MEMBER,
                       description='Member of the resource\'s project.'),
    policy.RuleDefault('project_reader', PROJECT_READER,
                       description='Reader of the resource\'s project.'),
]


def rule(name, check_str, description, operations):
    """A documented, project-scoped XMS rule.

    :param operations: ``[(method, path), ...]`` the rule guards.
    """
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': m, 'path': p} for m, p in operations],
        scope_types=SCOPE)


def list_rules():
    return rules

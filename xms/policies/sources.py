"""Policies of ``/v1/sources``.

Registering, changing and deleting a source (and its credential) needs
the project manager; using it (test, discover) needs member; looking
needs reader.
"""

from xms.policies import base

P = '/v1/sources'
ONE = P + '/{source_id}'

rules = [
    base.rule('xms:sources:create', base.ADMIN_OR_MANAGER,
              'Register a VMware source.', [('POST', P)],
              scope_types=base.PROJECT_SCOPE),
    base.rule('xms:sources:list', base.ADMIN_OR_READER,
              'List the sources of the project.', [('GET', P)]),
    base.rule('xms:sources:get', base.ADMIN_OR_READER,
              'Show a source.', [('GET', ONE)]),
    base.rule('xms:sources:update', base.ADMIN_OR_MANAGER,
              'Change a source\'s connection settings.',
              [('PATCH', ONE)]),
    base.rule('xms:sources:delete', base.ADMIN_OR_MANAGER,
              'Delete a source no unfinished job uses.',
              [('DELETE', ONE)]),
    base.rule('xms:sources:update_credential', base.ADMIN_OR_MANAGER,
              'Replace the user name and password of a source.',
              [('PUT', ONE + '/credential')]),
    base.rule('xms:sources:test', base.ADMIN_OR_MEMBER,
              'Open a session to the source and report its product.',
              [('POST', ONE + '/test')]),
    base.rule('xms:sources:discover', base.ADMIN_OR_MEMBER,
              'Start an inventory scan of the source.',
              [('POST', ONE + '/discover')]),
]


def list_rules():
    return rules

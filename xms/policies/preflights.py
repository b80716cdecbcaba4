"""Policies of ``/v1/preflights``."""

from xms.policies import base

P = '/v1/preflights'

rules = [
    base.rule('xms:preflights:create', base.ADMIN_OR_MEMBER,
              'Run a preflight for one or more VMs.', [('POST', P)],
              scope_types=base.PROJECT_SCOPE),
    base.rule('xms:preflights:list', base.ADMIN_OR_READER,
              'List preflights.', [('GET', P)]),
    base.rule('xms:preflights:get', base.ADMIN_OR_READER,
              'Show a preflight with its verdict, scores and checks.',
              [('GET', P + '/{preflight_id}')]),
]


def list_rules():
    return rules

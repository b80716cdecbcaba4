"""Policies of ``/v1/jobs`` and its actions."""

from xms.policies import base

P = '/v1/jobs'
ONE = P + '/{job_id}'

rules = [
    base.rule('xms:jobs:create', base.ADMIN_OR_MEMBER,
              'Submit migration jobs (one per VM).', [('POST', P)],
              scope_types=base.PROJECT_SCOPE),
    base.rule('xms:jobs:override_block', base.ADMIN,
              'Submit a job for a VM whose preflight verdict is Block '
              '(recorded in the job\'s events).', [('POST', P)]),
    base.rule('xms:jobs:list', base.ADMIN_OR_READER,
              'List migration jobs.', [('GET', P)]),
    base.rule('xms:jobs:get', base.ADMIN_OR_READER,
              'Show a migration job.', [('GET', ONE)]),
    base.rule('xms:jobs:delete', base.ADMIN_OR_MEMBER,
              'Delete a finished job\'s record.', [('DELETE', ONE)]),
    base.rule('xms:jobs:sync', base.ADMIN_OR_MEMBER,
              'Run an incremental sync of a warm job now.',
              [('POST', ONE + '/sync')]),
    base.rule('xms:jobs:cutover', base.ADMIN_OR_MEMBER,
              'Cut a warm job over to the target.',
              [('POST', ONE + '/cutover')]),
    base.rule('xms:jobs:cancel', base.ADMIN_OR_MEMBER,
              'Cancel a job and clean up what it made.',
              [('POST', ONE + '/cancel')]),
    base.rule('xms:jobs:retry', base.ADMIN_OR_MEMBER,
              'Resume a failed job from the step that failed.',
              [('POST', ONE + '/retry')]),
]


def list_rules():
    return rules

"""Policies of ``/v1/events`` and ``/v1/jobs/{job_id}/events``."""

from xms.policies import base

rules = [
    base.rule('xms:events:list', base.ADMIN_OR_READER,
              'List the events of the project or of one job.',
              [('GET', '/v1/events'), ('GET', '/v1/jobs/{job_id}/events')]),
]


def list_rules():
    return rules

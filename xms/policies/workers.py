"""Policies of ``/v1/workers`` (operators only)."""

from xms.policies import base

rules = [
    base.rule('xms:workers:list', base.ADMIN,
              'List conductor and worker processes with their slots, '
              'running jobs and last heartbeat.', [('GET', '/v1/workers')]),
]


def list_rules():
    return rules

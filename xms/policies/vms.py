"""Policies of ``/v1/vms`` (the discovered inventory, read-only)."""

from xms.policies import base

rules = [
    base.rule('xms:vms:list', base.ADMIN_OR_READER,
              'List discovered VMs.', [('GET', '/v1/vms')]),
    base.rule('xms:vms:get', base.ADMIN_OR_READER,
              'Show a VM with its disks and NICs.',
              [('GET', '/v1/vms/{vm_id}')]),
]


def list_rules():
    return rules

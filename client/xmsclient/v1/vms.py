"""``/v1/vms``: the inventory discovery found (read-only)."""

from xmsclient.common import base


class Vm(base.Resource):
    pass


class VmManager(base.Manager):
    resource_class = Vm
    collection = 'vms'
    key = 'vms'

"""Fake VMs, disks, NICs and target inspectors for preflight tests."""

import types

from xms.preflight import target

GIB = 1024 ** 3


def disk(**kw):
    values = {'device_key': 2000, 'label': 'Hard disk 1',
              'capacity_bytes': 10 * GIB, 'disk_mode': 'persistent',
              'sharing': 'sharingNone', 'is_rdm': False}
    values.update(kw)
    return types.SimpleNamespace(**values)


def nic(**kw):
    values = {'device_key': 4000, 'label': 'Network adapter 1',
              'mac_address': '00:50:56:00:00:01', 'network_name': 'VM Network',
              'adapter_type': 'vmxnet3'}
    values.update(kw)
    return types.SimpleNamespace(**values)


def vm(**kw):
    values = {'uuid': 'vm-uuid', 'name': 'web1', 'firmware': 'bios',
              'secure_boot': False, 'hardware_version': 'vmx-13',
              'guest_id': 'rhel7_64Guest', 'guest_family': 'linuxGuest',
              'guest_full_name': 'Red Hat Enterprise Linux 7 (64-bit)',
              'num_cpus': 2, 'memory_mb': 4096, 'cbt_enabled': False,
              'snapshot_count': 0, 'consolidation_needed': False,
              'tools_status': 'running', 'tools_version': '12352',
              'power_state': 'poweredOn', 'missing': False,
              'disks': [disk()], 'nics': [nic()]}
    values.update(kw)
    return types.SimpleNamespace(**values)


def source(**kw):
    values = {'id': 1, 'uuid': 'src', 'type': 'vmware',
              'status': 'connected', 'status_reason': None}
    values.update(kw)
    return types.SimpleNamespace(**values)


class Inspector(target.TargetInspector):
    """Answers from dicts given at construction."""

    def __init__(self, quotas=None, networks=None, flavors=None):
        self._quotas = quotas if quotas is not None else {
            'instances': {'limit': 10, 'in_use': 0},
            'cores': {'limit': 40, 'in_use': 0},
            'ram': {'limit': 65536, 'in_use': 0},
            'volumes': {'limit': 10, 'in_use': 0},
            'gigabytes': {'limit': 1000, 'in_use': 0}}
        self._networks = networks if networks is not None else [
            {'id': 'net-1', 'name': 'private'}]
        self._flavors = flavors if flavors is not None else [
            {'id': 'f1', 'name': 'm1.small', 'vcpus': 1, 'ram': 2048},
            {'id': 'f2', 'name': 'm1.medium', 'vcpus': 2, 'ram': 4096},
            {'id': 'f3', 'name': 'm1.large', 'vcpus': 4, 'ram': 8192}]
        self.calls = []

    def quotas(self, context, target_spec):
        self.calls.append('quotas')
        return self._quotas

    def networks(self, context, target_spec):
        self.calls.append('networks')
        return self._networks

    def flavors(self, context, target_spec):
        self.calls.append('flavors')
        return self._flavors

"""Network checks: NIC mapping, target networks, adapter types.

The target spec's ``network_mapping`` is read by
:mod:`xms.targets.nic_mapping`, as the target's network driver reads it.
"""

from xms.preflight import base
from xms.targets import nic_mapping

# Adapters virt-v2v replaces with virtio-net without a second thought.
COMMON_ADAPTERS = ('vmxnet3', 'e1000', 'e1000e')


class NicMappingCheck(base.Check):
    name = 'nic_mapping'
    category = base.NETWORK

    def run(self, data):
        nics = data.nics
        if not nics:
            return self.warn('The VM has no network adapter; the instance '
                             'gets none.',
                             'Add a NIC to the target after migration if '
                             'it needs a network.')
        if not data.target_spec:
            return self.not_checked()
        mapping = data.target_spec.get('network_mapping')
        unmapped = [n.label or n.mac_address or str(n.device_key)
                    for n in nic_mapping.unmapped(nics, mapping)]
        if unmapped:
            return self.block(
                'No target network for NIC(s) %s.' % ', '.join(unmapped),
                'Map every source NIC to a target network.')
        return self.passed('Every NIC (%d) has a target network.'
                           % len(nics))


class TargetNetworksCheck(base.Check):
    name = 'target_networks'
    category = base.NETWORK

    def run(self, data):
        if not data.can_inspect_target:
            return self.not_checked()
        mapping = data.target_spec.get('network_mapping')
        wanted = {nic_mapping.network_for(n, mapping) for n in data.nics}
        wanted.discard(None)
        if not wanted:
            return self.passed('No target network to check.')
        known = set()
        for net in data.networks():
            known.update(x for x in (net.get('id'), net.get('name')) if x)
        missing = sorted(w for w in wanted if w not in known)
        if missing:
            return self.block(
                'Target network(s) %s do not exist or are not usable by '
                'the target project.' % ', '.join(missing),
                'Create the networks, share them with the project or fix '
                'the mapping.')
        return self.passed('Target network(s) %s exist.'
                           % ', '.join(sorted(wanted)))


class AdapterTypesCheck(base.Check):
    name = 'nic_adapter_types'
    category = base.NETWORK

    def run(self, data):
        odd = ['%s (%s)' % (n.label or n.device_key, n.adapter_type)
               for n in data.nics if n.adapter_type not in COMMON_ADAPTERS]
        if odd:
            return self.warn(
                'Uncommon adapter type(s): %s; the target gets virtio-net '
                'and settings tied to the adapter (SR-IOV, RDMA) are not '
                'migrated.' % ', '.join(odd),
                'Check the guest\'s network configuration after the '
                'migration.')
        return self.passed('Adapter types convert to virtio-net.')

"""Network checks: NIC mapping, target networks, adapter types.

The target spec maps source NICs to target networks with
``network_mapping``, either a list of entries ``{'source' (or
'source_network', 'device_key', 'mac'): <NIC device key, MAC or source
network name>, 'network' (or 'network_id'): <target network id or
name>}`` (the API's shape is ``{'source_network', 'network_id'}``) or a
dict ``{<device key, MAC or source network name>: <target network>}``;
the source ``*`` maps every NIC not otherwise mapped.
"""

from xms.preflight import base

# Adapters virt-v2v replaces with virtio-net without a second thought.
COMMON_ADAPTERS = ('vmxnet3', 'e1000', 'e1000e')


def _keys(nic):
    keys = [str(nic.device_key)]
    if nic.mac_address:
        keys.append(nic.mac_address.lower())
    if nic.network_name:
        keys.append(nic.network_name)
    return keys


def _entries(mapping):
    if isinstance(mapping, dict):
        return [dict(v, source=k) if isinstance(v, dict)
                else {'source': k, 'network': v}
                for k, v in mapping.items()]
    return [e for e in mapping or () if isinstance(e, dict)]


def _source_of(entry):
    for key in ('source', 'source_network', 'device_key', 'mac'):
        if entry.get(key) is not None:
            return str(entry[key]).lower()
    return None


def mapping_for(nic, mapping):
    """The target network a NIC is mapped to, or None."""
    keys = [k.lower() for k in _keys(nic)]
    fallback = None
    for entry in _entries(mapping):
        source = _source_of(entry)
        network = (entry.get('network') or entry.get('network_id')
                   or entry.get('target_network'))
        if source == '*':
            fallback = network
        elif source in keys:
            return network
    return fallback


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
                    for n in nics if not mapping_for(n, mapping)]
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
        wanted = {mapping_for(n, mapping) for n in data.nics}
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

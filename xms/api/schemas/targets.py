"""The target specification shared by preflights and jobs."""

from xms.api.schemas import common

SECURITY_GROUPS = {'type': 'array', 'maxItems': 32, 'uniqueItems': True,
                   'items': common.label()}

# Read by xms.targets.nic_mapping, the one reader of a mapping.
NETWORK_MAPPING = common.obj({
    'source_network': common.text(
        255, 1, description='Source NIC(s) the entry maps: a NIC\'s '
        'device key, its MAC address, the name of the port group it is '
        'connected to, or * for every NIC no other entry maps. The most '
        'specific entry wins (device key, MAC, port group, *).'),
    'network_id': common.UUID,
    'fixed_ip': {'type': 'string', 'maxLength': 64,
                 'anyOf': [{'format': 'ipv4'}, {'format': 'ipv6'}]},
    'subnet': common.label(),
    'keep_mac': common.BOOLEAN,
    'security_groups': dict(SECURITY_GROUPS, description='Security groups '
                            'of this NIC\'s port (names or ids); replaces '
                            'the job\'s security_groups for it.'),
}, required=['source_network', 'network_id'])

TARGET = common.obj({
    'instance_name': common.NAME,
    'flavor_id': common.label(),
    'network_mapping': {'type': 'array', 'items': NETWORK_MAPPING,
                        'maxItems': 64},
    'volume_type': common.label(),
    'disk_volume_types': {
        'type': 'object',
        'patternProperties': {'^[0-9]{1,9}$': common.label()},
        'additionalProperties': False,
        'description': 'Volume type per source disk device key.'},
    'availability_zone': common.label(),
    'security_groups': SECURITY_GROUPS,
    'convert_guest': common.BOOLEAN,
    'boot': common.BOOLEAN,
})

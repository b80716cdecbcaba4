"""The target specification shared by preflights and jobs."""

from xms.api.schemas import common

NETWORK_MAPPING = common.obj({
    'source_network': common.text(255, 1, description='Port group name of '
                                  'the source NIC, or its MAC address.'),
    'network_id': common.UUID,
    'fixed_ip': {'type': 'string', 'maxLength': 64,
                 'anyOf': [{'format': 'ipv4'}, {'format': 'ipv6'}]},
    'keep_mac': common.BOOLEAN,
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
    'security_groups': {'type': 'array', 'maxItems': 32,
                        'uniqueItems': True,
                        'items': common.label()},
    'convert_guest': common.BOOLEAN,
    'boot': common.BOOLEAN,
})

"""The target options ``preflight run`` and ``job create`` share, and the
``target`` object of the API they build."""

import argparse

from osc_lib import exceptions as osc_exc

from xmsclient.osc.v1 import common


def _key_value(text):
    key, sep, value = text.partition('=')
    if not sep or not key or not value:
        raise argparse.ArgumentTypeError(
            'expected <device-key>=<volume-type>, got %r' % text)
    if not key.isdigit():
        raise argparse.ArgumentTypeError(
            'the device key of a disk is a number (see "vm show"), got %r'
            % key)
    return key, value


def parse_network_map(text):
    """``source=target[,fixed-ip=IP][,subnet=S][,keep-mac]
    [,security-group=SG...]`` -> a mapping entry (target still a name or
    an ID).

    :raises ArgumentTypeError: naming what is wrong.
    """
    parts = text.split(',')
    source, sep, network = parts[0].partition('=')
    if not sep or not source or not network:
        raise argparse.ArgumentTypeError(
            'expected <source-network>=<target-network>[,fixed-ip=<ip>]'
            '[,subnet=<subnet>][,keep-mac][,security-group=<group>], got %r'
            % text)
    entry = {'source_network': source, 'network_id': network}
    for part in parts[1:]:
        key, sep, value = part.partition('=')
        if key == 'keep-mac' and not sep:
            entry['keep_mac'] = True
        elif key == 'fixed-ip' and value:
            entry['fixed_ip'] = value
        elif key == 'subnet' and value:
            entry['subnet'] = value
        elif key == 'security-group' and value:
            entry.setdefault('security_groups', []).append(value)
        else:
            raise argparse.ArgumentTypeError(
                'unknown network map option %r (use fixed-ip=, subnet=, '
                'keep-mac, security-group=)' % part)
    return entry


def add_arguments(parser):
    group = parser.add_argument_group('target options')
    group.add_argument('--flavor', metavar='<flavor>',
                       help='Nova flavor (name or ID; default: the best '
                            'match of the VM\'s CPUs, memory and disks)')
    group.add_argument('--volume-type', metavar='<volume-type>',
                       help='Cinder volume type of every disk')
    group.add_argument('--disk-volume-type', metavar='<device-key>=<type>',
                       type=_key_value, action='append', default=[],
                       help='Volume type of one disk (its device key, see '
                            '"vm show"); repeat for several')
    group.add_argument('--network-map', type=parse_network_map,
                       metavar='<source-network>=<target-network>[,...]',
                       action='append', default=[],
                       help='Map a source NIC (device key, MAC, port group '
                            'or "*") to a Neutron network (name or ID), with '
                            'optional fixed-ip=<ip>, subnet=<subnet>, '
                            'keep-mac and security-group=<group>; repeat '
                            'for several')
    group.add_argument('--availability-zone', metavar='<zone>',
                       help='Availability zone of the volumes and the '
                            'instance')
    group.add_argument('--security-group', metavar='<group>',
                       dest='security_groups', action='append',
                       help='Security group of the ports (name or ID); '
                            'repeat for several')
    group.add_argument('--instance-name', metavar='<name>',
                       help='Name of the Nova instance (default: the VM\'s)')
    group.add_argument('--no-conversion', dest='convert_guest',
                       action='store_false', default=None,
                       help='Do not convert the guest (virt-v2v); copy the '
                            'disks as they are')
    group.add_argument('--no-boot', dest='boot', action='store_false',
                       default=None,
                       help='Create the volumes but no instance')


def _network_id(client_manager, name_or_id):
    """A Neutron network's ID, asking Neutron for a name."""
    if common.is_uuid(name_or_id):
        return name_or_id
    session = client_manager.session
    resp = session.get('/v2.0/networks', params={'name': name_or_id},
                       endpoint_filter={
                           'service_type': 'network',
                           'interface': client_manager.interface,
                           'region_name': client_manager.region_name})
    networks = resp.json().get('networks', [])
    if len(networks) != 1:
        raise osc_exc.CommandError(
            '%s networks named %s: use the network ID' % (
                'No' if not networks else 'Several', name_or_id))
    return networks[0]['id']


def build(parsed_args, client_manager=None):
    """The API's ``target`` object of the options given, or None."""
    target = {}
    for option, field in (('flavor', 'flavor_id'),
                          ('volume_type', 'volume_type'),
                          ('availability_zone', 'availability_zone'),
                          ('security_groups', 'security_groups'),
                          ('instance_name', 'instance_name'),
                          ('convert_guest', 'convert_guest'),
                          ('boot', 'boot')):
        value = getattr(parsed_args, option, None)
        if value is not None:
            target[field] = value
    if parsed_args.disk_volume_type:
        target['disk_volume_types'] = dict(parsed_args.disk_volume_type)
    if parsed_args.network_map:
        target['network_mapping'] = []
        for entry in parsed_args.network_map:
            entry = dict(entry)
            if client_manager is not None:
                entry['network_id'] = _network_id(client_manager,
                                                  entry['network_id'])
            target['network_mapping'].append(entry)
    return target or None

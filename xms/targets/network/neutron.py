"""Neutron network: one port per source NIC on its mapped network.

A port keeps the source NIC's MAC (``[target]/keep_mac``, or
``keep_mac`` in the mapping entry) so guest configuration bound to the
MAC still matches, and may ask for a fixed IP and security groups:

    network_mapping: [{"source": "4000", "network": "prod-net",
                       "keep_mac": true, "fixed_ip": "10.0.0.5",
                       "subnet": "prod-v4", "security_groups": ["web"]}]

Ports are named ``xms-job-<job>-nic-<key>`` so a resumed task finds the
port it created, and cleanup finds ports that were never recorded. Note
that Neutron's default policy lets only the network's owner (or an
admin) choose a port's MAC or IP address.
"""

from openstack import exceptions as os_exc
from oslo_log import log as logging

from xms.common.i18n import _
from xms.conf import CONF
from xms.preflight.checks import network as net_checks
from xms.targets import base
from xms.targets import session

LOG = logging.getLogger(__name__)


def port_name(job_id, nic_key):
    return 'xms-job-%s-nic-%s' % (job_id, nic_key)


def _nic_keys(nic):
    keys = [str(base.field(nic, 'device_key'))]
    mac = base.field(nic, 'mac_address')
    if mac:
        keys.append(mac.lower())
    if base.field(nic, 'network_name'):
        keys.append(str(base.field(nic, 'network_name')).lower())
    return [k.lower() for k in keys]


def mapping_entry(nic, mapping):
    """The mapping entry (a dict with at least ``network``) of a NIC.

    Same matching as :func:`xms.preflight.checks.network.mapping_for`
    (device key, MAC or source network name, then ``*``), but returns
    the whole entry so per-NIC options come along.
    """
    if not mapping:
        return None
    if isinstance(mapping, dict):
        entries = [{'source': k, 'network': v} if not isinstance(v, dict)
                   else dict(v, source=k) for k, v in mapping.items()]
    else:
        entries = [e for e in mapping if isinstance(e, dict)]
    keys = _nic_keys(nic)
    fallback = None
    for entry in entries:
        source = entry.get('source', entry.get(
            'device_key', entry.get('mac', entry.get('source_network'))))
        network = entry.get('network') or entry.get('target_network')
        if source is None or not network:
            continue
        entry = dict(entry, network=network)
        if str(source).lower() == '*':
            fallback = entry
        elif str(source).lower() in keys:
            return entry
    return fallback


class _NicView:
    def __init__(self, nic):
        self.device_key = base.field(nic, 'device_key')
        self.mac_address = base.field(nic, 'mac_address')
        self.network_name = base.field(nic, 'network_name')


def check_mapping(nics, mapping):
    """Source NIC keys with no target network (preflight helper)."""
    return [str(base.field(n, 'device_key')) for n in nics
            if not net_checks.mapping_for(_NicView(n), mapping)]


def resolve_network(conn, name_or_id):
    """The network the project can use, or raise NetworkNotFound."""
    try:
        network = conn.network.find_network(name_or_id,
                                            ignore_missing=True)
    except os_exc.DuplicateResource:
        raise base.TargetError(reason=_('more than one network is named '
                                        '%s; map NICs by network id')
                               % name_or_id)
    if network is None:
        raise base.NetworkNotFound(network=name_or_id,
                                   project=conn.current_project_id)
    return network


class NeutronNetworkDriver(base.NetworkDriver):

    def _security_group_ids(self, conn, names):
        ids = []
        for name in names or ():
            group = conn.network.find_security_group(name,
                                                     ignore_missing=True)
            if group is None:
                raise base.TargetError(reason=_('security group %s does '
                                                'not exist') % name)
            ids.append(group.id)
        return ids

    def _port_attrs(self, conn, job_id, nic, entry, network):
        key = base.field(nic, 'device_key')
        attrs = {'network_id': network.id,
                 'name': port_name(job_id, key),
                 'description': _('NIC %(key)s of XMS job %(job)s') %
                 {'key': key, 'job': job_id}}
        keep_mac = entry.get('keep_mac', CONF.target.keep_mac)
        mac = base.field(nic, 'mac_address')
        if keep_mac and mac:
            attrs['mac_address'] = mac.lower()
        if entry.get('fixed_ip') or entry.get('subnet'):
            fixed = {}
            if entry.get('fixed_ip'):
                fixed['ip_address'] = entry['fixed_ip']
            if entry.get('subnet'):
                subnet = conn.network.find_subnet(entry['subnet'],
                                                  network_id=network.id,
                                                  ignore_missing=True)
                if subnet is None:
                    raise base.TargetError(
                        reason=_('subnet %(s)s is not on network %(n)s') %
                        {'s': entry['subnet'], 'n': network.name})
                fixed['subnet_id'] = subnet.id
            attrs['fixed_ips'] = [fixed]
        groups = entry.get('security_groups')
        if groups is not None:
            attrs['security_group_ids'] = self._security_group_ids(
                conn, groups)
        return attrs

    def create_ports(self, context, job, nics, mapping):
        conn = session.connection(context)
        job_id = base.field(job, 'id')
        # Refuse before creating anything: a half-made set of ports
        # helps nobody. Every NIC's mapping first, then the networks.
        entries = []
        for nic in nics:
            entry = mapping_entry(nic, mapping)
            if not entry:
                raise base.NetworkMappingMissing(
                    nic=base.field(nic, 'device_key'))
            entries.append((nic, entry))
        networks = {}
        for _nic, entry in entries:
            if entry['network'] not in networks:
                networks[entry['network']] = resolve_network(
                    conn, entry['network'])
        plan = [(nic, entry, networks[entry['network']])
                for nic, entry in entries]
        port_ids = []
        for nic, entry, network in plan:
            name = port_name(job_id, base.field(nic, 'device_key'))
            existing = list(conn.network.ports(name=name))
            if existing:
                port_ids.append(existing[0].id)
                continue
            attrs = self._port_attrs(conn, job_id, nic, entry, network)
            try:
                port = conn.network.create_port(**attrs)
            except os_exc.ForbiddenException as exc:
                raise base.TargetError(
                    reason=_('Neutron refused port %(name)s on network '
                             '%(net)s: %(exc)s. Only the network owner may '
                             'choose MAC or IP addresses; map the NIC with '
                             '"keep_mac": false and no fixed_ip, or use a '
                             'network of the project.') %
                    {'name': name, 'net': network.name, 'exc': exc})
            except os_exc.ConflictException as exc:
                raise base.TargetError(
                    reason=_('Neutron refused port %(name)s on network '
                             '%(net)s: %(exc)s (MAC or IP in use)') %
                    {'name': name, 'net': network.name, 'exc': exc})
            LOG.info('Job %s: port %s (MAC %s) created on network %s',
                     job_id, port.id, port.mac_address, network.id)
            port_ids.append(port.id)
        return port_ids

    def delete_ports(self, context, port_ids):
        conn = session.connection(context)
        for port_id in port_ids or ():
            conn.network.delete_port(port_id, ignore_missing=True)
            LOG.info('Port %s deleted', port_id)

    def list_ports(self, context, job):
        conn = session.connection(context)
        prefix = 'xms-job-%s-nic-' % base.field(job, 'id')
        return [p.id for p in conn.network.ports(
            project_id=conn.current_project_id)
            if (p.name or '').startswith(prefix)]

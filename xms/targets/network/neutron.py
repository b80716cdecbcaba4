"""Neutron network: one port per source NIC on its mapped network.

A port keeps the source NIC's MAC (``[target]/keep_mac``, or
``keep_mac`` in the mapping entry) so guest configuration bound to the
MAC still matches, and may ask for a fixed IP, a subnet and security
groups; :mod:`xms.targets.nic_mapping` reads the mapping.

Ports are named ``xms-job-<job>-nic-<key>`` so a resumed task finds the
port it created, and cleanup finds ports that were never recorded. Note
that Neutron's default policy lets only the network's owner (or an
admin) choose a port's MAC or IP address.
"""

from openstack import exceptions as os_exc
from oslo_log import log as logging

from xms.common.i18n import _
from xms.targets import base
from xms.targets import nic_mapping
from xms.targets import session

LOG = logging.getLogger(__name__)


def port_name(job_id, nic_key):
    return 'xms-job-%s-nic-%s' % (job_id, nic_key)


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
        mac = base.field(nic, 'mac_address')
        if entry['keep_mac'] and mac:
            attrs['mac_address'] = mac.lower()
        if entry['fixed_ip'] or entry['subnet']:
            fixed = {}
            if entry['fixed_ip']:
                fixed['ip_address'] = entry['fixed_ip']
            if entry['subnet']:
                subnet = conn.network.find_subnet(entry['subnet'],
                                                  network_id=network.id,
                                                  ignore_missing=True)
                if subnet is None:
                    raise base.TargetError(
                        reason=_('subnet %(s)s is not on network %(n)s') %
                        {'s': entry['subnet'], 'n': network.name})
                fixed['subnet_id'] = subnet.id
            attrs['fixed_ips'] = [fixed]
        if entry['security_groups'] is not None:
            attrs['security_group_ids'] = self._security_group_ids(
                conn, entry['security_groups'])
        return attrs

    def _plan(self, conn, job_id, nics, mapping, security_groups):
        """Port attributes of every NIC, or raise before creating any.

        A half-made set of ports helps nobody: every NIC's mapping, its
        network, subnet and security groups are resolved first.
        """
        entries = []
        for nic in nics:
            entry = nic_mapping.resolve(nic, mapping, security_groups)
            if not entry:
                raise base.NetworkMappingMissing(
                    nic=base.field(nic, 'device_key'))
            entries.append((nic, entry))
        networks = {}
        for _nic, entry in entries:
            if entry['network'] not in networks:
                networks[entry['network']] = resolve_network(
                    conn, entry['network'])
        return [(self._port_attrs(conn, job_id, nic, entry,
                                  networks[entry['network']]),
                 networks[entry['network']]) for nic, entry in entries]

    def _create_port(self, conn, attrs, network):
        try:
            return conn.network.create_port(**attrs)
        except os_exc.ForbiddenException as exc:
            raise base.TargetError(
                reason=_('Neutron refused port %(name)s on network '
                         '%(net)s: %(exc)s. Only the network owner may '
                         'choose MAC or IP addresses; map the NIC with '
                         '"keep_mac": false and no fixed_ip, or use a '
                         'network of the project.') %
                {'name': attrs['name'], 'net': network.name, 'exc': exc})
        except os_exc.ConflictException as exc:
            raise base.TargetError(
                reason=_('Neutron refused port %(name)s on network '
                         '%(net)s: %(exc)s (MAC or IP in use)') %
                {'name': attrs['name'], 'net': network.name, 'exc': exc})

    def create_ports(self, context, job, nics, mapping,
                     security_groups=None):
        conn = session.connection(context)
        job_id = base.job_ref(job)
        plan = self._plan(conn, job_id, nics, mapping, security_groups)
        port_ids = []
        created = []
        try:
            for attrs, network in plan:
                existing = list(conn.network.ports(name=attrs['name']))
                if existing:
                    port_ids.append(existing[0].id)
                    continue
                port = self._create_port(conn, attrs, network)
                created.append(port.id)
                LOG.info('Job %s: port %s (MAC %s) created on network %s',
                         job_id, port.id, port.mac_address, network.id)
                port_ids.append(port.id)
        except Exception:
            # Only this call's ports: ports found again belong to the
            # run that made them and to its cleanup.
            self._delete_quietly(conn, job_id, created)
            raise
        return port_ids

    def _delete_quietly(self, conn, job_id, port_ids):
        for port_id in port_ids:
            try:
                conn.network.delete_port(port_id, ignore_missing=True)
            except Exception:  # noqa: BLE001 - keep the first error
                LOG.exception('Job %s: could not delete port %s', job_id,
                              port_id)

    def delete_ports(self, context, port_ids):
        conn = session.connection(context)
        for port_id in port_ids or ():
            conn.network.delete_port(port_id, ignore_missing=True)
            LOG.info('Port %s deleted', port_id)

    def list_ports(self, context, job):
        conn = session.connection(context)
        prefix = 'xms-job-%s-nic-' % base.job_ref(job)
        return [p.id for p in conn.network.ports(
            project_id=conn.current_project_id)
            if (p.name or '').startswith(prefix)]

from unittest import mock

from openstack import exceptions as os_exc

from xms.targets import base
from xms.targets.network import neutron
from xms.tests import base as test_base

NIC = {'device_key': 4000, 'mac_address': '00:50:56:AA:BB:CC',
       'network_name': 'VM Network'}
NIC2 = {'device_key': 4001, 'mac_address': '00:50:56:AA:BB:DD',
        'network_name': 'Backup'}
ANY = [{'source_network': '*', 'network_id': 'net'}]


class CreatePortsTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.conn = mock.Mock(current_project_id='proj')
        self.conn.network.ports.return_value = []
        self.conn.network.find_network.return_value = mock.Mock(
            id='net-id', name='net')
        self.conn.network.create_port.return_value = mock.Mock(
            id='port-id', mac_address='00:50:56:aa:bb:cc')
        patcher = mock.patch('xms.targets.session.connection',
                             return_value=self.conn)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.driver = neutron.NeutronNetworkDriver()

    def test_keeps_mac(self):
        ids = self.driver.create_ports(None, {'uuid': 'job-7'}, [NIC], ANY)
        self.assertEqual(['port-id'], ids)
        attrs = self.conn.network.create_port.call_args.kwargs
        self.assertEqual('00:50:56:aa:bb:cc', attrs['mac_address'])
        self.assertEqual('xms-job-job-7-nic-4000', attrs['name'])
        self.assertEqual('net-id', attrs['network_id'])

    def test_mac_not_kept(self):
        self.driver.create_ports(None, {'uuid': 'job-7'}, [NIC],
                                 [{'source_network': '*', 'network_id': 'net',
                                   'keep_mac': False}])
        self.assertNotIn('mac_address',
                         self.conn.network.create_port.call_args.kwargs)

    def test_existing_port_is_reused(self):
        self.conn.network.ports.return_value = [mock.Mock(id='old')]
        self.assertEqual(['old'], self.driver.create_ports(
            None, {'uuid': 'job-7'}, [NIC], ANY))
        self.conn.network.create_port.assert_not_called()

    def test_refuses_before_creating(self):
        nic2 = dict(NIC, device_key=4001, mac_address=None,
                    network_name='other')
        self.assertRaises(base.NetworkMappingMissing,
                          self.driver.create_ports, None, {'uuid': 'job-7'},
                          [NIC, nic2],
                          [{'source_network': '4000', 'network_id': 'net'}])
        self.conn.network.find_network.return_value = None
        exc = self.assertRaises(base.NetworkNotFound,
                                self.driver.create_ports, None,
                                {'uuid': 'job-7'},
                                [NIC],
                                [{'source_network': '4000',
                                  'network_id': 'ghost'}])
        self.assertIn('ghost', str(exc))
        self.conn.network.create_port.assert_not_called()

    def test_forbidden_mac_is_explained(self):
        self.conn.network.create_port.side_effect = \
            os_exc.ForbiddenException('no')
        exc = self.assertRaises(base.TargetError, self.driver.create_ports,
                                None, {'uuid': 'job-7'}, [NIC], ANY)
        self.assertIn('keep_mac', str(exc))

    def test_security_groups_job_level_and_per_nic(self):
        self.conn.network.find_security_group.side_effect = (
            lambda name, ignore_missing: mock.Mock(id='sg-' + name))
        self.conn.network.create_port.side_effect = [
            mock.Mock(id='p1', mac_address='m1'),
            mock.Mock(id='p2', mac_address='m2')]
        mapping = [{'source_network': '4001', 'network_id': 'net',
                    'security_groups': ['web']},
                   {'source_network': '*', 'network_id': 'net'}]
        self.assertEqual(['p1', 'p2'], self.driver.create_ports(
            None, {'uuid': 'job-7'}, [NIC, NIC2], mapping,
            security_groups=['default']))
        calls = self.conn.network.create_port.call_args_list
        self.assertEqual(['sg-default'],
                         calls[0].kwargs['security_group_ids'])
        self.assertEqual(['sg-web'], calls[1].kwargs['security_group_ids'])

    def test_no_security_groups_leaves_the_project_default(self):
        self.driver.create_ports(None, {'uuid': 'job-7'}, [NIC], ANY)
        self.assertNotIn('security_group_ids',
                         self.conn.network.create_port.call_args.kwargs)

    def test_fixed_ip_and_subnet(self):
        self.conn.network.find_subnet.return_value = mock.Mock(id='sub-id')
        self.driver.create_ports(None, {'uuid': 'job-7'}, [NIC], [
            {'source_network': '*', 'network_id': 'net',
             'fixed_ip': '10.0.0.5', 'subnet': 'v4'}])
        self.assertEqual(
            [{'ip_address': '10.0.0.5', 'subnet_id': 'sub-id'}],
            self.conn.network.create_port.call_args.kwargs['fixed_ips'])
        self.conn.network.find_subnet.assert_called_once_with(
            'v4', network_id='net-id', ignore_missing=True)

    def test_unknown_security_group_refused_before_creating(self):
        self.conn.network.find_security_group.return_value = None
        exc = self.assertRaises(base.TargetError, self.driver.create_ports,
                                None, {'uuid': 'job-7'}, [NIC], ANY,
                                security_groups=['ghost'])
        self.assertIn('ghost', str(exc))
        self.conn.network.create_port.assert_not_called()

    def test_failure_deletes_only_the_ports_it_created(self):
        # NIC's port exists from an earlier run; NIC2's is refused.
        self.conn.network.ports.side_effect = [[mock.Mock(id='old')], [],
                                               []]
        self.conn.network.create_port.side_effect = [
            mock.Mock(id='new', mac_address='m'),
            os_exc.ConflictException('in use')]
        nic3 = dict(NIC2, device_key=4002)
        self.assertRaises(base.TargetError, self.driver.create_ports, None,
                          {'uuid': 'job-7'}, [NIC, NIC2, nic3], ANY)
        self.conn.network.delete_port.assert_called_once_with(
            'new', ignore_missing=True)

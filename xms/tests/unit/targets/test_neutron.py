from unittest import mock

from openstack import exceptions as os_exc

from xms.targets import base
from xms.targets.network import neutron
from xms.tests import base as test_base

NIC = {'device_key': 4000, 'mac_address': '00:50:56:AA:BB:CC',
       'network_name': 'VM Network'}


class MappingEntryTest(test_base.TestCase):

    def test_by_key_mac_name_and_wildcard(self):
        for source in ('4000', '00:50:56:aa:bb:cc', 'vm network'):
            entry = neutron.mapping_entry(
                NIC, [{'source': '*', 'network': 'fallback'},
                      {'source': source, 'network': 'net',
                       'keep_mac': False}])
            self.assertEqual('net', entry['network'])
            self.assertFalse(entry['keep_mac'])
        self.assertEqual('fallback', neutron.mapping_entry(
            NIC, [{'source': '*', 'network': 'fallback'}])['network'])

    def test_dict_forms(self):
        self.assertEqual('net', neutron.mapping_entry(
            NIC, {'4000': 'net'})['network'])
        self.assertEqual('10.0.0.5', neutron.mapping_entry(
            NIC, {'4000': {'network': 'net', 'fixed_ip': '10.0.0.5'}}
        )['fixed_ip'])

    def test_unmapped(self):
        self.assertIsNone(neutron.mapping_entry(NIC, [{'source': '1',
                                                       'network': 'n'}]))
        self.assertIsNone(neutron.mapping_entry(NIC, None))
        self.assertEqual(['4000'], neutron.check_mapping([NIC], {}))


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
        ids = self.driver.create_ports(None, {'id': 7}, [NIC],
                                       [{'source': '*', 'network': 'net'}])
        self.assertEqual(['port-id'], ids)
        attrs = self.conn.network.create_port.call_args.kwargs
        self.assertEqual('00:50:56:aa:bb:cc', attrs['mac_address'])
        self.assertEqual('xms-job-7-nic-4000', attrs['name'])
        self.assertEqual('net-id', attrs['network_id'])

    def test_mac_not_kept(self):
        self.driver.create_ports(None, {'id': 7}, [NIC],
                                 [{'source': '*', 'network': 'net',
                                   'keep_mac': False}])
        self.assertNotIn('mac_address',
                         self.conn.network.create_port.call_args.kwargs)

    def test_existing_port_is_reused(self):
        self.conn.network.ports.return_value = [mock.Mock(id='old')]
        self.assertEqual(['old'], self.driver.create_ports(
            None, {'id': 7}, [NIC], {'*': 'net'}))
        self.conn.network.create_port.assert_not_called()

    def test_refuses_before_creating(self):
        nic2 = dict(NIC, device_key=4001, mac_address=None,
                    network_name='other')
        self.assertRaises(base.NetworkMappingMissing,
                          self.driver.create_ports, None, {'id': 7},
                          [NIC, nic2], {'4000': 'net'})
        self.conn.network.find_network.return_value = None
        exc = self.assertRaises(base.NetworkNotFound,
                                self.driver.create_ports, None, {'id': 7},
                                [NIC], {'4000': 'ghost'})
        self.assertIn('ghost', str(exc))
        self.conn.network.create_port.assert_not_called()

    def test_forbidden_mac_is_explained(self):
        self.conn.network.create_port.side_effect = \
            os_exc.ForbiddenException('no')
        exc = self.assertRaises(base.TargetError, self.driver.create_ports,
                                None, {'id': 7}, [NIC], {'*': 'net'})
        self.assertIn('keep_mac', str(exc))

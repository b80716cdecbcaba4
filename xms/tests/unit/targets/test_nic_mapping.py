from xms.targets import nic_mapping
from xms.tests import base as test_base

NIC = {'device_key': 4000, 'mac_address': '00:50:56:AA:BB:CC',
       'network_name': 'VM Network'}


def entry(source, network, **options):
    return dict(options, source_network=source, network_id=network)


class ResolveTest(test_base.TestCase):

    def test_by_device_key_mac_port_group_and_wildcard(self):
        for source in ('4000', '00:50:56:aa:bb:cc', '00:50:56:AA:BB:CC',
                       'VM Network', 'vm network'):
            got = nic_mapping.resolve(NIC, [entry('*', 'fallback'),
                                            entry(source, 'net')])
            self.assertEqual('net', got['network'], source)
        self.assertEqual('fallback', nic_mapping.resolve(
            NIC, [entry('*', 'fallback')])['network'])

    def test_most_specific_entry_wins_whatever_the_order(self):
        mapping = [entry('*', 'any'), entry('VM Network', 'group'),
                   entry('00:50:56:aa:bb:cc', 'mac'), entry('4000', 'key')]
        self.assertEqual('key', nic_mapping.network_for(NIC, mapping))
        self.assertEqual('mac', nic_mapping.network_for(
            NIC, list(reversed(mapping[:3]))))
        self.assertEqual('group', nic_mapping.network_for(
            NIC, mapping[:2]))

    def test_first_entry_of_a_source_wins(self):
        self.assertEqual('a', nic_mapping.network_for(
            NIC, [entry('4000', 'a'), entry('4000', 'b')]))

    def test_options(self):
        got = nic_mapping.resolve(NIC, [entry(
            '4000', 'net', fixed_ip='10.0.0.5', subnet='v4', keep_mac=False,
            security_groups=['web'])], security_groups=['default'])
        self.assertEqual({'network': 'net', 'fixed_ip': '10.0.0.5',
                          'subnet': 'v4', 'keep_mac': False,
                          'security_groups': ['web']}, got)

    def test_defaults(self):
        self.config(keep_mac=True, group='target')
        got = nic_mapping.resolve(NIC, [entry('*', 'net')])
        self.assertEqual({'network': 'net', 'fixed_ip': None,
                          'subnet': None, 'keep_mac': True,
                          'security_groups': None}, got)
        self.config(keep_mac=False, group='target')
        self.assertFalse(nic_mapping.resolve(
            NIC, [entry('*', 'net')])['keep_mac'])

    def test_job_security_groups_when_the_entry_has_none(self):
        self.assertEqual(['default'], nic_mapping.resolve(
            NIC, [entry('*', 'net')],
            security_groups=['default'])['security_groups'])
        # An empty list is the user's choice: no group at all.
        self.assertEqual([], nic_mapping.resolve(
            NIC, [entry('*', 'net', security_groups=[])],
            security_groups=['default'])['security_groups'])

    def test_unmapped(self):
        nic2 = {'device_key': 4001, 'mac_address': None,
                'network_name': None}
        mapping = [entry('4000', 'net')]
        self.assertIsNone(nic_mapping.resolve(nic2, mapping))
        self.assertIsNone(nic_mapping.network_for(NIC, None))
        self.assertEqual([nic2], nic_mapping.unmapped([NIC, nic2],
                                                      mapping))
        self.assertEqual([NIC], nic_mapping.unmapped([NIC], []))

    def test_reads_db_rows_alike(self):
        class Row:
            device_key = 4000
            mac_address = None
            network_name = 'VM Network'
        self.assertEqual('net', nic_mapping.network_for(
            Row(), [entry('vm network', 'net')]))

    def test_ignores_entries_without_network(self):
        self.assertIsNone(nic_mapping.resolve(
            NIC, [{'source_network': '4000'}, 'junk']))

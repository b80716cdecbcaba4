from xml.etree import ElementTree as ET

from xms.targets.compute import local
from xms.tests import base as test_base


class DomainXmlTest(test_base.TestCase):

    def _dom(self, meta, disks=('/a.raw',), nics=()):
        return ET.fromstring(local.build_domain_xml(  # noqa: S314
            'vm', 'uuid-1', 2, 1024, list(disks), list(nics), meta))

    def test_bios_defaults(self):
        dom = self._dom({})
        self.assertIsNone(dom.find('os').get('firmware'))
        self.assertEqual('q35', dom.find('os/type').get('machine'))
        disk = dom.find('devices/disk')
        self.assertEqual('vda', disk.find('target').get('dev'))
        self.assertEqual('virtio', disk.find('target').get('bus'))

    def test_uefi_secure_boot(self):
        dom = self._dom({'hw_firmware_type': 'uefi',
                         'os_secure_boot': 'required'})
        self.assertEqual('efi', dom.find('os').get('firmware'))
        self.assertEqual('yes', dom.find('os/loader').get('secure'))

    def test_many_disks_and_nics(self):
        disks = ['/d%d.raw' % i for i in range(28)]
        dom = self._dom({'hw_disk_bus': 'sata', 'hw_vif_model': 'e1000'},
                        disks, [{'mac_address': 'aa:bb:cc:dd:ee:ff',
                                 'network': 'n1'}, {'network': None}])
        devs = [d.find('target').get('dev')
                for d in dom.findall('devices/disk')]
        self.assertEqual(['sda', 'sdb'], devs[:2])
        self.assertEqual(['sdz', 'sdaa', 'sdab'], devs[25:])
        ifaces = dom.findall('devices/interface')
        self.assertEqual('aa:bb:cc:dd:ee:ff',
                         ifaces[0].find('mac').get('address'))
        self.assertIsNone(ifaces[1].find('mac'))
        self.assertEqual('default', ifaces[1].find('source').get('network'))
        self.assertEqual('e1000', ifaces[0].find('model').get('type'))

    def test_flavor_forms(self):
        self.assertEqual((2, 512), local._flavor_dims('local-2-512'))
        self.assertEqual((4, 64), local._flavor_dims({'vcpus': 4,
                                                      'ram': 64}))

import json

from xms.conversion import inspector
from xms.tests import base

PROBE = {
    'roots': ['/dev/sda1'],
    'os': {'type': 'linux', 'distro': 'debian', 'major_version': 12,
           'minor_version': 15, 'version': '12.15', 'product_name': '12.15',
           'osinfo': 'debian12', 'arch': 'x86_64', 'hostname': 'g',
           'root': '/dev/sda1', 'package_format': 'deb'},
    'firmware': 'bios', 'partition_table': 'msdos',
    'partitions': [{'partition': '/dev/sda1', 'table': 'msdos',
                    'type': '0x83'}],
    'boot_loader': 'grub2',
    'drivers': {'virtio': True, 'virtio_drivers': ['virtio_blk'],
                'kernels': ['linux-image-amd64']},
    'vmware_tools': {'installed': True, 'packages': ['open-vm-tools'],
                     'files': ['/usr/bin/vmtoolsd']},
}


class TestNormalise(base.TestCase):

    def test_keys(self):
        result = inspector.normalise(PROBE)
        self.assertEqual('linux', result['os_type'])
        self.assertEqual('debian', result['distro'])
        self.assertEqual('12.15', result['version'])
        self.assertEqual(12, result['major_version'])
        self.assertEqual('bios', result['firmware'])
        self.assertEqual('grub2', result['boot_loader'])
        self.assertTrue(result['virtio_drivers'])
        self.assertEqual(['virtio_blk'], result['drivers'])
        self.assertTrue(result['vmware_tools'])
        self.assertEqual(['open-vm-tools'], result['vmware_tools_packages'])
        self.assertNotIn('partitions', result)
        json.dumps(result)  # stored as JSON on the job

    def test_empty(self):
        result = inspector.normalise({})
        self.assertIsNone(result['os_type'])
        self.assertFalse(result['vmware_tools'])

    def test_summary(self):
        self.assertEqual(
            'Inspected guest: linux debian 12.15 (x86_64), BIOS firmware, '
            'boot loader grub2, VirtIO drivers present, VMware Tools '
            'installed', inspector.summary(inspector.normalise(PROBE)))

    def test_last_json(self):
        self.assertEqual({'a': 1}, inspector._last_json(
            ['noise', '{"a": 1}', '']))
        self.assertIsNone(inspector._last_json(['{broken']))
        self.assertIsNone(inspector._last_json([]))


class TestImageMetadata(base.TestCase):

    def test_linux_bios_virtio(self):
        self.assertEqual(
            {'hw_firmware_type': 'bios', 'hw_machine_type': 'q35',
             'hw_disk_bus': 'virtio', 'hw_vif_model': 'virtio',
             'os_type': 'linux', 'os_distro': 'debian',
             'os_version': '12.15'},
            inspector.image_metadata(inspector.normalise(PROBE)))

    def test_windows_uefi_without_virtio(self):
        metadata = inspector.image_metadata(
            {'os_type': 'windows', 'distro': 'windows', 'version': '10.0',
             'firmware': 'uefi', 'virtio_drivers': False})
        self.assertEqual('uefi', metadata['hw_firmware_type'])
        self.assertEqual('sata', metadata['hw_disk_bus'])
        self.assertEqual('e1000', metadata['hw_vif_model'])
        self.assertEqual('windows', metadata['os_type'])
        self.assertEqual('windows', metadata['os_distro'])

    def test_distro_names_for_glance(self):
        for distro, glance in [('archlinux', 'arch'),
                               ('redhat-based', 'rhel'),
                               ('ubuntu', 'ubuntu'), ('rhel', 'rhel')]:
            self.assertEqual(glance, inspector.image_metadata(
                {'distro': distro})['os_distro'])
        self.assertNotIn('os_distro',
                         inspector.image_metadata({'distro': 'unknown'}))

    def test_converted_linux_has_guest_agent(self):
        metadata = inspector.image_metadata({'os_type': 'linux',
                                             'converted': True})
        self.assertEqual('yes', metadata['hw_qemu_guest_agent'])

    def test_conservative_defaults(self):
        self.assertEqual(
            {'hw_firmware_type': 'bios', 'hw_machine_type': 'q35',
             'hw_disk_bus': 'virtio', 'hw_vif_model': 'virtio'},
            inspector.image_metadata(None))


class TestV2vInspectorXml(base.TestCase):

    def test_parse(self):
        text = """<?xml version='1.0' encoding='utf-8'?>
<v2v-inspection>
  <program>virt-v2v-inspector</program>
  <disks>
    <disk index='0'>
      <virtual-size>2147483648</virtual-size>
      <allocation>785563648</allocation>
    </disk>
  </disks>
  <operatingsystem>
    <name>linux</name>
    <distro>debian</distro>
    <osinfo>debian12</osinfo>
    <major_version>12</major_version>
    <mountpoints><mountpoint dev='/dev/sda1'>/</mountpoint></mountpoints>
  </operatingsystem>
  <firmware type='bios'/>
</v2v-inspection>"""
        result = inspector.parse_v2v_inspection(text)
        self.assertEqual([{'index': 0, 'virtual_size': 2147483648,
                           'allocation': 785563648}], result['disks'])
        self.assertEqual('debian12', result['osinfo'])
        self.assertEqual('12', result['major_version'])
        self.assertEqual('bios', result['firmware'])
        self.assertNotIn('mountpoints', result)

"""The product's promise on the product's path: a real guest, migrated
cold into the mini-cloud with conversion on, boots.

The VM carries the bootable test guest (``tools/guest/build-test-guest``:
Debian with open-vm-tools and an initramfs without VirtIO drivers, so it
cannot boot on KVM unconverted). A member migrates it through the REST
API with ``xms-api``, ``xms-conductor`` and ``xms-worker`` as separate
processes; the worker converts the attached Cinder volume with
virt-v2v-in-place. The converted volume (the mini-cloud's file-backed
volume) then boots to a login prompt under qemu, as the conversion test
shows for a disk converted in isolation.
"""

import os

import fixtures
from testtools import content

from xms.tests.functional.conversion import guest
from xms.tests.functional.journey import base

#: Bounds, not performance assertions: a hang must fail the test.
JOB_TIMEOUT = 2400
BOOT_TIMEOUT = 600


class ConvertedGuestJourneyTest(base.JourneyTestCase):

    CONVERSION = 'virt_v2v'
    # The appliance cannot use nested KVM on the test machines.
    EXTRA = {'conversion': {'libguestfs_backend': 'direct',
                            'libguestfs_backend_settings': 'force_tcg',
                            'timeout': JOB_TIMEOUT,
                            'inspect_timeout': 900}}

    def setUp(self):
        super().setUp()
        # Copy + 2 inspections + conversion + boot, under TCG; replaces
        # the functional environment's shorter timeout.
        self.useFixture(fixtures.Timeout(3600, gentle=True))

    def _prepare_vm(self):
        """The test guest as the VM's only disk, and a second NIC."""
        image = guest.build_test_guest()
        self.sim.put_disk(self.VM, image, disk=0)
        disk = self.sim.disks(self.VM)[0]
        self.disks = {disk.key: {'index': 0,
                                 'size': os.path.getsize(image)}}
        self.nic_mac = '00:50:56:%s' % os.urandom(3).hex(':')
        self.nic2_key, _mac = self.sim.add_nic(self.VM, 'VM Network',
                                               mac=self.nic_mac)

    def test_cold_converted_guest_boots(self):
        vm = self.register_and_discover()
        target = dict(self.target_spec(vm), convert_guest=True)
        pf = self.preflight(vm, 'cold', target)
        self.assertIn(pf['verdict'], ('pass', 'warn'), pf)
        job = self.submit(vm, 'cold', target)
        job = self.follow(job, ('completed',), timeout=JOB_TIMEOUT)

        # Copied bit for bit before conversion changed the volume.
        (disk,) = job['disks']
        self.assertTrue(disk['source_digest'])
        self.assertEqual(disk['source_digest'], disk['target_digest'])
        # The guest as found, and as converted.
        before, after = job['inspection'], job['inspection_converted']
        self.assertEqual('debian', before['distro'])
        self.assertTrue(before['vmware_tools'], before)
        self.assertEqual('debian', after['distro'])
        self.assertFalse(after['vmware_tools'], after)
        self.assertTrue(after['virtio_drivers'], after)
        server, ports = self.assert_target(job, target)
        boot = self.admin.block_storage.get_volume(disk['volume_id'])
        for key, value in after['image_metadata'].items():
            self.assertEqual(str(value), boot.volume_image_metadata[key])
        self.report('converted cold', job, server, ports)

        # Boot what is in Cinder, through an overlay that leaves it as is.
        work = self.useFixture(fixtures.TempDir()).path
        overlay = guest.overlay_of(self.volume_file(disk['volume_id']),
                                   work)
        console = os.path.join(work, 'console.log')
        seconds = guest.boot_until_login(overlay, 'qcow2', BOOT_TIMEOUT,
                                         console)
        with open(console, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
        self.addDetail('console', content.text_content(text[-4000:]))
        self.assertIsNotNone(seconds, 'no login prompt on the serial '
                             'console of the migrated, converted volume')
        self.assertIn('xms-test-guest login:', text)
        print('converted volume %s booted to a login prompt in %.0f s' % (
            disk['volume_id'], seconds))

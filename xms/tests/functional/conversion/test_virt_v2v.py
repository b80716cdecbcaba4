"""Convert a real guest with virt-v2v-in-place and boot the result.

One conversion per test run: under TCG it takes minutes (the initramfs
is rebuilt inside the libguestfs appliance; about 2 minutes for the test
guest's short module list), so everything about it is asserted in one
test method.
"""

import os

import fixtures
from testtools import content

from xms.conversion import base as conversion_base
from xms.conversion import disks
from xms.conversion import errors
from xms.tests.functional import base
from xms.tests.functional.conversion import guest

#: Bounds, not performance assertions: a hang must fail the test.
CONVERSION_TIMEOUT = 2400
INSPECT_TIMEOUT = 900
BOOT_TIMEOUT = 600


class ConversionTestCase(base.FunctionalTestCase):
    DB_BACKEND = None

    def setUp(self):
        super().setUp()
        # The appliance cannot use nested KVM on the test machines.
        self.config(libguestfs_backend='direct',
                    libguestfs_backend_settings='force_tcg',
                    timeout=CONVERSION_TIMEOUT,
                    inspect_timeout=INSPECT_TIMEOUT, group='conversion')
        self.work = self.useFixture(fixtures.TempDir()).path


class TestConvertTestGuest(ConversionTestCase):

    def setUp(self):
        super().setUp()
        # Build (cached) + 2 inspections + conversion + boot, under TCG.
        self.useFixture(fixtures.Timeout(3600, gentle=True))

    def test_convert_and_boot(self):
        image = guest.build_test_guest()
        target = guest.overlay_of(image, self.work)
        converter = conversion_base.get_converter('virt_v2v')

        before = converter.inspect(None, None, [target])
        self.assertEqual('linux', before['os_type'])
        self.assertEqual('debian', before['distro'])
        self.assertEqual(12, before['major_version'])
        self.assertEqual('bios', before['firmware'])
        self.assertEqual('msdos', before['partition_table'])
        self.assertEqual('grub2', before['boot_loader'])
        self.assertTrue(before['virtio_drivers'])
        self.assertIn('virtio_blk', before['drivers'])
        self.assertTrue(before['vmware_tools'])
        self.assertIn('open-vm-tools', before['vmware_tools_packages'])
        self.assertEqual(
            {'hw_firmware_type': 'bios', 'hw_machine_type': 'q35',
             'hw_disk_bus': 'virtio', 'hw_vif_model': 'virtio',
             'os_type': 'linux', 'os_distro': 'debian',
             'os_version': before['version']},
            before['image_metadata'])

        # Before conversion the VMware-flavoured initramfs has no VirtIO
        # drivers: on a VirtIO disk the guest cannot find its root.
        console = os.path.join(self.work, 'console-before.log')
        pattern, _seconds = guest.boot(
            target, 'qcow2', BOOT_TIMEOUT, console,
            patterns=(guest.LOGIN_PROMPT,) + guest.NO_ROOT)
        self._attach('console-before', console)
        self.assertIn(pattern, guest.NO_ROOT)

        seen = []
        lines = converter.convert(None, None, [target], before,
                                  log_callback=seen.append)
        with open(os.path.join(self.work, 'conversion.log'), 'w') as f:
            f.write('\n'.join(seen))
        self.addDetail('conversion', content.text_content(
            '\n'.join(seen)))
        self.assertTrue(any('Converting' in line for line in lines),
                        lines)
        self.assertFalse([line for line in seen if ': error:' in line])
        self.assertEqual('Conversion committed to the target disks',
                         seen[-1])
        # Converted through an overlay that was committed and removed.
        self.assertFalse(os.path.exists(target + disks.OVERLAY_SUFFIX))

        after = converter.inspect(None, None, [target])
        self.assertEqual('debian', after['distro'])
        self.assertFalse(after['vmware_tools'], after)
        self.assertEqual('bios', after['firmware'])
        self.assertTrue(after['virtio_drivers'])

        console = os.path.join(self.work, 'console.log')
        seconds = guest.boot_until_login(target, 'qcow2', BOOT_TIMEOUT,
                                         console)
        text = self._attach('console', console)
        self.assertIsNotNone(seconds, 'no login prompt on the serial '
                             'console of the converted guest')
        self.assertIn('xms-test-guest login:', text)
        self.assertIn('virtio_blk', text)

    def _attach(self, name, path):
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
        self.addDetail(name, content.text_content(text[-4000:]))
        return text


class TestNoOperatingSystem(ConversionTestCase):
    """A blank disk fails clearly and quickly, it does not hang."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.Timeout(1200, gentle=True))
        self.disk = os.path.join(self.work, 'blank.raw')
        with open(self.disk, 'wb') as f:
            f.truncate(64 * 1024 * 1024)

    def test_blank_disk(self):
        converter = conversion_base.get_converter('virt_v2v')
        exc = self.assertRaises(errors.ConversionFailed, converter.inspect,
                                None, None, [self.disk])
        self.assertEqual('no_operating_system', exc.cause)
        self.assertIn('no operating system found', str(exc))

        seen = []
        exc = self.assertRaises(errors.ConversionFailed, converter.convert,
                                None, None, [self.disk], {},
                                log_callback=seen.append)
        self.assertEqual('no_operating_system', exc.cause)
        self.assertIn('virt-v2v-in-place: inspection could not detect the '
                      'source guest', str(exc))
        self.assertIn('No operating system was found', str(exc))
        # The blank disk is untouched and no overlay is left behind.
        self.assertFalse(os.path.exists(self.disk + disks.OVERLAY_SUFFIX))
        with open(self.disk, 'rb') as f:
            self.assertEqual(b'\0' * 512, f.read(512))
        self.assertTrue(any('Inspecting the source' in line
                            for line in seen))

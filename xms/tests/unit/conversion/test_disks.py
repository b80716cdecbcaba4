import os
import subprocess
import xml.etree.ElementTree as ElementTree

from xms.conversion import disks
from xms.conversion import errors
from xms.tests import base


def make_raw(path, size='1M', pattern=None):
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', path, size],
                   check=True)
    if pattern is not None:
        with open(path, 'r+b') as f:
            f.write(bytes([pattern]) * 4096)


def write_overlay(overlay, pattern):
    subprocess.run(['qemu-io', '-f', 'qcow2', '-c',
                    'write -P %d 0 4k' % pattern, overlay], check=True,
                   capture_output=True)


class TestDomainXml(base.TestCase):

    def test_disks_in_order_with_formats(self):
        a = os.path.join(self.state_path, 'a.raw')
        b = os.path.join(self.state_path, 'b.qcow2')
        make_raw(a)
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', b, '1M'],
                       check=True)
        root = ElementTree.fromstring(  # noqa: S314 - our own XML
            disks.domain_xml('vm-1', [a, b]))
        self.assertEqual('vm-1', root.findtext('name'))
        found = [(d.find('driver').get('type'), d.find('source').get('file'),
                  d.find('target').get('dev'))
                 for d in root.findall('./devices/disk')]
        self.assertEqual([('raw', a, 'sda'), ('qcow2', b, 'sdb')], found)

    def test_dev_names(self):
        self.assertEqual(['sda', 'sdz', 'sdaa', 'sdab'],
                         [disks._dev_name(i) for i in (0, 25, 26, 27)])

    def test_unreadable_disk(self):
        exc = self.assertRaises(errors.ConversionFailed, disks.disk_format,
                                os.path.join(self.state_path, 'missing'))
        self.assertEqual('disk', exc.cause)


class TestOverlay(base.TestCase):

    def setUp(self):
        super().setUp()
        self.disk = os.path.join(self.state_path, 'target.raw')
        make_raw(self.disk, pattern=0x11)

    def _first_byte(self):
        with open(self.disk, 'rb') as f:
            return f.read(1)[0]

    def test_commit_writes_base(self):
        overlay = disks.prepare_conversion_disk(self.disk)
        self.assertEqual(self.disk + disks.OVERLAY_SUFFIX, overlay)
        self.assertEqual('qcow2', disks.disk_format(overlay))
        write_overlay(overlay, 0x5a)
        self.assertEqual(0x11, self._first_byte())
        disks.commit(overlay)
        self.assertEqual(0x5a, self._first_byte())
        self.assertFalse(os.path.exists(overlay))

    def test_discard_keeps_base(self):
        overlay = disks.prepare_conversion_disk(self.disk)
        write_overlay(overlay, 0x5a)
        disks.discard(overlay)
        disks.discard(overlay)  # idempotent
        self.assertEqual(0x11, self._first_byte())
        self.assertFalse(os.path.exists(overlay))

    def test_prepare_replaces_stale_overlay(self):
        overlay = disks.prepare_conversion_disk(self.disk)
        write_overlay(overlay, 0x5a)
        overlay = disks.prepare_conversion_disk(self.disk)
        disks.commit(overlay)
        self.assertEqual(0x11, self._first_byte())

    def test_work_dir_default(self):
        self.assertEqual(os.path.join(self.state_path, 'conversion'),
                         disks.work_dir())
        self.assertTrue(os.path.isdir(disks.work_dir()))

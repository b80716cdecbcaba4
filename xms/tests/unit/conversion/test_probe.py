from xms.conversion import probe
from xms.tests import base


class FakeGuestFS:
    """Answers the libguestfs calls the probe makes from a small table."""

    def __init__(self, partitions=(), files=(), dirs=(), globs=None,
                 files_content=None):
        self.partitions = dict(partitions)  # part -> (table, type)
        self.files = set(files)
        self.dirs = set(dirs)
        self.globs = globs or {}
        self.files_content = files_content or {}

    def list_partitions(self):
        return sorted(self.partitions)

    def part_to_dev(self, part):
        return part.rstrip('0123456789')

    def part_to_partnum(self, part):
        return int(part[len(self.part_to_dev(part)):])

    def part_get_parttype(self, device):
        for part, (table, _kind) in self.partitions.items():
            if part.startswith(device):
                return table
        raise RuntimeError('unrecognised disk label')

    def part_get_gpt_type(self, device, number):
        return self.partitions['%s%d' % (device, number)][1]

    def part_get_mbr_id(self, device, number):
        return self.partitions['%s%d' % (device, number)][1]

    def is_file(self, path):
        return path in self.files

    def is_dir(self, path):
        return path in self.dirs

    def glob_expand(self, pattern):
        return self.globs.get(pattern, [])

    def read_file(self, path):
        if path not in self.files_content:
            raise RuntimeError('no such file')
        return self.files_content[path]

    def case_sensitive_path(self, path):
        return path


class TestFirmware(base.TestCase):

    def test_gpt_with_esp_is_uefi(self):
        g = FakeGuestFS(partitions={
            '/dev/sda1': ('gpt', probe.ESP_GPT_TYPE.lower()),
            '/dev/sda2': ('gpt', '0FC63DAF-8483-4772-8E79-3D69D8477DE4')})
        firmware, table, _parts = probe._firmware(g)
        self.assertEqual(('uefi', 'gpt'), (firmware, table))

    def test_gpt_with_bios_boot_partition_is_bios(self):
        g = FakeGuestFS(partitions={
            '/dev/sda1': ('gpt', probe.BIOS_BOOT_GPT_TYPE),
            '/dev/sda2': ('gpt', '0FC63DAF-8483-4772-8E79-3D69D8477DE4')})
        self.assertEqual(('bios', 'gpt'), probe._firmware(g)[:2])

    def test_msdos(self):
        g = FakeGuestFS(partitions={'/dev/sda1': ('msdos', 0x83)})
        firmware, table, parts = probe._firmware(g)
        self.assertEqual(('bios', 'msdos'), (firmware, table))
        self.assertEqual('0x83', parts[0]['type'])
        g = FakeGuestFS(partitions={'/dev/sda1': ('msdos', 0xef)})
        self.assertEqual('uefi', probe._firmware(g)[0])

    def test_no_partitions(self):
        self.assertEqual(('bios', None, []), probe._firmware(FakeGuestFS()))


class TestBootLoaderAndDrivers(base.TestCase):

    def test_boot_loaders(self):
        for files, globs, expected in [
                ({'/boot/grub/grub.cfg'}, {}, 'grub2'),
                ({'/boot/grub2/grub.cfg'}, {}, 'grub2'),
                (set(), {'/boot/efi/EFI/*/grubx64.efi':
                         ['/boot/efi/EFI/debian/grubx64.efi']}, 'grub2'),
                ({'/boot/grub/menu.lst'}, {}, 'grub-legacy'),
                ({'/boot/loader/loader.conf'}, {}, 'systemd-boot'),
                ({'/etc/lilo.conf'}, {}, 'lilo'),
                (set(), {}, None)]:
            g = FakeGuestFS(files=files, globs=globs)
            self.assertEqual(expected, probe._linux_boot_loader(g, 'bios'))

    def test_virtio_modules_and_builtins(self):
        kernel = '/lib/modules/6.1.0-50-amd64/'
        g = FakeGuestFS(
            globs={'/lib/modules/*/': [kernel],
                   kernel.rstrip('/') + '/kernel/drivers/*/virtio_blk.ko*':
                   [kernel + 'kernel/drivers/block/virtio_blk.ko']},
            files={kernel + 'modules.builtin'},
            files_content={kernel + 'modules.builtin':
                           b'kernel/drivers/virtio/virtio_pci.ko\n'})
        self.assertEqual(['virtio_blk', 'virtio_pci'], probe._linux_virtio(g))
        self.assertEqual([], probe._linux_virtio(FakeGuestFS()))


class TestVmwareTools(base.TestCase):

    def test_linux_package(self):
        apps = [{'name': 'open-vm-tools', 'display_name': '',
                 'version': '12.2.0'},
                {'name': 'bash', 'display_name': '', 'version': '5.2'}]
        result = probe._vmware_tools(
            FakeGuestFS(files={'/usr/bin/vmtoolsd'}), '/dev/sda1', 'linux',
            apps)
        self.assertEqual({'installed': True, 'packages': ['open-vm-tools'],
                          'files': ['/usr/bin/vmtoolsd']}, result)

    def test_removed_package_leaves_no_binary(self):
        result = probe._vmware_tools(FakeGuestFS(), '/dev/sda1', 'linux',
                                     [{'name': 'bash', 'display_name': '',
                                       'version': '5.2'}])
        self.assertFalse(result['installed'])

    def test_windows_display_name(self):
        apps = [{'name': '{GUID}', 'display_name': 'VMware Tools',
                 'version': '12.1'}]
        result = probe._vmware_tools(FakeGuestFS(), '/dev/sda2', 'windows',
                                     apps)
        self.assertEqual(['VMware Tools'], result['packages'])
        self.assertTrue(result['installed'])

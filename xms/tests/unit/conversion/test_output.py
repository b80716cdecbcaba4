from xms.conversion import output
from xms.conversion import process
from xms.tests import base

NO_SPACE = """\
[   0.0] Setting up the source: -i disk guest.img
[  30.8] Converting 12.15 to run on KVM
virt-v2v: warning: could not determine a way to update the configuration of Grub2
virt-v2v: The QEMU Guest Agent will be installed for this guest at first boot.
virt-v2v: warning: could not add grub2 serial console (ignored)
virt-v2v: error: libguestfs error: command: W: No zstd in /usr/bin:/sbin:/bin, using gzip
gzip: stdout: No space left on device
E: mkinitramfs failure gzip 1
update-initramfs: failed for /boot/initrd.img-6.1.0-50-amd64 with 1.

If reporting bugs, run virt-v2v with debugging enabled and include the complete output:

  virt-v2v -v -x [...]
""".splitlines()  # noqa: E501

NO_OS = """\
[   0.0] Setting up the source: -i libvirtxml /tmp/x.xml
[   1.1] Opening the source
[  40.2] Inspecting the source
virt-v2v-in-place: error: inspection could not detect the source guest (or
physical machine).

Assuming that you are running virt-v2v/virt-p2v on a source which is
supported (and not, for example, a blank disk), then this should not
happen.
""".splitlines()

APPLIANCE = """\
[   1.2] Opening the source
virt-v2v-inspector: error: libguestfs error: /usr/bin/supermin exited with error status 1.
To see full error messages you may need to enable debugging.
Do:
  export LIBGUESTFS_DEBUG=1 LIBGUESTFS_TRACE=1
""".splitlines()  # noqa: E501


class TestErrorParagraph(base.TestCase):

    def test_multiline_error_until_blank_line(self):
        tool, message = output.error_paragraph(NO_SPACE)
        self.assertEqual('virt-v2v', tool)
        self.assertIn('No space left on device', message)
        self.assertIn('update-initramfs: failed', message)
        self.assertNotIn('If reporting bugs', message)

    def test_no_os(self):
        tool, message = output.error_paragraph(NO_OS)
        self.assertEqual('virt-v2v-in-place', tool)
        self.assertEqual('inspection could not detect the source guest '
                         '(or physical machine).', message)

    def test_boilerplate_cut(self):
        _tool, message = output.error_paragraph(APPLIANCE)
        self.assertEqual('libguestfs error: /usr/bin/supermin exited with '
                         'error status 1.', message)

    def test_none_without_error(self):
        self.assertIsNone(output.error_paragraph(NO_SPACE[:4]))

    def test_long_message_truncated(self):
        _tool, message = output.error_paragraph(
            ['virt-v2v: error: ' + 'x' * 5000])
        self.assertEqual(800, len(message))
        self.assertTrue(message.endswith('...'))


class TestClassify(base.TestCase):

    def test_causes(self):
        for text, cause in [
                ('inspection could not detect the source guest',
                 'no_operating_system'),
                ('no operating system found on the disks',
                 'no_operating_system'),
                ('gzip: stdout: No space left on device', 'no_space'),
                ('/usr/bin/supermin exited with error status 1',
                 'appliance'),
                ('failed to set MSR 0x10a', 'appliance'),
                ('there are no virtio drivers available for this version',
                 'virtio_win_missing'),
                ('filesystem is hibernated', 'unclean_filesystem'),
                ('something else entirely', 'unknown')]:
            self.assertEqual(cause, output.classify(text)[0], text)

    def test_advice_for_known_causes(self):
        self.assertIsNone(output.classify('weird')[1])
        self.assertIn('free space',
                      output.classify('No space left on device')[1])


class TestWarningsAndProgress(base.TestCase):

    def test_warnings(self):
        self.assertEqual(
            ['could not determine a way to update the configuration of '
             'Grub2', 'could not add grub2 serial console (ignored)'],
            output.warnings(NO_SPACE))

    def test_progress(self):
        self.assertEqual((30.8, 'Converting 12.15 to run on KVM'),
                         output.progress('[  30.8] Converting 12.15 to run '
                                         'on KVM'))
        self.assertIsNone(output.progress('virt-v2v: warning: x'))


class TestDescribeFailure(base.TestCase):

    def _result(self, lines, rc=1, timed_out=False):
        return process.Result(['virt-v2v-in-place'], rc, lines, timed_out,
                              12.3)

    def test_names_cause_and_advice(self):
        cause, reason = output.describe_failure(self._result(NO_SPACE),
                                                'conversion')
        self.assertEqual('no_space', cause)
        self.assertTrue(reason.startswith('virt-v2v: libguestfs error'))
        self.assertIn('grow the disk', reason)

    def test_timeout(self):
        cause, reason = output.describe_failure(
            self._result(NO_SPACE[:2], rc=-15, timed_out=True),
            'conversion')
        self.assertEqual('timeout', cause)
        self.assertIn('did not finish within 12 s', reason)

    def test_no_error_line_uses_tail(self):
        cause, reason = output.describe_failure(
            self._result(['a', '', 'b', 'Killed']), 'conversion')
        self.assertEqual('unknown', cause)
        self.assertEqual('virt-v2v-in-place exited with status 1: '
                         'a / b / Killed', reason)

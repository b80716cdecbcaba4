import os
import stat
import textwrap

import fixtures

from xms.conversion import base as conversion_base
from xms.conversion import disks
from xms.conversion import errors
from xms.conversion import virt_v2v
from xms.tests import base
from xms.tests.unit.conversion import test_disks

# A stand-in for virt-v2v-in-place: writes a pattern into every disk of
# the libvirt XML it is given (so overlays and commits are observable),
# prints what the real tool prints and exits with $FAKE_V2V_RC.
FAKE_TOOL = textwrap.dedent('''\
    #!/bin/sh
    echo "$@" > "$FAKE_V2V_ARGS"
    env | grep -E '^(LIBGUESTFS_|VIRTIO_WIN)' >> "$FAKE_V2V_ARGS"
    echo "[   0.0] Setting up the source: -i libvirtxml $3"
    for f in $(sed -n 's/.*source file="\\([^"]*\\)".*/\\1/p' "$3"); do
        qemu-io -f qcow2 -c 'write -P 90 0 4k' "$f" >/dev/null
    done
    echo "[  30.8] Converting 12.15 to run on KVM"
    if [ "$FAKE_V2V_RC" != 0 ]; then
        echo "virt-v2v-in-place: error: libguestfs error: gzip: stdout: No space left on device"
        echo "E: mkinitramfs failure gzip 1"
        echo
        echo "If reporting bugs, run virt-v2v-in-place with debugging enabled"
    fi
    exit "$FAKE_V2V_RC"
''')  # noqa: E501


class TestOptions(base.TestCase):

    def test_defaults(self):
        self.config(virtio_win='/srv/virtio-win.iso', group='conversion')
        self.assertEqual(
            {'remove_vmware_tools': True, 'firstboot_scripts': [],
             'static_ips': [], 'virtio_win': '/srv/virtio-win.iso',
             'use_overlay': True},
            virt_v2v.conversion_options())

    def test_job_and_overrides(self):
        self.config(firstboot_scripts=['/etc/xms/site.sh'],
                    group='conversion')
        job = type('Job', (), {'target_spec': {'conversion': {
            'remove_vmware_tools': False,
            'firstboot_scripts': ['/srv/job.sh']}}})()
        opts = virt_v2v.conversion_options(job, {'use_overlay': False})
        self.assertFalse(opts['remove_vmware_tools'])
        self.assertFalse(opts['use_overlay'])
        self.assertEqual(['/srv/job.sh', '/etc/xms/site.sh'],
                         opts['firstboot_scripts'])

    def test_bad_options(self):
        for bad in ({'nope': 1}, 'text', {'static_ips': [{'ip': '1.2.3.4'}]}):
            exc = self.assertRaises(errors.ConversionFailed,
                                    virt_v2v.conversion_options, None, bad)
            self.assertEqual('options', exc.cause)

    def test_mac_argument(self):
        self.assertEqual(
            '52:54:00:aa:bb:cc:ip:192.0.2.10,192.0.2.1,24,192.0.2.53,'
            '192.0.2.54',
            virt_v2v.mac_argument({'mac': '52:54:00:AA:BB:CC',
                                   'ip': '192.0.2.10',
                                   'gateway': '192.0.2.1', 'prefix': 24,
                                   'nameservers': ['192.0.2.53',
                                                   '192.0.2.54']}))
        self.assertEqual('52:54:00:aa:bb:cc:ip:192.0.2.10',
                         virt_v2v.mac_argument({'mac': '52:54:00:aa:bb:cc',
                                                'ip': '192.0.2.10'}))

    def test_command(self):
        opts = virt_v2v.conversion_options(overrides={'static_ips': [
            {'mac': '52:54:00:aa:bb:cc', 'ip': '192.0.2.10'}]})
        self.assertEqual(
            ['virt-v2v-in-place', '-i', 'libvirtxml', '/w/g.xml', '--mac',
             '52:54:00:aa:bb:cc:ip:192.0.2.10'],
            virt_v2v.build_command('/w/g.xml', opts))


class TestPreflightStatus(base.TestCase):

    def test_windows_without_virtio_win_blocks(self):
        status, message, remediation = virt_v2v.preflight_status('windows')
        self.assertEqual('block', status)
        self.assertIn('virtio_win', message)
        self.assertIn('virtio-win', remediation)

    def test_windows_with_missing_path_blocks(self):
        self.config(virtio_win='/nonexistent/virtio-win.iso',
                    group='conversion')
        status, message, _ = virt_v2v.preflight_status('windows')
        self.assertEqual('block', status)
        self.assertIn('does not exist', message)

    def test_windows_with_virtio_win_passes(self):
        self.config(virtio_win=self.state_path, group='conversion')
        self.assertEqual('pass', virt_v2v.preflight_status('windows')[0])

    def test_linux_and_unknown(self):
        self.assertEqual('pass', virt_v2v.preflight_status('linux')[0])
        self.assertEqual('warn', virt_v2v.preflight_status(None)[0])


class TestConvertWithFakeTool(base.TestCase):

    def setUp(self):
        super().setUp()
        bindir = self.useFixture(fixtures.TempDir()).path
        tool = os.path.join(bindir, 'virt-v2v-in-place')
        with open(tool, 'w') as f:
            f.write(FAKE_TOOL)
        os.chmod(tool, stat.S_IRWXU)
        self.args = os.path.join(bindir, 'args')
        customize = os.path.join(bindir, 'virt-customize')
        with open(customize, 'w') as f:
            f.write('#!/bin/sh\necho "$@" > "$FAKE_V2V_ARGS.customize"\n'
                    'echo "[  42.4] Finishing off"\n')
        os.chmod(customize, stat.S_IRWXU)
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', bindir + ':' + os.environ['PATH']))
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_ARGS',
                                                     self.args))
        self.disk = os.path.join(self.state_path, 'target.raw')
        test_disks.make_raw(self.disk, pattern=0x11)
        self.config(libguestfs_backend_settings='force_tcg',
                    group='conversion')

    def _first_byte(self):
        with open(self.disk, 'rb') as f:
            return f.read(1)[0]

    def test_success_commits_and_streams(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        seen = []
        result = virt_v2v.convert_disks([self.disk], {'os_type': 'linux'},
                                        log_callback=seen.append)
        self.assertEqual(90, self._first_byte())
        self.assertFalse(os.path.exists(self.disk + disks.OVERLAY_SUFFIX))
        self.assertIn('[  30.8] Converting 12.15 to run on KVM', seen)
        self.assertEqual('Conversion committed to the target disks',
                         seen[-1])
        self.assertTrue(result['overlay'])
        with open(self.args) as f:
            args = f.read()
        self.assertIn('-i libvirtxml', args)
        self.assertIn('LIBGUESTFS_BACKEND_SETTINGS=force_tcg', args)
        self.assertEqual([], os.listdir(disks.work_dir()))

    def test_failure_names_cause_and_keeps_disk(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '1'))
        exc = self.assertRaises(errors.ConversionFailed,
                                virt_v2v.convert_disks, [self.disk],
                                {'os_type': 'linux'},
                                log_callback=lambda line: None)
        self.assertEqual('no_space', exc.cause)
        self.assertIn('No space left on device', str(exc))
        self.assertIn('mkinitramfs failure', str(exc))
        self.assertIsInstance(exc, conversion_base.ConversionError)
        self.assertEqual(0x11, self._first_byte())
        self.assertFalse(os.path.exists(self.disk + disks.OVERLAY_SUFFIX))

    def test_windows_without_virtio_win_fails_early(self):
        exc = self.assertRaises(errors.ConversionFailed,
                                virt_v2v.convert_disks, [self.disk],
                                {'os_type': 'windows'})
        self.assertEqual('virtio_win_missing', exc.cause)
        self.assertFalse(os.path.exists(self.args))

    def test_virtio_win_exported(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        self.config(virtio_win=self.state_path, group='conversion')
        virt_v2v.convert_disks([self.disk], {'os_type': 'windows'},
                               log_callback=lambda line: None)
        with open(self.args) as f:
            self.assertIn('VIRTIO_WIN=%s' % self.state_path, f.read())

    def test_keep_vmware_tools_warns(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        seen = []
        result = virt_v2v.convert_disks(
            [self.disk], {}, virt_v2v.conversion_options(
                overrides={'remove_vmware_tools': False}),
            log_callback=seen.append)
        self.assertTrue(seen[0].startswith('warning: keeping VMware Tools'))
        self.assertIn('keeping VMware Tools was requested, but virt-v2v '
                      'removes them during the conversion',
                      result['warnings'])

    def test_converter_interface(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        converter = conversion_base.get_converter('virt_v2v')
        self.assertIsInstance(converter, virt_v2v.VirtV2vConverter)
        lines = converter.convert(None, None, [self.disk],
                                  {'os_type': 'linux'},
                                  log_callback=lambda line: None)
        self.assertIn('[  30.8] Converting 12.15 to run on KVM', lines)

    def test_firstboot_scripts_installed_before_commit(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        script = os.path.join(self.state_path, 'fb.sh')
        with open(script, 'w') as f:
            f.write('#!/bin/sh\n')
        virt_v2v.convert_disks(
            [self.disk], {}, virt_v2v.conversion_options(
                overrides={'firstboot_scripts': [script]}),
            log_callback=lambda line: None)
        with open(self.args + '.customize') as f:
            self.assertEqual(
                '--format qcow2 -a %s --firstboot %s' % (
                    self.disk + disks.OVERLAY_SUFFIX, script),
                f.read().strip())

    def test_missing_firstboot_script_discards(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_V2V_RC', '0'))
        exc = self.assertRaises(
            errors.ConversionFailed, virt_v2v.convert_disks, [self.disk],
            {}, virt_v2v.conversion_options(
                overrides={'firstboot_scripts': ['/nonexistent.sh']}),
            log_callback=lambda line: None)
        self.assertEqual('options', exc.cause)
        self.assertEqual(0x11, self._first_byte())
        self.assertFalse(os.path.exists(self.args))  # never started

"""Choice of VDDK or the datastore HTTPS path, and the VDDK command."""

import contextlib
import os
import types
from unittest import mock

from xms.common import credentials
from xms.tests import base
from xms.tests import certs
from xms.tests.unit.transport import test_nbdkit
from xms.transport import exception
from xms.transport import nbdkit
from xms.worker.tasks import source_disk

PASSWORD = 'p4ss "word" $(id) ü'


class ChooseTransportTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(os.path.join(self.libdir, 'lib64'))

    def use(self, plugin_rc, library=True):
        if library:
            open(os.path.join(self.libdir, 'lib64',
                              'libvixDiskLib.so.8.0.2'), 'w').close()
        self.config(vddk_libdir=self.libdir, vddk_transports='nbd',
                    nbdkit_path=test_nbdkit.fake_nbdkit(
                        self.state_path, plugin_rc,
                        "nbdkit: error: cannot open plugin 'vddk'"),
                    group='transport')

    def test_https_without_libdir(self):
        self.assertEqual(
            (source_disk.HTTPS, '[transport]/vddk_libdir is not set'),
            source_disk.choose_transport())

    def test_https_when_the_plugin_is_missing(self):
        self.use(plugin_rc=1)
        transport, reason = source_disk.choose_transport()
        self.assertEqual(source_disk.HTTPS, transport)
        self.assertIn('the nbdkit vddk plugin is not installed', reason)

    def test_vddk_when_configured_and_installed(self):
        self.use(plugin_rc=0)
        transport, reason = source_disk.choose_transport()
        self.assertEqual(source_disk.VDDK, transport)
        self.assertEqual('VDDK 8.0.2 in %s, transport modes nbd'
                         % self.libdir, reason)

    def test_library_missing_is_an_error(self):
        self.use(plugin_rc=0, library=False)
        err = self.assertRaises(exception.VddkUnavailable,
                                source_disk.choose_transport)
        self.assertIn('no lib64/libvixDiskLib.so*', str(err))


class VddkCommandTest(base.TestCase):
    """The exact nbdkit command line VDDK would run with."""

    def setUp(self):
        super().setUp()
        self.use_credential_keys()
        self.libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(os.path.join(self.libdir, 'lib64'))
        open(os.path.join(self.libdir, 'lib64', 'libvixDiskLib.so.8.0.2'),
             'w').close()
        self.config(vddk_libdir=self.libdir, vddk_transports='nbdssl',
                    group='transport')
        self.cert = certs.Certificate(self.state_path)
        self.source = types.SimpleNamespace(
            uuid='src-1', host='vc.example.org', port=443,
            username='svc@vsphere.local',
            password_encrypted=credentials.encrypt(PASSWORD),
            product_version='7.0.3')

    def test_command_line(self):
        info = {'file_name': '[ds 1] vm1/vm1-000001.vmdk',
                'certificate': self.cert.pem,
                'url': 'https://vc.example.org/folder/x', 'cookie': 'c'}
        src = source_disk.vddk_source(self.source, 'vm-42', 'snapshot-7',
                                      info)
        server = nbdkit.NbdkitServer(src, nbdkit='nbdkit')
        server.tmpdir = '/run/xms-nbdkit-x'
        server.socket = '/run/xms-nbdkit-x/nbd.sock'
        self.assertEqual([
            'nbdkit', '--foreground', '--exit-with-parent',
            '--unix', '/run/xms-nbdkit-x/nbd.sock', '--readonly',
            '--filter=retry', 'vddk',
            'libdir=%s' % self.libdir,
            'server=vc.example.org',
            'user=svc@vsphere.local',
            'thumbprint=%s' % self.cert.thumbprint('sha1'),
            'vm=moref=vm-42',
            'snapshot=snapshot-7',
            'transports=nbdssl',
            'file=[ds 1] vm1/vm1-000001.vmdk',
            'port=443',
            'password=+/run/xms-nbdkit-x/secret-password',
        ], server.argv())
        self.assertEqual({'password': PASSWORD}, src.secrets)
        self.assertNotIn(PASSWORD, ' '.join(server.argv()))
        self.assertNotIn(PASSWORD, repr(src))

    def test_password_file_written_0600_and_removed(self):
        info = {'file_name': '[ds] vm/vm.vmdk',
                'certificate': self.cert.pem}
        src = source_disk.vddk_source(self.source, 'vm-1', 'snapshot-1',
                                      info)
        server = nbdkit.NbdkitServer(src)
        server.tmpdir = self.state_path
        server._write_files()
        path = os.path.join(self.state_path, 'secret-password')
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        with open(path) as f:
            self.assertEqual(PASSWORD, f.read())
        server._remove_secret_files()
        self.assertFalse(os.path.exists(path))

    def test_no_certificate_no_vddk(self):
        err = self.assertRaises(
            exception.VddkUnavailable, source_disk.vddk_source,
            self.source, 'vm-1', 'snapshot-1',
            {'file_name': '[ds] vm/vm.vmdk', 'certificate': None})
        self.assertIn('no server certificate', str(err))

    def test_incompatible_vsphere_refused(self):
        self.source.product_version = '6.0.0'
        self.assertRaises(
            exception.VddkIncompatible, source_disk.vddk_source,
            self.source, 'vm-1', 'snapshot-1',
            {'file_name': '[ds] vm/vm.vmdk', 'certificate': self.cert.pem})


class HttpsSourceTest(base.TestCase):
    """How curl is told to trust the server, per source setting."""

    def setUp(self):
        super().setUp()
        self.cert = certs.Certificate(self.state_path)
        self.info = {'url': 'https://vc.example.org:443/folder/d-flat.vmdk',
                     'cookie': 'vmware_soap_session="c00kie"',
                     'certificate': self.cert.pem}
        self.records = []
        patcher = mock.patch.object(
            source_disk.base, 'record',
            side_effect=lambda job, kind, *a, **k: self.records.append(kind))
        patcher.start()
        self.addCleanup(patcher.stop)

    def https(self, **values):
        row = dict(uuid='src-1', host='vc.example.org', ca_cert=None,
                   thumbprint=None, verify_tls=True)
        row.update(values)
        with contextlib.ExitStack() as stack:
            src = source_disk.https_source(mock.Mock(), types.SimpleNamespace(
                **row), self.info, stack)
            params = dict(src.params)
            if 'cainfo' in params and os.path.exists(params['cainfo']):
                with open(params['cainfo']) as f:
                    params['cainfo-content'] = f.read()
        return src, params

    def test_pin_gives_curl_the_accepted_certificate(self):
        src, params = self.https(thumbprint=self.cert.thumbprint(),
                                 verify_tls=False)
        self.assertEqual('{%s}' % nbdkit.PINNED_CERT_FILE, params['cainfo'])
        self.assertEqual(self.cert.pem.encode(),
                         src.files[nbdkit.PINNED_CERT_FILE])
        self.assertNotIn('sslverify', params)
        self.assertEqual([], self.records)

    def test_ca_certificate_is_curls_ca(self):
        other = certs.Certificate(self.state_path, name='ca')
        _src, params = self.https(ca_cert=other.pem,
                                  thumbprint=self.cert.thumbprint())
        self.assertEqual(other.pem, params['cainfo-content'])
        self.assertNotIn('sslverify', params)

    def test_system_store_without_ca_or_pin(self):
        src, params = self.https()
        self.assertNotIn('cainfo', params)
        self.assertNotIn('sslverify', params)
        self.assertEqual({}, src.files)

    def test_verify_off_says_so(self):
        _src, params = self.https(verify_tls=False)
        self.assertEqual('false', params['sslverify'])
        self.assertEqual(['tls_unverified'], self.records)

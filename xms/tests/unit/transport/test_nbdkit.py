"""Tests of the nbdkit launcher's argument building and checks."""

import os

from xms.common import exception as common_exc
from xms.common import tls
from xms.tests import base
from xms.transport import exception
from xms.transport import nbdkit

SECRET = 'Pa55-w0rd!'


class VddkTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(os.path.join(self.libdir, 'lib64'))
        for name in ('libvixDiskLib.so', 'libvixDiskLib.so.8',
                     'libvixDiskLib.so.8.0.2'):
            open(os.path.join(self.libdir, 'lib64', name), 'w').close()

    def source(self, **kw):
        args = dict(libdir=self.libdir, server='vc.example.org',
                    thumbprint='AA:BB', vm_moref='vm-12',
                    snapshot_moref='snapshot-3',
                    disk_file='[ds 1] vm/vm.vmdk', user='admin',
                    password=SECRET)
        args.update(kw)
        return nbdkit.vddk_source(**args)

    def test_version_from_libdir(self):
        self.assertEqual('8.0.2', nbdkit.vddk_version(self.libdir))
        self.assertIsNone(nbdkit.vddk_version(self.state_path))

    def test_password_only_by_file(self):
        server = nbdkit.NbdkitServer(self.source(), nbdkit='nbdkit')
        server.tmpdir = self.state_path
        server.socket = os.path.join(self.state_path, 's')
        argv = server.argv()
        self.assertNotIn(SECRET, ' '.join(argv))
        self.assertNotIn(SECRET, repr(server.source))
        self.assertIn('password=+%s/secret-password' % self.state_path,
                      argv)
        self.assertIn('vddk', argv)
        self.assertIn('vm=moref=vm-12', argv)
        self.assertIn('snapshot=snapshot-3', argv)
        self.assertIn('file=[ds 1] vm/vm.vmdk', argv)
        self.assertIn('transports=nbdssl:nbd', argv)
        self.assertIn('--readonly', argv)
        self.assertIn('--exit-with-parent', argv)

    def test_compatibility_checked(self):
        self.source(vsphere_version='7.0.3')
        err = self.assertRaises(exception.VddkIncompatible, self.source,
                                vsphere_version='6.5.0')
        self.assertIn('6.7, 7.0, 8.0', str(err))

    def test_compatibility_table_from_config(self):
        self.config(vddk_compatibility={'8.0': '6.5|7.0'},
                    group='transport')
        self.source(vsphere_version='6.5.0')
        self.assertRaises(exception.VddkIncompatible, self.source,
                          vsphere_version='8.0.1')

    def test_bad_transport_and_libdir(self):
        self.assertRaises(common_exc.InvalidParameterValue, self.source,
                          transports='san')
        self.assertRaises(common_exc.InvalidParameterValue, self.source,
                          libdir='/nonexistent')


class CurlTest(base.TestCase):

    def test_cookie_by_file_and_ca(self):
        src = nbdkit.curl_source('https://vc/folder/x-flat.vmdk?dsName=a',
                                 cookie='vmware_soap_session="s3cr3t"',
                                 ca_file='/etc/ca.pem')
        self.assertEqual({'cookie': 'vmware_soap_session="s3cr3t"'},
                         src.secrets)
        self.assertIn(('cainfo', '/etc/ca.pem'), src.params)
        self.assertNotIn('s3cr3t', repr(src))

    def test_no_verify(self):
        src = nbdkit.curl_source('https://vc/x', verify=False)
        self.assertIn(('sslverify', 'false'), src.params)

    def test_normalize_thumbprint(self):
        self.assertEqual('AB:CD:0F', tls.normalize_thumbprint('abcd0f'))
        self.assertEqual('AB:CD', tls.normalize_thumbprint('ab:cd'))


class MaskTest(base.TestCase):

    def test_secrets_masked_in_logs(self):
        src = nbdkit.Source('curl', [('url', 'x')], secrets={'cookie': 'c0'})
        server = nbdkit.NbdkitServer(src)
        self.assertEqual('cookie=***', server._mask('cookie=c0'))

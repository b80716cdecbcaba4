"""Tests of the nbdkit launcher's argument building and checks."""

import os

from xms.common import exception as common_exc
from xms.tests import base
from xms.tests import certs
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


def fake_nbdkit(directory, rc, stderr=''):
    """An executable that answers ``nbdkit vddk --dump-plugin``."""
    path = os.path.join(directory, 'fake-nbdkit')
    with open(path, 'w') as f:
        f.write('#!/bin/sh\necho "$@" > %s.args\nprintf "%s" >&2\n'
                'exit %d\n' % (path, stderr, rc))
    os.chmod(path, 0o700)
    return path


class VddkAvailabilityTest(base.TestCase):

    def test_plugin_loads(self):
        path = fake_nbdkit(self.state_path, 0)
        self.assertIsNone(nbdkit.vddk_plugin_missing(path))
        with open(path + '.args') as f:
            self.assertEqual('vddk --dump-plugin', f.read().strip())

    def test_plugin_missing_says_why(self):
        path = fake_nbdkit(
            self.state_path, 1,
            "nbdkit: error: cannot open plugin 'vddk': no such file\\n"
            "Use 'nbdkit --help'\\n")
        reason = nbdkit.vddk_plugin_missing(path)
        self.assertIn('the nbdkit vddk plugin is not installed', reason)
        self.assertIn("cannot open plugin 'vddk'", reason)

    def test_nbdkit_missing(self):
        reason = nbdkit.vddk_plugin_missing('/nonexistent/nbdkit')
        self.assertIn('/nonexistent/nbdkit could not be run', reason)

    def test_libdir_without_library(self):
        libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(os.path.join(libdir, 'lib64'))
        err = self.assertRaises(exception.VddkUnavailable,
                                nbdkit.check_vddk_libdir, libdir)
        self.assertIn('no lib64/libvixDiskLib.so* in', str(err))
        self.assertEqual(409, err.code)
        err = self.assertRaises(exception.VddkUnavailable,
                                nbdkit.check_vddk_libdir, '/nonexistent')
        self.assertIn('/nonexistent is not a directory', str(err))
        open(os.path.join(libdir, 'lib64', 'libvixDiskLib.so.8'),
             'w').close()
        nbdkit.check_vddk_libdir(libdir)


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
        self.assertIn('TLS verification of vc:443 is disabled',
                      self.log_fixture.output)

    def test_pinned_certificate_is_curls_only_ca(self):
        cert = certs.Certificate(self.state_path)
        src = nbdkit.curl_source('https://127.0.0.1:8443/folder/x',
                                 cookie='vmware_soap_session="s3cr3t"',
                                 certificate=cert.pem,
                                 thumbprint=cert.thumbprint().lower())
        self.assertEqual({nbdkit.PINNED_CERT_FILE: cert.pem.encode()},
                         src.files)
        server = nbdkit.NbdkitServer(src, nbdkit='nbdkit')
        server.tmpdir = self.state_path
        server.socket = os.path.join(self.state_path, 's')
        argv = server.argv()
        self.assertIn('cainfo=%s/%s' % (self.state_path,
                                        nbdkit.PINNED_CERT_FILE), argv)
        self.assertFalse([a for a in argv if a.startswith('sslverify')])
        self.assertIn('cookie=+%s/secret-cookie' % self.state_path, argv)
        self.assertNotIn('s3cr3t', ' '.join(argv))

    def test_pin_wins_over_verify_off(self):
        cert = certs.Certificate(self.state_path)
        src = nbdkit.curl_source('https://vc/x', certificate=cert.pem,
                                 thumbprint=cert.thumbprint(), verify=False)
        self.assertNotIn(('sslverify', 'false'), src.params)
        self.assertIn(('cainfo', '{%s}' % nbdkit.PINNED_CERT_FILE),
                      src.params)

    def test_certificate_other_than_the_pin_refused(self):
        cert = certs.Certificate(self.state_path)
        other = certs.Certificate(self.state_path, name='other')
        err = self.assertRaises(
            exception.ThumbprintMismatch, nbdkit.curl_source,
            'https://vc:443/x', cookie='c0', certificate=other.pem,
            thumbprint=cert.thumbprint())
        self.assertIn(cert.thumbprint(), str(err))
        self.assertIn(other.thumbprint(), str(err))
        self.assertNotIn('c0', str(err).replace(cert.thumbprint(), '')
                         .replace(other.thumbprint(), ''))



class MaskTest(base.TestCase):

    def test_secrets_masked_in_logs(self):
        src = nbdkit.Source('curl', [('url', 'x')], secrets={'cookie': 'c0'})
        server = nbdkit.NbdkitServer(src)
        self.assertEqual('cookie=***', server._mask('cookie=c0'))

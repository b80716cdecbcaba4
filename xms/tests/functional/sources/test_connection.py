"""Sessions and test connection against vcsim: TLS trust, errors."""

import socket

from pyVmomi import vim

from xms.sources import exception
from xms.sources.vsphere import client
from xms.tests.functional.fixtures import vcsim
from xms.tests.functional.sources import base


class TestConnection(base.VSphereTestCase):

    def test_vcenter(self):
        result = self.driver.test_connection(self.ctx, self.source)
        self.assertEqual('vcenter', result['api_type'])
        self.assertIn('vCenter', result['product_name'])
        self.assertTrue(result['version'])
        self.assertTrue(result['build'])
        source = self.reload_source()
        self.assertEqual('connected', source.status)
        self.assertIsNone(source.status_reason)
        self.assertIsNotNone(source.status_checked_at)
        self.assertEqual(result['product_name'], source.product_name)
        self.assertEqual(result['version'], source.product_version)
        self.assertEqual(result['build'], source.product_build)
        self.assertEqual('vcenter', source.api_type)

    def test_esxi(self):
        sim = self.useFixture(vcsim.VcsimFixture(esx=True))
        source = self.make_source(sim, name='esx')
        result = self.driver.test_connection(self.ctx, source)
        self.assertEqual('esxi', result['api_type'])
        self.assertEqual('esxi', self.reload_source(source).api_type)

    def test_thumbprint_mismatch_refused(self):
        wrong = 'AB:' * 31 + 'AB'
        source = self.make_source(name='bad-pin', thumbprint=wrong)
        exc = self.assertRaises(exception.SourceThumbprintMismatch,
                                self.driver.test_connection, self.ctx,
                                source)
        self.assertIn(client.normalize_thumbprint(self.sim.thumbprint),
                      str(exc))
        self.assertEqual(502, exc.code)
        source = self.reload_source(source)
        self.assertEqual('error', source.status)
        self.assertIn('thumbprint', source.status_reason)
        # Nothing else runs on a mismatching source either.
        self.assertRaises(exception.SourceThumbprintMismatch,
                          self.driver.discover, self.ctx, source)
        self.assertEqual('failed',
                         self.reload_source(source).discovery_status)

    def test_bad_password_refused(self):
        source = self.make_source(name='bad-pw', password='not-it')
        exc = self.assertRaises(exception.SourceAuthenticationFailed,
                                self.driver.test_connection, self.ctx,
                                source)
        self.assertNotIn('not-it', str(exc))
        self.assertNotIn('not-it', self.log_fixture.output)
        self.assertEqual('error', self.reload_source(source).status)

    def test_unreachable(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        source = self.make_source(name='gone', port=port)
        exc = self.assertRaises(exception.SourceUnreachable,
                                self.driver.test_connection, self.ctx,
                                source)
        self.assertEqual(503, exc.code)
        source = self.reload_source(source)
        self.assertEqual('disconnected', source.status)
        self.assertIn(str(port), source.status_reason)

    def test_unknown_datacenter(self):
        source = self.make_source(name='nodc', datacenter='DC9')
        exc = self.assertRaises(exception.DatacenterNotFound,
                                self.driver.test_connection, self.ctx,
                                source)
        self.assertIn('DC0', str(exc))
        self.assertRaises(exception.DatacenterNotFound,
                          self.driver.discover, self.ctx, source)

    def test_ca_certificate(self):
        with open(self.sim.cert_file) as f:
            pem = f.read()
        source = self.make_source(name='ca', thumbprint=None, ca_cert=pem)
        self.assertEqual('vcenter', self.driver.test_connection(
            self.ctx, source)['api_type'])

    def test_untrusted_certificate_refused(self):
        source = self.make_source(name='nopin', thumbprint=None)
        self.assertRaises(exception.SourceTLSError,
                          self.driver.test_connection, self.ctx, source)

    def test_verify_tls_off(self):
        source = self.make_source(name='insecure', thumbprint=None,
                                  verify_tls=False)
        self.driver.test_connection(self.ctx, source)
        self.assertIn('TLS verification is disabled',
                      self.log_fixture.output)


class TestSessions(base.VSphereTestCase):

    def test_session_reused(self):
        vm = self.vm_moref('DC0_H0_VM0')
        self.driver.power_state(self.ctx, self.source, vm)
        session = client.get_session(self.source)
        opened = session.si
        self.driver.power_state(self.ctx, self.source, vm)
        self.assertIs(session, client.get_session(self.source))
        self.assertIs(opened, session.si)

    def test_session_renewed_when_expired(self):
        vm = self.vm_moref('DC0_H0_VM0')
        self.driver.power_state(self.ctx, self.source, vm)
        session = client.get_session(self.source)
        old = session.si
        # The server ends our session (as an expiry would).
        old.content.sessionManager.Logout()
        self.assertRaises(vim.fault.NotAuthenticated,
                          lambda: old.content.sessionManager.currentSession)
        self.assertEqual('poweredOn', self.driver.power_state(
            self.ctx, self.source, vm))
        self.assertIsNot(old, session.si)

    def test_new_credential_new_session(self):
        vm = self.vm_moref('DC0_H0_VM0')
        self.driver.power_state(self.ctx, self.source, vm)
        first = client.get_session(self.source)
        from xms.common import credentials
        from xms.db import api as db_api
        source = db_api.source_update(self.ctx, self.source.id, {
            'password_encrypted': credentials.encrypt(self.sim.password)})
        self.assertIsNot(first, client.get_session(source))
        self.assertIsNone(first.si)   # the old one was closed

    def test_close_all(self):
        vm = self.vm_moref('DC0_H0_VM0')
        self.driver.power_state(self.ctx, self.source, vm)
        session = client.get_session(self.source)
        client.close_all()
        self.assertIsNone(session.si)

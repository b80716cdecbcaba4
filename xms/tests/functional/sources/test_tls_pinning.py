"""TLS trust on the wire: a man in the middle gets no password, no cookie.

An :class:`InterceptingProxy` terminates TLS in front of a real vcsim with
another self-signed certificate (naming 127.0.0.1 as well, so only the
pin or the CA can tell it apart), logs every byte it decrypts and
forwards them. A source that points at the proxy but pins vcsim's real
thumbprint must be refused by test connection, by discovery and by a
job's disk transport (nbdkit curl, on its own connection), each before a
byte of credential, cookie or request is sent; the proxy's log is the
evidence and is printed with the test's results. The same reads work
with the right pin and with the CA certificate.
"""

import os
import sys

from testtools import content

from xms.common import tls
from xms.db import api as db_api
from xms.sources import exception as source_exc
from xms.tests.functional.fixtures import tls_proxy
from xms.tests.functional.sources import base
from xms.transport import exception as transport_exc
from xms.worker.tasks import source_disk

VM = 'DC0_H0_VM0'
MiB = 1024 * 1024


class TlsPinningTest(base.VSphereTestCase):

    def setUp(self):
        super().setUp()
        self.content = os.urandom(MiB)
        self.sim.put_disk(VM, self.content)
        self.key = self.sim.disks(VM)[0].key
        self.real = tls.normalize_thumbprint(self.sim.thumbprint)

    def show(self, name, text):
        """Put the evidence in the test's details and on the console."""
        self.addDetail(name, content.text_content(text))
        sys.__stderr__.write('\n%s:\n%s\n' % (name, text))
        sys.__stderr__.flush()

    def job_events(self, job, event_type):
        return [e for e in db_api.event_list(self.ctx, job_id=job.id)
                if e.event_type == event_type]

    def read_disk(self, source):
        job = self.make_job(VM, source=source)
        snap = self.driver.create_snapshot(
            self.ctx, source, self.vm_moref(VM), job.id, 'export')
        with source_disk.open_source_disk(job, snap.snapshot_moref,
                                          self.key) as reader:
            data = reader.pread(0, reader.size)
        self.assertEqual(self.content, bytes(data[:len(self.content)]))
        chosen = self.job_events(job, 'transport_selected')
        self.assertEqual('https', chosen[0].payload['transport'])
        return job

    def test_man_in_the_middle_gets_nothing(self):
        proxy = self.useFixture(tls_proxy.InterceptingProxy(
            self.sim.host, self.sim.port))
        self.assertNotEqual(self.real, proxy.thumbprint)
        source = self.make_source(name='mitm', host=proxy.host,
                                  port=proxy.port,
                                  thumbprint=self.sim.thumbprint)

        # 1. Test connection: refused in the TLS handshake of the SDK
        # connection itself.
        proxy.note('test connection (TCP probe, then pyvmomi)')
        exc = self.assertRaises(source_exc.SourceThumbprintMismatch,
                                self.driver.test_connection, self.ctx,
                                source)
        self.assertIn(self.real, str(exc))
        self.assertIn(proxy.thumbprint, str(exc))
        refused = [e for e in db_api.event_list(self.ctx)
                   if e.event_type == 'tls_pin_mismatch'
                   and e.resource_uuid == source.uuid]
        self.assertTrue(refused)
        self.assertEqual(self.real, refused[0].payload['expected_thumbprint'])
        self.assertEqual(proxy.thumbprint,
                         refused[0].payload['actual_thumbprint'])

        # 2. Discovery: refused the same way.
        proxy.note('discovery (TCP probe, then pyvmomi)')
        self.assertRaises(source_exc.SourceThumbprintMismatch,
                          self.driver.discover, self.ctx, source)
        self.assertEqual('failed',
                         self.reload_source(source).discovery_status)
        before_transport = len(proxy.intercepted())
        self.assertGreaterEqual(before_transport, 2)

        # 3. A job's transport. The attacker lets the vSphere session
        # through untouched (it logs in and takes the snapshot with the
        # real server) and intercepts what comes next: the data
        # connection that carries the session cookie.
        proxy.mode = tls_proxy.PASSTHROUGH
        proxy.note('session, discovery and snapshot let through')
        job = self.make_job(VM, source=source)
        snap = self.driver.create_snapshot(
            self.ctx, source, self.vm_moref(VM), job.id, 'export')
        proxy.mode = tls_proxy.INTERCEPT
        proxy.note('job transport: nbdkit curl with the session cookie, '
                   'then the thumbprint read for the error message')
        err = self.assertRaises(
            transport_exc.ThumbprintMismatch,
            source_disk.open_source_disk(job, snap.snapshot_moref,
                                         self.key).__enter__)
        self.assertIn(self.real, str(err))
        self.assertIn(proxy.thumbprint, str(err))
        events = self.job_events(job, 'tls_pin_mismatch')
        self.assertEqual(1, len(events))
        self.assertEqual(self.real, events[0].payload['expected_thumbprint'])
        self.assertEqual(proxy.thumbprint,
                         events[0].payload['actual_thumbprint'])
        # curl itself met the impostor: its handshake was refused.
        self.assertGreater(len(proxy.intercepted()), before_transport)

        # The evidence: not one decrypted byte, so no request, no body,
        # no cookie and no password reached the man in the middle.
        decrypted = proxy.decrypted()
        self.show('tls-proxy-evidence', '\n'.join([
            proxy.evidence(),
            'decrypted bytes in total: %d' % len(decrypted),
            'test connection: %s' % exc,
            'job transport: %s' % err,
            '  nbdkit said: %s' % err.__cause__]))
        self.assertEqual(b'', decrypted)
        self.assertNotIn(self.sim.password.encode(), decrypted)
        self.assertNotIn(b'vmware_soap_session', decrypted)
        self.assertNotIn('vmware_soap_session', str(err.__cause__))
        for conn in proxy.intercepted():
            self.assertEqual(0, len(conn.received), conn.summary())

    def test_right_pin_reads(self):
        self.read_disk(self.source)

    def test_ca_certificate_reads(self):
        with open(self.sim.cert_file) as f:
            pem = f.read()
        source = self.make_source(name='ca', thumbprint=None, ca_cert=pem)
        self.driver.test_connection(self.ctx, source)
        self.read_disk(source)

    def test_ca_certificate_refuses_impostor(self):
        proxy = self.useFixture(tls_proxy.InterceptingProxy(
            self.sim.host, self.sim.port))
        with open(self.sim.cert_file) as f:
            pem = f.read()
        source = self.make_source(name='ca-mitm', host=proxy.host,
                                  port=proxy.port, thumbprint=None,
                                  ca_cert=pem)
        self.assertRaises(source_exc.SourceTLSError,
                          self.driver.test_connection, self.ctx, source)
        self.assertEqual(b'', proxy.decrypted())

    def test_verify_tls_off_says_so(self):
        source = self.make_source(name='insecure', thumbprint=None,
                                  verify_tls=False)
        job = self.read_disk(source)
        self.assertEqual(1, len(self.job_events(job, 'tls_unverified')))


class VddkSelectionTest(base.VSphereTestCase):
    """This machine has no nbdkit vddk plugin: the choice says so."""

    def test_vddk_plugin_absent_falls_back_with_reason(self):
        libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(os.path.join(libdir, 'lib64'))
        self.config(vddk_libdir=libdir, group='transport')
        transport, reason = source_disk.choose_transport()
        self.assertEqual(source_disk.HTTPS, transport)
        self.assertIn('nbdkit vddk plugin is not installed', reason)
        self.assertIn('cannot open plugin', reason)

        self.sim.put_disk(VM, b'\1' * MiB)
        job = self.make_job(VM)
        snap = self.driver.create_snapshot(
            self.ctx, self.source, self.vm_moref(VM), job.id, 'export')
        with source_disk.open_source_disk(job, snap.snapshot_moref,
                                          self.sim.disks(VM)[0].key):
            pass
        chosen = [e for e in db_api.event_list(self.ctx, job_id=job.id)
                  if e.event_type == 'transport_selected']
        self.assertEqual('https', chosen[0].payload['transport'])
        self.assertIn('vddk plugin is not installed', chosen[0].message)

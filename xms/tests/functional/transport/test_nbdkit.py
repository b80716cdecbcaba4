"""Functional tests of the nbdkit launcher: curl plugin in front of the
simulator's datastore, secrets handling, failures and clean-up."""

import os

from xms.tests import base
from xms.tests.functional.fixtures import vcsim
from xms.tests.functional.transport import disks
from xms.transport import copier
from xms.transport import exception
from xms.transport import extents
from xms.transport import hashing
from xms.transport import nbdkit
from xms.transport import reader as nbd_reader
from xms.transport import writer as nbd_writer

MiB = disks.MiB
COOKIE = 'vmware_soap_session="52a1-c00kieVALUE-7f"'
PASSWORD = 'VddkPa55!word'
VM = 'DC0_H0_VM0'


def cmdline(pid):
    with open('/proc/%d/cmdline' % pid, 'rb') as f:
        return f.read().replace(b'\0', b' ').decode()


class CurlVcsimTest(base.TestCase):
    """A disk read from the simulator's datastore over HTTPS."""

    def setUp(self):
        super().setUp()
        self.sim = self.useFixture(vcsim.VcsimFixture())

    def put(self, shape):
        raw = os.path.join(self.state_path, shape + '.raw')
        disks.make_disk(raw, shape, seed=11)
        self.sim.put_disk(VM, raw)
        flat = self.sim.disk_path(VM)[:-len('.vmdk')] + '-flat.vmdk'
        return raw, self.sim.datastore_url(flat)

    def copy(self, source, raw):
        target = os.path.join(self.state_path, 'out.raw')
        with nbdkit.NbdkitServer(source, name='vcsim-disk') as srv:
            self.assertNotIn(COOKIE, cmdline(srv.proc.pid))
            self.assertNotIn('c00kieVALUE', cmdline(srv.proc.pid))
            # The secret file is gone once the server serves.
            self.assertEqual([], [f for f in os.listdir(srv.tmpdir)
                                  if f.startswith('secret-')])
            tmpdir = srv.tmpdir
            with nbd_reader.NbdReader(srv.uri) as rd:
                w = nbd_writer.Writer(target, size=rd.size)
                self.addCleanup(w.close)
                plan = extents.plan_full(rd.size, list(rd.extents()))
                res = copier.Copier().copy_disk(
                    copier.DiskJob('vcsim', rd, w, plan))
        self.assertFalse(os.path.exists(tmpdir))
        code, out = disks.qemu_img_compare(raw, target)
        self.assertEqual(0, code, out)
        read, close = hashing.file_reader(target)
        self.addCleanup(close)
        self.assertEqual(res['digest'], hashing.digest(read, plan))
        return res

    def test_sparse_disk_with_thumbprint(self):
        raw, url = self.put('sparse')
        src = nbdkit.curl_source(url, cookie=COOKIE,
                                 thumbprint=self.sim.thumbprint)
        res = self.copy(src, raw)
        # The curl plugin has no allocation map: zero chunks were read
        # but not written to the fresh target.
        self.assertGreater(res['bytes_skipped_zero'], 0)

    def test_odd_size_disk_with_ca_file(self):
        raw, url = self.put('odd')
        src = nbdkit.curl_source(url, cookie=COOKIE,
                                 ca_file=self.sim.cert_file)
        self.copy(src, raw)

    def test_thumbprint_mismatch_refused(self):
        _raw, url = self.put('sparse')
        err = self.assertRaises(
            exception.ThumbprintMismatch, nbdkit.curl_source, url,
            cookie=COOKIE, thumbprint='AB:' * 31 + 'CD')
        self.assertNotIn('c00kieVALUE', str(err))


class LauncherTest(base.TestCase):

    def test_vddk_plugin_missing_fails_cleanly_without_secret(self):
        libdir = os.path.join(self.state_path, 'vddk')
        os.makedirs(libdir)
        src = nbdkit.vddk_source(
            libdir=libdir, server='vc.example.org', thumbprint='AA:BB',
            vm_moref='vm-1', snapshot_moref='snapshot-1',
            disk_file='[ds] vm/vm.vmdk', user='admin', password=PASSWORD)
        server = nbdkit.NbdkitServer(src, timeout=10)
        err = self.assertRaises(exception.NbdkitError, server.__enter__)
        self.assertIn('vddk', str(err))
        self.assertNotIn(PASSWORD, str(err))
        self.assertNotIn(PASSWORD, self.log_fixture.output)
        self.assertIsNone(server.proc)
        self.assertIsNone(server.tmpdir)

    def test_stop_always_stops(self):
        raw = os.path.join(self.state_path, 'd.raw')
        disks.make_disk(raw, 'odd')
        log = os.path.join(self.state_path, 'job.log')
        srv = nbdkit.NbdkitServer(nbdkit.file_source(raw), log_path=log,
                                  verbose=True)
        with srv:
            pid = srv.proc.pid
            tmpdir = srv.tmpdir
            self.assertTrue(os.path.exists(srv.socket))
            self.assertEqual(0o700, os.stat(tmpdir).st_mode & 0o777)
        self.assertFalse(os.path.exists('/proc/%d/cmdline' % pid)
                         and 'nbdkit' in cmdline(pid))
        self.assertFalse(os.path.exists(tmpdir))
        with open(log) as f:
            self.assertIn('nbdkit', f.read())
        self.assertIn('nbdkit[disk]', self.log_fixture.output)

    def test_stop_on_error_inside(self):
        raw = os.path.join(self.state_path, 'd.raw')
        disks.make_disk(raw, 'odd')
        srv = nbdkit.NbdkitServer(nbdkit.file_source(raw))

        def use():
            with srv:
                raise RuntimeError('copy failed')
        self.assertRaises(RuntimeError, use)
        self.assertIsNone(srv.proc)

    def test_plain_nbd_uri(self):
        with nbdkit.nbd_source('nbd://example:10809/x') as uri:
            self.assertEqual('nbd://example:10809/x', uri)

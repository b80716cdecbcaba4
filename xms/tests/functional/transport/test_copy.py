"""Functional tests of the transport engine with real NBD servers.

Sources are raw images of several shapes, served by qemu-nbd (as VMDK) and
by nbdkit (file plugin); targets are files. Every copy is checked with our
digest (recomputed from the target) and with ``qemu-img compare``.
"""

import json
import os
import random
import signal
import subprocess
import sys

from xms.tests import base
from xms.tests.functional.transport import copy_child
from xms.tests.functional.transport import disks
from xms.transport import copier
from xms.transport import exception
from xms.transport import extents
from xms.transport import hashing
from xms.transport import nbdkit
from xms.transport import reader as nbd_reader
from xms.transport import writer as nbd_writer

MiB = disks.MiB
KiB = disks.KiB


class CopyTestBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.state_path

    def raw(self, shape, seed=0):
        path = os.path.join(self.tmp, '%s-%d.raw' % (shape, seed))
        disks.make_disk(path, shape, seed)
        return path

    def copy(self, uri, target, plan_fn=None, **kw):
        """Copy ``uri`` to ``target``; returns (result, plan, reader)."""
        rd = nbd_reader.NbdReader(uri, connections=2, requests=4)
        self.addCleanup(rd.close)
        w = nbd_writer.Writer(target, size=rd.size)
        self.addCleanup(w.close)
        if plan_fn is None:
            plan = extents.plan_full(rd.size, list(rd.extents()),
                                     target_zeroed=w.known_zero)
        else:
            plan = plan_fn(rd, w)
        args = dict(chunk_size=8 * MiB, buffer_bytes=32 * MiB,
                    window_bytes=16 * MiB)
        args.update(kw)
        res = copier.Copier(**args).copy_disk(
            copier.DiskJob(os.path.basename(target), rd, w, plan))
        return res, plan, rd

    def assert_identical(self, src_raw, target, plan, res):
        code, out = disks.qemu_img_compare(src_raw, target)
        self.assertEqual(0, code, out)
        read, close = hashing.file_reader(target)
        self.addCleanup(close)
        self.assertEqual(res['digest'], hashing.digest(read, plan))
        read_src, close_src = hashing.file_reader(src_raw)
        self.addCleanup(close_src)
        self.assertEqual(res['digest'], hashing.digest(read_src, plan))


class QemuNbdVmdkTest(CopyTestBase):
    """VMDK sources behind qemu-nbd."""

    def _test_shape(self, shape):
        raw = self.raw(shape)
        vmdk = raw + '.vmdk'
        disks.to_vmdk(raw, vmdk)
        server = self.useFixture(disks.QemuNbd(vmdk, 'vmdk'))
        target = os.path.join(self.tmp, 'out-%s.raw' % shape)
        res, plan, rd = self.copy(server.uri, target)
        self.assert_identical(raw, target, plan, res)
        self.assertEqual(plan.copy_bytes, res['bytes_read'])
        return res, plan, rd

    def test_sparse(self):
        res, plan, rd = self._test_shape('sparse')
        # Only the allocated part moved.
        self.assertLess(res['bytes_read'], 16 * MiB)

    def test_full(self):
        self._test_shape('full')

    def test_odd_size(self):
        res, plan, rd = self._test_shape('odd')
        self.assertNotEqual(0, rd.size % MiB)

    def test_many_small_extents(self):
        res, plan, rd = self._test_shape('small_extents')
        self.assertGreater(len(plan.ops), 100)


class NbdkitFileTest(CopyTestBase):
    """Raw sources behind nbdkit's file plugin (through our launcher)."""

    def _test_shape(self, shape):
        raw = self.raw(shape, seed=1)
        with nbdkit.NbdkitServer(nbdkit.file_source(raw), name=shape) as srv:
            target = os.path.join(self.tmp, 'out-%s.raw' % shape)
            res, plan, rd = self.copy(srv.uri, target)
            self.assertTrue(rd.multi_conn)
            self.assertEqual(2, rd.connections)
            rd.close()
        self.assert_identical(raw, target, plan, res)
        return res

    def test_sparse(self):
        self._test_shape('sparse')

    def test_full(self):
        self._test_shape('full')

    def test_odd_size(self):
        self._test_shape('odd')

    def test_many_small_extents(self):
        self._test_shape('small_extents')

    def test_parallel_disks(self):
        raws = [self.raw(s, seed=2) for s in ('sparse', 'odd', 'full')]
        servers = [self.enter(nbdkit.NbdkitServer(nbdkit.file_source(r)))
                   for r in raws]
        jobs = []
        for i, srv in enumerate(servers):
            rd = nbd_reader.NbdReader(srv.uri)
            self.addCleanup(rd.close)
            w = nbd_writer.Writer(os.path.join(self.tmp, 'p%d.raw' % i),
                                  size=rd.size)
            self.addCleanup(w.close)
            plan = extents.plan_full(rd.size, list(rd.extents()))
            jobs.append(copier.DiskJob('disk%d' % i, rd, w, plan))
        progress = []
        results = copier.Copier(parallel_disks=3,
                                progress_cb=progress.append).copy(jobs)
        for raw, job, res in zip(raws, jobs, results, strict=True):
            self.assert_identical(raw, job.writer.path, job.plan, res)
        self.assertEqual({'disk0', 'disk1', 'disk2'},
                         {p.disk for p in progress})

    def enter(self, cm):
        cm.__enter__()
        self.addCleanup(cm.__exit__, None, None, None)
        return cm

    def test_dirty_target_zeroed(self):
        """An existing target gets its holes zeroed (punch hole)."""
        raw = self.raw('sparse', seed=3)
        target = os.path.join(self.tmp, 'dirty.raw')
        with open(target, 'wb') as f:
            f.write(b'\xee' * disks.SHAPES['sparse'])
        with nbdkit.NbdkitServer(nbdkit.file_source(raw)) as srv:
            res, plan, rd = self.copy(srv.uri, target)
            rd.close()
        self.assertGreater(plan.zero_bytes, 0)
        self.assertEqual(plan.zero_bytes, res['bytes_zeroed'])
        self.assert_identical(raw, target, plan, res)

    def test_incremental_after_random_writes(self):
        raw = self.raw('sparse', seed=4)
        target = os.path.join(self.tmp, 'inc.raw')
        size = disks.SHAPES['sparse']
        with nbdkit.NbdkitServer(nbdkit.file_source(raw)) as srv:
            res, plan, rd = self.copy(srv.uri, target)
            rd.close()
            # The "guest" writes at random places (some in holes, some
            # over data, some unaligned), and zeroes one area.
            rnd = random.Random(5)
            changed = []
            with open(raw, 'r+b') as f:
                for _i in range(40):
                    off = rnd.randrange(0, size - 70 * KiB)
                    n = rnd.choice([512, 4 * KiB, 64 * KiB, 70 * KiB])
                    f.seek(off)
                    f.write(os.urandom(n))
                    changed.append((off, n))
                f.seek(0)
                f.write(bytes(MiB))
                changed.append((0, MiB))
            # CBT reports 64 KiB blocks.
            cbt = sorted({(o - o % (64 * KiB),
                           -(-(o + n) // (64 * KiB)) * 64 * KiB
                           - (o - o % (64 * KiB))) for o, n in changed})
            code, _out = disks.qemu_img_compare(raw, target)
            self.assertEqual(1, code)
            res2, plan2, rd2 = self.copy(
                srv.uri, target, plan_fn=lambda r, w: (
                    extents.plan_incremental(r.size, cbt,
                                             list(r.extents()))))
            rd2.close()
        self.assertEqual(extents.INCREMENTAL, plan2.mode)
        code, out = disks.qemu_img_compare(raw, target)
        self.assertEqual(0, code, out)
        changed_bytes = sum(e - s for s, e in extents._merge(
            (o, o + n) for o, n in cbt))
        self.assertLessEqual(res2['bytes_read'], changed_bytes)
        self.assertLess(res2['bytes_read'], res['bytes_read'])
        read, close = hashing.file_reader(target)
        self.addCleanup(close)
        self.assertEqual(res2['digest'], hashing.digest(read, plan2))

    def test_incremental_after_target_was_read(self):
        # A read of the whole target (as a verification or a backup does)
        # leaves it in the page cache in large folios; a sync writing
        # 64 KiB blocks into them must not write back whole folios.
        raw = self.raw('full', seed=9)
        target = os.path.join(self.tmp, 'read-back.raw')
        size = disks.SHAPES['full']
        block = 64 * KiB
        with nbdkit.NbdkitServer(nbdkit.file_source(raw)) as srv:
            _res, _plan, rd = self.copy(srv.uri, target)
            rd.close()
            with open(target, 'rb') as f:
                while f.read(4 * MiB):
                    pass
            rnd = random.Random(10)
            cbt = sorted((b * block, block) for b in rnd.sample(
                range(size // block), 16))
            with open(raw, 'r+b') as f:
                for off, n in cbt:
                    f.seek(off)
                    f.write(os.urandom(n))
            before = disks.written_bytes()
            res, plan, rd = self.copy(
                srv.uri, target, plan_fn=lambda r, w: (
                    extents.plan_incremental(r.size, cbt)))
            written = disks.written_bytes() - before
            rd.close()
        changed = len(cbt) * block
        self.assertEqual(changed, res['bytes_read'])
        # The changed blocks, and not the folios around them (up to 2 MiB
        # each, 32 times as much).
        self.assertLessEqual(written, 2 * changed)
        self.assertGreaterEqual(written, changed)
        self.assert_identical(raw, target, plan, res)

    def test_cancel_stops_within_one_chunk(self):
        raw = self.raw('full', seed=6)
        target = os.path.join(self.tmp, 'cancel.raw')
        state = {'reads_at_cancel': None}

        with nbdkit.NbdkitServer(nbdkit.file_source(raw)) as srv:
            rd = nbd_reader.NbdReader(srv.uri, connections=1, requests=1)
            self.addCleanup(rd.close)

            def cancel():
                if rd.bytes_read >= 4 * MiB:
                    if state['reads_at_cancel'] is None:
                        state['reads_at_cancel'] = rd.bytes_read
                    return True
                return False

            w = nbd_writer.Writer(target, size=rd.size)
            self.addCleanup(w.close)
            plan = extents.plan_full(rd.size, list(rd.extents()),
                                     chunk_size=MiB)
            c = copier.Copier(chunk_size=MiB, buffer_bytes=2 * MiB,
                              writers=1, cancel_check=cancel)
            self.assertRaises(exception.CopyCancelled, c.copy_disk,
                              copier.DiskJob('d', rd, w, plan))
        # Stopped within one chunk of the moment cancel was requested.
        self.assertLessEqual(rd.bytes_read - state['reads_at_cancel'], MiB)
        self.assertLess(rd.bytes_read, plan.copy_bytes)


class KillResumeTest(CopyTestBase):
    """A copy SIGKILLed after a checkpoint resumes there."""

    def test_kill_and_resume(self):
        raw = self.raw('full', seed=7)
        target = os.path.join(self.tmp, 'killed.raw')
        ckpt = os.path.join(self.tmp, 'ckpt.json')
        logs = [os.path.join(self.tmp, 'requests-%d.log' % i)
                for i in (1, 2)]

        def source(log):
            # The log filter records every read (to count re-reads); the
            # delay filter slows reads so the kill lands mid-copy.
            return nbdkit.Source('file', [('file', raw), ('logfile', log),
                                          ('rdelay', '20ms')],
                                 filters=['log', 'delay'])

        # As in production, each attempt runs its own nbdkit: the killed
        # worker's nbdkit goes with it. (nbdkit 1.32 can also abort on
        # "raw_send_socket: Assertion `sock >= 0'" when a client vanishes
        # with requests in flight, so it must not be shared anyway.)
        with nbdkit.NbdkitServer(source(logs[0])) as srv:
            root = os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.dirname(os.path.dirname(os.path.abspath(
                    __file__))))))
            env = dict(os.environ, PYTHONPATH=root)
            child = subprocess.Popen(
                [sys.executable, '-m',
                 'xms.tests.functional.transport.copy_child', srv.uri,
                 target, ckpt], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=env, text=True)
            first = child.stdout.readline()
            self.assertTrue(first.startswith('checkpoint'), first)
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()
        with open(ckpt) as f:
            ck = json.load(f)
        self.assertGreater(ck['next_chunk'], 0)

        with nbdkit.NbdkitServer(source(logs[1])) as srv:
            rd = nbd_reader.NbdReader(srv.uri, connections=1, requests=2)
            self.addCleanup(rd.close)
            plan = copy_child.plan_for(rd)
            self.assertEqual(ck['plan_id'], plan.plan_id)
            self.assertLess(ck['next_chunk'], len(plan.ops))
            w = nbd_writer.Writer(target, size=rd.size, create=False)
            self.addCleanup(w.close)
            res = copy_child.make_copier().copy_disk(
                copier.DiskJob('disk0', rd, w, plan, checkpoint=ck))
            rd.close()
        self.assertEqual(ck['next_chunk'], res['start_chunk'])
        rest = sum(o.length for o in plan.ops[ck['next_chunk']:])
        self.assertEqual(rest, res['bytes_read'])
        self.assertEqual(rest, disks.read_log_bytes(logs[1]))
        # Bytes the killed copy read past its checkpoint were read twice:
        # at most one window plus the reads in flight.
        reread = disks.read_log_bytes(logs[0]) - ck['bytes_done']
        self.assertGreaterEqual(reread, 0)
        self.assertLessEqual(reread,
                             copy_child.WINDOW + copy_child.BUFFERS)
        self.assert_identical(raw, target, plan, res)


class BlockDeviceTest(CopyTestBase):
    """A block device target (a loop device standing in for a volume)."""

    def loop_device(self, backing):
        dev = subprocess.run(['losetup', '--find', '--show', backing],
                             check=True, capture_output=True,
                             text=True).stdout.strip()
        self.addCleanup(subprocess.run, ['losetup', '--detach', dev],
                        check=False)
        return dev

    def test_copy_to_dirty_block_device(self):
        self._copy_to_dirty_block_device(direct=False)

    def test_copy_to_dirty_block_device_direct(self):
        self._copy_to_dirty_block_device(direct=True)

    def _copy_to_dirty_block_device(self, direct):
        raw = self.raw('sparse', seed=8)
        backing = os.path.join(self.tmp, 'volume.img')
        with open(backing, 'wb') as f:
            f.write(b'\xee' * disks.SHAPES['sparse'])
        dev = self.loop_device(backing)
        with nbdkit.NbdkitServer(nbdkit.file_source(raw)) as srv:
            with nbd_reader.NbdReader(srv.uri) as rd:
                # Write-behind (the default) or O_DIRECT.
                w = nbd_writer.Writer(dev, size=rd.size, create=False,
                                      direct=direct)
                self.addCleanup(w.close)
                self.assertTrue(w.is_block)
                self.assertFalse(w.known_zero)
                self.assertEqual(direct, w.direct_fd is not None)
                plan = extents.plan_full(rd.size, list(rd.extents()),
                                         target_zeroed=w.known_zero)
                res = copier.Copier().copy_disk(
                    copier.DiskJob('vol', rd, w, plan))
        # The holes were zeroed on the device (BLKZEROOUT), not skipped.
        self.assertGreater(plan.zero_bytes, 0)
        self.assertEqual(plan.zero_bytes, res['bytes_zeroed'])
        self.assert_identical(raw, dev, plan, res)

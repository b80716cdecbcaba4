"""Tests of the copier's pipeline, checkpoints, resume and cancel (fakes)."""

import os
import random
import threading
import time

from xms.tests import base
from xms.tests.unit.transport import fakes
from xms.transport import copier
from xms.transport import exception
from xms.transport import extents
from xms.transport import hashing

KiB = 1024
MiB = 1024 * KiB
CHUNK = 64 * KiB


def make_disk(size, seed=7):
    rnd = random.Random(seed)
    data = bytearray(size)
    for _i in range(40):
        off = rnd.randrange(0, size - 20000)
        data[off:off + rnd.randrange(1, 20000)] = os.urandom(20000)[:1]
    for _i in range(10):
        off = rnd.randrange(0, size - 70000)
        data[off:off + 70000] = os.urandom(70000)
    return bytes(data)


def data_extents(data, grain=4 * KiB):
    out = []
    for off in range(0, len(data), grain):
        piece = data[off:off + grain]
        out.append(extents.Extent(off, len(piece), not any(piece)))
    return out


class CopierTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.data = make_disk(2 * MiB + 4096 + 17)
        self.plan = extents.plan_full(
            len(self.data), data_extents(self.data), chunk_size=CHUNK,
            digest_block=CHUNK)
        self.expected = hashing.digest(lambda o, n: self.data[o:o + n],
                                       self.plan)

    #: Where chunks are written: None lets the copier choose from the
    #: plan (writer threads here), True on the reader threads.
    inline = None

    def copier(self, **kw):
        args = dict(chunk_size=CHUNK, buffer_bytes=4 * CHUNK, writers=2,
                    window_bytes=4 * CHUNK, inline=self.inline)
        args.update(kw)
        return copier.Copier(**args)

    def test_full_copy(self):
        progress = []
        cks = []
        reader = fakes.MemoryReader(self.data)
        target = fakes.MemoryWriter(len(self.data))
        res = self.copier(progress_cb=progress.append,
                          checkpoint_cb=cks.append).copy_disk(
            copier.DiskJob('d0', reader, target, self.plan))
        self.assertEqual(self.data, bytes(target.data))
        self.assertEqual(self.expected, res['digest'])
        self.assertEqual(self.plan.copy_bytes, res['bytes_read'])
        self.assertLess(self.plan.copy_bytes, len(self.data))
        self.assertEqual(len(cks), target.flushes)
        self.assertEqual(len(self.plan.ops), cks[-1].next_chunk)
        self.assertEqual(self.plan.plan_id, cks[-1].plan_id)
        self.assertEqual(progress[-1].done, progress[-1].total)
        self.assertEqual(0, progress[-1].eta)

    def test_checkpoint_after_flush_and_in_order(self):
        events = []
        target = fakes.MemoryWriter(len(self.data))
        orig = target.flush

        def flush():
            events.append('flush')
            orig()
        target.flush = flush
        cks = []

        def on_ck(ck):
            events.append('ck')
            cks.append(ck.next_chunk)
            # Everything before the checkpoint is in the target.
            end = (self.plan.ops[ck.next_chunk].offset
                   if ck.next_chunk < len(self.plan.ops) else len(self.data))
            self.assertEqual(self.data[:end], bytes(target.data[:end]))

        self.copier(checkpoint_cb=on_ck).copy_disk(copier.DiskJob(
            'd0', fakes.MemoryReader(self.data), target, self.plan))
        self.assertEqual(['flush', 'ck'] * len(cks), events)
        self.assertEqual(sorted(cks), cks)

    def test_resume_after_failure_rereads_at_most_one_window(self):
        window = 4 * CHUNK
        cks = []
        target = fakes.MemoryWriter(len(self.data))
        fail_at = self.plan.copy_bytes // 2

        def on_ck(ck):
            # A checkpoint never points past data not in the target.
            end = self.plan.ops[ck.next_chunk].offset
            self.assertEqual(self.data[:end], bytes(target.data[:end]))
            cks.append(ck)

        self.assertRaises(
            exception.ReadError,
            self.copier(checkpoint_cb=on_ck, writers=1,
                        buffer_bytes=2 * CHUNK).copy_disk,
            copier.DiskJob('d0', fakes.MemoryReader(
                self.data, fail_after=fail_at), target, self.plan))
        self.assertTrue(cks)
        ck = cks[-1].as_dict()
        resumed = fakes.MemoryReader(self.data)
        res = self.copier().copy_disk(copier.DiskJob(
            'd0', resumed, target, self.plan, checkpoint=ck))
        self.assertEqual(self.data, bytes(target.data))
        self.assertEqual(self.expected, res['digest'])
        self.assertEqual(ck['next_chunk'], res['start_chunk'])
        rest = sum(o.length for o in self.plan.ops[ck['next_chunk']:])
        self.assertEqual(rest, resumed.bytes_read)
        # Bytes read twice: what the first run read past its checkpoint.
        reread = fail_at - (self.plan.copy_bytes - rest)
        self.assertLessEqual(reread, window + 2 * CHUNK)

    def test_resume_rejects_other_plan(self):
        other = extents.plan_full(len(self.data), chunk_size=CHUNK)
        ck = copier.Checkpoint('d0', other.plan_id, 1, None, 0)
        self.assertRaises(
            exception.PlanMismatch, self.copier().copy_disk,
            copier.DiskJob('d0', fakes.MemoryReader(self.data),
                           fakes.MemoryWriter(len(self.data)), self.plan,
                           checkpoint=ck))

    def test_cancel_stops_within_one_chunk(self):
        reads_after = []
        state = {'cancel': False}

        def on_read(offset, length):
            if state['cancel']:
                reads_after.append(offset)
            if offset >= self.plan.ops[3].offset:
                state['cancel'] = True

        reader = fakes.MemoryReader(self.data, on_read=on_read)
        self.assertRaises(
            exception.CopyCancelled,
            self.copier(cancel_check=lambda: state['cancel']).copy_disk,
            copier.DiskJob('d0', reader, fakes.MemoryWriter(len(self.data)),
                           self.plan))
        self.assertEqual([], reads_after)
        self.assertLessEqual(reader.bytes_read,
                             sum(o.length for o in self.plan.ops[:4]))

    def test_incremental_applies_changes_at_same_offsets(self):
        old = bytearray(self.data)
        new = bytearray(self.data)
        changed = [(128 * KiB, 64 * KiB), (1 * MiB, 8 * KiB),
                   (2 * MiB, 4096 + 17)]
        for off, n in changed:
            new[off:off + n] = os.urandom(n)
        new[1 * MiB + 8 * KiB:1 * MiB + 64 * KiB] = bytes(56 * KiB)
        plan = extents.plan_incremental(len(new), changed,
                                        chunk_size=CHUNK, align=4 * KiB,
                                        digest_block=CHUNK)
        reader = fakes.MemoryReader(bytes(new))
        target = fakes.MemoryWriter(len(new), known_zero=False,
                                    content=old)
        res = self.copier().copy_disk(copier.DiskJob('d0', reader, target,
                                                     plan))
        changed_bytes = sum(n for _o, n in changed)
        self.assertLessEqual(reader.bytes_read, changed_bytes + 3 * 4096)
        self.assertEqual(bytes(new[:1 * MiB + 8 * KiB]),
                         bytes(target.data[:1 * MiB + 8 * KiB]))
        self.assertEqual(hashing.digest(lambda o, n: bytes(new[o:o + n]),
                                        plan), res['digest'])

    def test_zero_ops_and_zero_data_skipped(self):
        data = bytearray(8 * CHUNK)
        data[CHUNK:2 * CHUNK] = os.urandom(CHUNK)
        plan = extents.plan_full(len(data), chunk_size=CHUNK,
                                 digest_block=CHUNK)
        target = fakes.MemoryWriter(len(data))
        res = self.copier().copy_disk(copier.DiskJob(
            'd0', fakes.MemoryReader(bytes(data)), target, plan))
        self.assertEqual([(CHUNK, CHUNK)], target.writes)
        self.assertEqual(7 * CHUNK, res['bytes_skipped_zero'])
        self.assertEqual(bytes(data), bytes(target.data))

    def test_parallel_disks(self):
        jobs = []
        for i in range(3):
            data = make_disk(MiB, seed=i)
            plan = extents.plan_full(len(data), chunk_size=CHUNK)
            jobs.append((data, copier.DiskJob(
                'd%d' % i, fakes.MemoryReader(data),
                fakes.MemoryWriter(len(data)), plan)))
        results = self.copier(parallel_disks=3).copy([j for _d, j in jobs])
        self.assertEqual(['d0', 'd1', 'd2'], [r['disk'] for r in results])
        for data, job in jobs:
            self.assertEqual(data, bytes(job.writer.data))

    def test_checkpoint_callback_failure_stops_copy(self):
        # Reads take a little time, as they do over a network, so the
        # failing checkpoint of the first window lands while reading.
        reader = fakes.MemoryReader(
            self.data, on_read=lambda _o, _n: time.sleep(0.005))

        def boom(ck):
            raise RuntimeError('database gone')

        self.assertRaises(RuntimeError, self.copier(checkpoint_cb=boom)
                          .copy_disk, copier.DiskJob(
                              'd0', reader, fakes.MemoryWriter(
                                  len(self.data)), self.plan))
        self.assertLess(reader.bytes_read, self.plan.copy_bytes)

    def test_checkpoint_bytes_done(self):
        cks = []
        self.copier(checkpoint_cb=cks.append).copy_disk(copier.DiskJob(
            'd0', fakes.MemoryReader(self.data),
            fakes.MemoryWriter(len(self.data)), self.plan))
        for ck in cks:
            self.assertEqual(sum(o.length for o in
                                 self.plan.ops[:ck.next_chunk]),
                             ck.bytes_done)

    def test_resume_without_digest_state_has_no_digest(self):
        ck = copier.Checkpoint('d0', self.plan.plan_id, 2, None, 0)
        target = fakes.MemoryWriter(len(self.data))
        res = self.copier().copy_disk(copier.DiskJob(
            'd0', fakes.MemoryReader(self.data), target, self.plan,
            checkpoint=ck))
        self.assertIsNone(res['digest'])
        self.assertIn('without digest state', self.log_fixture.output)


class InlineCopierTest(CopierTest):
    """Every copier test again, writing on the reader threads."""

    inline = True

    def _writer_threads(self, data, plan):
        """Copy with the copier choosing; names of the writing threads."""
        target = fakes.MemoryWriter(len(data))
        threads = set()
        write = target.write

        def record(offset, buf):
            threads.add(threading.current_thread().name)
            write(offset, buf)

        target.write = record
        self.copier(inline=None).copy_disk(copier.DiskJob(
            'd0', fakes.MemoryReader(data), target, plan))
        return threads, target

    def test_small_operations_are_written_inline(self):
        data = make_disk(4 * MiB)
        changed = [(o, 64 * 1024) for o in range(0, 4 * MiB, MiB)]
        threads, target = self._writer_threads(
            data, extents.plan_incremental(len(data), changed))
        self.assertEqual({'xms-read-d0'}, threads)
        for off, n in changed:
            self.assertEqual(data[off:off + n],
                             bytes(target.data[off:off + n]))

    def test_large_operations_go_to_writer_threads(self):
        threads, target = self._writer_threads(
            self.data, extents.plan_full(len(self.data), chunk_size=MiB,
                                         digest_block=CHUNK))
        self.assertEqual({'xms-write-d0'}, threads)
        self.assertEqual(self.data, bytes(target.data))

"""Tests of block-wise digests."""

import os
import random
from unittest import mock

from xms.tests import base
from xms.transport import exception
from xms.transport import extents
from xms.transport import hashing

KiB = 1024
E = extents.Extent


def disk(size, seed=1):
    rnd = random.Random(seed)
    data = bytearray(size)
    for _i in range(8):
        off = rnd.randrange(0, size - 8192)
        data[off:off + 8192] = os.urandom(8192)
    return bytes(data)


def reader(data):
    return lambda off, n: data[off:off + n]


class DigestTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.data = disk(1024 * KiB + 1000)
        self.plan = extents.plan_full(len(self.data), chunk_size=256 * KiB,
                                      align=4 * KiB, digest_block=64 * KiB)

    def test_parallel_equals_serial(self):
        self.assertEqual(hashing.digest(reader(self.data), self.plan, 1),
                         hashing.digest(reader(self.data), self.plan, 8))

    def test_content_change_changes_digest(self):
        other = bytearray(self.data)
        other[-1] ^= 1
        self.assertNotEqual(hashing.digest(reader(self.data), self.plan),
                            hashing.digest(reader(bytes(other)), self.plan))

    def test_folder_out_of_order_matches_digest(self):
        ops = list(enumerate(self.plan.ops))
        random.Random(3).shuffle(ops)
        folder = hashing.Folder(self.plan)
        for _i, op in ops:
            for off, n in hashing.cut(op.offset, op.length, 64 * KiB):
                folder.add(off, hashing.piece_digest(self.data[off:off + n]))
        self.assertEqual(hashing.digest(reader(self.data), self.plan),
                         folder.hexdigest())

    def test_holes_not_read_but_counted(self):
        data = bytearray(512 * KiB)
        data[128 * KiB:132 * KiB] = b'x' * 4 * KiB
        plan = extents.plan_full(len(data), [
            E(0, 128 * KiB, True), E(128 * KiB, 4 * KiB, False),
            E(132 * KiB, 380 * KiB, True)], digest_block=64 * KiB)
        folder = hashing.Folder(plan)
        folder.add(128 * KiB, hashing.piece_digest(
            bytes(data[128 * KiB:132 * KiB])))
        self.assertEqual(hashing.digest(reader(bytes(data)), plan),
                         folder.hexdigest())

    def test_incomplete_folder_raises(self):
        folder = hashing.Folder(self.plan)
        self.assertRaises(exception.TransportError, folder.hexdigest)

    def test_resume_state_continues_same_chain(self):
        windows = self.plan.windows(256 * KiB)
        ends = [e for _s, e in windows]
        first = hashing.Folder(self.plan, boundaries=ends)
        k = ends[1]
        for op in self.plan.ops[:k]:
            for off, n in hashing.cut(op.offset, op.length, 64 * KiB):
                first.add(off, hashing.piece_digest(self.data[off:off + n]))
        state = first.state_at(k)
        self.assertIsNotNone(state)
        second = hashing.Folder(self.plan, k, state, boundaries=ends)
        for op in self.plan.ops[k:]:
            for off, n in hashing.cut(op.offset, op.length, 64 * KiB):
                second.add(off, hashing.piece_digest(self.data[off:off + n]))
        self.assertEqual(hashing.digest(reader(self.data), self.plan),
                         second.hexdigest())

    def test_first_mismatch_names_offset(self):
        other = bytearray(self.data)
        other[300 * KiB + 7] ^= 0xff
        other[900 * KiB] ^= 0xff
        self.assertEqual((256 * KiB, 64 * KiB), hashing.first_mismatch(
            reader(self.data), reader(bytes(other)), self.plan))
        self.assertIsNone(hashing.first_mismatch(
            reader(self.data), reader(self.data), self.plan))

    def test_verify(self):
        expected = hashing.digest(reader(self.data), self.plan)
        self.assertEqual(expected, hashing.verify(reader(self.data),
                                                  self.plan, expected))
        other = bytearray(self.data)
        other[-5] ^= 1
        err = self.assertRaises(
            exception.DigestMismatch, hashing.verify,
            reader(bytes(other)), self.plan, expected, disk='d1',
            read_source=reader(self.data))
        self.assertIn('offset 1048576', str(err))
        self.assertIn('d1', str(err))

    def test_incremental_domain_is_changed_areas(self):
        plan = extents.plan_incremental(len(self.data),
                                        [(64 * KiB, 100), (700 * KiB, 5)],
                                        digest_block=64 * KiB)
        other = bytearray(self.data)
        other[0] ^= 1          # outside the changed areas: not covered
        self.assertEqual(hashing.digest(reader(self.data), plan),
                         hashing.digest(reader(bytes(other)), plan))
        other[64 * KiB] ^= 1   # inside: covered
        self.assertNotEqual(hashing.digest(reader(self.data), plan),
                            hashing.digest(reader(bytes(other)), plan))

    def test_file_reader_pads_past_eof(self):
        path = os.path.join(self.state_path, 'f')
        with open(path, 'wb') as f:
            f.write(b'ab')
        read, close = hashing.file_reader(path)
        self.addCleanup(close)
        self.assertEqual(b'ab\0\0', read(0, 4))

    def test_file_reader_drops_what_it_read(self):
        path = os.path.join(self.state_path, 'f')
        with open(path, 'wb') as f:
            f.write(b'x' * 8192)
        read, close = hashing.file_reader(path)
        self.addCleanup(close)
        with mock.patch.object(os, 'posix_fadvise') as fadvise:
            self.assertEqual(b'x' * 4096, read(4096, 4096))
        fadvise.assert_called_once_with(mock.ANY, 4096, 4096,
                                        os.POSIX_FADV_DONTNEED)


class AlgorithmTest(base.TestCase):

    def test_algorithm_in_plan_and_digest(self):
        data = disk(256 * KiB)
        plans = [extents.plan_full(len(data), digest_block=64 * KiB,
                                   chunk_size=64 * KiB,
                                   digest_algorithm=a)
                 for a in ('sha256', 'xxh3_128', 'blake2b')]
        self.assertEqual(3, len({p.plan_id for p in plans}))
        digests = {hashing.digest(reader(data), p) for p in plans}
        self.assertEqual(3, len(digests))

    def test_unknown_algorithm(self):
        self.assertRaises(exception.TransportError, hashing.hasher, 'md4')

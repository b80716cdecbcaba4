"""Tests of the target writer (real files in a temp dir)."""

import os

from xms.tests import base
from xms.transport import writer

MiB = 1024 * 1024


def allocated(path):
    return os.stat(path).st_blocks * 512


class WriterTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.state_path, 'target.raw')

    def test_new_file_is_sparse_and_known_zero(self):
        with writer.Writer(self.path, size=8 * MiB) as w:
            self.assertTrue(w.known_zero)
            self.assertFalse(w.is_block)
        self.assertEqual(8 * MiB, os.path.getsize(self.path))
        self.assertLess(allocated(self.path), MiB)

    def test_existing_file_not_known_zero(self):
        with open(self.path, 'wb') as f:
            f.write(b'x' * MiB)
        with writer.Writer(self.path, size=MiB) as w:
            self.assertFalse(w.known_zero)

    def test_write_and_punch_hole(self):
        with writer.Writer(self.path, size=4 * MiB) as w:
            w.write(0, b'\xff' * (4 * MiB))
            w.flush()
            w.zero(MiB, 2 * MiB)
            w.flush()
            self.assertEqual(2 * MiB, w.bytes_zeroed)
        with open(self.path, 'rb') as f:
            data = f.read()
        self.assertEqual(b'\xff' * MiB, data[:MiB])
        self.assertEqual(bytes(2 * MiB), data[MiB:3 * MiB])
        self.assertEqual(b'\xff' * MiB, data[3 * MiB:])
        # The zeroed range was deallocated, not written.
        self.assertLessEqual(allocated(self.path), 2 * MiB + 64 * 1024)

    def test_zero_falls_back_to_writing_zeros(self):
        with writer.Writer(self.path, size=2 * MiB) as w:
            w.write(0, b'\x01' * (2 * MiB))
            w._punch = w._zero_range = False
            w.zero(100, MiB + 5)
        with open(self.path, 'rb') as f:
            data = f.read()
        self.assertEqual(b'\x01' * 100, data[:100])
        self.assertEqual(bytes(MiB + 5), data[100:MiB + 105])
        self.assertEqual(b'\x01', data[MiB + 105:MiB + 106])

    def test_write_from_memoryview_slice(self):
        buf = bytearray(b'abcdefgh')
        with writer.Writer(self.path, size=16) as w:
            w.write(3, memoryview(buf)[2:5])
        with open(self.path, 'rb') as f:
            self.assertEqual(b'\0\0\0cde' + bytes(10), f.read())

    def test_direct_for_aligned_buffered_otherwise(self):
        import mmap

        buf = mmap.mmap(-1, 2 * 4096,
                        flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        buf[:] = b'\x07' * (2 * 4096)
        with writer.Writer(self.path, size=MiB, direct_min=4096) as w:
            view = memoryview(buf)
            # Filesystems without O_DIRECT (tmpfs) use the page cache only.
            self.assertEqual(w.direct_fd is not None,
                             w._aligned(4096, view))
            self.assertFalse(w._aligned(4096, view[1:4097]))
            self.assertFalse(w._aligned(100, view))
            self.assertFalse(w._aligned(0, memoryview(b'x' * 4096)))
            w.write(4096, view)
            w.write(3 * 4096 + 1, b'tail')
            w.flush()
            view.release()
        with open(self.path, 'rb') as f:
            data = f.read()
        self.assertEqual(b'\x07' * 8192, data[4096:3 * 4096])
        self.assertEqual(b'tail', data[3 * 4096 + 1:3 * 4096 + 5])
        self.assertEqual(MiB, len(data))

    def test_small_writes_use_the_page_cache(self):
        import mmap

        buf = mmap.mmap(-1, 128 * 1024,
                        flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        buf[:] = b'\x05' * len(buf)
        with writer.Writer(self.path, size=MiB) as w:
            view = memoryview(buf)
            # Aligned, but below direct_min (256 KiB): buffered, so the
            # checkpoint's fdatasync writes many such pieces at once.
            self.assertFalse(w._aligned(0, view))
            w.direct_min = 64 * 1024
            self.assertEqual(w.direct_fd is not None, w._aligned(0, view))
            view.release()

    def test_direct_disabled(self):
        with writer.Writer(self.path, size=MiB, direct=False) as w:
            self.assertIsNone(w.direct_fd)
            w.write(0, b'abc')
        with open(self.path, 'rb') as f:
            self.assertEqual(b'abc', f.read(3))

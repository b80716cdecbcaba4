"""Tests of the target writer (real files in a temp dir)."""

import errno
import os
from unittest import mock

import fixtures

from xms.tests import base
from xms.transport import exception
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
        with writer.Writer(self.path, size=MiB, direct=True,
                           direct_min=4096) as w:
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
        with writer.Writer(self.path, size=MiB, direct=True) as w:
            view = memoryview(buf)
            # Aligned, but below direct_min (256 KiB): buffered, so many
            # such pieces are written back at once.
            self.assertFalse(w._aligned(0, view))
            w.direct_min = 64 * 1024
            self.assertEqual(w.direct_fd is not None, w._aligned(0, view))
            view.release()

    def test_buffered_writes_start_writeback(self):
        libc = mock.Mock()
        libc.sync_file_range.return_value = 0
        with mock.patch.object(writer, '_load_libc', return_value=libc):
            with writer.Writer(self.path, size=MiB) as w:
                w.write(64 * 1024, b'\x01' * 4096)
                libc.sync_file_range.assert_called_once_with(
                    w.fd, 64 * 1024, 4096, writer.SYNC_FILE_RANGE_WRITE)
            libc.reset_mock()
            os.unlink(self.path)
            with writer.Writer(self.path, size=MiB,
                               early_writeback=False) as w:
                w.write(0, b'\x01' * 4096)
            libc.sync_file_range.assert_not_called()
        with open(self.path, 'rb') as f:
            self.assertEqual(b'\x01' * 4096, f.read(4096))

    def test_write_behind_waits_one_window_late(self):
        libc = mock.Mock()
        libc.sync_file_range.return_value = 0
        started = writer.SYNC_FILE_RANGE_WRITE
        waited = (writer.SYNC_FILE_RANGE_WAIT_BEFORE
                  | writer.SYNC_FILE_RANGE_WRITE
                  | writer.SYNC_FILE_RANGE_WAIT_AFTER)
        piece = 256 * 1024
        with mock.patch.object(writer, '_load_libc', return_value=libc), \
                mock.patch.object(writer.os, 'posix_fadvise') as fadvise:
            with writer.Writer(self.path, size=4 * MiB,
                               write_behind=2 * piece) as w:
                self.assertIsNone(w.direct_fd)
                for k in range(4):
                    w.write(k * piece, b'\x02' * piece)
                # A small write starts its writeback and is not queued.
                w.write(3 * MiB, b'\x03' * 4096)
                calls = [c.args[1:] for c in
                         libc.sync_file_range.call_args_list]
        self.assertEqual([
            (0, piece, started), (piece, piece, started),
            (2 * piece, piece, started), (0, piece, waited),
            (3 * piece, piece, started), (piece, piece, waited),
            (3 * MiB, 4096, started)], calls)
        # What was waited for is dropped from the page cache.
        self.assertEqual(
            [mock.call(mock.ANY, 0, piece, os.POSIX_FADV_DONTNEED),
             mock.call(mock.ANY, piece, piece, os.POSIX_FADV_DONTNEED)],
            fadvise.call_args_list)
        with open(self.path, 'rb') as f:
            data = f.read()
        self.assertEqual(b'\x02' * (4 * piece), data[:4 * piece])
        self.assertEqual(b'\x03' * 4096, data[3 * MiB:3 * MiB + 4096])

    def _sync_file_range_fails(self, err):
        """Patch ``sync_file_range`` to fail with ``err``; return libc."""
        import ctypes

        libc = mock.Mock()
        libc.sync_file_range.return_value = -1
        self.useFixture(fixtures.MockPatchObject(
            writer, '_load_libc', return_value=libc))
        self.useFixture(fixtures.MockPatchObject(
            ctypes, 'get_errno', return_value=err))
        return libc

    def test_writeback_error_fails_the_write(self):
        self._sync_file_range_fails(errno.EIO)
        with writer.Writer(self.path, size=MiB) as w:
            err = self.assertRaises(exception.WriteError, w.write,
                                    4096, b'x' * 4096)
        self.assertIn('4096', str(err))

    def test_no_sync_file_range_leaves_writeback_to_flush(self):
        libc = self._sync_file_range_fails(errno.ESPIPE)
        with writer.Writer(self.path, size=MiB) as w:
            w.write(0, b'y' * 512 * 1024)
            w.write(0, b'z' * 4096)
            self.assertFalse(w.early_writeback)
            w.flush()
        self.assertEqual(1, libc.sync_file_range.call_count)
        with open(self.path, 'rb') as f:
            self.assertEqual(b'z' * 4096 + b'y' * 4096, f.read(8192))

    def test_existing_target_drops_its_cached_pages(self):
        with open(self.path, 'wb') as f:
            f.write(b'\x04' * MiB)
        with mock.patch.object(writer.os, 'posix_fadvise') as fadvise:
            with writer.Writer(self.path, size=MiB, create=False) as w:
                fadvise.assert_called_once_with(
                    w.fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.unlink(self.path)
            fadvise.reset_mock()
            # A file the writer creates has nothing cached.
            with writer.Writer(self.path, size=MiB):
                fadvise.assert_not_called()

    def test_from_conf(self):
        from xms.conf import CONF

        self.config(write_mode='direct', write_behind_mib=3,
                    group='transport')
        with mock.patch.object(writer.Writer, '__init__',
                               return_value=None) as init:
            writer.Writer.from_conf(self.path, CONF, size=MiB)
            self.config(write_mode='writeback', group='transport')
            writer.Writer.from_conf(self.path, CONF, create=False)
        self.assertEqual(
            [mock.call(self.path, size=MiB, create=True, direct=True,
                       write_behind=3 * MiB),
             mock.call(self.path, size=None, create=False, direct=False,
                       write_behind=3 * MiB)], init.call_args_list)

    def test_direct_disabled(self):
        with writer.Writer(self.path, size=MiB, direct=False) as w:
            self.assertIsNone(w.direct_fd)
            w.write(0, b'abc')
        with open(self.path, 'rb') as f:
            self.assertEqual(b'abc', f.read(3))

"""Target writer: a block device (attached volume) or a local file.

Writes are positional writes from the copier's buffers (``pwrite``). Two
ways to get them to the device:

* *write-behind* (the default): every write goes through the page cache
  and its writeback starts at once (``sync_file_range(WRITE)``). Large
  writes (``direct_min`` and more, a copy's streaming chunks) are also
  queued; once more than ``write_behind`` bytes are queued, the oldest are
  waited for (``sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER)``) and
  dropped from the page cache (``POSIX_FADV_DONTNEED``). The device always
  has work queued, the kernel merges neighbouring writes, the writer never
  waits for the device while that window is not full, and the large
  writes of a disk never hold more than the window of the page cache,
  whatever the disk's size (the way nbdcopy writes files). On the test
  machine this was the faster way to write a copy (``tools/bench``: the
  ``write_mode = direct`` rows).
* ``direct``: aligned writes of at least ``direct_min`` bytes from aligned
  buffers go through a second ``O_DIRECT`` descriptor, without a copy
  into the page cache: less CPU per byte, but each writer thread waits for
  its write, and on the test machine copies were slower. Unaligned pieces
  (the tail of a disk whose size is not a multiple of 4 KiB) and small
  writes use the page cache as above; if the filesystem refuses
  ``O_DIRECT`` everything does.

Small writes (an incremental sync's scattered 64 KiB blocks) only start
their writeback: they are not waited for one by one, and many are in
flight when the checkpoint's ``fdatasync`` runs.

Ranges that must read zeros are zeroed by the cheapest correct means the
target offers:

* a regular file: ``fallocate(PUNCH_HOLE)`` (frees the space, reads
  zeros), else ``fallocate(ZERO_RANGE)``, else writing zeros;
* a block device: ``BLKZEROOUT`` (the kernel uses the device's write-zeroes
  or unmap-with-zeroing support), else writing zeros;
* nothing at all when the target is known to read zeros there (a file the
  writer created, or a volume the operator declares pre-zeroed): the
  planner leaves those ranges out of the plan.

``flush`` is ``fdatasync``: the copier calls it before every checkpoint,
so a recorded checkpoint never points past data that a crash could lose.
"""

import collections
import ctypes
import ctypes.util
import errno
import fcntl
import os
import stat
import struct
import threading

from oslo_log import log as logging

from xms.transport import exception

LOG = logging.getLogger(__name__)

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10
#: ``_IO(0x12, 127)`` from linux/fs.h.
BLKZEROOUT = 0x127F
#: ``_IOR(0x12, 114, size_t)``.
BLKGETSIZE64 = 0x80081272
_ZERO_BUF = bytes(1024 * 1024)
#: Alignment of offsets, lengths and buffer addresses for O_DIRECT. 4 KiB
#: satisfies every logical block size in use (512 and 4096).
DIRECT_ALIGN = 4096
#: Writes smaller than this go through the page cache even when they could
#: be direct, and are not waited for by write-behind: scattered small writes
#: (an incremental sync's 64 KiB changed blocks) are much cheaper as dirty
#: pages, many in flight, than as one synchronous device write each.
DIRECT_MIN = 256 * 1024
#: Bytes of large writes in flight to the device before write-behind waits
#: for the oldest (``[transport]/write_behind_mib``).
WRITE_BEHIND = 32 * 1024 * 1024

_libc = None


SYNC_FILE_RANGE_WAIT_BEFORE = 1
SYNC_FILE_RANGE_WRITE = 2
SYNC_FILE_RANGE_WAIT_AFTER = 4


def _load_libc():
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        lib.fallocate.argtypes = [ctypes.c_int, ctypes.c_int,
                                  ctypes.c_int64, ctypes.c_int64]
        lib.sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64,
                                        ctypes.c_int64, ctypes.c_uint]
        _libc = lib
    return _libc


def drop_cached(fd, offset=0, length=0):
    """Drop clean pages of ``fd`` from the page cache (0 length: to EOF).

    Only advice: a target or a source read once should not push the
    worker's useful pages out, and a failure changes no data.
    """
    try:
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
    except OSError as e:
        LOG.debug('Could not drop cached pages of fd %d: %s', fd, e)


def _fallocate(fd, mode, offset, length):
    if _load_libc().fallocate(fd, mode, offset, length) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


class Writer:
    """Positional writer over one target.

    :param path: block device or file path.
    :param size: disk size; a file is created (sparse) or extended to it.
    :param create: create the file when missing. A file created here is
        known to read zeros everywhere (:attr:`known_zero`).
    :param early_writeback: start writeback of each buffered write right
        after it (``sync_file_range``).
    :param direct: write aligned chunks of ``direct_min`` bytes or more
        with ``O_DIRECT`` instead of write-behind.
    :param write_behind: bytes of large buffered writes whose writeback
        may be in flight before the oldest is waited for and dropped from
        the page cache; 0 never waits (the ``fdatasync`` of the next
        checkpoint does).
    """

    def __init__(self, path, size=None, create=True, early_writeback=True,
                 direct=False, direct_min=DIRECT_MIN,
                 write_behind=WRITE_BEHIND):
        self.path = path
        self.early_writeback = early_writeback
        self.direct_min = direct_min
        self.write_behind = write_behind
        self._behind = collections.deque()
        self._behind_bytes = 0
        self.direct_fd = None
        self.known_zero = False
        flags = os.O_WRONLY
        exists = os.path.exists(path)
        if not exists and create:
            flags |= os.O_CREAT | os.O_EXCL
        self.fd = os.open(path, flags, 0o600)
        st = os.fstat(self.fd)
        self.is_block = stat.S_ISBLK(st.st_mode)
        self._punch = not self.is_block
        self._zero_range = not self.is_block
        self._zeroout = self.is_block
        self._lock = threading.Lock()
        if self.is_block:
            buf = fcntl.ioctl(self.fd, BLKGETSIZE64, b'\0' * 8)
            self.size = struct.unpack('Q', buf)[0]
            if size is not None and size > self.size:
                raise exception.WriteError(
                    target=path, offset=size,
                    reason='device is %d bytes, disk needs %d'
                    % (self.size, size))
        else:
            if not exists and create:
                self.known_zero = True
            if size is not None and st.st_size != size:
                if st.st_size == 0:
                    self.known_zero = True
                os.ftruncate(self.fd, size)
            self.size = size if size is not None else st.st_size
        self.bytes_written = 0
        self.bytes_zeroed = 0
        if exists:
            # Pages cached by an earlier read of the target (a
            # verification, a ``cat``) sit in large folios, and the kernel
            # writes back a whole folio when any byte of it is dirty: an
            # incremental sync's 64 KiB blocks would each write back up to
            # a 2 MiB folio (the benchmark's sync after ``qemu-img
            # compare`` read the target shows it).
            drop_cached(self.fd)
        if direct:
            try:
                self.direct_fd = os.open(path, os.O_WRONLY | os.O_DIRECT)
            except OSError as e:
                LOG.debug('O_DIRECT not available on %s (%s); using the '
                          'page cache', path, e)

    @classmethod
    def from_conf(cls, path, conf, size=None, create=True):
        """Writer with the ``[transport]`` write options."""
        t = conf.transport
        return cls(path, size=size, create=create,
                   direct=t.write_mode == 'direct',
                   write_behind=t.write_behind_mib * 1024 * 1024)

    def _aligned(self, offset, view):
        if (self.direct_fd is None or len(view) < self.direct_min
                or offset % DIRECT_ALIGN
                or len(view) % DIRECT_ALIGN or view.readonly):
            return False
        try:
            addr = ctypes.addressof(ctypes.c_char.from_buffer(view))
        except (TypeError, ValueError):
            return False
        return addr % DIRECT_ALIGN == 0

    def write(self, offset, data):
        """Write a buffer at ``offset`` (loops over short writes)."""
        view = memoryview(data)
        done = 0
        total = len(view)
        direct = self._aligned(offset, view)
        fd = self.direct_fd if direct else self.fd
        try:
            while done < total:
                try:
                    n = os.pwrite(fd, view[done:], offset + done)
                except OSError as e:
                    if not direct or e.errno != errno.EINVAL:
                        raise
                    LOG.debug('O_DIRECT write refused on %s; using the '
                              'page cache', self.path)
                    self._close_direct()
                    direct = False
                    fd = self.fd
                    continue
                if n <= 0:
                    raise OSError(errno.EIO, 'short write')
                done += n
        except OSError as e:
            raise exception.WriteError(target=self.path,
                                       offset=offset + done,
                                       reason=e.strerror or str(e))
        self.bytes_written += total
        if self.early_writeback and not direct:
            # Start writeback of this piece now (without waiting for it):
            # the disk works while the next pieces are read, and the
            # fdatasync of the checkpoint finds little left to do.
            if (self._sync_range(offset, total, SYNC_FILE_RANGE_WRITE)
                    and self.write_behind and total >= self.direct_min):
                self._wait_behind(offset, total)

    def _sync_range(self, offset, length, flags):
        """``sync_file_range``; False when the target does not support it.

        :raises WriteError: writeback failed. Such an error is reported
            once per descriptor, so the next ``fdatasync`` would not see
            it again: it fails the write now.
        """
        if _load_libc().sync_file_range(self.fd, offset, length,
                                        flags) == 0:
            return True
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.ESPIPE, errno.EINVAL):
            LOG.debug('sync_file_range unsupported on %s (%s); leaving '
                      'writeback to fdatasync', self.path, os.strerror(err))
            self.early_writeback = False
            return False
        raise exception.WriteError(target=self.path, offset=offset,
                                   reason=os.strerror(err))

    def _wait_behind(self, offset, length):
        """Queue a started write; finish the writes beyond the window.

        Waiting here, one window behind, bounds both the dirty data of
        this disk and the time the checkpoint's ``fdatasync`` takes;
        dropping the written pages keeps a terabyte copy from pushing
        everything else out of the worker's page cache.
        """
        old = []
        with self._lock:
            self._behind.append((offset, length))
            self._behind_bytes += length
            while self._behind_bytes > self.write_behind:
                done = self._behind.popleft()
                self._behind_bytes -= done[1]
                old.append(done)
        for off, n in old:
            self._sync_range(off, n, SYNC_FILE_RANGE_WAIT_BEFORE
                             | SYNC_FILE_RANGE_WRITE
                             | SYNC_FILE_RANGE_WAIT_AFTER)
            drop_cached(self.fd, off, n)

    def zero(self, offset, length):
        """Make ``[offset, offset+length)`` read zeros, cheapest first."""
        if length <= 0:
            return
        if self._punch:
            try:
                _fallocate(self.fd, FALLOC_FL_PUNCH_HOLE |
                           FALLOC_FL_KEEP_SIZE, offset, length)
                self.bytes_zeroed += length
                return
            except OSError as e:
                LOG.debug('punch hole unsupported on %s (%s); trying '
                          'zero range', self.path, e)
                self._punch = False
        if self._zero_range:
            try:
                _fallocate(self.fd, FALLOC_FL_ZERO_RANGE, offset, length)
                self.bytes_zeroed += length
                return
            except OSError as e:
                LOG.debug('zero range unsupported on %s (%s); writing '
                          'zeros', self.path, e)
                self._zero_range = False
        if self._zeroout:
            try:
                fcntl.ioctl(self.fd, BLKZEROOUT,
                            struct.pack('QQ', offset, length))
                self.bytes_zeroed += length
                return
            except OSError as e:
                LOG.debug('BLKZEROOUT unsupported on %s (%s); writing '
                          'zeros', self.path, e)
                self._zeroout = False
        end = offset + length
        cur = offset
        while cur < end:
            n = min(len(_ZERO_BUF), end - cur)
            self.write(cur, memoryview(_ZERO_BUF)[:n])
            cur += n
        self.bytes_zeroed += length

    def flush(self):
        """Make every write so far durable (``fdatasync``)."""
        try:
            os.fdatasync(self.fd)
        except OSError as e:
            raise exception.WriteError(target=self.path, offset=0,
                                       reason=e.strerror or str(e))

    def _close_direct(self):
        if self.direct_fd is not None:
            os.close(self.direct_fd)
            self.direct_fd = None

    def close(self):
        self._close_direct()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

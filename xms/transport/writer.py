"""Target writer: a block device (attached volume) or a local file.

Writes are large positional writes from the copier's buffers (``pwrite``,
no extra copy). Aligned writes of at least ``direct_min`` bytes from
aligned buffers go through a second ``O_DIRECT`` descriptor: the data
goes from the copier's buffer to the device without a copy into the page
cache and without later writeback work, which cut the CPU time of a
copy several-fold and made it much faster on the (2 vCPU) test machine.
Unaligned pieces (the tail of a disk whose size is not a multiple of
4 KiB, zero-fill fallbacks) and small writes use the normal descriptor;
if the filesystem refuses ``O_DIRECT`` everything does.

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
#: be direct: scattered small writes (an incremental sync's 64 KiB changed
#: blocks) are much cheaper as dirty pages that the checkpoint's
#: ``fdatasync`` writes back all at once, many in flight, than as one
#: synchronous device write each.
DIRECT_MIN = 256 * 1024

_libc = None


SYNC_FILE_RANGE_WRITE = 2


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
    :param direct: write aligned chunks with ``O_DIRECT``.
    """

    def __init__(self, path, size=None, create=True, early_writeback=True,
                 direct=True, direct_min=DIRECT_MIN):
        self.path = path
        self.early_writeback = early_writeback
        self.direct_min = direct_min
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
        if direct:
            try:
                self.direct_fd = os.open(path, os.O_WRONLY | os.O_DIRECT)
            except OSError as e:
                LOG.debug('O_DIRECT not available on %s (%s); using the '
                          'page cache', path, e)

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
        if self.early_writeback and not direct and total >= self.direct_min:
            # Start writeback of this chunk now (without waiting for it):
            # the disk works while the next chunks are read, and the
            # fdatasync of the checkpoint finds little left to do.
            _load_libc().sync_file_range(self.fd, offset, total,
                                         SYNC_FILE_RANGE_WRITE)

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

"""Block-wise digests of disk contents.

A disk digest must be computable while chunks complete out of order on
several threads, survive a resume from a checkpoint, and point at the first
bad block when source and target disagree. So:

* the bytes a plan covers (:meth:`Plan.domain`) are cut into *pieces* on a
  fixed grid (``digest_block``, 1 MiB by default): each piece is hashed
  (the plan's ``digest_algorithm``: XXH3-128 by default, or SHA-256) on
  whichever thread holds its bytes, and pieces the source reports as zeros
  get the constant digest of zeros without being read;
* piece digests are folded in offset order into a *chain*,
  ``state = sha256(state || offset || length || piece_digest)``. The chain
  state is 32 bytes, so a checkpoint can store it and a resumed copy
  continues the same digest;
* verification recomputes piece digests of the target (in parallel) and
  folds them the same way; comparing two sources piece by piece names the
  first bad offset.

For a full plan the domain is the whole disk (holes included, as zeros);
piece boundaries follow the plan's operations, so a digest is compared
with another digest of the same plan (the copy and its verification).
"""

import concurrent.futures
import functools
import hashlib
import struct
import threading

from xms.transport import exception
from xms.transport import extents
from xms.transport import writer

ALGORITHM = 'sha256-chain'
_INITIAL = b'\0' * 32
_PACK = struct.Struct('>QQ')


try:
    import xxhash
except ImportError:  # pragma: no cover - optional accelerator
    xxhash = None

ALGORITHMS = ('sha256', 'sha512', 'blake2b', 'xxh3_128')


def hasher(algorithm=extents.DEFAULT_DIGEST):
    """Function returning the digest of a buffer with ``algorithm``.

    ``xxh3_128`` (the default, python ``xxhash``, ~20 GB/s per core here)
    detects accidental corruption with a 128-bit digest at a tenth of the
    CPU of ``sha256`` (OpenSSL with SHA extensions, ~1.6 GB/s per core);
    on a 2 vCPU worker SHA-256 made a copy up to twice as slow. Choose
    ``sha256`` when a cryptographic digest is required.
    """
    if algorithm == 'xxh3_128':
        if xxhash is None:
            raise exception.TransportError(
                reason='digest algorithm xxh3_128 needs the xxhash module')
        return lambda data: xxhash.xxh3_128(data).digest()
    if algorithm not in ALGORITHMS:
        raise exception.TransportError(
            reason='unknown digest algorithm %s' % algorithm)
    return lambda data: hashlib.new(algorithm, data).digest()


@functools.lru_cache(maxsize=64)
def zero_digest(length, algorithm=extents.DEFAULT_DIGEST):
    """Digest of ``length`` zero bytes (cached: holes are common)."""
    return hasher(algorithm)(bytes(length))


def piece_digest(data, algorithm=extents.DEFAULT_DIGEST):
    """Digest of one piece; ``data`` is any buffer (no copy is made)."""
    return hasher(algorithm)(data)


def fold(state, offset, length, digest):
    """Fold one piece digest into a chain state."""
    return hashlib.sha256(state + _PACK.pack(offset, length)
                          + digest).digest()


def cut(offset, length, grid):
    """Yield ``(offset, length)`` pieces of a range cut on the grid."""
    end = offset + length
    cur = offset
    while cur < end:
        nxt = min(end, (cur // grid + 1) * grid)
        yield cur, nxt - cur
        cur = nxt


def pieces(plan, start=0):
    """Yield ``(offset, length, op_index)`` for every piece of the domain.

    ``op_index`` is the index of the copy operation that reads the piece,
    or None when the piece is known to be zero (hole or zero operation).
    Copy operations and the known-zero runs between them (merged) are each
    cut on the digest grid, so every piece lies inside one operation.
    Pieces before ``start`` are skipped (resume).
    """
    grid = plan.digest_block
    ops = plan.ops
    if plan.mode == extents.FULL:
        cur = 0
        for i, op in enumerate(ops):
            if op.kind != extents.COPY:
                continue
            if op.offset > cur:
                yield from _from(cut(cur, op.offset - cur, grid), None, start)
            yield from _from(cut(op.offset, op.length, grid), i, start)
            cur = op.offset + op.length
        if plan.size > cur:
            yield from _from(cut(cur, plan.size - cur, grid), None, start)
        return
    for i, op in enumerate(ops):
        if op.offset + op.length <= start:
            continue
        idx = i if op.kind == extents.COPY else None
        yield from _from(cut(op.offset, op.length, grid), idx, start)


def _from(ranges, idx, start):
    for off, length in ranges:
        if off >= start:
            yield off, length, idx


def boundary(plan, index):
    """Offset from which pieces belong to operations ``>= index``."""
    if index == 0:
        return 0
    if index < len(plan.ops):
        return plan.ops[index].offset
    return plan.size


class Folder:
    """Thread-safe, order-restoring accumulator of a plan's digest.

    Writers call :meth:`add` with piece digests in any order; pieces are
    folded as soon as every earlier piece is known. Chain states at
    checkpoint boundaries are kept so the copier can persist them.

    :param plan: the :class:`~xms.transport.extents.Plan` being copied.
    :param start_index: first operation still to copy (resume).
    :param state: chain state (hex) saved at that operation, on resume.
    :param boundaries: operation indices at which states are wanted.
    """

    def __init__(self, plan, start_index=0, state=None, boundaries=()):
        self._lock = threading.Lock()
        self._state = bytes.fromhex(state) if state else _INITIAL
        self._initial = self._state
        self._start = boundary(plan, start_index)
        self._iter = pieces(plan, self._start)
        self._next = next(self._iter, None)
        self._ready = {}
        self._want = sorted(boundary(plan, b) for b in boundaries
                            if b > start_index)
        self._snap = {}
        self._plan = plan
        self._algorithm = plan.digest_algorithm
        self._advance()

    def add(self, offset, digest):
        """Record the digest of the piece starting at ``offset``."""
        with self._lock:
            self._ready[offset] = digest
            self._advance()

    def _advance(self):
        while self._next is not None:
            off, length, idx = self._next
            while self._want and self._want[0] <= off:
                self._snap[self._want.pop(0)] = self._state
            if idx is None:
                digest = zero_digest(length, self._algorithm)
            else:
                digest = self._ready.pop(off, None)
                if digest is None:
                    return
            self._state = fold(self._state, off, length, digest)
            self._next = next(self._iter, None)
        for b in self._want:
            self._snap[b] = self._state
        self._want = []

    def state_at(self, index):
        """Chain state (hex) once every piece before op ``index`` folded."""
        with self._lock:
            b = boundary(self._plan, index)
            if b == self._start:
                return self._initial.hex()
            st = self._snap.get(b)
            return st.hex() if st is not None else None

    def hexdigest(self):
        """The final digest; raises if pieces are still missing."""
        with self._lock:
            if self._next is not None:
                raise exception.TransportError(
                    reason='digest incomplete at offset %d' % self._next[0])
            return self._state.hex()

    @property
    def pending(self):
        """Number of piece digests waiting for an earlier piece."""
        return len(self._ready)


def _piece_digests(read, plan, workers, read_all=True):
    """Yield ``(offset, length, digest)`` in order, computed in parallel.

    At most ``2 * workers`` pieces are in memory at once.
    """
    algorithm = plan.digest_algorithm
    hash_fn = hasher(algorithm)

    def work(off, length):
        return hash_fn(read(off, length))

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        queue = []
        for off, length, idx in pieces(plan):
            if idx is None and not read_all:
                queue.append((off, length, None))
            else:
                queue.append((off, length, pool.submit(work, off, length)))
            while len(queue) > 2 * workers or (
                    queue and queue[0][2] is None):
                o, n, fut = queue.pop(0)
                yield o, n, (zero_digest(n, algorithm) if fut is None
                             else fut.result())
        for o, n, fut in queue:
            yield o, n, (zero_digest(n, algorithm) if fut is None
                         else fut.result())


def digest(read, plan, workers=4, read_all=True):
    """Digest of the plan's domain as ``read(offset, length)`` returns it.

    :param read: callable returning the bytes of a range (file, NBD...).
    :param plan: the plan whose domain and grid to use.
    :param workers: pieces hashed in parallel.
    :param read_all: also read ranges the plan knows are zero (True for
        verifying a target, which must really read zeros there).
    :returns: hex digest comparable with the copier's.
    """
    state = _INITIAL
    for off, length, dig in _piece_digests(read, plan, workers, read_all):
        state = fold(state, off, length, dig)
    return state.hex()


def first_mismatch(read_a, read_b, plan, workers=4):
    """First piece where two readers differ, or None when they agree.

    :returns: ``(offset, length)`` of the first differing piece, or None.
    """
    for (off, length, da), (_o, _n, db) in zip(
            _piece_digests(read_a, plan, workers),
            _piece_digests(read_b, plan, workers), strict=True):
        if da != db:
            return off, length
    return None


def verify(read_target, plan, expected, disk='disk', read_source=None,
           workers=4):
    """Check a target against the digest recorded while copying.

    :param read_target: reader of the target.
    :param plan: the plan the copy followed.
    :param expected: digest returned by the copier.
    :param disk: disk name used in the error.
    :param read_source: reader of the source, used to locate the first bad
        offset when the digests differ.
    :returns: the target digest (equal to ``expected``).
    :raises DigestMismatch: naming the first bad offset (-1 when no source
        reader was given to locate it).
    """
    actual = digest(read_target, plan, workers)
    if actual == expected:
        return actual
    bad = None
    if read_source is not None:
        bad = first_mismatch(read_source, read_target, plan, workers)
    off, length = bad if bad else (-1, 0)
    raise exception.DigestMismatch(disk=disk, offset=off, length=length)


def file_reader(path):
    """A thread-safe ``read(offset, length)`` over a file or device.

    What was read is dropped from the page cache: verifying a disk reads
    all of it once, and keeping it would push the worker's useful pages
    out and leave the target cached in large folios (which make later
    small writes to it write back whole folios, see
    :class:`~xms.transport.writer.Writer`).

    :returns: ``(read, close)``.
    """
    import os

    fd = os.open(path, os.O_RDONLY)

    def read(offset, length):
        data = os.pread(fd, length, offset)
        writer.drop_cached(fd, offset, length)
        if len(data) < length:
            data += bytes(length - len(data))
        return data

    return read, lambda: os.close(fd)

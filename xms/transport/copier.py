"""Parallel, checkpointed disk copier.

For each disk the copier follows a :class:`~xms.transport.extents.Plan`:

* reader threads (one per NBD connection, see
  :meth:`~xms.transport.reader.NbdReader.pump`) keep several reads in
  flight into a fixed pool of buffers, so memory is bounded
  by ``buffer_bytes`` whatever the disk size;
* writer threads ``pwrite`` completed chunks at their offsets (copies and
  incremental syncs alike), zero what the plan says, and hash what they
  wrote into the disk digest (:mod:`xms.transport.hashing`); for plans of
  small operations (``INLINE_MAX_OP``) the reader threads do this
  themselves as each read completes;
* the calling thread waits for each *checkpoint window* (consecutive plan
  operations worth ``window_bytes``) to be complete, ``fdatasync`` s the
  target and only then calls ``checkpoint_cb`` with "disk D is durable up
  to operation K of plan P" plus the digest state there. A copy resumed
  from that checkpoint starts at operation K, so at most one window (plus
  the reads in flight) is ever read twice.

Before handing out each chunk the copier asks ``cancel_check``; once it
says yes no further read starts, in-flight reads drain and
:class:`~xms.transport.exception.CopyCancelled` is raised. Several disks
run in parallel on their own threads (``parallel_disks``).
"""

import collections
import concurrent.futures
import mmap
import queue
import threading
import time

from oslo_log import log as logging

from xms.transport import exception
from xms.transport import extents
from xms.transport import hashing

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024

#: Plans whose copy operations average at most this size (an incremental
#: sync's scattered changed blocks) are written inline by the reader
#: threads: per operation, a hand-off to a writer thread costs more than
#: the (page cache) write itself. Larger operations go to writer threads,
#: which keep several device writes in flight while reading continues.
INLINE_MAX_OP = 256 * 1024

Progress = collections.namedtuple(
    'Progress', ['disk', 'done', 'total', 'rate', 'eta'])
Progress.__doc__ = ('Copy progress of one disk: bytes done and total '
                    '(data copied plus zeroed), bytes/s, seconds left.')


class Checkpoint(collections.namedtuple(
        'Checkpoint', ['disk', 'plan_id', 'next_chunk', 'digest_state',
                       'bytes_done'])):
    """A durable resume point: ops before ``next_chunk`` are on disk."""

    __slots__ = ()

    def as_dict(self):
        return dict(self._asdict())

    @classmethod
    def from_value(cls, value):
        """Accept a Checkpoint, its dict form, or None."""
        if value is None or isinstance(value, cls):
            return value
        return cls(**value)


class DiskJob:
    """One disk to copy.

    :param disk: name used in callbacks, logs and errors.
    :param reader: an :class:`~xms.transport.reader.NbdReader` (or any
        object with ``pump`` and ``bytes_read``).
    :param writer: a :class:`~xms.transport.writer.Writer`.
    :param plan: the plan to follow.
    :param checkpoint: where to resume (a :class:`Checkpoint` or its dict).
    """

    def __init__(self, disk, reader, writer, plan, checkpoint=None):
        self.disk = disk
        self.reader = reader
        self.writer = writer
        self.plan = plan
        self.checkpoint = Checkpoint.from_value(checkpoint)


class _Pool:
    """Fixed set of read buffers (the memory bound).

    Page-aligned private anonymous mappings, so the writer can hand them to
    ``O_DIRECT``. (Python's default ``mmap.mmap(-1, n)`` is a *shared*
    mapping, backed by shmem, which made ``pwrite`` from it about three
    times slower here.)
    """

    def __init__(self, count, size):
        self._free = queue.Queue()
        self._bufs = [mmap.mmap(-1, size,
                                flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
                      for _i in range(count)]
        for b in self._bufs:
            self._free.put(b)
        self.stopping = False

    def get(self, block):
        while True:
            if self.stopping:
                return None
            try:
                return self._free.get(block, 0.2)
            except queue.Empty:
                if not block:
                    return None

    def put(self, buf):
        self._free.put(buf)

    def close(self):
        for b in self._bufs:
            try:
                b.close()
            except BufferError:
                # A view is still exported somewhere; the GC unmaps it.
                pass
        self._bufs = []


class Copier:
    """Copies disks along their plans.

    :param chunk_size: size of plan chunks (the unit of cancel checks);
        only used to size buffers when ``request_size`` is larger.
    :param request_size: largest single NBD read; buffers are this big.
        Small enough to stay in the CPU cache between the socket, the
        ``pwrite`` and the hash (1 MiB was much faster than 8 MiB here);
        a multiple of the plan's digest grid.
    :param buffer_bytes: memory for chunk buffers per disk.
    :param writers: writer threads per disk.
    :param window_bytes: copy bytes between two checkpoints.
    :param parallel_disks: disks copied at the same time.
    :param progress_cb: ``progress_cb(Progress)``.
    :param checkpoint_cb: ``checkpoint_cb(Checkpoint)``, called after the
        target was flushed.
    :param cancel_check: returns True to stop; asked before every chunk.
    :param progress_interval: seconds between progress callbacks.
    :param digest: compute the disk digest (True in production).
    """

    def __init__(self, chunk_size=8 * MiB, buffer_bytes=64 * MiB, writers=4,
                 window_bytes=256 * MiB, parallel_disks=2, progress_cb=None,
                 checkpoint_cb=None, cancel_check=None, progress_interval=2.0,
                 digest=True, request_size=MiB, inline=None):
        self.chunk_size = chunk_size
        self.request_size = min(request_size, chunk_size)
        self.buffers = max(2, buffer_bytes // self.request_size)
        self.writers = max(1, writers)
        self.window_bytes = window_bytes
        self.parallel_disks = max(1, parallel_disks)
        self.progress_cb = progress_cb
        self.checkpoint_cb = checkpoint_cb
        self.cancel_check = cancel_check or (lambda: False)
        self.progress_interval = progress_interval
        self.digest = digest
        self.inline = inline

    @classmethod
    def from_conf(cls, conf, **kw):
        """Build a copier from the ``[transport]`` options."""
        t = conf.transport
        args = dict(chunk_size=t.chunk_size_mib * MiB,
                    request_size=t.request_size_kib * 1024,
                    buffer_bytes=t.buffer_mib * MiB,
                    writers=t.writers_per_disk,
                    window_bytes=t.checkpoint_window_mib * MiB,
                    parallel_disks=t.parallel_disks)
        args.update(kw)
        return cls(**args)

    def copy(self, jobs):
        """Copy several disks, ``parallel_disks`` at a time.

        :returns: list of result dicts (see :meth:`copy_disk`), in order.
        :raises: the first disk's error once every disk has stopped.
        """
        with concurrent.futures.ThreadPoolExecutor(
                self.parallel_disks, thread_name_prefix='xms-copy') as pool:
            futures = [pool.submit(self.copy_disk, j) for j in jobs]
            concurrent.futures.wait(futures)
        return [f.result() for f in futures]

    def copy_disk(self, job):
        """Copy one disk; blocks until done, failed or cancelled.

        :returns: dict with ``disk``, ``plan_id``, ``digest`` (None when
            digests are off), ``bytes_read``, ``bytes_written``,
            ``bytes_zeroed``, ``seconds``, ``start_chunk``.
        :raises PlanMismatch: the checkpoint belongs to another plan.
        :raises CopyCancelled: ``cancel_check`` said stop.
        """
        return _DiskRun(self, job).run()


class _DiskRun:
    """State of one disk copy (threads, counters, windows)."""

    def __init__(self, copier, job):
        self.c = copier
        self.job = job
        plan = job.plan
        self.plan = plan
        ck = job.checkpoint
        if ck is not None and ck.plan_id != plan.plan_id:
            raise exception.PlanMismatch(expected=ck.plan_id,
                                         actual=plan.plan_id)
        self.start = ck.next_chunk if ck else 0
        if not 0 <= self.start <= len(plan.ops):
            raise exception.TransportError(
                reason='checkpoint chunk %d outside plan of %d operations'
                % (self.start, len(plan.ops)))
        self.windows = plan.windows(copier.window_bytes, self.start)
        self.folder = None
        resumable_digest = not (ck and ck.next_chunk and not ck.digest_state)
        if copier.digest and not resumable_digest:
            LOG.warning('Disk %s resumes from a checkpoint without digest '
                        'state; no digest is computed for this copy',
                        job.disk)
        if copier.digest and resumable_digest:
            self.folder = hashing.Folder(
                plan, self.start, ck.digest_state if ck else None,
                boundaries=[e for _s, e in self.windows])
        self.base_done = ck.bytes_done if ck else 0
        self.total = plan.copy_bytes + plan.zero_bytes
        self.cond = threading.Condition()
        self.next = self.start
        self.low = self.start
        self.done_flags = bytearray(len(plan.ops) - self.start)
        self.done_bytes = 0
        self.ck_bytes = 0
        self.waiting_for = 0
        self.skipped_zero = 0
        self.error = None
        self.cancelled = False
        self.wq = queue.Queue()
        self.subs = collections.deque()
        # Requests must end on the digest grid so that every piece is
        # hashed from one buffer.
        grid = plan.digest_block
        self.rs = -(-copier.request_size // grid) * grid
        self.remaining = {}
        self.pool = None
        self.hash_fn = hashing.hasher(plan.digest_algorithm)
        # Data that turns out to be all zeros needs no write on a target
        # known to read zeros (sources without an allocation map, e.g. the
        # curl plugin, report everything as data).
        self.zeros = (bytearray(self.rs)
                      if (plan.mode == extents.FULL
                          and getattr(job.writer, 'known_zero', False))
                      else None)
        inline = copier.inline
        if inline is None:
            copies = sum(1 for o in plan.ops if o.kind == extents.COPY)
            inline = bool(copies) and (plan.copy_bytes / copies
                                       <= INLINE_MAX_OP)
        self.inline = inline

    # -- reader side -------------------------------------------------------

    def next_job(self):
        """Next read for a reader thread: ``((op, offset), offset, n)``.

        Plan operations (chunks) are split into requests of at most
        ``request_size`` so the bytes in flight stay cache-sized; the
        cancel check runs before every new chunk.
        """
        ops = self.plan.ops
        with self.cond:
            while True:
                if self.error is not None or self.cancelled:
                    return None
                if self.subs:
                    i, off, n = self.subs.popleft()
                    return (i, off), off, n
                if self.next >= len(ops):
                    return None
                if self.c.cancel_check():
                    self.cancelled = True
                    self.cond.notify_all()
                    return None
                i = self.next
                self.next += 1
                op = ops[i]
                if op.kind == extents.ZERO:
                    self.wq.put((i, op.offset, op.length, None))
                    continue
                subs = list(hashing.cut(op.offset, op.length, self.rs))
                self.remaining[i] = len(subs)
                self.subs.extend((i, off, n) for off, n in subs)

    def deliver(self, key, offset, length, buf):
        if self.inline:
            self.process(key[0], offset, length, buf)
        else:
            self.wq.put((key[0], offset, length, buf))

    def failed(self, exc):
        with self.cond:
            if self.error is None:
                self.error = exc
            self.cond.notify_all()
        self.pool.stopping = True

    def pump(self):
        """Run the reader; make sure the coordinator never waits forever.

        A reader that dies on an unexpected exception, or returns while
        plan operations were never handed out, fails the copy instead of
        leaving the coordinator waiting for a window that cannot complete.
        """
        try:
            self.job.reader.pump(self.next_job, self.pool, self.deliver,
                                 self.failed)
        except BaseException as e:
            self.failed(e)
            return
        with self.cond:
            stopped = self.error is not None or self.cancelled
            left = self.subs or self.next < len(self.plan.ops)
        if left and not stopped:
            self.failed(exception.TransportError(
                reason='the reader of disk %s stopped before the end of '
                       'the plan' % self.job.disk))

    # -- writer side -------------------------------------------------------

    def write_loop(self):
        """Writer thread: process delivered items until told to stop."""
        while True:
            item = self.wq.get()
            if item is None:
                return
            self.process(*item)

    def process(self, i, offset, length, buf):
        """Write (or zero) one delivered piece, hash it, mark it done.

        Runs on a writer thread, or inline on the reader thread that
        received the data (``inline``): for small scattered pieces the
        hand-off between threads costs more than the write itself.
        """
        writer = self.job.writer
        is_zero = False
        try:
            if buf is None:
                writer.zero(offset, length)
            else:
                view = memoryview(buf)[:length]
                try:
                    # Delivered data is written even after another
                    # request failed: it is good and may complete a
                    # window worth a checkpoint.
                    zeros = self.zeros
                    is_zero = (zeros is not None
                               and zeros.startswith(view))
                    if not is_zero:
                        writer.write(offset, view)
                    if self.folder is not None:
                        self._hash(offset, length, view, is_zero)
                finally:
                    view.release()
                    self.pool.put(buf)
            self.mark_done(i, length, buf is not None and is_zero,
                           partial=buf is not None)
        except Exception as e:
            self.failed(e)

    def _hash(self, offset, length, view, is_zero):
        grid = self.plan.digest_block
        algorithm = self.plan.digest_algorithm
        for off, n in hashing.cut(offset, length, grid):
            rel = off - offset
            self.folder.add(
                off, hashing.zero_digest(n, algorithm)
                if is_zero else self.hash_fn(view[rel:rel + n]))

    def mark_done(self, i, length, skipped=False, partial=False):
        with self.cond:
            if skipped:
                self.skipped_zero += length
            self.done_bytes += length
            if partial:
                self.remaining[i] -= 1
                if self.remaining[i]:
                    return
                del self.remaining[i]
            self.done_flags[i - self.start] = 1
            n = len(self.plan.ops)
            while (self.low < n
                   and self.done_flags[self.low - self.start]):
                self.low += 1
            # Only wake the coordinator when the window it waits for is
            # complete (not on every request: that costs GIL handoffs).
            if self.low >= self.waiting_for:
                self.cond.notify_all()

    # -- coordinator -------------------------------------------------------

    def progress(self, t0):
        if self.c.progress_cb is None:
            return
        elapsed = max(time.monotonic() - t0, 1e-6)
        rate = self.done_bytes / elapsed
        done = self.base_done + self.done_bytes
        left = max(self.total - done, 0)
        eta = left / rate if rate > 0 else None
        try:
            self.c.progress_cb(Progress(self.job.disk, done, self.total,
                                        rate, eta))
        except Exception:
            LOG.exception('Progress callback failed for disk %s',
                          self.job.disk)

    def run(self):
        job = self.job
        c = self.c
        t0 = time.monotonic()
        read0 = job.reader.bytes_read
        self.pool = _Pool(max(2, c.buffers * c.request_size // self.rs),
                          self.rs)
        # Inline copies write on the reader threads; one writer thread
        # still runs the plan's zero operations off the read path.
        writers = [threading.Thread(target=self.write_loop, daemon=True,
                                    name='xms-write-%s' % job.disk)
                   for _i in range(1 if self.inline else c.writers)]
        for t in writers:
            t.start()
        pump = threading.Thread(target=self.pump, daemon=True,
                                name='xms-read-%s' % job.disk)
        pump.start()
        LOG.info('Copying disk %s: plan %s (%s), %d operations from %d, '
                 '%d bytes to copy, %d to zero', job.disk,
                 self.plan.plan_id, self.plan.mode, len(self.plan.ops),
                 self.start, self.plan.copy_bytes, self.plan.zero_bytes)
        try:
            last_progress = time.monotonic()
            for first, end in self.windows:
                with self.cond:
                    self.waiting_for = end
                    while (self.low < end and self.error is None
                           and not self.cancelled):
                        self.cond.wait(0.5)
                        if (time.monotonic() - last_progress
                                >= c.progress_interval):
                            last_progress = time.monotonic()
                            self.cond.release()
                            try:
                                self.progress(t0)
                            finally:
                                self.cond.acquire()
                    complete = self.low >= end
                if not complete:
                    break
                # A complete window is checkpointed even if a later chunk
                # already failed or a cancel arrived: its data is good.
                job.writer.flush()
                self.ck_bytes += sum(o.length
                                     for o in self.plan.ops[first:end])
                self.checkpoint(end)
                self.progress(t0)
                last_progress = time.monotonic()
                if self.error is not None or self.cancelled:
                    break
        except BaseException as e:
            # A failing flush or checkpoint callback stops the readers too.
            self.failed(e)
            raise
        finally:
            if self.error is not None or self.cancelled:
                self.pool.stopping = True
            pump.join()
            for _t in writers:
                self.wq.put(None)
            for t in writers:
                t.join()
            self.pool.close()
        if self.error is not None:
            LOG.error('Copy of disk %s failed at operation %d: %s',
                      job.disk, self.low, self.error)
            raise self.error
        if self.cancelled:
            LOG.info('Copy of disk %s cancelled at operation %d of %d',
                     job.disk, self.low, len(self.plan.ops))
            raise exception.CopyCancelled(disk=job.disk,
                                          offset=self.base_done
                                          + self.done_bytes)
        seconds = time.monotonic() - t0
        result = {
            'disk': job.disk,
            'plan_id': self.plan.plan_id,
            'digest': self.folder.hexdigest() if self.folder else None,
            'bytes_read': job.reader.bytes_read - read0,
            'bytes_written': self.plan.copy_bytes - self.skipped_zero - sum(
                o.length for o in self.plan.ops[:self.start]
                if o.kind == extents.COPY),
            'bytes_zeroed': job.writer.bytes_zeroed,
            'bytes_skipped_zero': self.skipped_zero,
            'seconds': seconds,
            'start_chunk': self.start,
        }
        LOG.info('Copied disk %s in %.2fs: %d bytes read, digest %s',
                 job.disk, seconds, result['bytes_read'], result['digest'])
        return result

    def checkpoint(self, end):
        state = self.folder.state_at(end) if self.folder else None
        ck = Checkpoint(self.job.disk, self.plan.plan_id, end, state,
                        self.base_done + self.ck_bytes)
        LOG.debug('Checkpoint disk %s: plan %s chunk %d', ck.disk,
                  ck.plan_id, end)
        if self.c.checkpoint_cb is not None:
            self.c.checkpoint_cb(ck)


"""Source reader on libnbd.

One :class:`NbdReader` reads one exported disk (from nbdkit, qemu-nbd or
any NBD server). It asks the server for the ``base:allocation`` map so
holes are never read, keeps several reads in flight per connection with
libnbd's asynchronous API (latency to an ESXi host is hidden behind the
requests in flight), and opens several connections when the server
advertises multi-conn (the nbdkit vddk, curl and file plugins and
``qemu-nbd --shared`` do), each driven by its own thread.

Reads land directly in the copier's buffers (``nbd.Buffer.from_buffer``),
so there is no extra copy between the socket and the target's ``pwrite``.
"""

import functools
import queue
import threading

import nbd
from oslo_log import log as logging

from xms.transport import exception
from xms.transport import extents

LOG = logging.getLogger(__name__)

_MAX_STATUS = 1 << 30


def _handle(uri, meta=True):
    h = nbd.NBD()
    h.set_handle_name('xms')
    try:
        # The copier never reads a buffer a failed read filled, so the
        # memset libnbd does by default is pure overhead.
        h.set_pread_initialize(False)
    except AttributeError:
        pass
    if meta:
        h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    h.connect_uri(uri)
    return h


class NbdReader:
    """Reader of one NBD export.

    :param uri: NBD URI, e.g. ``nbd+unix:///?socket=/run/x.sock``.
    :param connections: connections to open when the server allows
        multi-conn (otherwise one).
    :param requests: reads in flight per connection.
    """

    def __init__(self, uri, connections=2, requests=8):
        self.uri = uri
        self.requests = max(1, requests)
        self._handles = [_handle(uri)]
        first = self._handles[0]
        self.size = first.get_size()
        self.multi_conn = bool(first.can_multi_conn())
        self.has_allocation = bool(
            first.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION))
        if self.multi_conn:
            for _i in range(1, max(1, connections)):
                self._handles.append(_handle(uri, meta=False))
        self._idle = queue.Queue()
        for h in self._handles:
            self._idle.put(h)
        self.bytes_read = 0
        self._count_lock = threading.Lock()
        LOG.debug('Connected to %s: size %d, multi-conn %s, %d '
                  'connection(s), %d requests each', uri, self.size,
                  self.multi_conn, len(self._handles), self.requests)

    @classmethod
    def from_conf(cls, uri, conf):
        """Reader with the ``[transport]`` connection options."""
        return cls(uri, connections=conf.transport.connections,
                   requests=conf.transport.requests_in_flight)

    @property
    def connections(self):
        return len(self._handles)

    def close(self):
        for h in self._handles:
            try:
                h.shutdown()
            except nbd.Error:
                pass
        # Dropping the last reference closes the handle and its socket.
        self._handles = []
        self._idle = queue.Queue()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def extents(self, offset=0, length=None):
        """Yield the allocation map as :class:`~extents.Extent` tuples.

        Without ``base:allocation`` support the whole range is reported
        as data, which is always correct (just slower).
        """
        end = self.size if length is None else offset + length
        if not self.has_allocation:
            if end > offset:
                yield extents.Extent(offset, end - offset, False)
            return
        h = self._idle.get()
        try:
            cur = offset
            while cur < end:
                got = []

                def cb(ctx, off, entries, err, got=got):
                    if ctx == nbd.CONTEXT_BASE_ALLOCATION:
                        got.extend(extents.extents_from_block_status(
                            entries, off))
                    return 0

                h.block_status(min(_MAX_STATUS, end - cur), cur, cb)
                if not got:
                    raise exception.ReadError(
                        offset=cur, length=end - cur,
                        reason='server returned no extents')
                for ext in got:
                    if ext.offset >= end:
                        break
                    length = min(ext.length, end - ext.offset)
                    yield extents.Extent(ext.offset, length, ext.zero)
                    cur = ext.offset + length
        finally:
            self._idle.put(h)

    def pread(self, offset, length):
        """Synchronous read (used by verification, thread-safe)."""
        h = self._idle.get()
        try:
            data = h.pread(length, offset)
        except nbd.Error as e:
            raise exception.ReadError(offset=offset, length=length,
                                      reason=e.string)
        finally:
            self._idle.put(h)
        self._count(length)
        return data

    def _count(self, n):
        with self._count_lock:
            self.bytes_read += n

    def pump(self, next_job, pool, deliver, failed):
        """Read jobs on every connection until ``next_job`` runs dry.

        Runs one thread per connection and returns when all are done.

        :param next_job: thread-safe callable returning ``(key, offset,
            length)`` or None when there is nothing more to read (also
            after a cancel).
        :param pool: buffer pool: ``pool.get(block)`` returns a writable
            buffer at least a chunk long, or None if none is free
            (``block`` False) or the copy is stopping; ``pool.put(buf)``
            returns an unused one.
        :param deliver: ``deliver(key, offset, length, buf)`` called when a
            read completed; the callee owns ``buf`` afterwards.
        :param failed: ``failed(exc)`` called on a read error.
        """
        threads = [threading.Thread(target=self._pump, name='nbd-read-%d' % i,
                                    args=(h, next_job, pool, deliver,
                                          failed), daemon=True)
                   for i, h in enumerate(self._handles)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _pump(self, h, next_job, pool, deliver, failed):
        state = {'inflight': 0, 'error': None, 'exhausted': False}
        ready = []

        def done(key, offset, length, buf, err):
            # Runs inside poll(): only record the completion; the data is
            # delivered once poll has returned (delivering may write to
            # the target, which must not happen inside libnbd).
            state['inflight'] -= 1
            if err.value:
                state['error'] = exception.ReadError(
                    offset=offset, length=length,
                    reason='NBD error %d' % err.value)
                pool.put(buf)
            else:
                ready.append((key, offset, length, buf))
            return 1

        def refill():
            """Issue reads until ``requests`` are in flight."""
            while (not state['exhausted'] and state['error'] is None
                   and state['inflight'] < self.requests):
                buf = pool.get(state['inflight'] == 0 and not ready)
                if buf is None:
                    if state['inflight'] == 0 and not ready:
                        state['exhausted'] = True
                    return
                job = next_job()
                if job is None:
                    pool.put(buf)
                    state['exhausted'] = True
                    return
                key, offset, length = job
                view = memoryview(buf)[:length]
                h.aio_pread(nbd.Buffer.from_buffer(view), offset,
                            completion=functools.partial(
                                done, key, offset, length, buf))
                state['inflight'] += 1

        try:
            while True:
                refill()
                if state['error'] is not None:
                    raise state['error']
                if ready:
                    # Deliver after refilling, so the server keeps
                    # working while the (possibly inline) delivery
                    # writes to the target.
                    batch = ready[:]
                    del ready[:]
                    for item in batch:
                        self._count(item[2])
                        deliver(*item)
                    continue
                if state['inflight'] == 0:
                    if state['exhausted']:
                        return
                    continue
                h.poll(-1)
        except nbd.Error as e:
            failed(exception.ReadError(offset=0, length=0, reason=e.string))
        except Exception as e:
            failed(e)
        finally:
            # Never leave a read in flight into a buffer the copier reuses.
            try:
                while state['inflight'] > 0:
                    h.poll(-1)
            except nbd.Error:
                pass
            # Reads completed but not delivered (after an error) give
            # their buffers back.
            for item in ready:
                pool.put(item[3])

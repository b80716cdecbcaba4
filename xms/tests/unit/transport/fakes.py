"""Fakes of the transport engine's I/O ends, for unit tests."""

import threading

from xms.transport import exception


class MemoryReader:
    """Reader over an in-memory disk with the NbdReader pump contract.

    :param data: the disk content.
    :param fail_after: raise a read error after this many bytes.
    :param on_read: called with ``(offset, length)`` before each read.
    """

    def __init__(self, data, fail_after=None, on_read=None):
        self.data = bytes(data)
        self.size = len(self.data)
        self.bytes_read = 0
        self.reads = []
        self.fail_after = fail_after
        self.on_read = on_read
        self._lock = threading.Lock()

    def pread(self, offset, length):
        return self.data[offset:offset + length]

    def pump(self, next_job, pool, deliver, failed):
        while True:
            buf = pool.get(True)
            if buf is None:
                return
            job = next_job()
            if job is None:
                pool.put(buf)
                return
            key, offset, length = job
            if self.on_read:
                self.on_read(offset, length)
            if (self.fail_after is not None
                    and self.bytes_read + length > self.fail_after):
                pool.put(buf)
                failed(exception.ReadError(offset=offset, length=length,
                                           reason='injected'))
                return
            buf[:length] = self.data[offset:offset + length]
            with self._lock:
                self.bytes_read += length
                self.reads.append((offset, length))
            deliver(key, offset, length, buf)


class MemoryWriter:
    """Writer into a bytearray that records flushes."""

    def __init__(self, size, known_zero=True, content=None):
        self.data = bytearray(content if content is not None else size)
        self.known_zero = known_zero
        self.bytes_zeroed = 0
        self.flushes = 0
        self.writes = []

    def write(self, offset, data):
        self.data[offset:offset + len(data)] = data
        self.writes.append((offset, len(data)))

    def zero(self, offset, length):
        self.data[offset:offset + length] = bytes(length)
        self.bytes_zeroed += length

    def flush(self):
        self.flushes += 1

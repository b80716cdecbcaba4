"""Source disks and NBD servers for the transport functional tests."""

import os
import random
import signal
import subprocess
import tempfile
import time

import fixtures
import nbd

KiB = 1024
MiB = 1024 * KiB

#: name -> (size, description). Small on purpose: tests stay fast.
SHAPES = {
    'sparse': 64 * MiB,
    'full': 64 * MiB,
    'odd': 33 * MiB + 7 * KiB,      # not a multiple of 1 MiB
    'small_extents': 64 * MiB,
}


def make_disk(path, shape, seed=0):
    """Write a raw disk of the given shape; returns its size."""
    size = SHAPES[shape]
    rnd = random.Random(seed)
    with open(path, 'wb') as f:
        f.truncate(size)
        if shape == 'full':
            for off in range(0, size, 4 * MiB):
                f.seek(off)
                f.write(os.urandom(min(4 * MiB, size - off)))
        elif shape == 'sparse':
            for off in (0, 5 * MiB + 4096, 40 * MiB, size - 3 * MiB):
                f.seek(off)
                f.write(os.urandom(rnd.choice([MiB, 2 * MiB, 3 * MiB])))
        elif shape == 'odd':
            for off in (MiB // 2, 17 * MiB + 513, size - 10000):
                f.seek(off)
                f.write(os.urandom(min(2 * MiB, size - off)))
        elif shape == 'small_extents':
            # 4 KiB of data every 256 KiB: 256 extents (one VMDK grain
            # of 64 KiB allocated in four).
            blob = os.urandom(4 * KiB)
            for off in range(0, size, 256 * KiB):
                f.seek(off + rnd.randrange(0, 15) * 4 * KiB)
                f.write(blob)
    return size


def to_vmdk(raw, vmdk):
    subprocess.run(['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'vmdk',
                    '-o', 'subformat=monolithicSparse', raw, vmdk],
                   check=True)


def qemu_img_compare(a, b, fmt_a='raw', fmt_b='raw'):
    """Run ``qemu-img compare``; returns (returncode, output)."""
    proc = subprocess.run(['qemu-img', 'compare', '-f', fmt_a, '-F', fmt_b,
                           a, b], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


class QemuNbd(fixtures.Fixture):
    """``qemu-nbd`` serving an image read-only on a private socket."""

    def __init__(self, image, fmt='vmdk'):
        self.image = image
        self.fmt = fmt

    def _setUp(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.socket = os.path.join(tmp, 'qemu-nbd.sock')
        self.uri = 'nbd+unix:///?socket=%s' % self.socket
        self.log = open(os.path.join(tmp, 'qemu-nbd.log'), 'w+')
        self.addCleanup(self.log.close)
        self.proc = subprocess.Popen(
            ['qemu-nbd', '--read-only', '--format', self.fmt, '--socket',
             self.socket, '--persistent', '--shared=16', '--cache=none',
             self.image], stdout=self.log, stderr=self.log)
        self.addCleanup(self._stop)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError('qemu-nbd exited: %s' % self.log.read())
            if os.path.exists(self.socket):
                try:
                    h = nbd.NBD()
                    h.connect_uri(self.uri)
                    h.shutdown()
                    return
                except nbd.Error:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError('qemu-nbd did not start')
            time.sleep(0.02)

    def _stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def read_log_bytes(logfile):
    """Sum of the Read requests nbdkit's log filter recorded."""
    total = 0
    with open(logfile) as f:
        for line in f:
            if ' Read ' in line and '...' in line:
                for field in line.split():
                    if field.startswith('count='):
                        total += int(field.split('=', 1)[1], 0)
    return total


def tempdir(base):
    return tempfile.mkdtemp(dir=base)


def written_bytes():
    """Bytes this process has sent to storage so far.

    ``write_bytes`` of ``/proc/self/io``, counted when pages are dirtied:
    a write into a cached large folio counts the whole folio.
    """
    with open('/proc/self/io') as f:
        for line in f:
            if line.startswith('write_bytes:'):
                return int(line.split()[1])
    raise RuntimeError('no write_bytes in /proc/self/io')

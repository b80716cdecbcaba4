"""The test guest of the conversion tests: build it, boot it.

The disk comes from ``tools/guest/build-test-guest`` (cached under
``~/.cache/xms/guest/``; CI installs its packages from bindep.txt). It
is never modified: tests work on qcow2 overlays of it.
"""

import os
import subprocess
import threading
import time

BUILD_SCRIPT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..',
    'tools', 'guest', 'build-test-guest')
BUILD_TIMEOUT = 1800
LOGIN_PROMPT = b' login: '
#: What Debian's initramfs prints when it finds no root device.
NO_ROOT = (b'Gave up waiting for root', b'(initramfs)')


def build_test_guest():
    """Path of the test guest disk, built on first use."""
    out = subprocess.run([os.path.abspath(BUILD_SCRIPT)], check=True,
                         stdout=subprocess.PIPE, timeout=BUILD_TIMEOUT)
    return out.stdout.decode().strip().splitlines()[-1]


def overlay_of(base, directory, name='target.qcow2'):
    """A qcow2 overlay of ``base``: a writable "copied target disk"."""
    path = os.path.join(directory, name)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base,
                    '-F', 'raw', path], check=True)
    return path


def boot(disk, fmt, timeout, console_log, patterns=(LOGIN_PROMPT,)):
    """Boot ``disk`` under TCG until the serial console shows one of
    ``patterns``, then stop qemu.

    Boots the way the image metadata of a converted guest says (q35,
    VirtIO disk, BIOS). ``-snapshot`` keeps the disk unchanged.

    :returns: ``(pattern, seconds)``; pattern is None if none appeared
        within ``timeout`` (the console is in ``console_log``).
    """
    cmd = ['qemu-system-x86_64', '-machine', 'q35,accel=tcg', '-m', '1024',
           '-smp', '1', '-nographic', '-snapshot', '-no-reboot',
           '-drive', 'file=%s,format=%s,if=virtio' % (disk, fmt),
           '-nic', 'none', '-serial', 'stdio', '-monitor', 'none']
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    seen = threading.Event()
    console = bytearray()
    matched = []

    def _read():
        while True:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                return
            console.extend(chunk)
            recent = bytes(console[-4096 - len(chunk):])
            for pattern in patterns:
                if pattern in recent:
                    matched.append(pattern)
                    seen.set()
                    return

    reader = threading.Thread(target=_read, daemon=True)
    reader.start()
    try:
        seen.wait(timeout)
        elapsed = time.monotonic() - start
    finally:
        proc.kill()
        proc.wait()
        reader.join(10)
        proc.stdout.close()
        with open(console_log, 'wb') as f:
            f.write(bytes(console))
    return (matched[0] if matched else None), elapsed


def boot_until_login(disk, fmt, timeout, console_log):
    """Seconds until the login prompt, or None (see :func:`boot`)."""
    pattern, elapsed = boot(disk, fmt, timeout, console_log)
    return elapsed if pattern else None

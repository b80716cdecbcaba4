"""Run the libguestfs tools: environment, streamed output, timeout.

virt-v2v and guestfish start a qemu appliance. Where nested KVM does not
work the appliance must run under TCG (``LIBGUESTFS_BACKEND=direct``,
``LIBGUESTFS_BACKEND_SETTINGS=force_tcg``), so the environment comes from
the ``[conversion]`` options rather than from the worker's own
environment, which the operator does not always control.
"""

import os
import signal
import subprocess
import threading
import time

from oslo_log import log as logging

from xms.conf import CONF
from xms.conversion import errors

LOG = logging.getLogger(__name__)

#: Lines kept from the end of a tool's output for the error message.
TAIL_LINES = 60


def libguestfs_env(base=None):
    """The environment of a libguestfs tool from ``[conversion]``.

    :param base: environment to start from (default ``os.environ``).
    :returns: a new dict.
    """
    env = dict(os.environ if base is None else base)
    opts = CONF.conversion
    pairs = (('LIBGUESTFS_BACKEND', opts.libguestfs_backend),
             ('LIBGUESTFS_BACKEND_SETTINGS',
              opts.libguestfs_backend_settings),
             ('LIBGUESTFS_MEMSIZE', opts.libguestfs_memsize),
             ('LIBGUESTFS_HV', opts.libguestfs_hv),
             ('LIBGUESTFS_CACHEDIR', opts.libguestfs_cachedir))
    for name, value in pairs:
        if value not in (None, ''):
            env[name] = str(value)
    # Plain text: no colour sequences, no progress bars in the events.
    env.setdefault('TERM', 'dumb')
    env.pop('LIBGUESTFS_DEBUG', None)
    env.pop('LIBGUESTFS_TRACE', None)
    return env


class Result:
    """What a finished tool run produced."""

    def __init__(self, cmd, returncode, lines, timed_out, elapsed):
        self.cmd = cmd
        self.returncode = returncode
        self.lines = lines
        self.timed_out = timed_out
        self.elapsed = elapsed

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out


def _kill_group(proc):
    """Stop the tool and the qemu appliance it started (same session)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def run(cmd, timeout, line_callback=None, env=None, keep=TAIL_LINES):
    """Run ``cmd``, handing each output line to ``line_callback``.

    stdout and stderr are merged in the order the tool wrote them, which
    is what an operator reading the job's events expects. The tool runs
    in its own session so that a timeout kills the appliance too.

    :param cmd: argument list (no shell).
    :param timeout: seconds before the run is killed.
    :param line_callback: called with each line (without newline); its
        exceptions are logged, never raised: reporting never fails the
        conversion.
    :param env: environment; defaults to :func:`libguestfs_env`.
    :param keep: how many of the last lines the result keeps.
    :returns: a :class:`Result`.
    """
    LOG.debug('Running %s', ' '.join(cmd))
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env if env is not None else libguestfs_env(),
            start_new_session=True)
    except OSError as exc:
        raise errors.ConversionFailed(
            reason='cannot run %s: %s (the workers need the virt-v2v, '
                   'libguestfs-tools and python3-guestfs packages)'
                   % (cmd[0], exc.strerror or exc),
            cause='missing_tools')
    expired = threading.Event()

    def _expire():
        expired.set()
        LOG.warning('%s did not finish within %s s, stopping it',
                    cmd[0], timeout)
        _kill_group(proc)

    timer = threading.Timer(timeout, _expire)
    timer.daemon = True
    timer.start()
    lines = []
    try:
        for raw in proc.stdout:
            line = raw.decode('utf-8', 'replace').rstrip('\r\n')
            # Progress bars redraw with carriage returns: keep the last.
            line = line.rsplit('\r', 1)[-1]
            lines.append(line)
            if len(lines) > keep:
                del lines[0]
            if line_callback is not None:
                try:
                    line_callback(line)
                except Exception:  # noqa: BLE001 - reporting never fails
                    LOG.warning('Output callback failed', exc_info=True)
        returncode = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            _kill_group(proc)
        proc.stdout.close()
    elapsed = time.monotonic() - start
    LOG.debug('%s exited %s after %.1f s', cmd[0], returncode, elapsed)
    return Result(cmd, returncode, lines, expired.is_set(), elapsed)

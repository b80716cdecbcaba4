"""Live progress of jobs for ``job create --wait``, ``job watch`` and the
actions' ``--wait``.

On a terminal every poll redraws one block in place (cursor up, clear
line): a line per job with its state, phase, a bar, percent, bytes, rate
and ETA, and a line per disk under it. When the output is not a terminal
(a pipe, a log file) each change is one plain line with a UTC time stamp,
so logs stay readable. Ctrl-C stops the watching only: the job goes on
in XMS.
"""

import datetime
import shutil
import time

from xmsclient.osc.v1 import common

FINISHED = ('completed', 'failed', 'cancelled')
BAR_WIDTH = 24
CURSOR_UP = '\x1b[%dA'
CLEAR_LINE = '\x1b[2K'


def bar(percent, width=BAR_WIDTH):
    percent = max(0.0, min(100.0, float(percent or 0)))
    full = int(round(width * percent / 100.0))
    return '[%s%s]' % ('#' * full, '-' * (width - full))


def duration(seconds):
    if seconds is None:
        return '--:--'
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return '%d:%02d:%02d' % (hours, minutes, seconds)
    return '%02d:%02d' % (minutes, seconds)


def rate(bps):
    return '%s/s' % common.human_size(bps) if bps else '-'


def _stage(job):
    phase = job.get('phase')
    return '%s/%s' % (job['state'], phase) if phase else job['state']


def job_line(job):
    """The summary of one job (no time stamp, no escape codes)."""
    progress = job.get('progress') or {}
    return '%s %s %s %s %5.1f%% %s/%s %s ETA %s' % (
        job.get('vm_name') or job['uuid'][:8], job['uuid'][:8],
        _stage(job), bar(progress.get('percent')),
        progress.get('percent') or 0.0,
        common.human_size(progress.get('bytes_done') or 0),
        common.human_size(progress.get('bytes_total') or 0),
        rate(progress.get('rate_bps')),
        duration(progress.get('eta_seconds')))


def disk_line(disk):
    return '    disk %s %s %5.1f%% %s/%s %s' % (
        disk.get('device_key'), bar(disk.get('percent')),
        disk.get('percent') or 0.0,
        common.human_size(disk.get('bytes_done') or 0),
        common.human_size(disk.get('bytes_total') or 0),
        rate(disk.get('rate_bps')))


def failure_line(job):
    return 'Job %s (VM %s) %s%s: %s' % (
        job['uuid'], job.get('vm_name') or job.get('vm_id'), job['state'],
        ' in phase %s' % job['phase'] if job.get('phase') else '',
        job.get('error') or 'no reason recorded')


class Watcher:
    """Poll jobs until ``done(job)`` holds for each; draw as it goes.

    :param jobs: the client's job manager.
    :param stream: where to draw (the command's stdout).
    :param tty: draw bars in place (default: ``stream.isatty()``).
    """

    def __init__(self, jobs, stream, tty=None, interval=2.0, timeout=None,
                 sleep=time.sleep, clock=time.monotonic, now=None):
        self.jobs = jobs
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.now = now or (lambda: datetime.datetime.now(
            datetime.timezone.utc))
        self._drawn = 0
        self._last = {}

    # -- drawing ---------------------------------------------------------

    def _width(self):
        return shutil.get_terminal_size((120, 24)).columns - 1

    def draw(self, jobs):
        if self.tty:
            self._redraw(jobs)
        else:
            self._log(jobs)
        self.stream.flush()

    def _redraw(self, jobs):
        lines = []
        for job in jobs:
            lines.append(job_line(job))
            lines.extend(disk_line(d) for d in job.get('disks') or [])
        width = self._width()
        out = []
        if self._drawn:
            out.append(CURSOR_UP % self._drawn)
        for line in lines:
            out.append('\r' + CLEAR_LINE + line[:width] + '\n')
        for _extra in range(self._drawn - len(lines)):
            out.append('\r' + CLEAR_LINE + '\n')
        self.stream.write(''.join(out))
        self._drawn = max(len(lines), self._drawn)

    def _log(self, jobs):
        stamp = self.now().strftime('%Y-%m-%dT%H:%M:%SZ')
        for job in jobs:
            progress = job.get('progress') or {}
            key = (job['state'], job.get('phase'),
                   int(progress.get('percent') or 0))
            if self._last.get(job['uuid']) == key:
                continue
            self._last[job['uuid']] = key
            self.stream.write('%s %s\n' % (stamp, job_line(job)))

    # -- polling -----------------------------------------------------------

    def watch(self, job_ids, done):
        """The jobs' last views once ``done`` holds for all of them.

        :raises TimeoutError: after ``timeout`` seconds.
        :raises KeyboardInterrupt: on Ctrl-C, after saying the jobs go on.
        """
        deadline = (self.clock() + self.timeout) if self.timeout else None
        views = {}
        try:
            while True:
                for job_id in job_ids:
                    if job_id not in views or not done(views[job_id]):
                        views[job_id] = self.jobs.get(job_id).to_dict()
                ordered = [views[j] for j in job_ids]
                self.draw(ordered)
                if all(done(v) for v in ordered):
                    return ordered
                if deadline is not None and self.clock() > deadline:
                    raise TimeoutError(
                        'Still waiting for %s after %d s' % (
                            ', '.join(j for j in job_ids
                                      if not done(views[j])),
                            self.timeout))
                self.sleep(self.interval)
        except KeyboardInterrupt:
            self.stream.write(
                '\nStopped watching; the job%s go%s on (openstack migration '
                'job watch %s)\n' % ('s' if len(job_ids) > 1 else '',
                                     '' if len(job_ids) > 1 else 'es',
                                     ' '.join(job_ids)))
            self.stream.flush()
            raise


def settled(job):
    """A job needs the user or is over: finished, or a warm job ready
    for its next sync or cutover."""
    return job['state'] in FINISHED or job['state'] == 'ready'


def finished(job):
    return job['state'] in FINISHED


def sync_done(known_syncs):
    """A new sync (one not in ``known_syncs``) has ended."""
    def done(job):
        if job['state'] in FINISHED:
            return True
        new = [s for s in job.get('syncs') or []
               if s['uuid'] not in known_syncs]
        return job['state'] == 'ready' and any(
            s['status'] in ('completed', 'failed') for s in new)
    return done

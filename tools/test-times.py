#!/usr/bin/env python3
"""Functional test durations for stestr's scheduler, kept in the repository.

stestr balances its workers with the durations of earlier runs (the
``.stestr`` repository); a clean clone (the gate) has none, so it deals
the test classes out round-robin and the two longest tests can land on
the same worker while the other sits idle. ``tools/test-times.txt`` keeps
the durations of a full functional run (``seconds test_id`` per line):

``seed``
    Loads them into ``.stestr`` (as one synthetic run) when the
    repository knows none of them, so the first run is balanced. A
    repository with real timings is left alone. Run by tox's functional
    and faults environments before the tests.
``record [--subunit FILE]``
    Rewrites ``tools/test-times.txt`` from the last run
    (``stestr last --subunit``, or a saved stream), rounded to seconds.
``balance [--concurrency N] [--subunit FILE]``
    Prints the workers of the last run (their tests' summed durations)
    and the split stestr's scheduler makes from the recorded durations.

Needs stestr and python-subunit (the functional virtualenv).
"""

import argparse
import collections
import datetime
import io
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMES = os.path.join(TOP, 'tools', 'test-times.txt')
PREFIX = 'xms.tests.functional.'


def read_times(path=TIMES):
    times = {}
    if not os.path.exists(path):
        return times
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                seconds, test_id = line.split(None, 1)
                times[test_id] = float(seconds)
    return times


def _repository():
    from stestr.repository import util
    return util.get_repo_open(repo_url=TOP)


def seed(_args):
    if not os.path.exists(TIMES):
        print('test-times: no %s, not seeded' % os.path.relpath(TIMES, TOP))
        return 0
    times = read_times()
    try:
        repo = _repository()
    except Exception:  # noqa: BLE001 - no repository yet
        subprocess.run(['stestr', 'init'], cwd=TOP, check=True,
                       stdout=subprocess.DEVNULL)
        repo = _repository()
    if repo.get_test_times(list(times))['known']:
        print('test-times: .stestr has timings, not seeded')
        return 0
    import subunit
    stream = io.BytesIO()
    out = subunit.StreamResultToBytes(stream)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    for test_id, seconds in sorted(times.items()):
        out.status(test_id=test_id, test_status='inprogress',
                   timestamp=start)
        out.status(test_id=test_id, test_status='success',
                   timestamp=start + datetime.timedelta(seconds=seconds))
    subprocess.run(['stestr', 'load'], cwd=TOP, input=stream.getvalue(),
                   check=True, stdout=subprocess.DEVNULL)
    print('test-times: seeded .stestr with %d durations from %s'
          % (len(times), os.path.relpath(TIMES, TOP)))
    return 0


def _last_run(path=None):
    """``{test_id: (seconds, worker, status)}`` of the last run (or of the
    subunit v2 stream in ``path``, which may be a run still going)."""
    import subunit
    import testtools
    if path:
        with open(path, 'rb') as f:
            raw = f.read()
    else:
        raw = subprocess.run(['stestr', 'last', '--subunit'], cwd=TOP,
                             check=True, capture_output=True).stdout
    starts, result = {}, {}

    class Collect(testtools.StreamResult):
        def status(self, test_id=None, test_status=None, test_tags=None,
                   timestamp=None, **kwargs):
            if test_id is None or timestamp is None:
                return
            if test_status == 'inprogress':
                starts[test_id] = timestamp
            elif test_status in ('success', 'fail', 'skip') and \
                    test_id in starts:
                worker = next((t for t in test_tags or ()
                               if t.startswith('worker-')), 'worker-0')
                result[test_id] = (
                    (timestamp - starts[test_id]).total_seconds(),
                    worker, test_status, starts[test_id], timestamp)

    case = subunit.ByteStreamToStreamResult(io.BytesIO(raw),
                                            non_subunit_name='stdout')
    collect = Collect()
    collect.startTestRun()
    case.run(collect)
    collect.stopTestRun()
    return result


def record(args):
    runs = _last_run(args.subunit)
    lines = ['# seconds test_id: durations of a full functional run,',
             '# for stestr\'s scheduler on a clean clone (tools/'
             'test-times.py).']
    for test_id, (seconds, _worker, status, _s, _e) in sorted(
            runs.items()):
        if test_id.startswith(PREFIX) and status == 'success':
            lines.append('%d %s' % (max(1, round(seconds)), test_id))
    with open(TIMES, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('test-times: %d durations written to %s'
          % (len(lines) - 2, os.path.relpath(TIMES, TOP)))
    return 0


class _Times:
    """A stand-in repository: the recorded durations only."""

    def __init__(self, times):
        self.times = times

    def get_test_times(self, test_ids):
        known = {t: self.times[t] for t in test_ids if t in self.times}
        return {'known': known, 'unknown': set(test_ids) - set(known)}


def _group_callback():
    import configparser
    conf = configparser.ConfigParser()
    conf.read(os.path.join(TOP, '.stestr.conf'))
    regex = re.compile(conf.get('DEFAULT', 'group_regex'))

    def group(test_id):
        match = regex.match(test_id)
        return match.group(0) if match else None
    return group


def balance(args):
    from stestr import scheduler
    runs = _last_run(args.subunit)
    per_worker = collections.defaultdict(float)
    spans = {}
    for seconds, worker, _status, start, end in runs.values():
        per_worker[worker] += seconds
        first, last = spans.get(worker, (start, end))
        spans[worker] = (min(first, start), max(last, end))
    print('last run: %d tests' % len(runs))
    for worker, seconds in sorted(per_worker.items()):
        first, last = spans[worker]
        print('  %s: %7.0f s of tests, %7.0f s from first start to last '
              'end' % (worker, seconds, (last - first).total_seconds()))
    times = read_times()
    ids = sorted(set(runs) | set(times))
    actual = {t: runs[t][0] for t in runs}
    parts = scheduler.partition_tests(ids, args.concurrency, _Times(times),
                                      _group_callback())
    print('scheduled from %s (concurrency %d), with the last run\'s '
          'durations:' % (os.path.relpath(TIMES, TOP), args.concurrency))
    for number, part in enumerate(parts):
        print('  worker-%d: %7.0f s (%d tests)' % (
            number, sum(actual.get(t, times.get(t, 0)) for t in part),
            len(part)))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('seed').set_defaults(func=seed)
    rec = sub.add_parser('record')
    rec.add_argument('--subunit', help='a subunit v2 file instead of the '
                     'last run')
    rec.set_defaults(func=record)
    bal = sub.add_parser('balance')
    bal.add_argument('--subunit', help='a subunit v2 file instead of the '
                     'last run')
    bal.add_argument('--concurrency', type=int, default=2)
    bal.set_defaults(func=balance)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

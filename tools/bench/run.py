#!/usr/bin/env python3
"""Benchmark of the XMS disk transport engine against nbdcopy and qemu-img.

Run with ``tox -e bench`` or ``python tools/bench/run.py``. Writes
``bench-results/transport-<time>.md`` and ``.json`` (and ``latest.md`` /
``latest.json``). Everything is measured in the same run, on the same
machine, against the same NBD server (nbdkit's file plugin on a Unix
socket), so ratios are meaningful even where absolute numbers are noisy.

Method for every timed copy: the target is deleted, the source is in the
page cache (read once before), the copy runs, then the target is made
durable (``sync --data target`` for tools that do not flush; our copier
ends with ``fdatasync`` itself). The time covers connect, allocation map,
copy and flush. Each method runs ``--repeat`` times; the table shows the
best and the median. Our copier runs inside this (long-lived) process, as
it does inside the worker; ``memory`` runs it in a child process.

Scenarios:

* ``sparse``: 4 GiB disk, 25 % allocated (runs of 64 KiB-4 MiB); ours vs
  nbdcopy (default, ``--allocated``, more connections/requests) and
  qemu-img convert (default, ``-W -m 8``). Target: ours >= 1.2x the best.
* ``full``: 2 GiB fully allocated disk; ours vs ``dd`` writing the same
  bytes locally (``conv=fdatasync``, buffered and ``oflag=direct``).
  Target: >= 0.9x the better dd's bandwidth.
* ``incremental``: 1 % of the 64 KiB blocks of the full disk changed;
  one sync after each round of full copies, its time over that round's
  full copy time (median over rounds, and best over best; target <= 3 %),
  bytes read vs bytes changed (target <= 1.05x), bytes written to storage
  vs bytes changed, and one more sync after ``qemu-img compare`` read the
  target back into the page cache (as a verification does).
* ``memory``: peak RSS of a copy (child process, ``VmHWM``) for a
  512 MiB and a 2 GiB fully allocated disk.
* ``datastore``: the same sparse 4 GiB disk behind a VM of XMS's vcsim
  (``tools/vcsim``), read over the vSphere datastore HTTPS path (nbdkit
  curl plugin with the session cookie, as the worker does without VDDK).
  That path cannot report holes: nbdcopy and qemu-img read all 4 GiB and
  detect zeros; ours asks vSphere CBT for the allocated areas
  (``QueryChangedDiskAreas`` with change id ``*``) and reads only those.
  Target: ours >= 1.2x the best of them.
* ``floor``: ``dd oflag=direct`` writing as many random bytes as the
  sparse disk holds: the local disk's bound on any copy of the sparse disk.

Every timed run also records CPU seconds: the client's (our copier in this
process, or the peer tool and its children) and the NBD server's (nbdkit,
read from ``/proc``). When the disk is the bound, times tie and CPU shows
which engine does the same work with less.
"""

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
CACHE = os.path.join(os.path.expanduser('~'), '.cache', 'xms', 'bench')
SCENARIOS = ('sparse', 'full', 'datastore', 'memory')
#: PIDs of the NBD servers serving the current scenario (CPU accounting).
SERVER_PIDS = []


def log(msg, *args):
    sys.stderr.write((msg % args if args else msg) + '\n')
    sys.stderr.flush()


# -- disks -----------------------------------------------------------------

def make_sparse(path, size, fraction, seed=42):
    """Disk with ``fraction`` allocated in runs of 64 KiB to 4 MiB."""
    rnd = random.Random(seed)
    blob = os.urandom(8 * MiB)
    region = 16 * MiB
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.ftruncate(fd, size)
        for base in range(0, size, region):
            want = int(region * fraction)
            off = base
            while want > 0:
                n = min(want, rnd.choice([64 * KiB, 256 * KiB, MiB,
                                          4 * MiB]))
                off += rnd.choice([0, 64 * KiB, MiB, 2 * MiB])
                if off + n > base + region:
                    off = base + region - n
                k = off % (4 * MiB)
                os.pwrite(fd, blob[k:k + n], off)
                off += n
                want -= n
    finally:
        os.close(fd)


def make_full(path, size):
    with open(path, 'wb') as f:
        for _off in range(0, size, 8 * MiB):
            f.write(os.urandom(8 * MiB))


def disk(name, size, maker, *args):
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, name + '.raw')
    if not (os.path.exists(path) and os.path.getsize(path) == size):
        log('creating %s (%d MiB)', path, size // MiB)
        maker(path, size, *args)
        # Do not let the writeback of the new disk slow the first method.
        subprocess.run(['sync', '--data', path], check=True)
    warm(path)
    return path


def warm(path):
    with open(path, 'rb') as f:
        while f.read(16 * MiB):
            pass


def allocated(path):
    return os.stat(path).st_blocks * 512


# -- runners ---------------------------------------------------------------

def rm(path):
    if os.path.exists(path):
        os.unlink(path)


def timed_cmd(argv, target):
    rm(target)
    subprocess.run(['sync', '--data', os.path.dirname(target)], check=False)
    t0 = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    subprocess.run(['sync', '--data', target], check=True)
    return time.monotonic() - t0


def ours(uri, target, digest='xxh3_128', changed=None, create=True,
         allocated=None):
    """Our copy, in-process, with the default options.

    :param digest: digest algorithm, or None for no digest.
    :param changed: changed areas: an incremental sync of those.
    :param allocated: for a full copy, a callable returning the allocated
        areas (called inside the timed part, as the worker asks CBT);
        None uses the NBD server's allocation map.
    :returns: (seconds, result dict).
    """
    from xms.conf import CONF
    from xms.transport import copier
    from xms.transport import extents
    from xms.transport import reader
    from xms.transport import writer

    if create:
        rm(target)
    subprocess.run(['sync', '--data', os.path.dirname(target)], check=False)
    t0 = time.monotonic()
    t = CONF.transport
    rd = reader.NbdReader(uri, connections=t.connections,
                          requests=t.requests_in_flight)
    try:
        w = writer.Writer.from_conf(target, CONF, size=rd.size,
                                   create=create)
        algorithm = digest or 'xxh3_128'
        if changed is None:
            alloc = (rd.extents() if allocated is None
                     else extents.extents_from_areas(rd.size, allocated()))
            plan = extents.plan_full(rd.size, alloc,
                                     target_zeroed=w.known_zero,
                                     digest_algorithm=algorithm)
        else:
            plan = extents.plan_incremental(rd.size, changed,
                                            digest_algorithm=algorithm)
        c = copier.Copier.from_conf(CONF, digest=bool(digest))
        res = c.copy_disk(copier.DiskJob('bench', rd, w, plan))
        w.close()
    finally:
        rd.close()
    return time.monotonic() - t0, res


def direct(fn):
    """Run ``fn`` with ``[transport]/write_mode = direct``."""
    from xms.conf import CONF

    def run():
        CONF.set_override('write_mode', 'direct', group='transport')
        try:
            return fn()
        finally:
            CONF.clear_override('write_mode', group='transport')
    return run


def compare(a, b):
    p = subprocess.run(['qemu-img', 'compare', '-q', '-f', 'raw', '-F',
                        'raw', a, b], check=False)
    return 'identical' if p.returncode == 0 else 'DIFFERENT'


def cpu_seconds():
    """(client, server) CPU seconds used so far.

    Client: this process and its finished children (a peer tool runs as
    a child; our copier runs in this process). Server: the NBD servers in
    :data:`SERVER_PIDS`.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    server = 0.0
    for pid in SERVER_PIDS:
        try:
            with open('/proc/%d/stat' % pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        # utime and stime, fields 14 and 15 of proc(5).
        server += ((int(fields[11]) + int(fields[12]))
                   / os.sysconf('SC_CLK_TCK'))
    return client, server


def round_robin(n, methods, after_round=None):
    """Run every method once per round, ``n`` rounds, after one warm-up
    round; interleaving spreads the noise of a shared machine over all
    methods instead of penalising whichever ran during a busy spell.

    :param after_round: ``after_round(times)`` called after each counted
        round with that round's time of every method.
    :returns: list of stats dicts in method order; ``cpu_client`` and
        ``cpu_server`` are the medians of the CPU seconds of the runs.
    """
    times = [[] for _m in methods]
    cpus = [[] for _m in methods]
    for rnd in range(n + 1):
        this = []
        for k, (name, fn) in enumerate(methods):
            c0 = cpu_seconds()
            out = fn()
            c1 = cpu_seconds()
            t = out[0] if isinstance(out, tuple) else out
            this.append(t)
            if rnd:
                times[k].append(t)
                cpus[k].append((c1[0] - c0[0], c1[1] - c0[1]))
            log('  round %d %-45s %.2f s%s', rnd, name, t,
                '' if rnd else ' (warm-up, not counted)')
        if rnd and after_round is not None:
            after_round(this)
    return [{'method': name, 'best': min(ts),
             'median': statistics.median(ts), 'runs': ts,
             'cpu_client': statistics.median(c for c, _s in cs),
             'cpu_server': statistics.median(s_ for _c, s_ in cs)}
            for (name, _fn), ts, cs in zip(methods, times, cpus,
                                           strict=True)]


def peer_methods(uri, out):
    """The peer tools' best settings, reading ``uri`` into ``out``."""
    return [
        ('nbdcopy (default)', lambda: timed_cmd(['nbdcopy', uri, out], out)),
        ('nbdcopy --connections=8 --requests=64', lambda: timed_cmd(
            ['nbdcopy', '--connections=8', '--requests=64', uri, out], out)),
        ('qemu-img convert (default)', lambda: timed_cmd(
            ['qemu-img', 'convert', '-f', 'raw', '-O', 'raw', uri, out],
            out)),
        ('qemu-img convert -W -m 8', lambda: timed_cmd(
            ['qemu-img', 'convert', '-W', '-m', '8', '-f', 'raw', '-O',
             'raw', uri, out], out)),
    ]


def compared_rounds(n, methods, src, out):
    """Rounds of copies of ``src``; each method's result is compared.

    :returns: the rows of :func:`round_robin` with ``verify``,
        ``target_allocated`` and ``ratio_vs_best_other`` (the best peer
        tool's best time over this method's).
    """
    rows = round_robin(n, methods)
    for (_name, fn), row in zip(methods, rows, strict=True):
        fn()
        row.update(verify=compare(src, out), target_allocated=allocated(out))
    best_other = min(r['best'] for r in rows
                     if not r['method'].startswith('xms'))
    for r in rows:
        r['ratio_vs_best_other'] = best_other / r['best']
    return rows


# -- scenarios -------------------------------------------------------------

def scenario_sparse(work, uri_for, n):
    src = disk('sparse-4g-25pct', 4 * GiB, make_sparse, 0.25)
    data = allocated(src)
    out = os.path.join(work, 'sparse.out')
    with uri_for(src) as uri:
        methods = [
            ('xms copier (xxh3_128 digest, default)', lambda: ours(
                uri, out)),
            ('xms copier (sha256 digest)', lambda: ours(
                uri, out, digest='sha256')),
            ('xms copier (no digest)', lambda: ours(uri, out, digest=None)),
            ('xms copier (write_mode = direct)', direct(lambda: ours(
                uri, out))),
            ('nbdcopy --allocated', lambda: timed_cmd(
                ['nbdcopy', '--allocated', uri, out], out)),
        ] + peer_methods(uri, out)
        log('sparse: %d rounds', n)
        rows = compared_rounds(n, methods, src, out)
    return {'disk': src, 'size': 4 * GiB, 'allocated': data, 'rows': rows,
            'target': 1.2}


def scenario_full_and_incremental(work, uri_for, n):
    from xms.tests.functional.transport import disks as test_disks

    size = 2 * GiB
    src = disk('full-2g', size, make_full)
    out = os.path.join(work, 'full.out')
    with uri_for(src) as uri:
        methods = [
            ('dd bs=4M conv=fdatasync (local, no NBD)', lambda: timed_cmd(
                ['dd', 'if=' + src, 'of=' + out, 'bs=4M', 'conv=fdatasync',
                 'status=none'], out)),
            ('dd bs=4M oflag=direct conv=fdatasync (local, no NBD)',
             lambda: timed_cmd(
                 ['dd', 'if=' + src, 'of=' + out, 'bs=4M', 'oflag=direct',
                  'conv=fdatasync', 'status=none'], out)),
            ('xms copier (xxh3_128 digest, default)', lambda: ours(
                uri, out)),
            ('xms copier (sha256 digest)', lambda: ours(
                uri, out, digest='sha256')),
            ('xms copier (no digest)', lambda: ours(uri, out, digest=None)),
            ('xms copier (write_mode = direct)', direct(lambda: ours(
                uri, out))),
        ]
        # Incremental: 1 % of the 64 KiB blocks change in the source. One
        # sync runs right after each round of full copies (the last of
        # which left the target equal to the source), so each incremental
        # time is paired with a full copy time taken under the same load.
        rnd = random.Random(7)
        blocks = size // (64 * KiB)
        inc_runs = []

        def incremental(round_times):
            chosen = rnd.sample(range(blocks), blocks // 100)
            changed = [(b * 64 * KiB, 64 * KiB) for b in sorted(chosen)]
            fd = os.open(src, os.O_WRONLY)
            try:
                for off, length in changed:
                    os.pwrite(fd, os.urandom(length), off)
                # The source lives on the same disk here (on ESXi in
                # production): write its changes back now, or the kernel
                # flushes them during a later timed sync.
                os.fdatasync(fd)
            finally:
                os.close(fd)
            w0 = test_disks.written_bytes()
            t, res = ours(uri, out, changed=changed, create=False)
            written = test_disks.written_bytes() - w0
            log('  incremental sync %.3f s (%.2f%% of this round\'s full '
                'copy), %d bytes written', t, 100 * t / round_times[2],
                written)
            return (t, res, sum(n_ for _o, n_ in changed), round_times[2],
                    written)

        log('full: %d rounds', n)
        rows = round_robin(n, methods, after_round=lambda times: (
            inc_runs.append(incremental(times))))
        for (_name, fn), row in zip(methods, rows, strict=True):
            fn()
            row['verify'] = compare(src, out)
        dd_best = min(rows[0]['best'], rows[1]['best'])
        for r in rows:
            r['MB_per_s'] = size / r['best'] / 1e6
            r['ratio_vs_dd'] = dd_best / r['best']
        full_best = rows[2]['best']
        # The verification copies left the target equal to the source,
        # and qemu-img compare read it back into the page cache (as a
        # verification does): one more incremental sync, whose result is
        # compared.
        after_read = incremental([rows[2]['runs'][-1]] * len(methods))
        verify = compare(src, out)
    best = min(inc_runs, key=lambda x: x[0])
    inc = {
        'changed_fraction': 0.01,
        'bytes_changed': best[2],
        'bytes_read': best[1]['bytes_read'],
        'read_ratio': best[1]['bytes_read'] / best[2],
        'best': best[0],
        'median': statistics.median(x[0] for x in inc_runs),
        'runs': [x[0] for x in inc_runs],
        'full_copy_best': full_best,
        'time_ratio': best[0] / full_best,
        'paired_ratios': [x[0] / x[3] for x in inc_runs],
        'paired_ratio_median': statistics.median(x[0] / x[3]
                                                 for x in inc_runs),
        'verify': verify,
        'bytes_written': best[4],
        'after_read': {'time': after_read[0],
                       'bytes_written': after_read[4]},
        'target_time_ratio': 0.03, 'target_read_ratio': 1.05,
    }
    return ({'disk': src, 'size': size, 'rows': rows, 'target': 0.9}, inc)


def child_copy(uri, target):
    """Child process body for the memory scenario."""
    from xms.conf import CONF
    from xms.transport import copier
    from xms.transport import extents
    from xms.transport import reader
    from xms.transport import writer

    CONF([], project='xms', default_config_files=[])
    t = CONF.transport
    rss0 = status_kib('VmRSS')
    with reader.NbdReader(uri, connections=t.connections,
                          requests=t.requests_in_flight) as rd:
        w = writer.Writer.from_conf(target, CONF, size=rd.size)
        plan = extents.plan_full(rd.size, rd.extents())
        copier.Copier.from_conf(CONF).copy_disk(
            copier.DiskJob('mem', rd, w, plan))
        w.close()
    print(json.dumps({'rss_before_copy_kib': rss0,
                      'peak_rss_kib': status_kib('VmHWM')}))


def status_kib(field):
    """A /proc/self/status memory field, in KiB.

    VmHWM is the peak RSS of this process image; unlike ``ru_maxrss`` it
    does not include the parent's memory inherited before ``exec``.
    """
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return 0


def scenario_memory(work, uri_for):
    rows = []
    for name, size in (('full-512m', 512 * MiB), ('full-2g', 2 * GiB)):
        src = disk(name, size, make_full)
        out = os.path.join(work, 'mem.out')
        rm(out)
        with uri_for(src) as uri:
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), '--child-copy',
                 uri, out], stdout=subprocess.PIPE, text=True,
                env=dict(os.environ, PYTHONPATH=ROOT))
            stdout = proc.stdout.read()
            if proc.wait() != 0:
                raise RuntimeError('child copy failed')
        got = json.loads(stdout.strip().splitlines()[-1])
        rows.append({'disk': name, 'size': size,
                     'peak_rss_mib': got['peak_rss_kib'] / 1024,
                     'rss_before_copy_mib': got['rss_before_copy_kib'] / 1024,
                     'verify': compare(src, out)})
        rm(out)
    return rows


def scenario_floor(work, n):
    """Time to write the sparse disk's allocated bytes with ``dd``.

    Every tool in the sparse scenario writes that many bytes to the same
    file system; when this is close to their times the local disk, not
    the copy engine, is what they measure. The bytes are random (read
    from the cached full disk) like the sparse disk's data: a virtual
    disk can take runs of zeros faster than data.
    """
    count = allocated(disk('sparse-4g-25pct', 4 * GiB, make_sparse,
                           0.25)) // (4 * MiB)
    src = disk('full-2g', 2 * GiB, make_full)
    out = os.path.join(work, 'floor.out')
    rows = round_robin(n, [('dd oflag=direct of %d MiB (local disk bound)'
                            % (count * 4), lambda: timed_cmd(
                                ['dd', 'if=' + src, 'of=' + out, 'bs=4M',
                                 'count=%d' % count, 'oflag=direct',
                                 'conv=fdatasync', 'status=none'], out))])
    rm(out)
    return rows[0]


class _Source:
    """The attributes of a source row the vSphere driver reads."""

    def __init__(self, sim):
        from xms.common import credentials

        self.id = 1
        self.uuid = 'bench-vcsim'
        self.project_id = 'bench'
        self.type = 'vmware'
        self.host = sim.host
        self.port = sim.port
        self.username = sim.username
        self.password_encrypted = credentials.encrypt(sim.password)
        self.datacenter = None
        self.verify_tls = True
        self.ca_cert = None
        self.thumbprint = sim.thumbprint


def scenario_datastore(work, n):
    """Sparse disk over the datastore HTTPS path: CBT map vs none."""
    import tempfile

    from pyVmomi import vim

    from xms.common import context
    from xms.common import credentials
    from xms.conf import CONF
    from xms.sources import base as source_base
    from xms.sources.vsphere import client
    from xms.tests.functional.fixtures import vcsim
    from xms.transport import nbdkit

    src = disk('sparse-4g-25pct', 4 * GiB, make_sparse, 0.25)
    keys = tempfile.mkdtemp(prefix='xms-bench-keys-')
    CONF.set_override('key_repository', keys, group='credentials')
    credentials.init_repository(keys)
    sim = vcsim.VcsimFixture(clusters=0, cluster_hosts=0, vms=1)
    sim.setUp()
    try:
        vm_name = 'DC0_H0_VM0'
        log('datastore: putting the disk behind %s', vm_name)
        sim.put_disk(vm_name, src)
        vm = sim.find_vm(vm_name)
        sim.wait_for_task(vm.ReconfigVM_Task(
            spec=vim.vm.ConfigSpec(changeTrackingEnabled=True)))
        task = vm.CreateSnapshot_Task(name='bench', memory=False,
                                      quiesce=False)
        sim.wait_for_task(task)
        snap = task.info.result._moId
        key = sim.disks(vm_name)[0].key
        source = _Source(sim)
        driver = source_base.get_driver('vmware')
        ctx = context.get_admin_context()
        info = driver.disk_url(ctx, source, vm._moId, snap, key)
        server = nbdkit.NbdkitServer(nbdkit.curl_source(
            info['url'], cookie=info['cookie'],
            certificate=info['certificate'], thumbprint=sim.thumbprint),
            name='bench-datastore')
        out = os.path.join(work, 'datastore.out')
        allocated_areas = {}

        def cbt_areas():
            areas = driver.query_changed_areas(ctx, source, vm._moId, snap,
                                               key, '*')
            allocated_areas['bytes'] = sum(n_ for _o, n_ in areas)
            return areas

        def run_ours(uri):
            t, res = ours(uri, out, allocated=cbt_areas)
            allocated_areas['read'] = res['bytes_read']
            return t

        with server as srv:
            uri = srv.uri
            SERVER_PIDS.append(srv.proc.pid)
            methods = [
                ('xms copier (CBT allocation map, xxh3_128 digest)',
                 lambda: run_ours(uri)),
            ] + peer_methods(uri, out)
            log('datastore: %d rounds', n)
            rows = compared_rounds(n, methods, src, out)
            SERVER_PIDS.remove(srv.proc.pid)
            rm(out)
        sim.wait_for_task(task.info.result.RemoveSnapshot_Task(
            removeChildren=False))
    finally:
        client.close_all()
        sim.cleanUp()
        shutil.rmtree(keys, ignore_errors=True)
    return {'disk': src, 'size': 4 * GiB, 'allocated': allocated(src),
            'cbt_allocated': allocated_areas.get('bytes'),
            'xms_bytes_read': allocated_areas.get('read'),
            'rows': rows, 'target': 1.2}


# -- output ----------------------------------------------------------------

def versions():
    def first_line(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True,
                                  check=False).stdout.splitlines()[0]
        except (OSError, IndexError):
            return 'n/a'
    return {'nbdkit': first_line(['nbdkit', '--version']),
            'nbdcopy': first_line(['nbdcopy', '--version']),
            'qemu-img': first_line(['qemu-img', '--version']),
            'python': sys.version.split()[0], 'cpus': os.cpu_count()}


def markdown(res):
    out = ['# XMS transport benchmark', '',
           'Run %s on %s CPUs. %s; %s; %s. Best and median of %d runs; '
           'sources served by nbdkit on a Unix socket; time '
           'includes connect, extent map, copy and flushing the target. '
           'Load average (1/5/15 min) at start %s, at end %s: the machine '
           'is shared, so compare rows of one table, not across runs.'
           % (res['time'], res['versions']['cpus'],
              res['versions']['nbdkit'], res['versions']['nbdcopy'],
              res['versions']['qemu-img'], res['repeat'],
              '/'.join('%.1f' % x for x in res['loadavg_start']),
              '/'.join('%.1f' % x for x in res['loadavg_end'])), '']
    if 'sparse' in res:
        out += sparse_table(res['sparse'], 'Sparse 4 GiB disk, %.0f%% '
                            'allocated, over NBD (nbdkit file plugin)')
        fl = res['floor']
        rows = res['sparse']['rows']
        mine = rows[0]
        peer = min((r for r in rows if not r['method'].startswith('xms')),
                   key=lambda r: r['best'])
        out += ['Local disk bound: %s: best %.2f s, median %.2f s. Every '
                'method above writes these bytes to the same file system. '
                'Best time over this bound: %s %.2fx, %s %.2fx.'
                % (fl['method'], fl['best'], fl['median'], mine['method'],
                   mine['best'] / fl['best'], peer['method'],
                   peer['best'] / fl['best']), '']
    if 'full' in res:
        f = res['full']
        out += ['## Fully allocated 2 GiB disk vs local dd', '',
                '| method | best s | median s | MB/s (best) | ratio vs best '
                'dd | CPU s client / server | verify |',
                '|---|---|---|---|---|---|---|']
        for r in f['rows']:
            out.append('| %s | %.2f | %.2f | %.0f | %.2fx | %s | %s |' % (
                r['method'], r['best'], r['median'], r['MB_per_s'],
                r['ratio_vs_dd'], cpu_cell(r), r['verify']))
        out += [''] + verdicts(f['rows'], 'ratio_vs_dd', f['target'],
                               "the best dd's local write bandwidth") + ['']
        i = res['incremental']
        out += ['## Incremental sync, 1% of 64 KiB blocks changed '
                '(2 GiB disk)', '',
                '| metric | value | target | met |', '|---|---|---|---|',
                '| time (best / median) | %.3f s / %.3f s | | |'
                % (i['best'], i['median']),
                '| best time / best full copy time (%.2f s) | %.2f%% | '
                '<= 3%% | %s |' % (i['full_copy_best'], 100 * i['time_ratio'],
                                   ok(i['time_ratio'] <= 0.03)),
                '| median of per-round time / that round\'s full copy '
                '(%s) | %.2f%% | <= 3%% | %s |' % (
                    ', '.join('%.2f%%' % (100 * r)
                              for r in i['paired_ratios']),
                    100 * i['paired_ratio_median'],
                    ok(i['paired_ratio_median'] <= 0.03)),
                '| bytes read / bytes changed (%d / %d) | %.3fx | <= 1.05x '
                '| %s |' % (i['bytes_read'], i['bytes_changed'],
                            i['read_ratio'], ok(i['read_ratio'] <= 1.05)),
                '| bytes written to storage / bytes changed (%d / %d) | '
                '%.3fx | | |' % (i['bytes_written'], i['bytes_changed'],
                                 i['bytes_written'] / i['bytes_changed']),
                '| one more sync after the target was read back (qemu-img '
                'compare): time, bytes written / bytes changed | %.3f s, '
                '%.3fx | | |' % (i['after_read']['time'],
                                 i['after_read']['bytes_written']
                                 / i['bytes_changed']),
                '| target vs source (qemu-img compare) | %s | identical | '
                '%s |' % (i['verify'], ok(i['verify'] == 'identical')), '']
    if 'datastore' in res:
        d = res['datastore']
        out += sparse_table(d, 'Sparse 4 GiB disk, %.0f%% allocated, over '
                            'the vSphere datastore HTTPS path (vcsim, '
                            'nbdkit curl)')
        out += ['CBT reported %d MiB allocated; the xms copier read %d MiB. '
                'nbdcopy and qemu-img read all %d MiB.'
                % ((d['cbt_allocated'] or 0) // MiB,
                   (d['xms_bytes_read'] or 0) // MiB, d['size'] // MiB), '']
    if 'memory' in res:
        out += ['## Peak memory of a copy (child process, VmHWM)', '',
                '| disk | size MiB | RSS before copy MiB | peak RSS MiB '
                '| verify |',
                '|---|---|---|---|---|']
        for r in res['memory']:
            out.append('| %s | %d | %.1f | %.1f | %s |' % (
                r['disk'], r['size'] // MiB, r['rss_before_copy_mib'],
                r['peak_rss_mib'], r['verify']))
    out.append('')
    return '\n'.join(out)


def sparse_table(s, title):
    out = ['## ' + title % (100.0 * s['allocated'] / s['size']), '',
           '| method | best s | median s | ratio (best other / this) | '
           'CPU s client / server | verify | target allocated MiB |',
           '|---|---|---|---|---|---|---|']
    for r in s['rows']:
        out.append('| %s | %.2f | %.2f | %.2fx | %s | %s | %d |' % (
            r['method'], r['best'], r['median'], r['ratio_vs_best_other'],
            cpu_cell(r), r['verify'], r['target_allocated'] // MiB))
    return out + [''] + verdicts(s['rows'], 'ratio_vs_best_other',
                                 s['target'],
                                 'the best of nbdcopy / qemu-img') + ['']


def cpu_cell(row):
    """Median CPU seconds of a row's runs: client / NBD server."""
    return '%.2f / %.2f' % (row['cpu_client'], row['cpu_server'])


def verdicts(rows, key, target, what):
    return ['- %s: %.2fx %s (target >= %.1fx): %s' % (
        r['method'], r[key], what, target, ok(r[key] >= target))
        for r in rows if r['method'].startswith('xms')]


def ok(flag):
    return 'met' if flag else 'NOT met'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--out', default=os.path.join(ROOT, 'bench-results'))
    parser.add_argument('--only', action='append', choices=SCENARIOS,
                        help='run only this scenario (repeatable); '
                             '"sparse" includes the local disk floor, '
                             '"full" the incremental sync')
    parser.add_argument('--child-copy', nargs=2, metavar=('URI', 'TARGET'),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_copy:
        child_copy(*args.child_copy)
        return 0

    from xms.conf import CONF
    from xms.transport import nbdkit

    CONF([], project='xms', default_config_files=[])

    def uri_for(path):
        return nbdkit.NbdkitServer(nbdkit.file_source(path), name='bench')

    class Uri:
        def __init__(self, path):
            self.srv = uri_for(path)

        def __enter__(self):
            uri = self.srv.__enter__().uri
            SERVER_PIDS.append(self.srv.proc.pid)
            return uri

        def __exit__(self, *exc):
            SERVER_PIDS.remove(self.srv.proc.pid)
            self.srv.__exit__(*exc)

    work = os.path.join(CACHE, 'work')
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    res = {'time': datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%SZ'), 'repeat': args.repeat,
        'versions': versions(), 'loadavg_start': os.getloadavg()}
    want = set(args.only or SCENARIOS)
    if 'sparse' in want:
        res['sparse'] = scenario_sparse(work, Uri, args.repeat)
        res['floor'] = scenario_floor(work, args.repeat)
    if 'full' in want:
        res['full'], res['incremental'] = scenario_full_and_incremental(
            work, Uri, args.repeat)
    if 'datastore' in want:
        res['datastore'] = scenario_datastore(work, args.repeat)
    if 'memory' in want:
        res['memory'] = scenario_memory(work, Uri)
    res['loadavg_end'] = os.getloadavg()
    res['bench_process_peak_rss_mib'] = resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024
    stamp = res['time'].replace(':', '').replace('-', '')
    md = markdown(res)
    for name in ('transport-%s' % stamp, 'latest'):
        with open(os.path.join(args.out, name + '.md'), 'w') as f:
            f.write(md)
        with open(os.path.join(args.out, name + '.json'), 'w') as f:
            json.dump(res, f, indent=2)
    for name in ('sparse.out', 'full.out'):
        rm(os.path.join(work, name))
    print(md)
    return 0


if __name__ == '__main__':
    sys.exit(main())

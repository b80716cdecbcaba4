#!/usr/bin/env python3
"""Migrate two VMs from a VMware simulator with XMS all-in-one, and prove it.

Started by ``tools/demo`` with the project's virtualenv. It

1. builds (cached) and starts XMS's vCenter simulator (vcsim with
   Changed Block Tracking) and puts a real disk behind two VMs: an ext4
   file system with files in it;
2. starts ``xms-all-in-one`` (SQLite, in-process messaging and dispatch,
   the local target: sparse raw files and a libvirt domain XML) in a
   scratch state directory;
3. through the public REST API (``/v1``): registers the simulator as a
   source, tests it, discovers its VMs, preflights the two VMs, runs a
   cold migration of the first and a warm migration of the second (full
   sync, guest writes, two incremental syncs, more writes, cutover);
4. prints a report: each phase with its time, the bytes it moved and its
   throughput, and the source and target digests side by side.

It exits non-zero if anything fails or any target disk differs from its
source.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

_TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, _TOP)

MiB = 1024 * 1024
COLD_VM = 'DC0_H0_VM0'
WARM_VM = 'DC0_H0_VM1'
TTY = sys.stdout.isatty()


class DemoError(Exception):
    pass


# -- output -----------------------------------------------------------

def _step(title):
    print('\n\033[1m== %s\033[0m' % title if TTY else '\n== %s' % title,
          flush=True)


def _say(text):
    print('   ' + text, flush=True)


def _size(n):
    n = float(n or 0)
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if n < 1024 or unit == 'GiB':
            return ('%d %s' % (n, unit) if unit == 'B'
                    else '%.1f %s' % (n, unit))
        n /= 1024
    return '%.1f GiB' % n


# -- REST client ------------------------------------------------------

class Api:
    """A tiny client of XMS's REST API: noauth in the all-in-one, a
    Keystone session's token with the OpenStack target."""

    def __init__(self, base, session=None):
        self.base = base
        self.session = session

    def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        data = json.dumps(body).encode() if body is not None else None
        headers = {'Content-Type': 'application/json',
                   'Accept': 'application/json'}
        if self.session is not None:
            headers['X-Auth-Token'] = self.session.get_token()
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
            self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        if status not in ok:
            raise DemoError('%s %s answered %d: %s' % (
                method, path, status, raw.decode(errors='replace')[:800]))
        return json.loads(raw) if raw else None

    def get(self, path):
        return self.call('GET', path)

    def post(self, path, body=None):
        return self.call('POST', '/v1' + path if not path.startswith('/v1')
                         else path, body if body is not None else {})

    def wait(self, path, predicate, what, timeout=600, show=None):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            doc = self.get(path)
            if show is not None:
                line = show(doc)
                if line != last:
                    if TTY:
                        print('\r   %-74s' % line, end='', flush=True)
                    elif line.split()[0:2] != (last or '').split()[0:2]:
                        _say(line)
                    last = line
            if predicate(doc):
                if show is not None and TTY:
                    print(flush=True)
                return doc
            if time.monotonic() > deadline:
                raise DemoError('timed out waiting for %s' % what)
            time.sleep(0.3)


# -- the simulator and its disks ---------------------------------------

def make_disk_image(path, size, label):
    """An ext4 file system with a few files: a real disk to migrate."""
    tree = tempfile.mkdtemp(prefix='xms-demo-fs-')
    try:
        os.makedirs(os.path.join(tree, 'etc'))
        with open(os.path.join(tree, 'etc', 'hostname'), 'w') as f:
            f.write('%s\n' % label)
        with open(os.path.join(tree, 'README'), 'w') as f:
            f.write('This disk was migrated by XMS from a VMware '
                    'simulator.\n')
        with open(os.path.join(tree, 'data.bin'), 'wb') as f:
            f.write(os.urandom(size // 4))
        mkfs = shutil.which('mkfs.ext4') or '/sbin/mkfs.ext4'
        if os.path.exists(mkfs):
            subprocess.run([mkfs, '-q', '-F', '-L', label[:16], '-d', tree,
                            path, '%dK' % (size // 1024)], check=True,
                           capture_output=True)
            return 'ext4 file system (%s) with files' % _size(size)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    with open(path, 'wb') as f:
        for _i in range(size // MiB):
            f.write(os.urandom(MiB // 2) + bytes(MiB // 2))
    return 'raw disk (%s) of data and holes' % _size(size)


def sha256_of(read, size):
    h = hashlib.sha256()
    for off in range(0, size, 4 * MiB):
        h.update(read(off, min(4 * MiB, size - off)))
    return h.hexdigest()


def file_sha256(path, size=None):
    """SHA-256 of the first ``size`` bytes (a Cinder volume is rounded up
    to whole GiB; the source disk's size is what was migrated)."""
    with open(path, 'rb') as f:
        return sha256_of(lambda o, n: (f.seek(o), f.read(n))[1],
                         size or os.path.getsize(path))


# -- the report -------------------------------------------------------

def _ts(text):
    import datetime
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def phases_of(events):
    """[(label, seconds, bytes moved)] from a job's events (oldest first)."""
    marks = []
    moved = {}
    for ev in events:
        kind, payload = ev['event_type'], ev.get('payload') or {}
        when = _ts(ev['created_at'])
        if kind == 'flow_started':
            marks.append(('%s: %s' % (payload.get('flow'),
                                      payload.get('phase')), when))
        elif kind == 'phase_changed':
            flow = marks[-1][0].split(':')[0] if marks else '?'
            marks.append(('%s: %s' % (flow, payload.get('phase')), when))
        elif kind in ('flow_finished', 'completed', 'failed', 'cancelled'):
            marks.append((None, when))
        elif kind == 'sync_finished' and marks:
            moved[len(marks) - 1] = (moved.get(len(marks) - 1, 0)
                                     + payload.get('bytes_copied', 0))
    out = []
    for i, (label, start) in enumerate(marks):
        if label is None or i + 1 >= len(marks):
            continue
        seconds = (marks[i + 1][1] - start).total_seconds()
        out.append((label, seconds, moved.get(i, 0)))
    return out


def print_phases(title, events):
    _say('%s' % title)
    _say('  %-34s %8s %11s %12s' % ('phase', 'time', 'moved',
                                    'throughput'))
    total_t = total_b = 0
    for label, seconds, moved in phases_of(events):
        rate = ('%s/s' % _size(moved / seconds)) if moved and seconds \
            else ''
        _say('  %-34s %7.2fs %11s %12s' % (label, seconds,
                                           _size(moved) if moved else '',
                                           rate))
        total_t += seconds
        total_b += moved
    _say('  %-34s %7.2fs %11s' % ('total', total_t, _size(total_b)))


# -- main -------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_xms(state, port):
    conf = os.path.join(state, 'xms.conf')
    with open(conf, 'w') as f:
        f.write('\n'.join([
            '[DEFAULT]', 'state_path = %s' % state, 'host = demo',
            '[api]', 'port = %d' % port,
            '[conductor]', 'heartbeat_interval = 1',
            'sync_scheduler_interval = 2',
            '[worker]', 'heartbeat_interval = 1', 'max_jobs = 2',
            '[conversion]', 'driver = none',
            '[vsphere]', 'task_poll_interval = 0.1',
            'power_poll_interval = 0.1',
            '[transport]', 'chunk_size_mib = 4',
            'checkpoint_window_mib = 16', '']))
    bindir = os.path.dirname(sys.executable)
    if not os.path.isdir(os.path.join(state, 'credential-keys')):
        # The services never create keys; an operator does, once.
        subprocess.run([os.path.join(bindir, 'xms-manage'), '--config-file',
                        conf, 'credentials', 'init'], check=True,
                       stdout=subprocess.DEVNULL)
    log_path = os.path.join(state, 'xms-all-in-one.log')
    script = os.path.join(bindir, 'xms-all-in-one')
    log = open(log_path, 'w')
    proc = subprocess.Popen([script, '--config-file', conf,
                             '--log-file', log_path],
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, log, log_path


def run(args, state):
    from xms.tests.functional.fixtures import vcsim

    _step('1. VMware simulator with a real disk behind two VMs')
    t0 = time.monotonic()
    sim = vcsim.VcsimFixture()
    sim.setUp()
    try:
        return _with_sim(args, state, sim, t0)
    finally:
        sim.cleanUp()


def _with_sim(args, state, sim, t0):
    _say('vcsim (vCenter %s) on https://%s:%d/sdk, thumbprint %s...' % (
        sim.api_type, sim.host, sim.port, sim.thumbprint[:23]))
    size = args.disk_mib * MiB
    for vm in (COLD_VM, WARM_VM):
        image = os.path.join(state, '%s.raw' % vm)
        kind = make_disk_image(image, size, vm.lower())
        sim.put_disk(vm, image)
        os.unlink(image)
        _say('%s: %s' % (vm, kind))
    _say('ready in %.1f s' % (time.monotonic() - t0))

    if args.target == 'openstack':
        return _into_openstack(args, state, sim, size)
    _step('2. XMS all-in-one (SQLite, in-process messaging and dispatch, '
          'local target)')
    port = args.port or _free_port()
    proc, log, log_path = start_xms(state, port)
    api = Api('http://127.0.0.1:%d' % port)
    try:
        for _i in range(600):
            if proc.poll() is not None:
                raise DemoError('xms-all-in-one exited with %s; see %s'
                                % (proc.returncode, log_path))
            try:
                api.get('/')
                break
            except (OSError, DemoError):
                time.sleep(0.1)
        else:
            raise DemoError('the API did not answer; see %s' % log_path)
        _say('API on %s, log %s' % (api.base, log_path))
        return _migrate(api, api, sim, size, LocalTarget(state))
    finally:
        _step('Stopping xms-all-in-one')
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        log.close()
        _say('exit status %s' % code)


class LocalTarget:
    """The all-in-one's default target: raw files and a domain XML."""

    def __init__(self, state):
        self.state = state

    def spec(self, api, vm):
        return {'instance_name': vm['name'].lower()}

    def volume_path(self, volume_id):
        return os.path.join(self.state, 'target', volume_id)

    def describe(self, job):
        return []


class OpenStackTarget:
    """The mini-cloud: Cinder volumes (files behind the file driver),
    Neutron ports on the tenant network, a Nova instance."""

    def __init__(self, cloud, admin):
        self.cloud = cloud
        self.admin = admin

    def spec(self, api, vm):
        detail = api.get('/v1/vms/%s' % vm['uuid'])
        networks = sorted({n['network_name'] for n in detail['nics']})
        return {'instance_name': vm['name'].lower(),
                'volume_type': self.cloud['volume_type']['name'],
                # vcsim gives VMs the same MACs in every run, and earlier
                # demos' instances stay on the network: new MACs here.
                'network_mapping': [
                    {'source_network': name,
                     'network_id': self.cloud['network']['id'],
                     'keep_mac': False}
                    for name in networks]}

    def volume_path(self, volume_id):
        return os.path.join(self.cloud['cinder_volume_dir'],
                            'volume-%s' % volume_id)

    def describe(self, job):
        instance = (job.get('target_resources') or {}).get('instance')
        if not instance:
            return ['no instance']
        server = self.admin.compute.get_server(instance)
        lines = ['instance %s "%s": %s, flavor %s' % (
            server.id, server.name, server.status,
            server.flavor.get('original_name') or server.flavor.get('id'))]
        for attached in server.attached_volumes:
            volume = self.admin.block_storage.get_volume(attached['id'])
            lines.append('volume %s: %d GiB, %s, bootable %s' % (
                volume.id, volume.size, volume.volume_type,
                volume.is_bootable))
        for port in self.admin.network.ports(device_id=server.id):
            lines.append('port %s: network %s, MAC %s, IP %s' % (
                port.id, port.network_id, port.mac_address, ', '.join(
                    ip['ip_address'] for ip in port.fixed_ips)))
        return lines


def _into_openstack(args, state, sim, size):
    from xms.tests.functional.fixtures import deployment
    from xms.tests.functional.fixtures import minicloud

    _step('2. The mini-cloud (Keystone, Cinder, Nova, Neutron) and XMS '
          'all-in-one with the OpenStack target')
    t0 = time.monotonic()
    cloud = minicloud.shared_minicloud()
    admin = minicloud.admin_connection(cloud)
    _say('mini-cloud up in %.1f s, Keystone %s' % (time.monotonic() - t0,
                                                  cloud['auth_url']))
    xms = deployment.Deployment(
        os.path.join(state, 'xms'),
        'sqlite:///%s' % os.path.join(state, 'xms.sqlite'), cloud,
        mode=deployment.ALL_IN_ONE)
    xms.setUp()
    try:
        _say('API on %s (Keystone tokens), log %s' % (
            xms.base_url, xms.log_path('xms-all-in-one')))
        manager = Api(xms.base_url,
                      deployment.manager_session(cloud, admin))
        member = Api(xms.base_url, deployment.user_session(cloud, 'alice'))
        _say('project manager %s registers the source; member alice '
             'migrates' % deployment.MANAGER)
        return _migrate(manager, member, sim, size,
                        OpenStackTarget(cloud, admin))
    finally:
        _step('Stopping xms-all-in-one')
        xms.cleanUp()


def _migrate(manager, api, sim, size, target):
    _step('3. Register the source, test it, discover its VMs')
    source = manager.post('/sources', {
        'name': 'demo-vcenter', 'type': 'vmware', 'host': sim.host,
        'port': sim.port, 'username': sim.username,
        'password': sim.password, 'thumbprint': sim.thumbprint})
    sid = source['uuid']
    info = api.post('/sources/%s/test' % sid)
    _say('connected: %s, version %s' % (info.get('product_name'),
                                        info.get('version')))
    api.post('/sources/%s/discover' % sid)
    api.wait('/v1/sources/%s' % sid,
             lambda s: s['discovery']['status'] not in ('never', 'queued',
                                                        'running'),
             'discovery')
    vms = {v['name']: v for v in api.get(
        '/v1/vms?source_id=%s&limit=100' % sid)['vms']}
    _say('%d VMs found: %s' % (len(vms), ', '.join(sorted(vms))))
    for name in (COLD_VM, WARM_VM):
        if name not in vms:
            raise DemoError('discovery did not find %s' % name)

    _step('4. Preflight')
    override = {}
    for name, mode in ((COLD_VM, 'cold'), (WARM_VM, 'warm')):
        pf = api.post('/preflights', {
            'vm_ids': [vms[name]['uuid']], 'mode': mode,
            'target': target.spec(api, vms[name])})['preflights'][0]
        pf = api.wait('/v1/preflights/%s' % pf['uuid'],
                      lambda p: p['status'] not in ('pending', 'running'),
                      'preflight of %s' % name)
        _say('%s (%s): %s %s' % (name, mode, (pf.get('verdict') or
                                             pf['status']).upper(),
                                 pf.get('scores') or ''))
        for check in pf.get('checks') or []:
            if check.get('status') in ('warn', 'block'):
                _say('  %s %s: %s' % (check['status'], check.get('name'),
                                      check.get('message')))
        if pf.get('verdict') == 'block':
            override[name] = True
    if override:
        _say('(the demo submits blocked VMs with override_block: the '
             'simulator cannot satisfy every production check)')

    results = []
    _step('5. Cold migration of %s' % COLD_VM)
    cold = submit(api, vms[COLD_VM], 'cold', override.get(COLD_VM),
                  target.spec(api, vms[COLD_VM]))
    cold = follow(api, cold, ('completed',))
    results.append(('cold', COLD_VM, cold))

    _step('6. Warm migration of %s' % WARM_VM)
    warm = submit(api, vms[WARM_VM], 'warm', override.get(WARM_VM),
                  target.spec(api, vms[WARM_VM]))
    warm = follow(api, warm, ('ready',))
    for i in range(2):
        writes = guest_writes(sim, WARM_VM, size, seed=i)
        _say('guest writes %s at %d places' % (_size(writes[0]),
                                               writes[1]))
        api.post('/jobs/%s/sync' % warm['uuid'])
        warm = follow(api, warm, ('ready',), want_syncs=i + 1)
    writes = guest_writes(sim, WARM_VM, size, seed=9)
    _say('guest writes %s at %d places, then cutover' % (
        _size(writes[0]), writes[1]))
    api.post('/jobs/%s/cutover' % warm['uuid'])
    warm = follow(api, warm, ('completed',))
    results.append(('warm', WARM_VM, warm))

    return report(api, sim, target, results, size)


def submit(api, vm, job_type, override, target):
    body = {'vm_ids': [vm['uuid']], 'type': job_type, 'target': target}
    if job_type == 'warm':
        body['shutdown_timeout'] = 5
    if override:
        body['override_block'] = True
        body['override_reason'] = ('demo: the local target has no networks '
                                   'to map the simulated NICs to')
    job = api.post('/jobs', body)['jobs'][0]
    _say('job %s (%s) queued' % (job['uuid'], job_type))
    return job


def _progress(doc):
    p = doc['progress']
    rate = ('%s/s' % _size(p['rate_bps'])) if p.get('rate_bps') else ''
    eta = ('eta %ds' % p['eta_seconds']) if p.get('eta_seconds') else ''
    return '%-12s %-18s %5.1f%%  %9s / %-9s %s %s' % (
        doc['state'], doc['phase'] or '', p['percent'],
        _size(p['bytes_done']), _size(p['bytes_total']), rate, eta)


def follow(api, job, wanted, want_syncs=None):
    def done(doc):
        if doc['state'] in ('failed', 'cancelled'):
            return True
        if want_syncs is not None and \
                doc['incremental_syncs'] < want_syncs:
            return False
        return doc['state'] in wanted

    doc = api.wait('/v1/jobs/%s' % job['uuid'], done,
                   'job %s' % job['uuid'], show=_progress)
    if doc['state'] not in wanted:
        raise DemoError('job %s is %s: %s' % (doc['uuid'], doc['state'],
                                              doc.get('error')))
    return doc


def guest_writes(sim, vm, size, seed):
    """Write like a guest would: a few blocks here and there."""
    total = 0
    places = 0
    for i in range(4):
        offset = ((seed * 7 + i * 13) % (size // MiB - 1)) * MiB + 8192 * i
        data = os.urandom(256 * 1024)
        sim.write_live_disk(vm, offset, data)
        total += len(data)
        places += 1
    return total, places


def report(api, sim, target, results, size):
    _step('Report')
    ok = True
    for job_type, vm, job in results:
        events = list(reversed(api.get(
            '/v1/jobs/%s/events?limit=1000' % job['uuid'])['events']))
        print_phases('%s migration of %s (job %s): %s' % (
            job_type, vm, job['uuid'], job['state']), events)
        detail = api.get('/v1/jobs/%s' % job['uuid'])
        for line in target.describe(detail):
            _say('  ' + line)
        for disk in detail['disks']:
            key, volume = disk['device_key'], disk['volume_id']
            src_digest = disk['source_digest']
            tgt_digest = disk['target_digest']
            source_sha = sha256_of(
                lambda o, n, vm=vm: sim.read_live_disk(vm, o, n), size)
            target_path = target.volume_path(volume)
            target_sha = file_sha256(target_path, size)
            same = source_sha == target_sha and src_digest == tgt_digest
            ok = ok and same
            _say('  disk %s -> %s' % (key, target_path))
            _say('    sha256  source %s' % source_sha)
            _say('            target %s  %s' % (
                target_sha, 'identical' if source_sha == target_sha
                else 'DIFFERENT'))
            _say('    XMS     source %s' % src_digest)
            _say('            target %s  %s' % (
                tgt_digest, 'verified' if src_digest == tgt_digest
                else 'DIFFERENT'))
        _say('')
    snaps = sum(len(sim.find_vm(vm).snapshot.rootSnapshotList)
                if sim.find_vm(vm).snapshot else 0
                for vm in (COLD_VM, WARM_VM))
    _say('snapshots left on the source VMs: %d' % snaps)
    ok = ok and snaps == 0
    if not ok:
        _say('\033[31mMISMATCH\033[0m' if TTY else 'MISMATCH')
        return 1
    print('\nBoth VMs migrated; every target disk is identical to its '
          'source.')
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--state-path',
                        help='Directory for the SQLite database, the target '
                             'and logs (default: a new temporary '
                             'directory).')
    parser.add_argument('--port', type=int, default=0,
                        help='API port (default: a free port).')
    parser.add_argument('--target', choices=('local', 'openstack'),
                        default='local',
                        help='local: raw files and a domain XML (default); '
                             'openstack: the loopback mini-cloud (Keystone, '
                             'Cinder, Nova, Neutron), installed and started '
                             'on first use.')
    parser.add_argument('--disk-mib', type=int, default=64,
                        help='Size of each test disk in MiB (default 64).')
    args = parser.parse_args()
    state = args.state_path or tempfile.mkdtemp(prefix='xms-demo-')
    os.makedirs(state, exist_ok=True)
    try:
        return run(args, state)
    except DemoError as exc:
        print('\ndemo failed: %s' % exc, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())

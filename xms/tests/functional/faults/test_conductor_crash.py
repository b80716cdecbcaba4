"""Conductor crash: kill -9 the leader conductor, the other takes over.

Two conductor processes share one RabbitMQ topic and elect their leader
on etcd (tooz, ``[coordination]``); two worker processes claim flows
from the etcd jobboard. Each trial kills the leader with SIGKILL twice,
with a third conductor started (as an operator restarts one) between
the two kills:

* during a warm job's cutover: the cutover completes (it runs on a
  worker), the other conductor becomes leader and runs the periodic
  work (it posts another warm job's scheduled sync that fell due after
  the kill), and answers RPC;
* during a wave's dispatch: part of the wave's start requests were
  served, the leader dies, the survivor serves the rest, and the start
  request the leader took with it (a job created and never posted, as
  when the dying conductor had consumed the message) is posted by the
  new leader's dispatch retry. Every job completes.

Known hole, not exercised here: a conductor killed between taking a
job's flow lock and posting the flow (milliseconds) leaves the job
holding a lock no flow will release; recovering it safely needs the
jobboard's view of posted flows (dispatch and fencing work).

Every disk is bit-identical to its source and no snapshot is left. The
table gives, per trial, the takeover time (kill to the survivor's
``leader yes``), which the lease bounds (``[coordination]/lease_ttl``
plus one election round).

``TestCampaignTwoConductors`` runs the 200-job campaign on two
conductors and three workers; it only runs under ``tox -e faults``.
"""

import os
import signal
import subprocess
import sys
import threading
import time

from oslo_messaging import opts as messaging_opts
from oslo_utils import timeutils

from xms.common import rpc
from xms.common import states
from xms.conductor import rpcapi
from xms.db import api as db_api
from xms.tests.functional import faults
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.orchestration import base
from xms.tests.functional.orchestration import test_jobboard

MiB = base.MiB
LEASE_TTL = 5
ELECTION_INTERVAL = 0.5
# Takeover is bounded by the lease plus one round; 3x for a loaded host.
TAKEOVER_BOUND = 3 * (LEASE_TTL + ELECTION_INTERVAL)


class Conductor:
    """A conductor process and what it printed about its leadership."""

    def __init__(self, name, proc):
        self.name = name
        self.proc = proc
        self.changes = []  # (leader, wall time)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        try:
            for raw in iter(self.proc.stdout.readline, b''):
                parts = raw.decode(errors='replace').split()
                if len(parts) == 3 and parts[0] == 'leader':
                    self.changes.append((parts[1] == 'yes',
                                         float(parts[2])))
        except (ValueError, OSError):
            pass  # stdout closed by the test's clean-up

    @property
    def leader(self):
        return bool(self.changes) and self.changes[-1][0]

    def led_since(self, when):
        """Wall time it became leader at or after ``when``, or None."""
        for leader, at in self.changes:
            if leader and at >= when:
                return at
        return None


class ConductorCrashTestCase(test_jobboard.JobboardTestCase):

    # Seven VMs per trial (two resource pools of ``vms`` each).
    vcsim_kwargs = {'vms': 12 if faults.full_run() else 4}

    def setUp(self):
        super().setUp()
        self.topic = 'xms-conductor-%s' % self.board
        self.election_name = 'xms-leader-%s' % self.board
        for group, opts in messaging_opts.list_opts():
            if group is None:
                self.conf.conf.register_opts(opts)
        self.config(transport_url=deployment.RABBIT_URL)
        self.config(topic=self.topic, group='conductor')
        rpc.init(self.conf.conf)
        self.addCleanup(rpc.cleanup)
        self.rpcapi = rpcapi.ConductorAPI(topic=self.topic)
        self.driver.discover(self.ctx, self.source)
        self.vms = sorted(v.name for v in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id}))
        self.used = 0
        self.conductors = {}

    def make_job(self, job_type, vm=base.VM, **values):
        # The base class scans the inventory for every job, which costs
        # seconds on a loaded host: the trials scan once after putting
        # their disks (rescan()).
        discover = self.driver.discover
        self.driver.discover = lambda *args, **kwargs: None
        try:
            return super().make_job(job_type, vm=vm, **values)
        finally:
            self.driver.discover = discover

    def rescan(self):
        """Discover the disks just put (their sizes) once for a trial."""
        self.driver.discover(self.ctx, self.source)

    def next_vms(self, n):
        vms = self.vms[self.used:self.used + n]
        self.used += n
        self.assertEqual(n, len(vms), 'vcsim has too few VMs')
        return vms

    def start_conductor(self, name):
        conf = os.path.join(self.state_path, '%s.conf' % name)
        c = self.conf.conf
        with open(conf, 'w') as f:
            f.write('\n'.join([
                '[DEFAULT]', 'host = %s' % name,
                'state_path = %s' % self.state_path,
                'transport_url = %s' % deployment.RABBIT_URL,
                'log_file = %s' % os.path.join(self.state_path,
                                               '%s.log' % name),
                'debug = true',
                '[database]', 'connection = %s' % c.database.connection,
                '[conductor]', 'topic = %s' % self.topic,
                'heartbeat_interval = 1',
                'sync_scheduler_interval = 1',
                'dispatch_retry_interval = 3',
                'dispatch_retry_max_interval = 6',
                '[coordination]',
                'backend_url = etcd3+http://%s' % deployment.ETCD_HOST,
                'election_name = %s' % self.election_name,
                'lease_ttl = %d' % LEASE_TTL,
                'heartbeat_interval = %s' % ELECTION_INTERVAL,
                '[taskflow]', 'jobboard_backend = etcd',
                'jobboard_name = %s' % self.board,
                'claim_ttl = %d' % self.claim_ttl,
                '[credentials]',
                'key_repository = %s' % c.credentials.key_repository,
                '[vsphere]', 'task_poll_interval = 0.05',
                'power_poll_interval = 0.05',
                '[target]', 'storage_driver = local',
                'attach_driver = local', 'compute_driver = local',
                'network_driver = local',
                'local_dir = %s' % c.target.local_dir,
                '[conversion]', 'driver = none', '']))
        proc = subprocess.Popen(
            [sys.executable, '-m',
             'xms.tests.functional.orchestration.conductor_child', conf],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
        self.addCleanup(self._stop, proc)
        line = proc.stdout.readline()
        while line and b'conductor ready' not in line:
            if not line.startswith(b'leader '):
                break
            line = proc.stdout.readline()
        if b'conductor ready' not in line:
            self.fail('conductor %s did not start: %s%s' % (
                name, line.decode(), proc.stdout.read().decode()[-3000:]))
        self.conductors[name] = Conductor(name, proc)
        return self.conductors[name]

    def wait_leader(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leaders = [c for c in self.conductors.values()
                       if c.proc.poll() is None and c.leader]
            if len(leaders) == 1:
                return leaders[0]
            time.sleep(0.05)
        self.fail('no single leader among %s' % sorted(self.conductors))

    def kill_leader(self):
        """SIGKILL the leader; returns (victim, survivor, takeover s)."""
        victim = self.wait_leader()
        killed_at = time.time()
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        alive = [c for c in self.conductors.values()
                 if c is not victim and c.proc.poll() is None]
        deadline = time.monotonic() + 120
        while True:
            leaders = [c for c in alive if c.led_since(killed_at)]
            if leaders:
                survivor = leaders[0]
                break
            self.assertLess(time.monotonic(), deadline,
                            'no conductor took over from %s' % victim.name)
            time.sleep(0.05)
        return victim, survivor, survivor.led_since(killed_at) - killed_at

    def claims(self, job):
        return sum(1 for e in self.events(job)
                   if e.event_type == 'flow_claimed')

    def leftovers(self, vms):
        return len(self.live_snapshots()) + sum(
            len(self.vm_snapshots(vm)) for vm in vms)


class TestConductorCrash(ConductorCrashTestCase):

    WAVE = 5

    def test_kill_leader_during_cutover_then_during_wave(self):
        seed, rng = faults.rng('conductor-crash')
        self.table = faults.FigureTable(
            'Conductor crash: kill -9 the leader (seed %d)' % seed,
            ['trial', 'during', 'victim', 'successor', 'takeover_s', 'jobs',
             'completed', 'identical', 'periodic_by_successor', 'leftovers',
             'wall_s'])
        self.start_worker('w1', slots=3, rate_kib=1024)
        self.start_worker('w2', slots=3, rate_kib=1024)
        for n in range(faults.trials(full=3)):
            self.start_conductor('c%da' % n)
            self.start_conductor('c%db' % n)
            survivor = self.cutover_trial(n, rng)
            # The operator restarts a conductor; the next kill hits the
            # leader again, with the restarted one on standby.
            self.start_conductor('c%dc' % n)
            survivor = self.wave_trial(n, rng)
            self._stop(survivor.proc)
        self.table.emit()

    def cutover_trial(self, n, rng):
        started = time.monotonic()
        vm, other = self.next_vms(2)
        size = 8 * MiB
        self.put_disk(base.random_disk(size), vm=vm)
        self.put_disk(base.random_disk(2 * MiB), vm=other)
        self.rescan()
        job = self.make_job('warm', vm=vm)
        idle = self.make_job('warm', vm=other)
        for j in (job, idle):
            self.rpcapi.start_job(self.ctx, j.id)
        for j in (job, idle):
            row = self.wait_state(j, states.READY, states.FAILED,
                                  timeout=300)
            self.assertEqual(states.READY, row.state, row.error)
        # A cutover follows at least one incremental sync.
        self.rpcapi.sync_job(self.ctx, job.id)
        row = self.wait_for(job, lambda j: j.incremental_syncs == 1
                            and j.active_flow is None, timeout=300,
                            what='incremental sync')
        self.assertEqual(states.READY, row.state, row.error)
        # Changes for the final delta: the cutover copies them at 1 MiB/s,
        # which leaves time to kill the leader meanwhile.
        self.sim.write_live_disk(vm, rng.randrange(0, size // 2, 4096),
                                 os.urandom(3 * MiB))
        claims = self.claims(job)
        self.rpcapi.cutover_job(self.ctx, job.id)
        # The cutover flow runs on a worker: kill while it copies.
        self.wait_for(job, lambda j: j.state == states.CUTTING_OVER
                      and self.claims(j) > claims, timeout=300,
                      what='cutover flow claimed')
        victim, survivor, takeover = self.kill_leader()
        self.assertLess(takeover, TAKEOVER_BOUND)
        # Periodic work on the new leader: a sync that falls due now.
        db_api.job_update(self.ctx, idle.id,
                          {'next_sync_at': timeutils.utcnow()})
        row = self.wait_state(job, states.COMPLETED, states.FAILED,
                              timeout=300)
        self.assertEqual(states.COMPLETED, row.state, row.error)
        identical = ([self.sim.read_live_disk(vm, 0, size)]
                     == self.target_bytes(job))
        self.assertTrue(identical)
        row = self.wait_for(idle, lambda j: j.incremental_syncs == 1
                            and j.active_flow is None, timeout=300,
                            what='scheduled sync by the new leader')
        self.assertEqual(states.READY, row.state, row.error)
        # RPC: only the survivor serves the topic now.
        info = self.rpcapi.test_source(self.ctx, self.source.id,
                                       timeout=60)
        self.assertEqual('connected', info['status'])
        self.rpcapi.cancel_job(self.ctx, idle.id)
        self.wait_state(idle, states.CANCELLED, states.FAILED, timeout=300)
        leftovers = self.leftovers([vm, other])
        self.assertEqual(0, leftovers)
        self.table.add(n, 'cutover', victim.name, survivor.name,
                       '%.1f' % takeover, 1, 1, identical,
                       'scheduled sync', leftovers,
                       '%.0f' % (time.monotonic() - started))
        return survivor

    def wave_trial(self, n, rng):
        started = time.monotonic()
        vms = self.next_vms(self.WAVE)
        data = {}
        for vm in vms:
            data[vm] = base.random_disk(2 * MiB)
            self.put_disk(data[vm], vm=vm)
        self.rescan()
        posted = [self.make_job('cold', vm=vm) for vm in vms[:-1]]
        served = rng.randrange(1, len(posted))
        for job in posted[:served]:
            self.rpcapi.start_job(self.ctx, job.id)
        for job in posted[:served]:
            self.wait_for(job, lambda j: j.flow_detail_uuid, timeout=300,
                          what='posted')
        victim, survivor, takeover = self.kill_leader()
        self.assertLess(takeover, TAKEOVER_BOUND)
        # The survivor serves the rest of the wave, but for one job whose
        # start request died with the victim: made after the kill, so
        # that only the new leader's dispatch retry can post it.
        for job in posted[served:]:
            self.rpcapi.start_job(self.ctx, job.id)
        posted.append(self.make_job('cold', vm=vms[-1]))
        completed = identical = 0
        for job, vm in zip(posted, vms, strict=True):
            row = self.wait_state(job, states.COMPLETED, states.FAILED,
                                  timeout=300)
            self.assertEqual(states.COMPLETED, row.state, row.error)
            completed += 1
            self.assertEqual([data[vm]], self.target_bytes(job))
            identical += 1
        lost = [e for e in self.events(posted[-1])
                if e.event_type == 'dispatch_retry']
        self.assertTrue(lost, 'the lost start was not re-posted')
        leftovers = self.leftovers(vms)
        self.assertEqual(0, leftovers)
        self.table.add(n, 'wave dispatch', victim.name, survivor.name,
                       '%.1f' % takeover, len(posted), completed,
                       identical == len(posted), 'dispatch retry',
                       leftovers, '%.0f' % (time.monotonic() - started))
        return survivor


class TestCampaignTwoConductors(ConductorCrashTestCase):
    """The issue's campaign: 200 jobs, two conductors, three workers of
    four slots each (two hosts' worth, on loopback). Faults run only."""

    vcsim_kwargs = {'vms': 100}
    JOBS = 200

    def test_campaign_drains_with_two_conductors(self):
        if not faults.full_run():
            self.skipTest('200-job campaign: tox -e faults only; the gate '
                          'runs the wave trial of TestConductorCrash')
        table = faults.FigureTable(
            'Campaign on two conductors and three workers',
            ['jobs', 'ready', 'leader', 'never_twice', 'wall_s'])
        started = time.monotonic()
        self.start_conductor('ca')
        self.start_conductor('cb')
        leader = self.wait_leader()
        posted = []
        for vm in self.vms[:self.JOBS]:
            job = self.make_job('warm', vm=vm)
            self.rpcapi.start_job(self.ctx, job.id)
            posted.append(job)
        for i in range(3):
            self.start_worker('w%d' % i, slots=4)
        ready = 0
        for job in posted:
            row = self.wait_state(job, states.READY, states.FAILED,
                                  timeout=1200)
            self.assertEqual(states.READY, row.state, row.error)
            ready += 1
        for job in posted:
            events = self.events(job)
            started_n = sum(1 for e in events
                            if e.event_type == 'flow_started')
            self.assertEqual(1, started_n)
        table.add(self.JOBS, ready, leader.name, True,
                  '%.0f' % (time.monotonic() - started))
        table.emit()

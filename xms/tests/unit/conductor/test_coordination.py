"""The conductors' leader election, on a fake tooz lock and clock.

The real election on etcd, with conductors killed, is proven by
xms/tests/functional/faults/test_conductor_crash.py.
"""

import threading

from xms.conductor import coordination
from xms.conductor import scheduler
from xms.tests import base


class FakeStore:
    """One lock key shared by the fake coordinators, with a lease."""

    def __init__(self, clock):
        self.clock = clock
        self.owner = None
        self.expires = None
        self.reachable = True

    def holder(self):
        if self.owner is not None and self.clock() >= self.expires:
            self.owner = None
        return self.owner


class FakeLock:
    def __init__(self, store, ttl):
        self.store = store
        self.ttl = ttl

    def _check(self):
        if not self.store.reachable:
            raise RuntimeError('etcd unreachable')

    def acquire(self, blocking=True):
        self._check()
        if self.store.holder() is None:
            self.store.owner = self
            self.store.expires = self.store.clock() + self.ttl
            return True
        return False

    def heartbeat(self):
        self._check()
        if self.store.holder() is self:
            self.store.expires = self.store.clock() + self.ttl
        # tooz's etcd lock says True even when its lease expired.
        return True

    def release(self):
        self._check()
        if self.store.holder() is self:
            self.store.owner = None
            return True
        return False


class FakeCoordinator:
    def __init__(self, store, ttl):
        self.store = store
        self.ttl = ttl

    def get_lock(self, name):
        return FakeLock(self.store, self.ttl)

    def stop(self):
        pass


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class ElectionTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(backend_url='etcd3+http://127.0.0.1:2379', lease_ttl=10,
                    heartbeat_interval=2, group='coordination')
        self.clock = Clock()
        self.store = FakeStore(self.clock)
        self.changes = []

    def member(self, name):
        election = coordination.Election(
            name, on_change=lambda leader: self.changes.append(
                (name, leader)), clock=self.clock)
        election._coordinator = FakeCoordinator(self.store, 10)
        return election

    def test_standalone_conductor_leads(self):
        self.config(backend_url=None, group='coordination')
        election = coordination.Election('c1', clock=self.clock)
        election.start()
        self.assertTrue(election.is_leader())
        election.stop()

    def test_one_leader_and_takeover_after_death(self):
        c1, c2 = self.member('c1'), self.member('c2')
        c1.run_round()
        c2.run_round()
        self.assertTrue(c1.is_leader())
        self.assertFalse(c2.is_leader())
        # c1 keeps it while it refreshes.
        for _ in range(10):
            self.clock.now += 2
            c1.run_round()
            c2.run_round()
            self.assertEqual((True, False), (c1.is_leader(), c2.is_leader()))
        # c1 dies (no more rounds): c2 leads within ttl + one interval.
        died = self.clock.now
        while not c2.is_leader():
            self.clock.now += 2
            c2.run_round()
            self.assertLessEqual(self.clock.now - died, 10 + 2)
        self.assertFalse(c1.is_leader())

    def test_leader_that_cannot_refresh_stops_before_its_lock_expires(self):
        c1, c2 = self.member('c1'), self.member('c2')
        c1.run_round()
        self.store.reachable = False
        stepped_down = None
        for _ in range(10):
            self.clock.now += 2
            try:
                c1.run_round()
            except RuntimeError:
                pass
            if not c1.is_leader():
                stepped_down = self.clock.now
                break
        # c1 stopped leading before etcd gave the lock away...
        self.assertIsNotNone(stepped_down)
        self.assertLess(stepped_down, self.store.expires)
        # ... while etcd still holds the lock for it.
        self.store.reachable = True
        c3 = self.member('c3')
        c3.run_round()
        self.assertFalse(c3.is_leader())  # the lock is still c1's
        self.clock.now = self.store.expires
        c2.run_round()
        self.assertTrue(c2.is_leader())
        self.assertFalse(c1.is_leader())

    def test_paused_leader_is_not_leader_when_it_wakes(self):
        c1, c2 = self.member('c1'), self.member('c2')
        c1.run_round()
        self.assertTrue(c1.is_leader())
        # SIGSTOP past the lease: c2 takes over meanwhile.
        self.clock.now += 30
        c2.run_round()
        self.assertTrue(c2.is_leader())
        # c1 wakes: before its election thread runs, it already knows.
        self.assertFalse(c1.is_leader())
        c1.run_round()
        c1.run_round()
        self.assertFalse(c1.is_leader())
        self.assertTrue(c2.is_leader())

    def test_stop_releases_the_lock_for_a_fast_handover(self):
        c1, c2 = self.member('c1'), self.member('c2')
        c1.run_round()
        c1.stop()
        self.assertFalse(c1.is_leader())
        c2.run_round()
        self.assertTrue(c2.is_leader())
        self.assertIn(('c1', False), self.changes)

    def test_backend_url_gets_ttl_and_timeout(self):
        url = coordination._backend_url(self.conf.conf)
        self.assertIn('lock_timeout=10', url)
        self.assertIn('timeout=3', url)
        self.config(backend_url='etcd3+http://h:2379?lock_timeout=7',
                    group='coordination')
        self.assertIn('lock_timeout=7',
                      coordination._backend_url(self.conf.conf))


class PeriodicGateTestCase(base.TestCase):

    def test_periodic_runs_only_while_gate_is_open(self):
        ran = threading.Event()
        calls = []
        leader = [False]

        def func():
            calls.append(leader[0])
            ran.set()

        periodic = scheduler.Periodic('t', func, 0.01,
                                      gate=lambda: leader[0])
        periodic.start()
        self.addCleanup(periodic.stop)
        self.assertFalse(ran.wait(0.2))
        leader[0] = True
        self.assertTrue(ran.wait(10))
        periodic.stop()
        self.assertTrue(all(calls))

"""Cold and warm migrations into the mini-cloud through the REST API.

A member's Keystone token drives everything after a project manager
registered the source; ``xms-api``, ``xms-conductor`` and ``xms-worker``
run as separate processes over RabbitMQ, the etcd jobboard and MariaDB
(:class:`SplitProcessesTest`), and the same journeys run once more in
``xms-all-in-one`` (:class:`AllInOneTest`).
"""

import os

from xms.tests.functional.fixtures import deployment
from xms.tests.functional.journey import base

MiB = base.MiB


class ColdJourney:
    """The cold journey, mixed into a :class:`base.JourneyTestCase`."""

    def test_cold(self):
        vm = self.register_and_discover()
        self.assertEqual(2, len(vm['disks']))
        self.assertEqual(2, len(vm['nics']))
        target = self.target_spec(vm)
        pf = self.preflight(vm, 'cold', target)
        self.assertIn(pf['verdict'], ('pass', 'warn'), pf)
        job = self.submit(vm, 'cold', target)
        self.assertEqual(self.VM, job['vm_name'])
        job = self.follow(job, ('completed',))
        self.assert_disks_equal(job)
        server, ports = self.assert_target(job, target)
        self.report('cold', job, server, ports)



class WarmJourney:
    """The warm journey: full sync, guest writes, two syncs, cutover."""

    def test_warm(self):
        wiretap = (self.deploy.wiretap()
                   if self.MODE == deployment.SPLIT else None)
        vm = self.register_and_discover()
        target = self.target_spec(vm)
        pf = self.preflight(vm, 'warm', target)
        self.assertIn(pf['verdict'], ('pass', 'warn'), pf)
        job = self.submit(vm, 'warm', target, shutdown_timeout=5)
        job = self.follow(job, ('ready',))
        for round_ in range(2):
            for index, info in enumerate(self.disks.values()):
                self.sim.write_live_disk(
                    self.VM, (round_ * 3 + 1) * MiB + 4096 * index,
                    os.urandom(64 * 1024), disk=info['index'])
            self.member.post('/jobs/%s/sync' % job['uuid'], expect=202)
            job = self.follow(job, ('ready',), min_syncs=round_ + 1)
        # Written after the last sync: only the final delta carries it.
        self.sim.write_live_disk(self.VM, 5 * MiB, os.urandom(128 * 1024))
        self.member.post('/jobs/%s/cutover' % job['uuid'], expect=202)
        job = self.follow(job, ('completed',))
        self.assert_disks_equal(job)
        server, ports = self.assert_target(job, target)
        self.report('warm', job, server, ports)
        self.member.get('/jobs/%s/events?limit=1000' % job['uuid'])
        self.member.get('/events?limit=1000')
        found = self.sweep({'password': self.password,
                            'token': self.member.session.get_token()},
                           wiretap)
        self.assertEqual({}, {k: v for k, v in found.items() if v})


class SplitProcessesTest(ColdJourney, WarmJourney, base.JourneyTestCase):
    MODE = deployment.SPLIT


class AllInOneTest(ColdJourney, base.JourneyTestCase):
    """The same cold journey in ``xms-all-in-one``: its code paths are the
    split processes' with in-process messaging and dispatch."""

    MODE = deployment.ALL_IN_ONE

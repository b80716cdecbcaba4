"""Preflight on the simulator's inventory, stored in the DB."""

import socket

from pyVmomi import vim

from xms.db import api as db_api
from xms.preflight import base as pf_base
from xms.preflight import engine
from xms.preflight import target
from xms.tests.functional.sources import base


class FakeInspector(target.TargetInspector):
    """A target cloud with room for a few small VMs."""

    def quotas(self, context, target_spec):
        return {'instances': {'limit': 10, 'in_use': 0},
                'cores': {'limit': 20, 'in_use': 0},
                'ram': {'limit': 51200, 'in_use': 0},
                'volumes': {'limit': 10, 'in_use': 0},
                'gigabytes': {'limit': 1000, 'in_use': 0}}

    def networks(self, context, target_spec):
        return [{'id': 'net-1', 'name': 'private'}]

    def flavors(self, context, target_spec):
        return [{'id': 'f1', 'name': 'm1.small', 'vcpus': 1, 'ram': 2048,
                 'disk': 20}]


class TestPreflightOnSimulator(base.VSphereTestCase):

    def setUp(self):
        super().setUp()
        self.driver.discover(self.ctx, self.source)
        self.vms = {vm.name: vm for vm in db_api.vm_list(
            self.ctx, filters={'source_id': self.source.id})}

    def _preflight(self, vm_name, mode, target_spec=None):
        return db_api.preflight_create(self.ctx, {
            'project_id': 'project-1', 'vm_id': self.vms[vm_name].id,
            'mode': mode, 'target_spec': target_spec})

    def test_every_check_runs_and_is_stored(self):
        row = self._preflight('DC0_H0_VM0', 'cold')
        result = engine.run_preflight(self.ctx, row.id)

        self.assertEqual('completed', result.status)
        stored = db_api.preflight_get(self.ctx, row.uuid)
        names = {c['name'] for c in stored.checks}
        self.assertEqual({c.name for c in engine.load_checks()}, names)
        self.assertEqual(20, len(names))
        for check in stored.checks:
            self.assertIn(check['status'], ('pass', 'warn', 'block'))
            self.assertIn(check['category'], pf_base.CATEGORIES)
            self.assertTrue(check['message'])
            if check['status'] != 'pass':
                self.assertTrue(check['remediation'])
        self.assertEqual(set(pf_base.CATEGORIES), set(stored.scores))
        for score in stored.scores.values():
            self.assertTrue(0 <= score <= 100)
        self.assertIsNotNone(stored.finished_at)
        by_name = {c['name']: c for c in stored.checks}
        # No target given: target checks are never a fake Pass.
        for name in ('flavor_fit', 'volume_quota', 'target_networks',
                     'compute_quota', 'nic_mapping'):
            self.assertEqual('warn', by_name[name]['status'], name)
            self.assertIn('not checked', by_name[name]['message'].lower())
        # The probe really reached the simulator.
        self.assertEqual('pass', by_name['source_reachable']['status'])
        # A running VM in cold mode: Warn; verdict copied to the VM.
        self.assertEqual('warn', by_name['power_state']['status'])
        self.assertEqual('warn', stored.verdict)
        self.assertEqual('warn', db_api.vm_get(
            self.ctx, self.vms['DC0_H0_VM0'].id).verdict)

    def test_warm_needs_cbt_capable_hardware(self):
        vm = self.sim.find_vm('DC0_H0_VM1')
        self.sim.wait_for_task(vm.PowerOffVM_Task())
        self.sim.wait_for_task(vm.ReconfigVM_Task(
            spec=vim.vm.ConfigSpec(version='vmx-04')))
        self.driver.discover(self.ctx, self.source)

        warm = engine.run_preflight(
            self.ctx, self._preflight('DC0_H0_VM1', 'warm').id)
        cold = engine.run_preflight(
            self.ctx, self._preflight('DC0_H0_VM1', 'cold').id)

        self.assertEqual('block', warm.verdict)
        warm_checks = {c['name']: c for c in warm.checks}
        cold_checks = {c['name']: c for c in cold.checks}
        self.assertEqual('block', warm_checks['cbt']['status'])
        self.assertEqual('pass', cold_checks['cbt']['status'])
        self.assertLess(warm.scores['readiness'],
                        cold.scores['readiness'])

    def test_with_target_and_unreachable_source(self):
        spec = {'project_id': 'project-1', 'flavor_id': 'm1.small',
                'network_mapping': [{'source_network': '*',
                                     'network_id': 'private'}]}
        ids = [self._preflight(name, 'warm', spec).id
               for name in ('DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1')]
        results = engine.run_preflights(self.ctx, ids,
                                        inspector=FakeInspector())
        for result in results:
            checks = {c['name']: c for c in result.checks}
            for name in ('flavor_fit', 'volume_quota', 'target_networks',
                         'compute_quota', 'nic_mapping'):
                self.assertEqual('pass', checks[name]['status'], name)
            self.assertEqual('pass', checks['cbt']['status'])

        # The source cannot be reached any more: readiness blocks.
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            closed_port = s.getsockname()[1]
        db_api.source_update(self.ctx, self.source.id,
                             {'port': closed_port})
        result = engine.run_preflight(self.ctx, ids[0],
                                      inspector=FakeInspector())
        checks = {c['name']: c for c in result.checks}
        self.assertEqual('block', checks['source_reachable']['status'])
        self.assertEqual('block', result.verdict)

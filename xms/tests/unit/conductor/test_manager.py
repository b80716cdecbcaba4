"""The conductor's endpoints with fake source driver and preflight
engine (the real ones have their own tests)."""

import sys
import types
from unittest import mock

from xms.common import exception
from xms.common import states
from xms.conductor import manager
from xms.db import api as db_api
from xms.db import models
from xms.tests.unit.api import base


class FakeDriver:

    def __init__(self, fail=None):
        self.fail = fail
        self.calls = []

    def test_connection(self, context, source):
        self.calls.append(('test', source.uuid))
        if self.fail:
            raise self.fail
        return {'product_name': 'VMware vCenter Server',
                'version': '8.0.2', 'build': '22385739',
                'api_type': 'VirtualCenter'}

    def discover(self, context, source):
        self.calls.append(('discover', source.uuid))
        if self.fail:
            raise self.fail


class TestManager(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.manager = manager.ConductorManager('host1')
        self.ctx = self.admin_context()
        self.source = self.make_source()
        self.source_row = db_api.source_get(self.ctx, self.source['uuid'])

    def use_jobs(self):
        """Record what the orchestration layer is asked to do."""
        calls = []
        module = types.ModuleType('xms.conductor.jobs')
        for name in ('start', 'sync', 'cutover', 'cancel', 'retry'):
            setattr(module, name, lambda context, job_id, *a, _n=name:
                    calls.append((_n, job_id) + a))
        patcher = mock.patch.dict(sys.modules, {'xms.conductor.jobs': module})
        patcher.start()
        self.addCleanup(patcher.stop)
        return calls

    def use_driver(self, driver):
        module = types.ModuleType('xms.sources.base')
        module.get_driver = lambda source_type: driver
        patcher = mock.patch.dict(sys.modules, {'xms.sources.base': module})
        patcher.start()
        self.addCleanup(patcher.stop)

    def events(self):
        return [e.event_type for e in db_api.api_list(
            self.ctx, models.Event, sort_dir='asc')]

    def test_test_source_records_product(self):
        self.use_driver(FakeDriver())
        result = self.manager.test_source(self.ctx, self.source_row.id)
        self.assertEqual('8.0.2', result['version'])
        self.assertEqual('connected', result['status'])
        self.assertEqual(['tested'], self.events())

    def test_test_source_failure(self):
        self.use_driver(FakeDriver(exception.Invalid(reason='bad login')))
        self.assertRaises(exception.Invalid, self.manager.test_source,
                          self.ctx, self.source_row.id)
        self.assertEqual(['test_failed'], self.events())

    def test_discover(self):
        driver = FakeDriver()
        self.use_driver(driver)
        self.manager.discover_source(self.ctx, self.source_row.id)
        self.assertEqual([('discover', self.source['uuid'])], driver.calls)
        self.assertEqual(['discovered'], self.events())

    def test_discover_failure_is_recorded(self):
        self.use_driver(FakeDriver(RuntimeError('internal detail')))
        self.manager.discover_source(self.ctx, self.source_row.id)
        row = db_api.source_get(self.ctx, self.source_row.id)
        self.assertEqual('failed', row.discovery_status)
        self.assertNotIn('internal detail', row.discovery_error)
        self.assertEqual(['discovery_failed'], self.events())

    def test_run_preflights_continues_after_failure(self):
        vm = self.make_vm(self.source['uuid'])
        first = db_api.preflight_create(self.ctx, {
            'project_id': 'p1', 'vm_id': vm.id, 'mode': 'cold'})
        second = db_api.preflight_create(self.ctx, {
            'project_id': 'p1', 'vm_id': vm.id, 'mode': 'cold'})
        seen = []

        def run_preflight(context, preflight_id, inspector, probes):
            # One probe cache is shared by the whole wave.
            probes.setdefault('calls', []).append(preflight_id)
            seen.append(preflight_id)
            if preflight_id == first.id:
                raise exception.Invalid(reason='no target')
        module = types.ModuleType('xms.preflight.engine')
        module.run_preflight = run_preflight
        with mock.patch.dict(sys.modules, {'xms.preflight.engine': module}):
            self.manager.run_preflights(self.ctx, [first.id, second.id])
        self.assertEqual([first.id, second.id], seen)
        self.assertEqual('failed',
                         db_api.preflight_get(self.ctx, first.id).status)

    def test_run_preflights_replays_the_apis_target_answers(self):
        vm = self.make_vm(self.source['uuid'])
        row = db_api.preflight_create(self.ctx, {
            'project_id': 'p1', 'vm_id': vm.id, 'mode': 'cold'})
        facts = {'networks': {'answer': [{'id': 'n1', 'name': 'net'}]}}
        used = []

        def run_preflight(context, preflight_id, inspector, probes):
            used.append(inspector.networks(context, None))
        module = types.ModuleType('xms.preflight.engine')
        module.run_preflight = run_preflight
        with mock.patch.dict(sys.modules, {'xms.preflight.engine': module}):
            self.manager.run_preflights(self.ctx, [row.id],
                                        target_facts=facts)
        self.assertEqual([[{'id': 'n1', 'name': 'net'}]], used)

    def _job(self, state=states.QUEUED, **values):
        vm = self.make_vm(self.source['uuid'], name='j%s' % state)
        job = db_api.job_create(self.ctx, dict(
            project_id='p1', source_id=self.source_row.id, vm_id=vm.id,
            type=states.WARM, state=state, **values))
        return job

    def test_actions_record_events(self):
        calls = self.use_jobs()
        job = self._job(states.READY, incremental_syncs=1)
        self.manager.sync_job(self.ctx, job.id)
        self.manager.cutover_job(self.ctx, job.id)
        self.manager.cancel_job(self.ctx, job.id, keep_target=True)
        self.assertEqual(['sync_requested', 'cutover_requested',
                          'cancel_requested'], self.events())
        self.assertEqual([('sync', job.id), ('cutover', job.id),
                          ('cancel', job.id, True)], calls)

    def test_actions_check_state(self):
        calls = self.use_jobs()
        job = self._job(states.QUEUED)
        self.manager.start_job(self.ctx, job.id)
        self.assertEqual([('start', job.id)], calls)
        self.assertRaises(exception.ActionNotAllowed, self.manager.sync_job,
                          self.ctx, job.id)
        self.assertRaises(exception.ActionNotAllowed,
                          self.manager.retry_job, self.ctx, job.id)

    def test_delete_removes_record_and_trust(self):
        job = self._job(states.COMPLETED, trust_id='t1')
        with mock.patch('xms.common.keystone.delete_trust') as delete:
            self.manager.delete_job(self.ctx, job.id)
        delete.assert_called_once_with(self.ctx, 't1')
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.id)
        self.assertEqual(['delete_started', 'deleted'], self.events())

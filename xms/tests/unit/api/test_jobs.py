"""``/v1/jobs``: waves, the preflight gate, views, actions and events."""

import fixtures

from xms.common import states
from xms.db import api as db_api
from xms.tests.unit.api import base

UNKNOWN = '7c9e6679-7425-40de-944b-e07fc1f90ae7'


class JobsBase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.source = self.make_source()
        self.vm = self.make_vm(self.source['uuid'], 'web1', verdict='pass')
        self.vm2 = self.make_vm(self.source['uuid'], 'web2', verdict='warn')
        self.blocked = self.make_vm(self.source['uuid'], 'old', 'block')
        self.fresh = self.make_vm(self.source['uuid'], 'new')

    def create(self, vms, job_type='warm', status=201, roles='member',
               **extra):
        body = dict(vm_ids=[v.uuid for v in vms], type=job_type, **extra)
        return self.post('/v1/jobs', body, status=status, roles=roles)

    def set_state(self, job_uuid, state, **values):
        ctx = self.admin_context()
        job = db_api.job_get(ctx, job_uuid)
        values['state'] = state
        db_api.job_update(ctx, job.id, values)


class TestCreate(JobsBase):

    def test_wave_of_two(self):
        body = self.create([self.vm, self.vm2], target={
            'volume_type': 'fast', 'disk_volume_types': {'2001': 'slow'},
            'network_mapping': [{'source_network': 'VM Network',
                                 'network_id': UNKNOWN}]}).json
        jobs = body['jobs']
        self.assertEqual(2, len(jobs))
        self.assertEqual({body['wave_id']}, {j['wave_id'] for j in jobs})
        job = jobs[0]
        self.assertEqual('queued', job['state'])
        self.assertEqual(3600, job['sync_interval'])
        self.assertEqual(300, job['shutdown_timeout'])
        self.assertEqual(['fast', 'slow'],
                         [d['volume_type'] for d in job['disks']])
        self.assertEqual([1 << 30, 2 << 30],
                         [d['bytes_total'] for d in job['disks']])
        self.assertEqual(3 << 30, job['progress']['bytes_total'])
        self.assertEqual(['start_job', 'start_job'], self.rpc.names())
        self.assertEqual(['cancel'], job['allowed_actions'])
        self.assertEqual(self.vm.uuid, job['vm_id'])
        self.assertEqual('web1', job['vm_name'])
        listed = self.get('/v1/jobs?wave_id=%s' % body['wave_id']).json
        self.assertEqual(2, len(listed['jobs']))

    def test_vm_name_kept_on_the_job(self):
        job = self.create([self.vm], 'cold').json['jobs'][0]
        row = db_api.job_get(self.admin_context(), job['uuid'])
        self.assertEqual('web1', row.vm_name)

    def test_nic_options(self):
        mapping = {'source_network': '4000', 'network_id': UNKNOWN,
                   'fixed_ip': '10.0.0.5', 'subnet': 'v4', 'keep_mac': True,
                   'security_groups': ['web']}
        job = self.create([self.vm], 'cold', target={
            'network_mapping': [mapping], 'security_groups': ['default'],
            'instance_name': 'web1-migrated'}).json['jobs'][0]
        self.assertEqual([mapping], job['target']['network_mapping'])
        resp = self.create([self.vm2], 'cold', status=400, target={
            'network_mapping': [dict(mapping, security_groups='web')]})
        self.assertError(
            resp, 400, field='target.network_mapping[0].security_groups')
        resp = self.create([self.vm2], 'cold', status=400, target={
            'network_mapping': [dict(mapping, network='net')]})
        self.assertError(resp, 400,
                         field='target.network_mapping[0].network')

    def test_cold_rejects_warm_options(self):
        resp = self.create([self.vm], 'cold', status=400, sync_interval=600)
        self.assertError(resp, 400, field='sync_interval')

    def test_sync_interval_minimum(self):
        resp = self.create([self.vm], status=400, sync_interval=60)
        self.assertError(resp, 400, field='sync_interval')

    def test_gate_needs_a_verdict(self):
        resp = self.create([self.fresh], status=409)
        self.assertError(resp, 409,
                         contains='run a warm preflight of VM new first')
        self.assertEqual([], self.rpc.calls)

    def test_gate_block(self):
        resp = self.create([self.vm, self.blocked], status=409)
        self.assertError(resp, 409, contains='gave Block')
        # Nothing of the wave is created when one VM is refused.
        self.assertEqual([], self.get('/v1/jobs').json['jobs'])

    def test_member_cannot_override(self):
        self.create([self.blocked], status=403, override_block=True,
                    override_reason='tested by hand')

    def test_override_needs_a_reason(self):
        resp = self.create([self.blocked], status=400,
                           roles='admin,member,reader', override_block=True)
        self.assertError(resp, 400, field='override_reason',
                         contains='is required')
        self.create([self.vm], override_block=False)

    def test_admin_override_is_an_event(self):
        job = self.create([self.blocked], roles='admin,member,reader',
                          override_block=True,
                          override_reason='RDM detached by hand'
                          ).json['jobs'][0]
        self.assertTrue(job['override_block'])
        self.assertEqual('RDM detached by hand', job['override_reason'])
        events = self.get('/v1/jobs/%s/events' % job['uuid']).json['events']
        types = [e['event_type'] for e in events]
        self.assertEqual(['block_overridden', 'created'], types)
        self.assertEqual('warning', events[0]['severity'])
        self.assertIn('by user u1: RDM detached by hand',
                      events[0]['message'])
        self.assertEqual('u1', events[0]['payload']['user_id'])
        self.assertEqual('RDM detached by hand',
                         events[0]['payload']['reason'])

    def test_reason_not_kept_without_a_block(self):
        job = self.create([self.vm], roles='admin,member,reader',
                          override_block=True,
                          override_reason='just in case').json['jobs'][0]
        self.assertFalse(job['override_block'])
        self.assertIsNone(job['override_reason'])

    def test_unknown_or_foreign_vm_404(self):
        resp = self.post('/v1/jobs', {'vm_ids': [UNKNOWN], 'type': 'cold'},
                         status=404, roles='member')
        self.assertError(resp, 404)
        resp = self.post('/v1/jobs', {'vm_ids': [self.vm.uuid],
                                      'type': 'cold'}, status=404,
                         roles='member', project=base.OTHER)
        self.assertError(resp, 404)


class TestActions(JobsBase):

    def setUp(self):
        super().setUp()
        self.job = self.create([self.vm]).json['jobs'][0]
        self.rpc.calls.clear()
        self.path = '/v1/jobs/%s' % self.job['uuid']

    def test_sync_refused_while_queued(self):
        resp = self.post(self.path + '/sync', status=409)
        self.assertError(resp, 409, contains='waiting for a worker slot')
        self.assertEqual([], self.rpc.calls)

    def test_sync_in_ready(self):
        self.set_state(self.job['uuid'], states.READY)
        body = self.post(self.path + '/sync', status=202).json
        self.assertEqual({'uuid': self.job['uuid'], 'action': 'sync',
                          'state': 'ready'}, body)
        self.assertEqual(['sync_job'], self.rpc.names())

    def test_cutover_needs_an_incremental_sync(self):
        self.set_state(self.job['uuid'], states.READY)
        resp = self.post(self.path + '/cutover', status=409)
        self.assertError(resp, 409, contains='incremental sync')
        self.set_state(self.job['uuid'], states.READY, incremental_syncs=1)
        self.post(self.path + '/cutover', status=202)
        shown = self.get(self.path).json
        self.assertEqual(['sync', 'cutover', 'cancel'],
                         shown['allowed_actions'])

    def test_cancel_with_keep_target(self):
        self.post(self.path + '/cancel', {'keep_target': True}, status=202)
        self.assertEqual(('cancel_job', 'keep_target', True),
                         (self.rpc.calls[0][0],) + self.rpc.calls[0][3])

    def test_retry_only_failed(self):
        self.post(self.path + '/retry', status=409)
        self.set_state(self.job['uuid'], states.FAILED, error='boom')
        self.post(self.path + '/retry', status=202)
        self.assertEqual('boom', self.get(self.path).json['error'])

    def test_delete_only_finished(self):
        resp = self.delete(self.path, status=409)
        self.assertError(resp, 409)
        self.set_state(self.job['uuid'], states.COMPLETED)
        self.delete(self.path, status=202)
        self.assertEqual(['delete_job'], self.rpc.names())

    def test_reader_cannot_act(self):
        self.post(self.path + '/cancel', status=403, roles='reader')

    def test_other_project_404(self):
        self.get(self.path, status=404, roles='reader', project=base.OTHER)
        self.post(self.path + '/cancel', status=404, roles='member',
                  project=base.OTHER)

    def test_show_progress_and_lag(self):
        from oslo_utils import timeutils
        ctx = self.admin_context()
        job = db_api.job_get(ctx, self.job['uuid'])
        db_api.job_update(ctx, job.id, {
            'state': 'ready', 'bytes_done': 1 << 30,
            'last_sync_at': timeutils.utcnow(), 'pending_bytes': 4096})
        shown = self.get(self.path).json
        self.assertEqual(33.3, shown['progress']['percent'])
        self.assertEqual(4096, shown['lag']['pending_bytes'])
        self.assertIsNotNone(shown['lag']['seconds'])

    def test_show_both_inspections(self):
        ctx = self.admin_context()
        job = db_api.job_get(ctx, self.job['uuid'])
        shown = self.get(self.path).json
        self.assertIsNone(shown['inspection'])
        self.assertIsNone(shown['inspection_converted'])
        db_api.job_update(ctx, job.id, {
            'inspection': {'virtio_drivers': False},
            'inspection_converted': {'virtio_drivers': True}})
        shown = self.get(self.path).json
        self.assertEqual({'virtio_drivers': False}, shown['inspection'])
        self.assertEqual({'virtio_drivers': True},
                         shown['inspection_converted'])
        self.assertNotIn('inspection_converted',
                         self.get('/v1/jobs').json['jobs'][0])

    def test_list_filters(self):
        self.assertEqual(1, len(self.get('/v1/jobs?state=queued,running'
                                         ).json['jobs']))
        self.assertEqual([], self.get('/v1/jobs?type=cold').json['jobs'])
        self.assertEqual(1, len(self.get(
            '/v1/jobs?vm_id=%s&source_id=%s' % (
                self.vm.uuid, self.source['uuid'])).json['jobs']))


class TestEventsAndWorkers(JobsBase):

    def test_events_newest_first_and_paginated(self):
        for vm in (self.vm, self.vm2):
            self.create([vm])
        events = self.get('/v1/events', roles='reader').json
        self.assertEqual(2, len(events['events']))
        first = self.get('/v1/events?limit=1').json
        self.assertEqual(events['events'][0]['uuid'],
                         first['events'][0]['uuid'])
        path = first['next'].split('localhost', 1)[1]
        second = self.get(path).json
        self.assertEqual(events['events'][1]['uuid'],
                         second['events'][0]['uuid'])
        self.assertEqual([], self.get('/v1/events', project=base.OTHER,
                                      roles='reader').json['events'])
        self.assertEqual(2, len(self.get(
            '/v1/events?resource_type=job&event_type=created'
            '&severity=info').json['events']))

    def test_workers_admin_only(self):
        db_api.worker_register(self.admin_context(), 'host1', 'xms-worker',
                               slots=4)
        workers = self.get('/v1/workers').json['workers']
        self.assertEqual(4, workers[0]['free_slots'])
        self.assertTrue(workers[0]['alive'])
        self.get('/v1/workers', roles='member,reader', status=403)


class TestGateModes(JobsBase):
    """Which preflight admits which job, and a rescan invalidating it."""

    def test_cold_pass_does_not_admit_a_warm_job(self):
        self.make_preflight(self.fresh, 'pass', mode='cold')
        resp = self.create([self.fresh], 'warm', status=409)
        self.assertError(resp, 409, contains='has only a cold one; run a '
                         'warm preflight of VM new first')
        self.create([self.fresh], 'cold')

    def test_warm_pass_admits_a_cold_job(self):
        self.create([self.vm], 'cold')

    def test_newest_preflight_of_the_mode_counts(self):
        self.make_preflight(self.vm, 'block')
        resp = self.create([self.vm], 'warm', status=409)
        self.assertError(resp, 409, contains='its warm preflight')
        # A cold Pass still admits a cold job of a VM blocked for warm.
        self.make_preflight(self.vm, 'pass', mode='cold')
        self.create([self.vm], 'cold')

    def test_preflight_from_before_the_upgrade_does_not_count(self):
        db_api.preflight_create(self.admin_context(), {
            'project_id': self.fresh.project_id, 'vm_id': self.fresh.id,
            'mode': 'warm', 'status': 'completed', 'verdict': 'pass'})
        resp = self.create([self.fresh], status=409)
        self.assertError(resp, 409, contains='predates the upgrade')

    def _rescan(self, vm, **disk_changes):
        ctx = self.admin_context()
        source = db_api.source_get(ctx, vm.source_id)
        vm = db_api.vm_get(ctx, vm.id)
        record = {'moref': vm.moref, 'name': vm.name,
                  'power_state': vm.power_state}
        record['disks'] = [dict({'device_key': d.device_key,
                                 'capacity_bytes': d.capacity_bytes,
                                 'file_name': d.file_name,
                                 'is_rdm': d.is_rdm}, **disk_changes)
                           for d in vm.disks]
        record['nics'] = [{'device_key': n.device_key,
                           'network_name': n.network_name,
                           'mac_address': n.mac_address} for n in vm.nics]
        others = [{'moref': v.moref, 'name': v.name,
                   'power_state': v.power_state,
                   'disks': [{'device_key': d.device_key,
                              'capacity_bytes': d.capacity_bytes,
                              'file_name': d.file_name, 'is_rdm': d.is_rdm}
                             for d in v.disks],
                   'nics': [{'device_key': n.device_key,
                             'network_name': n.network_name,
                             'mac_address': n.mac_address}
                            for n in v.nics]}
                  for v in db_api.vm_list(ctx) if v.id != vm.id]
        db_api.vm_inventory_sync(ctx, source, [record] + others)
        return db_api.vm_get(ctx, vm.id)

    def test_rescan_without_change_keeps_the_verdict(self):
        vm = self._rescan(self.vm)
        self.assertEqual('pass', vm.verdict)
        self.create([self.vm])

    def test_rescan_with_a_changed_disk_invalidates(self):
        vm = self._rescan(self.vm, capacity_bytes=8 << 30)
        self.assertIsNone(vm.verdict)
        resp = self.create([self.vm], status=409)
        self.assertError(resp, 409, contains='changed since its last warm '
                         'preflight (a rescan); run a warm preflight of '
                         'VM web1 again')
        self.make_preflight(vm, 'warn')
        self.create([self.vm])


class TestOneActiveJobPerVm(JobsBase):

    def test_second_job_refused_until_the_first_is_released(self):
        first = self.create([self.vm]).json['jobs'][0]
        resp = self.create([self.vm], 'cold', status=409)
        error = self.assertError(resp, 409, contains=first['uuid'])
        self.assertIn('VM %s already has an active job' % self.vm.uuid,
                      error['message'])
        # A failed job keeps its target and may be retried: still active.
        self.set_state(first['uuid'], states.FAILED)
        self.create([self.vm], status=409)
        self.set_state(first['uuid'], states.CANCELLING)
        self.set_state(first['uuid'], states.CANCELLED)
        second = self.create([self.vm]).json['jobs'][0]
        self.set_state(second['uuid'], states.COMPLETED)
        self.create([self.vm])

    def test_wave_with_a_busy_vm_creates_nothing(self):
        self.create([self.vm2])
        self.rpc.calls.clear()
        resp = self.create([self.vm, self.vm2], status=409)
        self.assertError(resp, 409, contains=self.vm2.uuid)
        self.assertEqual(1, len(self.get('/v1/jobs').json['jobs']))
        self.assertEqual([], self.rpc.calls)

    def test_database_refuses_a_second_active_job(self):
        # The API checks first; the constraint is what holds under a race.
        from xms.common import exception
        ctx = self.admin_context()
        values = {'project_id': 'p1', 'vm_id': self.vm.id, 'type': 'cold'}
        db_api.job_create(ctx, values)
        self.assertRaises(exception.VmBusy, db_api.job_create, ctx, values)
        db_api.job_create(ctx, dict(values, state=states.COMPLETED))


class TestAtomicWave(JobsBase):
    """Trusts first, then every job in one transaction, then the casts."""

    def setUp(self):
        super().setUp()
        from xms.common import keystone
        self.trusts, self.deleted = [], []
        self.fail_at = None

        def create_trust(ctx, project_id=None):
            if len(self.trusts) + 1 == self.fail_at:
                raise keystone.TrustError(action='create',
                                          project=project_id,
                                          reason='refused')
            self.trusts.append('trust-%d' % (len(self.trusts) + 1))
            return self.trusts[-1]

        self.useFixture(fixtures.MonkeyPatch(
            'xms.common.keystone.create_trust', create_trust))
        self.useFixture(fixtures.MonkeyPatch(
            'xms.common.keystone.delete_trust',
            lambda ctx, trust_id: self.deleted.append(trust_id)))
        # The app was built without auth_token; the controller only asks
        # whether trusts are in use.
        self.config(auth_strategy='keystone', group='api')

    def test_second_trust_fails(self):
        self.fail_at = 2
        resp = self.create([self.vm, self.vm2], status=502)
        self.assertIn('refused', resp.json['error']['message'])
        self.assertEqual(['trust-1'], self.deleted)
        self.assertEqual([], db_api.job_list(self.admin_context()))
        self.assertEqual([], self.rpc.calls)

    def test_database_failure_deletes_every_trust(self):
        from xms.common import exception

        def refuse(ctx, specs):
            raise exception.VmBusy(vm=self.vm2.uuid, job='j')
        self.useFixture(fixtures.MonkeyPatch(
            'xms.db.api.jobs_create', refuse))
        self.create([self.vm, self.vm2], status=409)
        self.assertEqual(['trust-1', 'trust-2'], self.deleted)
        self.assertEqual([], self.rpc.calls)

    def test_wave_created_with_a_trust_each(self):
        jobs = self.create([self.vm, self.vm2]).json['jobs']
        ctx = self.admin_context()
        self.assertEqual(['trust-1', 'trust-2'],
                         [db_api.job_get(ctx, j['uuid']).trust_id
                          for j in jobs])
        self.assertEqual([], self.deleted)
        self.assertEqual(['start_job', 'start_job'], self.rpc.names())

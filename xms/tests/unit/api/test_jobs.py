"""``/v1/jobs``: waves, the preflight gate, views, actions and events."""

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
        self.assertError(resp, 409, contains='run a preflight first')
        self.assertEqual([], self.rpc.calls)

    def test_gate_block(self):
        resp = self.create([self.vm, self.blocked], status=409)
        self.assertError(resp, 409, contains='block')
        # Nothing of the wave is created when one VM is refused.
        self.assertEqual([], self.get('/v1/jobs').json['jobs'])

    def test_member_cannot_override(self):
        self.create([self.blocked], status=403, override_block=True)

    def test_admin_override_is_an_event(self):
        job = self.create([self.blocked], roles='admin,member,reader',
                          override_block=True).json['jobs'][0]
        self.assertTrue(job['override_block'])
        events = self.get('/v1/jobs/%s/events' % job['uuid']).json['events']
        types = [e['event_type'] for e in events]
        self.assertEqual(['block_overridden', 'created'], types)
        self.assertEqual('warning', events[0]['severity'])

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

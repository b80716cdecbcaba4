"""``/v1/vms`` and ``/v1/preflights``."""

import fixtures

from xms.tests.unit.api import base


class TestVms(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.source = self.make_source()
        self.vm = self.make_vm(self.source['uuid'], name='web1',
                               verdict='pass')
        self.make_vm(self.source['uuid'], name='db1', verdict='block')

    def test_list_and_filters(self):
        vms = self.get('/v1/vms', roles='reader').json['vms']
        self.assertEqual(2, len(vms))
        self.assertNotIn('disks', vms[0])
        self.assertEqual(self.source['uuid'], vms[0]['source_id'])
        names = [v['name'] for v in self.get(
            '/v1/vms?verdict=block').json['vms']]
        self.assertEqual(['db1'], names)
        names = [v['name'] for v in self.get('/v1/vms?name=w*').json['vms']]
        self.assertEqual(['web1'], names)
        self.assertEqual(2, len(self.get(
            '/v1/vms?source_id=%s&power_state=poweredOn'
            % self.source['uuid']).json['vms']))
        self.assertEqual([], self.get(
            '/v1/vms?source_id=7c9e6679-7425-40de-944b-e07fc1f90ae7'
        ).json['vms'])

    def test_show_with_disks_and_nics(self):
        vm = self.get('/v1/vms/%s' % self.vm.uuid, roles='reader').json
        self.assertEqual(2, len(vm['disks']))
        self.assertEqual('VM Network', vm['nics'][0]['network_name'])

    def test_other_project_404(self):
        self.get('/v1/vms/%s' % self.vm.uuid, project=base.OTHER,
                 roles='reader', status=404)
        self.assertEqual([], self.get('/v1/vms', project=base.OTHER,
                                      roles='reader').json['vms'])


class TestPreflights(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.source = self.make_source()
        self.vm = self.make_vm(self.source['uuid'])

    def test_create_casts_and_lists(self):
        body = self.post('/v1/preflights', {
            'vm_ids': [self.vm.uuid], 'mode': 'warm',
            'target': {'flavor_id': 'm1.large'}}, roles='member',
            status=202).json
        preflight = body['preflights'][0]
        self.assertEqual('pending', preflight['status'])
        self.assertEqual(self.vm.uuid, preflight['vm_id'])
        self.assertEqual('run_preflights', self.rpc.calls[0][0])
        listed = self.get('/v1/preflights?vm_id=%s' % self.vm.uuid,
                          roles='reader').json['preflights']
        self.assertEqual([preflight['uuid']], [p['uuid'] for p in listed])
        shown = self.get('/v1/preflights/%s' % preflight['uuid'],
                         roles='reader').json
        self.assertEqual({'flavor_id': 'm1.large'}, shown['target'])

    def test_target_asked_in_the_api_with_the_users_context(self):
        asked = []

        class Inspector:
            def quotas(self, context, spec):
                asked.append((context.user_id, spec['flavor_id']))
                return {}

            def networks(self, context, spec):
                return [{'id': 'n1', 'name': 'net'}]

            def flavors(self, context, spec):
                return []
        self.useFixture(fixtures.MockPatch(
            'xms.preflight.target.get_inspector', return_value=Inspector()))
        self.post('/v1/preflights', {
            'vm_ids': [self.vm.uuid], 'mode': 'cold',
            'target': {'flavor_id': 'm1'}}, roles='member', status=202)
        self.assertEqual([('u1', 'm1')], asked)
        call = dict(self.rpc.calls[0][3:])
        self.assertEqual([{'id': 'n1', 'name': 'net'}],
                         call['target_facts']['networks']['answer'])

    def test_unknown_vm_404(self):
        self.post('/v1/preflights', {
            'vm_ids': ['7c9e6679-7425-40de-944b-e07fc1f90ae7'],
            'mode': 'cold'}, status=404)
        self.assertEqual([], self.rpc.calls)

    def test_reader_cannot_run(self):
        self.post('/v1/preflights', {'vm_ids': [self.vm.uuid],
                                     'mode': 'cold'}, roles='reader',
                  status=403)

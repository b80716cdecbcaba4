"""``/v1/sources``: CRUD, the write-only password, test and discover."""

from xms.common import credentials
from xms.db import api as db_api
from xms.tests.unit.api import base

SECRET = 'Sup3rSecret!'


class TestSources(base.APITestCase):

    def test_create_encrypts_and_hides_password(self):
        resp = self.post('/v1/sources', {
            'name': 'vc1', 'host': 'vc.example.org', 'username': 'svc',
            'password': SECRET, 'datacenter': 'DC0',
            'thumbprint': 'ab:' * 31 + 'cd'})
        body = resp.json
        self.assertNotIn(SECRET, resp.text)
        self.assertNotIn('password', resp.text)
        self.assertEqual(443, body['port'])
        self.assertEqual('AB:' * 31 + 'CD', body['thumbprint'])
        self.assertTrue(resp.headers['Location'].endswith(body['uuid']))
        row = db_api.source_get(self.admin_context(), body['uuid'])
        self.assertNotEqual(SECRET, row.password_encrypted)
        self.assertEqual(SECRET, credentials.decrypt(row.password_encrypted))
        self.assertNotIn(SECRET, self.log_fixture.output)

    def test_list_show_and_project_scoping(self):
        mine = self.make_source()
        self.make_source(project=base.OTHER, name='theirs')
        listed = self.get('/v1/sources', roles='reader').json['sources']
        self.assertEqual([mine['uuid']], [s['uuid'] for s in listed])
        self.get('/v1/sources/%s' % mine['uuid'], roles='reader')
        other = self.get('/v1/sources', project=base.OTHER,
                         roles='reader').json['sources'][0]
        resp = self.get('/v1/sources/%s' % other['uuid'], roles='reader',
                        status=404)
        self.assertError(resp, 404)
        # An admin sees every project.
        self.assertEqual(2, len(self.get('/v1/sources').json['sources']))

    def test_admin_of_another_project_is_not_cloud_admin(self):
        theirs = self.make_source(project=base.OTHER, name='theirs')
        headers = dict(self.headers(), **{'X-Is-Admin-Project': 'False'})
        listed = self.app.get('/v1/sources', headers=headers).json
        self.assertEqual([], listed['sources'])
        self.app.get('/v1/sources/%s' % theirs['uuid'], headers=headers,
                     status=404)
        self.app.get('/v1/workers', headers=headers, status=403)

    def test_manager_registers_and_changes(self):
        created = self.post('/v1/sources', {
            'name': 'vc-m', 'host': 'h', 'username': 'u', 'password': 'p'},
            roles='manager,member,reader').json
        self.patch('/v1/sources/%s' % created['uuid'], {'port': 8443},
                   roles='manager,member,reader')

    def test_duplicate_name_409(self):
        self.make_source()
        resp = self.post('/v1/sources', {
            'name': 'vc1', 'host': 'h', 'username': 'u', 'password': 'p'},
            status=409)
        self.assertError(resp, 409, field='name')

    def test_member_cannot_register(self):
        resp = self.post('/v1/sources', {
            'name': 'vc1', 'host': 'h', 'username': 'u', 'password': 'p'},
            roles='member,reader', status=403)
        self.assertError(resp, 403, contains='xms:sources:create')

    def test_update(self):
        source = self.make_source()
        body = self.patch('/v1/sources/%s' % source['uuid'],
                          {'port': 8443, 'verify_tls': False}).json
        self.assertEqual(8443, body['port'])
        self.assertFalse(body['verify_tls'])
        resp = self.patch('/v1/sources/%s' % source['uuid'], {},
                          status=400)
        self.assertError(resp, 400, field='body')
        resp = self.patch('/v1/sources/%s' % source['uuid'],
                          {'password': 'x'}, status=400)
        self.assertError(resp, 400, field='password')

    def test_rotate_credential(self):
        source = self.make_source()
        resp = self.put('/v1/sources/%s/credential' % source['uuid'],
                        {'username': 'svc2', 'password': 'N3w!'})
        self.assertEqual('svc2', resp.json['username'])
        self.assertNotIn('N3w!', resp.text)
        row = db_api.source_get(self.admin_context(), source['uuid'])
        self.assertEqual('N3w!', credentials.decrypt(row.password_encrypted))

    def test_delete_and_in_use(self):
        source = self.make_source()
        vm = self.make_vm(source['uuid'], verdict='pass')
        job = self.post('/v1/jobs', {'vm_ids': [vm.uuid], 'type': 'cold'}
                        ).json['jobs'][0]
        resp = self.delete('/v1/sources/%s' % source['uuid'], status=409)
        self.assertError(resp, 409, contains='unfinished')
        db_api.job_update(self.admin_context(),
                          db_api.job_get(self.admin_context(),
                                         job['uuid']).id,
                          {'state': 'cancelled'})
        self.delete('/v1/sources/%s' % source['uuid'])
        self.get('/v1/sources/%s' % source['uuid'], status=404)

    def test_test_connection_calls_conductor(self):
        source = self.make_source()
        body = self.post('/v1/sources/%s/test' % source['uuid'],
                         roles='member,reader', status=200).json
        self.assertEqual('8.0.2', body['version'])
        name, ctx, source_id = self.rpc.calls[0]
        self.assertEqual('test_source', name)
        self.assertIsInstance(source_id, int)
        self.assertNotIn(SECRET, repr(self.rpc.calls))

    def test_discover_is_async(self):
        source = self.make_source()
        body = self.post('/v1/sources/%s/discover' % source['uuid'],
                         roles='member,reader', status=202).json
        self.assertEqual('queued', body['discovery']['status'])
        self.assertEqual(['discover_source'], self.rpc.names())

    def test_reader_cannot_use(self):
        source = self.make_source()
        self.post('/v1/sources/%s/discover' % source['uuid'],
                  roles='reader', status=403)
        self.assertEqual([], self.rpc.calls)

    def test_pagination_and_sorting(self):
        for i in range(5):
            self.make_source(name='vc%d' % i)
        page = self.get('/v1/sources?limit=2&sort_key=name&sort_dir=desc'
                        ).json
        self.assertEqual(['vc4', 'vc3'], [s['name'] for s in page['sources']])
        self.assertIn('marker=', page['next'])
        path = page['next'].split('localhost', 1)[1]
        page2 = self.get(path).json
        self.assertEqual(['vc2', 'vc1'],
                         [s['name'] for s in page2['sources']])
        self.assertEqual(
            ['vc3'], [s['name'] for s in self.get(
                '/v1/sources?name=vc3').json['sources']])

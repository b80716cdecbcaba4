"""The library against a loopback HTTP server: version negotiation, the
header, managers, pagination and typed errors."""

from keystoneauth1 import session as ks_session
import testtools

from xmsclient import client
from xmsclient import exceptions
from xmsclient.tests.unit import fakes
from xmsclient.v1 import client as v1_client


class ClientTest(testtools.TestCase):

    def api(self, routes, versions=('1.0', '1.0')):
        server = fakes.Api(routes, versions)
        self.addCleanup(server.stop)
        return server, client.Client('1', session=ks_session.Session(),
                                     endpoint_override=server.url)

    def test_factory(self):
        c = client.Client('1', session=ks_session.Session(),
                          endpoint_override='http://x')
        self.assertIsInstance(c, v1_client.Client)
        for name in ('sources', 'vms', 'preflights', 'jobs', 'events',
                     'workers'):
            self.assertTrue(hasattr(getattr(c, name), 'list'))
        self.assertRaises(exceptions.UnsupportedVersion, client.Client,
                          '2', session=None)
        self.assertRaises(exceptions.UnsupportedVersion, client.Client,
                          '1.99', session=None)

    def test_negotiates_and_sends_the_header(self):
        server, c = self.api({('GET', '/v1/sources'): (200, {
            'sources': [fakes.source().to_dict()]})})
        sources = c.sources.list()
        self.assertEqual('vc1', sources[0].name)
        self.assertEqual(fakes.SOURCE_ID, sources[0].id)
        self.assertEqual('vc1', sources[0].to_dict()['name'])
        self.assertEqual('1.0', c.api_version)
        self.assertEqual('migration 1.0',
                         server.requests[-1]['headers'][
                             'OpenStack-API-Version'])
        # The root is asked once.
        c.sources.list()
        self.assertEqual(1, sum(r['path'] == '/' for r in server.requests))

    def test_server_too_new(self):
        _server, c = self.api({}, versions=('1.5', '1.9'))
        self.assertRaises(exceptions.UnsupportedVersion, c.sources.list)

    def test_follows_next_links_without_limit(self):
        first = fakes.source().to_dict()
        second = dict(first, uuid=fakes.VM_ID, name='vc2')
        routes = {
            ('GET', '/v1/sources'): (200, {
                'sources': [first],
                'next': 'http://h/v1/sources?marker=%s' % first['uuid']}),
            ('GET', '/v1/sources?marker=%s' % first['uuid']): (200, {
                'sources': [second]}),
            ('GET', '/v1/sources?limit=1'): (200, {
                'sources': [first], 'next': 'http://h/next'}),
        }
        _server, c = self.api(routes)
        self.assertEqual(['vc1', 'vc2'], [s.name for s in c.sources.list()])
        self.assertEqual(['vc1'], [s.name for s in c.sources.list(limit=1)])

    def test_typed_errors_carry_the_message(self):
        routes = {('POST', '/v1/jobs/%s/cutover' % fakes.JOB_ID): (409, {
            'error': {'code': 409, 'title': 'Conflict',
                      'message': 'Action cutover is not allowed on job x '
                                 'in state running: its initial copy is '
                                 'running', 'field': None,
                      'request_id': 'req-9'}}),
            ('POST', '/v1/sources'): (400, {'error': {
                'code': 400, 'title': 'Bad Request',
                'message': 'must be at most 65535', 'field': 'port',
                'request_id': 'req-8'}})}
        _server, c = self.api(routes)
        exc = self.assertRaises(exceptions.Conflict, c.jobs.cutover,
                                fakes.JOB_ID)
        self.assertEqual(409, exc.http_status)
        self.assertIn('in state running', exc.message)
        self.assertEqual('req-9', exc.request_id)
        exc = self.assertRaises(exceptions.BadRequest, c.sources.create,
                                name='x', host='h', username='u',
                                password='pw', port=70000)
        self.assertEqual('port', exc.field)
        self.assertRaises(exceptions.NotFound, c.vms.get, fakes.VM_ID)

    def test_actions_and_bodies(self):
        job_path = '/v1/jobs/%s' % fakes.JOB_ID
        accepted = {'uuid': fakes.JOB_ID, 'action': 'x', 'state': 'ready'}
        routes = {(method, job_path + suffix): (202, accepted)
                  for method, suffix in (('POST', '/sync'),
                                         ('POST', '/cutover'),
                                         ('POST', '/cancel'),
                                         ('POST', '/retry'),
                                         ('DELETE', ''))}
        routes[('POST', '/v1/jobs')] = (201, {
            'wave_id': fakes.WAVE_ID, 'jobs': [fakes.job().to_dict()]})
        routes[('POST', '/v1/preflights')] = (202, {'preflights': [
            {'uuid': fakes.JOB_ID, 'vm_id': fakes.VM_ID, 'mode': 'warm',
             'status': 'pending'}]})
        routes[('PUT', '/v1/sources/%s/credential' % fakes.SOURCE_ID)] = (
            200, fakes.source().to_dict())
        routes[('GET', job_path + '/events?limit=5')] = (200, {
            'events': [{'uuid': fakes.VM_ID, 'event_type': 'created',
                        'message': 'm'}]})
        server, c = self.api(routes)
        for action in ('sync', 'cutover', 'retry'):
            getattr(c.jobs, action)(fakes.JOB_ID)
            self.assertEqual({}, server.requests[-1]['body'])
        c.jobs.cancel(fakes.JOB_ID, keep_target=True)
        self.assertEqual({'keep_target': True}, server.requests[-1]['body'])
        c.jobs.delete(fakes.JOB_ID)
        wave = c.jobs.create([fakes.VM_ID], 'cold',
                             target={'flavor_id': 'm1'})
        self.assertEqual(fakes.WAVE_ID, wave.wave_id)
        self.assertEqual(fakes.JOB_ID, wave.jobs[0].uuid)
        self.assertEqual({'vm_ids': [fakes.VM_ID], 'type': 'cold',
                          'target': {'flavor_id': 'm1'}},
                         server.requests[-1]['body'])
        preflights = c.preflights.create(vm_ids=[fakes.VM_ID], mode='warm')
        self.assertEqual('pending', preflights[0].status)
        c.sources.set_credential(fakes.SOURCE_ID, password='s3cret',
                                 username='root')
        self.assertEqual({'password': 's3cret', 'username': 'root'},
                         server.requests[-1]['body'])
        self.assertEqual('created',
                         c.jobs.events(fakes.JOB_ID, limit=5)[0].event_type)

    def test_secret_bodies_are_not_logged(self):
        import fixtures
        logs = self.useFixture(fixtures.FakeLogger(level='DEBUG'))
        routes = {('POST', '/v1/sources'): (201, fakes.source().to_dict())}
        _server, c = self.api(routes)
        c.sources.create(name='vc1', host='h', username='u',
                         password='hunter2-secret')
        self.assertNotIn('hunter2-secret', logs.output)
        self.assertIn('values withheld', logs.output)

    def test_unreachable(self):
        c = client.Client('1', session=ks_session.Session(),
                          endpoint_override='http://127.0.0.1:9')
        self.assertRaises(exceptions.ConnectionError, c.jobs.list)

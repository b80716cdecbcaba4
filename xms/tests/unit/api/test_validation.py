"""The validation layer: one message format, field and reason."""

from xms.api import validation
from xms.api.schemas import sources
from xms.tests import base
from xms.tests.unit.api import base as api_base


class TestValidate(base.TestCase):

    def _error(self, schema, instance):
        exc = self.assertRaises(validation.ValidationError,
                                validation.validate, schema, instance)
        return exc.field, exc.message

    def test_unknown_field(self):
        field, message = self._error(sources.UPDATE, {'colour': 'red'})
        self.assertEqual('colour', field)
        self.assertIn('not a known field', message)

    def test_required(self):
        field, _message = self._error(sources.CREATE, {'name': 'x'})
        self.assertIn(field, ('host', 'username', 'password'))

    def test_nested_path(self):
        from xms.api.schemas import jobs
        field, _m = self._error(jobs.CREATE, {
            'vm_ids': ['7c9e6679-7425-40de-944b-e07fc1f90ae7'],
            'type': 'cold',
            'target': {'network_mapping': [{'source_network': 'a',
                                             'network_id': 'bad'}]}})
        self.assertEqual('target.network_mapping[0].network_id', field)

    def test_secret_value_never_in_message(self):
        secret = 'x' * 2000
        field, message = self._error(
            sources.CREDENTIAL, {'password': secret})
        self.assertEqual('password', field)
        self.assertNotIn(secret[:20], message)

    def test_enum_reason(self):
        _f, message = self._error(sources.CREATE, {
            'name': 'a', 'host': 'h', 'username': 'u', 'password': 'p',
            'type': 'hyperv'})
        self.assertIn('must be one of: vmware', message)


class TestRequests(api_base.APITestCase):

    def test_bad_json_400(self):
        resp = self.app.post('/v1/sources', '{"name": ',
                             headers=dict(self.headers(), **{
                                 'Content-Type': 'application/json'}),
                             status=400)
        self.assertError(resp, 400, field='body')

    def test_wrong_content_type_415(self):
        resp = self.app.post('/v1/sources', 'name=x',
                             headers=self.headers(), status=415)
        self.assertError(resp, 415)

    def test_unknown_query_parameter(self):
        resp = self.get('/v1/jobs?colour=red', status=400)
        self.assertError(resp, 400, field='colour')

    def test_bad_limit(self):
        resp = self.get('/v1/jobs?limit=abc', status=400)
        self.assertError(resp, 400, field='limit')
        resp = self.get('/v1/jobs?limit=0', status=400)
        self.assertError(resp, 400, field='limit')

    def test_bad_enum_in_list_filter(self):
        resp = self.get('/v1/jobs?state=running,bogus', status=400)
        self.assertError(resp, 400, field='state[1]')

    def test_repeated_scalar_parameter(self):
        resp = self.get('/v1/jobs?limit=1&limit=2', status=400)
        self.assertError(resp, 400, field='limit')

    def test_bad_uuid_path(self):
        for path in ('/v1/sources/x', '/v1/vms/1', '/v1/jobs/abc',
                     '/v1/preflights/zz'):
            resp = self.get(path, status=400)
            self.assertEqual(400, resp.status_int, path)

    def test_bad_marker_uuid(self):
        resp = self.get('/v1/sources?marker=nope', status=400)
        self.assertError(resp, 400, field='marker')

    def test_unknown_marker(self):
        resp = self.get('/v1/sources?marker='
                        '7c9e6679-7425-40de-944b-e07fc1f90ae7', status=400)
        self.assertError(resp, 400, field='marker')

    def test_action_takes_no_unknown_body_fields(self):
        source = self.make_source()
        resp = self.post('/v1/sources/%s/discover' % source['uuid'],
                         {'now': True}, status=400)
        self.assertError(resp, 400, field='now')

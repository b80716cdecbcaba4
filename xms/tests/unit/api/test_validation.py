"""The validation layer: one message format, field and reason."""

import io

import webob

from xms.api import validation
from xms.api.schemas import sources
from xms.tests import base
from xms.tests import chunked
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


def _chunked(data, size=7):
    return chunked.encode(data, size, extension=b';ext=1')


class TestHostileBodies(api_base.APITestCase):
    """Bodies as a WSGI server hands them over, framing included."""

    SOURCE = (b'{"name": "vc-chunked", "host": "vc.example.org", '
              b'"username": "u", "password": "p"}')

    def _post(self, raw, path='/v1/sources', **environ):
        req = webob.Request.blank(path, method='POST')
        req.content_type = 'application/json'
        for key, value in self.headers().items():
            req.headers[key] = value
        req.environ.pop('CONTENT_LENGTH', None)
        req.environ['wsgi.input'] = io.BytesIO(raw)
        req.environ.update(environ)
        return req.get_response(self.app.app)

    def test_chunked_body_read_like_any_other(self):
        resp = self._post(_chunked(self.SOURCE),
                          HTTP_TRANSFER_ENCODING='chunked')
        self.assertEqual(201, resp.status_int, resp.text)
        self.assertEqual('vc-chunked', resp.json['name'])

    def test_body_of_a_server_that_dechunks(self):
        resp = self._post(self.SOURCE, **{'wsgi.input_terminated': True})
        self.assertEqual(201, resp.status_int, resp.text)

    def test_chunked_too_large_413_without_reading_it_all(self):
        self.config(max_request_body_size=1024, group='oslo_middleware')
        from xms.api import app
        self.app.app = app.setup_app()
        stream = io.BytesIO(_chunked(b'x' * 10 ** 6, 4096))
        resp = self._post(b'', HTTP_TRANSFER_ENCODING='chunked',
                          **{'wsgi.input': stream})
        self.assertEqual(413, resp.status_int)
        self.assertEqual('body', resp.json['error']['field'])
        self.assertIn('at most 1024 bytes', resp.json['error']['message'])
        self.assertLess(stream.tell(), 16384)
        self.assertEqual([], self.get('/v1/sources').json['sources'])

    def test_broken_chunking_400(self):
        resp = self._post(b'zz\r\nabc', HTTP_TRANSFER_ENCODING='chunked')
        self.assertEqual(400, resp.status_int)
        self.assertIn('chunked', resp.json['error']['message'])

    def test_two_framings_or_a_bad_length_400(self):
        for environ in ({'HTTP_TRANSFER_ENCODING': 'chunked',
                         'CONTENT_LENGTH': '5'},
                        {'CONTENT_LENGTH': '-1'}, {'CONTENT_LENGTH': 'x'}):
            resp = self._post(_chunked(self.SOURCE), **environ)
            self.assertError(resp, 400, field='Content-Length')
        self.assertEqual([], self.get('/v1/sources').json['sources'])

    def test_declared_length_over_limit_413(self):
        self.config(max_request_body_size=1024, group='oslo_middleware')
        from xms.api import app
        self.app.app = app.setup_app()
        resp = self._post(b'', CONTENT_LENGTH='999999')
        self.assertEqual(413, resp.status_int)

    def test_invalid_utf8_400_says_so(self):
        resp = self._post(b'{"name": "\xff\xfe"}',
                          CONTENT_LENGTH='14')
        self.assertError(resp, 400, field='body')
        self.assertIn('not valid UTF-8', resp.json['error']['message'])

    def test_deeply_nested_400(self):
        for raw in (b'[' * 50000 + b']' * 50000,
                    b'{"target": ' + b'{"a": ' * 40 + b'1' + b'}' * 41):
            resp = self._post(raw, '/v1/jobs',
                              CONTENT_LENGTH=str(len(raw)))
            self.assertError(resp, 400, field='body')
            self.assertIn('deeper than', resp.json['error']['message'])

    def test_path_and_query_not_utf8_400(self):
        for path, field in (('/v1/sources/%ff', 'path'),
                            ('/v1/sources?name=%ff', 'query')):
            resp = self.app.get(path, headers=self.headers(),
                                expect_errors=True)
            self.assertError(resp, 400, field=field)
            self.assertIn('UTF-8', resp.json['error']['message'])

    def test_nan_is_not_a_number(self):
        raw = (b'{"name": "a", "host": "h", "username": "u", '
               b'"password": "p", "port": NaN}')
        resp = self._post(raw, CONTENT_LENGTH=str(len(raw)))
        self.assertError(resp, 400, field='body')
        self.assertIn('NaN', resp.json['error']['message'])

    def test_names_refuse_separators_and_control_characters(self):
        vm = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
        cases = [
            ('/v1/sources', {'name': '../../etc/passwd', 'host': 'h',
                             'username': 'u', 'password': 'p'}, 'name'),
            ('/v1/sources', {'name': 'a\\b', 'host': 'h',
                             'username': 'u', 'password': 'p'}, 'name'),
            ('/v1/sources', {'name': 'vc\x00', 'host': 'h',
                             'username': 'u', 'password': 'p'}, 'name'),
            ('/v1/sources', {'name': 'vc\x1b[31m', 'host': 'h',
                             'username': 'u', 'password': 'p'}, 'name'),
            ('/v1/jobs', {'vm_ids': [vm], 'type': 'cold', 'target': {
                'instance_name': '../vm'}}, 'target.instance_name'),
            ('/v1/jobs', {'vm_ids': [vm], 'type': 'cold', 'target': {
                'flavor_id': '../../servers'}}, 'target.flavor_id'),
            ('/v1/jobs', {'vm_ids': [vm], 'type': 'cold', 'target': {
                'security_groups': ['ok', 'a/b']}},
             'target.security_groups[1]'),
            ('/v1/jobs', {'vm_ids': [vm], 'type': 'cold', 'target': {
                'disk_volume_types': {'2000': 'x\ty'}}},
             'target.disk_volume_types.2000'),
        ]
        for path, body, field in cases:
            resp = self.app.post_json(path, body, headers=self.headers(),
                                      expect_errors=True)
            self.assertError(resp, 400, field=field)
            self.assertIn('path separators', resp.json['error']['message'])
        self.assertEqual([], self.get('/v1/sources').json['sources'])
        self.assertEqual([], self.rpc.calls)

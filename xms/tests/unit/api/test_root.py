"""Version discovery, microversions, error format and OpenAPI."""

import json

from xms.api import openapi
from xms.api import versions
from xms.tests.unit.api import base


class TestVersions(base.APITestCase):

    def test_root_lists_v1(self):
        body = self.app.get('/').json
        self.assertEqual('v1', body['default_version']['id'])
        self.assertEqual(versions.MAX_VERSION_STRING,
                         body['default_version']['version'])

    def test_v1_document_links_resources_and_openapi(self):
        body = self.app.get('/v1').json
        self.assertIn('jobs', body['resources'])
        rels = [link['rel'] for link in body['links']]
        self.assertIn('describedby', rels)

    def test_default_version_is_minimum(self):
        resp = self.get('/v1/sources')
        self.assertEqual('migration 1.0', resp.headers[versions.HEADER])
        self.assertEqual('1.0', resp.headers[versions.MIN_HEADER])
        self.assertEqual(versions.MAX_VERSION_STRING,
                         resp.headers[versions.MAX_HEADER])
        self.assertIn(versions.HEADER, resp.headers['Vary'])

    def test_latest(self):
        resp = self.get('/v1/sources', version='migration latest')
        self.assertEqual('migration %s' % versions.MAX_VERSION_STRING,
                         resp.headers[versions.HEADER])

    def test_explicit_version(self):
        resp = self.get('/v1/sources', version='migration 1.0')
        self.assertEqual('migration 1.0', resp.headers[versions.HEADER])

    def test_other_service_ignored(self):
        resp = self.get('/v1/sources', version='compute 2.90')
        self.assertEqual('migration 1.0', resp.headers[versions.HEADER])

    def test_unsupported_version_406(self):
        resp = self.get('/v1/sources', status=406, version='migration 1.99')
        self.assertError(resp, 406, contains='1.99')

    def test_malformed_version_400(self):
        resp = self.get('/v1/sources', status=400, version='migration one')
        self.assertError(resp, 400, field=versions.HEADER)

    def test_parse(self):
        self.assertIsNone(versions.parse(None))
        self.assertEqual((1, 0), versions.parse('migration 1.0'))
        self.assertEqual((1, 0),
                         versions.parse('compute 2.1, migration 1.0'))


class TestErrors(base.APITestCase):

    def test_unknown_path_404_in_format(self):
        resp = self.get('/v1/nothing', status=404)
        self.assertError(resp, 404)
        self.assertTrue(resp.json['error']['request_id'].startswith('req-'))

    def test_method_not_allowed_405(self):
        resp = self.app.put_json('/v1/sources', {}, headers=self.headers(),
                                 status=405)
        self.assertError(resp, 405)

    def test_body_too_large_413(self):
        self.config(max_request_body_size=1024, group='oslo_middleware')
        import webtest

        from xms.api import app
        small = webtest.TestApp(app.setup_app())
        resp = small.post('/v1/sources', 'x' * 4096,
                          headers=dict(self.headers(),
                                       **{'Content-Type':
                                          'application/json'}),
                          status=413)
        self.assertError(resp, 413, field='body')

    def test_healthcheck_not_api(self):
        self.assertEqual(b'OK', self.app.get('/healthcheck').body)


class TestOpenAPI(base.APITestCase):

    def test_served_and_public(self):
        doc = self.app.get('/v1/openapi.json').json
        self.assertEqual('3.1.0', doc['openapi'])
        self.assertIn('/v1/jobs/{job_id}/cutover', doc['paths'])

    def test_every_route_documented_with_schemas(self):
        doc = openapi.document()
        count = sum(len(ops) for ops in doc['paths'].values())
        self.assertEqual(len(openapi.ROUTES), count)
        create = doc['paths']['/v1/sources']['post']
        schema = create['requestBody']['content']['application/json'][
            'schema']
        self.assertFalse(schema['additionalProperties'])
        self.assertTrue(schema['properties']['password']['writeOnly'])
        response = create['responses']['201']['content'][
            'application/json']['schema']
        self.assertNotIn('password', response['properties'])
        self.assertNotIn('password_encrypted', response['properties'])
        # The document is plain JSON.
        json.dumps(doc)

    def test_every_policy_rule_is_a_route(self):
        from xms import policies
        documented = {r[6] for r in openapi.ROUTES}
        names = {r.name for r in policies.list_rules()
                 if r.name.startswith('xms:')}
        self.assertEqual(names - {'xms:jobs:override_block'}, documented)

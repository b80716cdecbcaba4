"""Property-based run of schemathesis over the served OpenAPI description.

Every operation gets generated requests, valid and not; whatever they
are, the API must never answer 5xx, and every answer must match the
status codes, content type and response schema the description
promises. The app runs with ``noauth`` (an admin of one project) so that
every operation is reachable, on MariaDB, with a conductor over
RabbitMQ.
"""

import hypothesis
import schemathesis
from schemathesis.specs.openapi import checks as oas_checks
import webtest

from xms.api import app
from xms.tests.functional.api import base

EXAMPLES = 25

CHECKS = [oas_checks.response_schema_conformance,
          oas_checks.status_code_conformance,
          oas_checks.content_type_conformance]


class TestSchemathesis(base.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_strategy='noauth', group='api')
        self.wsgi = app.setup_app()
        # Some data so that lists and filters have rows to return.
        test_app = webtest.TestApp(self.wsgi)
        test_app.post_json('/v1/sources', {
            'name': 'vc1', 'host': 'vc.example.org', 'username': 'u',
            'password': 'p'})

    def test_no_server_errors_and_schema_conformance(self):
        schema = schemathesis.openapi.from_wsgi('/v1/openapi.json',
                                                self.wsgi)
        failures = {}
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @hypothesis.settings(
                max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=True,
                suppress_health_check=list(hypothesis.HealthCheck))
            @hypothesis.given(case=operation.as_strategy())
            def run(case):
                response = case.call()
                key = '%s %s -> %d' % (case.method, case.operation.path,
                                       response.status_code)
                if response.status_code >= 500:
                    failures.setdefault(key, case.as_curl_command())
                    return
                try:
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:
                    failures.setdefault(key, str(exc)[:800])
            run()
        self.assertEqual(24, operations)
        self.assertEqual({}, failures)

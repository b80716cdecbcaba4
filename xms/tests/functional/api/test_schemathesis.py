"""Property-based run of schemathesis over the served OpenAPI description.

Every operation gets generated requests, valid and not; whatever they
are, the API must never answer 5xx, and every answer must match the
status codes, content type and response schema the description
promises. :class:`TestSchemathesis` runs the app with ``noauth`` (an
admin of one project) so that every operation is reachable;
:class:`TestSchemathesisPersonas` runs it behind keystonemiddleware with
each persona's token from a real Keystone, and also requires every 400
to name the field it is about (in ``field`` and in its message). Both
on MariaDB, with a conductor over RabbitMQ.
"""

import collections

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


def fuzz(schema, examples, failures, label='', headers=None,
         statuses=None, fields_named=False):
    """Send generated requests to every operation of ``schema``.

    Records into ``failures`` (``{"<label> METHOD path -> code": why}``)
    every 5xx, every answer that breaks the description and, with
    ``fields_named``, every 400 whose error does not name its field.

    :param statuses: a Counter of answer codes to add to, or None.
    :returns: the number of operations.
    """
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.settings(
            max_examples=examples, deadline=None, database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            code = response.status_code
            if statuses is not None:
                statuses[code] += 1
            key = ('%s %s %s -> %d' % (label, case.method,
                                       case.operation.path, code)).strip()
            if code >= 500:
                failures.setdefault(key, case.as_curl_command())
                return
            if fields_named and code == 400:
                error = response.json()['error']
                if not error['field'] or \
                        error['field'] not in error['message']:
                    failures.setdefault(key, 'no field: %s' % error)
                    return
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                failures.setdefault(key, str(exc)[:800])
        run()
    return operations


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
        operations = fuzz(schema, EXAMPLES, failures)
        self.assertEqual(24, operations)
        self.assertEqual({}, failures)


# Fewer examples per operation than the noauth run: six personas.
PERSONA_EXAMPLES = 6


class TestSchemathesisPersonas(base.KeystoneAPITestCase):

    def setUp(self):
        super().setUp()
        self.wsgi = app.setup_app()
        self.make_source()

    def _run_persona(self, schema, persona, statuses, failures):
        headers = ({'X-Auth-Token': self.tokens[persona]}
                   if self.tokens[persona] else {})
        fuzz(schema, PERSONA_EXAMPLES, failures, label=persona,
             headers=headers, statuses=statuses[persona], fields_named=True)

    def test_every_persona(self):
        schema = schemathesis.openapi.from_wsgi('/v1/openapi.json',
                                                self.wsgi)
        statuses = collections.defaultdict(collections.Counter)
        failures = {}
        for persona in base.PERSONAS:
            self._run_persona(schema, persona, statuses, failures)
        codes = sorted({c for counts in statuses.values() for c in counts})
        lines = ['%-10s %s  %6s' % ('persona', ' '.join(
            '%5d' % c for c in codes), 'total')]
        for persona, counts in statuses.items():
            lines.append('%-10s %s  %6d' % (persona, ' '.join(
                '%5d' % counts[c] for c in codes), sum(counts.values())))
        total = sum(sum(c.values()) for c in statuses.values())
        self.print_figures('schemathesis-personas', '%s\n%d requests, %d '
                           '5xx, %d failures' % (
                               '\n'.join(lines), total,
                               sum(n for counts in statuses.values()
                                   for c, n in counts.items() if c >= 500),
                               len(failures)))
        self.assertEqual({}, failures)
        # Every persona reached the API; the anonymous one only its 401.
        self.assertEqual(set(base.PERSONAS), set(statuses))
        self.assertEqual({401}, {c for c in statuses['anonymous']
                                 if c not in (400, 404, 405, 406)})

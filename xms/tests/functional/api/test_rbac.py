"""RBAC matrix: every endpoint x {cloud admin, manager, member, reader,
member of another project, no token} against a real Keystone, with status
codes and project isolation checked; the matrix is printed.

Resources of project ``p1`` are what the personas act on; project ``p2``
holds resources nobody but the cloud admin and ``member2`` may see. The
cloud admin's token is scoped to Keystone's admin project; ``admin`` with
the admin role on ``p2`` only is that project's admin, not a cloud admin.
"""

import re

from xms.db import api as db_api
from xms.tests.functional.api import base
from xms.tests.functional.fixtures import vcsim

UUID = re.compile('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  '[0-9a-f]{12}')
ORDER = ('admin', 'manager', 'member', 'reader', 'other', 'anonymous')


class TestRBACMatrix(base.KeystoneAPITestCase):

    def setUp(self):
        super().setUp()
        sim = vcsim.shared_vcsim()
        self.sim_source = {'host': sim.host, 'port': sim.port,
                           'username': sim.username,
                           'password': sim.password,
                           'thumbprint': sim.thumbprint}
        self.s1 = self.make_source(**self.sim_source)
        # VMs for requests that create or change jobs live on a source
        # no request discovers: the matrix's real discovery of s1 marks
        # the made-up VMs of s1 missing, which (rightly) voids their
        # preflights.
        self.s1_quiet = self.make_source()
        self.tokens['admin-p2'] = self.keystone.token('admin', 'p2')
        self.project_of_p2 = self.keystone.projects['p2']
        self.s2 = self.make_source('admin-p2')
        self.vm1 = self.make_vm(self.s1['uuid'])
        self.vm2 = self.make_vm(self.s2['uuid'])
        self.job1 = self.make_job(self.vm1)
        self.job2 = self.make_job(self.vm2, persona='other')
        # Preflights run for real in the conductor and change their VM's
        # verdict: give them VMs no job request uses.
        self.pvm1 = self.make_vm(self.s1['uuid'])
        pvm2 = self.make_vm(self.s2['uuid'])
        resp = self.request('member', 'post', '/v1/preflights',
                            {'vm_ids': [self.pvm1.uuid], 'mode': 'cold'})
        self.assertEqual(202, resp.status_int, resp.text)
        self.preflight1 = resp.json['preflights'][0]
        resp = self.request('other', 'post', '/v1/preflights',
                            {'vm_ids': [pvm2.uuid], 'mode': 'cold'})
        self.assertEqual(202, resp.status_int, resp.text)

    # --- fresh resources for requests that change or remove them ---

    def fresh_source(self):
        return '/v1/sources/%s' % self.make_source()['uuid']

    def fresh_job(self, state, **values):
        vm = self.make_vm(self.s1_quiet['uuid'])
        return '/v1/jobs/%s' % self.make_job(vm, state=state,
                                             **values)['uuid']

    def fresh_vm(self):
        return self.make_vm(self.s1_quiet['uuid']).uuid

    def rows(self):
        """(method, path or factory, body or factory, expected codes in
        :data:`ORDER`, listed collection or None)."""
        s1 = '/v1/sources/%s' % self.s1['uuid']
        job1 = '/v1/jobs/%s' % self.job1['uuid']
        return [
            ('get', '/v1/sources', None,
             (200, 200, 200, 200, 200, 401), 'sources'),
            ('post', '/v1/sources',
             lambda: {'name': 'new-%s' % self.fresh_vm()[:8], 'host': 'h',
                      'username': 'u', 'password': 'p'},
             (201, 201, 403, 403, 403, 401), None),
            ('get', s1, None, (200, 200, 200, 200, 404, 401), None),
            ('patch', s1, {'verify_tls': True},
             (200, 200, 403, 403, 404, 401), None),
            ('delete', self.fresh_source, None,
             (204, 204, 403, 403, 404, 401), None),
            ('put', lambda: self.fresh_source() + '/credential',
             {'password': 'N3w!'}, (200, 200, 403, 403, 404, 401), None),
            ('post', s1 + '/test', {},
             (200, 200, 200, 403, 404, 401), None),
            ('post', s1 + '/discover', {},
             (202, 202, 202, 403, 404, 401), None),
            ('get', '/v1/vms', None,
             (200, 200, 200, 200, 200, 401), 'vms'),
            ('get', '/v1/vms/%s' % self.vm1.uuid, None,
             (200, 200, 200, 200, 404, 401), None),
            ('post', '/v1/preflights',
             {'vm_ids': [self.pvm1.uuid], 'mode': 'warm'},
             (202, 202, 202, 403, 404, 401), None),
            ('get', '/v1/preflights', None,
             (200, 200, 200, 200, 200, 401), 'preflights'),
            ('get', '/v1/preflights/%s' % self.preflight1['uuid'], None,
             (200, 200, 200, 200, 404, 401), None),
            ('post', '/v1/jobs',
             lambda: {'vm_ids': [self.fresh_vm()], 'type': 'cold'},
             (201, 201, 201, 403, 404, 401), None),
            ('get', '/v1/jobs', None,
             (200, 200, 200, 200, 200, 401), 'jobs'),
            ('get', job1, None, (200, 200, 200, 200, 404, 401), None),
            ('post', lambda: self.fresh_job('ready') + '/sync', {},
             (202, 202, 202, 403, 404, 401), None),
            ('post', lambda: self.fresh_job(
                'ready', incremental_syncs=1) + '/cutover', {},
             (202, 202, 202, 403, 404, 401), None),
            ('post', lambda: self.fresh_job('queued') + '/cancel', {},
             (202, 202, 202, 403, 404, 401), None),
            ('post', lambda: self.fresh_job('failed') + '/retry', {},
             (202, 202, 202, 403, 404, 401), None),
            ('delete', lambda: self.fresh_job('completed'), None,
             (202, 202, 202, 403, 404, 401), None),
            ('get', job1 + '/events', None,
             (200, 200, 200, 200, 404, 401), 'events'),
            ('get', '/v1/events', None,
             (200, 200, 200, 200, 200, 401), 'events'),
            ('get', '/v1/workers', None,
             (200, 403, 403, 403, 403, 401), None),
        ]

    def _check_isolation(self, persona, collection, items):
        if persona == 'admin':
            return
        project = self.project[persona]
        for item in items:
            self.assertEqual(project, item['project_id'],
                             '%s saw %s' % (persona, item))

    @staticmethod
    def _row_name(method, path):
        return '%s %s' % (method.upper(), UUID.sub('{id}', path))

    def _run(self, persona, seen):
        """Every row for ``persona``: unexpected answers, as messages."""
        expected_of = ORDER.index(persona)
        failures = []
        for index, (method, path, body, codes, collection) in enumerate(
                self.rows()):
            path = path() if callable(path) else path
            body = body() if callable(body) else body
            resp = self.request(persona, method, path, body)
            want = codes[expected_of]
            name, answers = seen.setdefault(
                index, (self._row_name(method, path), {}))
            answers[persona] = (resp.status_int, want)
            if resp.status_int != want:
                failures.append('%s %s %s: %d (wanted %d) %s' % (
                    persona, method.upper(), path, resp.status_int, want,
                    resp.text[:200]))
                continue
            if resp.status_int >= 400:
                self.assertIn('error', resp.json)
                self.assertIn('field', resp.json['error'])
            elif collection:
                self._check_isolation(persona, collection,
                                      resp.json[collection])
        return failures

    @staticmethod
    def _table(seen):
        width = max(len(name) for name, _a in seen.values())
        lines = ['%-*s  %s' % (width, 'endpoint', '  '.join(
            '%-9s' % p for p in ORDER))]
        for name, answers in seen.values():
            cells = []
            for persona in ORDER:
                got, want = answers[persona]
                cells.append('%-9s' % ('%d' % got if got == want
                                       else '%d!=%d' % (got, want)))
            lines.append('%-*s  %s' % (width, name, '  '.join(cells)))
        return '\n'.join(lines)

    def test_matrix(self):
        """Every endpoint x every persona: 0 unexpected answers."""
        seen, failures = {}, []
        for persona in ORDER:
            failures += self._run(persona, seen)
        answers = sum(len(a) for _n, a in seen.values())
        self.print_figures('rbac-matrix', '%s\n%d endpoints x %d personas '
                           '= %d answers, %d unexpected' % (
                               self._table(seen), len(seen), len(ORDER),
                               answers, len(failures)))
        self.assertEqual(len(seen) * len(ORDER), answers)
        self.assertEqual([], failures)
        # The cloud admin sees every project.
        listed = self.request('admin', 'get', '/v1/sources').json
        self.assertIn(self.s2['uuid'],
                      [s['uuid'] for s in listed['sources']])

    def test_admin_of_one_project_is_not_cloud_admin(self):
        persona = 'admin-p2'  # role admin on p2, token scoped to p2
        listed = self.request(persona, 'get', '/v1/sources').json
        self.assertEqual({self.project_of_p2},
                         {s['project_id'] for s in listed['sources']})
        self.assertEqual(404, self.request(
            persona, 'get', '/v1/sources/%s' % self.s1['uuid']).status_int)
        self.assertEqual(403, self.request(persona, 'get',
                                           '/v1/workers').status_int)

    def test_system_scoped_cloud_admin(self):
        self.tokens['system-admin'] = self.keystone.token('admin', None)
        listed = self.request('system-admin', 'get', '/v1/sources').json
        self.assertTrue({self.s1['uuid'], self.s2['uuid']}
                        <= {s['uuid'] for s in listed['sources']})
        self.assertEqual(200, self.request('system-admin', 'get',
                                           '/v1/workers').status_int)
        # Creating needs a project to own the source.
        resp = self.request('system-admin', 'post', '/v1/sources', {
            'name': 'sys', 'host': 'h', 'username': 'u', 'password': 'p'})
        self.assertEqual(403, resp.status_int, resp.text)

    def test_other_project_member_sees_nothing_of_p1(self):
        p1 = {self.s1['uuid'], self.vm1.uuid, self.job1['uuid'],
              self.preflight1['uuid']}
        for collection in ('sources', 'vms', 'jobs', 'preflights'):
            items = self.request('other', 'get',
                                 '/v1/%s' % collection).json[collection]
            self.assertEqual(set(), p1 & {i['uuid'] for i in items})
            self.assertTrue(items, collection)
        events = self.request('other', 'get', '/v1/events').json['events']
        self.assertNotIn(self.job1['uuid'], [e['job_id'] for e in events])

    def test_anonymous_reaches_discovery_only(self):
        # Version discovery and the API description stay public.
        for path in ('/', '/v1', '/v1/openapi.json'):
            self.assertEqual(200, self.request('anonymous', 'get',
                                               path).status_int)

    def test_jobs_carry_trusts(self):
        row = db_api.job_get(self.admin_context(), self.job1['uuid'])
        self.assertTrue(row.trust_id)

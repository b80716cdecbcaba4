"""Keystone trusts of jobs, against a real Keystone.

A job created through the API carries a trust from the submitting user
to the XMS service user on the job's project; the service user can act
in that project with it after the fact, and deleting the job deletes the
trust.
"""

import time

from keystoneauth1 import exceptions as ks_exc

from xms.common import exception
from xms.common import keystone
from xms.db import api as db_api
from xms.tests.functional.api import base

WAIT = 60


class TestJobTrusts(base.KeystoneAPITestCase):

    def setUp(self):
        super().setUp()
        source = self.make_source()
        self.vm = self.make_vm(source['uuid'])

    def _wait_deleted(self, job_uuid):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                db_api.job_get(self.admin_context(), job_uuid)
            except exception.JobNotFound:
                return
            time.sleep(0.2)
        self.fail('job %s was not deleted' % job_uuid)

    def test_trust_created_usable_and_deleted(self):
        job = self.make_job(self.vm, persona='member')
        row = db_api.job_get(self.admin_context(), job['uuid'])
        self.assertTrue(row.trust_id)
        p1 = self.keystone.projects['p1']

        sess = keystone.trust_session(row.trust_id)
        # Impersonation: the service user acts as the user, in the
        # job's project, with the delegated role.
        self.assertEqual(p1, sess.get_project_id())
        self.assertEqual(self.keystone.users['member1'], sess.get_user_id())
        access = sess.auth.get_access(sess)
        self.assertIn('member', access.role_names)
        self.assertEqual(row.trust_id, access.trust_id)
        project = sess.get('%s/projects/%s' % (self.keystone.url, p1))
        self.assertEqual(p1, project.json()['project']['id'])

        # The trust names the service user as trustee.
        trust = self.keystone.session('xms', 'service').get(
            '%s/OS-TRUST/trusts/%s' % (self.keystone.url, row.trust_id)
        ).json()['trust']
        self.assertEqual(self.keystone.users['xms'],
                         trust['trustee_user_id'])
        self.assertEqual(self.keystone.users['member1'],
                         trust['trustor_user_id'])

        # Completed: the flow that held the job ended.
        db_api.job_update(self.admin_context(), row.id,
                          {'state': 'completed', 'active_flow': None})
        resp = self.request('member', 'delete', '/v1/jobs/%s' % job['uuid'])
        self.assertEqual(202, resp.status_int, resp.text)
        self._wait_deleted(job['uuid'])
        self.assertRaises((ks_exc.Unauthorized, ks_exc.NotFound),
                          keystone.trust_session(row.trust_id).get_token)

    def test_each_job_of_a_wave_has_its_trust(self):
        # Submitted in the same second: Keystone refuses identical trusts,
        # so each needs its own expiry.
        source = db_api.source_get(self.admin_context(), self.vm.source_id)
        vms = [self.vm] + [self.make_vm(source.uuid) for _ in range(4)]
        resp = self.request('member', 'post', '/v1/jobs',
                            {'vm_ids': [vm.uuid for vm in vms],
                             'type': 'cold'})
        self.assertEqual(201, resp.status_int, resp.text)
        trusts = {db_api.job_get(self.admin_context(), j['uuid']).trust_id
                  for j in resp.json['jobs']}
        self.assertEqual(5, len(trusts))
        self.assertNotIn(None, trusts)

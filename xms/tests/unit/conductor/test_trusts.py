"""Trusts of finished jobs are revoked; others are kept."""

from xms.common import states
from xms.conductor import trusts
from xms.db import api as db_api
from xms.tests.unit.api import base


class FakeKeystone:

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.deleted = []

    def delete_trust(self, context, trust_id):
        if trust_id in self.refuse:
            return False
        self.deleted.append(trust_id)
        return True


class TestRevokeFinished(base.APITestCase):

    def _job(self, state, trust_id):
        vm = self.make_vm(self.source['uuid'], name='vm-%s' % trust_id)
        return db_api.job_create(self.admin_context(), {
            'project_id': 'p1', 'source_id': self.source_row.id,
            'vm_id': vm.id, 'type': states.WARM, 'state': state,
            'trust_id': trust_id})

    def setUp(self):
        super().setUp()
        self.source = self.make_source()
        self.source_row = db_api.source_get(self.admin_context(),
                                            self.source['uuid'])

    def test_only_completed_and_cancelled_jobs_lose_their_trust(self):
        jobs = {state: self._job(state, 't-%s' % state)
                for state in (states.COMPLETED, states.CANCELLED,
                              states.FAILED, states.READY,
                              states.QUEUED)}
        keystone = FakeKeystone()
        self.assertEqual(2, trusts.revoke_finished(self.admin_context(),
                                                   keystone))
        self.assertEqual({'t-completed', 't-cancelled'},
                         set(keystone.deleted))
        for state, job in jobs.items():
            trust = db_api.job_get(self.admin_context(), job.id).trust_id
            if state in (states.COMPLETED, states.CANCELLED):
                self.assertIsNone(trust)
            else:
                self.assertEqual('t-%s' % state, trust)
        # A second pass finds nothing left to revoke.
        self.assertEqual(0, trusts.revoke_finished(self.admin_context(),
                                                   keystone))

    def test_refused_revocation_is_retried_later(self):
        job = self._job(states.COMPLETED, 't1')
        self.assertEqual(0, trusts.revoke_finished(
            self.admin_context(), FakeKeystone(refuse={'t1'})))
        self.assertEqual('t1', db_api.job_get(self.admin_context(),
                                              job.id).trust_id)
        self.assertEqual(1, trusts.revoke_finished(self.admin_context(),
                                                   FakeKeystone()))

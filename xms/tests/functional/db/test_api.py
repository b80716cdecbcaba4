"""The DB API on MariaDB: scoping, conditional updates, ordering."""

import threading

from xms.common import context
from xms.common import exception
from xms.db import api as db_api
from xms.tests.functional import base


def _ctx(project, admin=False):
    return context.RequestContext(project_id=project, user_id='u',
                                  is_admin=admin,
                                  roles=['admin'] if admin else ['member'])


class TestDBAPI(base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.ctx = _ctx('p1')
        self.source = db_api.source_create(self.ctx, {
            'project_id': 'p1', 'name': 'vc1', 'host': 'vc.example',
            'username': 'u', 'password_encrypted': 'ciphertext'})
        self.vm = self._vm('vm-1')

    def _vm(self, moref):
        from xms.db import models

        @db_api.main_context_manager.writer
        def create(ctx):
            vm = models.Vm(uuid=db_api.new_uuid(), source_id=self.source.id,
                           project_id='p1', moref=moref, name=moref)
            ctx.session.add(vm)
            return vm
        return create(_ctx('p1', admin=True))

    def _job(self, job_type='warm'):
        return db_api.job_create(self.ctx, {
            'project_id': 'p1', 'source_id': self.source.id,
            'vm_id': self.vm.id, 'type': job_type},
            disks=[{'device_key': 2000, 'capacity_bytes': 1 << 20}])

    def test_other_project_sees_not_found(self):
        other = _ctx('p2')
        self.assertRaises(exception.SourceNotFound, db_api.source_get,
                          other, self.source.uuid)
        self.assertEqual([], db_api.source_list(other))
        job = self._job()
        self.assertRaises(exception.JobNotFound, db_api.job_get, other,
                          job.uuid)
        admin = _ctx('p2', admin=True)
        self.assertEqual(job.uuid, db_api.job_get(admin, job.uuid).uuid)

    def test_duplicate_source_name_is_a_conflict(self):
        exc = self.assertRaises(exception.SourceAlreadyExists,
                                db_api.source_create, self.ctx,
                                {'project_id': 'p1', 'name': 'vc1',
                                 'host': 'h', 'username': 'u',
                                 'password_encrypted': 'c'})
        self.assertEqual(409, exc.code)

    def test_source_in_use_cannot_be_deleted(self):
        job = self._job()
        self.assertRaises(exception.SourceInUse, db_api.source_delete,
                          self.ctx, self.source.uuid)
        db_api.job_set_state(self.ctx, job, 'cancelled')
        db_api.source_delete(self.ctx, self.source.uuid)
        self.assertRaises(exception.SourceNotFound, db_api.source_get,
                          self.ctx, self.source.uuid)

    def test_job_disks_created_with_job(self):
        job = db_api.job_get(self.ctx, self._job().uuid)
        self.assertEqual([2000], [d.device_key for d in job.disks])

    def test_state_change_follows_the_state_machine(self):
        job = self._job('cold')
        self.assertRaises(exception.InvalidStateTransition,
                          db_api.job_set_state, self.ctx, job, 'ready')
        job = db_api.job_set_state(self.ctx, job, 'running', phase='export')
        self.assertEqual(('running', 'export'), (job.state, job.phase))
        job = db_api.job_set_state(self.ctx, job, 'completed')
        self.assertIsNotNone(job.finished_at)

    def test_only_one_of_racing_state_changes_wins(self):
        job = self._job()
        results = []
        barrier = threading.Barrier(8)

        def move():
            barrier.wait()
            try:
                db_api.job_set_state(self.ctx, job, 'running',
                                     phase='initializing')
                results.append('won')
            except exception.ConcurrentUpdate:
                results.append('lost')

        threads = [threading.Thread(target=move) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(1, results.count('won'))
        self.assertEqual(7, results.count('lost'))

    def test_only_finished_jobs_are_deleted(self):
        job = self._job()
        self.assertRaises(exception.ActionNotAllowed, db_api.job_delete,
                          self.ctx, job.uuid)
        db_api.job_set_state(self.ctx, job, 'cancelled')
        db_api.job_delete(self.ctx, job.uuid)
        self.assertRaises(exception.JobNotFound, db_api.job_get, self.ctx,
                          job.uuid)

    def test_events_newest_first_and_paginated(self):
        job = self._job()
        for i in range(5):
            db_api.event_create(self.ctx, {
                'project_id': 'p1', 'job_id': job.id,
                'resource_type': 'job', 'resource_uuid': job.uuid,
                'event_type': 'state', 'message': 'm%d' % i})
        events = db_api.event_list(self.ctx, job_id=job.id)
        self.assertEqual(['m4', 'm3', 'm2', 'm1', 'm0'],
                         [e.message for e in events])
        page = db_api.event_list(self.ctx, job_id=job.id, limit=2,
                                 marker=events[1].uuid)
        self.assertEqual(['m2', 'm1'], [e.message for e in page])
        self.assertEqual([], db_api.event_list(_ctx('p2'), job_id=job.id))

    def test_worker_registration_and_heartbeat(self):
        admin = context.get_admin_context()
        row = db_api.worker_register(admin, 'h1', 'xms-worker', slots=4)
        self.assertEqual(4, row.slots)
        db_api.worker_heartbeat(admin, 'h1', 'xms-worker', running=2)
        (row,) = db_api.worker_list(admin, binary='xms-worker')
        self.assertEqual(2, row.running)
        self.assertTrue(db_api.worker_is_alive(row, 60))
        db_api.worker_stopped(admin, 'h1', 'xms-worker')
        (row,) = db_api.worker_list(admin)
        self.assertFalse(db_api.worker_is_alive(row, 60))
        self.assertRaises(exception.WorkerNotFound, db_api.worker_heartbeat,
                          admin, 'nope', 'xms-worker')

"""Claim epochs: a flow's writes commit only while its epoch is the job's."""

from xms.common import context
from xms.common import exception
from xms.common import fencing
from xms.common import states
from xms.db import api as db_api
from xms.tests import base


class TestConditionalWrites(base.TestCase):

    def setUp(self):
        super().setUp()
        self.use_memory_database()
        self.ctx = context.get_admin_context()
        self.job = db_api.job_create(
            self.ctx, {'project_id': 'p1', 'type': 'warm',
                       'state': states.RUNNING,
                       'phase': states.FULL_SYNC},
            [{'device_key': 2000, 'capacity_bytes': 1024}])
        self.addCleanup(fencing.release, self.job.id, None)
        self.addCleanup(fencing.release, self.job.id, 1)
        self.addCleanup(fencing.release, self.job.id, 2)

    def claim(self):
        epoch = db_api.job_claim_flow(self.ctx, self.job.id,
                                      {'worker_host': 'w'}).flow_epoch
        fencing.hold(self.job.id, epoch)
        return epoch

    def test_each_claim_is_a_new_epoch(self):
        self.assertEqual(0, db_api.job_get(self.ctx, self.job.id).flow_epoch)
        self.assertEqual(1, self.claim())
        self.assertEqual(2, self.claim())
        self.assertEqual(2, db_api.job_flow_claim(self.ctx, self.job.id)[0])

    def test_owner_writes_commit(self):
        self.claim()
        ctx = fencing.context_for(self.job.id)
        db_api.job_update(ctx, self.job.id, {'phase': states.FULL_SYNC},
                          expected={'state': states.RUNNING})
        db_api.job_disk_update(ctx, self.job.id, 2000,
                               {'checkpoint': {'next_chunk': 3}})
        db_api.job_progress_update(ctx, self.job.id, {2000: {
            'bytes_done': 10, 'bytes_total': 1024, 'rate_bps': 1}})
        sync = db_api.sync_create(ctx, {'job_id': self.job.id,
                                        'kind': 'full'})
        db_api.sync_update(ctx, sync.id, {'status': 'completed'})
        row = db_api.job_get(self.ctx, self.job.id)
        self.assertEqual({'next_chunk': 3}, row.disks[0].checkpoint)
        self.assertEqual(10, row.bytes_done)
        self.assertIsNone(fencing.fenced(self.job.id))

    def _assert_refused(self, write):
        exc = self.assertRaises(exception.FencedOut, write)
        self.assertIn('epoch 1', str(exc))
        self.assertIn('epoch 2', str(exc))

    def test_a_taken_over_flow_cannot_write(self):
        mine = self.claim()
        stale = fencing.context_for(self.job.id)
        # Another worker claims the flow (its epoch is in the database;
        # this process still holds the old one).
        db_api.job_claim_flow(self.ctx, self.job.id, {'worker_host': 'w2'})
        db_api.job_disk_update(self.ctx, self.job.id, 2000,
                               {'checkpoint': {'next_chunk': 7}})
        sync = db_api.sync_create(self.ctx, {'job_id': self.job.id,
                                             'kind': 'full'})
        writes = [
            lambda: db_api.job_update(stale, self.job.id,
                                      {'phase': states.INCREMENTAL_SYNC}),
            lambda: db_api.job_set_state(
                stale, db_api.job_get(self.ctx, self.job.id),
                states.FAILED, error='x'),
            lambda: db_api.job_disk_update(
                stale, self.job.id, 2000, {'checkpoint': {'next_chunk': 3}}),
            lambda: db_api.job_progress_update(stale, self.job.id, {2000: {
                'bytes_done': 1, 'bytes_total': 1024, 'rate_bps': 1}}),
            lambda: db_api.sync_create(stale, {'job_id': self.job.id,
                                               'kind': 'full'}),
            lambda: db_api.sync_update(stale, sync.id,
                                       {'status': 'failed'}),
            lambda: db_api.snapshot_create(stale, {
                'job_id': self.job.id, 'vm_moref': 'vm-1', 'name': 's',
                'purpose': 'sync'}),
        ]
        for write in writes:
            self._assert_refused(write)
        row = db_api.job_get(self.ctx, self.job.id)
        # Nothing of the stale owner committed.
        self.assertEqual({'next_chunk': 7}, row.disks[0].checkpoint)
        self.assertEqual((states.RUNNING, states.FULL_SYNC, 'w2'),
                         (row.state, row.phase, row.worker_host))
        self.assertEqual([], db_api.snapshot_list(self.ctx, filters={
            'job_id': self.job.id}))
        self.assertEqual((mine, 2), fencing.fenced(self.job.id))
        self.assertEqual((mine, 2), fencing.release(self.job.id, mine))
        self.assertIsNone(fencing.fenced(self.job.id))

    def test_unfenced_contexts_are_not_checked(self):
        # The conductor and the API write without a claim.
        self.claim()
        db_api.job_claim_flow(self.ctx, self.job.id)
        db_api.job_update(self.ctx, self.job.id, {'phase': states.FULL_SYNC})
        self.assertIsNone(context.get_admin_context().fence)


class TestOneStateCheck(base.TestCase):

    def setUp(self):
        super().setUp()
        self.use_memory_database()
        self.ctx = context.get_admin_context()

    def test_conditional_state_change_checks_the_state_machine(self):
        job = db_api.job_create(self.ctx, {'project_id': 'p1',
                                           'type': 'cold',
                                           'state': states.COMPLETED})
        self.assertRaises(exception.InvalidStateTransition,
                          db_api.job_update, self.ctx, job.id,
                          {'state': states.RUNNING},
                          expected={'state': states.COMPLETED})
        self.assertRaises(exception.InvalidStateTransition,
                          db_api.job_set_state, self.ctx, job,
                          states.QUEUED)

    def test_every_expected_source_state_must_allow_it(self):
        job = db_api.job_create(self.ctx, {'project_id': 'p1',
                                           'type': 'warm',
                                           'state': states.READY})
        self.assertRaises(exception.InvalidStateTransition,
                          db_api.job_update, self.ctx, job.id,
                          {'state': states.SYNCING},
                          expected={'state': (states.READY,
                                              states.COMPLETED)})
        db_api.job_update(self.ctx, job.id, {'state': states.SYNCING},
                          expected={'state': (states.READY,)})


class _Conn:
    def __init__(self):
        self.written = []

    def update_atom_details(self, ad):
        self.written.append(ad)

    def get_logbook(self, uuid):
        return uuid


class _Backend:
    def __init__(self):
        self.conn = _Conn()

    def get_connection(self):
        return self.conn


class TestFencedPersistence(base.TestCase):
    """TaskFlow's writes for a fenced flow are refused, reads are not."""

    def setUp(self):
        super().setUp()
        self.use_memory_database()
        self.ctx = context.get_admin_context()
        self.job = db_api.job_create(self.ctx, {
            'project_id': 'p1', 'type': 'cold', 'state': states.RUNNING,
            'phase': states.EXPORT})
        self.addCleanup(fencing.release, self.job.id, None)
        self.addCleanup(fencing.release, self.job.id, 1)
        self.addCleanup(fencing.release, self.job.id, 2)
        self.addCleanup(fencing.set_current, None)
        from xms.flows import engine as flow_engine
        self.backend = _Backend()
        self.fenced = flow_engine.FencedBackend(self.backend)

    def test_owner_writes_and_stale_owner_is_refused(self):
        epoch = db_api.job_claim_flow(self.ctx, self.job.id).flow_epoch
        db_api.job_update(self.ctx, self.job.id,
                          {'flow_detail_uuid': 'fd-a'})
        fencing.hold(self.job.id, epoch)
        fencing.set_current(self.job.id, epoch, 'fd-a')
        conn = self.fenced.get_connection()
        conn.update_atom_details('a1')
        db_api.job_claim_flow(self.ctx, self.job.id)
        self.assertEqual('book', conn.get_logbook('book'))
        self.assertRaises(exception.FencedOut, conn.update_atom_details,
                          'a2')
        self.assertEqual(['a1'], self.backend.conn.written)
        self.assertEqual((epoch, epoch + 1), fencing.fenced(self.job.id))

    def test_a_flow_without_an_epoch_cannot_write(self):
        fencing.set_current(self.job.id, None, 'fd-a')
        self.assertRaises(exception.FencedOut,
                          self.fenced.get_connection().update_atom_details,
                          'a1')

    def test_threads_without_a_flow_are_not_checked(self):
        self.fenced.get_connection().update_atom_details('a1')
        self.assertEqual(['a1'], self.backend.conn.written)

    def test_a_flow_whose_job_moved_on_keeps_its_own_records(self):
        # A cancelled flow posted its cleanup flow, which another slot
        # claimed: the first flow's last records are its own.
        epoch = db_api.job_claim_flow(self.ctx, self.job.id).flow_epoch
        fencing.hold(self.job.id, epoch)
        fencing.set_current(self.job.id, epoch, 'fd-a')
        db_api.job_update(self.ctx, self.job.id,
                          {'flow_detail_uuid': 'fd-cleanup'})
        later = db_api.job_claim_flow(self.ctx, self.job.id).flow_epoch
        fencing.hold(self.job.id, later)
        self.fenced.get_connection().update_atom_details('a1')
        self.assertEqual(['a1'], self.backend.conn.written)
        # The end of the first run leaves the second one's claim alone.
        self.assertIsNone(fencing.release(self.job.id, epoch))
        self.assertEqual(later, fencing.epoch_of(self.job.id))

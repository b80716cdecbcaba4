"""Choice of the allocation map of a full copy."""

from unittest import mock

from xms.sources import exception as source_exc
from xms.tests import base
from xms.transport import extents
from xms.worker.tasks import transport

MiB = 1024 * 1024


class FakeReader:

    def __init__(self, allocation):
        self.allocation = allocation
        self.has_allocation = allocation is not None

    def extents(self):
        return iter(self.allocation)


class FullPlanAllocationTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = mock.Mock()
        self.driver.query_changed_areas.return_value = [(MiB, MiB)]
        patcher = mock.patch.object(
            transport.source_tasks, 'source_of',
            return_value=(self.driver, mock.Mock(), 'vm-1'))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.job = mock.Mock(uuid='job-1')
        self.disk = mock.Mock(device_key=2000, last_change_id=None)
        self.task = transport.CopyDisks('full', 'full')
        self.snapshot = {'moref': 'snapshot-1'}

    def plan(self, reader):
        with mock.patch.object(transport.base, 'job_context'):
            return self.task._full_plan(self.job, self.disk, reader,
                                        8 * MiB, self.snapshot)

    def test_server_without_holes_asks_cbt(self):
        # nbdkit's curl plugin answers "all data" for the whole disk.
        plan = self.plan(FakeReader([extents.Extent(0, 8 * MiB, False)]))
        self.assertEqual(MiB, plan.copy_bytes)
        args = self.driver.query_changed_areas.call_args[0]
        self.assertEqual(('snapshot-1', 2000, '*'), args[3:])

    def test_server_map_with_holes_is_used_as_is(self):
        plan = self.plan(FakeReader([extents.Extent(0, 2 * MiB, False),
                                     extents.Extent(2 * MiB, 6 * MiB,
                                                    True)]))
        self.assertEqual(2 * MiB, plan.copy_bytes)
        self.driver.query_changed_areas.assert_not_called()

    def test_cbt_unavailable_reads_everything(self):
        self.driver.query_changed_areas.side_effect = (
            source_exc.CBTNotAvailable(vm='vm-1', reason='off'))
        plan = self.plan(FakeReader([extents.Extent(0, 8 * MiB, False)]))
        self.assertEqual(8 * MiB, plan.copy_bytes)

    def test_option_off_reads_everything(self):
        self.config(cbt_allocation_map=False, group='transport')
        plan = self.plan(FakeReader(None))
        self.assertEqual(8 * MiB, plan.copy_bytes)
        self.driver.query_changed_areas.assert_not_called()

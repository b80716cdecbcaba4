"""Flow factories: stable names, stable tasks, a store of IDs only."""

from oslo_utils import importutils

from xms.flows import names as flows
from xms.tests import base
from xms.worker.tasks import job as job_tasks


class TestFactories(base.TestCase):

    def test_every_flow_name_has_a_factory(self):
        for name, path in flows.FACTORIES.items():
            flow = importutils.import_class(path)()
            self.assertEqual(name, flow.name)

    def test_flows_open_with_the_failing_task_and_need_only_job_id(self):
        for path in flows.FACTORIES.values():
            flow = importutils.import_class(path)()
            first = next(iter(flow))
            self.assertIsInstance(first, (job_tasks.StartFlow,
                                          job_tasks.StartCleanup))
            # Everything else a task needs is provided inside the flow.
            self.assertEqual({'job_id'}, set(flow.requires))

    def test_task_names_are_unique_per_flow(self):
        for path in flows.FACTORIES.values():
            names = [t.name for t in importutils.import_class(path)()]
            self.assertEqual(len(names), len(set(names)), path)

    def test_cutover_copies_after_power_off(self):
        names = [t.name for t in importutils.import_class(
            flows.FACTORIES['cutover'])()]
        self.assertLess(names.index('PowerOffSource'),
                        names.index('CreateSnapshot-final'))
        self.assertLess(names.index('CopyDisks-final'),
                        names.index('VerifyDisks-final'))
        self.assertLess(names.index('VerifyDisks-final'),
                        names.index('CreateInstance'))

    def test_ports_then_instance_and_inspection_after_conversion(self):
        for name in ('cold', 'cutover'):
            names = [t.name for t in importutils.import_class(
                flows.FACTORIES[name])()]
            self.assertEqual(names.index('CreatePorts') + 1,
                             names.index('CreateInstance'), name)
            self.assertEqual(names.index('ConvertGuest') + 1,
                             names.index('InspectConvertedGuest'), name)
            self.assertLess(names.index('InspectConvertedGuest'),
                            names.index('FinalizeVolumes'), name)

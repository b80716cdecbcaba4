from unittest import mock

from xms.common import context
from xms.targets import inspector
from xms.tests import base as test_base

GiB = 1024 ** 3


class ProblemsTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.insp = inspector.OpenStackInspector()
        self.ctx = context.RequestContext(trust_id='t', project_id='p')
        for name, value in (
                ('networks', [{'id': 'n1', 'name': 'prod'}]),
                ('flavors', [{'id': 'f1', 'name': 'small', 'vcpus': 1,
                              'ram': 1024, 'disk': 1}]),
                ('quotas', {'gigabytes': {'limit': 10, 'in_use': 9,
                                          'reserved': 0},
                            'volumes': {'limit': -1, 'in_use': 0,
                                        'reserved': 0}})):
            patcher = mock.patch.object(self.insp, name, return_value=value)
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_ready(self):
        self.assertEqual([], self.insp.problems(
            self.ctx, {'network_mapping': [{'source_network': '*',
                                      'network_id': 'n1'}]},
            disks=[{'capacity_bytes': GiB}],
            nics=[{'device_key': 1}], cpus=1, memory_mb=512))

    def test_everything_wrong(self):
        problems = self.insp.problems(
            self.ctx, {'network_mapping': [{'source_network': '1',
                                      'network_id': 'ghost'}]},
            disks=[{'capacity_bytes': 2 * GiB}],
            nics=[{'device_key': 1}, {'device_key': 2}], cpus=4,
            memory_mb=512)
        self.assertEqual(4, len(problems), problems)
        self.assertIn('NIC 2 is not mapped', problems[0])
        self.assertIn('ghost does not exist', problems[1])
        self.assertIn('No flavor fits 4 vCPU', problems[2])
        self.assertIn('Quota gigabytes', problems[3])

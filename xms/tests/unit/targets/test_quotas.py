from xms.targets import quotas
from xms.tests import base as test_base

ABSOLUTE = {'maxTotalVolumes': 10, 'totalVolumesUsed': 9,
            'maxTotalVolumeGigabytes': -1, 'totalGigabytesUsed': 500,
            'maxTotalInstances': 5, 'totalInstancesUsed': 1}


class QuotasTest(test_base.TestCase):

    def test_usage(self):
        usage = quotas.usage(ABSOLUTE, quotas.CINDER_LIMITS)
        self.assertEqual({'limit': 10, 'in_use': 9, 'reserved': 0},
                         usage['volumes'])
        self.assertEqual(-1, usage['gigabytes']['limit'])

    def test_shortfalls(self):
        usage = quotas.usage(ABSOLUTE, quotas.CINDER_LIMITS)
        self.assertEqual([], quotas.shortfalls(usage, {'volumes': 1,
                                                       'gigabytes': 10 ** 6},
                                               'p'))
        errors = quotas.shortfalls(usage, {'volumes': 3}, 'p')
        self.assertEqual(1, len(errors))
        self.assertIn('Quota volumes of project p', str(errors[0]))
        self.assertIn('3 more needed, 1 free', str(errors[0]))

    def test_unknown_resource_is_ignored(self):
        self.assertEqual([], quotas.shortfalls({}, {'cores': 4}, 'p'))

from xms.targets import base
from xms.targets import flavors
from xms.tests import base as test_base

FLAVORS = [
    {'id': '1', 'name': 'm1.tiny', 'vcpus': 1, 'ram': 512, 'disk': 1},
    {'id': '2', 'name': 'm1.small', 'vcpus': 1, 'ram': 2048, 'disk': 20},
    {'id': '3', 'name': 'm1.medium', 'vcpus': 2, 'ram': 4096, 'disk': 40},
    {'id': '4', 'name': 'c1.medium', 'vcpus': 4, 'ram': 4096, 'disk': 40},
    {'id': '5', 'name': 'm1.large', 'vcpus': 4, 'ram': 8192, 'disk': 80},
]


class BestFlavorTest(test_base.TestCase):

    def test_smallest_that_fits(self):
        chosen = flavors.best_flavor(FLAVORS, 2, 3000)
        self.assertEqual('m1.medium', chosen['name'])
        self.assertIn('smallest of 3 fitting', chosen['reason'])

    def test_exact_fit(self):
        self.assertEqual('m1.tiny',
                         flavors.best_flavor(FLAVORS, 1, 512)['name'])

    def test_ram_before_cpus(self):
        # 4 vCPU / 4 GiB beats 4 vCPU / 8 GiB.
        self.assertEqual('c1.medium',
                         flavors.best_flavor(FLAVORS, 3, 1024)['name'])

    def test_none_fits(self):
        exc = self.assertRaises(base.FlavorNotFound, flavors.best_flavor,
                                FLAVORS, 8, 1024)
        self.assertIn('largest: m1.large', str(exc))

    def test_no_flavor_at_all(self):
        exc = self.assertRaises(base.FlavorNotFound, flavors.best_flavor,
                                [], 1, 1)
        self.assertIn('no flavor', str(exc))

    def test_input_not_mutated(self):
        flavors.best_flavor(FLAVORS, 1, 1)
        self.assertNotIn('reason', FLAVORS[0])

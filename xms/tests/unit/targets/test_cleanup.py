from unittest import mock

from xms.targets import cleanup
from xms.tests import base as test_base


class CleanupTest(test_base.TestCase):

    def _drivers(self):
        storage, attach, network, compute = (mock.Mock() for _ in range(4))
        compute.find_instance.return_value = 'srv-2'
        network.list_ports.return_value = ['p1', 'p3']
        storage.list_volumes.return_value = ['v2']
        return dict(storage=storage, attach=attach, network=network,
                    compute=compute)

    def test_recorded_and_discovered(self):
        d = self._drivers()
        result = cleanup.cleanup(None, {'id': 1},
                                 {'instance': 'srv-1', 'ports': ['p1', 'p2'],
                                  'volumes': ['v1']}, **d)
        self.assertEqual([], result['errors'])
        self.assertEqual({'srv-1', 'srv-2'}, {
            c.args[1] for c in d['compute'].delete_instance.call_args_list})
        d['network'].delete_ports.assert_called_once_with(
            None, ['p1', 'p2', 'p3'])
        self.assertEqual(['v1', 'v2'], result['deleted']['volumes'])
        self.assertEqual(2, d['attach'].detach.call_count)

    def test_errors_do_not_stop_cleanup(self):
        d = self._drivers()
        d['compute'].delete_instance.side_effect = RuntimeError('stuck')
        d['storage'].list_volumes.side_effect = RuntimeError('down')
        result = cleanup.cleanup(None, {'id': 1}, {'volumes': ['v1']}, **d)
        self.assertEqual(1, len(result['errors']))
        self.assertIn('stuck', result['errors'][0])
        self.assertEqual(['v1'], result['deleted']['volumes'])

    def test_keep_target(self):
        d = self._drivers()
        result = cleanup.cleanup(None, {'id': 1, 'keep_target': True}, **d)
        self.assertTrue(result['kept'])
        d['storage'].delete_volume.assert_not_called()

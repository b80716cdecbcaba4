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
        self.assertEqual([mock.call(None, [p]) for p in ('p1', 'p2', 'p3')],
                         d['network'].delete_ports.call_args_list)
        self.assertEqual(['v1', 'v2'], result['deleted']['volumes'])
        self.assertEqual(2, d['attach'].detach.call_count)

    def test_errors_do_not_stop_cleanup(self):
        d = self._drivers()
        d['compute'].delete_instance.side_effect = RuntimeError('stuck')
        d['storage'].list_volumes.side_effect = RuntimeError('down')
        result = cleanup.cleanup(None, {'id': 1}, {'volumes': ['v1']}, **d)
        # A failed lookup is an error too: it may hide resources.
        self.assertEqual(2, len(result['errors']))
        self.assertIn('stuck', result['errors'][0])
        self.assertIn('looking up volumes: down', result['errors'][1])
        self.assertEqual(['v1'], result['deleted']['volumes'])
        error = self.assertRaises(cleanup.CleanupIncomplete, cleanup.check,
                                  'job-1', result)
        self.assertIn('instance srv-2: stuck', str(error))

    def test_one_event_per_deleted_resource(self):
        d = self._drivers()
        events = []
        job = {'id': 1, 'target_resources': {'volumes': ['v1']},
               'disks': [{'volume_id': 'v3'}, {'volume_id': None}]}
        result = cleanup.cleanup(
            None, job, record=lambda t, m, **p: events.append((t, p)), **d)
        self.assertEqual(cleanup.check('job-1', result), result)
        self.assertEqual(['v1', 'v3', 'v2'], result['deleted']['volumes'])
        self.assertEqual(
            [('instance_deleted', {'instance': 'srv-2'}),
             ('port_deleted', {'port': 'p1'}),
             ('port_deleted', {'port': 'p3'}),
             ('volume_deleted', {'volume': 'v1'}),
             ('volume_deleted', {'volume': 'v3'}),
             ('volume_deleted', {'volume': 'v2'})], events)

    def test_keep_target(self):
        d = self._drivers()
        result = cleanup.cleanup(None, {'id': 1, 'keep_target': True}, **d)
        self.assertTrue(result['kept'])
        d['storage'].delete_volume.assert_not_called()

"""Target answers gathered in the API and replayed in the conductor."""

from xms.preflight import target
from xms.tests import base


class _Inspector(target.TargetInspector):

    def __init__(self):
        self.contexts = []

    def quotas(self, context, target_spec):
        self.contexts.append(context)
        return {'instances': {'limit': 10, 'in_use': 1, 'reserved': 0}}

    def networks(self, context, target_spec):
        raise RuntimeError('Neutron said 503')

    def flavors(self, context, target_spec):
        return [{'id': 'f1', 'name': 'm1', 'vcpus': 1, 'ram': 512,
                 'disk': 1}]


class TestGatherAndReplay(base.TestCase):

    def test_answers_and_errors_replay(self):
        inspector = _Inspector()
        facts = target.gather(inspector, 'user-ctx', {'project_id': 'p'})
        self.assertEqual(['user-ctx'], inspector.contexts)
        self.assertEqual({'error': 'Neutron said 503'}, facts['networks'])
        replay = target.RecordedInspector(facts)
        # The conductor's context (no token) is never used to ask again.
        self.assertEqual(10, replay.quotas(None, None)['instances']['limit'])
        self.assertEqual('m1', replay.flavors(None, None)[0]['name'])
        exc = self.assertRaises(target.TargetNotInspected,
                                replay.networks, None, None)
        self.assertIn('Neutron said 503', str(exc))

    def test_question_not_asked(self):
        exc = self.assertRaises(target.TargetNotInspected,
                                target.RecordedInspector({}).quotas,
                                None, None)
        self.assertIn('quotas', str(exc))

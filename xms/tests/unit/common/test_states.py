"""Exhaustive tests of the job state machine table."""

import itertools

from xms.common import exception
from xms.common import states
from xms.tests import base

# The complete expected transition relation, written out independently of
# the table under test so that any change to it is a deliberate one.
EXPECTED_TRANSITIONS = {
    ('queued', 'running'), ('queued', 'syncing'),
    ('queued', 'cutting_over'), ('queued', 'failed'),
    ('queued', 'cancelling'), ('queued', 'cancelled'),
    ('running', 'ready'), ('running', 'completed'), ('running', 'failed'),
    ('running', 'cancelling'),
    ('ready', 'syncing'), ('ready', 'cutting_over'), ('ready', 'failed'),
    ('ready', 'cancelling'),
    ('syncing', 'ready'), ('syncing', 'failed'), ('syncing', 'cancelling'),
    ('cutting_over', 'completed'), ('cutting_over', 'failed'),
    ('cutting_over', 'cancelling'),
    ('failed', 'queued'), ('failed', 'cancelling'),
    ('cancelling', 'cancelled'), ('cancelling', 'failed'),
}

# (action, type, state) -> allowed, for every combination.
ALLOWED_ACTIONS = {
    'sync': {('warm', 'ready')},
    'cutover': {('warm', 'ready')},
    'cancel': {(t, s) for t in ('cold', 'warm')
               for s in ('queued', 'running', 'ready', 'syncing',
                         'cutting_over', 'failed')
               if not (t == 'cold' and s in ('ready', 'syncing',
                                             'cutting_over'))},
    'retry': {('cold', 'failed'), ('warm', 'failed')},
    'delete': {(t, s) for t in ('cold', 'warm')
               for s in ('completed', 'failed', 'cancelled')},
}

COLD_STATES = ('queued', 'running', 'completed', 'failed', 'cancelling',
               'cancelled')


class TestTransitions(base.TestCase):

    def test_every_pair(self):
        for source, target in itertools.product(states.STATES, repeat=2):
            expected = (source, target) in EXPECTED_TRANSITIONS
            self.assertEqual(expected,
                             states.can_transition(source, target),
                             '%s -> %s' % (source, target))

    def test_check_transition_raises_conflict(self):
        exc = self.assertRaises(exception.InvalidStateTransition,
                                states.check_transition, 'j1', 'completed',
                                'running')
        self.assertEqual(409, exc.code)
        self.assertIn('completed', str(exc))
        self.assertIn('running', str(exc))

    def test_cold_jobs_never_enter_warm_states(self):
        for target in ('ready', 'syncing', 'cutting_over'):
            for source in states.STATES:
                self.assertRaises(exception.InvalidStateTransition,
                                  states.check_transition, 'j', source,
                                  target, 'cold')

    def test_warm_jobs_may_take_every_allowed_transition(self):
        for source, target in EXPECTED_TRANSITIONS:
            states.check_transition('j', source, target, 'warm')

    def test_terminal_states_have_no_exit(self):
        for state in ('completed', 'cancelled'):
            self.assertEqual(set(), states.TRANSITIONS[state])

    def test_every_state_is_in_the_table(self):
        self.assertEqual(set(states.STATES), set(states.TRANSITIONS))
        for targets in states.TRANSITIONS.values():
            self.assertLessEqual(targets, set(states.STATES))


class TestPhases(base.TestCase):

    def test_cold_phases_in_product_order(self):
        self.assertEqual(('export', 'inspect', 'write_volume',
                          'guest_fixes', 'finalize', 'boot_target'),
                         states.phases_for('cold', 'running'))

    def test_cutover_phases_take_final_delta_before_power_off(self):
        phases = states.phases_for('warm', 'cutting_over')
        self.assertEqual(('final_delta', 'power_off_source', 'guest_fixes',
                          'finalize', 'boot_target'), phases)

    def test_warm_initial_phases(self):
        self.assertEqual(('initializing', 'full_sync'),
                         states.phases_for('warm', 'running'))

    def test_cold_has_exactly_its_states(self):
        self.assertEqual(set(COLD_STATES), set(states.PHASES['cold']))
        self.assertEqual(set(states.STATES), set(states.PHASES['warm']))

    def test_unknown_state_for_type(self):
        self.assertRaises(exception.InvalidParameterValue,
                          states.phases_for, 'cold', 'syncing')
        self.assertRaises(exception.InvalidParameterValue,
                          states.phases_for, 'hot', 'queued')

    def test_failed_state_may_show_any_phase_of_its_type(self):
        self.assertEqual(set(states.COLD_PHASES) | {'deleting'},
                         set(states.phases_for('cold', 'failed')))
        warm = set(states.phases_for('warm', 'failed'))
        self.assertIn('full_sync', warm)
        self.assertIn('incremental_sync', warm)
        self.assertIn('final_delta', warm)

    def test_deleting_shows_on_the_states_delete_accepts(self):
        for job_type in states.JOB_TYPES:
            for state in states.STATES:
                shows = states.DELETING in states.PHASES[job_type].get(
                    state, ())
                deletable = states.refusal('delete', job_type,
                                           state) is None
                self.assertEqual(deletable and state != 'completed', shows,
                                 '%s %s' % (job_type, state))


class TestActions(base.TestCase):

    def test_every_action_type_state(self):
        for action in states.ACTIONS:
            for job_type in states.JOB_TYPES:
                reachable = states.PHASES[job_type]
                for state in states.STATES:
                    if state not in reachable:
                        continue
                    allowed = (job_type, state) in ALLOWED_ACTIONS[action]
                    reason = states.refusal(action, job_type, state,
                                            incremental_syncs=1)
                    self.assertEqual(allowed, reason is None,
                                     '%s %s %s: %s' % (action, job_type,
                                                       state, reason))

    def test_cutover_needs_an_incremental_sync(self):
        reason = states.refusal('cutover', 'warm', 'ready',
                                incremental_syncs=0)
        self.assertIn('incremental sync', reason)
        self.assertIsNone(states.refusal('cutover', 'warm', 'ready', 2))

    def test_check_action_message_names_action_state_and_reason(self):
        exc = self.assertRaises(exception.ActionNotAllowed,
                                states.check_action, 'sync', 'job-1', 'warm',
                                'syncing')
        self.assertEqual(409, exc.code)
        self.assertIn('sync', str(exc))
        self.assertIn('job-1', str(exc))
        self.assertIn('a sync is already running', str(exc))

    def test_cold_job_cannot_sync(self):
        reason = states.refusal('sync', 'cold', 'running')
        self.assertIn('only warm', reason)

    def test_unknown_action(self):
        self.assertIn('unknown action', states.refusal('explode', 'cold',
                                                       'queued'))

    def test_action_targets_are_allowed_transitions(self):
        for action in states.ACTIONS:
            target = states.action_target(action)
            if target is None:
                continue
            for _job_type, state in ALLOWED_ACTIONS[action]:
                self.assertTrue(states.can_transition(state, target),
                                '%s from %s' % (action, state))

    def test_allowed_actions(self):
        self.assertEqual(['sync', 'cutover', 'cancel'],
                         states.allowed_actions('warm', 'ready', 1))
        self.assertEqual(['sync', 'cancel'],
                         states.allowed_actions('warm', 'ready', 0))
        self.assertEqual(['cancel', 'retry', 'delete'],
                         states.allowed_actions('cold', 'failed'))
        self.assertEqual([], states.allowed_actions('warm', 'cancelling'))

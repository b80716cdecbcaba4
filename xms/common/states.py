"""The job state machine: states, phases, transitions and user actions.

This table is the single authority on what may happen to a job. The API
consults :func:`check_action` before it casts an action to the conductor,
and every state change in the database goes through
:func:`check_transition` inside a conditional update, so a refused action
is a 409 with the reason and two processes can never both move a job.

``state`` says where a job is in its life; ``phase`` names the step inside
that state in the product's words (``export``, ``full_sync``,
``final_delta`` ...).
"""

from xms.common import exception
from xms.common.i18n import _

# Job types.
COLD = 'cold'
WARM = 'warm'
JOB_TYPES = (COLD, WARM)

# States.
QUEUED = 'queued'
RUNNING = 'running'
READY = 'ready'
SYNCING = 'syncing'
CUTTING_OVER = 'cutting_over'
COMPLETED = 'completed'
FAILED = 'failed'
CANCELLING = 'cancelling'
CANCELLED = 'cancelled'

STATES = (QUEUED, RUNNING, READY, SYNCING, CUTTING_OVER, COMPLETED, FAILED,
          CANCELLING, CANCELLED)

# States in which no flow will ever run again without a user action.
FINISHED_STATES = frozenset([COMPLETED, FAILED, CANCELLED])
# States in which a job no longer claims its VM, so that another job may
# be created for it. A failed job keeps the claim: it still holds its
# target resources and may be retried; cancelling or deleting it releases
# the VM.
VM_RELEASED_STATES = frozenset([COMPLETED, CANCELLED])
# States in which a flow is (or is about to be) running for the job.
ACTIVE_STATES = frozenset([RUNNING, SYNCING, CUTTING_OVER, CANCELLING])

# Phases, in the order they happen.
EXPORT = 'export'
INSPECT = 'inspect'
WRITE_VOLUME = 'write_volume'
GUEST_FIXES = 'guest_fixes'
FINALIZE = 'finalize'
BOOT_TARGET = 'boot_target'
INITIALIZING = 'initializing'
FULL_SYNC = 'full_sync'
INCREMENTAL_SYNC = 'incremental_sync'
FINAL_DELTA = 'final_delta'
POWER_OFF_SOURCE = 'power_off_source'
CLEANUP = 'cleanup'
# A failed or cancelled job whose delete is cleaning up its target; the
# record goes once the cleanup succeeded (see xms.conductor.jobs.delete).
DELETING = 'deleting'

COLD_PHASES = (EXPORT, INSPECT, WRITE_VOLUME, GUEST_FIXES, FINALIZE,
               BOOT_TARGET)
WARM_INITIAL_PHASES = (INITIALIZING, FULL_SYNC)
SYNC_PHASES = (INCREMENTAL_SYNC,)
CUTOVER_PHASES = (FINAL_DELTA, POWER_OFF_SOURCE, GUEST_FIXES, FINALIZE,
                  BOOT_TARGET)

# Which phases a job of each type may show in each state. A state absent
# from a type's table cannot be reached by that type; an empty tuple means
# the state has no phase.
PHASES = {
    COLD: {
        QUEUED: (),
        RUNNING: COLD_PHASES,
        COMPLETED: (),
        FAILED: COLD_PHASES + (DELETING,),
        CANCELLING: (CLEANUP,),
        CANCELLED: (DELETING,),
    },
    WARM: {
        QUEUED: (),
        RUNNING: WARM_INITIAL_PHASES,
        READY: (),
        SYNCING: SYNC_PHASES,
        CUTTING_OVER: CUTOVER_PHASES,
        COMPLETED: (),
        FAILED: (WARM_INITIAL_PHASES + SYNC_PHASES + CUTOVER_PHASES
                 + (DELETING,)),
        CANCELLING: (CLEANUP,),
        CANCELLED: (DELETING,),
    },
}

# Allowed state transitions: {from: {to, ...}}. A retried job goes back
# to QUEUED and from there into the state of the flow it resumes.
TRANSITIONS = {
    QUEUED: {RUNNING, SYNCING, CUTTING_OVER, FAILED, CANCELLING,
             CANCELLED},
    RUNNING: {READY, COMPLETED, FAILED, CANCELLING},
    READY: {SYNCING, CUTTING_OVER, FAILED, CANCELLING},
    SYNCING: {READY, FAILED, CANCELLING},
    CUTTING_OVER: {COMPLETED, FAILED, CANCELLING},
    FAILED: {QUEUED, CANCELLING},
    CANCELLING: {CANCELLED, FAILED},
    COMPLETED: set(),
    CANCELLED: set(),
}

# User actions.
SYNC = 'sync'
CUTOVER = 'cutover'
CANCEL = 'cancel'
RETRY = 'retry'
DELETE = 'delete'
ACTIONS = (SYNC, CUTOVER, CANCEL, RETRY, DELETE)

# {action: (job types, states in which it is allowed, state it leads to)}.
# DELETE leads nowhere: it removes the record.
_ACTION_TABLE = {
    SYNC: ((WARM,), {READY}, SYNCING),
    CUTOVER: ((WARM,), {READY}, CUTTING_OVER),
    CANCEL: (JOB_TYPES, {QUEUED, RUNNING, READY, SYNCING, CUTTING_OVER,
                         FAILED}, CANCELLING),
    RETRY: (JOB_TYPES, {FAILED}, QUEUED),
    DELETE: (JOB_TYPES, set(FINISHED_STATES), None),
}

_STATE_REASONS = {
    QUEUED: _('it is waiting for a worker slot'),
    RUNNING: _('its initial copy is running'),
    READY: _('it is idle between syncs'),
    SYNCING: _('a sync is already running'),
    CUTTING_OVER: _('its cutover is running'),
    COMPLETED: _('it has completed'),
    FAILED: _('it has failed; retry or cancel it'),
    CANCELLING: _('it is being cancelled'),
    CANCELLED: _('it was cancelled'),
}


def phases_for(job_type, state):
    """Phases a job of ``job_type`` may show in ``state``.

    :raises InvalidParameterValue: for an unknown type or a state the type
        never reaches.
    """
    try:
        return PHASES[job_type][state]
    except KeyError:
        raise exception.InvalidParameterValue(
            name='state', reason=_('%(type)s jobs have no state %(state)s')
            % {'type': job_type, 'state': state})


def can_transition(source, target):
    """Whether a job may go from state ``source`` to state ``target``."""
    return target in TRANSITIONS.get(source, ())


def check_transition(job_uuid, source, target, job_type=None):
    """Raise unless ``source`` -> ``target`` is allowed.

    :raises InvalidStateTransition: when the table forbids it.
    """
    allowed = can_transition(source, target)
    if allowed and job_type is not None:
        allowed = target in PHASES.get(job_type, {})
    if not allowed:
        raise exception.InvalidStateTransition(job=job_uuid, source=source,
                                               target=target)


def action_target(action):
    """The state an accepted action moves the job to (None for delete)."""
    return _ACTION_TABLE[action][2]


def refusal(action, job_type, state, incremental_syncs=0):
    """Why ``action`` is refused for such a job, or None if it is allowed.

    :param incremental_syncs: number of incremental syncs done, since a
        cutover needs at least one.
    """
    if action not in _ACTION_TABLE:
        return _('unknown action %s') % action
    types, states, _target = _ACTION_TABLE[action]
    if job_type not in types:
        return _('only warm migrations can %s') % action
    if state not in states:
        return _STATE_REASONS.get(state, state)
    if action == CUTOVER and incremental_syncs < 1:
        return _('at least one incremental sync must complete before '
                 'cutover; run a sync first')
    return None


def allowed_actions(job_type, state, incremental_syncs=0):
    """The actions a user may take now, in the table's order."""
    return [a for a in ACTIONS
            if refusal(a, job_type, state, incremental_syncs) is None]


def check_action(action, job_uuid, job_type, state, incremental_syncs=0):
    """Raise unless the user may take ``action`` on the job now.

    :raises ActionNotAllowed: with the reason, answered as a 409.
    """
    reason = refusal(action, job_type, state, incremental_syncs)
    if reason is not None:
        raise exception.ActionNotAllowed(action=action, job=job_uuid,
                                         state=state, reason=reason)

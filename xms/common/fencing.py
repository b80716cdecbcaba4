"""Claim epochs: which job flows this process may still write for.

A worker that claims a job's flow increments the job's ``flow_epoch``
in the database and holds the new value here (:func:`hold`). Every write
the flow makes goes through a context made by :func:`context_for`, and
the database layer refuses it (:class:`~xms.common.exception.FencedOut`)
unless the job's epoch is still the one held: the conditional write is
the fence. A worker whose etcd lease lapsed (a long pause, a network
blip) while another worker resumed the flow thus learns it at its next
write, a checkpoint or a task boundary, and stops there without
committing or reverting anything: the new owner owns the job's target.

The registry is per process and keyed by job id: a worker never runs two
flows of one job at once (the job's one-flow lock, ``active_flow``, and
the worker's own claim guard).
"""

import threading

from xms.common import context as xms_context

_lock = threading.Lock()
# job id -> the epoch this process claimed for it.
_held = {}
# job id -> (epoch held, epoch found) once a write was refused.
_fenced = {}
# The job whose flow the current thread's engine runs (for TaskFlow's
# own persistence writes, which carry no job id).
_local = threading.local()


def hold(job_id, epoch):
    """Record that this process claimed the job's flow at ``epoch``."""
    with _lock:
        _held[job_id] = epoch
        _fenced.pop(job_id, None)


def release(job_id, epoch):
    """Forget the job's claim at ``epoch`` (its run ended here).

    A later claim of the same job in this process (the cleanup flow that
    follows a cancelled one) is kept.

    :returns: ``(held, found)`` if the claim was fenced out, else None.
    """
    with _lock:
        if _held.get(job_id) == epoch:
            _held.pop(job_id, None)
        lost = _fenced.get(job_id)
        if lost is not None and lost[0] == epoch:
            return _fenced.pop(job_id)
        return None


def epoch_of(job_id):
    """The epoch this process holds for the job, or None."""
    with _lock:
        return _held.get(job_id)


def mark_fenced(job_id, held, found):
    """Note that a write for the job found epoch ``found``, not ``held``."""
    with _lock:
        if _held.get(job_id) == held:
            _fenced.setdefault(job_id, (held, found))


def fenced(job_id):
    """``(held, found)`` when the job's claim was fenced out, else None."""
    with _lock:
        return _fenced.get(job_id)


def set_current(job_id, epoch=None, flow_uuid=None):
    """The flow this thread's engine runs from now on (None: none).

    :param epoch: the claim epoch the flow holds (None before it has one).
    :param flow_uuid: the flow detail's uuid.
    """
    _local.claim = (job_id, epoch, flow_uuid) if job_id is not None else None


def current():
    """``(job_id, epoch, flow_uuid)`` of this thread's flow, or None."""
    return getattr(_local, 'claim', None)


def context_for(job_id, epoch=None):
    """An admin context whose job writes are fenced by the held epoch.

    Outside a claimed flow (the conductor, the API, a process that holds
    no claim on the job) it is a plain admin context.
    """
    ctx = xms_context.get_admin_context()
    epoch = epoch if epoch is not None else epoch_of(job_id)
    if epoch is not None:
        ctx.fence = (job_id, epoch)
    return ctx

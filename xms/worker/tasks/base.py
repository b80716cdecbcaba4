"""What every XMS task shares: the job's context, cancel checks, events.

Tasks get only IDs and small values from the flow's store (``job_id``
above all) and read everything else from the database when they run, so
a flow resumed on another worker, hours later, sees the job as it is now.
"""

from oslo_log import log as logging
from taskflow import task

from xms.common import context as xms_context
from xms.common import events
from xms.common import exception
from xms.common import fencing
from xms.common import states
from xms.common.i18n import _
from xms.db import api as db_api

LOG = logging.getLogger(__name__)


class JobCancelled(exception.XmsException):
    msg_fmt = _('Job %(job)s was cancelled.')
    code = 409


class WorkerStopping(exception.XmsException):
    msg_fmt = _('The worker running job %(job)s is stopping.')
    code = 503


def admin_context(job_id=None):
    """An admin context; for ``job_id``, one whose writes are fenced.

    Within a flow this worker claimed, every write for the job carries
    the claim's epoch (:mod:`xms.common.fencing`): once another worker
    has claimed the flow, the write raises
    :class:`~xms.common.exception.FencedOut` instead of committing.
    """
    if job_id is None:
        return xms_context.get_admin_context()
    return fencing.context_for(job_id)


def job_context(job):
    """The context a task acts with for ``job``.

    Admin for the XMS database, scoped to the job's project and carrying
    its trust, so target drivers act in the job's project.
    """
    ctx = xms_context.RequestContext(
        is_admin=True, roles=['admin'], overwrite=False,
        project_id=job.project_id, user_id=job.user_id,
        trust_id=job.trust_id)
    epoch = fencing.epoch_of(job.id)
    if epoch is not None:
        ctx.fence = (job.id, epoch)
    return ctx


def get_job(job_id):
    return db_api.job_get(admin_context(), job_id)


def check_fenced(job):
    """Raise :class:`FencedOut` when another worker claimed the flow."""
    held = fencing.epoch_of(job.id)
    if held is not None and job.flow_epoch != held:
        fencing.mark_fenced(job.id, held, job.flow_epoch)
        raise exception.FencedOut(job=job.uuid, mine=held,
                                  current=job.flow_epoch)


def check_cancel(job):
    """Raise :class:`JobCancelled` when the user cancelled the job.

    A flow whose claim was taken over stops first (:func:`check_fenced`):
    the cancel is then the new owner's to handle.
    """
    check_fenced(job)
    if job.state == states.CANCELLING:
        raise JobCancelled(job=job.uuid)


def record(job, event_type, message, severity='info', **payload):
    """Store an event of ``job`` (and emit its notification)."""
    try:
        events.record(job_context(job), 'job', event_type, message, job=job,
                      severity=severity, payload=payload or None)
    except Exception:  # noqa: BLE001 - an event never fails the work
        LOG.warning('Could not record event %s of job %s', event_type,
                    job.uuid, exc_info=True)


def failure_message(flow_failures):
    """A message a user can act on, from the failures of a flow."""
    for failure in (flow_failures or {}).values():
        exc = failure.exception
        if isinstance(exc, exception.XmsException):
            return str(exc)
        if failure.check(exception.XmsException.__name__):
            return failure.exception_str
    for failure in (flow_failures or {}).values():
        return (_('unexpected error (%s), see the worker log')
                % failure.exception_str)
    return _('unknown error, see the worker log')


class JobTask(task.Task):
    """Base of XMS tasks: named by class, requires ``job_id``.

    Subclasses implement ``execute(self, job_id, ...)``; the name defaults
    to the class path's tail so that a flow holding the same task twice
    passes an explicit ``name``.
    """

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name or self.__class__.__name__, **kwargs)

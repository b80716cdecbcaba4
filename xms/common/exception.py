"""XMS exceptions.

Every exception a user can see carries the HTTP status the API answers
with (``code``) and a message that says what is wrong and, where it can,
what to do about it. Messages are formatted from ``msg_fmt`` with keyword
arguments; never pass a secret as one.
"""

from oslo_log import log as logging

from xms.common.i18n import _

LOG = logging.getLogger(__name__)


class XmsException(Exception):
    """Base of every XMS error.

    :param message: replaces ``msg_fmt`` when given.
    :param kwargs: values for ``msg_fmt``.
    """

    msg_fmt = _('An unknown error occurred.')
    code = 500
    safe = False

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if 'code' not in kwargs:
            kwargs['code'] = self.code
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                # A wrong argument list is a programming error; report the
                # format rather than failing while handling another error.
                LOG.exception('Exception message format error for %s',
                              self.__class__.__name__)
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


# --- configuration and start-up ---

class ConfigInvalid(XmsException):
    msg_fmt = _('Invalid configuration: %(error)s')


class DatabaseUnavailable(XmsException):
    msg_fmt = _('Cannot reach the database at %(url)s: %(reason)s. Check '
                '[database]/connection and that the server is running.')
    code = 503


class MessagingUnavailable(XmsException):
    msg_fmt = _('Cannot reach the message broker at %(url)s: %(reason)s. '
                'Check [DEFAULT]/transport_url and that the broker is '
                'running.')
    code = 503


class DependencyUnavailable(XmsException):
    """A service the request needs did not answer: retry later.

    The API answers 503 with ``Retry-After``; what the request wrote
    before it found out has been undone.
    """

    msg_fmt = _('The %(service)s is unreachable, so the request was not '
                'carried out: %(reason)s. Retry later.')
    code = 503


class DatabaseNotSynced(XmsException):
    msg_fmt = _('The database schema is at revision %(current)s but this '
                'release needs %(expected)s. Run "xms-manage db sync".')
    code = 503


# --- API and requests ---

class Invalid(XmsException):
    msg_fmt = _('Invalid request: %(reason)s')
    code = 400


class InvalidParameterValue(Invalid):
    msg_fmt = _('Invalid value for %(name)s: %(reason)s')


class NotAuthorized(XmsException):
    msg_fmt = _('Not authorized.')
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = _('Policy does not allow %(action)s to be performed.')


class NotFound(XmsException):
    msg_fmt = _('Resource could not be found.')
    code = 404


class Conflict(XmsException):
    msg_fmt = _('Conflict: %(reason)s')
    code = 409


# --- resources ---

class SourceNotFound(NotFound):
    msg_fmt = _('Source %(source)s could not be found.')


class SourceAlreadyExists(Conflict):
    msg_fmt = _('A source named %(name)s already exists in this project.')


class SourceInUse(Conflict):
    msg_fmt = _('Source %(source)s is used by %(jobs)d unfinished job(s); '
                'finish or delete them first.')


class VmNotFound(NotFound):
    msg_fmt = _('VM %(vm)s could not be found.')


class PreflightNotFound(NotFound):
    msg_fmt = _('Preflight %(preflight)s could not be found.')


class JobNotFound(NotFound):
    msg_fmt = _('Job %(job)s could not be found.')


class WorkerNotFound(NotFound):
    msg_fmt = _('Worker %(host)s (%(binary)s) could not be found.')


class InvalidStateTransition(Conflict):
    msg_fmt = _('Job %(job)s cannot go from state %(source)s to '
                '%(target)s.')


class ActionNotAllowed(Conflict):
    msg_fmt = _('Action %(action)s is not allowed on job %(job)s in state '
                '%(state)s: %(reason)s')


class JobBusy(Conflict):
    msg_fmt = _('Job %(job)s is already running flow %(flow)s; wait for it '
                'to finish.')


class VmBusy(Conflict):
    msg_fmt = _('VM %(vm)s already has an active job (%(job)s); a VM has '
                'one job at a time until it is completed or cancelled: '
                'wait for that job, or cancel or delete it first.')


class FencedOut(Conflict):
    """This process's claim on a job's flow was taken over.

    Raised by a write of a flow whose claim epoch (``jobs.flow_epoch``)
    is no longer the job's: another worker resumed the flow, and this one
    must stop without committing or reverting anything.
    """
    msg_fmt = _('Job %(job)s: the flow of claim epoch %(mine)s was taken '
                'over by claim epoch %(current)s; this worker stops it.')


class ConcurrentUpdate(Conflict):
    msg_fmt = _('%(resource)s %(id)s was changed by another request; '
                'reload it and try again.')

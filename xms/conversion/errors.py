"""Exceptions of guest conversion."""

from xms.common.i18n import _
from xms.conversion import base


class ConversionFailed(base.ConversionError):
    """Inspection or conversion failed; ``cause`` names why.

    ``cause`` is one of the keys of :data:`xms.conversion.output.CAUSES`,
    ``timeout``, ``no_disks`` or ``unknown``, so that callers (and tests)
    can tell a guest without an operating system from a broken appliance
    without parsing the message.
    """

    msg_fmt = _('Guest conversion failed: %(reason)s')

    def __init__(self, message=None, cause='unknown', **kwargs):
        self.cause = cause
        super().__init__(message, **kwargs)

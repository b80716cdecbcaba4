"""Errors of the source drivers (vSphere sessions, inventory, snapshots).

Each error a user can meet says what went wrong with the source and what
to change. None of them ever carries the source's password.
"""

from xms.common import exception
from xms.common.i18n import _


class SourceError(exception.XmsException):
    """Base of every source driver error."""

    msg_fmt = _('Source %(source)s failed: %(reason)s')
    code = 502


class SourceDriverNotFound(SourceError):
    msg_fmt = _('No source driver for source type %(source_type)s.')
    code = 400


class SourceUnreachable(SourceError):
    msg_fmt = _('Cannot reach %(host)s:%(port)s of source %(source)s: '
                '%(reason)s. Check the host name, the port and that XMS '
                'may connect to it (TCP 443).')
    code = 503


class SourceThumbprintMismatch(SourceError):
    msg_fmt = _('The TLS certificate of %(host)s:%(port)s (source '
                '%(source)s) has SHA-256 thumbprint %(actual)s, not the '
                'pinned %(expected)s. If the certificate was replaced on '
                'purpose, update the source\'s thumbprint; otherwise '
                'something is intercepting the connection.')
    code = 502


class SourceTLSError(SourceError):
    msg_fmt = _('The TLS certificate of %(host)s:%(port)s (source '
                '%(source)s) is not trusted: %(reason)s. Give the source '
                'the CA certificate or the SHA-256 thumbprint of the '
                'endpoint.')
    code = 502


class SourceAuthenticationFailed(SourceError):
    msg_fmt = _('vSphere at %(host)s refused the user name or password of '
                'source %(source)s. Rotate the source\'s credential.')
    # Not 401: that would tell API clients their Keystone token is bad.
    code = 400


class DatacenterNotFound(SourceError):
    msg_fmt = _('Source %(source)s has no datacenter named %(datacenter)s; '
                'datacenters there: %(known)s. Fix the source\'s '
                'datacenter field.')
    code = 400


class SourceVmNotFound(SourceError):
    msg_fmt = _('VM %(vm)s no longer exists on source %(source)s. Rescan '
                'the source.')
    code = 404


class SourceSnapshotNotFound(SourceError):
    msg_fmt = _('Snapshot %(snapshot)s of VM %(vm)s does not exist on '
                'source %(source)s.')
    code = 404


class SourceTaskFailed(SourceError):
    msg_fmt = _('vSphere task %(task)s on %(target)s failed: %(reason)s')
    code = 502


class SourceTaskTimeout(SourceError):
    msg_fmt = _('vSphere task %(task)s on %(target)s did not finish in '
                '%(timeout)s seconds.')
    code = 504


class CBTNotAvailable(SourceError):
    msg_fmt = _('Changed Block Tracking cannot be used on VM %(vm)s: '
                '%(reason)s')
    code = 409


class ChangeIdReset(SourceError):
    """The change id a caller kept is no longer valid for a disk.

    vSphere forgets change ids when tracking is reset (CBT disabled and
    enabled, a VM restored, a disk moved): the caller must copy the whole
    disk again instead of the changed areas.
    """

    msg_fmt = _('The change tracking of disk %(disk)s of VM %(vm)s was '
                'reset (change id %(change_id)s is no longer valid); the '
                'disk needs a full copy.')
    code = 409


class DiskNotFound(SourceError):
    msg_fmt = _('VM %(vm)s has no disk with device key %(disk)s.')
    code = 404

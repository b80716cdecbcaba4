"""Errors of the disk transport engine.

Messages name the disk and what went wrong; they never carry a source
password or a session cookie, because they end up in job events.
"""

from xms.common import exception
from xms.common.i18n import _


class TransportError(exception.XmsException):
    msg_fmt = _('Disk transport failed: %(reason)s')


class NbdkitError(TransportError):
    msg_fmt = _('nbdkit (%(plugin)s plugin) failed: %(reason)s')


class VddkIncompatible(TransportError):
    msg_fmt = _('VDDK %(vddk)s is not supported with vSphere %(vsphere)s '
                '(supported vSphere versions for this VDDK: %(supported)s). '
                'Install a matching VDDK or extend '
                '[transport]/vddk_compatibility.')
    code = 409


class VddkUnavailable(TransportError):
    msg_fmt = _('VDDK cannot be used: %(reason)s. Install the nbdkit vddk '
                'plugin and the VMware VDDK, or unset '
                '[transport]/vddk_libdir to read disks over the datastore '
                'HTTPS path.')
    code = 409


class ThumbprintMismatch(TransportError):
    msg_fmt = _('The TLS certificate of %(host)s has SHA-256 thumbprint '
                '%(actual)s, expected %(expected)s.')
    code = 409


class ReadError(TransportError):
    msg_fmt = _('Reading %(length)d bytes at offset %(offset)d of the source '
                'disk failed: %(reason)s')


class WriteError(TransportError):
    msg_fmt = _('Writing the target %(target)s at offset %(offset)d failed: '
                '%(reason)s')


class PlanMismatch(TransportError):
    msg_fmt = _('Checkpoint refers to plan %(expected)s but the current plan '
                'is %(actual)s; the copy must restart from the beginning.')
    code = 409


class CopyCancelled(TransportError):
    msg_fmt = _('Copy of disk %(disk)s was cancelled at %(offset)d bytes.')
    code = 409


class DigestMismatch(TransportError):
    msg_fmt = _('Digest mismatch on disk %(disk)s: first bad block at '
                'offset %(offset)d (%(length)d bytes).')

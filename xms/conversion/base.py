"""The guest conversion interface and its loader.

A converter prepares the copied disks of a VM to boot on KVM: it first
inspects them (operating system, firmware, what the target needs to know
to boot them) and then fixes the guest in place (drivers, bootloader,
network configuration). It works on the *target* disks, attached to the
worker, never on the source. Converters are loaded by stevedore from the
``xms.conversion`` entry point group, named by ``[conversion]/driver``.
"""

import abc

from stevedore import driver as stevedore_driver

from xms.common import exception
from xms.common.i18n import _
from xms.conf import CONF

NAMESPACE = 'xms.conversion'


class ConversionError(exception.XmsException):
    msg_fmt = _('Guest conversion failed: %(reason)s')
    code = 500


class Converter(metaclass=abc.ABCMeta):
    """What the flows ask of a guest converter."""

    @abc.abstractmethod
    def inspect(self, context, job, disk_paths):
        """Inspect the guest on the attached target disks.

        :param job: the job row (``vm_name``, ``target_spec``...).
        :param disk_paths: local paths of the target disks, boot disk
            first.
        :returns: a small JSON-serialisable dict stored on the job
            (``jobs.inspection``); ``image_metadata`` in it, when present,
            is handed to the storage driver's ``finalize_volume``.
        """

    @abc.abstractmethod
    def convert(self, context, job, disk_paths, inspection):
        """Fix the guest in place so that it boots on KVM.

        Must be idempotent: a resumed flow runs it again on disks it may
        already have converted.

        :returns: a list of human readable lines for the job's events.
        """


def get_converter(name=None):
    """The converter ``name`` or ``[conversion]/driver``.

    :raises ConfigInvalid: when no entry point provides it.
    """
    name = name or CONF.conversion.driver
    try:
        manager = stevedore_driver.DriverManager(NAMESPACE, name,
                                                 invoke_on_load=True)
    except Exception as exc:  # noqa: BLE001 - stevedore's NoMatches & co
        raise exception.ConfigInvalid(
            error=_('cannot load conversion driver %(name)s: %(exc)s')
            % {'name': name, 'exc': exc})
    return manager.driver

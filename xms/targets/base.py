"""Interfaces of the target drivers and their loaders.

A migration ends in the target with four kinds of resources, each made
by one driver role:

* storage (``xms.target.storage``): one volume per source disk;
* attach (``xms.target.attach``): a volume made writable on the worker;
* network (``xms.target.network``): one port per source NIC;
* compute (``xms.target.compute``): the instance booted from the volumes.

Every method takes the :class:`xms.common.context.RequestContext` the
worker acts with; OpenStack drivers act in the job's target project
through the context's ``trust_id`` (see :mod:`xms.targets.session`).

``job`` arguments may be a DB model object or a plain dict with at least
``id`` (and ``project_id``, ``vm_name``, ``target_spec`` when the driver
needs them); ``disk`` and ``nic`` likewise (``device_key``,
``capacity_bytes``; ``device_key``, ``mac_address``, ``network_name``).

Every create call is idempotent: tasks re-run on resume, so a driver
first looks for the resource it made earlier for the same job and key
(by metadata, name or file path) and returns it.
"""

import abc

from oslo_log import log as logging
from stevedore import driver as stevedore_driver

from xms.common import exception
from xms.common.i18n import _
from xms.conf import CONF

LOG = logging.getLogger(__name__)

STORAGE_NAMESPACE = 'xms.target.storage'
ATTACH_NAMESPACE = 'xms.target.attach'
COMPUTE_NAMESPACE = 'xms.target.compute'
NETWORK_NAMESPACE = 'xms.target.network'

# Metadata keys that link target resources to their job; used to find a
# resource again after a resume and to clean up after a cancel.
META_JOB = 'xms_job_id'
META_DEVICE = 'xms_device_key'
META_NIC = 'xms_nic_key'

GiB = 1024 ** 3


# ---------------------------------------------------------------- errors

class TargetError(exception.XmsException):
    msg_fmt = _('Target error: %(reason)s')
    code = 502


class QuotaExceeded(TargetError):
    msg_fmt = _('Quota %(quota)s of project %(project)s is exceeded: '
                '%(need)s more needed, %(free)s free (limit %(limit)s).')
    code = 413


class NetworkMappingMissing(TargetError):
    msg_fmt = _('Source NIC %(nic)s is not mapped to a target network.')
    code = 400


class NetworkNotFound(TargetError):
    msg_fmt = _('Target network %(network)s does not exist or is not '
                'usable by project %(project)s.')
    code = 400


class FlavorNotFound(TargetError):
    msg_fmt = _('No flavor fits %(cpus)s vCPU and %(memory_mb)s MiB RAM '
                '%(detail)s')
    code = 400


class InstanceBootFailed(TargetError):
    msg_fmt = _('Instance %(instance)s went to %(status)s: %(fault)s')


class TargetTimeout(TargetError):
    msg_fmt = _('%(what)s %(id)s did not reach %(wanted)s within '
                '%(timeout)s s (last status %(status)s).')
    code = 504


# --------------------------------------------------------------- helpers

def field(obj, name, default=None):
    """Read ``name`` from a dict or an object (DB model) alike."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def job_ref(job):
    """How the target knows a job: its UUID.

    Resource names (``xms-job-<uuid>-disk-<key>``, ``...-nic-<key>``) and
    the ``xms_job_id`` metadata carry it, so a resumed task finds what it
    made and the cleanup finds what was never recorded. Not the database
    row id: that starts at 1 in every XMS database, so two deployments
    (or two test databases) sharing a cloud would find, and delete, each
    other's volumes, ports and instances.
    """
    return str(field(job, 'uuid'))


def round_up_gib(size_bytes):
    """Whole GiB that hold ``size_bytes`` (at least 1)."""
    return max(1, -(-int(size_bytes) // GiB))


def target_spec(job):
    return field(job, 'target_spec') or {}


# ------------------------------------------------------------ interfaces

class StorageDriver(metaclass=abc.ABCMeta):
    """Makes one target volume per source disk."""

    @abc.abstractmethod
    def create_volume(self, context, job, disk, volume_type=None, az=None):
        """Create (or find again) the volume of one source disk.

        The volume is at least as large as the disk: Cinder sizes are
        whole GiB, so ``size_bytes`` may exceed ``real_size_bytes``
        (the source disk's exact size, which the copier writes).

        :param job: the job (``id``, ``project_id``, ``vm_name``).
        :param disk: the source disk (``device_key``, ``capacity_bytes``).
        :param volume_type: volume type; None for the project default.
        :param az: availability zone; None for the default.
        :returns: ``{'id', 'size_bytes', 'real_size_bytes', 'device_key',
            'volume_type', 'availability_zone', 'created'}``; ``created``
            is False when an earlier run's volume was found again.
        :raises QuotaExceeded: when the project has no room for it.
        """

    @abc.abstractmethod
    def delete_volume(self, context, volume_id):
        """Delete a volume; a volume already gone is not an error."""

    @abc.abstractmethod
    def finalize_volume(self, context, volume_id, image_metadata):
        """Make the volume bootable and describe how to boot it.

        :param image_metadata: volume image metadata from the inspection
            (``hw_firmware_type``, ``hw_disk_bus``, ``hw_vif_model``,
            ``os_type``, ``os_distro``, ``hw_machine_type`` ...).
        """

    @abc.abstractmethod
    def check_quota(self, context, spec):
        """Problems that would stop the volumes from being created.

        :param spec: ``{'volumes': n, 'gigabytes': n, 'project_id': ...}``.
        :returns: list of human readable problems, each naming the
            quota; empty when the volumes fit.
        """

    def list_volumes(self, context, job):
        """Volumes made for ``job`` (for cleanup): list of ids."""
        return []


class AttachDriver(metaclass=abc.ABCMeta):
    """Makes a target volume writable on the worker."""

    @abc.abstractmethod
    def attach(self, context, volume_id):
        """Attach the volume here for writing.

        Idempotent: attaching a volume already attached here returns
        the same path.

        :returns: path of a local block device or file to write.
        """

    @abc.abstractmethod
    def detach(self, context, volume_id):
        """Detach the volume from here.

        Called always, on success and on failure; a volume that is not
        attached (or is gone) is not an error.
        """


class NetworkDriver(metaclass=abc.ABCMeta):
    """Makes the instance's ports."""

    @abc.abstractmethod
    def create_ports(self, context, job, nics, mapping,
                     security_groups=None):
        """One port per source NIC on the network it is mapped to.

        Ports found again (by name) are returned as they are; when the
        call fails, the ports it created are deleted.

        :param nics: source NICs (``device_key``, ``mac_address``,
            ``network_name``).
        :param mapping: the target spec's ``network_mapping``, read by
            :func:`xms.targets.nic_mapping.resolve` (network, fixed IP,
            subnet, ``keep_mac``, security groups).
        :param security_groups: the job's ``security_groups``, for NICs
            whose entry names none.
        :returns: list of port ids, in NIC order.
        :raises NetworkMappingMissing: a NIC has no target network.
        :raises NetworkNotFound: a mapped network does not exist.
        """

    @abc.abstractmethod
    def delete_ports(self, context, port_ids):
        """Delete ports; ports already gone are not an error."""

    def list_ports(self, context, job):
        """Ports made for ``job`` (for cleanup): list of ids."""
        return []


class ComputeDriver(metaclass=abc.ABCMeta):
    """Makes the migrated instance."""

    @abc.abstractmethod
    def list_flavors(self, context):
        """Flavors usable by the project.

        :returns: list of ``{'id', 'name', 'vcpus', 'ram', 'disk'}``.
        """

    def best_flavor(self, context, cpus, memory_mb):
        """The smallest flavor that fits; see :mod:`xms.targets.flavors`.

        :returns: ``{'id', 'name', 'vcpus', 'ram', 'reason'}``.
        """
        from xms.targets import flavors
        return flavors.best_flavor(self.list_flavors(context), cpus,
                                   memory_mb)

    @abc.abstractmethod
    def create_instance(self, context, job, volumes, ports, flavor,
                        power_on=True):
        """Create the instance, booting from ``volumes[0]``.

        Waits until the instance is ACTIVE (or, with ``power_on``
        False, stopped); raises :class:`InstanceBootFailed` with the
        fault message when it goes to ERROR.

        :param volumes: volume ids, boot volume first.
        :param ports: port ids (network drivers' output).
        :param flavor: flavor id or name.
        :returns: the instance id.
        """

    @abc.abstractmethod
    def delete_instance(self, context, instance_id):
        """Delete the instance (not its volumes); gone is not an error."""

    def find_instance(self, context, job):
        """Id of the instance made for ``job``, or None."""
        return None


# --------------------------------------------------------------- loaders

def _load(namespace, name, option):
    name = name or getattr(CONF.target, option)
    try:
        manager = stevedore_driver.DriverManager(namespace, name,
                                                 invoke_on_load=True)
    except Exception as exc:
        raise exception.ConfigInvalid(
            error=_('cannot load %(ns)s driver %(name)s: %(exc)s')
            % {'ns': namespace, 'name': name, 'exc': exc})
    return manager.driver


def get_storage_driver(name=None):
    """Storage driver ``name`` or ``[target]/storage_driver``."""
    return _load(STORAGE_NAMESPACE, name, 'storage_driver')


def get_attach_driver(name=None):
    """Attach driver ``name`` or ``[target]/attach_driver``."""
    return _load(ATTACH_NAMESPACE, name, 'attach_driver')


def get_compute_driver(name=None):
    """Compute driver ``name`` or ``[target]/compute_driver``."""
    return _load(COMPUTE_NAMESPACE, name, 'compute_driver')


def get_network_driver(name=None):
    """Network driver ``name`` or ``[target]/network_driver``."""
    return _load(NETWORK_NAMESPACE, name, 'network_driver')


def volume_type_for(job, disk):
    """Volume type of one disk: per-disk override, job default, config.

    The target spec may carry ``volume_type`` and ``disk_volume_types``
    (``{<device key>: <type>}``).
    """
    spec = target_spec(job)
    per_disk = spec.get('disk_volume_types') or {}
    key = str(field(disk, 'device_key'))
    return (per_disk.get(key) or spec.get('volume_type')
            or CONF.target.volume_type)


def instance_name_for(job):
    """Name of the job's instance: the target spec's ``instance_name``,
    else the source VM's name, else one made from the job's UUID."""
    return (target_spec(job).get('instance_name')
            or field(job, 'vm_name')
            or 'xms-job-%s' % job_ref(job))


def availability_zone_for(job):
    """Availability zone of the job's volumes and instance."""
    return (target_spec(job).get('availability_zone')
            or CONF.target.availability_zone)

"""Changed Block Tracking: enable it, read change ids, query changed areas.

vSphere keeps, per disk, a change id ``<epoch>/<sequence>``; a snapshot's
copy of the VM config carries the change id of each disk at that
snapshot. ``QueryChangedDiskAreas(snapshot, disk, offset, old_id)`` lists
the areas written since ``old_id`` (``*``: every allocated area), one
page at a time. When tracking is reset (CBT turned off and on, a VM
restored, a disk moved) the epoch changes and older ids become invalid:
we detect that by comparing epochs before asking, and by the fault vSphere
raises when asked anyway, and raise :class:`ChangeIdReset` so the caller
copies the disk in full.
"""

from oslo_log import log as logging
from pyVmomi import vim
from pyVmomi import vmodl

from xms.sources import base
from xms.sources import exception
from xms.sources.vsphere import inventory

LOG = logging.getLogger(__name__)

def epoch(change_id):
    """The epoch part of a change id (``'52 ab.../17'`` -> ``'52 ab...'``)."""
    if not change_id or change_id == '*':
        return None
    return change_id.rsplit('/', 1)[0]


def is_enabled(session, vm):
    return bool(session.prop(vm, 'config.changeTrackingEnabled'))


def check_available(session, vm):
    """Raise :class:`CBTNotAvailable` when the VM cannot track changes."""
    version = base.hardware_version_number(
        session.prop(vm, 'config.version'))
    if version is not None and version < base.CBT_MIN_HARDWARE_VERSION:
        raise exception.CBTNotAvailable(
            vm=vm._moId,
            reason='virtual hardware version %d is older than %d; upgrade '
                   'the VM\'s compatibility'
                   % (version, base.CBT_MIN_HARDWARE_VERSION))


def enable(session, vm, stun):
    """Turn CBT on and make it take effect.

    vSphere starts tracking on a running VM only after its disks are
    reopened ("stun-unstun"), which a snapshot create and remove does; it
    is also what makes the first change ids appear. ``stun`` is a callable
    that takes and removes such a snapshot.

    :returns: True when CBT was turned on, False when it already was.
    """
    check_available(session, vm)
    if is_enabled(session, vm):
        return False
    spec = vim.vm.ConfigSpec(changeTrackingEnabled=True)
    session.wait_for_task(vm.ReconfigVM_Task(spec=spec), target=vm._moId)
    stun()
    LOG.info('Enabled Changed Block Tracking on VM %s of source %s',
             vm._moId, session.source.uuid)
    return True


def snapshot_disks(session, snapshot):
    """``VirtualDisk`` devices of a snapshot's config, by device key."""
    devices = session.prop(snapshot, 'config.hardware.device') or ()
    return {d.key: d for d in devices
            if isinstance(d, vim.vm.device.VirtualDisk)}


def change_ids(session, snapshot):
    """``{device_key: change id or None}`` recorded by a snapshot."""
    return {key: getattr(disk.backing, 'changeId', None)
            for key, disk in snapshot_disks(session, snapshot).items()}


def changed_areas(session, vm, snapshot, device_key, change_id):
    """Areas of a disk changed since ``change_id`` at ``snapshot``.

    :returns: list of ``(start, length)`` in bytes, sorted, covering the
        whole disk (vSphere pages the answer; this loops over the pages).
    :raises ChangeIdReset: when ``change_id`` is of an older epoch or
        vSphere no longer knows it.
    :raises DiskNotFound: when the snapshot has no such disk.
    """
    disks = snapshot_disks(session, snapshot)
    disk = disks.get(device_key)
    if disk is None:
        raise exception.DiskNotFound(vm=vm._moId, disk=device_key)
    current = getattr(disk.backing, 'changeId', None)

    def reset():
        return exception.ChangeIdReset(vm=vm._moId, disk=device_key,
                                       change_id=change_id)

    if current is None:
        raise exception.CBTNotAvailable(
            vm=vm._moId,
            reason='the snapshot of disk %s has no change id (CBT was not '
                   'active when it was taken)' % device_key)
    if change_id != '*' and epoch(change_id) != epoch(current):
        raise reset()
    capacity = inventory.disk_capacity(disk)
    areas = []
    offset = 0
    while offset < capacity:
        try:
            info = vm.QueryChangedDiskAreas(snapshot=snapshot,
                                            deviceKey=device_key,
                                            startOffset=offset,
                                            changeId=change_id)
        except vim.fault.FileFault:
            # What vSphere raises when its tracking data cannot answer
            # for this change id: the epoch matched but the id is gone.
            raise reset()
        except vmodl.fault.InvalidArgument as exc:
            if getattr(exc, 'invalidProperty', None) == 'changeId':
                raise reset()
            raise
        for area in info.changedArea or ():
            if areas and areas[-1][0] + areas[-1][1] == area.start:
                areas[-1] = (areas[-1][0], areas[-1][1] + area.length)
            else:
                areas.append((area.start, area.length))
        end = info.startOffset + info.length
        if end <= offset:
            break   # a server that makes no progress: stop, don't spin
        offset = end
    return areas

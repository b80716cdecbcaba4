"""Discovery: read a source's VMs in bulk and turn them into DB records.

One ``RetrievePropertiesEx`` (paged) per object type over a container view
of the source's datacenter (or the whole inventory) reads every VM with
only the properties XMS stores, so the number of round trips does not grow
with the number of VMs. Hosts, clusters, folders, datastores and networks
are read the same way to resolve names.

The conversion from vSphere objects to plain dicts (:func:`vm_record`)
does not talk to vSphere and is unit tested on its own.
"""

import re

from oslo_log import log as logging
from pyVmomi import vim

LOG = logging.getLogger(__name__)

VM_PATHS = (
    'name',
    'config.template',
    'config.uuid',
    'config.instanceUuid',
    'runtime.powerState',
    'config.guestId',
    'config.guestFullName',
    'guest.guestFamily',
    'config.firmware',
    'config.bootOptions.efiSecureBootEnabled',
    'config.version',
    'config.hardware.numCPU',
    'config.hardware.numCoresPerSocket',
    'config.hardware.memoryMB',
    'config.hardware.device',
    'config.changeTrackingEnabled',
    'snapshot',
    'runtime.consolidationNeeded',
    'guest.toolsRunningStatus',
    'guest.toolsVersionStatus2',
    'guest.toolsVersion',
    'runtime.host',
    'parent',
)

# Adapter types by pyvmomi class, in the words the API and preflight use.
NIC_TYPES = (
    (vim.vm.device.VirtualE1000e, 'e1000e'),
    (vim.vm.device.VirtualE1000, 'e1000'),
    (vim.vm.device.VirtualVmxnet3Vrdma, 'vmxnet3vrdma'),
    (vim.vm.device.VirtualVmxnet3, 'vmxnet3'),
    (vim.vm.device.VirtualVmxnet2, 'vmxnet2'),
    (vim.vm.device.VirtualVmxnet, 'vmxnet'),
    (vim.vm.device.VirtualPCNet32, 'pcnet32'),
    (vim.vm.device.VirtualSriovEthernetCard, 'sriov'),
)

CONTROLLER_TYPES = (
    (vim.vm.device.ParaVirtualSCSIController, 'pvscsi'),
    (vim.vm.device.VirtualLsiLogicSASController, 'lsilogic-sas'),
    (vim.vm.device.VirtualLsiLogicController, 'lsilogic'),
    (vim.vm.device.VirtualBusLogicController, 'buslogic'),
    (vim.vm.device.VirtualAHCIController, 'sata'),
    (vim.vm.device.VirtualIDEController, 'ide'),
    (vim.vm.device.VirtualNVMEController, 'nvme'),
)

_DS_PATH = re.compile(r'^\[(?P<ds>[^\]]*)\]\s*(?P<path>.*)$')

# guestId prefixes when vSphere reports no guest family (no VMware Tools).
_WINDOWS_IDS = ('win', 'windows')
_LINUX_IDS = ('rhel', 'centos', 'debian', 'ubuntu', 'sles', 'suse',
              'oracle', 'fedora', 'mandrake', 'mandriva', 'turbolinux',
              'redhat', 'asianux', 'opensuse', 'coreos', 'vmwarephoton',
              'amazonlinux', 'almalinux', 'rockylinux', 'crxpod', 'crxsys',
              'genericlinux', 'other24xlinux', 'other26xlinux',
              'other3xlinux', 'other4xlinux', 'other5xlinux',
              'other6xlinux', 'otherlinux', 'linux')


def split_datastore_path(path):
    """``[ds] dir/file.vmdk`` -> (``ds``, ``dir/file.vmdk``)."""
    match = _DS_PATH.match(path or '')
    if not match:
        return None, path
    return match.group('ds'), match.group('path')


def guest_family(guest_id, reported=None):
    """The guest family vSphere reports, else one derived from guestId."""
    if reported:
        return reported
    gid = (guest_id or '').lower()
    if not gid:
        return None
    if gid.startswith(_WINDOWS_IDS):
        return 'windowsGuest'
    if gid.startswith(_LINUX_IDS) or 'linux' in gid:
        return 'linuxGuest'
    if gid.startswith('darwin'):
        return 'darwinGuest'
    if gid.startswith('solaris'):
        return 'solarisGuest'
    if gid.startswith(('netware', 'os2', 'dos', 'freebsd', 'other')):
        return 'otherGuest'
    return 'otherGuest'


def tools_status(props):
    """One word for the VMware Tools state of a VM."""
    version_status = props.get('guest.toolsVersionStatus2')
    if version_status == 'guestToolsNotInstalled':
        return 'notInstalled'
    running = props.get('guest.toolsRunningStatus')
    return {'guestToolsRunning': 'running',
            'guestToolsNotRunning': 'notRunning',
            'guestToolsExecutingScripts': 'executingScripts'}.get(
                running, running)


def count_snapshots(snapshot_info):
    """Number of snapshots in a VM's snapshot tree."""
    if snapshot_info is None:
        return 0
    count = 0
    todo = list(snapshot_info.rootSnapshotList or ())
    while todo:
        node = todo.pop()
        count += 1
        todo.extend(node.childSnapshotList or ())
    return count


def walk_snapshots(snapshot_info):
    """Yield every ``VirtualMachineSnapshotTree`` node of a VM."""
    if snapshot_info is None:
        return
    todo = list(snapshot_info.rootSnapshotList or ())
    while todo:
        node = todo.pop(0)
        yield node
        todo.extend(node.childSnapshotList or ())


def _class_name(obj, table):
    for cls, name in table:
        if isinstance(obj, cls):
            return name
    return type(obj).__name__.rsplit('.', 1)[-1]


def disk_capacity(disk):
    """Capacity in bytes (vcsim and old hosts set only capacityInKB)."""
    if getattr(disk, 'capacityInBytes', None):
        return int(disk.capacityInBytes)
    return int(disk.capacityInKB or 0) * 1024


def disk_record(disk, controllers, datastore_names):
    """A ``vm_disks`` row (as a dict) for one ``VirtualDisk``."""
    backing = disk.backing
    file_name = getattr(backing, 'fileName', None)
    ds_name, _path = split_datastore_path(file_name)
    ds_ref = getattr(backing, 'datastore', None)
    if ds_ref is not None and ds_ref._moId in datastore_names:
        ds_name = datastore_names[ds_ref._moId]
    is_rdm = isinstance(
        backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo)
    controller = controllers.get(disk.controllerKey)
    return {
        'device_key': disk.key,
        'label': disk.deviceInfo.label if disk.deviceInfo else None,
        'capacity_bytes': disk_capacity(disk),
        'datastore': ds_name,
        'file_name': file_name,
        'controller_type': (_class_name(controller, CONTROLLER_TYPES)
                            if controller is not None else None),
        'controller_key': disk.controllerKey,
        'unit_number': disk.unitNumber,
        'disk_mode': getattr(backing, 'diskMode', None),
        'sharing': getattr(backing, 'sharing', None),
        'thin_provisioned': getattr(backing, 'thinProvisioned', None),
        'is_rdm': is_rdm,
        'backing_uuid': getattr(backing, 'uuid', None),
    }


def nic_record(nic, network_names, portgroup_names):
    """A ``vm_nics`` row (as a dict) for one ``VirtualEthernetCard``."""
    backing = nic.backing
    network_name = network_moref = None
    if isinstance(backing,
                  vim.vm.device.VirtualEthernetCard.NetworkBackingInfo):
        network_name = backing.deviceName
        if backing.network is not None:
            network_moref = backing.network._moId
            network_name = network_names.get(network_moref, network_name)
    elif isinstance(backing, vim.vm.device.VirtualEthernetCard
                    .DistributedVirtualPortBackingInfo):
        key = backing.port.portgroupKey if backing.port else None
        network_moref = key
        network_name = portgroup_names.get(key, key)
    elif isinstance(backing, vim.vm.device.VirtualEthernetCard
                    .OpaqueNetworkBackingInfo):
        network_moref = backing.opaqueNetworkId
        network_name = backing.opaqueNetworkId
    connectable = nic.connectable
    return {
        'device_key': nic.key,
        'label': nic.deviceInfo.label if nic.deviceInfo else None,
        'network_name': network_name,
        'network_moref': network_moref,
        'mac_address': nic.macAddress,
        'adapter_type': _class_name(nic, NIC_TYPES),
        'connected': (connectable.connected if connectable is not None
                      else None),
    }


def vm_record(moref, props, names):
    """Turn a VM's properties into ``vms`` columns plus disks and NICs.

    :param moref: the VM's managed object id.
    :param props: ``{property path: value}`` as read with
        :data:`VM_PATHS` (unset properties absent).
    :param names: an :class:`InventoryNames` to resolve references.
    :returns: dict of ``vms`` columns with ``disks`` and ``nics`` lists.
    """
    devices = props.get('config.hardware.device') or ()
    controllers = {d.key: d for d in devices
                   if isinstance(d, vim.vm.device.VirtualController)}
    disks = [disk_record(d, controllers, names.datastores)
             for d in devices if isinstance(d, vim.vm.device.VirtualDisk)]
    nics = [nic_record(d, names.networks, names.portgroups)
            for d in devices
            if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    host = props.get('runtime.host')
    host_name = cluster = None
    if host is not None:
        host_name, cluster = names.hosts.get(host._moId, (None, None))
    parent = props.get('parent')
    folder, datacenter = names.folder_path(parent._moId if parent else None)
    power = props.get('runtime.powerState')
    guest_id = props.get('config.guestId')
    return {
        'moref': moref,
        'name': props.get('name') or moref,
        'bios_uuid': props.get('config.uuid'),
        'instance_uuid': props.get('config.instanceUuid'),
        'power_state': str(power) if power is not None else None,
        'guest_id': guest_id,
        'guest_family': guest_family(guest_id,
                                     props.get('guest.guestFamily')),
        'guest_full_name': props.get('config.guestFullName'),
        'firmware': props.get('config.firmware'),
        'secure_boot': props.get('config.bootOptions.efiSecureBootEnabled',
                                 False if props.get('config.firmware')
                                 else None),
        'hardware_version': props.get('config.version'),
        'num_cpus': props.get('config.hardware.numCPU'),
        'cores_per_socket': props.get('config.hardware.numCoresPerSocket'),
        'memory_mb': props.get('config.hardware.memoryMB'),
        'cbt_enabled': bool(props.get('config.changeTrackingEnabled')),
        'snapshot_count': count_snapshots(props.get('snapshot')),
        'consolidation_needed': props.get('runtime.consolidationNeeded'),
        'tools_status': tools_status(props),
        'tools_version': props.get('guest.toolsVersion'),
        'esxi_host': host_name,
        'cluster': cluster,
        'folder': folder,
        'datacenter': datacenter,
        'disks': disks,
        'nics': nics,
    }


class InventoryNames:
    """Names of the objects VMs refer to, read in bulk once per scan."""

    def __init__(self):
        self.hosts = {}        # host moref -> (name, cluster name or None)
        self.datastores = {}   # datastore moref -> name
        self.networks = {}     # network moref -> name
        self.portgroups = {}   # dvportgroup key -> name
        self.parents = {}      # folder/datacenter moref -> (name, parent)
        self.datacenters = set()

    def folder_path(self, moref):
        """(``/DC0/vm/sub``, ``DC0``) for the folder a VM sits in."""
        parts = []
        datacenter = None
        seen = set()
        while moref and moref in self.parents and moref not in seen:
            seen.add(moref)
            name, parent = self.parents[moref]
            parts.append(name)
            if moref in self.datacenters:
                datacenter = name
                break
            moref = parent
        if not parts:
            return None, None
        return '/' + '/'.join(reversed(parts)), datacenter


def read_names(session, container):
    """Read the names VM records refer to (a few bulk calls)."""
    names = InventoryNames()
    computes = session.retrieve(vim.ComputeResource, ['name'],
                                container=container)
    clusters = {moref: props.get('name') for moref, (obj, props)
                in computes.items()
                if isinstance(obj, vim.ClusterComputeResource)}
    for moref, (_obj, props) in session.retrieve(
            vim.HostSystem, ['name', 'parent'],
            container=container).items():
        parent = props.get('parent')
        cluster = clusters.get(parent._moId) if parent is not None else None
        names.hosts[moref] = (props.get('name'), cluster)
    for moref, (_obj, props) in session.retrieve(
            vim.Datastore, ['name'], container=container).items():
        names.datastores[moref] = props.get('name')
    for moref, (obj, props) in session.retrieve(
            vim.Network, ['name'], container=container).items():
        names.networks[moref] = props.get('name')
        if isinstance(obj, vim.dvs.DistributedVirtualPortgroup):
            names.portgroups[moref] = props.get('name')
    for moref, (_obj, props) in session.retrieve(
            vim.Folder, ['name', 'parent'], container=container).items():
        parent = props.get('parent')
        names.parents[moref] = (props.get('name'),
                                parent._moId if parent is not None else None)
    for moref, (_obj, props) in session.retrieve(
            vim.Datacenter, ['name', 'parent']).items():
        parent = props.get('parent')
        names.parents[moref] = (props.get('name'),
                                parent._moId if parent is not None else None)
        names.datacenters.add(moref)
    return names


def read_vms(session, datacenter=None):
    """Read every VM (templates excluded) of the source, in bulk.

    :param session: an open :class:`~xms.sources.vsphere.client.Session`.
    :param datacenter: name limiting the scan, or None for everything.
    :returns: list of :func:`vm_record` dicts.
    :raises DatacenterNotFound: for an unknown datacenter.
    """
    container = session.find_datacenter(datacenter)
    names = read_names(session, container)
    records = []
    for moref, (_obj, props) in session.retrieve(
            vim.VirtualMachine, VM_PATHS, container=container).items():
        if props.get('config.template'):
            continue
        records.append(vm_record(moref, props, names))
    LOG.debug('Read %d VMs from source %s', len(records),
              session.source.uuid)
    return records

"""Conversion of vSphere properties into inventory records."""

from pyVmomi import vim

from xms.sources.vsphere import inventory
from xms.tests import base

Dev = vim.vm.device


def _names():
    names = inventory.InventoryNames()
    names.hosts['host-1'] = ('esx1', 'Cluster-A')
    names.datastores['datastore-1'] = 'SAN-1'
    names.networks['network-1'] = 'VM Network'
    names.portgroups['dvportgroup-7'] = 'PG-Web'
    names.parents.update({
        'folder-web': ('web', 'folder-vm'),
        'folder-vm': ('vm', 'datacenter-2'),
        'datacenter-2': ('DC-Paris', 'folder-root'),
        'folder-root': ('Datacenters', None)})
    names.datacenters.add('datacenter-2')
    return names


def _devices():
    scsi = Dev.ParaVirtualSCSIController(key=1000, busNumber=0)
    sata = Dev.VirtualAHCIController(key=15000, busNumber=0)
    disk = Dev.VirtualDisk(
        key=2000, controllerKey=1000, unitNumber=0,
        capacityInKB=1024, capacityInBytes=10 * 1024 ** 3,
        deviceInfo=vim.Description(label='Hard disk 1', summary=''),
        backing=Dev.VirtualDisk.FlatVer2BackingInfo(
            fileName='[SAN-1] web1/web1.vmdk', diskMode='persistent',
            thinProvisioned=True, sharing='sharingNone', uuid='6000-1',
            datastore=vim.Datastore('datastore-1')))
    rdm = Dev.VirtualDisk(
        key=2001, controllerKey=15000, unitNumber=1, capacityInKB=2048,
        deviceInfo=vim.Description(label='Hard disk 2', summary=''),
        backing=Dev.VirtualDisk.RawDiskMappingVer1BackingInfo(
            fileName='[SAN-1] web1/web1_1.vmdk', compatibilityMode=
            'physicalMode', diskMode='independent_persistent',
            sharing='sharingMultiWriter'))
    nic1 = Dev.VirtualVmxnet3(
        key=4000, macAddress='00:50:56:aa:bb:cc',
        deviceInfo=vim.Description(label='Network adapter 1', summary=''),
        connectable=Dev.VirtualDevice.ConnectInfo(connected=True),
        backing=Dev.VirtualEthernetCard.NetworkBackingInfo(
            deviceName='VM Network', network=vim.Network('network-1')))
    nic2 = Dev.VirtualE1000e(
        key=4001, macAddress='00:50:56:aa:bb:cd',
        deviceInfo=vim.Description(label='Network adapter 2', summary=''),
        backing=Dev.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(portgroupKey='dvportgroup-7',
                                        switchUuid='x')))
    return [scsi, sata, disk, rdm, nic1, nic2,
            Dev.VirtualCdrom(key=3000, controllerKey=200)]


def _snapshots():
    Tree = vim.vm.SnapshotTree
    child = Tree(name='b', snapshot=vim.vm.Snapshot('snapshot-2'),
                 childSnapshotList=[])
    root = Tree(name='a', snapshot=vim.vm.Snapshot('snapshot-1'),
                childSnapshotList=[child])
    return vim.vm.SnapshotInfo(rootSnapshotList=[root])


class TestVmRecord(base.TestCase):

    def test_full_record(self):
        props = {
            'name': 'web1', 'config.uuid': 'bios-uuid',
            'config.instanceUuid': 'inst-uuid',
            'runtime.powerState': 'poweredOn',
            'config.guestId': 'windows9Server64Guest',
            'config.guestFullName': 'Microsoft Windows Server 2016',
            'config.firmware': 'efi',
            'config.bootOptions.efiSecureBootEnabled': True,
            'config.version': 'vmx-14', 'config.hardware.numCPU': 4,
            'config.hardware.numCoresPerSocket': 2,
            'config.hardware.memoryMB': 8192,
            'config.hardware.device': _devices(),
            'config.changeTrackingEnabled': True,
            'snapshot': _snapshots(),
            'runtime.consolidationNeeded': False,
            'guest.toolsRunningStatus': 'guestToolsRunning',
            'guest.toolsVersionStatus2': 'guestToolsCurrent',
            'guest.toolsVersion': '12352',
            'runtime.host': vim.HostSystem('host-1'),
            'parent': vim.Folder('folder-web'),
        }
        record = inventory.vm_record('vm-42', props, _names())
        disks = record.pop('disks')
        nics = record.pop('nics')
        self.assertEqual({
            'moref': 'vm-42', 'name': 'web1', 'bios_uuid': 'bios-uuid',
            'instance_uuid': 'inst-uuid', 'power_state': 'poweredOn',
            'guest_id': 'windows9Server64Guest',
            'guest_family': 'windowsGuest',
            'guest_full_name': 'Microsoft Windows Server 2016',
            'firmware': 'efi', 'secure_boot': True,
            'hardware_version': 'vmx-14', 'num_cpus': 4,
            'cores_per_socket': 2, 'memory_mb': 8192, 'cbt_enabled': True,
            'snapshot_count': 2, 'consolidation_needed': False,
            'tools_status': 'running', 'tools_version': '12352',
            'esxi_host': 'esx1', 'cluster': 'Cluster-A',
            'folder': '/DC-Paris/vm/web', 'datacenter': 'DC-Paris'},
            record)
        self.assertEqual([{
            'device_key': 2000, 'label': 'Hard disk 1',
            'capacity_bytes': 10 * 1024 ** 3, 'datastore': 'SAN-1',
            'file_name': '[SAN-1] web1/web1.vmdk',
            'controller_type': 'pvscsi', 'controller_key': 1000,
            'unit_number': 0, 'disk_mode': 'persistent',
            'sharing': 'sharingNone', 'thin_provisioned': True,
            'is_rdm': False, 'backing_uuid': '6000-1'}, {
            'device_key': 2001, 'label': 'Hard disk 2',
            'capacity_bytes': 2048 * 1024, 'datastore': 'SAN-1',
            'file_name': '[SAN-1] web1/web1_1.vmdk',
            'controller_type': 'sata', 'controller_key': 15000,
            'unit_number': 1, 'disk_mode': 'independent_persistent',
            'sharing': 'sharingMultiWriter', 'thin_provisioned': None,
            'is_rdm': True, 'backing_uuid': None}], disks)
        self.assertEqual([{
            'device_key': 4000, 'label': 'Network adapter 1',
            'network_name': 'VM Network', 'network_moref': 'network-1',
            'mac_address': '00:50:56:aa:bb:cc', 'adapter_type': 'vmxnet3',
            'connected': True}, {
            'device_key': 4001, 'label': 'Network adapter 2',
            'network_name': 'PG-Web', 'network_moref': 'dvportgroup-7',
            'mac_address': '00:50:56:aa:bb:cd', 'adapter_type': 'e1000e',
            'connected': None}], nics)

    def test_minimal_record(self):
        record = inventory.vm_record('vm-1', {}, inventory.InventoryNames())
        self.assertEqual('vm-1', record['name'])
        self.assertEqual(0, record['snapshot_count'])
        self.assertFalse(record['cbt_enabled'])
        self.assertIsNone(record['secure_boot'])
        self.assertIsNone(record['folder'])
        self.assertEqual([], record['disks'])


class TestHelpers(base.TestCase):

    def test_guest_family(self):
        for guest_id, reported, family in (
                ('rhel7_64Guest', None, 'linuxGuest'),
                ('debian10_64Guest', None, 'linuxGuest'),
                ('ubuntu64Guest', None, 'linuxGuest'),
                ('other4xLinux64Guest', None, 'linuxGuest'),
                ('windows9Server64Guest', None, 'windowsGuest'),
                ('winNetStandardGuest', None, 'windowsGuest'),
                ('darwin64Guest', None, 'darwinGuest'),
                ('solaris11_64Guest', None, 'solarisGuest'),
                ('freebsd64Guest', None, 'otherGuest'),
                ('otherGuest', 'linuxGuest', 'linuxGuest'),
                (None, None, None)):
            self.assertEqual(family,
                             inventory.guest_family(guest_id, reported),
                             guest_id)

    def test_tools_status(self):
        for props, status in (
                ({'guest.toolsVersionStatus2': 'guestToolsNotInstalled',
                  'guest.toolsRunningStatus': 'guestToolsNotRunning'},
                 'notInstalled'),
                ({'guest.toolsRunningStatus': 'guestToolsRunning'},
                 'running'),
                ({'guest.toolsRunningStatus': 'guestToolsNotRunning'},
                 'notRunning'),
                ({}, None)):
            self.assertEqual(status, inventory.tools_status(props))

    def test_split_datastore_path(self):
        self.assertEqual(('ds 1', 'vm/a.vmdk'),
                         inventory.split_datastore_path('[ds 1] vm/a.vmdk'))
        self.assertEqual((None, 'x'), inventory.split_datastore_path('x'))

    def test_disk_capacity_prefers_bytes(self):
        self.assertEqual(5, inventory.disk_capacity(
            Dev.VirtualDisk(capacityInKB=1, capacityInBytes=5)))
        self.assertEqual(2048, inventory.disk_capacity(
            Dev.VirtualDisk(capacityInKB=2)))

    def test_walk_snapshots(self):
        self.assertEqual(['a', 'b'], [n.name for n in
                                      inventory.walk_snapshots(_snapshots())])
        self.assertEqual([], list(inventory.walk_snapshots(None)))

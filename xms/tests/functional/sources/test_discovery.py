"""Discovery of vcsim's inventory into the DB, and rescans."""

from pyVmomi import vim
import requests

from xms.db import api as db_api
from xms.tests.functional.fixtures import vcsim
from xms.tests.functional.sources import base


class TestDiscovery(base.VSphereTestCase):

    def _vms(self, source=None):
        source = source or self.source
        return {vm.name: vm for vm in db_api.vm_list(
            self.ctx, filters={'source_id': source.id})}

    def _reconfigure(self, vm_name, **spec):
        vm = self.sim.find_vm(vm_name)
        self.sim.wait_for_task(vm.ReconfigVM_Task(
            spec=vim.vm.ConfigSpec(**spec)))
        return vm

    def test_discover_every_field(self):
        vm = self._reconfigure(
            'DC0_H0_VM1', numCPUs=4, numCoresPerSocket=2, memoryMB=2048,
            guestId='rhel7_64Guest', firmware='efi',
            bootOptions=vim.vm.BootOptions(efiSecureBootEnabled=True))
        self.sim.wait_for_task(vm.CreateSnapshot_Task(
            name='user-snap', memory=False, quiesce=False))
        extra_disk = self.sim.add_disk('DC0_H0_VM1', 4 * 1024 * 1024)

        summary = self.driver.discover(self.ctx, self.source)

        self.assertEqual({'vms': 4, 'added': 4, 'updated': 0,
                          'missing': 0}, summary)
        source = self.reload_source()
        self.assertEqual('completed', source.discovery_status)
        self.assertIsNotNone(source.discovery_started_at)
        self.assertIsNotNone(source.discovery_finished_at)
        self.assertIsNone(source.discovery_error)

        vms = self._vms()
        self.assertEqual({'DC0_H0_VM0', 'DC0_H0_VM1', 'DC0_C0_RP0_VM0',
                          'DC0_C0_RP0_VM1'}, set(vms))
        row = vms['DC0_H0_VM1']
        self.assertEqual(vm._moId, row.moref)
        self.assertEqual('project-1', row.project_id)
        self.assertEqual(vm.config.uuid, row.bios_uuid)
        self.assertEqual(vm.config.instanceUuid, row.instance_uuid)
        self.assertEqual('poweredOn', row.power_state)
        self.assertEqual('rhel7_64Guest', row.guest_id)
        self.assertEqual('linuxGuest', row.guest_family)
        self.assertEqual(vm.config.guestFullName, row.guest_full_name)
        self.assertEqual('efi', row.firmware)
        self.assertTrue(row.secure_boot)
        self.assertEqual(vm.config.version, row.hardware_version)
        self.assertEqual(4, row.num_cpus)
        self.assertEqual(2, row.cores_per_socket)
        self.assertEqual(2048, row.memory_mb)
        self.assertFalse(row.cbt_enabled)
        self.assertEqual(1, row.snapshot_count)
        self.assertIn(row.tools_status, ('notRunning', 'running',
                                         'notInstalled'))
        self.assertEqual('DC0_H0', row.esxi_host)
        self.assertIsNone(row.cluster)
        self.assertEqual('/DC0/vm', row.folder)
        self.assertEqual('DC0', row.datacenter)
        self.assertFalse(row.missing)
        self.assertIsNotNone(row.last_seen_at)

        self.assertEqual('DC0_C0', vms['DC0_C0_RP0_VM0'].cluster)
        self.assertTrue(vms['DC0_C0_RP0_VM0'].esxi_host.startswith(
            'DC0_C0_H'))
        self.assertEqual('bios', vms['DC0_H0_VM0'].firmware)
        self.assertFalse(vms['DC0_H0_VM0'].secure_boot)

        disks = {d.device_key: d for d in row.disks}
        self.assertEqual(2, len(disks))
        live = {d.key: d for d in self.sim.disks('DC0_H0_VM1')}
        for key, disk in disks.items():
            self.assertEqual(live[key].deviceInfo.label, disk.label)
            self.assertEqual('LocalDS_0', disk.datastore)
            self.assertEqual(live[key].backing.fileName, disk.file_name)
            self.assertEqual('pvscsi', disk.controller_type)
            self.assertEqual(live[key].controllerKey, disk.controller_key)
            self.assertEqual(live[key].unitNumber, disk.unit_number)
            self.assertEqual('persistent', disk.disk_mode)
            self.assertTrue(disk.thin_provisioned)
            self.assertFalse(disk.is_rdm)
        self.assertEqual(4 * 1024 * 1024, disks[extra_disk].capacity_bytes)
        first = min(k for k in disks if k != extra_disk)
        self.assertEqual(1024 * 1024, disks[first].capacity_bytes)

        self.assertEqual(1, len(row.nics))
        nic = row.nics[0]
        live_nic = next(d for d in vm.config.hardware.device
                        if isinstance(d, vim.vm.device.VirtualEthernetCard))
        self.assertEqual(live_nic.key, nic.device_key)
        self.assertEqual(live_nic.macAddress, nic.mac_address)
        self.assertEqual('e1000', nic.adapter_type)
        self.assertEqual('DC0_DVPG0', nic.network_name)
        self.assertEqual('dvportgroup-13', nic.network_moref)
        self.assertEqual(live_nic.deviceInfo.label, nic.label)
        self.assertIsNotNone(nic.connected)

    def test_rescan_updates_in_place_and_marks_missing(self):
        self.driver.discover(self.ctx, self.source)
        before = self._vms()

        self._reconfigure('DC0_H0_VM0', numCPUs=8)
        gone = self.sim.find_vm('DC0_C0_RP0_VM1')
        self.sim.wait_for_task(gone.PowerOffVM_Task())
        self.sim.wait_for_task(gone.Destroy_Task())

        summary = self.driver.discover(self.ctx, self.source)

        self.assertEqual({'vms': 3, 'added': 0, 'updated': 3,
                          'missing': 1}, summary)
        after = self._vms()
        self.assertEqual(set(before), set(after))
        for name, vm in after.items():
            self.assertEqual(before[name].uuid, vm.uuid)
            self.assertEqual(before[name].id, vm.id)
            self.assertEqual([d.id for d in before[name].disks],
                             [d.id for d in vm.disks])
        self.assertEqual(8, after['DC0_H0_VM0'].num_cpus)
        self.assertTrue(after['DC0_C0_RP0_VM1'].missing)
        self.assertFalse(after['DC0_H0_VM0'].missing)

    def test_limited_to_datacenter(self):
        sim = self.useFixture(vcsim.VcsimFixture(datacenters=2))
        source = self.make_source(sim, name='dc1', datacenter='DC1')
        summary = self.driver.discover(self.ctx, source)
        vms = self._vms(source)
        self.assertEqual(summary['vms'], len(vms))
        self.assertTrue(vms)
        self.assertEqual({'DC1'}, {vm.datacenter for vm in vms.values()})
        self.assertTrue(all(name.startswith('DC1_') for name in vms))


class TestStandaloneEsxi(base.VSphereTestCase):

    vcsim_kwargs = {'esx': True, 'vms': 2}

    def test_discover_and_read_a_snapshot_disk(self):
        summary = self.driver.discover(self.ctx, self.source)
        self.assertEqual(2, summary['vms'])
        vms = {vm.name: vm for vm in db_api.vm_list(self.ctx)}
        name = sorted(vms)[0]
        vm = vms[name]
        self.assertEqual('ha-datacenter', vm.datacenter)
        self.assertEqual('/ha-datacenter/vm', vm.folder)
        self.assertIsNotNone(vm.esxi_host)

        content = bytes(range(256)) * 4096     # 1 MiB
        self.sim.put_disk(name, content)
        job = self.make_job(name)
        snap = self.driver.create_snapshot(self.ctx, self.source, vm.moref,
                                           job.id, 'export')
        disk = self.driver.disk_url(self.ctx, self.source, vm.moref,
                                    snap.snapshot_moref,
                                    vm.disks[0].device_key)
        self.assertIn('dcPath=ha-datacenter', disk['url'])
        resp = requests.get(disk['url'], verify=self.sim.cert_file,
                            headers={'Cookie': disk['cookie']}, timeout=30)
        resp.raise_for_status()
        self.assertEqual(content, resp.content)

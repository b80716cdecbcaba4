"""Changed Block Tracking on vcsim's CBT extension, and disk URLs."""

import os

from pyVmomi import vim
import requests

from xms.db import api as db_api
from xms.sources import exception
from xms.tests.functional.sources import base

KIB = 1024
MIB = 1024 * KIB
BLOCK = 64 * KIB   # the simulator's change tracking granularity
VM = 'DC0_H0_VM0'


class TestCBT(base.VSphereTestCase):

    vcsim_kwargs = {'cbt_block_size': BLOCK}

    def setUp(self):
        super().setUp()
        self.job = self.make_job(VM)
        self.vm = self.vm_moref(VM)
        # 4 MiB disk: data in blocks 0, 1 and 10, the rest zero.
        content = bytearray(4 * MIB)
        content[0:2 * BLOCK] = os.urandom(2 * BLOCK)
        content[10 * BLOCK:11 * BLOCK] = os.urandom(BLOCK)
        self.content = bytes(content)
        self.sim.put_disk(VM, self.content)
        self.key = self.sim.disks(VM)[0].key

    def _snapshot(self, purpose):
        return self.driver.create_snapshot(self.ctx, self.source, self.vm,
                                           self.job.id, purpose)

    def _areas(self, snap, change_id):
        return self.driver.query_changed_areas(
            self.ctx, self.source, self.vm, snap.snapshot_moref, self.key,
            change_id)

    def _enable(self):
        self.assertTrue(self.driver.enable_cbt(self.ctx, self.source,
                                               self.vm))

    def test_enable_with_stun_snapshot(self):
        self._enable()
        self.assertTrue(self.sim.find_vm(VM).config.changeTrackingEnabled)
        stun = [r for r in db_api.snapshot_list(self.ctx)
                if r.purpose == 'cbt-stun']
        self.assertEqual(1, len(stun))
        self.assertEqual('removed', stun[0].state)
        self.assertIsNone(self.sim.find_vm(VM).snapshot)
        # Enabling again is a no-op.
        self.assertFalse(self.driver.enable_cbt(self.ctx, self.source,
                                                self.vm))

    def test_changed_areas_are_exactly_the_written_blocks(self):
        self._enable()
        base_snap = self._snapshot('full')
        ids = self.driver.get_change_ids(self.ctx, self.source, self.vm,
                                         base_snap.snapshot_moref)
        self.assertEqual([self.key], list(ids))
        first_id = ids[self.key]
        self.assertTrue(first_id)

        # '*' is the allocated areas: blocks 0-1 and 10.
        self.assertEqual([(0, 2 * BLOCK), (10 * BLOCK, BLOCK)],
                         self._areas(base_snap, '*'))

        # The guest writes: part of block 3, blocks 5-6 (one write
        # straddling both), and the last block.
        self.sim.write_live_disk(VM, 3 * BLOCK + 100, b'a' * 10)
        self.sim.write_live_disk(VM, 6 * BLOCK - 5, b'b' * 10)
        self.sim.write_live_disk(VM, 4 * MIB - 1, b'c')
        next_snap = self._snapshot('sync1')
        second_id = self.driver.get_change_ids(
            self.ctx, self.source, self.vm, next_snap.snapshot_moref)[
                self.key]
        self.assertNotEqual(first_id, second_id)

        self.assertEqual(
            [(3 * BLOCK, BLOCK), (5 * BLOCK, 2 * BLOCK),
             (4 * MIB - BLOCK, BLOCK)],
            self._areas(next_snap, first_id))
        # Nothing changed between a snapshot and itself.
        self.assertEqual([], self._areas(next_snap, second_id))

    def test_snapshot_content_stays_frozen(self):
        self._enable()
        snap = self._snapshot('full')
        self.sim.write_live_disk(VM, 0, b'x' * BLOCK)
        disk = self.driver.disk_url(self.ctx, self.source, self.vm,
                                    snap.snapshot_moref, self.key)
        self.assertEqual(4 * MIB, disk['capacity_bytes'])
        self.assertTrue(disk['url'].startswith(
            'https://%s:%d/folder/' % (self.sim.host, self.sim.port)))
        self.assertIn('dcPath=DC0', disk['url'])
        self.assertIn('dsName=LocalDS_0', disk['url'])
        self.assertIn('vmware_soap_session', disk['cookie'])
        resp = requests.get(disk['url'], verify=self.sim.cert_file,
                            headers={'Cookie': disk['cookie'],
                                     'Range': 'bytes=0-%d' % (2 * BLOCK - 1)},
                            timeout=30)
        resp.raise_for_status()
        self.assertEqual(self.content[:2 * BLOCK], resp.content)
        self.assertEqual(b'x' * BLOCK, self.sim.read_live_disk(VM, 0, BLOCK))

    def test_reset_change_id_detected(self):
        self._enable()
        snap = self._snapshot('full')
        old_id = self.driver.get_change_ids(
            self.ctx, self.source, self.vm, snap.snapshot_moref)[self.key]
        self.driver.remove_snapshot(self.ctx, self.source, snap)
        # Tracking is reset: turned off and on again (new epoch).
        vm = self.sim.find_vm(VM)
        self.sim.wait_for_task(vm.ReconfigVM_Task(
            spec=vim.vm.ConfigSpec(changeTrackingEnabled=False)))
        self._enable()
        snap = self._snapshot('sync1')
        exc = self.assertRaises(exception.ChangeIdReset, self._areas, snap,
                                old_id)
        self.assertEqual(409, exc.code)
        # An id of the right epoch that vSphere never issued: the fault
        # vSphere raises is reported as a reset too.
        new_id = self.driver.get_change_ids(
            self.ctx, self.source, self.vm, snap.snapshot_moref)[self.key]
        bogus = new_id.rsplit('/', 1)[0] + '/999'
        self.assertRaises(exception.ChangeIdReset, self._areas, snap, bogus)

    def test_old_hardware_refused(self):
        vm = self.sim.find_vm(VM)
        self.sim.wait_for_task(vm.PowerOffVM_Task())
        self.sim.wait_for_task(vm.ReconfigVM_Task(
            spec=vim.vm.ConfigSpec(version='vmx-04')))
        self.assertRaises(exception.CBTNotAvailable, self.driver.enable_cbt,
                          self.ctx, self.source, self.vm)


class TestPagedCBT(base.VSphereTestCase):
    """The simulator answers at most 2 areas or 1 MiB per call."""

    vcsim_kwargs = {'cbt_block_size': BLOCK, 'cbt_max_areas': 2,
                    'cbt_max_span': MIB}

    def test_pages_are_joined(self):
        job = self.make_job(VM)
        vm = self.vm_moref(VM)
        content = bytearray(4 * MIB)
        for block in range(0, 64, 3):     # every third block has data
            content[block * BLOCK] = 1
        self.sim.put_disk(VM, bytes(content))
        key = self.sim.disks(VM)[0].key
        self.driver.enable_cbt(self.ctx, self.source, vm)
        snap = self.driver.create_snapshot(self.ctx, self.source, vm,
                                           job.id, 'full')
        areas = self.driver.query_changed_areas(
            self.ctx, self.source, vm, snap.snapshot_moref, key, '*')
        self.assertEqual([(b * BLOCK, BLOCK) for b in range(0, 64, 3)],
                         areas)


class TestPower(base.VSphereTestCase):

    def test_power_cycle(self):
        vm = self.vm_moref(VM)
        self.assertEqual('poweredOn', self.driver.power_state(
            self.ctx, self.source, vm))
        how = self.driver.power_off(self.ctx, self.source, vm, timeout=1)
        self.assertIn(how, ('guest_shutdown', 'hard_power_off'))
        self.assertEqual('poweredOff', self.driver.power_state(
            self.ctx, self.source, vm))
        self.assertEqual('already_off', self.driver.power_off(
            self.ctx, self.source, vm, timeout=1))
        self.assertTrue(self.driver.power_on(self.ctx, self.source, vm))
        self.assertEqual('poweredOn', self.driver.power_state(
            self.ctx, self.source, vm))
        self.assertFalse(self.driver.power_on(self.ctx, self.source, vm))

    def test_unknown_vm(self):
        self.assertRaises(exception.SourceVmNotFound,
                          self.driver.power_on, self.ctx, self.source,
                          'vm-424242')

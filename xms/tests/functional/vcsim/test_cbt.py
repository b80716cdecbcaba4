"""Changed Block Tracking in our vcsim behaves as vSphere's does."""

import os

from pyVmomi import vim
from pyVmomi import vmodl

from xms.tests.functional.vcsim import base

BLOCK = base.BLOCK
MIB = 1024 * 1024


class TestChangedDiskAreas(base.VcsimTestCase):

    def test_change_id_shown_in_snapshot_and_live_config(self):
        self.put_blocks(MIB, [0])
        self.set_cbt(True)
        live_id = self.disk().backing.changeId
        epoch, _, seq = live_id.rpartition('/')
        # vSphere's shape: "52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx/N"
        self.assertRegex(
            epoch, r'^52( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}$')
        self.assertEqual('0', seq)

        snap = self.snapshot()
        snap_id = self.disk(snap.config).backing.changeId
        self.assertEqual(epoch + '/1', snap_id)
        self.assertEqual(snap_id, self.disk().backing.changeId)

        snap2 = self.snapshot('second')
        self.assertEqual(epoch + '/2',
                         self.disk(snap2.config).backing.changeId)
        # The first snapshot's config keeps its own change id.
        self.assertEqual(snap_id, self.disk(snap.config).backing.changeId)

    def test_areas_equal_written_blocks(self):
        size = 4 * MIB
        self.put_blocks(size, [0, 5, 6, 40])
        self.set_cbt(True)
        snap1 = self.snapshot()
        change_id = self.disk(snap1.config).backing.changeId

        # Unaligned writes mark every block they touch; two adjacent
        # blocks merge into one run.
        self.sim.write_live_disk(base.VM_NAME, 10 * BLOCK + 100, b'a' * 10)
        self.sim.write_live_disk(base.VM_NAME, 21 * BLOCK - 1, b'bb')
        self.sim.write_live_disk(base.VM_NAME, 63 * BLOCK, b'c' * BLOCK)
        # Overwriting data with zeros is a change too.
        self.sim.write_live_disk(base.VM_NAME, 5 * BLOCK, bytes(BLOCK))
        snap2 = self.snapshot('second')

        areas, _ = self.all_areas(snap2, change_id)
        self.assertEqual(base.runs([5, 10, 20, 21, 63]), areas)

        # Nothing changed between snap2 and its own change id.
        areas, _ = self.all_areas(
            snap2, self.disk(snap2.config).backing.changeId)
        self.assertEqual([], areas)

    def test_star_returns_allocated_areas(self):
        blocks = [0, 1, 2, 9, 30, 31, 63]
        self.put_blocks(4 * MIB, blocks)
        self.set_cbt(True)
        snap = self.snapshot()
        info = self.query(snap, '*')
        self.assertEqual(0, info.startOffset)
        self.assertEqual(4 * MIB, info.length)
        self.assertEqual(base.runs(blocks),
                         [(a.start, a.length) for a in info.changedArea])

    def test_change_id_of_removed_snapshot_stays_valid(self):
        # Incremental backups remove the snapshot and keep its change id.
        self.put_blocks(MIB, [1])
        self.set_cbt(True)
        snap1 = self.snapshot()
        change_id = self.disk(snap1.config).backing.changeId
        self.sim.wait_for_task(snap1.RemoveSnapshot_Task(
            removeChildren=False))
        self.sim.write_live_disk(base.VM_NAME, 3 * BLOCK, b'x')
        snap2 = self.snapshot('second')
        self.assertEqual(base.runs([3]),
                         self.all_areas(snap2, change_id)[0])

    def test_live_change_id_before_first_snapshot(self):
        self.put_blocks(MIB, [1])
        self.set_cbt(True)
        change_id = self.disk().backing.changeId
        self.sim.write_live_disk(base.VM_NAME, 7 * BLOCK, b'x')
        snap = self.snapshot()
        self.assertEqual(base.runs([7]), self.all_areas(snap, change_id)[0])


class TestChangedDiskAreasFaults(base.VcsimTestCase):

    def test_reset_change_id_raises_file_fault(self):
        self.put_blocks(MIB, [0])
        self.set_cbt(True)
        snap1 = self.snapshot()
        old_id = self.disk(snap1.config).backing.changeId

        # Disabling and enabling CBT is a reset: a new epoch.
        self.set_cbt(False)
        self.assertIsNone(self.disk().backing.changeId)
        self.set_cbt(True)
        snap2 = self.snapshot('after-reset')
        new_id = self.disk(snap2.config).backing.changeId
        self.assertNotEqual(old_id.rpartition('/')[0],
                            new_id.rpartition('/')[0])

        exc = self.assertRaises(vim.fault.FileFault,
                                self.query, snap2, old_id)
        self.assertIn('Error caused by file', exc.msg)
        self.assertTrue(exc.file.endswith('disk1.vmdk'), exc.file)
        # The snapshot taken before the reset cannot answer either.
        self.assertRaises(vim.fault.FileFault, self.query, snap1, '*')
        # The new epoch works.
        self.assertEqual([], self.all_areas(snap2, new_id)[0])

    def test_unknown_change_id_raises_file_fault(self):
        self.put_blocks(MIB, [0])
        self.set_cbt(True)
        snap = self.snapshot()
        epoch = self.disk(snap.config).backing.changeId.rpartition('/')[0]
        for change_id in (epoch + '/99', 'garbage',
                          '52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/1'):
            self.assertRaises(vim.fault.FileFault,
                              self.query, snap, change_id)

    def test_snapshot_without_cbt_raises_file_fault(self):
        self.put_blocks(MIB, [0])
        snap = self.snapshot()
        self.assertIsNone(self.disk(snap.config).backing.changeId)
        self.assertRaises(vim.fault.FileFault, self.query, snap, '*')

    def test_bad_offset_and_device_key(self):
        self.put_blocks(MIB, [0])
        self.set_cbt(True)
        snap = self.snapshot()
        exc = self.assertRaises(vmodl.fault.InvalidArgument,
                                self.query, snap, '*', MIB)
        self.assertEqual('startOffset', exc.invalidProperty)
        exc = self.assertRaises(
            vmodl.fault.InvalidArgument, self.vm.QueryChangedDiskAreas,
            snapshot=snap, deviceKey=-42, startOffset=0, changeId='*')
        self.assertEqual('deviceKey', exc.invalidProperty)


class TestChangedDiskAreasPaging(base.VcsimTestCase):

    fixture_kwargs = {'cbt_max_areas': 4}

    def test_paging_by_area_count(self):
        blocks = list(range(0, 128, 3))  # 43 separate areas
        self.put_blocks(8 * MIB, blocks)
        self.set_cbt(True)
        snap = self.snapshot()
        info = self.query(snap, '*')
        self.assertEqual(4, len(info.changedArea))
        self.assertLess(info.length, 8 * MIB)
        areas, calls = self.all_areas(snap, '*')
        self.assertEqual(base.runs(blocks), areas)
        self.assertEqual(11, calls)


class TestChangedDiskAreasSpan(base.VcsimTestCase):

    fixture_kwargs = {'cbt_max_span': 1024 * 1024}

    def test_paging_by_span(self):
        # A run crossing a page boundary is split between two pages.
        blocks = [15, 16, 40]
        self.put_blocks(4 * MIB, blocks)
        self.set_cbt(True)
        snap = self.snapshot()
        first = self.query(snap, '*')
        self.assertEqual(MIB, first.length)
        self.assertEqual([(15 * BLOCK, BLOCK)],
                         [(a.start, a.length) for a in first.changedArea])
        areas, calls = self.all_areas(snap, '*')
        self.assertEqual(base.runs(blocks), areas)
        self.assertEqual(4, calls)


class TestFrozenSnapshotDisk(base.VcsimTestCase):

    def flat(self, snapshot):
        return self.disk(snapshot.config).backing.fileName.replace(
            '.vmdk', '-flat.vmdk')

    def test_snapshot_content_stays_frozen(self):
        original = self.put_blocks(2 * MIB, [0, 3, 17])
        self.set_cbt(True)
        snap = self.snapshot()
        snap_disk = self.disk(snap.config)
        live_disk = self.disk()
        self.assertNotEqual(live_disk.backing.fileName,
                            snap_disk.backing.fileName)
        self.assertEqual(2 * MIB, snap_disk.capacityInBytes)

        new = os.urandom(BLOCK)
        self.sim.write_live_disk(base.VM_NAME, 3 * BLOCK, new)
        self.sim.write_live_disk(base.VM_NAME, 5 * BLOCK, new)

        # Over HTTPS with Range, as nbdkit's curl plugin reads it.
        path = self.flat(snap)
        self.assertEqual(original[3 * BLOCK:6 * BLOCK],
                         self.sim.read_datastore_file(path, 3 * BLOCK,
                                                      3 * BLOCK))
        self.assertEqual(original, self.sim.read_datastore_file(path))
        self.assertEqual(new, self.sim.read_live_disk(
            base.VM_NAME, 5 * BLOCK, BLOCK))

    def test_snapshot_is_frozen_without_cbt(self):
        original = self.put_blocks(MIB, [2])
        snap = self.snapshot()
        self.sim.write_live_disk(base.VM_NAME, 2 * BLOCK, b'x' * BLOCK)
        self.assertEqual(original,
                         self.sim.read_datastore_file(self.flat(snap)))

    def test_remove_snapshot_deletes_frozen_copy(self):
        self.put_blocks(MIB, [2])
        self.set_cbt(True)
        snap = self.snapshot()
        descriptor = self.sim.local_path(
            self.disk(snap.config).backing.fileName)
        flat = self.sim.local_path(self.flat(snap))
        self.assertTrue(os.path.exists(descriptor))
        self.assertTrue(os.path.exists(flat))

        # pyvmomi's WaitForTask works on RemoveSnapshot (its task names
        # the VM as entity, as vSphere does).
        task = snap.RemoveSnapshot_Task(removeChildren=False)
        self.sim.wait_for_task(task)
        self.assertEqual(self.vm, task.info.entity)
        self.assertEqual(base.VM_NAME, task.info.entityName)
        self.assertFalse(os.path.exists(descriptor))
        self.assertFalse(os.path.exists(flat))
        # The live disk is untouched.
        self.assertTrue(os.path.exists(self.sim.local_path(
            self.disk().backing.fileName)))

    def test_removing_children_and_all_snapshots_deletes_copies(self):
        self.put_blocks(MIB, [2])
        parent = self.snapshot('parent')
        child = self.snapshot('child')
        files = [self.sim.local_path(self.flat(s)) for s in (parent, child)]
        self.sim.wait_for_task(parent.RemoveSnapshot_Task(
            removeChildren=True))
        self.assertEqual([False, False], [os.path.exists(f) for f in files])

        one = self.snapshot('one')
        two = self.snapshot('two')
        files = [self.sim.local_path(self.flat(s)) for s in (one, two)]
        self.sim.wait_for_task(self.vm.RemoveAllSnapshots_Task())
        self.assertEqual([False, False], [os.path.exists(f) for f in files])
        self.assertIsNone(self.vm.snapshot)


class TestSeveralDisks(base.VcsimTestCase):

    def test_each_disk_tracked_and_frozen(self):
        first = self.disk().key
        second = self.sim.add_disk(base.VM_NAME, 2 * MIB)
        self.assertNotEqual(first, second)
        self.put_blocks(MIB, [1])
        data = bytearray(2 * MIB)
        data[20 * BLOCK:21 * BLOCK] = os.urandom(BLOCK)
        self.sim.put_disk(base.VM_NAME, bytes(data), disk=second)
        self.set_cbt(True)
        snap1 = self.snapshot()
        disks = {d.key: d for d in snap1.config.hardware.device
                 if isinstance(d, vim.vm.device.VirtualDisk)}
        self.assertEqual({first, second}, set(disks))
        files = {d.backing.fileName for d in disks.values()}
        self.assertEqual(2, len(files))
        ids = {k: d.backing.changeId for k, d in disks.items()}
        self.assertNotEqual(ids[first].rpartition('/')[0],
                            ids[second].rpartition('/')[0])

        self.sim.write_live_disk(base.VM_NAME, 30 * BLOCK, b'x',
                                 disk=second)
        snap2 = self.snapshot('second')
        info = self.vm.QueryChangedDiskAreas(
            snapshot=snap2, deviceKey=second, startOffset=0,
            changeId=ids[second])
        self.assertEqual([(30 * BLOCK, BLOCK)],
                         [(a.start, a.length) for a in info.changedArea])
        info = self.vm.QueryChangedDiskAreas(
            snapshot=snap2, deviceKey=first, startOffset=0,
            changeId=ids[first])
        self.assertEqual([], list(info.changedArea))
        info = self.vm.QueryChangedDiskAreas(
            snapshot=snap2, deviceKey=second, startOffset=0, changeId='*')
        self.assertEqual([(20 * BLOCK, BLOCK), (30 * BLOCK, BLOCK)],
                         [(a.start, a.length) for a in info.changedArea])

"""Change ids, epochs and the paging of changed areas."""

import types

from pyVmomi import vim
from pyVmomi import vmodl

from xms.sources import base as source_base
from xms.sources import exception
from xms.sources.vsphere import cbt
from xms.tests import base

EPOCH = '52 aa bb cc dd ee ff 00-11 22 33 44 55 66 77 88'
MIB = 1024 * 1024


def _disk(key=2000, change_id=EPOCH + '/3', size=8 * MIB):
    return vim.vm.device.VirtualDisk(
        key=key, capacityInKB=size // 1024,
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
            fileName='[ds] a/a.vmdk', changeId=change_id))


class FakeSession:
    def __init__(self, disks, version='vmx-13', enabled=False):
        self.disks = disks
        self.values = {'config.version': version,
                       'config.changeTrackingEnabled': enabled}
        self.tasks = []
        self.source = types.SimpleNamespace(uuid='src-1')

    def prop(self, obj, path, default=None):
        if path == 'config.hardware.device':
            return self.disks
        return self.values.get(path, default)

    def wait_for_task(self, task, target=None):
        self.tasks.append(task)
        self.values['config.changeTrackingEnabled'] = True


class FakeVm:
    _moId = 'vm-1'

    def __init__(self, pages=None, fault=None):
        self.pages = list(pages or [])
        self.fault = fault
        self.calls = []

    def QueryChangedDiskAreas(self, snapshot, deviceKey, startOffset,
                              changeId):
        self.calls.append((deviceKey, startOffset, changeId))
        if self.fault is not None:
            raise self.fault
        return self.pages.pop(0)

    def ReconfigVM_Task(self, spec):
        return ('reconfigure', spec.changeTrackingEnabled)


def _page(start, length, *areas):
    return vim.VirtualMachine.DiskChangeInfo(
        startOffset=start, length=length,
        changedArea=[vim.VirtualMachine.DiskChangeInfo.DiskChangeExtent(
            start=s, length=n) for s, n in areas])


class TestChangedAreas(base.TestCase):

    def test_pages_joined_and_adjacent_merged(self):
        vm = FakeVm([_page(0, 4 * MIB, (0, MIB), (3 * MIB, MIB)),
                     _page(4 * MIB, 4 * MIB, (4 * MIB, MIB),
                           (7 * MIB, MIB))])
        areas = cbt.changed_areas(FakeSession([_disk()]), vm, None, 2000,
                                  EPOCH + '/1')
        self.assertEqual([(0, MIB), (3 * MIB, 2 * MIB), (7 * MIB, MIB)],
                         areas)
        self.assertEqual([(2000, 0, EPOCH + '/1'),
                          (2000, 4 * MIB, EPOCH + '/1')], vm.calls)

    def test_star(self):
        vm = FakeVm([_page(0, 8 * MIB)])
        self.assertEqual([], cbt.changed_areas(FakeSession([_disk()]), vm,
                                               None, 2000, '*'))

    def test_other_epoch_is_a_reset_without_asking(self):
        vm = FakeVm()
        self.assertRaises(exception.ChangeIdReset, cbt.changed_areas,
                          FakeSession([_disk()]), vm, None, 2000,
                          '52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/1')
        self.assertEqual([], vm.calls)

    def test_file_fault_is_a_reset(self):
        vm = FakeVm(fault=vim.fault.FileFault(file='a'))
        self.assertRaises(exception.ChangeIdReset, cbt.changed_areas,
                          FakeSession([_disk()]), vm, None, 2000,
                          EPOCH + '/1')

    def test_invalid_change_id_is_a_reset(self):
        vm = FakeVm(fault=vmodl.fault.InvalidArgument(
            invalidProperty='changeId'))
        self.assertRaises(exception.ChangeIdReset, cbt.changed_areas,
                          FakeSession([_disk()]), vm, None, 2000,
                          EPOCH + '/1')

    def test_other_invalid_argument_raised(self):
        vm = FakeVm(fault=vmodl.fault.InvalidArgument(
            invalidProperty='deviceKey'))
        self.assertRaises(vmodl.fault.InvalidArgument, cbt.changed_areas,
                          FakeSession([_disk()]), vm, None, 2000,
                          EPOCH + '/1')

    def test_unknown_disk(self):
        self.assertRaises(exception.DiskNotFound, cbt.changed_areas,
                          FakeSession([_disk()]), FakeVm(), None, 9, '*')

    def test_snapshot_without_change_id(self):
        self.assertRaises(exception.CBTNotAvailable, cbt.changed_areas,
                          FakeSession([_disk(change_id=None)]), FakeVm(),
                          None, 2000, '*')

    def test_no_progress_stops(self):
        vm = FakeVm([_page(0, 0)])
        self.assertEqual([], cbt.changed_areas(FakeSession([_disk()]), vm,
                                               None, 2000, '*'))


class TestEnable(base.TestCase):

    def test_enable_runs_stun(self):
        stunned = []
        session = FakeSession([])
        self.assertTrue(cbt.enable(session, FakeVm(),
                                   lambda: stunned.append(1)))
        self.assertEqual([1], stunned)
        self.assertEqual([('reconfigure', True)], session.tasks)
        self.assertFalse(cbt.enable(session, FakeVm(), stunned.clear))
        self.assertEqual([1], stunned)

    def test_old_hardware(self):
        self.assertRaises(exception.CBTNotAvailable, cbt.enable,
                          FakeSession([], version='vmx-04'), FakeVm(),
                          lambda: None)

    def test_helpers(self):
        self.assertEqual(13, source_base.hardware_version_number('vmx-13'))
        self.assertIsNone(source_base.hardware_version_number('weird'))
        self.assertIsNone(source_base.hardware_version_number(None))
        self.assertEqual(EPOCH, cbt.epoch(EPOCH + '/12'))
        self.assertIsNone(cbt.epoch('*'))
        self.assertEqual({2000: EPOCH + '/3'},
                         cbt.change_ids(FakeSession([_disk()]), None))

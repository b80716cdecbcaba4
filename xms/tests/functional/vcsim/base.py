"""Shared helpers for the tests of our vcsim (simulator + CBT)."""

import os

from pyVmomi import vim

from xms.tests import base
from xms.tests.functional.fixtures import vcsim

BLOCK = 64 * 1024
VM_NAME = 'DC0_H0_VM0'


class VcsimTestCase(base.TestCase):
    """Starts a simulator per test and gives pyvmomi helpers."""

    fixture_kwargs = {}

    def setUp(self):
        super().setUp()
        self.sim = self.useFixture(vcsim.VcsimFixture(**self.fixture_kwargs))
        self.si = self.sim.smartconnect()
        self.vm = self.sim.find_vm(VM_NAME, si=self.si)

    def disk(self, config=None):
        """The VM's first disk (in the live config, or a snapshot's)."""
        config = config or self.vm.config
        return [d for d in config.hardware.device
                if isinstance(d, vim.vm.device.VirtualDisk)][0]

    def put_blocks(self, size, blocks, seed=b''):
        """Put a disk of ``size`` bytes whose listed blocks hold data."""
        data = bytearray(size)
        for b in blocks:
            data[b * BLOCK:(b + 1) * BLOCK] = os.urandom(BLOCK)
        self.sim.put_disk(VM_NAME, bytes(data))
        return bytes(data)

    def set_cbt(self, enabled):
        spec = vim.vm.ConfigSpec(changeTrackingEnabled=enabled)
        self.sim.wait_for_task(self.vm.ReconfigVM_Task(spec=spec))

    def snapshot(self, name='xms-test'):
        task = self.vm.CreateSnapshot_Task(
            name=name, description='', memory=False, quiesce=False)
        return self.sim.wait_for_task(task)

    def query(self, snapshot, change_id, start=0):
        return self.vm.QueryChangedDiskAreas(
            snapshot=snapshot, deviceKey=self.disk().key,
            startOffset=start, changeId=change_id)

    def all_areas(self, snapshot, change_id):
        """Page through QueryChangedDiskAreas as a backup tool does.

        :returns: (list of (start, length), number of calls)
        """
        capacity = self.disk(snapshot.config).capacityInBytes
        areas, start, calls = [], 0, 0
        while start < capacity:
            info = self.query(snapshot, change_id, start)
            calls += 1
            self.assertEqual(start, info.startOffset)
            self.assertGreater(info.length, 0)
            for a in info.changedArea:
                self.assertGreaterEqual(a.start, info.startOffset)
                self.assertLessEqual(a.start + a.length,
                                     info.startOffset + info.length)
                if areas and areas[-1][0] + areas[-1][1] == a.start:
                    # A run cut by a page boundary continues here.
                    areas[-1] = (areas[-1][0], areas[-1][1] + a.length)
                else:
                    areas.append((a.start, a.length))
            start = info.startOffset + info.length
        return areas, calls


def runs(blocks, block=BLOCK):
    """Merge block numbers into (start, length) byte runs."""
    out = []
    for b in sorted(set(blocks)):
        if out and out[-1][0] + out[-1][1] == b * block:
            out[-1] = (out[-1][0], out[-1][1] + block)
        else:
            out.append((b * block, block))
    return out

"""nbdkit's curl plugin reads a snapshot's frozen disk from our vcsim.

This is how XMS copies a disk without VDDK: the snapshot's disk file, over
the datastore's HTTPS /folder URL.
"""

import nbd

from xms.tests.functional.vcsim import base

MIB = 1024 * 1024


class TestNbdkitCurlReadsSnapshot(base.VcsimTestCase):

    def test_read_frozen_disk_through_nbdkit_curl(self):
        original = self.put_blocks(2 * MIB, [0, 9, 31])
        self.set_cbt(True)
        snap = self.snapshot()
        self.sim.write_live_disk(base.VM_NAME, 9 * base.BLOCK,
                                 b'live' * 16384)

        path = self.disk(snap.config).backing.fileName.replace(
            '.vmdk', '-flat.vmdk')
        handle = nbd.NBD()
        handle.connect_command([
            'nbdkit', '--exit-with-parent', '-s', '-r', 'curl',
            'url=' + self.sim.datastore_url(path),
            'cainfo=' + self.sim.cert_file])
        self.addCleanup(handle.shutdown)
        self.assertEqual(2 * MIB, handle.get_size())
        self.assertEqual(original, handle.pread(2 * MIB, 0))

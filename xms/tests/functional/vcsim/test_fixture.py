"""The vcsim fixture and the pyvmomi 9 compatibility fixes."""

import hashlib
import ssl

from pyVim import connect
from pyVmomi import vim

from xms.tests import base as test_base
from xms.tests.functional.fixtures import vcsim
from xms.tests.functional.vcsim import base


class TestVcsimFixture(base.VcsimTestCase):

    def test_thumbprint_matches_served_certificate(self):
        pem = ssl.get_server_certificate((self.sim.host, self.sim.port))
        digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
        expected = ':'.join(digest[i:i + 2]
                            for i in range(0, 64, 2)).upper()
        self.assertEqual(expected, self.sim.thumbprint)

    def test_about_and_credentials(self):
        about = self.si.content.about
        self.assertEqual('VirtualCenter', about.apiType)
        self.assertEqual(self.sim.api_type, about.apiType)
        self.assertRaises(
            vim.fault.InvalidLogin, connect.SmartConnect,
            host=self.sim.host, port=self.sim.port,
            user=self.sim.username, pwd='wrong',
            sslContext=self.sim.ssl_context())

    def test_disks_have_uuid_and_capacity_in_bytes(self):
        # vSphere always reports both; vcsim 0.24 left them unset.
        disk = self.disk()
        self.assertEqual(1024 * 1024, disk.capacityInBytes)
        self.assertRegex(disk.backing.uuid,
                         r'^6000c29[0-9a-f]-([0-9a-f]{4}-){3}[0-9a-f]{12}$')

    def test_put_disk_sets_content_and_capacity(self):
        data = self.put_blocks(3 * 1024 * 1024, [0, 47])
        disk = self.disk(self.sim.find_vm(base.VM_NAME).config)
        self.assertEqual(3 * 1024 * 1024, disk.capacityInBytes)
        self.assertEqual(3 * 1024, disk.capacityInKB)
        flat = disk.backing.fileName.replace('.vmdk', '-flat.vmdk')
        self.assertEqual(data, self.sim.read_datastore_file(flat))
        self.sim.write_live_disk(base.VM_NAME, 5, b'hello')
        self.assertEqual(b'hello',
                         self.sim.read_live_disk(base.VM_NAME, 5, 5))

    def test_unset_property_reads_as_none(self):
        # vcsim 0.24 panicked on Fetch of an unset property; pyvmomi 9
        # reads properties with Fetch.
        self.assertIsNone(self.vm.snapshot)
        snap = self.snapshot()
        self.assertEqual(snap, self.vm.snapshot.currentSnapshot)
        self.sim.wait_for_task(self.vm.RemoveAllSnapshots_Task())
        self.assertIsNone(self.vm.snapshot)


class TestVcsimEsx(test_base.TestCase):

    def test_esx_model(self):
        sim = self.useFixture(vcsim.VcsimFixture(esx=True))
        si = sim.smartconnect()
        self.assertEqual('HostAgent', si.content.about.apiType)
        self.assertEqual('ha-datacenter', sim.datacenter)
        vm = sim.find_vm('ha-host_VM0')
        self.assertEqual('ha-host_VM0', vm.name)

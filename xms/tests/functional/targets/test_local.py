"""The local target end to end: files, domain XML, cleanup."""

import os
from xml.etree import ElementTree as ET

from xms.common import context as xms_context
from xms.targets import base
from xms.targets import cleanup
from xms.tests.functional import base as func_base

MiB = 1024 * 1024


class LocalTargetTest(func_base.FunctionalTestCase):

    DB_BACKEND = None

    def setUp(self):
        super().setUp()
        self.config(storage_driver='local', attach_driver='local',
                    compute_driver='local', network_driver='local',
                    group='target')
        self.ctx = xms_context.RequestContext(project_id='p1')
        self.job = {'uuid': 'job-42', 'vm_name': 'web-1', 'keep_target': False}
        self.disks = [{'device_key': 2000, 'capacity_bytes': 8 * MiB + 512},
                      {'device_key': 2001, 'capacity_bytes': 3 * MiB}]
        self.nics = [{'device_key': 4000, 'mac_address': '00:50:56:aa:bb:01',
                      'network_name': 'VM Network',
                      'adapter_type': 'vmxnet3'}]
        self.storage = base.get_storage_driver()
        self.attach = base.get_attach_driver()
        self.network = base.get_network_driver()
        self.compute = base.get_compute_driver()

    def _migrate(self):
        volumes = []
        for disk in self.disks:
            vol = self.storage.create_volume(self.ctx, self.job, disk)
            path = self.attach.attach(self.ctx, vol['id'])
            try:
                with open(path, 'r+b') as f:
                    f.seek(MiB)
                    f.write(b'xms-%d' % disk['device_key'])
                    os.fsync(f.fileno())
            finally:
                self.attach.detach(self.ctx, vol['id'])
            volumes.append(vol)
        self.storage.finalize_volume(
            self.ctx, volumes[0]['id'],
            {'hw_firmware_type': 'uefi', 'hw_disk_bus': 'scsi',
             'hw_vif_model': 'e1000', 'os_type': 'linux',
             'hw_machine_type': 'q35'})
        ports = self.network.create_ports(
            self.ctx, self.job, self.nics,
            [{'source_network': '*', 'network_id': 'xms-net'}])
        flavor = self.compute.best_flavor(self.ctx, 2, 2048)
        instance = self.compute.create_instance(
            self.ctx, self.job, [v['id'] for v in volumes], ports,
            flavor['id'])
        return volumes, ports, instance

    def test_migrate_and_cleanup(self):
        volumes, ports, instance = self._migrate()
        self.assertEqual(8 * MiB + 512, volumes[0]['real_size_bytes'])
        path0 = volumes[0]['path']
        self.assertEqual(8 * MiB + 512, os.path.getsize(path0))
        # Sparse: only the written block is allocated.
        self.assertLess(os.stat(path0).st_blocks * 512, 8 * MiB)
        with open(path0, 'rb') as f:
            f.seek(MiB)
            self.assertEqual(b'xms-2000', f.read(8))
        meta = self.storage.get_volume_metadata(volumes[0]['id'])
        self.assertTrue(meta['bootable'])
        self.assertEqual('uefi',
                         meta['volume_image_metadata']['hw_firmware_type'])

        # Resumed tasks find what the first run made.
        again = self.storage.create_volume(self.ctx, self.job,
                                           self.disks[0])
        self.assertFalse(again['created'])
        self.assertEqual(volumes[0]['id'], again['id'])
        self.assertEqual(ports, self.network.create_ports(
            self.ctx, self.job, self.nics,
            [{'source_network': '*', 'network_id': 'xms-net'}]))
        self.assertEqual(instance, self.compute.create_instance(
            self.ctx, self.job, [v['id'] for v in volumes], ports,
            'local-2-2048'))

        xml_path = os.path.join(self.state_path, 'target', 'job-42',
                                'domain.xml')
        dom = ET.parse(xml_path).getroot()  # noqa: S314
        self.assertEqual('web-1', dom.findtext('name'))
        self.assertEqual(instance, dom.findtext('uuid'))
        self.assertEqual('2', dom.findtext('vcpu'))
        self.assertEqual('2048', dom.findtext('memory'))
        self.assertEqual('efi', dom.find('os').get('firmware'))
        self.assertEqual('q35', dom.find('os/type').get('machine'))
        disks = dom.findall('devices/disk')
        self.assertEqual([path0, volumes[1]['path']],
                         [d.find('source').get('file') for d in disks])
        self.assertEqual(['sda', 'sdb'],
                         [d.find('target').get('dev') for d in disks])
        self.assertEqual('scsi', disks[0].find('target').get('bus'))
        self.assertEqual('1', disks[0].find('boot').get('order'))
        iface = dom.find('devices/interface')
        self.assertEqual('00:50:56:aa:bb:01',
                         iface.find('mac').get('address'))
        self.assertEqual('xms-net', iface.find('source').get('network'))
        self.assertEqual('e1000', iface.find('model').get('type'))

        result = cleanup.cleanup(
            self.ctx, self.job,
            {'instance': instance, 'ports': ports,
             'volumes': [v['id'] for v in volumes]})
        self.assertEqual([], result['errors'])
        self.assertFalse(os.path.exists(os.path.join(self.state_path,
                                                     'target', 'job-42')))

    def test_cleanup_finds_unrecorded_resources(self):
        self._migrate()
        # Nothing recorded (crash before the job saved its resources).
        result = cleanup.cleanup(self.ctx, self.job, {})
        self.assertEqual([], result['errors'])
        self.assertEqual(2, len(result['deleted']['volumes']))
        self.assertFalse(os.path.exists(os.path.join(self.state_path,
                                                     'target', 'job-42')))

    def test_keep_target(self):
        volumes, _, _ = self._migrate()
        result = cleanup.cleanup(self.ctx, dict(self.job, keep_target=True))
        self.assertTrue(result['kept'])
        self.assertTrue(os.path.exists(volumes[0]['path']))

    def test_quota(self):
        self.assertEqual([], self.storage.check_quota(self.ctx,
                                                      {'gigabytes': 1}))
        problems = self.storage.check_quota(self.ctx,
                                            {'gigabytes': 10 ** 9})
        self.assertEqual(1, len(problems))
        self.assertIn('local_dir', problems[0])

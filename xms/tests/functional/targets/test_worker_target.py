"""The worker's target tasks against the real mini-cloud.

CreateVolumes, CreatePorts, FinalizeVolumes and CreateInstance run as a
flow runs them: on a job row in MariaDB, acting in tenant1 through
alice's trust, reading every setting from the job's target spec. The
test proves each setting reaches Nova, Cinder and Neutron: the instance
name and availability zone, two volumes (one of the asked volume type),
two ports on two networks (one with the asked fixed IP and the source
MAC, one with the asked security group) and the converted guest's image
metadata on the boot volume. The REST journey (API, conductor, worker
processes) is proved elsewhere; this is its worker side.
"""

import random
import uuid

from xms.common import context
from xms.db import api as db_api
from xms.db import models
from xms.targets import base
from xms.tests.functional import base as func_base
from xms.tests.functional.fixtures import minicloud
from xms.worker.tasks import target

GiB = 1024 ** 3
MiB = 1024 ** 2
MAC1 = '00:50:56:9a:%02x:%02x' % (random.randint(0, 255),
                                  random.randint(0, 255))
MAC2 = '00:50:56:9b:%02x:%02x' % (random.randint(0, 255),
                                  random.randint(0, 255))


class WorkerTargetTasksTest(func_base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.config(storage_driver='cinder', attach_driver='osbrick',
                    compute_driver='nova', network_driver='neutron',
                    group='target')
        self.admin = self.cloud.admin_connection()
        self.ctx = context.get_admin_context()
        self.tenant = self.cloud.project_id
        suffix = uuid.uuid4().hex[:8]
        # A second network of tenant1 (alice may then choose addresses
        # on it, as the network's project) and a security group there.
        self.net2 = self.admin.network.create_network(
            name='xms-backup-%s' % suffix, project_id=self.tenant,
            provider_network_type='flat',
            provider_physical_network='xmsphys-%s' % suffix)
        self.addCleanup(self.admin.network.delete_network, self.net2,
                        ignore_missing=True)
        self.subnet2 = self.admin.network.create_subnet(
            network_id=self.net2.id, name='xms-backup-v4-%s' % suffix,
            ip_version=4, cidr='192.168.%d.0/24' % random.randint(0, 250),
            project_id=self.tenant)
        self.sg = self.admin.network.create_security_group(
            name='xms-web-%s' % suffix, project_id=self.tenant)
        self.addCleanup(self.admin.network.delete_security_group, self.sg,
                        ignore_missing=True)

    def _vm(self):
        @db_api.main_context_manager.writer
        def create(context):
            source = models.Source(
                uuid=db_api.new_uuid(), project_id=self.tenant, name='vc',
                host='vc.example.org', username='svc',
                password_encrypted='unused')
            context.session.add(source)
            context.session.flush()
            vm = models.Vm(uuid=db_api.new_uuid(), project_id=self.tenant,
                           source_id=source.id, moref='vm-42', name='web',
                           power_state='poweredOff', snapshot_count=0,
                           missing=False, num_cpus=2, memory_mb=3000)
            vm.nics.append(models.VmNic(device_key=4000, mac_address=MAC1,
                                        network_name='VM Network'))
            vm.nics.append(models.VmNic(device_key=4001, mac_address=MAC2,
                                        network_name='Backup'))
            context.session.add(vm)
            context.session.flush()
            return vm
        return create(self.ctx)

    def _job(self, spec):
        trust_ctx = self.cloud.trust_context()
        vm = self._vm()
        disks = [{'device_key': 2000, 'capacity_bytes': GiB + 3 * MiB},
                 {'device_key': 2001, 'capacity_bytes': 512 * MiB}]
        job = db_api.job_create(self.ctx, {
            'project_id': self.tenant, 'user_id': trust_ctx.user_id,
            'trust_id': trust_ctx.trust_id, 'source_id': vm.source_id,
            'vm_id': vm.id, 'vm_name': vm.name, 'type': 'cold',
            'state': 'running', 'target_spec': spec}, disks)
        self.addCleanup(self._cleanup, job)
        return job

    def _cleanup(self, job):
        target.DeleteTarget().execute(job.id)
        volumes, ports, servers = self._leftovers(job.uuid)
        self.assertEqual(([], [], []), (volumes, ports, servers))

    def _leftovers(self, job_id):
        """What the cloud holds of the job (``job_id``: its UUID, the
        target's name for it)."""
        volumes = [v.id for v in self.admin.block_storage.volumes(
            all_projects=True)
            if (v.metadata or {}).get(base.META_JOB) == str(job_id)]
        prefix = 'xms-job-%s-' % job_id
        ports = [p.id for p in self.admin.network.ports()
                 if (p.name or '').startswith(prefix)]
        servers = [s.id for s in self.admin.compute.servers(
            all_projects=True)
            if (s.metadata or {}).get(base.META_JOB) == str(job_id)]
        return volumes, ports, servers

    def test_target_settings_reach_the_cloud(self):
        net1 = self.cloud.state['network']
        fixed_ip = '10.99.0.%d' % random.randint(20, 250)
        name = 'web-migrated-%s' % uuid.uuid4().hex[:6]
        job = self._job({
            'instance_name': name,
            'availability_zone': 'nova',
            'disk_volume_types': {
                '2001': self.cloud.state['volume_type']['name']},
            'network_mapping': [
                {'source_network': '4000', 'network_id': net1['id'],
                 'fixed_ip': fixed_ip, 'keep_mac': True},
                {'source_network': 'Backup', 'network_id': self.net2.id,
                 'keep_mac': False, 'security_groups': [self.sg.name]}]})
        image_meta = {'hw_firmware_type': 'bios', 'hw_disk_bus': 'virtio',
                      'hw_vif_model': 'virtio', 'os_type': 'linux'}
        db_api.job_update(self.ctx, job.id, {
            'inspection': {'image_metadata': {'hw_disk_bus': 'sata'}},
            'inspection_converted': {'image_metadata': image_meta}})

        volumes = target.CreateVolumes().execute(job.id)
        ports = target.CreatePorts().execute(job.id)
        # Resumed: the same ports are found again by name.
        self.assertEqual(ports, target.CreatePorts().execute(job.id))
        target.FinalizeVolumes().execute(job.id)
        instance = target.CreateInstance().execute(job.id)

        row = db_api.job_get(self.ctx, job.id)
        self.assertEqual(ports, row.target_resources['ports'])
        self.assertEqual(instance, row.target_resources['instance'])

        server = self.admin.compute.get_server(instance)
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(name, server.name)
        self.assertEqual(self.tenant, server.project_id)
        self.assertEqual('nova', server.availability_zone)
        self.assertEqual(sorted(volumes.values()),
                         sorted(a['id'] for a in server.attached_volumes))
        self.assertEqual('m1.medium', self.admin.compute.find_flavor(
            server.flavor['original_name']).name)

        boot = self.admin.block_storage.get_volume(volumes['2000'])
        self.assertTrue(boot.is_bootable)
        for key, value in image_meta.items():
            self.assertEqual(value, boot.volume_image_metadata[key])
        second = self.admin.block_storage.get_volume(volumes['2001'])
        self.assertEqual(self.cloud.state['volume_type']['name'],
                         second.volume_type)
        self.assertEqual(['nova', 'nova'],
                         [boot.availability_zone, second.availability_zone])

        attached = {i.port_id for i in
                    self.admin.compute.server_interfaces(instance)}
        self.assertEqual(set(ports), attached)
        port1, port2 = (self.admin.network.get_port(p) for p in ports)
        self.assertEqual(net1['id'], port1.network_id)
        self.assertEqual(MAC1, port1.mac_address)
        self.assertEqual([fixed_ip],
                         [f['ip_address'] for f in port1.fixed_ips])
        self.assertEqual(self.net2.id, port2.network_id)
        self.assertNotEqual(MAC2, port2.mac_address)
        self.assertEqual([self.subnet2.id],
                         [f['subnet_id'] for f in port2.fixed_ips])
        self.assertEqual([self.sg.id], port2.security_group_ids)
        self.assertEqual(instance, port1.device_id)

    def test_refused_port_leaves_nothing(self):
        net1 = self.cloud.state['network']
        job = self._job({'network_mapping': [
            {'source_network': '*', 'network_id': net1['id']},
            {'source_network': 'Backup', 'network_id': self.net2.id,
             'security_groups': ['no-such-group']}]})
        exc = self.assertRaises(base.TargetError,
                                target.CreatePorts().execute, job.id)
        self.assertIn('no-such-group', str(exc))
        self.assertEqual([], self._leftovers(job.uuid)[1])

"""The OpenStack target against the real mini-cloud.

Everything acts as alice (a member of tenant1) through a Keystone trust
to the XMS service user, as a job's worker does; the admin connection is
only used to prepare and to look behind the scenes.
"""

import os
import random
import tempfile
import threading
import uuid

from openstack import exceptions as os_exc

from xms.common import context as xms_context
from xms.common import exception
from xms.conductor import manager
from xms.db import api as db_api
from xms.targets import base
from xms.targets import cleanup
from xms.targets import inspector
from xms.targets.attach import nova as nova_attach
from xms.tests.functional import base as func_base
from xms.tests.functional.fixtures import minicloud

GiB = 1024 ** 3
MiB = 1024 ** 2


class OpenStackTargetTestBase(func_base.FunctionalTestCase):

    DB_BACKEND = None

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.config(storage_driver='cinder', attach_driver='osbrick',
                    compute_driver='nova', network_driver='neutron',
                    osbrick_host='xms-test-%s' % uuid.uuid4().hex[:8],
                    group='target')
        self.job = {'uuid': str(uuid.uuid4()),
                    'vm_name': 'web-%s' % uuid.uuid4().hex[:6],
                    'target_spec': {'disk_volume_types': {
                        '2001': self.cloud.state['volume_type']['name']}}}
        self.storage = base.get_storage_driver()
        self.attach = base.get_attach_driver()
        self.network = base.get_network_driver()
        self.compute = base.get_compute_driver()
        self.admin = self.cloud.admin_connection()

    def volume_file(self, volume_id):
        return os.path.join(self.cloud.state['cinder_volume_dir'],
                            'volume-%s' % volume_id)

    def job_leftovers(self):
        volumes = [v.id for v in self.admin.block_storage.volumes(
            all_projects=True) if (v.metadata or {}).get(base.META_JOB)
            == str(self.job['uuid'])]
        prefix = 'xms-job-%s-' % self.job['uuid']
        ports = [p.id for p in self.admin.network.ports()
                 if (p.name or '').startswith(prefix)]
        servers = [s.id for s in self.admin.compute.servers(
            all_projects=True)
            if (s.metadata or {}).get(base.META_JOB) == str(self.job['uuid'])]
        return volumes, ports, servers


class MigrationTest(OpenStackTargetTestBase):

    def test_migration_end_to_end(self):
        ctx = self.cloud.trust_context()
        disks = [{'device_key': 2000, 'capacity_bytes': GiB + 3 * MiB},
                 {'device_key': 2001, 'capacity_bytes': 512 * MiB}]
        nics = [{'device_key': 4000, 'mac_address': '00:50:56:9A:01:02',
                 'network_name': 'VM Network'}]
        mapping = [{'source_network': '*',
                    'network_id': self.cloud.state['network']['id'],
                    'fixed_ip': '10.99.0.%d' % random.randint(20, 250)}]
        self.addCleanup(cleanup.cleanup, ctx, self.job, {})

        # Volumes: whole GiB, real size kept, per-disk type, metadata.
        volumes = [self.storage.create_volume(ctx, self.job, d)
                   for d in disks]
        self.assertEqual(2 * GiB, volumes[0]['size_bytes'])
        self.assertEqual(GiB + 3 * MiB, volumes[0]['real_size_bytes'])
        self.assertEqual(GiB, volumes[1]['size_bytes'])
        self.assertEqual('xms-fast', volumes[1]['volume_type'])
        again = self.storage.create_volume(ctx, self.job, disks[0])
        self.assertFalse(again['created'])
        self.assertEqual(volumes[0]['id'], again['id'])
        vol = self.admin.block_storage.get_volume(volumes[0]['id'])
        self.assertEqual(str(self.job['uuid']), vol.metadata[base.META_JOB])
        self.assertEqual('2000', vol.metadata[base.META_DEVICE])
        self.assertEqual(self.cloud.project_id, vol.project_id)

        # Write through the attachments API and os-brick.
        for index, volume in enumerate(volumes):
            path = self.attach.attach(ctx, volume['id'])
            try:
                self.assertEqual(self.volume_file(volume['id']), path)
                self.assertEqual('in-use', self.admin.block_storage
                                 .get_volume(volume['id']).status)
                with open(path, 'r+b') as f:
                    f.seek(GiB - 4096)
                    f.write(b'converted-disk-%d' % index)
            finally:
                self.attach.detach(ctx, volume['id'])
            self.attach.detach(ctx, volume['id'])  # idempotent
            self.assertEqual('available', self.admin.block_storage
                             .get_volume(volume['id']).status)
            with open(self.volume_file(volume['id']), 'rb') as f:
                f.seek(GiB - 4096)
                self.assertEqual(b'converted-disk-%d' % index, f.read(16))

        # Finalize: bootable with the inspection's image metadata.
        image_meta = {'hw_firmware_type': 'uefi', 'hw_disk_bus': 'virtio',
                      'hw_vif_model': 'virtio', 'os_type': 'linux',
                      'os_distro': 'debian', 'hw_machine_type': 'q35'}
        self.storage.finalize_volume(ctx, volumes[0]['id'], image_meta)
        vol = self.admin.block_storage.get_volume(volumes[0]['id'])
        self.assertTrue(vol.is_bootable)
        for key, value in image_meta.items():
            self.assertEqual(value, vol.volume_image_metadata[key])

        # Ports on the mapped network, MAC and fixed IP kept.
        ports = self.network.create_ports(ctx, self.job, nics, mapping)
        self.assertEqual(ports, self.network.create_ports(
            ctx, self.job, nics, mapping))
        port = self.admin.network.get_port(ports[0])
        self.assertEqual('00:50:56:9a:01:02', port.mac_address)
        self.assertEqual(self.cloud.state['network']['id'],
                         port.network_id)
        self.assertEqual(mapping[0]['fixed_ip'],
                         port.fixed_ips[0]['ip_address'])

        # Boot from volume on the smallest fitting flavor.
        flavor = self.compute.best_flavor(ctx, 2, 3000)
        self.assertEqual('m1.medium', flavor['name'])
        self.assertIn('smallest', flavor['reason'])
        instance = self.compute.create_instance(
            ctx, self.job, [v['id'] for v in volumes], ports, flavor)
        server = self.admin.compute.get_server(instance)
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(self.cloud.project_id, server.project_id)
        self.assertEqual(
            sorted(v['id'] for v in volumes),
            sorted(a['id'] for a in server.attached_volumes))
        self.assertEqual(instance, self.compute.create_instance(
            ctx, self.job, [v['id'] for v in volumes], ports, flavor))
        self.assertEqual(instance, self.compute.find_instance(ctx,
                                                              self.job))

        # Cancel: cleanup finds and deletes everything, recorded or not.
        result = cleanup.cleanup(ctx, self.job, {'instance': instance})
        self.assertEqual([], result['errors'])
        self.assertEqual(([], [], []), self.job_leftovers())
        self.assertFalse(os.path.exists(self.volume_file(volumes[0]['id'])))

    def test_boot_failure_surfaces_fault(self):
        ctx = self.cloud.trust_context()
        self.addCleanup(cleanup.cleanup, ctx, self.job, {})
        volume = self.storage.create_volume(
            ctx, self.job, {'device_key': 2000, 'capacity_bytes': GiB})
        self.storage.finalize_volume(ctx, volume['id'], {})
        # A public flavor requiring a trait no compute host has: the
        # scheduler finds no host and the server goes to ERROR.
        flavor = self.admin.compute.create_flavor(
            name='xms-never-%s' % uuid.uuid4().hex[:6], vcpus=1, ram=64,
            disk=1)
        self.addCleanup(self.admin.compute.delete_flavor, flavor)
        self.admin.compute.create_flavor_extra_specs(
            flavor, {'trait:CUSTOM_XMS_NEVER': 'required'})
        exc = self.assertRaises(base.InstanceBootFailed,
                                self.compute.create_instance, ctx,
                                self.job, [volume['id']], [], flavor.id)
        self.assertIn('went to ERROR', str(exc))
        self.assertIn('No valid host', str(exc))


class PreflightRefusalTest(OpenStackTargetTestBase):

    def test_missing_network_and_mapping(self):
        ctx = self.cloud.trust_context()
        insp = inspector.OpenStackInspector()
        nics = [{'device_key': 4000, 'mac_address': '00:50:56:00:00:01',
                 'network_name': 'VM Network'},
                {'device_key': 4001, 'mac_address': '00:50:56:00:00:02',
                 'network_name': 'Backup'}]
        missing = str(uuid.uuid4())
        mapping = [{'source_network': '4000', 'network_id': missing}]
        names = [n['name'] for n in insp.networks(ctx, {})]
        self.assertIn('xmsmc-net', names)
        problems = insp.problems(ctx, {'network_mapping': mapping},
                                 nics=nics)
        self.assertEqual(2, len(problems), problems)
        self.assertIn('4001 is not mapped', problems[0])
        self.assertIn('%s does not exist' % missing, problems[1])
        self.assertRaises(base.NetworkNotFound, self.network.create_ports,
                          ctx, self.job, nics[:1], mapping)
        self.assertRaises(base.NetworkMappingMissing,
                          self.network.create_ports, ctx, self.job, nics,
                          mapping + [{'source_network': '4002',
                                      'network_id': missing}])
        self.assertEqual([], self.job_leftovers()[1])

    def test_quota_exhausted(self):
        project = self.admin.identity.create_project(
            name='xms-quota-%s' % uuid.uuid4().hex[:8], domain_id='default')
        self.addCleanup(self.admin.identity.delete_project, project)
        member = self.admin.identity.find_role('member')
        self.admin.identity.assign_project_role_to_user(
            project, self.cloud.state['users']['alice']['id'], member)
        resp = self.admin.block_storage.put(
            '/os-quota-sets/%s' % project.id,
            json={'quota_set': {'gigabytes': 2, 'volumes': 5}})
        self.assertEqual(200, resp.status_code, resp.text)
        resp = self.admin.compute.put(
            '/os-quota-sets/%s' % project.id,
            json={'quota_set': {'cores': 1}})
        self.assertEqual(200, resp.status_code, resp.text)
        ctx = self.cloud.trust_context(project_id=project.id)

        problems = self.storage.check_quota(ctx, {'volumes': 1,
                                                  'gigabytes': 3})
        self.assertEqual(1, len(problems), problems)
        self.assertIn('Quota gigabytes', problems[0])
        self.assertIn('3 more needed, 2 free (limit 2)', problems[0])
        exc = self.assertRaises(
            base.QuotaExceeded, self.storage.create_volume, ctx, self.job,
            {'device_key': 2000, 'capacity_bytes': 3 * GiB})
        self.assertIn('gigabytes', str(exc))
        self.assertEqual([], self.job_leftovers()[0])

        insp = inspector.OpenStackInspector()
        quotas = insp.quotas(ctx, {})
        self.assertEqual(2, quotas['gigabytes']['limit'])
        self.assertEqual(1, quotas['cores']['limit'])
        problems = insp.problems(
            ctx, {}, disks=[{'capacity_bytes': 3 * GiB}], cpus=2,
            memory_mb=1024)
        self.assertEqual(2, len(problems), problems)
        self.assertIn('Quota cores', problems[0])
        self.assertIn('Quota gigabytes', problems[1])


class PreflightChecksTest(OpenStackTargetTestBase):
    """The preflight engine's target checks, answered by the inspector
    with the requesting user's own token (the API side)."""

    def _vm(self, capacity, nics):
        import types
        return types.SimpleNamespace(
            num_cpus=2, memory_mb=1024,
            disks=[types.SimpleNamespace(device_key=2000,
                                         capacity_bytes=capacity)],
            nics=[types.SimpleNamespace(device_key=k, mac_address=None,
                                        label=None, adapter_type='vmxnet3',
                                        network_name='VM Network')
                  for k in nics])

    def test_blocks(self):
        from xms.preflight import base as pf_base
        from xms.preflight.checks import network as net_checks
        from xms.preflight.checks import readiness
        from xms.preflight.checks import storage as storage_checks
        project = self.admin.identity.create_project(
            name='xms-pf-%s' % uuid.uuid4().hex[:8], domain_id='default')
        self.addCleanup(self.admin.identity.delete_project, project)
        self.admin.identity.assign_project_role_to_user(
            project, self.cloud.state['users']['alice']['id'],
            self.admin.identity.find_role('member'))
        self.admin.block_storage.put(
            '/os-quota-sets/%s' % project.id,
            json={'quota_set': {'gigabytes': 1}})
        ctx = self.cloud.user_context(project_id=project.id)
        missing = str(uuid.uuid4())
        spec = {'project_id': project.id,
                'network_mapping': [{'source_network': '4000',
                                     'network_id': missing}]}
        data = pf_base.CheckInput(
            self._vm(5 * GiB, [4000, 4001]), target_spec=spec,
            inspector=inspector.OpenStackInspector(), context=ctx)
        results = {c.name: c.run(data) for c in (
            net_checks.NicMappingCheck(), net_checks.TargetNetworksCheck(),
            storage_checks.VolumeQuotaCheck(),
            readiness.ComputeQuotaCheck())}
        self.assertEqual('block', results['nic_mapping']['status'])
        self.assertIn('4001', results['nic_mapping']['message'])
        self.assertEqual('block', results['target_networks']['status'])
        self.assertIn(missing, results['target_networks']['message'])
        self.assertEqual('block', results['volume_quota']['status'])
        self.assertIn('gigabytes', results['volume_quota']['message'])
        self.assertEqual('pass', results['compute_quota']['status'],
                         results['compute_quota'])


class TrustTest(OpenStackTargetTestBase):

    def test_trust_acts_as_member_not_admin(self):
        ctx = self.cloud.trust_context()
        from xms.targets import session
        conn = session.connection(ctx)
        self.assertEqual(self.cloud.project_id, conn.current_project_id)
        self.assertRaises(os_exc.ForbiddenException,
                          conn.compute.create_flavor, name='nope', vcpus=1,
                          ram=64, disk=1)
        # The trust works after the trustor's token is gone: the context
        # carries no token at all.
        self.assertIsNone(ctx.auth_token)
        self.assertTrue(self.compute.list_flavors(ctx))


class NovaAttachTest(OpenStackTargetTestBase):
    """The conversion-host attach: the worker is itself a Nova instance.

    The fake virt driver makes no kernel device, so a small "udev"
    thread plays the kernel's part: once Nova reports the volume
    attached, it links ``virtio-<serial>`` in a private by-id directory
    to the volume's file, as the guest kernel would show the new disk.
    """

    def test_attach_to_worker_instance(self):
        ctx = self.cloud.trust_context()
        self.addCleanup(cleanup.cleanup, ctx, self.job, {})
        boot = self.storage.create_volume(
            ctx, {'uuid': self.job['uuid'], 'vm_name': 'worker'},
            {'device_key': 1, 'capacity_bytes': GiB})
        self.storage.finalize_volume(ctx, boot['id'], {})
        worker = self.compute.create_instance(
            ctx, dict(self.job, vm_name='xms-worker'), [boot['id']], [],
            'm1.tiny')
        by_id = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.unlink(os.path.join(by_id, n))
                                 for n in os.listdir(by_id)])
        self.config(worker_instance_id=worker, disk_by_id_dir=by_id,
                    group='target')
        driver = nova_attach.NovaAttachDriver()
        target = self.storage.create_volume(
            ctx, self.job, {'device_key': 2000, 'capacity_bytes': GiB})

        stop = threading.Event()

        def udev():
            while not stop.wait(0.5):
                vol = self.admin.block_storage.get_volume(target['id'])
                link = os.path.join(by_id, 'virtio-' + target['id'][:20])
                if vol.status == 'in-use' and not os.path.exists(link):
                    os.symlink(self.volume_file(target['id']), link)
                elif vol.status == 'available' and os.path.lexists(link):
                    os.unlink(link)
        thread = threading.Thread(target=udev, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(stop.set)

        path = driver.attach(ctx, target['id'])
        self.assertEqual(self.volume_file(target['id']), path)
        attached = [a.volume_id for a in
                    self.admin.compute.volume_attachments(worker)]
        self.assertIn(target['id'], attached)
        with open(path, 'r+b') as f:
            f.write(b'written-by-the-worker')
        self.assertEqual(path, driver.attach(ctx, target['id']))
        driver.detach(ctx, target['id'])
        driver.detach(ctx, target['id'])
        self.assertEqual('available', self.admin.block_storage.get_volume(
            target['id']).status)
        with open(self.volume_file(target['id']), 'rb') as f:
            self.assertEqual(b'written-by-the-worker', f.read(21))


class FailedJobDeleteTest(OpenStackTargetTestBase):
    """Delete of a failed job cleans the mini-cloud up, as the conductor
    does it: through the job's trust, recorded resources and unrecorded
    ones (found by the job's metadata and port names) alike, before the
    trust and the record go."""

    DB_BACKEND = 'mysql'

    def test_delete_of_failed_job_leaves_nothing_in_the_target(self):
        ctx = self.cloud.trust_context()
        admin_ctx = xms_context.get_admin_context()
        # Resources are found by the job's UUID in a cloud other tests
        # share.
        row = db_api.job_create(admin_ctx, {
            'uuid': self.job['uuid'], 'project_id': ctx.project_id,
            'user_id': ctx.user_id, 'trust_id': ctx.trust_id,
            'type': 'cold', 'state': 'failed', 'phase': 'boot_target',
            'vm_name': self.job['vm_name'],
            'target_spec': self.job['target_spec'],
            'error': 'Step boot_target of the cold flow failed'},
            disks=[{'device_key': 2000, 'capacity_bytes': GiB},
                   {'device_key': 2001, 'capacity_bytes': GiB}])
        # Whatever happens below, nothing stays in the shared cloud.
        self.addCleanup(self._admin_cleanup)

        volumes = [self.storage.create_volume(ctx, row, d)['id']
                   for d in row.disks]
        ports = self.network.create_ports(
            ctx, row, [{'device_key': 4000,
                        'mac_address': '00:50:56:9a:0%d:03'
                        % random.randint(0, 9),
                        'network_name': 'VM Network'}],
            [{'source_network': '*',
              'network_id': self.cloud.state['network']['id']}])
        self.storage.finalize_volume(ctx, volumes[0], {})
        flavor = self.compute.best_flavor(ctx, 1, 512)
        instance = self.compute.create_instance(ctx, row, volumes, ports,
                                                flavor)
        # The job recorded only its first volume before it failed: the
        # second volume, the port and the instance are found by metadata.
        db_api.job_update(admin_ctx, row.id,
                          {'target_resources': {'volumes': volumes[:1]}})
        db_api.job_disk_update(admin_ctx, row.id, 2000,
                               {'volume_id': volumes[0]})
        left_volumes, left_ports, left_servers = self.job_leftovers()
        self.assertEqual((sorted(volumes), ports, [instance]),
                         (sorted(left_volumes), left_ports, left_servers))

        manager.ConductorManager('xms-test').delete_job(admin_ctx, row.id)

        self.assertEqual(([], [], []), self.job_leftovers())
        for volume_id in volumes:
            self.assertFalse(os.path.exists(self.volume_file(volume_id)))
        self.assertRaises(exception.JobNotFound, db_api.job_get, admin_ctx,
                          row.id)
        deleted = db_api.event_list(admin_ctx, filters={
            'resource_uuid': row.uuid, 'event_type': 'deleted'})
        self.assertEqual(1, len(deleted))

    def _admin_cleanup(self):
        volumes, ports, servers = self.job_leftovers()
        for server in servers:
            try:
                found = self.admin.compute.get_server(server)
            except os_exc.NotFoundException:
                continue
            self.admin.compute.delete_server(found, ignore_missing=True)
            self.admin.compute.wait_for_delete(found, wait=120)
        for port in ports:
            self.admin.network.delete_port(port, ignore_missing=True)
        for volume in volumes:
            self.admin.block_storage.delete_volume(volume, force=True,
                                                   ignore_missing=True)

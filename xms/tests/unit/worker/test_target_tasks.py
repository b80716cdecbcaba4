"""Target tasks: ports, instance settings, finalize, inspections."""

from unittest import mock

import fixtures
from taskflow.types import failure

from xms.common import context
from xms.db import api as db_api
from xms.db import models
from xms.tests import base
from xms.worker.tasks import conversion
from xms.worker.tasks import target

NET = '9b1b3b9e-6f0c-4f43-9a55-0a4f2f1c0a01'


class TaskTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.use_memory_database()
        self.ctx = context.get_admin_context()
        self.network = mock.Mock()
        self.compute = mock.Mock()
        self.storage = mock.Mock()
        for name, driver in (('network', self.network),
                             ('compute', self.compute),
                             ('storage', self.storage)):
            self.useFixture(fixtures.MockPatch(
                'xms.targets.base.get_%s_driver' % name,
                return_value=driver))
        self.vm = self._vm()

    @db_api.main_context_manager.writer
    def _make_vm(self, context):
        source = models.Source(uuid=db_api.new_uuid(), project_id='p1',
                               name='vc1', host='vc.example.org',
                               username='svc', password_encrypted='x')
        context.session.add(source)
        context.session.flush()
        vm = models.Vm(uuid=db_api.new_uuid(), project_id='p1',
                       source_id=source.id,
                       moref='vm-1', name='web1', power_state='poweredOn',
                       snapshot_count=0, missing=False, num_cpus=2,
                       memory_mb=2048)
        for key in (4000, 4001):
            vm.nics.append(models.VmNic(
                device_key=key, network_name='VM Network',
                mac_address='00:50:56:00:00:%02x' % (key - 3999)))
        context.session.add(vm)
        context.session.flush()
        return vm

    def _vm(self):
        return self._make_vm(self.ctx)

    def make_job(self, spec=None, **values):
        values = dict({'project_id': 'p1', 'type': 'cold',
                       'state': 'running', 'vm_id': self.vm.id,
                       'vm_name': 'web1', 'target_spec': spec or {}},
                      **values)
        disks = [{'device_key': 2000, 'capacity_bytes': 1 << 30,
                  'volume_id': 'vol-a'},
                 {'device_key': 2001, 'capacity_bytes': 1 << 30,
                  'volume_id': 'vol-b'}]
        return db_api.job_create(self.ctx, values, disks)

    def job(self, job):
        return db_api.job_get(self.ctx, job.id)


class CreatePortsTest(TaskTestCase):

    def test_ports_for_every_nic_recorded_before_returning(self):
        mapping = [{'source_network': '*', 'network_id': NET}]
        job = self.make_job({'network_mapping': mapping,
                             'security_groups': ['web']})
        self.network.create_ports.return_value = ['p1', 'p2']
        self.assertEqual(['p1', 'p2'], target.CreatePorts().execute(job.id))
        args, kwargs = self.network.create_ports.call_args
        self.assertEqual([4000, 4001], [n.device_key for n in args[2]])
        self.assertEqual(mapping, args[3])
        self.assertEqual({'security_groups': ['web']}, kwargs)
        self.assertEqual(['p1', 'p2'],
                         self.job(job).target_resources['ports'])

    def test_vm_without_nics_gets_no_port(self):
        job = self.make_job(vm_id=None)
        self.assertEqual([], target.CreatePorts().execute(job.id))
        self.network.create_ports.assert_not_called()

    def test_revert_deletes_only_its_ports(self):
        job = self.make_job()
        db_api.job_update(self.ctx, job.id, {'target_resources': {
            'ports': ['p1', 'p2', 'other'], 'volumes': ['vol-a']}})
        target.CreatePorts().revert(job.id, result=['p1', 'p2'])
        self.network.delete_ports.assert_called_once_with(mock.ANY,
                                                          ['p1', 'p2'])
        self.assertEqual({'ports': ['other'], 'volumes': ['vol-a']},
                         self.job(job).target_resources)

    def test_revert_after_failure_has_nothing_to_delete(self):
        job = self.make_job()
        result = failure.Failure.from_exception(RuntimeError('x'))
        target.CreatePorts().revert(job.id, result=result)
        self.network.delete_ports.assert_not_called()

    def test_revert_never_raises(self):
        job = self.make_job()
        self.network.delete_ports.side_effect = RuntimeError('neutron down')
        target.CreatePorts().revert(job.id, result=['p1'])


class CreateInstanceTest(TaskTestCase):

    def setUp(self):
        super().setUp()
        self.compute.find_instance.return_value = None
        self.compute.create_instance.return_value = 'server-1'
        self.compute.best_flavor.return_value = {'id': 'f-best'}

    def test_ports_flavor_and_power(self):
        job = self.make_job({'flavor_id': 'f-1', 'boot': False})
        db_api.job_update(self.ctx, job.id,
                          {'target_resources': {'ports': ['p1', 'p2']}})
        self.assertEqual('server-1',
                         target.CreateInstance().execute(job.id))
        args, kwargs = self.compute.create_instance.call_args
        self.assertEqual((['vol-a', 'vol-b'], ['p1', 'p2'], 'f-1'),
                         args[2:])
        self.assertEqual({'power_on': False}, kwargs)
        self.compute.best_flavor.assert_not_called()
        self.assertEqual('server-1',
                         self.job(job).target_resources['instance'])

    def test_best_flavor_for_the_vm(self):
        job = self.make_job()
        target.CreateInstance().execute(job.id)
        self.compute.best_flavor.assert_called_once_with(mock.ANY, 2, 2048)
        self.assertEqual('f-best',
                         self.compute.create_instance.call_args[0][4])
        self.assertTrue(
            self.compute.create_instance.call_args[1]['power_on'])


class FinalizeVolumesTest(TaskTestCase):

    def test_uses_the_converted_inspection(self):
        job = self.make_job()
        db_api.job_update(self.ctx, job.id, {
            'inspection': {'image_metadata': {'hw_disk_bus': 'sata'}},
            'inspection_converted': {'image_metadata': {
                'hw_disk_bus': 'virtio'}}})
        target.FinalizeVolumes().execute(job.id)
        self.assertEqual(
            [mock.call(mock.ANY, 'vol-a', {'hw_disk_bus': 'virtio'}),
             mock.call(mock.ANY, 'vol-b', {'hw_disk_bus': 'virtio'})],
            self.storage.finalize_volume.call_args_list)

    def test_falls_back_to_the_first_inspection(self):
        job = self.make_job()
        db_api.job_update(self.ctx, job.id, {
            'inspection': {'image_metadata': {'hw_disk_bus': 'sata'}}})
        target.FinalizeVolumes().execute(job.id)
        self.storage.finalize_volume.assert_any_call(
            mock.ANY, 'vol-a', {'hw_disk_bus': 'sata'})


class InspectionTest(TaskTestCase):

    def setUp(self):
        super().setUp()
        self.converter = mock.Mock()
        self.useFixture(fixtures.MockPatch(
            'xms.conversion.base.get_converter',
            return_value=self.converter))
        self.paths = {'2000': '/dev/a', '2001': '/dev/b'}

    def test_both_inspections_kept(self):
        job = self.make_job()
        self.converter.inspect.side_effect = [{'virtio_drivers': False},
                                              {'virtio_drivers': True}]
        conversion.InspectGuest().execute(job.id, self.paths)
        conversion.InspectConvertedGuest().execute(job.id, self.paths)
        row = self.job(job)
        self.assertEqual({'virtio_drivers': False}, row.inspection)
        self.assertEqual({'virtio_drivers': True}, row.inspection_converted)
        self.assertEqual(['/dev/a', '/dev/b'],
                         self.converter.inspect.call_args[0][2])

    def test_new_first_inspection_drops_the_stale_second(self):
        job = self.make_job()
        db_api.job_update(self.ctx, job.id,
                          {'inspection_converted': {'old': True}})
        self.converter.inspect.return_value = {'new': True}
        conversion.InspectGuest().execute(job.id, self.paths)
        self.assertFalse(self.job(job).inspection_converted)

    def test_not_converted_not_inspected_again(self):
        job = self.make_job({'convert_guest': False})
        self.assertIsNone(conversion.InspectConvertedGuest().execute(
            job.id, self.paths))
        self.converter.inspect.assert_not_called()
        self.assertFalse(self.job(job).inspection_converted)

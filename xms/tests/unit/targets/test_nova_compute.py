from unittest import mock

from openstack import exceptions as os_exc

from xms.targets import base
from xms.targets.compute import nova
from xms.tests import base as test_base


class NovaComputeTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.conn = mock.Mock(current_project_id='proj')
        self.conn.compute.servers.return_value = []
        self.conn.compute.find_flavor.return_value = mock.Mock(
            id='f1', name='m1.small')
        self.server = mock.Mock(id='srv', status='BUILD')
        self.conn.compute.create_server.return_value = self.server
        patcher = mock.patch('xms.targets.session.connection',
                             return_value=self.conn)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.driver = nova.NovaComputeDriver()
        self.job = {'uuid': 'job-9', 'vm_name': 'db-1'}

    def _status(self, *statuses):
        servers = [mock.Mock(id='srv', status=s) for s in statuses]
        self.conn.compute.wait_for_server.side_effect = servers

    def test_boot_from_volume_with_ports(self):
        self._status('ACTIVE')
        self.assertEqual('srv', self.driver.create_instance(
            None, self.job, ['v1', 'v2'], ['p1'], {'id': 'f1'}))
        attrs = self.conn.compute.create_server.call_args.kwargs
        self.assertEqual('db-1', attrs['name'])
        self.assertEqual([{'port': 'p1'}], attrs['networks'])
        self.assertEqual([0, 1], [b['boot_index']
                                  for b in attrs['block_device_mapping']])
        self.assertFalse(any(b['delete_on_termination']
                             for b in attrs['block_device_mapping']))
        self.assertEqual({base.META_JOB: 'job-9'}, attrs['metadata'])

    def test_instance_name_and_availability_zone_from_the_spec(self):
        self._status('ACTIVE')
        job = dict(self.job, target_spec={'instance_name': 'db-new',
                                          'availability_zone': 'az2'})
        self.driver.create_instance(None, job, ['v1'], [], 'f1')
        attrs = self.conn.compute.create_server.call_args.kwargs
        self.assertEqual('db-new', attrs['name'])
        self.assertEqual('az2', attrs['availability_zone'])

    def test_no_ports(self):
        self._status('ACTIVE')
        self.driver.create_instance(None, self.job, ['v1'], [], 'f1')
        self.assertEqual(
            'none', self.conn.compute.create_server.call_args.kwargs[
                'networks'])

    def test_power_off_policy(self):
        self._status('ACTIVE', 'SHUTOFF')
        self.driver.create_instance(None, self.job, ['v1'], [], 'f1',
                                    power_on=False)
        self.conn.compute.stop_server.assert_called_once()

    def test_fault_is_surfaced(self):
        self.conn.compute.wait_for_server.side_effect = \
            os_exc.ResourceFailure('ERROR')
        self.conn.compute.get_server.return_value = mock.Mock(
            id='srv', status='ERROR',
            fault={'message': 'No valid host was found.',
                   'details': 'Traceback...\nmore'})
        exc = self.assertRaises(base.InstanceBootFailed,
                                self.driver.create_instance, None, self.job,
                                ['v1'], [], 'f1')
        self.assertIn('went to ERROR: No valid host was found.', str(exc))

    def test_resume_finds_server(self):
        self.conn.compute.servers.return_value = [
            mock.Mock(id='srv', status='BUILD',
                      metadata={base.META_JOB: 'job-9'})]
        self._status('ACTIVE')
        self.driver.create_instance(None, self.job, ['v1'], [], 'f1')
        self.conn.compute.create_server.assert_not_called()

    def test_quota(self):
        self.conn.compute.get.return_value.json.return_value = {
            'limits': {'absolute': {'maxTotalCores': 4,
                                    'totalCoresUsed': 3,
                                    'maxTotalInstances': 10,
                                    'totalInstancesUsed': 0,
                                    'maxTotalRAMSize': -1,
                                    'totalRAMUsed': 0}}}
        problems = self.driver.check_quota(None, {'vcpus': 2, 'ram': 1})
        self.assertEqual(1, len(problems))
        self.assertIn('Quota cores', problems[0])

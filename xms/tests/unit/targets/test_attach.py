import os
import tempfile
from unittest import mock

from xms.targets.attach import nova as nova_attach
from xms.targets.attach import osbrick
from xms.tests import base as test_base

VOL = '0b2f7c1e-6a51-4d9e-9c7e-3f0f6a1b2c3d'


class FindDeviceTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(dir=self.state_path)

    def _link(self, name, target):
        path = os.path.join(self.state_path, target)
        open(path, 'w').close()
        os.symlink(path, os.path.join(self.dir, name))
        return path

    def test_virtio_truncated_serial(self):
        path = self._link('virtio-' + VOL[:20], 'vdb')
        self._link('virtio-' + VOL[:20] + '-part1', 'vdb1')
        self.assertEqual(path, nova_attach.find_device(VOL, self.dir))

    def test_scsi_full_serial(self):
        path = self._link('scsi-0QEMU_QEMU_HARDDISK_' + VOL, 'sdb')
        self.assertEqual(path, nova_attach.find_device(VOL, self.dir))

    def test_absent(self):
        self._link('virtio-someotherdisk1234', 'vdc')
        self.assertIsNone(nova_attach.find_device(VOL, self.dir))
        self.assertIsNone(nova_attach.find_device(VOL, '/nonexistent'))

    def test_instance_id_from_config(self):
        self.config(worker_instance_id='abc', group='target')
        self.assertEqual('abc',
                         nova_attach.NovaAttachDriver().worker_instance_id())


class OsBrickTest(test_base.TestCase):

    def test_flat_and_nested_connection_info(self):
        flat = {'driver_volume_type': 'local', 'device_path': '/x'}
        self.assertEqual(flat, osbrick._data(flat))
        nested = {'driver_volume_type': 'iscsi', 'data': {'target': 1}}
        self.assertEqual({'target': 1}, osbrick._data(nested))

    def test_connector_falls_back(self):
        self.config(osbrick_host='worker-1', osbrick_ip='10.0.0.9',
                    group='target')
        with mock.patch('os_brick.initiator.connector.'
                        'get_connector_properties',
                        side_effect=RuntimeError('no root')):
            props = osbrick.connector_properties()
        self.assertEqual('worker-1', props['host'])
        self.assertEqual('10.0.0.9', props['ip'])

    def test_connector_host(self):
        self.config(osbrick_host='worker-2', group='target')
        with mock.patch('os_brick.initiator.connector.'
                        'get_connector_properties',
                        return_value={'host': 'x', 'initiator': 'iqn'}):
            props = osbrick.connector_properties()
        self.assertEqual('worker-2', props['host'])
        self.assertEqual('iqn', props['initiator'])


class OsBrickAttachFlowTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(osbrick_host='w1', group='target')
        self.bs = mock.Mock()
        conn = mock.Mock(block_storage=self.bs)
        for target, value in (
                ('xms.targets.session.connection', conn),
                ('xms.targets.attach.osbrick.connector_properties',
                 {'host': 'w1'})):
            patcher = mock.patch(target, return_value=value)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.brick = mock.Mock()
        patcher = mock.patch('xms.targets.attach.osbrick._brick_connector',
                             return_value=self.brick)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.calls = []

        def request(method):
            def call(url, **kwargs):
                self.calls.append((method, url))
                resp = mock.Mock(status_code=200, content=b'x')
                if method == 'post' and url == '/attachments':
                    resp.json.return_value = {'attachment': {
                        'id': 'att-1', 'connection_info': {
                            'driver_volume_type': 'local',
                            'device_path': '/f'}}}
                elif method == 'get':
                    resp.json.return_value = {'attachments': []}
                else:
                    resp.json.return_value = {}
                return resp
            return call
        for method in ('get', 'post', 'delete'):
            setattr(self.bs, method, request(method))
        self.driver = osbrick.OsBrickAttachDriver()

    def test_attach_then_detach(self):
        self.brick.connect_volume.return_value = {'path': '/f'}
        self.assertEqual('/f', self.driver.attach(None, 'vol'))
        self.brick.connect_volume.assert_called_once_with(
            {'driver_volume_type': 'local', 'device_path': '/f'})
        self.assertIn(('post', '/attachments/att-1/action'), self.calls)
        self.driver.detach(None, 'vol')
        self.brick.disconnect_volume.assert_called_once()
        self.assertIn(('delete', '/attachments/att-1'), self.calls)

    def test_failed_connect_deletes_attachment(self):
        self.brick.connect_volume.side_effect = RuntimeError('no path')
        self.assertRaises(RuntimeError, self.driver.attach, None, 'vol')
        self.assertIn(('delete', '/attachments/att-1'), self.calls)
        self.assertNotIn(('post', '/attachments/att-1/action'), self.calls)

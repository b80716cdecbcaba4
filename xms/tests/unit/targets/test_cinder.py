from unittest import mock

from xms.targets import base
from xms.targets.storage import cinder
from xms.tests import base as test_base

GiB = 1024 ** 3
LIMITS = {'maxTotalVolumes': 10, 'totalVolumesUsed': 0,
          'maxTotalVolumeGigabytes': 10, 'totalGigabytesUsed': 8}


def _volume(**kw):
    values = dict(id='vol-1', size=2, status='available',
                  volume_type='std', availability_zone='nova',
                  metadata={base.META_JOB: 'job-7', base.META_DEVICE: '2000'})
    values.update(kw)
    return mock.Mock(**values)


class CinderStorageTest(test_base.TestCase):

    def setUp(self):
        super().setUp()
        self.conn = mock.Mock(current_project_id='proj')
        self.conn.block_storage.get.return_value.json.return_value = {
            'limits': {'absolute': LIMITS}}
        self.conn.block_storage.volumes.return_value = []
        self.conn.block_storage.wait_for_status.side_effect = \
            lambda vol, **kw: vol
        patcher = mock.patch('xms.targets.session.connection',
                             return_value=self.conn)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.driver = cinder.CinderStorageDriver()
        self.job = {'uuid': 'job-7', 'vm_name': 'vm',
                    'target_spec': {'volume_type': 'std'}}

    def test_create_rounds_up_and_tags(self):
        self.conn.block_storage.create_volume.return_value = _volume()
        result = self.driver.create_volume(
            None, self.job, {'device_key': 2000,
                             'capacity_bytes': GiB + 1})
        kwargs = self.conn.block_storage.create_volume.call_args.kwargs
        self.assertEqual(2, kwargs['size'])
        self.assertEqual('std', kwargs['volume_type'])
        self.assertEqual('xms-job-job-7-disk-2000', kwargs['name'])
        self.assertEqual({base.META_JOB: 'job-7', base.META_DEVICE: '2000',
                          cinder.META_REAL_SIZE: str(GiB + 1)},
                         kwargs['metadata'])
        self.assertEqual(2 * GiB, result['size_bytes'])
        self.assertEqual(GiB + 1, result['real_size_bytes'])
        self.assertTrue(result['created'])

    def test_resume_finds_existing(self):
        self.conn.block_storage.volumes.return_value = [
            _volume(metadata={base.META_JOB: '8'}, id='other'), _volume()]
        result = self.driver.create_volume(
            None, self.job, {'device_key': 2000, 'capacity_bytes': GiB})
        self.assertEqual('vol-1', result['id'])
        self.assertFalse(result['created'])
        self.conn.block_storage.create_volume.assert_not_called()

    def test_quota_refused_before_create(self):
        exc = self.assertRaises(
            base.QuotaExceeded, self.driver.create_volume, None, self.job,
            {'device_key': 2000, 'capacity_bytes': 3 * GiB})
        self.assertIn('Quota gigabytes of project proj', str(exc))
        self.conn.block_storage.create_volume.assert_not_called()
        self.assertEqual([], self.driver.check_quota(None, {'volumes': 1,
                                                            'gigabytes': 2}))

    def test_finalize(self):
        self.driver.finalize_volume(None, 'vol-1',
                                    {'hw_firmware_type': 'uefi',
                                     'os_distro': None})
        self.conn.block_storage.set_volume_bootable_status.\
            assert_called_once_with('vol-1', True)
        self.conn.block_storage.set_volume_image_metadata.\
            assert_called_once_with('vol-1', hw_firmware_type='uefi')

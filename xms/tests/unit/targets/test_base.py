from xms.common import exception
from xms.targets import base
from xms.targets.attach import local as local_attach
from xms.targets.attach import nova as nova_attach
from xms.targets.attach import osbrick
from xms.targets.compute import local as local_compute
from xms.targets.compute import nova as nova_compute
from xms.targets.network import local as local_network
from xms.targets.network import neutron
from xms.targets.storage import cinder
from xms.targets.storage import local as local_storage
from xms.tests import base as test_base


class LoaderTest(test_base.TestCase):

    def test_defaults(self):
        self.assertIsInstance(base.get_storage_driver(),
                              cinder.CinderStorageDriver)
        self.assertIsInstance(base.get_attach_driver(),
                              nova_attach.NovaAttachDriver)
        self.assertIsInstance(base.get_compute_driver(),
                              nova_compute.NovaComputeDriver)
        self.assertIsInstance(base.get_network_driver(),
                              neutron.NeutronNetworkDriver)

    def test_named(self):
        self.assertIsInstance(base.get_storage_driver('local'),
                              local_storage.LocalStorageDriver)
        self.assertIsInstance(base.get_attach_driver('local'),
                              local_attach.LocalAttachDriver)
        self.assertIsInstance(base.get_attach_driver('osbrick'),
                              osbrick.OsBrickAttachDriver)
        self.assertIsInstance(base.get_compute_driver('local'),
                              local_compute.LocalComputeDriver)
        self.assertIsInstance(base.get_network_driver('local'),
                              local_network.LocalNetworkDriver)

    def test_configured(self):
        self.config(storage_driver='local', group='target')
        self.assertIsInstance(base.get_storage_driver(),
                              local_storage.LocalStorageDriver)

    def test_unknown(self):
        self.assertRaises(exception.ConfigInvalid, base.get_storage_driver,
                          'nope')


class HelpersTest(test_base.TestCase):

    def test_round_up_gib(self):
        self.assertEqual(1, base.round_up_gib(0))
        self.assertEqual(1, base.round_up_gib(base.GiB))
        self.assertEqual(2, base.round_up_gib(base.GiB + 1))

    def test_field(self):
        class Obj:
            id = 3
        self.assertEqual(3, base.field(Obj(), 'id'))
        self.assertEqual(3, base.field({'id': 3}, 'id'))
        self.assertEqual('d', base.field(None, 'id', 'd'))

    def test_volume_type_for(self):
        job = {'target_spec': {'volume_type': 'std',
                               'disk_volume_types': {'2001': 'fast'}}}
        self.assertEqual('std', base.volume_type_for(job,
                                                     {'device_key': 2000}))
        self.assertEqual('fast', base.volume_type_for(job,
                                                      {'device_key': 2001}))
        self.config(volume_type='cfg', group='target')
        self.assertEqual('cfg', base.volume_type_for({}, {'device_key': 1}))

    def test_instance_name_for(self):
        self.assertEqual('new', base.instance_name_for(
            {'id': 3, 'vm_name': 'web', 'target_spec': {
                'instance_name': 'new'}}))
        self.assertEqual('web', base.instance_name_for(
            {'id': 3, 'vm_name': 'web', 'target_spec': {}}))
        self.assertEqual('xms-job-job-3',
                         base.instance_name_for({'uuid': 'job-3'}))

    def test_quota_message_names_the_quota(self):
        exc = base.QuotaExceeded(quota='gigabytes', project='p', need=5,
                                 free=2, limit=10)
        self.assertEqual('Quota gigabytes of project p is exceeded: 5 more '
                         'needed, 2 free (limit 10).', str(exc))
        self.assertEqual(413, exc.code)

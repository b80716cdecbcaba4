"""Which snapshot names the reaper may treat as XMS's own."""

from oslo_utils import uuidutils

from xms.sources.vsphere import snapshots
from xms.tests import base


class TestIsOurs(base.TestCase):

    def test_names_xms_makes(self):
        job = uuidutils.generate_uuid()
        for purpose in ('sync', 'export', 'pre_cutover', 'final',
                        snapshots.STUN):
            self.assertTrue(snapshots.is_ours(
                snapshots.snapshot_name(job, purpose)))

    def test_owner_names_with_our_prefix_are_not(self):
        for name in ('xms-before-upgrade', 'xms-nightly', 'xms-',
                     'before-upgrade', 'XMS-%s-sync'
                     % uuidutils.generate_uuid(),
                     'xms-%s' % uuidutils.generate_uuid(),
                     'xms-%s-sync extra' % uuidutils.generate_uuid(),
                     'my-xms-%s-sync' % uuidutils.generate_uuid()):
            self.assertFalse(snapshots.is_ours(name), name)

    def test_prefix_from_config(self):
        self.config(snapshot_prefix='mig.', group='vsphere')
        job = uuidutils.generate_uuid()
        self.assertTrue(snapshots.is_ours('mig.%s-sync' % job))
        self.assertFalse(snapshots.is_ours('migx%s-sync' % job))
        self.assertFalse(snapshots.is_ours('xms-%s-sync' % job))

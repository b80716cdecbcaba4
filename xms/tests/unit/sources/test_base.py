"""Loading source drivers by entry point."""

from xms.sources import base as source_base
from xms.sources import exception
from xms.sources.vsphere import driver
from xms.tests import base


class TestGetDriver(base.TestCase):

    def test_vmware(self):
        found = source_base.get_driver('vmware')
        self.assertIsInstance(found, driver.VSphereDriver)
        self.assertIsInstance(found, source_base.SourceDriver)
        self.assertIs(found, source_base.get_driver())

    def test_unknown(self):
        self.assertRaises(exception.SourceDriverNotFound,
                          source_base.get_driver, 'hyperv')

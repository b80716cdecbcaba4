from django.test import utils
from openstack_dashboard.test import helpers
from xmsclient import exceptions

from xms_dashboard.api import xms


def _service(region, url):
    return {'type': 'migration', 'name': 'xms', 'endpoints': [
        {'region_id': region, 'interface': 'internal', 'url': url + '/i'},
        {'region_id': region, 'interface': 'public', 'url': url}]}


@utils.override_settings(XMS_API_URL=None)
class EndpointTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        # Two XMS services, each with endpoints in its own region (as
        # parallel test deployments register them).
        self.request.user.service_catalog = [
            {'type': 'compute', 'endpoints': []},
            _service('other', 'http://other:8980'),
            _service('RegionOne', 'http://xms:8980/')]
        self.request.user.services_region = 'RegionOne'

    def test_the_users_region_among_every_service_of_the_type(self):
        self.assertEqual('http://xms:8980', xms.endpoint(self.request))
        self.assertTrue(xms.is_available(self.request))

    def test_xms_region_setting(self):
        with utils.override_settings(XMS_REGION='other'):
            self.assertEqual('http://other:8980', xms.endpoint(self.request))

    def test_no_endpoint_hides_the_panels(self):
        self.request.user.services_region = 'nowhere'
        self.assertFalse(xms.is_available(self.request))
        self.assertRaises(exceptions.ConnectionError, xms.endpoint,
                          self.request)

    def test_setting_overrides_the_catalog(self):
        with utils.override_settings(XMS_API_URL='http://fixed:1/'):
            self.assertEqual('http://fixed:1', xms.endpoint(self.request))

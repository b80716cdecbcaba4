"""The Migration panels in a real browser, against real services.

A test here is a journey test (:mod:`xms.tests.functional.journey.base`:
XMS started as deployed, a vcsim VM, the mini-cloud) plus Horizon with
xms-dashboard and a headless Chromium. Users log in through Horizon's
login form against the mini-cloud's Keystone; every XMS call the pages
make goes through the plugin with that user's token.
"""

import uuid

from xms.tests.functional.dashboard import pages
from xms.tests.functional.fixtures import deployment
from xms.tests.functional.fixtures import horizon
from xms.tests.functional.journey import base as journey

#: Keystone users of the mini-cloud in tenant1.
MEMBER = ('alice', 'alice-pass')
READER = ('bob', 'bob-pass')
MANAGER = (deployment.MANAGER, deployment.MANAGER_PASSWORD)


class DashboardTestCase(journey.JourneyTestCase):

    def setUp(self):
        reason = horizon.installed()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.xms_region = 'xms-dash-%s' % uuid.uuid4().hex[:8]
        self.useFixture(deployment.CatalogEntry(
            self.admin, self.deploy.base_url, self.xms_region,
            'XMS dashboard test'))
        self.horizon = self.useFixture(horizon.Horizon(
            self.state_path + '/horizon', self.state['auth_url'],
            self.state['region_name'], self.xms_region))
        self.shots_dir = horizon.artefacts_dir(self.id())
        self.addDetail('screenshots', __import__(
            'testtools').content.text_content(self.shots_dir))
        self.addOnException(self._attach_horizon_log)
        self.users = {}
        # The manager persona exists once its session is made.
        deployment.manager_session(self.state, self.admin)

    def _attach_horizon_log(self, exc_info):
        self.addDetail('horizon.log', __import__(
            'testtools').content.text_content(self.horizon.log_tail(60000)))
        for name, browser in self.users.items():
            try:
                browser.shot('failure-%s' % name)
            except Exception:  # noqa: BLE001, S110 - best effort
                pass

    def browser(self, user):
        """A browser logged in as ``user`` (a ``(name, password)``)."""
        browser = self.useFixture(horizon.Browser(self.horizon.url,
                                                  self.shots_dir))
        browser.login(*user)
        self.users[user[0]] = browser
        return pages.Panels(browser)

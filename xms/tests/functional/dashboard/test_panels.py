"""The gate's browser test: what a reader and a member are offered.

Short on purpose (one deployment, two logins): the whole journey through
the panels is :mod:`test_journey`, run by ``tox -e browser``.
"""

from xms.tests.functional.dashboard import base
from xms.tests.functional.dashboard import pages
from xms.tests.functional.fixtures import deployment


class PanelsTest(base.DashboardTestCase):

    # One process is enough to show pages; the journey runs them split.
    MODE = deployment.ALL_IN_ONE

    def test_reader_sees_no_action_member_sees_its_own(self):
        vm = self.register_and_discover()

        reader = self.browser(base.READER)
        for path in pages.PAGES:
            reader.open(path)
            self.assertIn('Migration', reader.b.text())
            reader.b.shot('reader-%s' % path.strip('/').split('/')[-1])
            self.assertEqual({}, reader.buttons(), path)
        reader.open('%s%s/' % (pages.DISCOVER, vm['uuid']))
        self.assertIn(vm['name'], reader.b.text())
        reader.b.shot('reader-vm-detail')
        # The reader sees the rows, not the buttons.
        reader.open(pages.DISCOVER)
        self.assertIsNotNone(reader.row('vms', vm['uuid']))

        member = self.browser(base.MEMBER)
        member.open(pages.ENVIRONMENTS)
        offered = member.buttons()
        member.b.shot('member-environments')
        self.assertIn('environments__test__%s' % self.source_id, offered)
        self.assertIn('environments__discover__%s' % self.source_id,
                      offered)
        # Registering and changing a source is the manager's.
        self.assertNotIn('environments__delete__%s' % self.source_id,
                         offered)
        self.assertFalse([k for k in offered if k.endswith('/add/')],
                         offered)
        member.open(pages.DISCOVER)
        offered = member.buttons()
        self.assertIn('vms__preflight', offered)
        self.assertIn('vms__migrate', offered)

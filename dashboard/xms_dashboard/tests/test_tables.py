from unittest import mock

from openstack_dashboard.test import helpers

from xms_dashboard.content.discover import tables as discover_tables
from xms_dashboard.content.migrations import tables as job_tables
from xms_dashboard.tests import fakes


class RolesTestCase(helpers.TestCase):

    def as_roles(self, *names):
        """The signed-in user has exactly these roles in the project (the
        policy check reads the user Horizon's helpers make)."""
        self._setup_user(roles=[{'id': n, 'name': n} for n in names])


class JobsTableTest(RolesTestCase):

    def _row_actions(self, job):
        table = job_tables.JobsTable(self.request, data=[job])
        return sorted(a.name for a in table.get_row_actions(job))

    def test_progress_bar_rate_eta(self):
        job = fakes.job()
        html = str(job_tables.progress_bar(job))
        self.assertIn('data-percent="50"', html)
        self.assertIn('width: 50%', html)
        self.assertIn('active', html)
        self.assertEqual('3.0 MiB/s', job_tables.rate(job))
        self.assertEqual('2m 5s', job_tables.eta(job))
        done = fakes.job(state='completed', actions=('delete',))
        self.assertIn('data-percent="100"', str(job_tables.progress_bar(done)))
        self.assertEqual('-', job_tables.eta(done))

    def test_lag(self):
        self.assertEqual('-', job_tables.lag(fakes.job()))
        warm = fakes.job(job_type='warm', state='ready',
                         lag={'seconds': 65, 'pending_bytes': 2048})
        self.assertEqual('1m 5s (2.0 KiB pending)', str(job_tables.lag(warm)))
        fresh = fakes.job(job_type='warm', state='running')
        self.assertEqual('no sync yet', str(job_tables.lag(fresh)))

    def test_member_gets_the_actions_the_state_allows(self):
        self.as_roles('member', 'reader')
        ready = fakes.job(job_type='warm', state='ready',
                          actions=('sync', 'cutover', 'cancel'))
        self.assertEqual(['cancel', 'cutover', 'sync'],
                         self._row_actions(ready))
        failed = fakes.job(state='failed', actions=('cancel', 'retry',
                                                    'delete'))
        self.assertEqual(['cancel', 'delete', 'retry'],
                         self._row_actions(failed))

    def test_reader_gets_no_action(self):
        self.as_roles('reader')
        ready = fakes.job(job_type='warm', state='ready',
                          actions=('sync', 'cutover', 'cancel', 'delete'))
        self.assertEqual([], self._row_actions(ready))
        table = job_tables.JobsTable(self.request, data=[ready])
        self.assertEqual([], [a.name for a in table.get_table_actions()])

    def test_rows_refresh_until_final(self):
        table = job_tables.JobsTable(self.request,
                                     data=[fakes.job(state='running')])
        row = table.get_rows()[0]
        self.assertIsNone(row.status)
        self.assertTrue(row.ajax)
        table = job_tables.JobsTable(self.request,
                                     data=[fakes.job(state='completed')])
        self.assertTrue(table.get_rows()[0].status)

    def test_cutover_confirmation_says_what_happens(self):
        text = str(job_tables.Cutover.help_text)
        self.assertIn('shuts the source VM down', text)
        self.assertIn('boots the target instance', text)


class DiscoverTableTest(RolesTestCase):

    def test_verdict_badges(self):
        self.assertIn('label-danger',
                      str(discover_tables.verdict_badge(
                          fakes.vm(verdict='block'))))
        self.assertIn('label-success',
                      str(discover_tables.verdict_badge(fakes.vm())))
        self.assertIn('not checked',
                      str(discover_tables.verdict_badge(
                          fakes.vm(verdict=None))))

    @mock.patch('xms_dashboard.api.xms.vm_list')
    def test_reader_cannot_preflight_or_migrate(self, vm_list):
        self.as_roles('reader')
        table = discover_tables.VmsTable(self.request, data=[fakes.vm()])
        self.assertEqual(['filter'],
                         [a.name for a in table.get_table_actions()])
        self.as_roles('member')
        table = discover_tables.VmsTable(self.request, data=[fakes.vm()])
        self.assertEqual(['filter', 'preflight', 'migrate'],
                         [a.name for a in table.get_table_actions()])

"""A migration driven through the Migration panels only (``tox -e browser``).

A project manager adds the environment in the Add Environment form; a
member tests the connection, discovers, preflights the VM from Discover,
starts a cold migration with the New Migration workflow and watches its
row's progress bar move in place (no page reload) until the job
completes; the job detail and the events are shown; a reader then sees
every page without a single action. A screenshot of every page goes to
the artefacts directory the test reports.
"""

import os
import time

from xms.tests.functional.dashboard import base
from xms.tests.functional.dashboard import pages


def full_run():
    return os.environ.get('XMS_BROWSER', '').lower() == 'full'


class JourneyTest(base.DashboardTestCase):

    def setUp(self):
        if not full_run():
            self.skipTest('the browser journey runs under tox -e browser '
                          '(XMS_BROWSER=full)')
        super().setUp()

    def _add_environment(self):
        manager = self.browser(base.MANAGER)
        manager.open(pages.ENVIRONMENTS + 'add/')
        sim = self.sim
        for field, value in (('id_name', 'browser-vcenter'),
                             ('id_host', sim.host),
                             ('id_port', str(sim.port)),
                             ('id_username', sim.username),
                             ('id_password', sim.password),
                             ('id_thumbprint', sim.thumbprint)):
            manager.set_value(field, value)
        manager.b.shot('manager-add-environment')
        manager.submit('id_name')
        manager.b.wait(lambda: manager.driver.current_url.rstrip('/')
                       .endswith('migration_environments'),
                       'the environments list')
        self.assertIn('browser-vcenter', manager.b.text())
        sources = self.member.get('/sources')['sources']
        self.source_id = next(s['uuid'] for s in sources
                              if s['name'] == 'browser-vcenter')
        # The password was write-only: not on the page, not in the API.
        self.assertNotIn(sim.password, manager.driver.page_source)
        manager.b.shot('manager-environments')

    def _discover(self, member):
        member.open(pages.ENVIRONMENTS)
        member.click('environments__test__%s' % self.source_id)
        member.b.wait(lambda: 'Connected' in member.messages(),
                      'the test connection message')
        member.b.shot('member-test-connection')
        member.click('environments__discover__%s' % self.source_id)
        member.b.wait(lambda: member.cell_text(
            'environments', self.source_id, 'Discovery') == 'completed',
            'discovery shown as completed', timeout=180)
        member.b.shot('member-environments-discovered')

    def _preflight(self, member, vm):
        member.open(pages.DISCOVER + '?source_id=%s' % self.source_id)
        member.tick('input[name=object_ids][value="%s"]' % vm['uuid'])
        member.click('vms__preflight')
        member.b.wait(lambda: member.b.css('#id_mode'), 'preflight form')
        member.set_value('id_mode', 'cold')
        member.set_value('id_network_id', self.net1['id'])
        member.b.shot('member-preflight-form')
        member.submit('id_mode')

        def verdict():
            member.open(pages.DISCOVER + '?source_id=%s' % self.source_id)
            text = member.cell_text('vms', vm['uuid'], 'Verdict')
            return text if text and text.lower() in (
                'pass', 'warn', 'block') else None
        found = member.b.wait(verdict, 'a verdict badge', timeout=180,
                              interval=2)
        member.b.shot('member-discover-verdict')
        member.open('%s%s/' % (pages.DISCOVER, vm['uuid']))
        self.assertIn('Remediation', member.b.text())
        member.b.shot('member-vm-checks')
        return found.lower()

    def _migrate(self, member, vm):
        member.open(pages.DISCOVER + '?source_id=%s' % self.source_id)
        member.tick('input[name=object_ids][value="%s"]' % vm['uuid'])
        member.click('vms__migrate')
        member.b.wait(lambda: member.b.css('#id_job_type'), 'the workflow')
        member.set_value('id_job_type', 'cold')
        for select in member.b.css('select[id^="id_net_"]'):
            member.set_value(select.get_attribute('id'), self.net1['id'])
        member.set_value('id_volume_type', self.state['volume_type']['name'])
        member.b.shot('member-new-migration')
        member.submit('id_job_type')
        member.b.wait(lambda: member.driver.current_url.rstrip('/')
                      .endswith('migration_jobs'), 'the migrations list',
                      timeout=120)
        jobs = self.member.get('/jobs?vm_id=%s' % vm['uuid'])['jobs']
        self.assertEqual(1, len(jobs), jobs)
        self.jobs.append(jobs[0]['uuid'])
        return jobs[0]

    def _watch(self, member, job):
        """The row's bar, read every half second without reloading."""
        member.driver.execute_script('window.xmsNoReload = true;')
        seen = []
        deadline = time.monotonic() + 600
        state = None
        while time.monotonic() < deadline:
            row = member.row('jobs', job['uuid'])
            if row is not None:
                try:
                    bar = row.find_element('css selector', '.xms-progress')
                    percent = float(bar.get_attribute('data-percent'))
                    state = member.cell_text('jobs', job['uuid'], 'State')
                except Exception:  # noqa: BLE001, S112 - row replaced
                    continue
                if not seen or seen[-1] != percent:
                    seen.append(percent)
                    member.b.shot('member-migrations-%03d' % percent)
                if state and state.lower() in ('completed', 'failed',
                                               'cancelled'):
                    break
            time.sleep(0.5)
            self.deploy._check_alive()
        self.assertTrue(member.driver.execute_script(
            'return window.xmsNoReload === true;'),
            'the page was reloaded: rows must update in place')
        return state, seen

    def test_migrate_through_the_panels(self):
        self._add_environment()
        member = self.browser(base.MEMBER)
        self._discover(member)
        vm = self.member.get('/vms/%s' % next(
            v['uuid'] for v in self.member.get(
                '/vms?source_id=%s' % self.source_id)['vms']
            if v['name'] == self.VM))
        verdict = self._preflight(member, vm)
        self.assertIn(verdict, ('pass', 'warn'))
        job = self._migrate(member, vm)
        state, seen = self._watch(member, job)
        print('progress bar values seen: %s' % seen)
        self.assertEqual('completed', (state or '').lower(),
                         self.member.get('/jobs/%s' % job['uuid']))
        self.assertEqual(100.0, seen[-1])
        self.assertGreaterEqual(len(seen), 2, seen)
        member.b.shot('member-migrations-completed')

        member.open('%s%s/' % (pages.MIGRATIONS, job['uuid']))
        text = member.b.text()
        self.assertIn('Timeline', text)
        self.assertIn('instance', text)
        member.b.shot('member-job-detail')
        member.open(pages.EVENTS)
        self.assertIn(job['uuid'], member.driver.page_source)
        member.b.shot('member-events')

        reader = self.browser(base.READER)
        for path in pages.PAGES + ('%s%s/' % (pages.MIGRATIONS, job['uuid']),):
            reader.open(path)
            reader.b.shot('reader-%s' % path.strip('/').split('/')[-1])
            self.assertEqual({}, reader.buttons(), path)
        print('screenshots in %s:\n  %s' % (self.shots_dir, '\n  '.join(
            sorted(os.path.basename(p) for b in self.users.values()
                   for p in b.shots))))

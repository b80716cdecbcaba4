"""``openstack migration`` end to end: a cold migration and a warm one
driven with the CLI only, live progress on a pseudo-terminal, and the
error paths (one line, non-zero exit)."""

import os
import re

from xms.tests.functional.client import base

#: Where the pty transcript of the cold ``job create --wait`` is kept.
TRANSCRIPT = os.environ.get('XMS_CLI_TRANSCRIPT')

CURSOR_UP = re.compile('\x1b\\[(\\d+)A')


class CliJourneyTest(base.CliTestCase):

    def test_cold_job_create_wait_on_a_terminal(self):
        vm = self.cli_register_and_discover()
        self.assertEqual(2, len(vm['disks']))
        spec, target_args = self.cli_target_args(vm)
        self.cli_preflight(vm, 'cold', target_args)
        code, screen = self.pty(
            'migration', 'job', 'create', '--vm', vm['name'], '--cold',
            '--wait', '--poll-interval', '0.3', *target_args)
        # The table under the bars wraps the ID to the terminal's width.
        job_id = self.cli_json('migration', 'job', 'list', '--vm',
                               vm['uuid'])[0]['UUID']
        self.jobs.append(job_id)
        if TRANSCRIPT:
            with open(TRANSCRIPT, 'w') as f:
                f.write(screen)
        self.assertEqual(0, code, screen)
        # Bars redrawn in place: the block of a job line and its two disk
        # lines goes back up (cursor up 3) and each line is cleared.
        self.assertTrue(CURSOR_UP.findall(screen), screen)
        self.assertEqual({'3'}, set(CURSOR_UP.findall(screen)), screen)
        self.assertIn('\r\x1b[2K', screen)
        self.assertIn('[' + '#' * 24 + '] 100.0%', screen)
        self.assertIn('completed', screen.rsplit('\x1b[2K', 3)[-3])
        job = self.cli_json('migration', 'job', 'show', job_id)
        self.assertEqual('completed', job['state'])
        self.assertEqual(100.0, job['percent'])
        self.assertEqual(['delete'], job['allowed_actions'])
        self.assert_disks_equal(job)
        self.assert_target(job, spec)
        events = self.cli_json('migration', 'job', 'event', 'list', job_id,
                               '--sort', 'created_at:asc')
        self.assertIn('created', [e['Event Type'] for e in events])

        # Error paths: one line on stderr, non-zero exit.
        code, out, err = self.cli('migration', 'job', 'cutover', job_id,
                                  expect=1)
        self.assertEqual(
            'Action cutover is not allowed on job %s in state completed: '
            'only warm migrations can cutover (HTTP 409); allowed actions '
            'now: delete' % job_id, err.strip())
        code, out, err = self.cli(
            'migration', 'source', 'create', 'bad', '--host', 'h',
            '--username', 'u', '--port', '70000', '--password-stdin',
            env=self.manager_env, stdin='pw\n', expect=1)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('port', err)
        self.assertIn('(HTTP 400)', err)
        code, out, err = self.cli('migration', 'job', 'show',
                                  '00000000-0000-0000-0000-000000000000',
                                  expect=1)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('(HTTP 404)', err)
        # A member may not register sources: 403, one line.
        code, out, err = self.cli(
            'migration', 'source', 'create', 'nope', '--host', 'h',
            '--username', 'u', '--password-stdin', stdin='pw\n', expect=1)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('(HTTP 403)', err)

        # The password, given on stdin even under --debug, is nowhere.
        code, out, err = self.cli(
            '--debug', 'migration', 'source', 'credential', 'set',
            'cli-vcenter', '--password-stdin', env=self.manager_env,
            stdin=self.password + '\n')
        self.assertIn('values withheld', err)
        self.assertEqual(
            [], [o for o in self.outputs
                 if any(f in o for f in self._forms(self.password))])

    def test_warm_sync_and_cutover(self):
        vm = self.cli_register_and_discover()
        spec, target_args = self.cli_target_args(vm)
        self.cli_preflight(vm, 'warm', target_args)
        # Ctrl-C on the terminal stops watching, not the job.
        code, screen = self.pty(
            'migration', 'job', 'create', '--vm', vm['uuid'], '--warm',
            '--shutdown-timeout', '5', '--wait', '--poll-interval', '0.5',
            *target_args, interrupt_on='\x1b[2K')
        self.assertEqual(130, code, screen)
        job_id = re.search(
            r'Stopped watching; the job goes on \(openstack migration job '
            r'watch ([0-9a-f-]{36})\)', screen).group(1)
        self.jobs.append(job_id)
        job = self.cli_json('migration', 'job', 'show', job_id)
        self.assertNotIn(job['state'], ('cancelling', 'cancelled'), job)
        # Not a terminal: timestamped lines until the job is ready.
        code, out, err = self.cli('migration', 'job', 'watch', job_id,
                                  '--poll-interval', '0.5')
        self.assertNotIn('\x1b[', out)
        self.assertRegex(out, r'(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ %s '
                              r'\w{8} ready' % self.VM)
        # Cutover needs an incremental sync first: 409 with what to do.
        code, out, err = self.cli('migration', 'job', 'cutover', job_id,
                                  expect=1)
        self.assertIn('run a sync first (HTTP 409); allowed actions now: '
                      'sync, cancel', err)
        self.sim.write_live_disk(self.VM, base.journey_base.MiB,
                                 os.urandom(64 * 1024))
        code, out, err = self.cli('migration', 'job', 'sync', job_id,
                                  '--wait', '--poll-interval', '0.5')
        self.assertIn('sync accepted', out)
        job = self.cli_json('migration', 'job', 'show', job_id)
        self.assertEqual(('ready', 1), (job['state'],
                                        job['incremental_syncs']))
        code, out, err = self.cli('migration', 'job', 'cutover', job_id,
                                  '--wait', '--poll-interval', '0.5')
        self.assertRegex(out.strip().splitlines()[-1], ' completed[ /]')
        job = self.cli_json('migration', 'job', 'show', job_id)
        self.assertEqual('completed', job['state'])
        self.assert_disks_equal(job)
        self.assert_target(job, spec)
        listed = self.cli_json('migration', 'job', 'list', '--state',
                               'completed', '--vm', vm['uuid'], '--limit',
                               '1', '-c', 'UUID', '-c', 'State')
        self.assertEqual([{'UUID': job_id, 'State': 'completed'}], listed)

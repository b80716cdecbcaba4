"""Parsing and columns of every ``openstack migration`` command, on a
mock client."""

import io
from unittest import mock

from osc_lib import exceptions as osc_exc
import testtools

from xmsclient import exceptions
from xmsclient.osc.v1 import events
from xmsclient.osc.v1 import jobs
from xmsclient.osc.v1 import preflights
from xmsclient.osc.v1 import progress
from xmsclient.osc.v1 import sources
from xmsclient.osc.v1 import vms
from xmsclient.osc.v1 import workers
from xmsclient.tests.unit import fakes


class CommandTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.app = fakes.app()
        self.xms = self.app.client_manager.migration

    def run_cmd(self, cls, argv):
        cmd = cls(self.app, None)
        parsed = cmd.get_parser('openstack migration').parse_args(argv)
        return cmd.take_action(parsed)

    def parse(self, cls, argv):
        cmd = cls(self.app, None)
        return cmd.get_parser('openstack migration').parse_args(argv)


class SourceTest(CommandTest):

    def test_create_reads_the_password_from_stdin(self):
        self.xms.sources.create.return_value = fakes.source()
        with mock.patch('sys.stdin', io.StringIO('pa ss\n')):
            columns, values = self.run_cmd(sources.CreateSource, [
                'vc1', '--host', 'vc.example', '--username', 'admin',
                '--password-stdin', '--port', '8443', '--no-verify-tls',
                '--thumbprint', 'AA:BB'])
        self.xms.sources.create.assert_called_once_with(
            name='vc1', host='vc.example', username='admin',
            password='pa ss', port=8443, verify_tls=False,
            thumbprint='AA:BB')
        self.assertEqual(sources.SHOW_FIELDS, columns)
        self.assertNotIn('password', columns)
        self.assertEqual('completed',
                         values[columns.index('discovery_status')])

    def test_password_needs_a_terminal_or_stdin(self):
        args = self.parse(sources.CreateSource, [
            'vc1', '--host', 'h', '--username', 'u'])
        args.username_for = 'u'
        self.assertRaises(osc_exc.CommandError, sources.read_password, args,
                          stdin=fakes.TtyBuffer(tty=False))
        prompts = iter(['pw', 'pw'])
        self.assertEqual('pw', sources.read_password(
            args, stdin=fakes.TtyBuffer(tty=True),
            prompt=lambda text: next(prompts)))
        prompts = iter(['pw', 'other'])
        self.assertRaises(osc_exc.CommandError, sources.read_password, args,
                          stdin=fakes.TtyBuffer(tty=True),
                          prompt=lambda text: next(prompts))

    def test_list_filters_pagination_sort(self):
        self.xms.sources.list.return_value = [fakes.source()]
        columns, rows = self.run_cmd(sources.ListSource, [
            '--status', 'connected', '--limit', '5', '--marker', 'm',
            '--sort', 'name:desc'])
        self.xms.sources.list.assert_called_once_with(
            name=None, status='connected', limit=5, marker='m',
            sort_key='name', sort_dir='desc')
        self.assertEqual(('UUID', 'Name', 'Host', 'Status',
                          'Discovery Status'), columns)
        self.assertEqual([(fakes.SOURCE_ID, 'vc1', 'vc.example',
                           'connected', 'completed')], rows)
        self.assertRaises(osc_exc.CommandError, self.run_cmd,
                          sources.ListSource, ['--sort', 'bogus'])

    def test_show_set_delete_test_discover_by_name(self):
        self.xms.sources.list.return_value = [fakes.source()]
        self.xms.sources.update.return_value = fakes.source(name='vc2')
        self.xms.sources.discover.return_value = fakes.source()
        self.xms.sources.test.return_value = {'status': 'connected',
                                              'version': '8.0'}
        columns, values = self.run_cmd(sources.ShowSource, ['vc1'])
        self.assertEqual('vc1', values[columns.index('name')])
        self.run_cmd(sources.SetSource, ['vc1', '--name', 'vc2'])
        self.xms.sources.update.assert_called_once_with(fakes.SOURCE_ID,
                                                        name='vc2')
        self.assertRaises(osc_exc.CommandError, self.run_cmd,
                          sources.SetSource, ['vc1'])
        columns, values = self.run_cmd(sources.TestSource, ['vc1'])
        self.assertEqual(('status', 'product_name', 'version', 'build',
                          'api_type'), columns)
        self.run_cmd(sources.DiscoverSource, ['vc1', '--wait'])
        self.xms.sources.discover.assert_called_once_with(fakes.SOURCE_ID)
        self.run_cmd(sources.DeleteSource, [fakes.SOURCE_ID])
        self.xms.sources.delete.assert_called_once_with(fakes.SOURCE_ID)

    def test_discover_wait_fails_with_the_reason(self):
        self.xms.sources.discover.return_value = fakes.source(discovery={
            'status': 'failed', 'error': 'login refused'})
        exc = self.assertRaises(osc_exc.CommandError, self.run_cmd,
                                sources.DiscoverSource,
                                [fakes.SOURCE_ID, '--wait'])
        self.assertIn('login refused', str(exc))

    def test_credential_set(self):
        self.xms.sources.get.return_value = fakes.source()
        self.xms.sources.set_credential.return_value = fakes.source()
        with mock.patch('sys.stdin', io.StringIO('new\n')):
            self.run_cmd(sources.SetSourceCredential,
                         [fakes.SOURCE_ID, '--password-stdin'])
        self.xms.sources.set_credential.assert_called_once_with(
            fakes.SOURCE_ID, password='new', username=None)

    def test_name_lookup_errors(self):
        self.xms.sources.list.return_value = []
        exc = self.assertRaises(osc_exc.CommandError, self.run_cmd,
                                sources.ShowSource, ['nope'])
        self.assertIn('No source with name or ID nope', str(exc))
        self.xms.sources.list.return_value = [fakes.source(),
                                              fakes.source()]
        self.assertRaises(osc_exc.CommandError, self.run_cmd,
                          sources.ShowSource, ['vc1'])

    def test_api_error_is_one_line(self):
        self.xms.sources.create.side_effect = exceptions.BadRequest(
            'must be at most 65535', field='port', request_id='req-1')
        with mock.patch('sys.stdin', io.StringIO('pw\n')):
            exc = self.assertRaises(
                osc_exc.CommandError, self.run_cmd, sources.CreateSource,
                ['vc1', '--host', 'h', '--username', 'u',
                 '--password-stdin', '--port', '70000'])
        self.assertEqual('port: must be at most 65535 (HTTP 400)', str(exc))


class VmTest(CommandTest):

    def test_list(self):
        self.xms.sources.list.return_value = [fakes.source()]
        self.xms.vms.list.return_value = [fakes.resource({
            'uuid': fakes.VM_ID, 'name': 'web1', 'power_state': 'poweredOn',
            'guest_full_name': 'Debian', 'num_cpus': 2, 'memory_mb': 1024,
            'verdict': 'pass'})]
        columns, rows = self.run_cmd(vms.ListVm, [
            '--source', 'vc1', '--name', 'web*', '--power-state',
            'poweredOn', '--verdict', 'pass', '--present', '--sort',
            'name'])
        self.xms.vms.list.assert_called_once_with(
            source_id=fakes.SOURCE_ID, name='web*', power_state='poweredOn',
            verdict='pass', missing=False, limit=None, marker=None,
            sort_key='name')
        self.assertEqual(('UUID', 'Name', 'Power State', 'Guest Full Name',
                          'Num Cpus', 'Memory MB', 'Verdict'), columns)
        self.assertEqual([(fakes.VM_ID, 'web1', 'poweredOn', 'Debian', 2,
                           1024, 'pass')], rows)
        columns, _rows = self.run_cmd(vms.ListVm, ['--long'])
        self.assertIn('Snapshot Count', columns)

    def test_show_formats_disks_and_nics(self):
        self.xms.vms.get.return_value = fakes.resource({
            'uuid': fakes.VM_ID, 'name': 'web1',
            'disks': [{'device_key': 2000, 'capacity_bytes': 10}],
            'nics': [{'device_key': 4000, 'network_name': 'VM Network'}]})
        columns, values = self.run_cmd(vms.ShowVm, [fakes.VM_ID])
        disks = values[columns.index('disks')]
        self.assertEqual('device_key=2000, capacity_bytes=10',
                         disks.human_readable())
        self.assertEqual([{'device_key': 2000, 'capacity_bytes': 10}],
                         disks.machine_readable())


class PreflightTest(CommandTest):

    def test_run_with_target_and_wait(self):
        self.xms.preflights.create.return_value = [fakes.resource({
            'uuid': 'p1', 'vm_id': fakes.VM_ID, 'mode': 'warm',
            'status': 'pending'})]
        self.xms.preflights.get.return_value = fakes.resource({
            'uuid': 'p1', 'vm_id': fakes.VM_ID, 'mode': 'warm',
            'status': 'completed', 'verdict': 'warn'})
        net = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
        columns, rows = self.run_cmd(preflights.RunPreflight, [
            '--vm', fakes.VM_ID, '--mode', 'warm', '--flavor', 'm1.small',
            '--network-map', 'VM Network=%s,fixed-ip=10.0.0.5,keep-mac'
            % net, '--wait', '--poll-interval', '0'])
        self.xms.preflights.create.assert_called_once_with(
            [fakes.VM_ID], 'warm', target={
                'flavor_id': 'm1.small', 'network_mapping': [{
                    'source_network': 'VM Network', 'network_id': net,
                    'fixed_ip': '10.0.0.5', 'keep_mac': True}]})
        self.assertEqual(('UUID', 'VM ID', 'Mode', 'Status', 'Verdict',
                          'Finished At'), columns)
        self.assertEqual('warn', rows[0][4])

    def test_bad_network_map(self):
        self.assertRaises(SystemExit, self.parse, preflights.RunPreflight,
                          ['--vm', 'x', '--network-map', 'no-equals'])
        self.assertRaises(SystemExit, self.parse, preflights.RunPreflight,
                          ['--vm', 'x', '--network-map', 'a=b,colour=red'])

    def test_show_prints_checks_with_remediation(self):
        self.xms.preflights.get.return_value = fakes.resource({
            'uuid': 'p1', 'verdict': 'block', 'scores': {'storage': 50},
            'checks': [{'name': 'cbt', 'category': 'storage',
                        'status': 'block', 'message': 'CBT is off',
                        'remediation': 'Enable CBT'},
                       {'name': 'cpu', 'category': 'compute',
                        'status': 'pass', 'message': 'ok',
                        'remediation': None}]})
        columns, values = self.run_cmd(preflights.ShowPreflight, ['p1'])
        checks = values[columns.index('checks')].human_readable()
        self.assertEqual('BLOCK storage/cbt: CBT is off -> Enable CBT\n'
                         'PASS  compute/cpu: ok', checks)
        self.assertIn('storage', values[columns.index('scores')]
                      .human_readable())

    def test_list(self):
        self.xms.preflights.list.return_value = []
        self.run_cmd(preflights.ListPreflight, [
            '--vm', fakes.VM_ID, '--verdict', 'block', '--mode', 'cold',
            '--limit', '3'])
        self.xms.preflights.list.assert_called_once_with(
            vm_id=fakes.VM_ID, verdict='block', status=None, mode='cold',
            limit=3, marker=None)


class JobTest(CommandTest):

    def test_create_builds_the_body(self):
        self.xms.jobs.create.return_value = mock.Mock(
            jobs=[fakes.job(state='queued', phase=None)])
        columns, rows = self.run_cmd(jobs.CreateJob, [
            '--vm', fakes.VM_ID, '--vm', fakes.JOB_ID, '--warm',
            '--flavor', 'm1', '--volume-type', 'fast',
            '--disk-volume-type', '2001=slow', '--availability-zone', 'az1',
            '--security-group', 'web', '--security-group', 'ssh',
            '--sync-interval', '600', '--no-conversion', '--keep-target'])
        self.xms.jobs.create.assert_called_once_with(
            [fakes.VM_ID, fakes.JOB_ID], 'warm', target={
                'flavor_id': 'm1', 'volume_type': 'fast',
                'disk_volume_types': {'2001': 'slow'},
                'availability_zone': 'az1',
                'security_groups': ['web', 'ssh'], 'convert_guest': False},
            sync_interval=600, keep_target=True)
        self.assertEqual(('UUID', 'VM Name', 'Type', 'State', 'Phase',
                          'Percent', 'Created At', 'Wave ID'), columns)
        self.assertEqual('queued', rows[0][3])

    def test_create_cold_is_the_default(self):
        args = self.parse(jobs.CreateJob, ['--vm', 'a'])
        self.assertEqual('cold', args.type)
        self.assertRaises(SystemExit, self.parse, jobs.CreateJob,
                          ['--vm', 'a', '--disk-volume-type', 'x=y'])

    def test_create_wait_fails_with_the_reason_last(self):
        self.xms.jobs.create.return_value = mock.Mock(jobs=[fakes.job()])
        self.xms.jobs.get.side_effect = [
            fakes.job(percent=60.0),
            fakes.job(state='failed', phase='write_volume',
                      error='Cinder quota exceeded')]
        exc = self.assertRaises(osc_exc.CommandError, self.run_cmd,
                                jobs.CreateJob, ['--vm', fakes.VM_ID,
                                                 '--wait', '--poll-interval',
                                                 '0'])
        self.assertEqual('Job %s (VM web1) failed in phase write_volume: '
                         'Cinder quota exceeded' % fakes.JOB_ID, str(exc))
        out = self.app.stdout.getvalue()
        self.assertIn('web1', out)
        self.assertNotIn('\x1b[', out)

    def test_list_and_show_columns(self):
        self.xms.jobs.list.return_value = [fakes.job()]
        columns, rows = self.run_cmd(jobs.ListJob, [
            '--state', 'running', '--state', 'queued', '--type', 'cold',
            '--wave', fakes.WAVE_ID, '--sort', 'created_at:asc', '--long'])
        self.xms.jobs.list.assert_called_once_with(
            state=['running', 'queued'], type='cold', vm_id=None,
            source_id=None, wave_id=fakes.WAVE_ID, limit=None, marker=None,
            sort_key='created_at', sort_dir='asc')
        self.assertEqual(50.0, rows[0][columns.index('Percent')])
        self.assertEqual('cancel', rows[0][columns.index(
            'Allowed Actions')].human_readable())
        self.xms.jobs.get.return_value = fakes.job()
        columns, values = self.run_cmd(jobs.ShowJob, [fakes.JOB_ID])
        self.assertEqual(jobs.SHOW_FIELDS, columns)
        self.assertEqual('export', values[columns.index('phase')])
        self.assertEqual(50 * 1024 * 1024,
                         values[columns.index('rate_bps')])

    def test_action_409_says_the_allowed_actions(self):
        self.xms.jobs.cutover.side_effect = exceptions.Conflict(
            'Action cutover is not allowed on job x in state running: its '
            'initial copy is running')
        self.xms.jobs.get.return_value = fakes.job()
        exc = self.assertRaises(osc_exc.CommandError, self.run_cmd,
                                jobs.CutoverJob, [fakes.JOB_ID])
        self.assertEqual(
            'Action cutover is not allowed on job x in state running: its '
            'initial copy is running (HTTP 409); allowed actions now: '
            'cancel', str(exc))

    def test_actions(self):
        accepted = {'uuid': fakes.JOB_ID, 'action': 'sync', 'state': 'ready'}
        for cls, name in ((jobs.SyncJob, 'sync'), (jobs.RetryJob, 'retry'),
                          (jobs.CutoverJob, 'cutover')):
            getattr(self.xms.jobs, name).return_value = accepted
            self.assertEqual(0, self.run_cmd(cls, [fakes.JOB_ID]))
            getattr(self.xms.jobs, name).assert_called_once_with(
                fakes.JOB_ID)
        self.xms.jobs.cancel.return_value = accepted
        self.run_cmd(jobs.CancelJob, [fakes.JOB_ID, '--keep-target'])
        self.xms.jobs.cancel.assert_called_once_with(fakes.JOB_ID,
                                                     keep_target=True)
        self.run_cmd(jobs.DeleteJob, [fakes.JOB_ID])
        self.xms.jobs.delete.assert_called_once_with(fakes.JOB_ID)

    def test_sync_wait_ends_with_the_new_sync(self):
        old = {'uuid': 's0', 'status': 'completed'}
        self.xms.jobs.sync.return_value = {'uuid': fakes.JOB_ID,
                                           'action': 'sync', 'state': 'ready'}
        self.xms.jobs.get.side_effect = [
            fakes.job(state='ready', syncs=[old]),
            fakes.job(state='ready', syncs=[old]),
            fakes.job(state='syncing', syncs=[old, {'uuid': 's1',
                                                    'status': 'running'}]),
            fakes.job(state='ready', syncs=[old, {'uuid': 's1',
                                                  'status': 'completed'}])]
        self.assertEqual(0, self.run_cmd(jobs.SyncJob, [
            fakes.JOB_ID, '--wait', '--poll-interval', '0']))
        self.assertEqual(4, self.xms.jobs.get.call_count)

    def test_cancel_wait_accepts_cancelled(self):
        self.xms.jobs.cancel.return_value = {
            'uuid': fakes.JOB_ID, 'action': 'cancel', 'state': 'running'}
        self.xms.jobs.get.side_effect = [fakes.job(),
                                         fakes.job(state='cancelled')]
        self.assertEqual(0, self.run_cmd(jobs.CancelJob, [
            fakes.JOB_ID, '--wait', '--poll-interval', '0']))


class ProgressTest(testtools.TestCase):

    def test_tty_redraws_in_place(self):
        out = fakes.TtyBuffer(tty=True)
        manager = mock.Mock()
        manager.get.side_effect = [fakes.job(percent=10.0),
                                   fakes.job(percent=50.0),
                                   fakes.job(state='completed', phase=None,
                                             percent=100.0)]
        watcher = progress.Watcher(manager, out, interval=0)
        views = watcher.watch([fakes.JOB_ID], progress.finished)
        self.assertEqual('completed', views[0]['state'])
        text = out.getvalue()
        # Two lines (job, disk) drawn three times; the 2nd and 3rd go up.
        self.assertEqual(2, text.count(progress.CURSOR_UP % 2))
        self.assertEqual(6, text.count('\r' + progress.CLEAR_LINE))
        self.assertIn('[' + '#' * 24 + ']', text)
        self.assertIn('100.0%', text)

    def test_plain_lines_are_timestamped_changes(self):
        import datetime
        out = fakes.TtyBuffer(tty=False)
        manager = mock.Mock()
        manager.get.side_effect = [fakes.job(percent=10.0),
                                   fakes.job(percent=10.0),
                                   fakes.job(state='completed', phase=None,
                                             percent=100.0)]
        now = datetime.datetime(2026, 1, 2, 3, 4, 5,
                                tzinfo=datetime.timezone.utc)
        progress.Watcher(manager, out, interval=0, now=lambda: now).watch(
            [fakes.JOB_ID], progress.finished)
        lines = out.getvalue().splitlines()
        self.assertEqual(2, len(lines))
        self.assertTrue(lines[0].startswith('2026-01-02T03:04:05Z web1 '))
        self.assertIn('running/export', lines[0])
        self.assertIn(' completed ', lines[1])

    def test_ctrl_c_stops_watching_only(self):
        out = fakes.TtyBuffer()
        manager = mock.Mock()
        manager.get.side_effect = KeyboardInterrupt
        self.assertRaises(KeyboardInterrupt,
                          progress.Watcher(manager, out).watch,
                          [fakes.JOB_ID], progress.finished)
        self.assertIn('Stopped watching; the job goes on', out.getvalue())

    def test_timeout(self):
        clock = iter([0, 5, 11])
        manager = mock.Mock()
        manager.get.return_value = fakes.job()
        watcher = progress.Watcher(manager, fakes.TtyBuffer(), interval=0,
                                   timeout=10, clock=lambda: next(clock))
        self.assertRaises(TimeoutError, watcher.watch, [fakes.JOB_ID],
                          progress.finished)

    def test_helpers(self):
        self.assertEqual('[------------]', progress.bar(None, 12))
        self.assertEqual('[######------]', progress.bar(50, 12))
        self.assertEqual('01:05', progress.duration(65))
        self.assertEqual('1:00:00', progress.duration(3600))
        self.assertEqual('--:--', progress.duration(None))


class EventWorkerTest(CommandTest):

    def test_event_list(self):
        self.xms.events.list.return_value = [fakes.resource({
            'uuid': 'e1', 'created_at': 't', 'severity': 'info',
            'event_type': 'created', 'resource_type': 'job',
            'message': 'Job created', 'payload': None})]
        columns, rows = self.run_cmd(events.ListEvent, [
            '--job', fakes.JOB_ID, '--severity', 'info', '--type',
            'created', '--limit', '10'])
        self.xms.events.list.assert_called_once_with(
            job_id=fakes.JOB_ID, resource_type=None, resource_uuid=None,
            event_type='created', severity='info', limit=10, marker=None)
        self.assertEqual(('Created At', 'Severity', 'Event Type',
                          'Resource Type', 'Message'), columns)
        self.assertEqual([('t', 'info', 'created', 'job', 'Job created')],
                         rows)

    def test_job_event_list_sorts_the_page(self):
        self.xms.jobs.events.return_value = [
            fakes.resource({'uuid': 'e2', 'created_at': '2',
                            'event_type': 'b', 'message': 'm'}),
            fakes.resource({'uuid': 'e1', 'created_at': '1',
                            'event_type': 'a', 'message': 'm'})]
        _columns, rows = self.run_cmd(events.ListJobEvent, [
            fakes.JOB_ID, '--sort', 'created_at:asc'])
        self.assertEqual(['1', '2'], [r[0] for r in rows])

    def test_worker_list(self):
        self.xms.workers.list.return_value = [
            fakes.resource({'host': h, 'binary': 'xms-worker', 'slots': s,
                            'state': 'up', 'alive': True})
            for h, s in (('a', 2), ('b', 4), ('c', 1))]
        columns, rows = self.run_cmd(workers.ListWorker, [
            '--binary', 'xms-worker', '--sort', 'slots:desc', '--limit',
            '2'])
        self.xms.workers.list.assert_called_once_with(binary='xms-worker')
        self.assertEqual(['b', 'a'], [r[0] for r in rows])
        self.assertEqual('Free Slots', columns[6])
        _columns, rows = self.run_cmd(workers.ListWorker, ['--marker', 'a'])
        self.assertEqual(['b', 'c'], [r[0] for r in rows])


class PluginTest(testtools.TestCase):

    def test_make_client(self):
        from xmsclient.osc import plugin
        instance = mock.Mock(_api_version={'migration': '1'},
                             region_name='r1', interface='public')
        instance._cli_options.config = {
            'migration_endpoint_override': 'http://xms:8980'}
        c = plugin.make_client(instance)
        self.assertEqual('http://xms:8980', c.http.endpoint_override)
        self.assertEqual('r1', c.http.region_name)
        self.assertIsNone(c.http.requested_version)
        instance._api_version = {'migration': '1.0'}
        self.assertEqual((1, 0),
                         plugin.make_client(instance).http.requested_version)

    def test_options(self):
        import argparse

        from xmsclient.osc import plugin
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        args = parser.parse_args(['--os-migration-api-version', '1.0',
                                  '--os-migration-endpoint', 'http://x'])
        self.assertEqual('1.0', args.os_migration_api_version)
        self.assertEqual('http://x', args.migration_endpoint_override)

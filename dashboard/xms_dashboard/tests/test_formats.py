from django import test

from xms_dashboard import formats
from xms_dashboard.content.migrations import detail
from xms_dashboard.tests import fakes


class FormatsTest(test.SimpleTestCase):

    def test_size(self):
        self.assertEqual('-', formats.size(None))
        self.assertEqual('512 B', formats.size(512))
        self.assertEqual('1.5 KiB', formats.size(1536))
        self.assertEqual('8.0 GiB', formats.size(8 * 1024 ** 3))

    def test_rate_and_duration(self):
        self.assertEqual('-', formats.rate(None))
        self.assertEqual('3.0 MiB/s', formats.rate(3 * 1024 * 1024))
        self.assertEqual('2m 5s', formats.duration(125))
        self.assertEqual('1h 2m 5s', formats.duration(3725))
        self.assertEqual('-', formats.duration(None))


class DetailTest(test.SimpleTestCase):

    def _job(self):
        return fakes.job(state='ready', job_type='warm', syncs=[
            {'kind': 'full', 'status': 'completed',
             'started_at': '2026-12-01T03:00:00',
             'finished_at': '2026-12-01T03:00:10',
             'bytes_copied': 100 * 1024 * 1024},
            {'kind': 'incremental', 'status': 'completed',
             'started_at': '2026-12-01T04:00:00',
             'finished_at': '2026-12-01T04:00:02',
             'bytes_copied': 10 * 1024 * 1024},
            {'kind': 'incremental', 'status': 'running',
             'started_at': '2026-12-01T05:00:00', 'finished_at': None,
             'bytes_copied': None}],
            target_resources={'instance': 'srv-1', 'volumes': ['vol-1'],
                              'ports': ['port-1']})

    def test_chart_scales_bars_and_throughput(self):
        chart = detail.sync_chart(self._job())
        # The running sync has no duration yet: two points.
        self.assertEqual(2, chart['count'])
        full, incr = chart['bars']
        # The biggest sync fills the height; the other is a tenth of it.
        inner = detail.CHART_HEIGHT - 2 * detail.CHART_PAD
        self.assertEqual(inner, full['height'])
        self.assertAlmostEqual(inner / 10, incr['height'], places=0)
        # Throughput: 10 MiB/s then 5 MiB/s; the first point is the top.
        first, second = chart['line'].split()
        self.assertEqual(float(first.split(',')[1]), detail.CHART_PAD)
        self.assertGreater(float(second.split(',')[1]), detail.CHART_PAD)
        self.assertIn('10.0 MiB/s', chart['top_rate'])

    def test_no_chart_without_finished_syncs(self):
        self.assertIsNone(detail.sync_chart(fakes.job()))

    def test_timeline_orders_events_and_syncs(self):
        events = [fakes.resource({'created_at': '2026-12-01T03:30:00',
                                  'message': 'phase ready',
                                  'event_type': 'job.phase',
                                  'severity': 'info'})]
        rows = detail.timeline(self._job(), events)
        self.assertEqual(['full sync completed', 'phase ready',
                          'incremental sync completed',
                          'incremental sync running'],
                         [r['what'] for r in rows])
        self.assertEqual('10s', rows[0]['duration'])
        self.assertEqual('100.0 MiB', rows[0]['bytes'])

    def test_target_links_point_at_their_panels(self):
        links = detail.target_links(self._job())
        kinds = {kind: url for kind, _id, url in links}
        self.assertIn('/project/instances/srv-1/', kinds['instance'])
        self.assertIn('/project/volumes/vol-1/', kinds['volume'])
        self.assertIn('port-1', kinds['port'])

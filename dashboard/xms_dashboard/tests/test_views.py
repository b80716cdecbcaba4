"""Every page renders with the API's objects (the API module faked)."""

from unittest import mock

from django.urls import reverse
from openstack_dashboard.test import helpers

from xms_dashboard.tests import fakes

SOURCE = fakes.resource({
    'uuid': '55555555-5555-4555-8555-555555555555', 'name': 'vc1',
    'host': 'vc.example', 'status': 'connected', 'status_reason': None,
    'product_name': 'VMware vCenter Server', 'product_version': '8.0',
    'product_build': '123', 'discovery': {'status': 'running'}})
EVENT = fakes.resource({
    'uuid': '66666666-6666-4666-8666-666666666666', 'job_id': fakes.JOB_ID,
    'created_at': '2026-12-01T03:00:00', 'severity': 'info',
    'event_type': 'job.state', 'message': 'job queued'})
PREFLIGHT = fakes.resource({
    'uuid': '77777777-7777-4777-8777-777777777777', 'mode': 'cold',
    'status': 'completed', 'verdict': 'block', 'finished_at': None,
    'scores': {'storage': 0},
    'checks': [{'name': 'rdm', 'category': 'storage', 'status': 'block',
                'message': 'disk 2 is an RDM',
                'remediation': 'convert the RDM to a VMDK'}]})


@mock.patch.multiple(
    'xms_dashboard.api.xms',
    source_list=mock.Mock(return_value=[SOURCE]),
    source_get=mock.Mock(return_value=SOURCE),
    vm_list=mock.Mock(return_value=[fakes.vm()]),
    vm_get=mock.Mock(return_value=fakes.vm()),
    preflight_latest=mock.Mock(return_value=PREFLIGHT),
    job_list=mock.Mock(return_value=[fakes.job()]),
    job_get=mock.Mock(return_value=fakes.job(
        target_resources={'instance': 'srv-1', 'volumes': ['vol-1'],
                          'ports': []})),
    event_list=mock.Mock(return_value=[EVENT]))
class PagesTest(helpers.TestCase):

    def _get(self, name, *args, **query):
        url = reverse('horizon:project:%s' % name, args=args)
        resp = self.client.get(url, query)
        self.assertEqual(200, resp.status_code)
        self.longMessage = False
        return resp.content.decode()

    def test_environments(self):
        page = self._get('migration_environments:index')
        self.assertIn('VMware vCenter Server 8.0 (build 123)', page)
        # Adding a source is a manager's; the test user is a member.
        self.assertNotIn('Add Environment', page)
        self.assertIn('environments__test__%s' % SOURCE.uuid, page)
        # Discovery runs: the row refreshes itself.
        self.assertIn('data-update-url', page)

    def test_discover_and_vm_checks(self):
        page = self._get('migration_discover:index')
        self.assertIn('web01', page)
        self.assertIn('Preflight Selected', page)
        page = self._get('migration_discover:detail', fakes.VM_ID)
        self.assertIn('convert the RDM to a VMDK', page)
        self.assertIn('score', page)

    def test_migrations_and_job_detail(self):
        page = self._get('migration_jobs:index')
        self.assertIn('data-percent="50"', page)
        self.assertIn('New Migration', page)
        page = self._get('migration_jobs:detail', fakes.JOB_ID)
        self.assertIn('Timeline', page)
        self.assertIn('job queued', page)
        self.assertIn('/project/instances/srv-1/', page)

    def test_events(self):
        page = self._get('migration_events:index')
        self.assertIn('job queued', page)
        self.assertIn(reverse('horizon:project:migration_jobs:detail',
                              args=[fakes.JOB_ID]), page)

    @mock.patch('openstack_dashboard.api.neutron.network_list_for_tenant',
                return_value=[fakes.Network(fakes.NET_ID, 'tenant-net')])
    @mock.patch('openstack_dashboard.api.nova.flavor_list',
                return_value=[])
    @mock.patch('openstack_dashboard.api.cinder.volume_type_list',
                return_value=[])
    def test_new_migration_workflow(self, *_mocks):
        page = self._get('migration_jobs:create', vm_ids=fakes.VM_ID)
        self.assertIn('Target network for &quot;VM Network&quot;', page)
        self.assertIn('tenant-net', page)

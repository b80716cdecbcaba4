"""New Migration's validation: each refusal lands on the field to fix."""

from unittest import mock

from django.http import QueryDict
from openstack_dashboard.test import helpers

from xms_dashboard.content.migrations import workflows
from xms_dashboard.tests import fakes

NETWORKS = [fakes.Network(fakes.NET_ID, 'tenant-net')]


class SelectVmsTest(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.vms = {fakes.VM_ID: fakes.vm(),
                    fakes.BLOCKED_ID: fakes.vm(uuid=fakes.BLOCKED_ID,
                                               name='db01',
                                               verdict='block')}
        for name, value in (
                ('xms_dashboard.api.xms.vm_list',
                 lambda request, **kw: list(self.vms.values())),
                ('xms_dashboard.api.xms.vm_get',
                 lambda request, vm_id: self.vms[vm_id]),
                ('openstack_dashboard.api.neutron.network_list_for_tenant',
                 lambda request, project_id: NETWORKS)):
            patcher = mock.patch(name, side_effect=value)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.field = workflows.net_field('VM Network')

    def _action(self, **data):
        query = QueryDict(mutable=True)
        for key, value in data.items():
            if isinstance(value, list):
                query.setlist(key, value)
            else:
                query[key] = value
        # Actions read the request's POST, as the workflow view posts it.
        self.request.method = 'POST'
        self.request.POST = query
        action = workflows.SelectVmsAction(self.request, {})
        action.is_valid()
        return action

    def test_a_field_per_source_network(self):
        action = workflows.SelectVmsAction(self.request,
                                           {'vm_ids': fakes.VM_ID})
        self.assertIn(self.field, action.fields)
        self.assertEqual([fakes.VM_ID], action.fields['vm_ids'].initial)
        self.assertEqual(['', fakes.NET_ID],
                         [c[0] for c in action.fields[self.field].choices])

    def test_block_vm_is_refused_on_the_vm_field(self):
        action = self._action(job_type='cold', vm_ids=[fakes.BLOCKED_ID],
                              **{self.field: fakes.NET_ID})
        self.assertIn('vm_ids', action.errors)
        self.assertIn('db01 is blocked by its preflight',
                      action.errors['vm_ids'][0])
        self.assertNotIn(self.field, action.errors)

    def test_vm_without_preflight_is_refused(self):
        self.vms[fakes.VM_ID] = fakes.vm(verdict=None)
        action = self._action(job_type='cold', vm_ids=[fakes.VM_ID],
                              **{self.field: fakes.NET_ID})
        self.assertIn('no preflight verdict', action.errors['vm_ids'][0])

    def test_missing_mapping_is_refused_on_the_network_field(self):
        action = self._action(job_type='cold', vm_ids=[fakes.VM_ID])
        self.assertNotIn('vm_ids', action.errors)
        self.assertIn(self.field, action.errors)
        self.assertIn('"VM Network": choose its target network',
                      action.errors[self.field][0])

    def test_warm_needs_a_sync_interval_of_five_minutes(self):
        action = self._action(job_type='warm', vm_ids=[fakes.VM_ID],
                              sync_interval='60',
                              **{self.field: fakes.NET_ID})
        self.assertIn('sync_interval', action.errors)

    def test_valid_selection_contributes_the_mapping(self):
        action = self._action(job_type='cold', vm_ids=[fakes.VM_ID],
                              **{self.field: fakes.NET_ID})
        self.assertEqual({}, dict(action.errors))
        step = workflows.SelectVms(mock.Mock())
        step._action = action
        context = step.contribute(action.cleaned_data, {})
        self.assertEqual([{'source_network': 'VM Network',
                           'network_id': fakes.NET_ID}],
                         context['network_mapping'])
        target = workflows.NewMigration.target_of(dict(
            context, flavor_id='', volume_type='fast', boot=True))
        self.assertEqual({'network_mapping': context['network_mapping'],
                          'volume_type': 'fast', 'boot': True}, target)


class BestFlavorTest(helpers.TestCase):

    def test_smallest_flavor_that_fits_the_largest_vm(self):
        flavors = [mock.Mock(id=str(i), vcpus=c, ram=r, disk=1)
                   for i, (c, r) in enumerate([
                       (1, 512), (2, 2048), (4, 8192), (2, 4096)])]
        best = workflows.best_flavor(flavors, [fakes.vm()])
        self.assertEqual('1', best.id)
        big = fakes.vm()
        big.num_cpus = 16
        self.assertIsNone(workflows.best_flavor(flavors, [big]))

from unittest import mock

from openstack_dashboard.test import helpers
from xmsclient import exceptions

from xms_dashboard.content.environments import forms
from xms_dashboard.tests import fakes


class AddEnvironmentTest(helpers.TestCase):

    DATA = {'name': 'vc1', 'host': 'vc.example', 'port': '443',
            'username': 'svc', 'password': 's3cret', 'verify_tls': 'on'}

    def test_password_is_write_only(self):
        form = forms.AddEnvironment(self.request, data=self.DATA)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertNotIn('s3cret', str(form['password']))

    @mock.patch('xms_dashboard.api.xms.source_create')
    def test_api_refusal_lands_on_its_field(self, create):
        create.side_effect = exceptions.BadRequest(
            'port: 70000 is greater than the maximum of 65535',
            field='port')
        form = forms.AddEnvironment(self.request, data=self.DATA)
        self.assertTrue(form.is_valid())
        self.assertFalse(form.handle(self.request, form.cleaned_data))
        self.assertIn('greater than the maximum', form.errors['port'][0])

    @mock.patch('horizon.messages.success')
    @mock.patch('xms_dashboard.api.xms.source_create')
    def test_creates_a_vmware_source(self, create, success):
        create.return_value = fakes.resource({'uuid': 'u', 'name': 'vc1'})
        form = forms.AddEnvironment(self.request, data=self.DATA)
        self.assertTrue(form.is_valid())
        self.assertTrue(form.handle(self.request, form.cleaned_data))
        self.assertIn('vc1', str(success.call_args[0][1]))
        kwargs = create.call_args[1]
        self.assertEqual('s3cret', kwargs['password'])
        self.assertEqual(443, kwargs['port'])

"""``[credentials]/backend = castellan`` against the mini-cloud's real
Barbican and Keystone: each source password is a Barbican secret of the
XMS service user, read back to log in to a vcsim, and deleted with the
source or when the password is replaced."""

import uuid

import webtest

from xms.api import app
from xms.common import context
from xms.common import keystone
from xms.common import policy
from xms.db import api as db_api
from xms.sources.vsphere import client
from xms.tests.functional.fixtures import minicloud
from xms.tests.functional.sources import base

PROJECT = 'project-1'


class TestCastellanBackend(base.VSphereTestCase):

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(minicloud.MiniCloud(self.conf))
        self.barbican = self.cloud.state['barbican']['url']
        self.config(backend='castellan', group='credentials')
        self.config(auth_strategy='noauth', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.app = webtest.TestApp(app.setup_app())
        self.barbican_session = keystone.service_session()

    def call(self, method, path, body=None, status='*'):
        headers = {'X-Roles': 'admin,member,reader',
                   'X-Project-Id': PROJECT, 'X-User-Id': 'u1'}
        kwargs = {'headers': headers, 'status': status,
                  'expect_errors': True}
        if body is not None:
            return getattr(self.app, method + '_json')(path, body, **kwargs)
        return getattr(self.app, method)(path, **kwargs)

    def secret(self, stored):
        """(status, payload) of the Barbican secret a row refers to."""
        self.assertTrue(stored.startswith('castellan:'), stored)
        resp = self.barbican_session.get(
            '%s/v1/secrets/%s/payload' % (self.barbican,
                                         stored[len('castellan:'):]),
            headers={'Accept': 'text/plain'}, raise_exc=False)
        return resp.status_code, resp.text

    def our_secrets(self):
        resp = self.barbican_session.get(
            self.barbican + '/v1/secrets?name=xms-source-password&limit=100')
        return {s['secret_ref'].rsplit('/', 1)[-1]
                for s in resp.json()['secrets']}

    def test_password_lives_in_barbican_and_goes_with_the_source(self):
        password = self.sim.password
        resp = self.call('post', '/v1/sources', {
            'name': 'vc-castellan', 'host': self.sim.host,
            'port': self.sim.port, 'username': self.sim.username,
            'password': password, 'thumbprint': self.sim.thumbprint})
        self.assertEqual(201, resp.status_int, resp.text)
        self.assertNotIn(password, resp.text)
        ctx = context.get_admin_context()
        row = db_api.source_get(ctx, resp.json['uuid'])
        first = row.password_encrypted
        self.assertNotIn(password, first)
        self.assertEqual((200, password), self.secret(first))

        # The vSphere login reads the password back from Barbican.
        client.close_all()
        about = self.driver.test_connection(ctx, row)
        self.assertIn('VMware', about['product_name'])

        # A new password is a new secret; the old one is deleted.
        resp = self.call('put', '/v1/sources/%s/credential' % row.uuid,
                         {'password': password})
        self.assertEqual(200, resp.status_int, resp.text)
        row = db_api.source_get(ctx, row.uuid)
        self.assertNotEqual(first, row.password_encrypted)
        self.assertEqual((200, password),
                         self.secret(row.password_encrypted))
        self.assertEqual(404, self.secret(first)[0])
        client.close_all()
        self.driver.test_connection(ctx, row)

        resp = self.call('delete', '/v1/sources/%s' % row.uuid)
        self.assertEqual(204, resp.status_int, resp.text)
        self.assertEqual(404, self.secret(row.password_encrypted)[0])

    def test_a_source_not_created_leaves_no_secret(self):
        body = {'name': 'vc-dup-%s' % uuid.uuid4().hex[:6],
                'host': self.sim.host, 'username': 'u',
                'password': 'never-kept-%s' % uuid.uuid4().hex}
        self.assertEqual(201, self.call('post', '/v1/sources',
                                        body).status_int)
        before = self.our_secrets()
        resp = self.call('post', '/v1/sources', body)
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertEqual(before, self.our_secrets())

    def test_keyrepo_passwords_still_decrypt(self):
        # The row setUp stored with the local keys logs in after the
        # switch to castellan; only new passwords go to Barbican.
        self.assertFalse(self.source.password_encrypted.startswith(
            'castellan:'))
        client.close_all()
        self.driver.test_connection(context.get_admin_context(),
                                    self.source)

"""Session cache, credential hash, renewal, TLS helpers."""

import ssl
import types

import fixtures
from pyVmomi import vim

from xms.common import tls
from xms.sources import exception
from xms.sources.vsphere import client
from xms.sources.vsphere import driver
from xms.tests import base
from xms.tests import certs


def _source(**kw):
    values = {'id': 1, 'uuid': 'src-1', 'host': 'vc.example', 'port': 443,
              'username': 'svc', 'password_encrypted': 'token-1',
              'datacenter': None, 'verify_tls': True, 'ca_cert': None,
              'thumbprint': 'AB:CD'}
    values.update(kw)
    return types.SimpleNamespace(**values)


class TestCache(base.TestCase):

    def setUp(self):
        super().setUp()
        client.close_all()
        self.addCleanup(client.close_all)

    def test_normalize_thumbprint(self):
        self.assertEqual('AB:CD:01', client.normalize_thumbprint('abcd01'))
        self.assertIsNone(client.normalize_thumbprint(''))

    def test_key_changes_with_credential_not_with_name(self):
        key = client.session_key(_source())
        self.assertEqual(key, client.session_key(_source()))
        for change in ({'password_encrypted': 'token-2'},
                       {'username': 'other'}, {'thumbprint': 'EF'},
                       {'ca_cert': 'PEM'}, {'verify_tls': False},
                       {'port': 8443}, {'host': 'vc2'}):
            self.assertNotEqual(key, client.session_key(_source(**change)),
                                change)
        self.assertEqual(key[0], 1)
        self.assertNotIn('token-1', key[1])

    def test_one_session_per_source(self):
        first = client.get_session(_source())
        self.assertIs(first, client.get_session(_source()))
        other = client.get_session(_source(id=2))
        self.assertIsNot(first, other)
        rotated = client.get_session(_source(password_encrypted='token-2'))
        self.assertIsNot(first, rotated)
        self.assertEqual(2, len(client._sessions))
        client.drop_session(2)
        self.assertEqual(1, len(client._sessions))


class TestCall(base.TestCase):

    def _session(self):
        session = client.Session(_source())
        opened = []

        def fake_open():
            opened.append(1)
            session.si = object()
            return session

        session.open = fake_open
        return session, opened

    def test_renews_once_on_not_authenticated(self):
        session, opened = self._session()
        calls = []

        def work(s):
            calls.append(s.si)
            if len(calls) == 1:
                raise vim.fault.NotAuthenticated()
            return 'ok'

        self.assertEqual('ok', session.call(work))
        self.assertEqual(2, len(opened))
        self.assertIsNot(calls[0], calls[1])

    def test_gives_up_after_retries(self):
        self.config(api_retry_count=2, group='vsphere')
        session, opened = self._session()

        def work(s):
            raise vim.fault.NotAuthenticated()

        self.assertRaises(vim.fault.NotAuthenticated, session.call, work)
        self.assertEqual(3, len(opened))

    def test_connection_errors_become_unreachable(self):
        self.config(api_retry_count=1, group='vsphere')
        session, opened = self._session()

        def work(s):
            raise ConnectionResetError('reset by peer')

        exc = self.assertRaises(exception.SourceUnreachable, session.call,
                                work)
        self.assertIn('reset by peer', str(exc))
        self.assertEqual(2, len(opened))


class TestTrust(base.TestCase):

    def test_pinned_context_checks_the_pin_itself(self):
        ctx = client.Session(_source(thumbprint='ab:cd'))._ssl_context()
        self.assertIsInstance(ctx, tls.TrustContext)
        self.assertEqual('AB:CD', ctx.pin)
        self.assertEqual(ssl.CERT_NONE, ctx.verify_mode)

    def test_ca_context_verifies(self):
        pem = certs.Certificate(self.state_path).pem
        ctx = client.Session(_source(ca_cert=pem))._ssl_context()
        self.assertEqual(ssl.CERT_REQUIRED, ctx.verify_mode)
        self.assertTrue(ctx.check_hostname)
        self.assertIsNone(ctx.pin)

    def test_verify_off_warns(self):
        client.Session(_source(thumbprint=None,
                               verify_tls=False))._ssl_context()
        self.assertIn('TLS verification is disabled for source src-1',
                      self.log_fixture.output)

    def test_mismatch_on_a_later_connection(self):
        session = client.Session(_source())
        session.open = lambda: setattr(session, 'si', object())

        def work(s):
            raise tls.PinMismatch('AB:CD', 'EF:01')

        exc = self.assertRaises(exception.SourceThumbprintMismatch,
                                session.call, work)
        self.assertIn('AB:CD', str(exc))
        self.assertIn('EF:01', str(exc))
        self.assertIsNone(session.peer_certificate())


class TestHelpers(base.TestCase):

    def test_cookie_value(self):
        self.assertEqual(
            'vmware_soap_session="abc"',
            driver._cookie_value('vmware_soap_session="abc"; Path=/; '
                                 'HttpOnly; Secure;'))
        self.assertIsNone(driver._cookie_value(None))

    def test_status_for(self):
        self.assertEqual('disconnected', driver._status_for(
            exception.SourceUnreachable(source='s', host='h', port=1,
                                        reason='r')))
        self.assertEqual('error', driver._status_for(
            exception.SourceAuthenticationFailed(source='s', host='h',
                                                 port=1)))

    def test_messages_carry_no_secret(self):
        exc = exception.SourceAuthenticationFailed(source='s', host='h',
                                                   port=443)
        self.assertEqual(400, exc.code)
        self.assertIn('Rotate', str(exc))
        self.assertEqual('x *** y', client._scrub('x hunter2 y', 'hunter2'))


class _Page:
    def __init__(self, objects, token=None):
        self.objects = objects
        self.token = token


class _FakeCollector:
    """Serves objects two per page, as vCenter does with maxObjects."""

    def __init__(self, objects):
        self.pages = [objects[i:i + 2] for i in range(0, len(objects), 2)]
        self.calls = []

    def _page(self, index):
        token = str(index + 1) if index + 1 < len(self.pages) else None
        return _Page(self.pages[index], token)

    def RetrievePropertiesEx(self, specs, options):
        self.calls.append(('first', options.maxObjects))
        return self._page(0)

    def ContinueRetrievePropertiesEx(self, token):
        self.calls.append(('continue', token))
        return self._page(int(token))


def _content(moref, name, missing=()):
    from pyVmomi import vmodl
    return vmodl.query.PropertyCollector.ObjectContent(
        obj=vim.VirtualMachine(moref),
        propSet=[vmodl.DynamicProperty(name='name', val=name)],
        missingSet=list(missing))


class TestRetrieve(base.TestCase):

    def _session(self, collector):
        session = client.Session(_source())
        session.content = types.SimpleNamespace(
            propertyCollector=collector)
        return session

    def test_pages_followed(self):
        objects = [_content('vm-%d' % i, 'n%d' % i) for i in range(5)]
        collector = _FakeCollector(objects)
        self.useFixture(fixtures.MonkeyPatch(
            'xms.sources.vsphere.client.RETRIEVE_PAGE_SIZE', 2))
        found = self._session(collector).retrieve(
            vim.VirtualMachine, ['name'],
            objs=[vim.VirtualMachine('vm-0')])
        self.assertEqual({'vm-%d' % i: 'n%d' % i for i in range(5)},
                         {k: v[1]['name'] for k, v in found.items()})
        self.assertEqual([('first', 2), ('continue', '1'),
                          ('continue', '2')], collector.calls)

    def test_expired_session_reported_per_property_raises(self):
        from pyVmomi import vmodl
        missing = vmodl.query.PropertyCollector.MissingProperty(
            path='name', fault=vim.fault.NotAuthenticated())
        collector = _FakeCollector([_content('vm-1', 'x', [missing])])
        self.assertRaises(vim.fault.NotAuthenticated,
                          self._session(collector).retrieve,
                          vim.VirtualMachine, ['name'],
                          objs=[vim.VirtualMachine('vm-1')])

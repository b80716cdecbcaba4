"""The HTTP layer: a keystoneauth adapter on the ``migration`` service
with microversion negotiation.

The first request asks the API root for its version range (``GET /``,
open to everyone) and settles on the highest version both sides speak,
or the one the caller pinned when the server supports it; every request
then sends ``OpenStack-API-Version: migration 1.N``.
"""

import logging

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exc

from xmsclient import exceptions

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'migration'
HEADER = 'OpenStack-API-Version'

#: The versions this client knows; the newest is what 'latest' means.
MIN_VERSION = (1, 0)
MAX_VERSION = (1, 0)
LATEST = 'latest'


def parse_version(text):
    """``'1.2'`` -> ``(1, 2)``.

    :raises UnsupportedVersion: for text that is no version.
    """
    try:
        major, minor = text.split('.')
        return int(major), int(minor)
    except (AttributeError, ValueError):
        raise exceptions.UnsupportedVersion(
            'Invalid API version %r: expected "1.N" or "latest"' % (text,))


def version_string(version):
    return '%d.%d' % version


class SessionClient(adapter.Adapter):
    """A keystoneauth adapter that negotiates the API version."""

    def __init__(self, session, api_version=LATEST, **kwargs):
        kwargs.setdefault('service_type', SERVICE_TYPE)
        kwargs.setdefault('user_agent', 'python-xmsclient')
        super().__init__(session, **kwargs)
        if api_version in (None, LATEST):
            self.requested_version = None
        else:
            self.requested_version = parse_version(str(api_version))
            if not MIN_VERSION <= self.requested_version <= MAX_VERSION:
                raise exceptions.UnsupportedVersion(
                    'API version %s is not supported by this client '
                    '(%s to %s)' % (api_version, version_string(MIN_VERSION),
                                    version_string(MAX_VERSION)))
        self.api_version = None
        self.server_range = None

    # -- negotiation ------------------------------------------------------

    def _root_url(self):
        endpoint = self.get_endpoint()
        if not endpoint:
            raise exceptions.ConnectionError(
                'No endpoint of service type "%s" in the catalog; pass an '
                'endpoint override' % SERVICE_TYPE)
        endpoint = endpoint.rstrip('/')
        if endpoint.endswith('/v1'):
            endpoint = endpoint[:-3]
        return endpoint + '/'

    def negotiate(self):
        """Settle the version (once) and return it as ``(major, minor)``.

        :raises UnsupportedVersion: when the server's range and the
            client's (or the pinned version) do not meet.
        """
        if self.api_version is not None:
            return self.api_version
        resp = self._send('GET', self._root_url(), negotiate=False)
        doc = (resp.json() or {}).get('default_version') or {}
        server_min = parse_version(doc.get('min_version') or '1.0')
        server_max = parse_version(doc.get('version') or '1.0')
        self.server_range = (server_min, server_max)
        if self.requested_version is not None:
            if not server_min <= self.requested_version <= server_max:
                raise exceptions.UnsupportedVersion(
                    'API version %s is not supported by the server (%s to '
                    '%s)' % (version_string(self.requested_version),
                             version_string(server_min),
                             version_string(server_max)))
            self.api_version = self.requested_version
        else:
            best = min(MAX_VERSION, server_max)
            if best < max(MIN_VERSION, server_min):
                raise exceptions.UnsupportedVersion(
                    'The server supports API versions %s to %s and this '
                    'client %s to %s' % (
                        version_string(server_min),
                        version_string(server_max),
                        version_string(MIN_VERSION),
                        version_string(MAX_VERSION)))
            self.api_version = best
        return self.api_version

    # -- requests ---------------------------------------------------------

    def _send(self, method, url, negotiate=True, **kwargs):
        headers = kwargs.setdefault('headers', {})
        headers.setdefault('Accept', 'application/json')
        if negotiate:
            headers[HEADER] = '%s %s' % (
                SERVICE_TYPE, version_string(self.negotiate()))
        kwargs['raise_exc'] = False
        try:
            resp = super().request(url, method, **kwargs)
        except ks_exc.ConnectFailure as exc:
            raise exceptions.ConnectionError(
                'Cannot reach the XMS API: %s' % exc)
        except ks_exc.EndpointNotFound:
            raise exceptions.ConnectionError(
                'No endpoint of service type "%s" in the catalog; pass an '
                'endpoint override' % SERVICE_TYPE)
        if resp.status_code >= 400:
            raise exceptions.from_response(resp, method, url)
        return resp

    def call(self, method, path, body=None, params=None, secret=False):
        """One API call below ``/v1``; the decoded body or None.

        :param secret: the body carries a password: keystoneauth's debug
            log (``--debug``) would print it whole, so this request is
            logged here with its fields' names only.
        """
        kwargs = {}
        if secret:
            kwargs['log'] = False
            LOG.debug('REQ: %s %s (body fields %s; values withheld: it '
                      'carries a password)', method, path,
                      ', '.join(sorted(body or {})))
        if body is not None:
            kwargs['json'] = body
        if params:
            kwargs['params'] = params
        resp = self._send(method, self._root_url() + 'v1' + path, **kwargs)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

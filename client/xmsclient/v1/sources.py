"""``/v1/sources``: VMware endpoints. The password is write-only."""

from xmsclient.common import base


class Source(base.Resource):
    pass


class SourceManager(base.Manager):
    resource_class = Source
    collection = 'sources'
    key = 'sources'

    def create(self, **fields):
        """Register a source (``name``, ``host``, ``username``,
        ``password`` and optional ``port``, ``datacenter``,
        ``verify_tls``, ``ca_cert``, ``thumbprint``)."""
        return self._wrap(self.api.call('POST', self._path(), body=fields,
                                        secret=True))

    def update(self, source_id, **fields):
        return self._wrap(self.api.call('PATCH', self._path(source_id),
                                        body=fields))

    def delete(self, source_id):
        self.api.call('DELETE', self._path(source_id))

    def test(self, source_id):
        """Connect now; returns the API's answer (``status``,
        ``product_name``, ``version``, ``build``, ``api_type``)."""
        return self.api.call('POST', self._path(source_id, 'test'), body={})

    def discover(self, source_id):
        """Queue an inventory scan; returns the source."""
        return self._wrap(self.api.call(
            'POST', self._path(source_id, 'discover'), body={}))

    def set_credential(self, source_id, password, username=None):
        """Replace the password (and optionally the user name)."""
        body = {'password': password}
        if username:
            body['username'] = username
        return self._wrap(self.api.call(
            'PUT', self._path(source_id, 'credential'), body=body,
            secret=True))

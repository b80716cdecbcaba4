"""``GET /``: version discovery, open to everyone."""

import pecan
from pecan import rest

from xms.api import versions
from xms.api.controllers import v1 as v1_controllers


def version_document(host_url):
    """The description of API v1 that ``/`` and ``/v1`` show."""
    return {
        'id': 'v1',
        'status': 'CURRENT',
        'min_version': versions.min_version_string(),
        'version': versions.max_version_string(),
        'links': [{'href': '%s/v1/' % host_url.rstrip('/'),
                   'rel': 'self'}],
    }


def public_url():
    return (pecan.request.app_public_endpoint
            or pecan.request.host_url)


class RootController(rest.RestController):

    v1 = v1_controllers.V1Controller()

    @pecan.expose(generic=True, template='json')
    def index(self):
        return {
            'name': 'OpenStack XMS API',
            'description': 'XMS migrates virtual machines from VMware '
                           'vSphere into OpenStack.',
            'default_version': version_document(public_url()),
            'versions': [version_document(public_url())],
        }

"""The OpenStackClient plugin: ``openstack migration ...``.

OSC finds this module through the ``openstack.cli.extension`` entry
point, adds :func:`build_option_parser`'s options and calls
:func:`make_client` the first time a ``migration`` command needs the
API, with the session and catalog choices (region, interface) of the
user's ``openstack`` invocation.
"""

import logging

from osc_lib import utils

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_VERSION_OPTION = 'os_migration_api_version'
API_NAME = 'migration'
API_VERSIONS = {'1': 'xmsclient.v1.client.Client'}


def make_client(instance):
    """The XMS client of an OSC ``ClientManager``."""
    requested = str(instance._api_version[API_NAME])
    client_class = utils.get_client_class(
        API_NAME, requested.split('.')[0], API_VERSIONS)
    LOG.debug('Instantiating migration client: %s', client_class)
    kwargs = {'session': instance.session,
              'region_name': instance.region_name,
              'interface': instance.interface,
              'api_version': requested if '.' in requested else 'latest'}
    # --os-migration-endpoint, OS_MIGRATION_ENDPOINT or clouds.yaml's
    # migration_endpoint_override (openstack.config's override key).
    options = getattr(instance, '_cli_options', None)
    endpoint = getattr(options, 'config', {}).get(
        'migration_endpoint_override')
    if endpoint:
        kwargs['endpoint_override'] = endpoint
    return client_class(**kwargs)


def build_option_parser(parser):
    """The global options of the plugin."""
    parser.add_argument(
        '--os-migration-api-version',
        metavar='<migration-api-version>',
        default=utils.env('OS_MIGRATION_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='Migration API version: 1 (negotiate the latest both sides '
             'speak) or 1.N (default: env[OS_MIGRATION_API_VERSION] or 1)')
    parser.add_argument(
        '--os-migration-endpoint',
        metavar='<migration-endpoint>',
        dest='migration_endpoint_override',
        default=utils.env('OS_MIGRATION_ENDPOINT'),
        help='XMS API URL instead of the catalog\'s "migration" endpoint '
             '(default: env[OS_MIGRATION_ENDPOINT])')
    return parser

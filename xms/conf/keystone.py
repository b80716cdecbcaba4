"""Options of the [service_auth] group: the XMS service user.

The API uses these credentials to receive Keystone trusts from users, and
workers use them (with a job's trust id) to act in the job's target project
after the user's token has expired. keystonemiddleware's own
``[keystone_authtoken]`` group is registered by the middleware itself.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

SERVICE_AUTH_GROUP = 'service_auth'

group = cfg.OptGroup(SERVICE_AUTH_GROUP,
                     title='XMS service user',
                     help='Credentials of the XMS service user, trustee of '
                          'the trusts that jobs carry.')

opts = [
    cfg.StrOpt('region_name',
               help='Region of the target OpenStack services.'),
    cfg.StrOpt('interface',
               default='internal',
               choices=['public', 'internal', 'admin'],
               help='Endpoint interface used to reach Cinder, Nova, '
                    'Neutron and Keystone.'),
    cfg.IntOpt('trust_expiry_days',
               default=30,
               min=1,
               help='Lifetime of the trust a job carries. Warm migrations '
                    'must finish their cutover within it.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)
    ks_loading.register_auth_conf_options(conf, SERVICE_AUTH_GROUP)
    ks_loading.register_session_conf_options(conf, SERVICE_AUTH_GROUP)


def list_opts():
    return (opts
            + ks_loading.get_session_conf_options()
            + ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options('password'))

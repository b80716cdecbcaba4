"""Options of the [api] group: the REST API process."""

from oslo_config import cfg

group = cfg.OptGroup('api', title='REST API options')

opts = [
    cfg.HostAddressOpt('host_ip',
                       default='0.0.0.0',  # noqa: S104  # nosec B104
                       help='Address the xms-api process listens on.'),
    cfg.PortOpt('port',
                default=8980,
                help='TCP port the xms-api process listens on. Put a TLS '
                     'terminating proxy or uwsgi in front of it.'),
    cfg.IntOpt('workers',
               default=2,
               min=1,
               help='Number of threads serving API requests in the '
                    'xms-api process.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone', 'Validate tokens with '
                                     'keystonemiddleware auth_token.'),
                        ('noauth', 'No authentication: every request is '
                                   'an admin of the project named by the '
                                   'X-Project-Id header. Only for unit '
                                   'tests and the embedded all-in-one '
                                   'default on loopback.')],
               help='How API requests are authenticated.'),
    cfg.StrOpt('public_endpoint',
               help='Public URL of the API to use in version documents and '
                    'links, when it differs from the URL the request '
                    'arrived on (for example behind a proxy).'),
    cfg.BoolOpt('enable_proxy_headers_parsing',
                default=False,
                help='Trust X-Forwarded-* headers from a proxy in front of '
                     'the API.'),
    cfg.IntOpt('max_limit',
               default=1000,
               min=1,
               help='Largest number of items a list request returns, '
                    'whatever its limit parameter says.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

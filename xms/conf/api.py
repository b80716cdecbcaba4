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
               default=16,
               min=1,
               help='Number of threads running API requests in the '
                    'embedded server of xms-api and xms-all-in-one (a '
                    'bounded pool). Under uwsgi, set processes and '
                    'threads in its ini file instead.'),
    cfg.IntOpt('backlog',
               default=1024,
               min=5,
               help='Listen backlog of the API socket: connections the '
                    'kernel holds while the server accepts others. The '
                    'kernel caps it at net.core.somaxconn.'),
    cfg.IntOpt('max_queued_requests',
               default=512,
               min=1,
               help='Accepted connections with a request ready that may '
                    'wait for a free worker thread. When this many wait, '
                    'the server answers 503 with Retry-After rather than '
                    'letting clients wait without bound.'),
    cfg.IntOpt('retry_after',
               default=2,
               min=1,
               help='Seconds sent in the Retry-After header of the 503 '
                    'the API answers while it is at capacity or a '
                    'dependency (database, message broker, Keystone) is '
                    'unreachable.'),
    cfg.IntOpt('client_socket_timeout',
               default=60,
               min=1,
               help='Seconds the embedded server waits for a client to '
                    'send a request or read an answer before it closes '
                    'the connection.'),
    cfg.IntOpt('rpc_cast_retry',
               default=1,
               min=0,
               help='How many times the API retries sending a request to '
                    'the conductors while the message broker is '
                    'unreachable, before it answers 503 and undoes what '
                    'the request wrote.'),
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

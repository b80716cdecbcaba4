"""Options of the [taskflow] group: flow persistence and the jobboard."""

from oslo_config import cfg

group = cfg.OptGroup('taskflow', title='TaskFlow persistence and jobboard')

opts = [
    cfg.StrOpt('persistence_connection',
               secret=True,
               help='SQLAlchemy URL of the TaskFlow persistence backend. '
                    'Defaults to [database]/connection: flows are kept in '
                    'the same database as the jobs they run.'),
    cfg.StrOpt('jobboard_backend',
               default='etcd',
               choices=[('etcd', 'etcd v3 jobboard: a claim is bound to a '
                                 'lease, so a dead worker loses its claims '
                                 'when the lease expires.'),
                        ('local', 'In-process dispatch for xms-all-in-one: '
                                  'same persistence, resumes unfinished '
                                  'flows at start-up.')],
               help='Where the conductor posts flows for workers to claim.'),
    cfg.ListOpt('jobboard_hosts',
                default=['127.0.0.1:2379'],
                help='host:port of the jobboard backend servers.'),
    cfg.StrOpt('jobboard_name',
               default='xms_jobs',
               help='Name (key prefix) of the jobboard.'),
    cfg.IntOpt('claim_ttl',
               default=15,
               min=5,
               help='Seconds after which a claim held by a worker that '
                    'stopped renewing it expires, letting another worker '
                    'resume the flow.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

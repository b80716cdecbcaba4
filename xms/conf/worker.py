"""Options of the [worker] group: processes that run migration flows."""

from oslo_config import cfg

group = cfg.OptGroup('worker', title='Worker options')

opts = [
    cfg.IntOpt('max_jobs',
               default=4,
               min=1,
               help='Number of jobs this worker runs at once (its slots). '
                    'Each running job holds one slot and one transport '
                    'session.'),
    cfg.IntOpt('heartbeat_interval',
               default=10,
               min=1,
               help='Seconds between two heartbeats of this worker in the '
                    'workers table.'),
    cfg.IntOpt('graceful_shutdown_timeout',
               default=60,
               min=0,
               help='Seconds a stopping worker waits for its running flows '
                    'to reach a checkpoint before it releases their claims '
                    'so that another worker resumes them.'),
    cfg.IntOpt('max_read_rate_kib',
               default=0,
               min=0,
               help='Most KiB per second read from one source disk (the '
                    'nbdkit rate filter), to spare a busy datastore or '
                    'link; 0 for no limit.'),
    cfg.StrOpt('work_dir',
               default='$state_path/worker',
               help='Directory for the nbdkit sockets and logs of the jobs '
                    'this worker runs.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

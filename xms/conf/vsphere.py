"""Options of the [vsphere] group: the VMware vSphere source driver."""

from oslo_config import cfg

group = cfg.OptGroup('vsphere', title='VMware vSphere source options')

opts = [
    cfg.IntOpt('api_retry_count',
               default=3,
               min=0,
               help='Times a vSphere call is retried after a transient '
                    'connection error or an expired session.'),
    cfg.FloatOpt('task_poll_interval',
                 default=0.5,
                 min=0.05,
                 help='Seconds between two polls of a running vSphere '
                      'task.'),
    cfg.IntOpt('connect_timeout',
               default=30,
               min=1,
               help='Seconds to wait for a vSphere endpoint to answer.'),
    cfg.StrOpt('snapshot_prefix',
               default='xms-',
               help='Every snapshot XMS creates is named with this prefix '
                    'followed by the job id, so operators and the reaper '
                    'recognise it.'),
    cfg.IntOpt('shutdown_timeout',
               default=300,
               min=0,
               help='Default seconds to wait for a guest shutdown before a '
                    'hard power-off at cutover.'),
    cfg.IntOpt('snapshot_reap_grace',
               default=3600,
               min=0,
               help='Seconds after which a snapshot XMS took without a '
                    'job (the stun snapshot that activates Changed Block '
                    'Tracking) and did not remove is considered leaked '
                    'and removed by the reaper.'),
    cfg.FloatOpt('power_poll_interval',
                 default=2.0,
                 min=0.05,
                 help='Seconds between two checks of a VM\'s power '
                      'state while waiting for a guest shutdown.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

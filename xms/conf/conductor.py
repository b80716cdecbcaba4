"""Options of the [conductor] group: the job orchestrator."""

from oslo_config import cfg

group = cfg.OptGroup('conductor', title='Conductor options')

opts = [
    cfg.StrOpt('topic',
               default='xms-conductor',
               help='oslo.messaging topic the conductors listen on.'),
    cfg.IntOpt('rpc_threads',
               default=8,
               min=1,
               help='Threads serving RPC requests in one conductor.'),
    cfg.IntOpt('heartbeat_interval',
               default=10,
               min=1,
               help='Seconds between two heartbeats of a conductor or '
                    'worker in the workers table.'),
    cfg.IntOpt('heartbeat_timeout',
               default=60,
               min=5,
               help='A process whose last heartbeat is older than this '
                    'many seconds is reported as not alive.'),
    cfg.IntOpt('sync_scheduler_interval',
               default=30,
               min=1,
               help='Seconds between two runs of the scheduler that posts '
                    'the incremental syncs of warm jobs that are due.'),
    cfg.IntOpt('dispatch_retry_interval',
               default=30,
               min=1,
               help='Seconds before the first re-post of a flow that could '
                    'not be handed to a worker (etcd jobboard unreachable, '
                    'local dispatcher refusing). The wait doubles with '
                    'every failed attempt up to dispatch_retry_max_interval. '
                    'A queued job that holds no flow (its start request was '
                    'lost) is also posted once it is this old. The retries '
                    'run on the sync scheduler\'s pass '
                    '(sync_scheduler_interval).'),
    cfg.IntOpt('dispatch_retry_max_interval',
               default=600,
               min=1,
               help='Longest wait, in seconds, between two re-posts of a '
                    'flow that could not be handed to a worker.'),
    cfg.IntOpt('dispatch_max_attempts',
               default=10,
               min=1,
               help='Attempts to hand a queued or cancelling job\'s flow to '
                    'a worker before the job is failed with the dispatch '
                    'error (the user may then retry or cancel it).'),
    cfg.IntOpt('snapshot_reaper_interval',
               default=600,
               min=30,
               help='Seconds between two runs of the reaper that removes '
                    'snapshots XMS created and no running job owns.'),
    cfg.IntOpt('purge_interval',
               default=3600,
               min=0,
               help='Seconds between two runs, on the leader conductor, of '
                    'the purge of finished jobs\' TaskFlow records (see '
                    'purge_older_than_days and "xms-manage db purge"). '
                    '0 disables the periodic purge.'),
    cfg.IntOpt('purge_older_than_days',
               default=30,
               min=0,
               help='Retention, in days, of the TaskFlow logbooks, flow '
                    'details and atom details of finished flows (jobs '
                    'completed, cancelled or deleted, and the superseded '
                    'syncs of running jobs), and of the events of deleted '
                    'jobs. Failed jobs keep theirs: they may be retried.'),
    cfg.IntOpt('source_probe_interval',
               default=300,
               min=30,
               help='Seconds between two connection probes of every '
                    'registered source (status connected/disconnected).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

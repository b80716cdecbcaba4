"""Options of the [coordination] group: the conductors' leader election.

Several conductors serve RPC side by side; one of them, the leader, runs
the periodic work (:mod:`xms.conductor.coordination`). The election runs
on tooz; without a backend URL the conductor is its own leader, which is
right for one conductor (xms-all-in-one, a single-host deployment) and
wrong for several.
"""

from oslo_config import cfg

group = cfg.OptGroup('coordination', title='Coordination of conductors')

opts = [
    cfg.StrOpt('backend_url',
               secret=True,
               help='tooz URL of the coordination backend the conductors '
                    'elect their leader on, e.g. '
                    '"etcd3+http://127.0.0.1:2379" (the etcd cluster the '
                    'jobboard uses; tooz\'s etcd3gw driver, which talks to '
                    'etcd\'s gRPC gateway). Unset: this conductor leads '
                    'alone, so run exactly one conductor.'),
    cfg.StrOpt('election_name',
               default='xms-conductor-leader',
               help='Name of the lock the leader holds. Conductors that '
                    'share it elect one leader; a second XMS deployment '
                    'on the same etcd needs another name.'),
    cfg.IntOpt('lease_ttl',
               default=15,
               min=3,
               help='Seconds the leader\'s lock outlives its last '
                    'refresh. A leader killed or cut off loses the lock '
                    'after at most this long, and another conductor '
                    'takes over on its next election round.'),
    cfg.FloatOpt('heartbeat_interval',
                 default=2.0,
                 min=0.1,
                 help='Seconds between two election rounds: the leader '
                      'refreshes its lock, the others try to take it. '
                      'Takeover after a leader\'s death takes at most '
                      'lease_ttl plus this.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

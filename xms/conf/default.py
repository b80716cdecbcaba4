"""Options of the [DEFAULT] group that every XMS process reads."""

import socket

from oslo_config import cfg

opts = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='localhost',
               help='Name of this node. Workers register under this name '
                    'in the workers table and jobs show it; it must be '
                    'unique among the workers of a deployment.'),
    cfg.StrOpt('state_path',
               default='/var/lib/xms',
               help='Top-level directory for XMS state: the credential key '
                    'repository, nbdkit sockets and the local target '
                    'default directory live below it.'),
]


def register_opts(conf):
    conf.register_opts(opts)

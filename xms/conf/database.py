"""The [database] group belongs to oslo.db; XMS only sets its default.

The sample configuration lists these options under the ``oslo.db``
generator namespace.
"""

from oslo_db import options as db_options

_DEFAULT_SQL_CONNECTION = 'sqlite:////var/lib/xms/xms.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=_DEFAULT_SQL_CONNECTION)

"""The [database] group belongs to oslo.db; XMS only sets its default.

The sample configuration lists these options under the ``oslo.db``
generator namespace.
"""

from oslo_config import cfg
from oslo_db import options as db_options

# SQLite under state_path: what xms-all-in-one uses unless told otherwise.
_DEFAULT_SQL_CONNECTION = 'sqlite:///$state_path/xms.sqlite'


def register_opts(conf):
    # Change the option's own default, not a value set on one ConfigOpts,
    # so that ConfigOpts.reset() (tests, reloads) keeps it.
    cfg.set_defaults(db_options.database_opts,
                     connection=_DEFAULT_SQL_CONNECTION)
    conf.register_opts(db_options.database_opts, group='database')

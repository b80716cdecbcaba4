"""TaskFlow persistence in the XMS database.

Flows are persisted with TaskFlow's SQLAlchemy backend in the same
database as the jobs they run ([taskflow]/persistence_connection defaults
to [database]/connection), so one backup holds both and a job's row and
its flow detail can never drift apart across databases.
"""

import contextlib

from taskflow.persistence import backends as tf_backends
from taskflow.persistence.backends import impl_sqlalchemy

from xms.conf import CONF

# TaskFlow's own tables: the model/migration sync check ignores them.
TASKFLOW_TABLES = frozenset(['logbooks', 'flowdetails', 'atomdetails',
                             'alembic_version'])


def connection_url(conf=CONF):
    return (conf.taskflow.persistence_connection
            or conf.database.connection)


def get_backend(conf=CONF):
    """A TaskFlow persistence backend on the XMS database."""
    return tf_backends.fetch({'connection': connection_url(conf)})


@contextlib.contextmanager
def get_connection(conf=CONF):
    backend = get_backend(conf)
    try:
        with contextlib.closing(backend.get_connection()) as conn:
            yield conn
    finally:
        backend.close()


def upgrade(engine=None, conf=CONF):
    """Create or upgrade TaskFlow's persistence tables.

    When ``engine`` is given (the XMS engine), TaskFlow's tables are made
    through it; otherwise through TaskFlow's own connection settings.
    """
    if engine is not None and not conf.taskflow.persistence_connection:
        backend = impl_sqlalchemy.SQLAlchemyBackend(
            {'connection': str(engine.url)}, engine=engine)
        with contextlib.closing(backend.get_connection()) as conn:
            conn.upgrade()
        return
    with get_connection(conf) as conn:
        conn.upgrade()

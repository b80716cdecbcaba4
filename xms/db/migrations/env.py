"""Alembic environment of the XMS schema.

It runs on the connection handed over by :mod:`xms.db.migration`, or on
[database]/connection when alembic is called directly.
"""

from alembic import context
import sqlalchemy as sa

from xms.db import models

config = context.config
target_metadata = models.Base.metadata


def _include_object(obj, name, type_, reflected, compare_to):
    # TaskFlow's persistence tables share the database; they are not ours.
    from xms.db import taskflow
    return not (type_ == 'table' and name in taskflow.TASKFLOW_TABLES)


def _run(connection):
    context.configure(connection=connection,
                      target_metadata=target_metadata,
                      version_table=models.VERSION_TABLE,
                      include_object=_include_object,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    from xms.conf import CONF
    url = config.get_main_option('sqlalchemy.url') or CONF.database.connection
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


run_migrations_online()

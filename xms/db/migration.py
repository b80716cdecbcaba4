"""Schema migrations: XMS's own (alembic) and TaskFlow's persistence.

``xms-manage db sync`` calls :func:`upgrade`, which brings both schemas to
their newest revision in the same database. Migrations are upgrade-only,
as in every OpenStack service: to go back, restore a backup.
"""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from oslo_log import log as logging

from xms.db import api as db_api
from xms.db import models

LOG = logging.getLogger(__name__)

_MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), 'migrations')


def _alembic_config(connection=None):
    config = alembic_config.Config()
    config.set_main_option('script_location', _MIGRATIONS_DIR)
    config.set_main_option('version_table', models.VERSION_TABLE)
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def head():
    """The newest revision this release knows."""
    return alembic_script.ScriptDirectory.from_config(
        _alembic_config()).get_current_head()


def version(engine=None):
    """The revision the database is at, or None before the first sync."""
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'version_table': models.VERSION_TABLE})
        return context.get_current_revision()


def upgrade(revision='head', engine=None, taskflow=True):
    """Upgrade XMS's schema and, by default, TaskFlow's tables too."""
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        alembic_command.upgrade(_alembic_config(connection), revision)
    LOG.info('XMS schema at revision %s', version(engine))
    if taskflow:
        from xms.db import taskflow as db_taskflow
        db_taskflow.upgrade(engine)

"""The models and the migrations agree, on SQLite and on MariaDB."""

from oslo_db.sqlalchemy import test_fixtures
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from xms.db import migration
from xms.db import models
from xms.db import taskflow as db_taskflow
from xms.tests import base


class _ModelsMigrationsSync(test_migrations.ModelsMigrationsSync):

    def setUp(self):
        super().setUp()
        # Provisioned by OpportunisticDBTestMixin: a private database.
        self.engine = self._get_default_provisioned_db().engine

    def db_sync(self, engine):
        migration.upgrade(engine=engine)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def include_object(self, object_, name, type_, reflected, compare_to):
        if type_ == 'table':
            return name not in db_taskflow.TASKFLOW_TABLES | {
                models.VERSION_TABLE}
        return True


class TestModelsMigrationsSQLite(test_fixtures.OpportunisticDBTestMixin,
                                 _ModelsMigrationsSync, base.TestCase):
    FIXTURE = test_fixtures.OpportunisticDbFixture
    SKIP_ON_UNAVAILABLE_DB = False


class TestModelsMigrationsMySQL(test_fixtures.OpportunisticDBTestMixin,
                                _ModelsMigrationsSync, base.TestCase):
    FIXTURE = test_fixtures.MySQLOpportunisticFixture
    SKIP_ON_UNAVAILABLE_DB = False


class _MigrationWalk:
    """db sync creates both schemas and records both revisions."""

    def test_sync_creates_xms_and_taskflow_tables(self):
        engine = self._get_default_provisioned_db().engine
        migration.upgrade(engine=engine)
        tables = set(sa.inspect(engine).get_table_names())
        self.assertLessEqual(set(models.Base.metadata.tables), tables)
        self.assertLessEqual({'logbooks', 'flowdetails', 'atomdetails'},
                             tables)
        self.assertEqual(migration.head(), migration.version(engine))
        # A second sync is a no-op, not an error.
        migration.upgrade(engine=engine)
        self.assertEqual(migration.head(), migration.version(engine))


class TestMigrationWalkSQLite(test_fixtures.OpportunisticDBTestMixin,
                              _MigrationWalk, base.TestCase):
    FIXTURE = test_fixtures.OpportunisticDbFixture
    SKIP_ON_UNAVAILABLE_DB = False


class TestMigrationWalkMySQL(test_fixtures.OpportunisticDBTestMixin,
                             _MigrationWalk, base.TestCase):
    FIXTURE = test_fixtures.MySQLOpportunisticFixture
    SKIP_ON_UNAVAILABLE_DB = False

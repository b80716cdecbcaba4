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

    def test_0003_newest_unreleased_job_claims_its_vm(self):
        """Jobs from before the constraint: one claim per VM survives."""
        engine = self._get_default_provisioned_db().engine
        migration.upgrade('0001', engine=engine, taskflow=False)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO sources (id, uuid, project_id, name, type, "
                "host, port, username, password_encrypted, verify_tls, "
                "status, discovery_status) VALUES (1, 's1', 'p', 's', "
                "'vmware', 'h', 443, 'u', 'x', 1, 'ok', 'never')"))
            for vm_id in (1, 2):
                conn.execute(sa.text(
                    "INSERT INTO vms (id, uuid, source_id, project_id, "
                    "moref, name, snapshot_count, missing) VALUES "
                    "(:id, :uuid, 1, 'p', :uuid, :uuid, 0, 0)"),
                    {'id': vm_id, 'uuid': 'vm-%d' % vm_id})
            # VM 1: two unreleased jobs (the race the constraint now
            # stops) and a completed one; VM 2: a cancelled job only.
            for job_id, vm_id, state in ((1, 1, 'queued'), (2, 1, 'failed'),
                                         (3, 1, 'completed'),
                                         (4, 2, 'cancelled')):
                conn.execute(sa.text(
                    "INSERT INTO jobs (id, uuid, project_id, vm_id, type, "
                    "state, keep_target, override_block, bytes_done, "
                    "bytes_total, incremental_syncs, source_powered_off) "
                    "VALUES (:id, :uuid, 'p', :vm, 'cold', :state, 0, 0, 0, "
                    "0, 0, 0)"),
                    {'id': job_id, 'uuid': 'job-%d' % job_id, 'vm': vm_id,
                     'state': state})
        migration.upgrade('0003', engine=engine, taskflow=False)
        with engine.connect() as conn:
            claims = dict(conn.execute(sa.text(
                'SELECT id, active_vm_id FROM jobs ORDER BY id')).all())
        self.assertEqual({1: None, 2: 1, 3: None, 4: None}, claims)


class TestMigrationWalkSQLite(test_fixtures.OpportunisticDBTestMixin,
                              _MigrationWalk, base.TestCase):
    FIXTURE = test_fixtures.OpportunisticDbFixture
    SKIP_ON_UNAVAILABLE_DB = False


class TestMigrationWalkMySQL(test_fixtures.OpportunisticDBTestMixin,
                             _MigrationWalk, base.TestCase):
    FIXTURE = test_fixtures.MySQLOpportunisticFixture
    SKIP_ON_UNAVAILABLE_DB = False

"""Base test cases: one place sets configuration, logging and timeouts."""

import os

import fixtures
from oslo_config import fixture as config_fixture
from oslo_log import log
import testtools

from xms.conf import CONF

_LOGGING_SET_UP = False


def _set_up_logging():
    global _LOGGING_SET_UP
    if not _LOGGING_SET_UP:
        log.register_options(CONF)
        _LOGGING_SET_UP = True


class TestCase(testtools.TestCase):
    """Base of every XMS test.

    Gives each test a clean configuration (no config files are read), a
    temporary ``state_path``, captured output and logs, and the timeout of
    ``OS_TEST_TIMEOUT``.
    """

    def setUp(self):
        super().setUp()
        _set_up_logging()
        timeout = int(os.environ.get('OS_TEST_TIMEOUT', 0) or 0)
        if timeout > 0:
            self.useFixture(fixtures.Timeout(timeout, gentle=True))
        if os.environ.get('OS_STDOUT_CAPTURE') in ('1', 'True', 'true'):
            stdout = self.useFixture(fixtures.StringStream('stdout')).stream
            self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        if os.environ.get('OS_STDERR_CAPTURE') in ('1', 'True', 'true'):
            stderr = self.useFixture(fixtures.StringStream('stderr')).stream
            self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.log_fixture = self.useFixture(
            fixtures.FakeLogger(level=log.DEBUG,
                                format='%(levelname)s %(name)s %(message)s'))
        self.conf = self.useFixture(config_fixture.Config(CONF))
        CONF([], project='xms', default_config_files=[])
        self.state_path = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=self.state_path)

    def config(self, **kw):
        """Override options for this test: ``self.config(x=1, group='g')``."""
        self.conf.config(**kw)

    def use_memory_database(self):
        """A private in-memory SQLite database migrated to head.

        The global transaction factory starts once per process from
        ``[database]/connection``; each test then patches in its own
        engine, so unit tests of database-backed modules never share rows.
        """
        from oslo_db.sqlalchemy import engines

        from xms.db import api as db_api
        from xms.db import migration

        self.config(connection='sqlite://', group='database')
        engine = engines.create_engine('sqlite://')
        migration.upgrade(engine=engine, taskflow=False)
        self.addCleanup(db_api.main_context_manager.patch_engine(engine))
        return engine

    @staticmethod
    def make_preflight(vm, verdict, mode='warm'):
        """A completed preflight of ``vm``'s current inventory (its
        fingerprint), as the preflight engine stores one."""
        from xms.common import context
        from xms.db import api as db_api

        ctx = context.get_admin_context()
        vm = db_api.vm_get(ctx, vm.id)
        return db_api.preflight_create(ctx, {
            'project_id': vm.project_id, 'vm_id': vm.id, 'mode': mode,
            'status': 'completed', 'verdict': verdict,
            'vm_fingerprint': db_api.vm_fingerprint(vm)})

    def use_credential_keys(self, path=None):
        """Point ``[credentials]`` at a new key repository with one key.

        Services never create keys themselves, so every test that stores
        a source password creates them, as an operator runs
        ``xms-manage credentials init``.

        :returns: the repository's path.
        """
        from xms.common import credentials

        path = path or os.path.join(self.state_path, 'keys')
        self.config(key_repository=path, group='credentials')
        credentials.init_repository(path)
        return path

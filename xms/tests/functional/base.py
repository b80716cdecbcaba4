"""Base of functional tests: real services, private database."""

from xms.tests import base
from xms.tests.functional.fixtures import database


class FunctionalTestCase(base.TestCase):
    """A test with its own migrated MariaDB database.

    Set ``DB_BACKEND = 'sqlite'`` on a subclass to use SQLite instead, or
    ``None`` for a test that needs no database.
    """

    DB_BACKEND = 'mysql'

    def setUp(self):
        super().setUp()
        if self.DB_BACKEND:
            self.db = self.useFixture(database.Database(
                self.conf.conf, backend=self.DB_BACKEND))

"""SQLite settings for the embedded all-in-one database.

xms-all-in-one keeps jobs and TaskFlow's flow persistence in one SQLite
file written by several threads (API, conductor, worker slots, progress
updates) through two engines (oslo.db's and TaskFlow's). SQLite's default
deferred transactions fail with "database is locked" when two of them
both try to upgrade from reading to writing, instead of waiting. For
file databases XMS therefore uses write-ahead logging (readers never
block the writer), a generous busy timeout, and ``BEGIN IMMEDIATE`` so a
transaction takes the write lock up front and others wait their turn.
In-memory databases (unit tests) are left as they are.
"""

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event

BUSY_TIMEOUT_MS = 60000

_installed = False


def _is_file(dbapi_connection):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return False
    rows = dbapi_connection.execute('PRAGMA database_list').fetchall()
    return any(row[1] == 'main' and row[2] for row in rows)


def _on_connect(dbapi_connection, connection_record):
    if not _is_file(dbapi_connection):
        return
    connection_record.info['xms_sqlite_file'] = True
    # Transactions are begun by _on_begin, not by the sqlite3 module.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute('PRAGMA busy_timeout = %d' % BUSY_TIMEOUT_MS)
    dbapi_connection.execute('PRAGMA journal_mode = WAL')


def _is_file_connection(connection):
    record = connection.connection._connection_record
    return record is not None and record.info.get('xms_sqlite_file')


def _on_begin(connection):
    # oslo.db's own engines emit BEGIN themselves and mark the connection
    # with the same "in_transaction" key; whichever listener runs first
    # begins the transaction, the other sees the mark.
    if _is_file_connection(connection) and (
            'in_transaction' not in connection.info):
        connection.exec_driver_sql('BEGIN')
        connection.info['in_transaction'] = True


def _on_end(connection):
    connection.info.pop('in_transaction', None)


def _before_execute(conn, cursor, statement, parameters, context,
                    executemany):
    if statement == 'BEGIN' and _is_file_connection(conn):
        statement = 'BEGIN IMMEDIATE'
    return statement, parameters


def install():
    """Apply the settings to every SQLite engine of this process.

    Idempotent; called when the XMS database layer is imported, so that
    TaskFlow's engine on the same file gets the same treatment.
    """
    global _installed
    if not _installed:
        event.listen(sa.engine.Engine, 'connect', _on_connect)
        event.listen(sa.engine.Engine, 'begin', _on_begin)
        event.listen(sa.engine.Engine, 'commit', _on_end)
        event.listen(sa.engine.Engine, 'rollback', _on_end)
        event.listen(sa.engine.Engine, 'before_cursor_execute',
                     _before_execute, retval=True)
        _installed = True

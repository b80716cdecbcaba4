"""xms-manage: database and maintenance commands for operators.

``xms-manage db sync`` creates or upgrades the XMS schema and TaskFlow's
persistence tables in the same database; ``xms-manage db version`` prints
the revision the database is at; ``xms-manage db purge --older-than DAYS
[--dry-run]`` removes the TaskFlow records of finished flows and the
events of deleted jobs (:mod:`xms.db.purge`), the leader conductor's
periodic purge run by hand.
"""

import sys

from oslo_config import cfg

from xms.cmd import run
from xms.common import service as xms_service
from xms.conf import CONF
from xms.db import migration
from xms.db import purge


class DBCommands:

    def sync(self):
        xms_service.check_database(require_schema=False)
        migration.upgrade(CONF.command.revision)
        print('Database schema at revision %s (TaskFlow tables up to date)'
              % migration.version())

    def version(self):
        xms_service.check_database(require_schema=False)
        print(migration.version() or 'None (run "xms-manage db sync")')

    def purge(self):
        xms_service.check_database()
        days = CONF.command.older_than
        if days is None:
            days = CONF.conductor.purge_older_than_days
        dry_run = CONF.command.dry_run
        counts = purge.purge(days, dry_run=dry_run)
        print('%s older than %d day(s):' % (
            'Would purge (dry run)' if dry_run else 'Purged', days))
        for name in ('logbooks', 'flowdetails', 'atomdetails', 'events'):
            print('  %-12s %d' % (name, counts[name]))


def _add_db_parsers(subparsers):
    db = subparsers.add_parser('db', help='Database schema commands.')
    db_sub = db.add_subparsers(dest='db_action', required=True)
    sync = db_sub.add_parser('sync', help='Upgrade the XMS and TaskFlow '
                                          'schemas to the newest revision.')
    sync.add_argument('revision', nargs='?', default='head',
                      help='Alembic revision to upgrade to (default head).')
    sync.set_defaults(func=lambda: DBCommands().sync())
    version = db_sub.add_parser('version', help='Print the revision of the '
                                                'XMS schema.')
    version.set_defaults(func=lambda: DBCommands().version())
    purge_p = db_sub.add_parser(
        'purge', help='Remove the TaskFlow logbooks, flow and atom details '
                      'of finished flows and the events of deleted jobs '
                      'older than the retention; failed jobs keep theirs.')
    purge_p.add_argument('--older-than', type=int, metavar='DAYS',
                         dest='older_than',
                         help='Retention in days (default '
                              '[conductor]/purge_older_than_days).')
    purge_p.add_argument('--dry-run', action='store_true', dest='dry_run',
                         help='Print the counts, delete nothing.')
    purge_p.set_defaults(func=lambda: DBCommands().purge())


# Other modules (snapshots, credentials) add their parsers to this list.
PARSER_ADDERS = [_add_db_parsers]
from xms.sources.vsphere import manage as _vsphere_manage  # noqa: E402,F401,I001 - adds `snapshots reap`
from xms.cmd import manage_credentials as _credentials_manage  # noqa: E402,F401,I001 - adds `credentials`


def add_command_parsers(subparsers):
    for adder in PARSER_ADDERS:
        adder(subparsers)


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                help='Available commands',
                                handler=add_command_parsers)


def _main(argv):
    CONF.register_cli_opt(command_opt)
    xms_service.prepare_service(argv)
    CONF.command.func()
    return 0


def main():
    sys.exit(run(_main, sys.argv))

"""``xms-manage snapshots reap``: remove snapshots XMS leaked.

Appends its parser to :data:`xms.cmd.manage.PARSER_ADDERS`; imported by
``xms.cmd.manage``.
"""

from xms.cmd import manage
from xms.common import context as xms_context
from xms.common import service as xms_service


def reap():
    """Remove leaked snapshots on every source and print a summary."""
    from xms.sources import base
    xms_service.check_database()
    summary = base.get_driver('vmware').reap_snapshots(
        xms_context.get_admin_context())
    print('Removed %(removed)d recorded and %(unknown_removed)d unrecorded '
          'leaked snapshot(s); %(errors)d error(s), %(sources_skipped)d '
          'source(s) skipped' % summary)
    return summary


def _add_snapshot_parsers(subparsers):
    snapshots = subparsers.add_parser(
        'snapshots', help='Snapshots XMS took on source VMs.')
    sub = snapshots.add_subparsers(dest='snapshots_action', required=True)
    reap_parser = sub.add_parser(
        'reap', help='Remove snapshots of finished or deleted jobs and '
                     'XMS-named snapshots no job knows.')
    reap_parser.set_defaults(func=reap)


if _add_snapshot_parsers not in manage.PARSER_ADDERS:
    manage.PARSER_ADDERS.append(_add_snapshot_parsers)

"""``xms-manage snapshots reap`` is wired into xms-manage."""

import argparse

from xms.cmd import manage
from xms.sources.vsphere import manage as vsphere_manage
from xms.tests import base


class TestParser(base.TestCase):

    def test_snapshots_reap(self):
        parser = argparse.ArgumentParser()
        manage.add_command_parsers(parser.add_subparsers(dest='command'))
        args = parser.parse_args(['snapshots', 'reap'])
        self.assertIs(vsphere_manage.reap, args.func)
        self.assertEqual(1, manage.PARSER_ADDERS.count(
            vsphere_manage._add_snapshot_parsers))

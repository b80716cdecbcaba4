"""The README's first command keeps working: ``tools/demo`` migrates a
cold and a warm VM with XMS all-in-one and exits 0 only when every target
disk is identical to its source.

Runs ``tools/demo.py`` with this environment's Python (``tools/demo``
itself only adds the install steps in ``.venv``). The OpenStack target of
the demo is the journeys' path (``xms.tests.functional.journey``).
"""

import os
import subprocess
import sys

from xms.tests.functional import base

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                    '..', '..', 'tools', 'demo.py')


class TestDemo(base.FunctionalTestCase):

    DB_BACKEND = None

    def test_local_demo_migrates_both_vms_identically(self):
        result = subprocess.run(
            [sys.executable, DEMO, '--disk-mib', '8', '--state-path',
             os.path.join(self.state_path, 'demo')],
            capture_output=True, text=True, timeout=800)
        self.assertEqual(0, result.returncode,
                         result.stdout[-6000:] + result.stderr[-3000:])
        self.assertIn('cold migration of DC0_H0_VM0', result.stdout)
        self.assertIn('warm migration of DC0_H0_VM1', result.stdout)
        self.assertEqual(2, result.stdout.count('  identical'))
        self.assertEqual(2, result.stdout.count('  verified'))
        self.assertIn('snapshots left on the source VMs: 0', result.stdout)

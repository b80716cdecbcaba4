"""The campaign at the issue's scale: 200 jobs against 10 worker slots.

The same test as ``orchestration.test_jobboard.TestManyJobsFewSlots``
(which the gate runs with 24 jobs against 4 slots), at the scale of a
migration campaign: 200 jobs queued against 2 workers of 5 slots drain
in order and none runs twice at once. It takes many minutes on a small
machine, so it runs under ``tox -e faults`` only.
"""

from xms.tests.functional import faults
from xms.tests.functional.orchestration import test_jobboard


class TestCampaignDrain(test_jobboard.TestManyJobsFewSlots):

    vcsim_kwargs = {"vms": 100}
    JOBS = 200
    WORKERS = 2
    SLOTS = 5

    def setUp(self):
        if not faults.full_run():
            self.skipTest('the 200-job campaign runs under tox -e faults '
                          '(the gate runs TestManyJobsFewSlots)')
        super().setUp()

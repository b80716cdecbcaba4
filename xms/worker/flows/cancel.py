"""The cleanup flow of a cancelled job.

Runs once no other flow of the job runs: removes every snapshot XMS
still holds, powers the source on again if XMS powered it off, detaches
and deletes the target (unless ``keep_target``), and leaves the job
``cancelled``.
"""

from taskflow.patterns import linear_flow

from xms.flows import names
from xms.worker.tasks import job
from xms.worker.tasks import source
from xms.worker.tasks import target

NAME = names.CANCEL


def get_cancel_flow():
    """Cleanup after a cancel. Store: ``job_id``."""
    flow = linear_flow.Flow(NAME)
    flow.add(
        job.StartCleanup(),
        source.RemoveJobSnapshots(),
        source.RestoreSourcePower(),
        target.DetachVolumes(),
        target.DeleteTarget(),
        job.FinishCancel(),
    )
    return flow

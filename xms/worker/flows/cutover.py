"""The cutover flow of a warm migration.

``final_delta`` first copies what changed since the last sync while the
VM still runs (it only shortens the window), ``power_off_source`` stops
the VM and copies the last changes from a snapshot taken *after* it
stopped, so no write the source made can be lost, and verifies every
disk against that snapshot; then ``guest_fixes``, ``finalize`` and
``boot_target``. The source is left powered off: the target is now
authoritative.
"""

from taskflow.patterns import linear_flow

from xms.common import states
from xms.flows import names
from xms.worker.tasks import conversion
from xms.worker.tasks import job
from xms.worker.tasks import source
from xms.worker.tasks import target
from xms.worker.tasks import transport

NAME = names.CUTOVER


def get_cutover_flow():
    """Cutover of a warm job. Store: ``job_id``."""
    flow = linear_flow.Flow(NAME)
    flow.add(
        job.StartFlow(NAME, states.CUTTING_OVER, states.FINAL_DELTA),
        target.AttachVolumes(),
        source.CreateSnapshot('pre_cutover'),
        transport.StartSync(transport.PRE_CUTOVER),
        transport.CopyDisks(transport.PRE_CUTOVER, 'pre_cutover'),
        transport.EndSync(transport.PRE_CUTOVER, 'pre_cutover'),
        source.RemoveSnapshot('pre_cutover'),
        job.SetPhase(states.POWER_OFF_SOURCE),
        source.PowerOffSource(),
        source.CreateSnapshot('final'),
        transport.StartSync(transport.FINAL),
        transport.CopyDisks(transport.FINAL, 'final'),
        transport.VerifyDisks('final'),
        transport.EndSync(transport.FINAL, 'final'),
        source.RemoveSnapshot('final'),
        job.SetPhase(states.GUEST_FIXES),
        conversion.InspectGuest(),
        conversion.ConvertGuest(),
        conversion.InspectConvertedGuest(),
        target.DetachVolumes(),
        job.SetPhase(states.FINALIZE),
        target.FinalizeVolumes(),
        job.SetPhase(states.BOOT_TARGET),
        target.CreatePorts(),
        target.CreateInstance(),
        job.FinishFlow(NAME, states.COMPLETED),
    )
    return flow

"""The cold migration flow.

``export`` (power the source off, snapshot it, create and attach the
target volumes, copy every disk, verify), ``inspect``, ``write_volume``
(the copied volumes are released from the snapshot), ``guest_fixes``,
``finalize`` (bootable volume), ``boot_target`` (the ports, then the
instance).
"""

from taskflow.patterns import linear_flow

from xms.common import states
from xms.flows import names
from xms.worker.tasks import conversion
from xms.worker.tasks import job
from xms.worker.tasks import source
from xms.worker.tasks import target
from xms.worker.tasks import transport

NAME = names.COLD


def get_cold_flow():
    """Cold migration of one VM. Store: ``job_id``."""
    flow = linear_flow.Flow(NAME)
    flow.add(
        job.StartFlow(NAME, states.RUNNING, states.EXPORT),
        source.PowerOffSource(),
        target.CreateVolumes(),
        target.AttachVolumes(),
        source.CreateSnapshot('export'),
        transport.StartSync(transport.EXPORT),
        transport.CopyDisks(transport.EXPORT, 'export'),
        transport.VerifyDisks('export'),
        transport.EndSync(transport.EXPORT, 'export',
                          record_change_ids=False),
        source.RemoveSnapshot('export'),
        job.SetPhase(states.INSPECT),
        conversion.InspectGuest(),
        job.SetPhase(states.WRITE_VOLUME),
        job.SetPhase(states.GUEST_FIXES),
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

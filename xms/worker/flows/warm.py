"""Warm migration flows: the initial full sync and incremental syncs.

Both read a fresh snapshot of the running VM (vSphere freezes the disks
it reads; the VM keeps writing to its live disks), write what they read
at the same offsets into the target volumes, record each disk's change
id as the base of the next sync and remove the snapshot.
"""

from taskflow.patterns import linear_flow

from xms.common import states
from xms.flows import names
from xms.worker.tasks import job
from xms.worker.tasks import source
from xms.worker.tasks import target
from xms.worker.tasks import transport

FULL_SYNC = names.FULL_SYNC
INCREMENTAL_SYNC = names.INCREMENTAL_SYNC


def get_full_sync_flow():
    """``initializing`` (CBT, volumes) then ``full_sync``.

    Store: ``job_id``.
    """
    flow = linear_flow.Flow(FULL_SYNC)
    flow.add(
        job.StartFlow(FULL_SYNC, states.RUNNING, states.INITIALIZING),
        source.EnableCbt(),
        target.CreateVolumes(),
        job.SetPhase(states.FULL_SYNC),
        target.AttachVolumes(),
        source.CreateSnapshot('sync'),
        transport.StartSync(transport.FULL),
        transport.CopyDisks(transport.FULL, 'sync'),
        transport.EndSync(transport.FULL, 'sync'),
        source.RemoveSnapshot('sync'),
        target.DetachVolumes(),
        job.FinishFlow(FULL_SYNC, states.READY),
    )
    return flow


def get_incremental_sync_flow():
    """``syncing``: only the areas changed since the last sync.

    Store: ``job_id``.
    """
    flow = linear_flow.Flow(INCREMENTAL_SYNC)
    flow.add(
        job.StartFlow(INCREMENTAL_SYNC, states.SYNCING,
                      states.INCREMENTAL_SYNC),
        target.AttachVolumes(),
        source.CreateSnapshot('sync'),
        transport.StartSync(transport.INCREMENTAL),
        transport.CopyDisks(transport.INCREMENTAL, 'sync'),
        transport.EndSync(transport.INCREMENTAL, 'sync'),
        source.RemoveSnapshot('sync'),
        target.DetachVolumes(),
        job.FinishFlow(INCREMENTAL_SYNC, states.READY),
    )
    return flow

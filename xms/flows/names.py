"""The flows XMS runs, by stable name, and the factory that builds each.

Jobs name their flow by these names (``jobs.active_flow`` and
``failed_flow``) and persisted flow details name their factory by its
import path: both are a stable API, renaming one strands the flows in
flight. This is the one place either is spelt.
"""

COLD = 'cold'
FULL_SYNC = 'warm_full_sync'
INCREMENTAL_SYNC = 'incremental_sync'
CUTOVER = 'cutover'
CANCEL = 'cancel'

FLOWS = (COLD, FULL_SYNC, INCREMENTAL_SYNC, CUTOVER, CANCEL)

FACTORIES = {
    COLD: 'xms.worker.flows.cold.get_cold_flow',
    FULL_SYNC: 'xms.worker.flows.warm.get_full_sync_flow',
    INCREMENTAL_SYNC: 'xms.worker.flows.warm.get_incremental_sync_flow',
    CUTOVER: 'xms.worker.flows.cutover.get_cutover_flow',
    CANCEL: 'xms.worker.flows.cancel.get_cancel_flow',
}


def factory_path(flow_name):
    """The import path of ``flow_name``'s factory.

    :raises KeyError: for a name that is no flow.
    """
    return FACTORIES[flow_name]

"""Flow factories, by stable flow name.

Persisted flow details name their factory by import path, and jobs name
their flow by these names (``jobs.active_flow``/``failed_flow``): both
are a stable API, renaming one strands the flows in flight.
"""

FACTORIES = {
    'cold': 'xms.worker.flows.cold.get_cold_flow',
    'warm_full_sync': 'xms.worker.flows.warm.get_full_sync_flow',
    'incremental_sync': 'xms.worker.flows.warm.get_incremental_sync_flow',
    'cutover': 'xms.worker.flows.cutover.get_cutover_flow',
    'cancel': 'xms.worker.flows.cancel.get_cancel_flow',
}

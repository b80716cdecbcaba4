"""Snapshot hygiene: remove the vSphere snapshots XMS leaked.

A worker that dies between taking a snapshot and removing it, or a
revert that could not reach vCenter, leaves a snapshot on the source
VM. Every snapshot XMS takes is recorded first (``snapshots``); the
source driver's ``reap_snapshots`` removes those whose job is finished
or gone, and any snapshot named like ours that no record knows.
"""

from oslo_log import log as logging

from xms.common import context as xms_context
from xms.sources import base as source_base

LOG = logging.getLogger(__name__)


def run_once(context=None):
    context = context or xms_context.get_admin_context()
    summary = source_base.get_driver('vmware').reap_snapshots(context)
    if any(summary.values()):
        LOG.info('Snapshot reaper: %s', summary)
    return summary

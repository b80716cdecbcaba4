"""Snapshots XMS makes on source VMs, and the reaper of leaked ones.

Every snapshot is named ``<[vsphere]/snapshot_prefix><job uuid>-<purpose>``
and recorded in the ``snapshots`` table *before* the CreateSnapshot task
starts: a process that dies while the task runs still leaves a row (VM and
name) from which the reaper finds and removes the snapshot. Leaked
snapshots grow delta disks on the source datastore until it fills, so the
reaper also removes snapshots named as XMS names them (prefix, a uuid,
a purpose) that no row knows; a snapshot the VM's owner took is never
touched, even when its name happens to start with our prefix.
"""

import re

from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils
from pyVmomi import vim
from pyVmomi import vmodl

from xms.common import exception as xms_exc
from xms.common import states
from xms.conf import CONF
from xms.db import api as db_api
from xms.sources.vsphere import inventory

LOG = logging.getLogger(__name__)

# Row states. A row leaves the reaper's list only in REMOVED.
CREATING = 'creating'
CREATED = 'created'
FAILED = 'failed'
REMOVING = 'removing'
REMOVED = 'removed'
LIVE_STATES = (CREATING, CREATED, FAILED, REMOVING)

#: Purpose of the snapshot that activates CBT: the only one XMS takes
#: without a job (its row has no job from the start).
STUN = 'cbt-stun'

_UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'


def snapshot_name(job_uuid, purpose):
    """The name of a snapshot XMS takes for ``job_uuid``."""
    return '%s%s-%s' % (CONF.vsphere.snapshot_prefix, job_uuid, purpose)


def is_ours(name):
    """Whether ``name`` is shaped as :func:`snapshot_name` makes names.

    The prefix alone is not enough: an owner's "xms-before-upgrade" is
    not ours, and the reaper must never remove it.
    """
    pattern = r'%s%s-[a-z0-9_-]+\Z' % (
        re.escape(CONF.vsphere.snapshot_prefix), _UUID)
    return re.match(pattern, name) is not None


def find_snapshot(session, vm, name=None, moref=None):
    """The ``vim.vm.Snapshot`` of ``vm`` with this name or moref, or None."""
    info = session.prop(vm, 'snapshot')
    for node in inventory.walk_snapshots(info):
        if moref is not None and node.snapshot._moId == moref:
            return node.snapshot
        if name is not None and node.name == name:
            return node.snapshot
    return None


def create(session, context, vm_moref, job, purpose, quiesce=False,
           description=None):
    """Record, then take, a snapshot of a VM (disk only, no memory).

    :param job: the ``Job`` row the snapshot belongs to, or None for
        snapshots XMS takes for itself (the CBT stun snapshot).
    :returns: the ``Snapshot`` row, state ``created``.
    :raises SourceTaskFailed: when vSphere refuses; the row stays for the
        reaper (state ``failed``) in case the task left something behind.
    """
    # Without a job a fresh uuid keeps the name unique (the reaper tells
    # snapshots apart by name).
    owner = job.uuid if job is not None else uuidutils.generate_uuid()
    name = snapshot_name(owner, purpose)
    row = db_api.snapshot_create(context, {
        'source_id': session.source.id,
        'job_id': job.id if job is not None else None,
        'vm_moref': vm_moref,
        'name': name,
        'purpose': purpose,
        'state': CREATING,
    })
    vm = session.vm(vm_moref)
    try:
        task = vm.CreateSnapshot_Task(
            name=name,
            description=description or 'Taken by XMS for job %s (%s); '
                                       'removed by XMS.' % (owner, purpose),
            memory=False, quiesce=quiesce)
        snap = session.wait_for_task(task, target=vm_moref)
    except vim.fault.NotAuthenticated:
        raise
    except Exception:
        db_api.snapshot_update(context, row.id, {'state': FAILED})
        raise
    if snap is None:
        snap = find_snapshot(session, vm, name=name)
    values = {'state': CREATED,
              'snapshot_moref': snap._moId if snap is not None else None}
    row = db_api.snapshot_update(context, row.id, values)
    LOG.info('Created snapshot %s (%s) of VM %s on source %s', name,
             values['snapshot_moref'], vm_moref, session.source.uuid)
    return row


def remove(session, context, row):
    """Remove the snapshot of a row (found by moref, else by name).

    A snapshot already gone counts as removed. The row is updated to
    ``removed`` afterwards.
    """
    vm = session.vm(row.vm_moref)
    db_api.snapshot_update(context, row.id, {'state': REMOVING})
    try:
        snap = find_snapshot(session, vm, moref=row.snapshot_moref,
                             name=row.name)
    except vmodl.fault.ManagedObjectNotFound:
        snap = None   # the VM itself is gone
    if snap is not None:
        remove_object(session, vm, snap)
    else:
        LOG.info('Snapshot %s of VM %s is already gone', row.name,
                 row.vm_moref)
    row = db_api.snapshot_update(context, row.id, {'state': REMOVED})
    LOG.info('Removed snapshot %s of VM %s on source %s', row.name,
             row.vm_moref, session.source.uuid)
    return row


def remove_object(session, vm, snap):
    task = snap.RemoveSnapshot_Task(removeChildren=False, consolidate=True)
    session.wait_for_task(task, target=vm._moId)


def remove_by_moref(session, vm_moref, snapshot_moref):
    snap = vim.vm.Snapshot(snapshot_moref, session.si._stub)
    remove_object(session, session.vm(vm_moref), snap)


def _job_finished(context, job_id):
    if job_id is None:
        return True
    try:
        job = db_api.job_get(context, job_id)
    except xms_exc.JobNotFound:
        return True
    return job.state in states.FINISHED_STATES


def orphan_rows(context):
    """Rows of snapshots that should not exist any more.

    A row is an orphan when it was not removed and its job is finished or
    gone; rows without a job (CBT stun snapshots) when older than
    ``[vsphere]/snapshot_reap_grace`` seconds.
    """
    orphans = []
    for row in db_api.snapshot_list(context,
                                    filters={'state': list(LIVE_STATES)}):
        if row.job_id is None and row.purpose == STUN:
            if timeutils.is_older_than(row.created_at,
                                       CONF.vsphere.snapshot_reap_grace):
                orphans.append(row)
        elif row.job_id is None:
            # Its job was deleted (the row's job turns NULL): gone.
            orphans.append(row)
        elif _job_finished(context, row.job_id):
            orphans.append(row)
    return orphans


def unknown_snapshots(session, known_names, datacenter=None):
    """(vm moref, snapshot moref, name) of our-prefixed snapshots no row
    knows."""
    found = []
    container = session.find_datacenter(datacenter)
    for _moref, (vm, props) in session.retrieve(
            vim.VirtualMachine, ['snapshot'], container=container).items():
        for node in inventory.walk_snapshots(props.get('snapshot')):
            if is_ours(node.name) and node.name not in known_names:
                found.append((vm._moId, node.snapshot._moId, node.name))
    return found

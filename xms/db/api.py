"""Database access for XMS, on oslo.db's enginefacade.

Every function takes the request context first and opens its own
transaction with ``@main_context_manager.reader`` or ``.writer``; callers
never see a session. Functions return model objects detached from their
session (``expire_on_commit`` is off), so they can be read after the
transaction ends.

State changes are conditional updates with a row-count check (STYLE.md
habit 7), so two processes racing on one job cannot both win.
"""

import hashlib
import json
import uuid as uuid_lib

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from xms.common import exception
from xms.common import fencing
from xms.common import states
from xms.db import models
from xms.db import sqlite

sqlite.install()

main_context_manager = enginefacade.transaction_context()
main_context_manager.configure(expire_on_commit=False)


def get_engine():
    return main_context_manager.writer.get_engine()


def dispose_engine():
    main_context_manager.writer.get_engine().dispose()


def _project_filter(context, query, model):
    """Limit a query to the context's project unless it is an admin's.

    Another project's resource is then simply not found (a 404), never a
    403 that would reveal it exists.
    """
    if context is None or context.is_admin:
        return query
    return query.filter(model.project_id == context.project_id)


def _paginate(query, model, limit=None, marker=None, sort_key='id',
              sort_dir='asc'):
    sort_keys = [sort_key] if sort_key == 'id' else [sort_key, 'id']
    return db_utils.paginate_query(query, model, limit, sort_keys,
                                   marker=marker, sort_dir=sort_dir)


def _by_uuid_or_id(query, model, ident):
    if uuidutils.is_uuid_like(ident):
        return query.filter(model.uuid == ident)
    if isinstance(ident, int) or str(ident).isdigit():
        return query.filter(model.id == int(ident))
    return query.filter(sa.false())


def _apply_filters(query, model, filters):
    for key, value in (filters or {}).items():
        column = getattr(model, key)
        if isinstance(value, (list, tuple, set, frozenset)):
            query = query.filter(column.in_(list(value)))
        elif key == 'name' and isinstance(value, str) and '*' in value:
            query = query.filter(column.like(value.replace('*', '%')))
        else:
            query = query.filter(column == value)
    return query


def _marker_row(query, model, marker, what):
    if marker is None:
        return None
    row = query.filter(model.uuid == marker).first()
    if row is None:
        raise exception.InvalidParameterValue(
            name='marker', reason='no %s %s' % (what, marker))
    return row


def _scoped_query(context, model):
    return _project_filter(context, context.session.query(model), model)


def _get(context, model, ident, not_found):
    """The row of ``model`` with UUID or id ``ident`` in the context's
    project; ``not_found()`` builds the exception raised otherwise."""
    row = _by_uuid_or_id(_scoped_query(context, model), model, ident).first()
    if row is None:
        raise not_found()
    return row


def _list(context, model, filters=None, limit=None, marker=None,
          sort_key='id', sort_dir='asc'):
    """A page of ``model`` rows in the context's project.

    :param filters: {column: value}; a list means any of the values and a
        ``name`` with ``*`` is a wildcard.
    :param marker: UUID of the last row of the previous page.
    """
    query = _apply_filters(_scoped_query(context, model), model, filters)
    marker_row = _marker_row(query, model, marker, model.__tablename__)
    return _paginate(query, model, limit, marker_row, sort_key,
                     sort_dir).all()


# --- workers ---

@main_context_manager.writer
def worker_register(context, host, binary, slots=0, version=None):
    """Create or refresh the row of a starting process (upsert)."""
    now = timeutils.utcnow()
    row = (context.session.query(models.Worker)
           .filter_by(host=host, binary=binary).first())
    if row is None:
        row = models.Worker(host=host, binary=binary)
        context.session.add(row)
    row.slots = slots
    row.running = 0
    row.version = version
    row.state = 'up'
    row.started_at = now
    row.heartbeat_at = now
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        # Another start of the same host/binary raced us; take its row.
        context.session.rollback()
        row = (context.session.query(models.Worker)
               .filter_by(host=host, binary=binary).one())
    return row


@main_context_manager.writer
def worker_heartbeat(context, host, binary, running=None):
    values = {'heartbeat_at': timeutils.utcnow(), 'state': 'up'}
    if running is not None:
        values['running'] = running
    count = (context.session.query(models.Worker)
             .filter_by(host=host, binary=binary).update(values))
    if not count:
        raise exception.WorkerNotFound(host=host, binary=binary)


@main_context_manager.writer
def worker_stopped(context, host, binary):
    (context.session.query(models.Worker)
     .filter_by(host=host, binary=binary)
     .update({'state': 'down', 'running': 0}))


@main_context_manager.reader
def worker_list(context, binary=None):
    query = context.session.query(models.Worker)
    if binary:
        query = query.filter_by(binary=binary)
    return query.order_by(models.Worker.binary, models.Worker.host).all()


def worker_is_alive(worker, timeout):
    """Whether ``worker`` stated it is up within ``timeout`` seconds."""
    if worker.state != 'up' or worker.heartbeat_at is None:
        return False
    return not timeutils.is_older_than(worker.heartbeat_at, timeout)


# --- events ---

@main_context_manager.writer
def event_create(context, values):
    """Store an event; ``values`` names its columns."""
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values.setdefault('severity', 'info')
    event = models.Event(**values)
    context.session.add(event)
    context.session.flush()
    return event


@main_context_manager.reader
def event_list(context, job_id=None, filters=None, limit=None, marker=None):
    """Events, newest first, scoped to the context's project."""
    filters = dict(filters or {})
    if job_id is not None:
        filters['job_id'] = job_id
    return _list(context, models.Event, filters, limit, marker,
                 sort_dir='desc')


# --- sources ---

@main_context_manager.writer
def source_create(context, values):
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    source = models.Source(**values)
    context.session.add(source)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.SourceAlreadyExists(name=values.get('name'))
    return source


@main_context_manager.reader
def source_get(context, ident):
    return _get(context, models.Source, ident,
                lambda: exception.SourceNotFound(source=ident))


@main_context_manager.reader
def source_list(context, limit=None, marker=None, sort_key='id',
                sort_dir='asc'):
    return _list(context, models.Source, None, limit, marker, sort_key,
                 sort_dir)


@main_context_manager.writer
def source_update(context, ident, values):
    source = source_get(context, ident)
    source = context.session.merge(source)
    for key, value in values.items():
        setattr(source, key, value)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.SourceAlreadyExists(name=values.get('name'))
    return source


@main_context_manager.writer
def source_delete(context, ident):
    """Delete a source unless an unfinished job uses it."""
    source = source_get(context, ident)
    busy = (context.session.query(models.Job)
            .filter(models.Job.source_id == source.id)
            .filter(models.Job.state.notin_(states.FINISHED_STATES))
            .count())
    if busy:
        raise exception.SourceInUse(source=source.uuid, jobs=busy)
    context.session.query(models.Source).filter_by(id=source.id).delete()


# --- jobs ---

def _new_job(values, disks):
    """A ``Job`` row that claims its VM unless it starts released."""
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values.setdefault('state', states.QUEUED)
    if values['state'] not in states.VM_RELEASED_STATES:
        values.setdefault('active_vm_id', values.get('vm_id'))
    job = models.Job(**values)
    for disk in disks:
        job.disks.append(models.JobDisk(**disk))
    return job


@oslo_db_api.wrap_db_retry(max_retries=3, retry_on_deadlock=True)
@main_context_manager.writer
def _jobs_insert(context, specs):
    jobs = [_new_job(values, disks) for values, disks in specs]
    context.session.add_all(jobs)
    context.session.flush()
    return jobs


def jobs_create(context, specs):
    """Create several jobs (a wave) and their disks in one transaction.

    Either every job is created or none is. A job claims its VM through
    ``active_vm_id``, whose unique constraint refuses a second active job
    of one VM even when requests race (InnoDB may answer such a race with
    a deadlock: the retry then meets the constraint).

    :param specs: ``(values, disks)`` pairs: ``jobs`` columns and a list
        of ``job_disks`` columns.
    :raises VmBusy: when a VM of the wave already has an active job.
    :returns: the created jobs, in the order of ``specs``.
    """
    try:
        return _jobs_insert(context, specs)
    except db_exc.DBDuplicateEntry as exc:
        if 'active_vm_id' not in (exc.columns or ['active_vm_id']):
            raise
        busy = vm_active_job(context, [v.get('vm_id') for v, _d in specs])
        vm, job = busy or ('?', '?')
        raise exception.VmBusy(vm=vm, job=job)


def job_create(context, values, disks=()):
    """Create a job and its per-disk rows in one transaction."""
    return jobs_create(context, [(values, disks)])[0]


@main_context_manager.reader
def vm_active_job(context, vm_ids):
    """The first of ``vm_ids`` that has an active job.

    :returns: ``(vm uuid, job uuid)``, or None when every VM is free.
    """
    ids = [i for i in vm_ids if i is not None]
    if not ids:
        return None
    row = (context.session.query(models.Vm.uuid, models.Job.uuid)
           .join(models.Job, models.Job.active_vm_id == models.Vm.id)
           .filter(models.Vm.id.in_(ids))
           .order_by(models.Job.id).first())
    return tuple(row) if row else None


@main_context_manager.reader
def job_get(context, ident):
    return _get(context, models.Job, ident,
                lambda: exception.JobNotFound(job=ident))


@main_context_manager.reader
def job_list(context, filters=None, limit=None, marker=None,
             sort_key='id', sort_dir='asc'):
    return _list(context, models.Job, filters, limit, marker, sort_key,
                 sort_dir)


def _check_fence(context):
    """Refuse a write of a flow whose claim was taken over.

    A context made by :func:`xms.common.fencing.context_for` carries the
    claim epoch its flow holds. The job row is read ``FOR UPDATE`` in
    the write's own transaction, so the claim of a new owner (which
    increments ``jobs.flow_epoch``, :func:`job_claim_flow`) and this
    write are serialised: the write commits only if no other worker
    claimed the flow since.

    :raises FencedOut: when the job's epoch is no longer the one held.
    """
    fence = getattr(context, 'fence', None)
    if fence is None:
        return
    job_id, held = fence
    row = (context.session.query(models.Job.uuid, models.Job.flow_epoch)
           .filter(models.Job.id == job_id).with_for_update().first())
    found = row.flow_epoch if row is not None else None
    if found != held:
        fencing.mark_fenced(job_id, held, found)
        raise exception.FencedOut(job=row.uuid if row else job_id,
                                  mine=held, current=found)


@main_context_manager.writer
def job_claim_flow(context, job_id, values=None):
    """Start a new claim epoch of the job's flow (a worker claimed it).

    Increments ``jobs.flow_epoch`` in one UPDATE, so that every write of
    the previous owner (:func:`_check_fence`) is refused from now on.

    :returns: the job, with its new ``flow_epoch``.
    """
    values = dict(values or {})
    values['flow_epoch'] = models.Job.flow_epoch + 1
    values['updated_at'] = timeutils.utcnow()
    count = (context.session.query(models.Job)
             .filter(models.Job.id == job_id)
             .update(values, synchronize_session=False))
    if count != 1:
        raise exception.JobNotFound(job=job_id)
    return context.session.query(models.Job).filter_by(id=job_id).one()


@main_context_manager.reader
def job_flow_claim(context, job_id):
    """``(flow_epoch, flow_detail_uuid)`` of the job, (None, None) if gone."""
    row = (context.session.query(models.Job.flow_epoch,
                                 models.Job.flow_detail_uuid)
           .filter(models.Job.id == job_id).first())
    return (row.flow_epoch, row.flow_detail_uuid) if row else (None, None)


@main_context_manager.writer
def job_update(context, job_id, values, expected=None):
    """Update a job, optionally only if its columns still hold ``expected``.

    This is the one place the state machine is consulted for a change of
    a job's state: a ``state`` in ``values`` must be allowed from every
    state ``expected['state']`` lets the job be in. (A state written
    without an expected one is a forced repair, used by tests.)

    :param expected: {column: value or tuple of values} that must match in
        the same UPDATE statement.
    :raises InvalidStateTransition: when the state machine forbids the
        change.
    :raises ConcurrentUpdate: when ``expected`` no longer holds.
    :returns: the updated job.
    """
    _check_fence(context)
    expected = dict(expected or {})
    target = values.get('state')
    if target is not None and 'state' in expected:
        # Columns, not the entity: a Job loaded here would sit in the
        # session's identity map and be handed back, stale, by the read
        # after the UPDATE below.
        job = (context.session.query(models.Job.uuid, models.Job.type)
               .filter(models.Job.id == job_id).first())
        if job is None:
            raise exception.ConcurrentUpdate(resource='Job', id=job_id)
        sources = expected['state']
        if not isinstance(sources, (list, tuple, set, frozenset)):
            sources = (sources,)
        for source in sources:
            if source != target:
                states.check_transition(job.uuid, source, target, job.type)
    query = context.session.query(models.Job).filter(models.Job.id == job_id)
    for key, value in expected.items():
        column = getattr(models.Job, key)
        if isinstance(value, (list, tuple, set, frozenset)):
            query = query.filter(column.in_(list(value)))
        else:
            query = query.filter(column == value)
    values = dict(values)
    values['updated_at'] = timeutils.utcnow()
    if values.get('state') in states.VM_RELEASED_STATES:
        # The VM is free for another job (see states.VM_RELEASED_STATES).
        values['active_vm_id'] = None
    count = query.update(values, synchronize_session=False)
    if count != 1:
        raise exception.ConcurrentUpdate(resource='Job', id=job_id)
    return (context.session.query(models.Job).populate_existing()
            .filter_by(id=job_id).one())


@main_context_manager.writer
def job_set_state(context, job, target, phase=None, **values):
    """Move ``job`` to state ``target`` if it is still in ``job.state``.

    :raises InvalidStateTransition: if the state machine forbids it.
    :raises ConcurrentUpdate: if another process moved the job first.
    """
    values['state'] = target
    values['phase'] = phase
    if target in states.FINISHED_STATES:
        values.setdefault('finished_at', timeutils.utcnow())
    return job_update(context, job.id, values, expected={'state': job.state})


@main_context_manager.writer
def job_delete(context, ident):
    job = job_get(context, ident)
    states.check_action(states.DELETE, job.uuid, job.type, job.state)
    count = (context.session.query(models.Job)
             .filter(models.Job.id == job.id)
             .filter(models.Job.state.in_(list(states.FINISHED_STATES)))
             .delete(synchronize_session=False))
    if count != 1:
        raise exception.ConcurrentUpdate(resource='Job', id=job.uuid)



@main_context_manager.writer
def jobs_discard(context, job_ids):
    """Delete jobs the conductors were never told about.

    The API creates a wave's jobs, then casts each to a conductor; the
    jobs whose cast failed (the message broker is down) are removed with
    their disks and events, as if the request had not been made. Only
    jobs still queued are touched: a job a conductor started is not
    discarded.

    :returns: the ids of the jobs deleted.
    """
    ids = [row.id for row in context.session.query(models.Job.id)
           .filter(models.Job.id.in_(list(job_ids)))
           .filter(models.Job.state == states.QUEUED)]
    if not ids:
        return []
    for model in (models.Event, models.JobDisk, models.Sync):
        (context.session.query(model).filter(model.job_id.in_(ids))
         .delete(synchronize_session=False))
    (context.session.query(models.Job).filter(models.Job.id.in_(ids))
     .delete(synchronize_session=False))
    return ids


# --- vms (inventory) ---

@main_context_manager.reader
def vm_get(context, ident):
    return _get(context, models.Vm, ident,
                lambda: exception.VmNotFound(vm=ident))


@main_context_manager.reader
def vm_list(context, filters=None, limit=None, marker=None, sort_key='id',
            sort_dir='asc'):
    """VMs of the context's project (see :func:`_list` for filters)."""
    return _list(context, models.Vm, filters, limit, marker, sort_key,
                 sort_dir)


# --- preflights ---

@main_context_manager.writer
def preflight_create(context, values):
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values.setdefault('status', 'pending')
    preflight = models.Preflight(**values)
    context.session.add(preflight)
    context.session.flush()
    return preflight


@main_context_manager.writer
def preflights_discard(context, preflight_ids):
    """Delete preflights no conductor was asked to run (see
    :func:`jobs_discard`)."""
    (context.session.query(models.Preflight)
     .filter(models.Preflight.id.in_(list(preflight_ids)))
     .filter(models.Preflight.status == 'pending')
     .delete(synchronize_session=False))


@main_context_manager.reader
def preflight_get(context, ident):
    return _get(context, models.Preflight, ident,
                lambda: exception.PreflightNotFound(preflight=ident))


@main_context_manager.reader
def preflight_list(context, filters=None, limit=None, marker=None,
                   sort_key='id', sort_dir='desc'):
    return _list(context, models.Preflight, filters, limit, marker,
                 sort_key, sort_dir)


@main_context_manager.reader
def preflight_latest(context, vm_id, modes):
    """The newest completed preflight of a VM in each of ``modes``.

    :returns: ``{mode: Preflight}``; a mode never run is absent.
    """
    rows = (context.session.query(models.Preflight)
            .filter(models.Preflight.vm_id == vm_id)
            .filter(models.Preflight.mode.in_(list(modes)))
            .filter(models.Preflight.status == 'completed')
            .filter(models.Preflight.verdict.isnot(None))
            .order_by(models.Preflight.id.desc()))
    latest = {}
    for row in rows:
        latest.setdefault(row.mode, row)
        if len(latest) == len(modes):
            break
    return latest


@main_context_manager.writer
def preflight_update(context, preflight_id, values):
    """Update a preflight; a verdict is copied onto its VM for filtering."""
    values = dict(values)
    values['updated_at'] = timeutils.utcnow()
    count = (context.session.query(models.Preflight)
             .filter_by(id=preflight_id).update(values))
    if count != 1:
        raise exception.PreflightNotFound(preflight=preflight_id)
    preflight = (context.session.query(models.Preflight)
                 .filter_by(id=preflight_id).one())
    if values.get('verdict'):
        (context.session.query(models.Vm)
         .filter_by(id=preflight.vm_id)
         .update({'verdict': values['verdict']}))
    return preflight


# --- snapshots (the reaper's list) ---

@main_context_manager.writer
def snapshot_create(context, values):
    """Record a snapshot before the vSphere task that makes it starts."""
    _check_fence(context)
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values.setdefault('state', 'creating')
    snapshot = models.Snapshot(**values)
    context.session.add(snapshot)
    context.session.flush()
    return snapshot


@main_context_manager.writer
def snapshot_update(context, snapshot_id, values):
    _check_fence(context)
    values = dict(values)
    if values.get('state') == 'removed':
        values.setdefault('removed_at', timeutils.utcnow())
    count = (context.session.query(models.Snapshot)
             .filter_by(id=snapshot_id).update(values))
    if count != 1:
        raise exception.NotFound()
    return (context.session.query(models.Snapshot)
            .filter_by(id=snapshot_id).one())


@main_context_manager.reader
def snapshot_list(context, filters=None):
    """Snapshots XMS created, oldest first (no project scoping: the
    reaper is an operator tool)."""
    query = _apply_filters(context.session.query(models.Snapshot),
                           models.Snapshot, filters)
    return query.order_by(models.Snapshot.id).all()


def new_uuid():
    return str(uuid_lib.uuid4())


# --- inventory (vSphere discovery) ---

_VM_CHILDREN = (('disks', models.VmDisk), ('nics', models.VmNic))

# What a preflight verdict depends on and a rescan may change: the disks,
# the NICs, Changed Block Tracking (and the hardware version it needs),
# snapshots and whether the VM is still there. Power state is left out:
# it changes often and no check of either mode blocks on a running or
# stopped VM.
_FINGERPRINT_VM = ('missing', 'cbt_enabled', 'hardware_version',
                   'snapshot_count', 'consolidation_needed')
_FINGERPRINT_DISK = ('device_key', 'capacity_bytes', 'datastore',
                     'file_name', 'controller_type', 'disk_mode', 'sharing',
                     'is_rdm', 'backing_uuid')
_FINGERPRINT_NIC = ('device_key', 'network_name', 'network_moref',
                    'mac_address', 'adapter_type')


def vm_fingerprint(vm):
    """A digest of the inventory a preflight verdict of ``vm`` rests on.

    A preflight stores the fingerprint of the VM it assessed; the job gate
    accepts the verdict only while the VM still has that fingerprint, so
    a rescan that changes a disk, a NIC, CBT or snapshots invalidates it.
    """
    state = [[getattr(vm, f) for f in _FINGERPRINT_VM],
             sorted([getattr(d, f) for f in _FINGERPRINT_DISK]
                    for d in vm.disks),
             sorted([getattr(n, f) for f in _FINGERPRINT_NIC]
                    for n in vm.nics)]
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def _sync_children(vm, attr, model, records):
    """Update ``vm.<attr>`` in place from records keyed by device_key."""
    current = {row.device_key: row for row in getattr(vm, attr)}
    wanted = set()
    for record in records:
        key = record['device_key']
        wanted.add(key)
        row = current.get(key)
        if row is None:
            getattr(vm, attr).append(model(**record))
            continue
        for column, value in record.items():
            if getattr(row, column) != value:
                setattr(row, column, value)
    for key, row in current.items():
        if key not in wanted:
            getattr(vm, attr).remove(row)


def _invalidate_verdict(vm):
    """Forget the inventory filter's verdict of a VM that changed.

    The preflights keep theirs; the job gate ignores them by fingerprint.
    """
    vm.verdict = None


@main_context_manager.writer
def vm_inventory_sync(context, source, records, seen_at=None):
    """Store one discovery scan of a source in one transaction.

    VMs are matched by moref: a known VM is updated in place (its disks
    and NICs by device key), a new one is added, and every VM of the
    source the scan did not see is marked ``missing`` (never deleted: jobs
    and preflights may refer to it).

    :param source: the ``Source`` row scanned.
    :param records: dicts of ``vms`` columns with ``disks`` and ``nics``
        lists of ``vm_disks`` / ``vm_nics`` columns.
    :returns: ``{'vms', 'added', 'updated', 'missing'}`` counts.
    """
    seen_at = seen_at or timeutils.utcnow()
    existing = {vm.moref: vm for vm in
                context.session.query(models.Vm)
                .filter(models.Vm.source_id == source.id)}
    added = updated = 0
    seen = set()
    for record in records:
        record = dict(record)
        children = {attr: record.pop(attr, ()) for attr, _m in _VM_CHILDREN}
        moref = record['moref']
        seen.add(moref)
        vm = existing.get(moref)
        if vm is None:
            vm = models.Vm(uuid=uuidutils.generate_uuid(),
                           source_id=source.id,
                           project_id=source.project_id)
            context.session.add(vm)
            added += 1
        else:
            updated += 1
        before = vm_fingerprint(vm) if vm.id else None
        for column, value in record.items():
            if getattr(vm, column) != value:
                setattr(vm, column, value)
        vm.missing = False
        vm.last_seen_at = seen_at
        for attr, model in _VM_CHILDREN:
            _sync_children(vm, attr, model, children[attr])
        if before is not None and vm_fingerprint(vm) != before:
            _invalidate_verdict(vm)
    missing = 0
    for moref, vm in existing.items():
        if moref not in seen:
            if not vm.missing:
                _invalidate_verdict(vm)
            vm.missing = True
            missing += 1
    context.session.flush()
    return {'vms': len(seen), 'added': added, 'updated': updated,
            'missing': missing}


@main_context_manager.reader
def vm_get_by_moref(context, source_id, moref):
    """The VM of a source with vSphere id ``moref``."""
    vm = (context.session.query(models.Vm)
          .filter_by(source_id=source_id, moref=moref).first())
    if vm is None:
        raise exception.VmNotFound(vm=moref)
    return vm


# --- api ---

# Filters the API takes as UUIDs but the tables hold as integer keys.
_UUID_REFS = {'source_id': models.Source, 'vm_id': models.Vm,
              'job_id': models.Job}


def _resolve_uuid_refs(session, filters):
    resolved = {}
    for key, value in (filters or {}).items():
        ref = _UUID_REFS.get(key)
        if ref is not None and isinstance(value, str):
            value = (session.query(ref.id).filter(ref.uuid == value)
                     .scalar_subquery())
        resolved[key] = value
    return resolved


@main_context_manager.reader
def api_list(context, model, filters=None, limit=None, marker=None,
             sort_key='id', sort_dir='asc'):
    """A page of ``model`` rows for the REST API: :func:`_list`, where
    ``source_id``, ``vm_id`` and ``job_id`` filters may also be UUIDs."""
    return _list(context, model,
                 _resolve_uuid_refs(context.session, filters), limit,
                 marker, sort_key, sort_dir)


@main_context_manager.reader
def api_uuids(context, model, ids):
    """{id: uuid} of ``model`` rows (no scoping: the caller already
    holds rows that refer to them)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = (context.session.query(model.id, model.uuid)
            .filter(model.id.in_(ids)).all())
    return {row.id: row.uuid for row in rows}


@main_context_manager.reader
def api_vm_names(context, ids):
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = (context.session.query(models.Vm.id, models.Vm.name)
            .filter(models.Vm.id.in_(ids)).all())
    return {row.id: row.name for row in rows}


@main_context_manager.reader
def api_job_syncs(context, job_id):
    """Syncs of a job, oldest first."""
    return (context.session.query(models.Sync)
            .filter(models.Sync.job_id == job_id)
            .order_by(models.Sync.id).all())


@main_context_manager.writer
def source_reencrypt_passwords(context, rewrite):
    """Rewrite every stored source password with ``rewrite(token)`` in
    one transaction (key rotation).

    :returns: the number of sources rewritten.
    """
    count = 0
    for source in context.session.query(models.Source).all():
        source.password_encrypted = rewrite(source.password_encrypted)
        count += 1
    context.session.flush()
    return count


# --- orchestration (conductor and worker flows) ---

@main_context_manager.writer
def job_disk_update(context, job_id, device_key, values):
    """Update one disk row of a job.

    :returns: the updated ``JobDisk``.
    """
    _check_fence(context)
    count = (context.session.query(models.JobDisk)
             .filter_by(job_id=job_id, device_key=device_key)
             .update(dict(values), synchronize_session=False))
    if count != 1:
        raise exception.NotFound()
    return (context.session.query(models.JobDisk)
            .filter_by(job_id=job_id, device_key=device_key).one())


@main_context_manager.writer
def job_progress_update(context, job_id, disk_values):
    """Record per-disk progress and roll it up onto the job.

    :param disk_values: ``{device_key: {bytes_done, bytes_total,
        rate_bps}}``; the job's bytes, rate and ETA become the sums over
        its disks (ETA from the summed rate).
    """
    _check_fence(context)
    for device_key, values in disk_values.items():
        (context.session.query(models.JobDisk)
         .filter_by(job_id=job_id, device_key=device_key)
         .update(dict(values), synchronize_session=False))
    disks = (context.session.query(models.JobDisk)
             .filter_by(job_id=job_id).all())
    done = sum(d.bytes_done or 0 for d in disks)
    total = sum(d.bytes_total or 0 for d in disks)
    rate = sum(d.rate_bps or 0 for d in disks)
    eta = int((total - done) / rate) if rate and total > done else None
    (context.session.query(models.Job).filter_by(id=job_id)
     .update({'bytes_done': done, 'bytes_total': total, 'rate_bps': rate,
              'eta_seconds': eta}, synchronize_session=False))


@main_context_manager.writer
def sync_create(context, values):
    _check_fence(context)
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values.setdefault('status', 'running')
    values.setdefault('started_at', timeutils.utcnow())
    row = models.Sync(**values)
    context.session.add(row)
    context.session.flush()
    return row


@main_context_manager.writer
def sync_update(context, sync_id, values):
    _check_fence(context)
    count = (context.session.query(models.Sync).filter_by(id=sync_id)
             .update(dict(values), synchronize_session=False))
    if count != 1:
        raise exception.NotFound()
    return context.session.query(models.Sync).filter_by(id=sync_id).one()


@main_context_manager.reader
def sync_get(context, sync_id):
    row = context.session.query(models.Sync).filter_by(id=sync_id).first()
    if row is None:
        raise exception.NotFound()
    return row


@main_context_manager.reader
def job_list_due_syncs(context, now, limit=None):
    """Warm jobs idle in ``ready`` whose next sync is due, oldest first."""
    query = (context.session.query(models.Job)
             .filter(models.Job.state == states.READY)
             .filter(models.Job.active_flow.is_(None))
             .filter(models.Job.next_sync_at.isnot(None))
             .filter(models.Job.next_sync_at <= now)
             .order_by(models.Job.next_sync_at, models.Job.id))
    if limit:
        query = query.limit(limit)
    return query.all()


@main_context_manager.reader
def job_list_dispatch_due(context, now, lost_before, limit=None):
    """Jobs that should hold a flow and do not, due for a (re-)post.

    * ``cancelling`` without a flow: its cleanup was never posted, or
      the post failed; due at once, or at ``next_dispatch_at``.
    * ``queued`` without a flow: its start failed to post (due at
      ``next_dispatch_at``) or its start request never arrived (due once
      it has not changed since ``lost_before``).

    Oldest first.
    """
    job = models.Job
    no_retry_yet = job.next_dispatch_at.is_(None)
    due = job.next_dispatch_at <= now
    queued = sa.and_(
        job.state == states.QUEUED,
        sa.or_(due, sa.and_(
            no_retry_yet,
            sa.func.coalesce(job.updated_at, job.created_at)
            <= lost_before)))
    cancelling = sa.and_(job.state == states.CANCELLING,
                         sa.or_(no_retry_yet, due))
    query = (context.session.query(job)
             .filter(job.active_flow.is_(None))
             .filter(sa.or_(cancelling, queued))
             .order_by(job.id))
    if limit:
        query = query.limit(limit)
    return query.all()


@main_context_manager.reader
def job_count_active_flows(context):
    """Jobs holding (or waiting for) a worker slot with a flow."""
    return (context.session.query(models.Job)
            .filter(models.Job.active_flow.isnot(None)).count())

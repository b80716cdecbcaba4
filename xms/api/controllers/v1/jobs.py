"""``/v1/jobs``: migrations, one VM each; a request for several VMs makes
a wave of jobs sharing a ``wave_id``.

The gate: a job needs a Pass or Warn preflight of its VM in a mode that
covers the job (:data:`GATE_MODES`) and taken on the VM's current
inventory (its fingerprint, :func:`xms.db.api.vm_fingerprint`, so a rescan
that changed the VM invalidates it). An admin may override a Block with
``override_block`` and an ``override_reason``, both kept on the job and
in a warning event naming the admin. A VM has at most one active job,
which the database enforces (``jobs.active_vm_id``).

With Keystone authentication the API creates a trust from the user to the
XMS service user on the job's project, so workers can act there after the
user's token expires. A wave is all or nothing: every trust first, then
every job in one transaction, and only then the casts to the conductor;
on a failure the trusts made are deleted and nothing is created.
"""

from oslo_log import log as logging
from oslo_utils import uuidutils
import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import events as events_ctl
from xms.api.controllers.v1 import utils
from xms.api.schemas import jobs as schema
from xms.common import events
from xms.common import exception
from xms.common import keystone
from xms.common import policy
from xms.common import states
from xms.common.i18n import _
from xms.conductor import rpcapi
from xms.conf import CONF
from xms.db import api as db_api
from xms.db import models

LOG = logging.getLogger(__name__)

SUBMITTABLE = ('pass', 'warn')

# Preflight modes whose verdict admits a job of each type. A warm
# preflight runs every check a cold one runs, each at least as strictly
# (the CBT and independent-disk checks block only in warm mode; the power
# state check warns in both modes, never blocks), so it covers a cold job
# too; a cold preflight never checked what a warm job needs.
GATE_MODES = {states.COLD: (states.COLD, states.WARM),
              states.WARM: (states.WARM,)}


class PreflightGate(exception.Conflict):
    msg_fmt = _('VM %(vm)s cannot be submitted: %(reason)s')


def _percent(done, total):
    return round(100.0 * done / total, 1) if total else 0.0


def _lag(job):
    seconds = None
    if job.last_sync_at is not None:
        seconds = int((utils.utcnow() - job.last_sync_at).total_seconds())
    return {'last_sync_at': utils.isotime(job.last_sync_at),
            'next_sync_at': utils.isotime(job.next_sync_at),
            'seconds': seconds, 'pending_bytes': job.pending_bytes}


def job_view(job, refs, detail=False, syncs=()):
    view = {
        'uuid': job.uuid,
        'project_id': job.project_id,
        'user_id': job.user_id,
        'source_id': refs['sources'].get(job.source_id),
        'vm_id': refs['vms'].get(job.vm_id),
        'vm_name': job.vm_name or refs['names'].get(job.vm_id),
        'wave_id': job.wave_id,
        'type': job.type,
        'state': job.state,
        'phase': job.phase,
        'target': job.target_spec,
        'sync_interval': job.sync_interval,
        'shutdown_timeout': job.shutdown_timeout,
        'keep_target': bool(job.keep_target),
        'override_block': bool(job.override_block),
        'override_reason': job.override_reason,
        'progress': {
            'bytes_done': job.bytes_done or 0,
            'bytes_total': job.bytes_total or 0,
            'percent': _percent(job.bytes_done, job.bytes_total),
            'rate_bps': job.rate_bps,
            'eta_seconds': job.eta_seconds,
        },
        'lag': _lag(job),
        'incremental_syncs': job.incremental_syncs or 0,
        'error': job.error,
        'worker_host': job.worker_host,
        'target_resources': job.target_resources,
        'allowed_actions': states.allowed_actions(
            job.type, job.state, job.incremental_syncs or 0),
        'started_at': utils.isotime(job.started_at),
        'finished_at': utils.isotime(job.finished_at),
        'created_at': utils.isotime(job.created_at),
        'updated_at': utils.isotime(job.updated_at),
        'links': utils.link('jobs', job.uuid),
    }
    if detail:
        view['disks'] = [{
            'device_key': d.device_key, 'source_path': d.source_path,
            'capacity_bytes': d.capacity_bytes or 0,
            'volume_id': d.volume_id, 'volume_type': d.volume_type,
            'bytes_done': d.bytes_done or 0,
            'bytes_total': d.bytes_total or 0,
            'percent': _percent(d.bytes_done, d.bytes_total),
            'rate_bps': d.rate_bps,
            'source_digest': d.source_digest,
            'target_digest': d.target_digest} for d in job.disks]
        view['inspection'] = job.inspection or None
        view['inspection_converted'] = job.inspection_converted or None
        view['syncs'] = [{
            'uuid': s.uuid, 'kind': s.kind, 'status': s.status,
            'started_at': utils.isotime(s.started_at),
            'finished_at': utils.isotime(s.finished_at),
            'bytes_changed': s.bytes_changed,
            'bytes_copied': s.bytes_copied, 'error': s.error}
            for s in syncs]
    return view


def refs_for(ctx, jobs):
    vm_ids = [j.vm_id for j in jobs]
    return {'sources': db_api.api_uuids(ctx, models.Source,
                                        [j.source_id for j in jobs]),
            'vms': db_api.api_uuids(ctx, models.Vm, vm_ids),
            'names': db_api.api_vm_names(ctx, vm_ids)}


def _detail(ctx, job):
    return job_view(job, refs_for(ctx, [job]), detail=True,
                    syncs=db_api.api_job_syncs(ctx, job.id))


def _gate(ctx, vm, job_type, override):
    """Raise unless a current preflight lets ``vm`` get a ``job_type`` job.

    The newest completed preflight of each mode in ``GATE_MODES[job_type]``
    counts if it assessed the VM's current inventory; one Pass or Warn
    among them admits the job.

    :returns: the Block preflight an admin overrides, or None.
    :raises PreflightGate: naming the preflight to run.
    """
    modes = GATE_MODES[job_type]
    latest = db_api.preflight_latest(ctx, vm.id, (states.COLD, states.WARM))
    fingerprint = db_api.vm_fingerprint(vm)
    current = [p for mode, p in latest.items()
               if mode in modes and p.vm_fingerprint == fingerprint]
    if any(p.verdict in SUBMITTABLE for p in current):
        return None
    wanted = ' or '.join(modes)
    if current:
        if override:
            return current[0]
        raise PreflightGate(vm=vm.uuid, reason=_(
            'its %(mode)s preflight %(preflight)s gave Block; fix the '
            'blocking checks and run a %(wanted)s preflight of VM %(vm)s '
            'again') % {'mode': current[0].mode,
                        'preflight': current[0].uuid, 'wanted': wanted,
                        'vm': vm.name})
    stale = [p for mode, p in latest.items() if mode in modes]
    if stale and all(p.vm_fingerprint is None for p in stale):
        raise PreflightGate(vm=vm.uuid, reason=_(
            'its last %(wanted)s preflight predates the upgrade that made '
            'verdicts depend on the inventory; run a %(wanted)s preflight '
            'of VM %(vm)s again') % {'wanted': wanted, 'vm': vm.name})
    if stale:
        raise PreflightGate(vm=vm.uuid, reason=_(
            'its disks, NICs, CBT or snapshots changed since its last '
            '%(wanted)s preflight (a rescan); run a %(wanted)s preflight '
            'of VM %(vm)s again') % {'wanted': wanted, 'vm': vm.name})
    if latest:
        raise PreflightGate(vm=vm.uuid, reason=_(
            'a %(type)s migration needs a %(wanted)s preflight and the VM '
            'has only a %(other)s one; run a %(wanted)s preflight of VM '
            '%(vm)s first') % {'type': job_type, 'wanted': wanted,
                               'other': ', '.join(sorted(latest)),
                               'vm': vm.name})
    raise PreflightGate(vm=vm.uuid, reason=_(
        'it has no preflight verdict; run a %(wanted)s preflight of VM '
        '%(vm)s first') % {'wanted': wanted, 'vm': vm.name})


def _disks(vm, target):
    per_disk = (target or {}).get('disk_volume_types') or {}
    default = (target or {}).get('volume_type')
    return [{'device_key': d.device_key, 'source_path': d.file_name,
             'capacity_bytes': d.capacity_bytes or 0,
             'bytes_total': d.capacity_bytes or 0,
             'volume_type': per_disk.get(str(d.device_key), default)}
            for d in vm.disks]


def _get(ctx, job_id, action):
    job = db_api.job_get(ctx, job_id)
    policy.authorize('xms:jobs:%s' % action, ctx,
                     {'project_id': job.project_id})
    return job


def _job_values(ctx, vm, body, wave_id, trust_id, blocked):
    job_type = body['type']
    values = {
        'project_id': ctx.project_id, 'user_id': ctx.user_id,
        'trust_id': trust_id, 'source_id': vm.source_id, 'vm_id': vm.id,
        'vm_name': vm.name,
        'wave_id': wave_id, 'type': job_type,
        'target_spec': body.get('target') or {},
        'keep_target': body.get('keep_target', False),
        'override_block': blocked is not None,
        'override_reason': (body['override_reason'] if blocked is not None
                            else None),
        'bytes_total': sum(d.capacity_bytes or 0 for d in vm.disks),
    }
    if job_type == states.WARM:
        values['sync_interval'] = body.get('sync_interval',
                                           schema.DEFAULT_SYNC_INTERVAL)
        values['shutdown_timeout'] = body.get(
            'shutdown_timeout', schema.DEFAULT_SHUTDOWN_TIMEOUT)
    return values


def _delete_trusts(ctx, trust_ids):
    for trust_id in trust_ids:
        if trust_id:
            keystone.delete_trust(ctx, trust_id)


def _create_trusts(ctx, count):
    """One trust per job of a wave, all or none.

    :raises TrustError: after deleting the trusts already created.
    """
    if CONF.api.auth_strategy != 'keystone':
        return [None] * count
    trust_ids = []
    try:
        for _i in range(count):
            trust_ids.append(keystone.create_trust(ctx, ctx.project_id))
    except Exception:
        LOG.warning('Trust %d of %d of a wave failed; deleting the %d '
                    'created', len(trust_ids) + 1, count, len(trust_ids))
        _delete_trusts(ctx, trust_ids)
        raise
    return trust_ids


def _create_wave(ctx, vms, body, blocked):
    """Create the jobs of a wave atomically: trusts, then one transaction.

    :returns: ``(wave_id, jobs)``.
    :raises VmBusy: when a VM already has an active job.
    """
    busy = db_api.vm_active_job(ctx, [vm.id for vm in vms])
    if busy:
        raise exception.VmBusy(vm=busy[0], job=busy[1])
    wave_id = uuidutils.generate_uuid()
    trust_ids = _create_trusts(ctx, len(vms))
    specs = [(_job_values(ctx, vm, body, wave_id, trust_id, block),
              _disks(vm, body.get('target')))
             for vm, trust_id, block in zip(vms, trust_ids, blocked,
                                            strict=True)]
    try:
        jobs = db_api.jobs_create(ctx, specs)
    except Exception:
        _delete_trusts(ctx, trust_ids)
        raise
    for job, vm, block in zip(jobs, vms, blocked, strict=True):
        events.record(ctx, 'job', 'created', 'Job created (%s) for VM %s' % (
            job.type, vm.name), job=job)
        if block is not None:
            events.record(
                ctx, 'job', 'block_overridden',
                'Preflight verdict Block of VM %s overridden by user %s: %s'
                % (vm.name, ctx.user_id, job.override_reason), job=job,
                severity='warning',
                payload={'user_id': ctx.user_id,
                         'reason': job.override_reason,
                         'preflight_id': block.uuid})
        LOG.info('Job %s (%s) created for VM %s in project %s', job.uuid,
                 job.type, vm.uuid, job.project_id)
    return wave_id, jobs


def _start_wave(ctx, wave_id, jobs):
    """Cast each job of a new wave to a conductor.

    A cast fails when the message broker is unreachable; the jobs not
    cast yet are then deleted with their trusts, so the 503 the client
    gets leaves nothing half-done (no queued job that no conductor will
    ever start, no trust that nothing revokes).
    """
    started = 0
    try:
        for job in jobs:
            rpcapi.get_api().start_job(ctx, job.id)
            started += 1
    except Exception:
        rest_jobs = jobs[started:]
        LOG.warning('Wave %s: %d of %d jobs could not be sent to a '
                    'conductor; deleting them', wave_id, len(rest_jobs),
                    len(jobs))
        db_api.jobs_discard(ctx, [job.id for job in rest_jobs])
        _delete_trusts(ctx, [job.trust_id for job in rest_jobs])
        raise


class JobsController(rest.RestController):

    _custom_actions = {'sync': ['POST'], 'cutover': ['POST'],
                       'cancel': ['POST'], 'retry': ['POST']}

    events = events_ctl.JobEventsController()

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:jobs:list', ctx)
        page = utils.page_args(query)
        filters = {k: query[k] for k in ('state', 'type', 'vm_id',
                                         'source_id', 'wave_id')
                   if k in query}
        rows = db_api.api_list(ctx, models.Job, filters, **page)
        refs = refs_for(ctx, rows)
        return utils.collection('jobs', rows,
                                [job_view(r, refs) for r in rows], page,
                                'jobs')

    @pecan.expose('json')
    @validation.validated(path=('job_id',))
    def get_one(self, job_id, query):
        ctx = utils.context()
        return _detail(ctx, _get(ctx, job_id, 'get'))

    @pecan.expose('json')
    @validation.validated(body=schema.CREATE)
    def post(self, query, body):
        ctx = utils.context()
        policy.authorize('xms:jobs:create', ctx)
        if body['type'] == states.COLD:
            for field in ('sync_interval', 'shutdown_timeout'):
                if field in body:
                    raise validation.ValidationError(
                        field, _('applies to warm migrations only'))
        override = body.get('override_block', False)
        if override:
            policy.authorize('xms:jobs:override_block', ctx)
        vms = [db_api.vm_get(ctx, vm_id) for vm_id in body['vm_ids']]
        blocked = [_gate(ctx, vm, body['type'], override) for vm in vms]
        wave_id, jobs = _create_wave(ctx, vms, body, blocked)
        _start_wave(ctx, wave_id, jobs)
        utils.set_status(201)
        return {'wave_id': wave_id,
                'jobs': [_detail(ctx, job) for job in jobs]}

    @pecan.expose('json')
    @validation.validated(path=('job_id',))
    def delete(self, job_id, query):
        ctx = utils.context()
        job = _get(ctx, job_id, 'delete')
        states.check_action(states.DELETE, job.uuid, job.type, job.state)
        rpcapi.get_api().delete_job(ctx, job.id)
        utils.set_status(202)
        return {'uuid': job.uuid, 'action': states.DELETE,
                'state': job.state}

    def _action(self, job_id, action, **kwargs):
        ctx = utils.context()
        job = _get(ctx, job_id, action)
        states.check_action(action, job.uuid, job.type, job.state,
                            job.incremental_syncs or 0)
        getattr(rpcapi.get_api(), '%s_job' % action)(ctx, job.id, **kwargs)
        utils.set_status(202)
        return {'uuid': job.uuid, 'action': action, 'state': job.state}

    @pecan.expose('json')
    @validation.validated(path=('job_id',), body=validation.EMPTY_QUERY)
    def sync(self, job_id, query, body):
        return self._action(job_id, states.SYNC)

    @pecan.expose('json')
    @validation.validated(path=('job_id',), body=validation.EMPTY_QUERY)
    def cutover(self, job_id, query, body):
        return self._action(job_id, states.CUTOVER)

    @pecan.expose('json')
    @validation.validated(path=('job_id',), body=schema.CANCEL)
    def cancel(self, job_id, query, body):
        return self._action(job_id, states.CANCEL,
                            keep_target=body.get('keep_target', False))

    @pecan.expose('json')
    @validation.validated(path=('job_id',), body=validation.EMPTY_QUERY)
    def retry(self, job_id, query, body):
        return self._action(job_id, states.RETRY)

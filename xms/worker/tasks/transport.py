"""Tasks that move disk data: open a sync, copy, verify, close the sync.

The copy reads a snapshot's disks through nbdkit (VDDK or the
datastore's HTTPS path: :mod:`xms.worker.tasks.source_disk`) and libnbd,
and writes them at the same offsets into the attached target volumes
with :mod:`xms.transport.copier`.
After every durable window it stores the copier's checkpoint on the
disk's ``job_disks`` row, so a copy resumed by another worker (or by a
retry) restarts from there instead of from byte zero. Progress goes to
``job_disks`` and ``jobs`` about once a second.
"""

import contextlib
import os
import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils

from xms.common import exception
from xms.common import states
from xms.common.i18n import _
from xms.conf import CONF
from xms.db import api as db_api
from xms.sources import exception as source_exc
from xms.transport import copier as copier_mod
from xms.transport import extents
from xms.transport import hashing
from xms.transport import writer as writer_mod
from xms.worker.tasks import base
from xms.worker.tasks import source as source_tasks
from xms.worker.tasks import source_disk

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024

# Kinds of sync (``syncs.kind``).
FULL = 'full'
INCREMENTAL = 'incremental'
PRE_CUTOVER = 'pre_cutover'
FINAL = 'final'
EXPORT = 'export'


def _chunk():
    return CONF.transport.chunk_size_mib * MiB


def _digest_block():
    return CONF.transport.digest_block_kib * 1024


class StartSync(base.JobTask):
    """Open a ``syncs`` row for this flow's copy.

    :param kind: ``export`` (cold), ``full``, ``incremental``,
        ``pre_cutover`` or ``final``.
    :returns: the sync row id (persisted, so a resumed flow reuses it).
    """

    def __init__(self, kind, **kwargs):
        kwargs.setdefault('name', 'StartSync-%s' % kind)
        kwargs.setdefault('provides', 'sync_%s' % kind)
        super().__init__(**kwargs)
        self.kind = kind

    def execute(self, job_id):
        job = base.get_job(job_id)
        base.check_cancel(job)
        row = db_api.sync_create(base.admin_context(job_id),
                                 {'job_id': job.id, 'kind': self.kind})
        # The job's progress is that of its current copy from now on.
        db_api.job_update(base.admin_context(job.id), job.id, {
            'bytes_done': 0, 'bytes_total': 0, 'rate_bps': None,
            'eta_seconds': None})
        base.record(job, 'sync_started', _('%s sync started') % self.kind,
                    sync=row.uuid, kind=self.kind)
        return row.id

    def revert(self, job_id, result=None, *args, **kwargs):
        if not isinstance(result, int):
            return
        try:
            db_api.sync_update(base.admin_context(job_id), result, {
                'status': 'failed', 'finished_at': timeutils.utcnow(),
                'error': base.failure_message(kwargs.get('flow_failures'))})
        except Exception:  # noqa: BLE001 - reverts never raise
            LOG.exception('Job %s: could not close sync %s', job_id, result)


def fencing_lost(job):
    """Whether another worker claimed the job's flow since this one."""
    try:
        base.check_fenced(job)
    except exception.FencedOut:
        return True
    return False


class _Progress:
    """Copier callbacks bound to one job: progress, checkpoints, cancel."""

    def __init__(self, job, sync_id, disks):
        self.job = job
        self.sync_id = sync_id
        self.disks = disks          # name -> (device_key, plan, extra)
        self.lock = threading.Lock()
        self.last_check = 0.0
        self.cancelled = False

    def progress(self, p):
        key = self.disks[p.disk][0]
        db_api.job_progress_update(
            base.admin_context(self.job.id), self.job.id,
            {key: {'bytes_done': p.done, 'bytes_total': p.total,
                   'rate_bps': int(p.rate or 0)}})

    def checkpoint(self, ck):
        key, plan, extra = self.disks[ck.disk]
        value = dict(extra, sync_id=self.sync_id, plan_id=ck.plan_id,
                     next_chunk=ck.next_chunk,
                     digest_state=ck.digest_state, bytes_done=ck.bytes_done,
                     done=False)
        db_api.job_disk_update(base.admin_context(self.job.id), self.job.id,
                               key, {'checkpoint': value,
                                     'bytes_done': ck.bytes_done})

    def cancel_check(self):
        with self.lock:
            now = time.monotonic()
            if not self.cancelled and now - self.last_check >= 1.0:
                self.last_check = now
                job = base.get_job(self.job.id)
                # A flow another worker claimed stops as a cancelled
                # one does; CopyDisks then raises FencedOut.
                self.cancelled = (job.state == states.CANCELLING
                                  or fencing_lost(job))
            return self.cancelled


class CopyDisks(base.JobTask):
    """Copy the job's disks from a snapshot into the target volumes.

    :param kind: the sync kind; ``export`` and ``full`` copy every
        allocated block, the others the areas changed since each disk's
        ``last_change_id`` (a reset change id falls back to a full copy of
        that disk, with a warning event).
    :param purpose: which snapshot to read (``snapshot_<purpose>``).
    """

    def __init__(self, kind, purpose, **kwargs):
        kwargs.setdefault('name', 'CopyDisks-%s' % kind)
        kwargs.setdefault('rebind', {'snapshot': 'snapshot_%s' % purpose,
                                     'sync_id': 'sync_%s' % kind})
        super().__init__(**kwargs)
        self.kind = kind

    def _plan(self, job, disk, snapshot, size, reader):
        if self.kind in (EXPORT, FULL) or not disk.last_change_id:
            return self._full_plan(job, disk, reader, size,
                                   snapshot), FULL
        driver, source, moref = source_tasks.source_of(job)
        try:
            changed = driver.query_changed_areas(
                base.job_context(job), source, moref, snapshot['moref'],
                disk.device_key, disk.last_change_id)
        except source_exc.ChangeIdReset as exc:
            base.record(job, 'change_id_reset',
                        _('%s Copying disk %s in full.') % (
                            exc, disk.device_key),
                        severity='warning', device_key=disk.device_key)
            return self._full_plan(job, disk, reader, size, snapshot,
                                   zeroed=False), FULL
        plan = extents.plan_incremental(
            size, changed, chunk_size=_chunk(),
            align=CONF.transport.incremental_align_kib * 1024,
            digest_block=_digest_block())
        return plan, INCREMENTAL

    def _reusable(self, ck, plan, sync_id):
        """Whether a disk's checkpoint may be continued by this copy.

        Only a checkpoint of the same plan (its id digests every
        operation, so the bytes before it are exactly those this plan
        would write again), of the same kind of sync, taken by this sync
        or by one that never completed (a retry after a failure). A
        completed sync's checkpoint never is: an identical plan there
        means the guest rewrote the same areas since.
        """
        if (ck.get('plan_id') != plan.plan_id
                or ck.get('kind') != self.kind or not ck.get('sync_id')):
            return False
        if ck['sync_id'] == sync_id:
            return True
        try:
            previous = db_api.sync_get(base.admin_context(), ck['sync_id'])
        except Exception:  # noqa: BLE001 - unknown sync: start afresh
            return False
        return previous.status != 'completed'

    @staticmethod
    def _change_id(job, snapshot, disk):
        driver, source, moref = source_tasks.source_of(job)
        ids = driver.get_change_ids(base.job_context(job), source, moref,
                                    snapshot['moref']) or {}
        return ids.get(disk.device_key, ids.get(str(disk.device_key)))

    def _full_plan(self, job, disk, reader, size, snapshot, zeroed=None):
        if zeroed is None:
            zeroed = (CONF.transport.target_zeroed
                      and not disk.last_change_id)
        allocation = (list(reader.extents()) if reader.has_allocation
                      else None)
        if not allocation or not any(e.zero for e in allocation):
            # No hole at all: either the disk is full or, far more often,
            # the server cannot tell (nbdkit answers "all data" for
            # plugins without extents, such as curl). Ask CBT.
            allocation = self._cbt_allocation(
                job, disk, snapshot, size) or allocation
        return extents.plan_full(size, allocation, chunk_size=_chunk(),
                                 target_zeroed=zeroed,
                                 digest_block=_digest_block())

    @staticmethod
    def _cbt_allocation(job, disk, snapshot, size):
        """Allocated areas from vSphere CBT, or None to read everything.

        The datastore HTTPS path (nbdkit curl) cannot tell holes from
        data, so without this a full copy reads the whole virtual disk:
        for a thin disk a quarter full, four times the bytes. vSphere
        answers ``QueryChangedDiskAreas(changeId="*")`` with the allocated
        areas of the snapshot's disk when CBT was active as it was taken.
        """
        if not CONF.transport.cbt_allocation_map:
            return None
        driver, source, moref = source_tasks.source_of(job)
        try:
            areas = driver.query_changed_areas(
                base.job_context(job), source, moref, snapshot['moref'],
                disk.device_key, '*')
        except Exception as exc:  # noqa: BLE001 - reading all is correct
            LOG.info('Job %s: no allocation map for disk %s from CBT (%s); '
                     'reading the whole disk', job.uuid, disk.device_key,
                     exc)
            return None
        allocation = extents.extents_from_areas(size, areas)
        LOG.info('Job %s: CBT reports %d of %d bytes of disk %s allocated',
                 job.uuid, sum(e.length for e in allocation if not e.zero),
                 size, disk.device_key)
        return allocation

    def execute(self, job_id, snapshot, sync_id, target_paths):
        job = base.get_job(job_id)
        base.check_cancel(job)
        disks = [d for d in job.disks]
        results = {}
        copied = changed = 0
        with contextlib.ExitStack() as stack:
            disk_jobs = []
            names = {}
            for disk in disks:
                ck = disk.checkpoint or {}
                if ck.get('sync_id') == sync_id and ck.get('done'):
                    LOG.info('Job %s: disk %s already copied in this sync',
                             job.uuid, disk.device_key)
                    continue
                reader = stack.enter_context(source_disk.open_source_disk(
                    job, snapshot['moref'], disk.device_key))
                size = reader.size
                plan, mode = self._plan(job, disk, snapshot, size, reader)
                resume = None
                if self._reusable(ck, plan, sync_id):
                    if ck.get('done'):
                        # A failed run of this flow (retried now)
                        # copied the whole plan: the data is there.
                        db_api.job_disk_update(
                            base.admin_context(job.id), job.id,
                            disk.device_key,
                            {'checkpoint': dict(ck, sync_id=sync_id)})
                        base.record(job, 'copy_kept',
                                    _('Disk %s was copied by an earlier '
                                      'run; its data is kept') %
                                    disk.device_key,
                                    device_key=disk.device_key)
                        continue
                    resume = copier_mod.Checkpoint(
                        'disk-%s' % disk.device_key, ck['plan_id'],
                        ck['next_chunk'], ck.get('digest_state'),
                        ck.get('bytes_done', 0))
                    base.record(job, 'copy_resumed',
                                _('Copy of disk %(disk)s resumes at byte '
                                  '%(at)s of %(total)s') % {
                                      'disk': disk.device_key,
                                      'at': resume.bytes_done,
                                      'total': plan.copy_bytes
                                      + plan.zero_bytes},
                                device_key=disk.device_key,
                                resumed_bytes=resume.bytes_done,
                                plan_bytes=plan.copy_bytes
                                + plan.zero_bytes)
                writer = stack.enter_context(writer_mod.Writer.from_conf(
                    target_paths[str(disk.device_key)], CONF, size=size))
                name = 'disk-%s' % disk.device_key
                extra = {'mode': mode, 'kind': self.kind}
                if self.kind != EXPORT:
                    # The change id the copied data is consistent with:
                    # that of the snapshot the copy started from, even
                    # when a resumed copy reads a newer one, so the next
                    # sync asks for every change since then.
                    extra['change_id'] = (
                        ck.get('change_id') if resume is not None
                        else self._change_id(job, snapshot, disk))
                names[name] = (disk.device_key, plan, extra)
                db_api.job_disk_update(
                    base.admin_context(job.id), job.id, disk.device_key,
                    {'bytes_total': plan.copy_bytes + plan.zero_bytes,
                     'bytes_done': resume.bytes_done if resume else 0})
                disk_jobs.append(copier_mod.DiskJob(name, reader, writer,
                                                    plan, resume))
                changed += plan.copy_bytes + plan.zero_bytes
            # Progress from now on is this copy's: start it at the
            # resume points (or zero) of what is left to copy.
            db_api.job_progress_update(base.admin_context(job.id), job.id, {})
            cbs = _Progress(job, sync_id, names)
            copier = copier_mod.Copier.from_conf(
                CONF, progress_cb=cbs.progress,
                checkpoint_cb=cbs.checkpoint,
                cancel_check=cbs.cancel_check, progress_interval=1.0)
            try:
                outcome = copier.copy(disk_jobs)
            except Exception:
                base.check_cancel(base.get_job(job.id))
                raise
        for res in outcome:
            key, plan, extra = names[res['disk']]
            values = {'checkpoint': dict(
                extra, sync_id=sync_id, plan_id=plan.plan_id,
                next_chunk=len(plan.ops), done=True,
                digest=res['digest'],
                bytes_done=plan.copy_bytes + plan.zero_bytes),
                'bytes_done': plan.copy_bytes + plan.zero_bytes,
                'rate_bps': None}
            # A full plan's digest covers the whole disk: it is the
            # source digest verification compares the target with.
            values['source_digest'] = (res['digest']
                                       if extra['mode'] == FULL else None)
            values['target_digest'] = None
            db_api.job_disk_update(base.admin_context(job.id), job.id, key,
                                   values)
            copied += res['bytes_read']
            results[str(key)] = {'bytes_read': res['bytes_read'],
                                 'seconds': round(res['seconds'], 3),
                                 'start_chunk': res['start_chunk'],
                                 'mode': extra['mode']}
            base.record(job, 'disk_copied',
                        _('Disk %(disk)s: %(n)s bytes read in %(s).1f s '
                          '(%(mode)s)') % {'disk': key,
                                           'n': res['bytes_read'],
                                           's': res['seconds'],
                                           'mode': extra['mode']},
                        device_key=key, **results[str(key)])
        row = db_api.sync_get(base.admin_context(), sync_id)
        db_api.sync_update(base.admin_context(job.id), sync_id, {
            'bytes_copied': (row.bytes_copied or 0) + copied,
            'bytes_changed': (row.bytes_changed or 0) + changed})
        db_api.job_progress_update(base.admin_context(job.id), job.id, {})
        return results


class VerifyDisks(base.JobTask):
    """Compare every target disk with the snapshot it was copied from.

    The source digest comes from the copy when the last copy of a disk
    was a full one (its digest covers the whole disk); otherwise the
    snapshot is read again. Both digests are stored on ``job_disks``.

    :raises DigestMismatch: naming the first differing range.
    """

    def __init__(self, purpose, **kwargs):
        kwargs.setdefault('name', 'VerifyDisks-%s' % purpose)
        kwargs.setdefault('rebind', {'snapshot': 'snapshot_%s' % purpose})
        super().__init__(**kwargs)

    def execute(self, job_id, snapshot, target_paths):
        job = base.get_job(job_id)
        base.check_cancel(job)
        out = {}
        for disk in job.disks:
            path = target_paths[str(disk.device_key)]
            size = os.path.getsize(path) if not disk.capacity_bytes \
                else disk.capacity_bytes
            plan = extents.plan_full(size, None, chunk_size=_chunk(),
                                     digest_block=_digest_block())
            expected = disk.source_digest
            if not expected:
                with source_disk.open_source_disk(
                        job, snapshot['moref'], disk.device_key) as reader:
                    plan = extents.plan_full(reader.size, None,
                                             chunk_size=_chunk(),
                                             digest_block=_digest_block())
                    expected = hashing.digest(reader.pread, plan)
            read, close = hashing.file_reader(path)
            try:
                actual = hashing.verify(read, plan, expected,
                                        disk='disk-%s' % disk.device_key)
            finally:
                close()
            db_api.job_disk_update(base.admin_context(job.id), job.id,
                                   disk.device_key,
                                   {'source_digest': expected,
                                    'target_digest': actual})
            out[str(disk.device_key)] = actual
        base.record(job, 'verified',
                    _('Every target disk matches the source (%d disk(s))')
                    % len(out), digests=out)
        return out


class EndSync(base.JobTask):
    """Close the sync: change ids, counters, lag.

    :param record_change_ids: store each disk's change id of the
        snapshot as the base of the next incremental sync (warm only).
    """

    def __init__(self, kind, purpose, record_change_ids=True, **kwargs):
        kwargs.setdefault('name', 'EndSync-%s' % kind)
        kwargs.setdefault('rebind', {'snapshot': 'snapshot_%s' % purpose,
                                     'sync_id': 'sync_%s' % kind})
        super().__init__(**kwargs)
        self.kind = kind
        self.record_change_ids = record_change_ids

    def execute(self, job_id, snapshot, sync_id):
        ctx = base.admin_context(job_id)
        job = base.get_job(job_id)
        change_ids = {}
        if self.record_change_ids:
            driver, source, moref = source_tasks.source_of(job)
            ids = driver.get_change_ids(base.job_context(job), source, moref,
                                        snapshot['moref']) or {}
            for disk in job.disks:
                ck = disk.checkpoint or {}
                cid = (ck.get('change_id') if ck.get('sync_id') == sync_id
                       else None)
                cid = cid or ids.get(disk.device_key,
                                     ids.get(str(disk.device_key)))
                if cid:
                    db_api.job_disk_update(ctx, job.id, disk.device_key,
                                           {'last_change_id': cid})
                    change_ids[str(disk.device_key)] = cid
        now = timeutils.utcnow()
        row = db_api.sync_update(ctx, sync_id, {
            'status': 'completed', 'finished_at': now,
            'change_ids': change_ids or None})
        values = {'last_sync_at': now, 'pending_bytes': 0,
                  'rate_bps': None, 'eta_seconds': None}
        if self.kind == INCREMENTAL:
            values['incremental_syncs'] = (job.incremental_syncs or 0) + 1
        db_api.job_update(ctx, job.id, values)
        seconds = (now - row.started_at).total_seconds()
        base.record(job, 'sync_finished',
                    _('%(kind)s sync finished: %(n)s bytes copied in '
                      '%(s).1f s') % {'kind': self.kind,
                                      'n': row.bytes_copied or 0,
                                      's': seconds},
                    sync=row.uuid, kind=self.kind,
                    bytes_copied=row.bytes_copied or 0,
                    bytes_changed=row.bytes_changed or 0,
                    seconds=round(seconds, 3))
        return row.uuid

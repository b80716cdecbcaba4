"""The vSphere source driver: the operations XMS runs against a source.

Each public method takes the request context and a ``Source`` row, gets
the source's cached session (:mod:`xms.sources.vsphere.client`) and runs
its work through ``Session.call`` so that an expired session is renewed
transparently. The modules next to this one own the details: inventory,
snapshots, cbt and power.
"""

import urllib.parse

from oslo_log import log as logging
from oslo_utils import timeutils
from pyVmomi import vim
from pyVmomi import vmodl

from xms.common import events
from xms.common import exception as xms_exc
from xms.db import api as db_api
from xms.sources import base
from xms.sources import exception
from xms.sources.vsphere import cbt
from xms.sources.vsphere import client
from xms.sources.vsphere import inventory
from xms.sources.vsphere import power
from xms.sources.vsphere import snapshots

LOG = logging.getLogger(__name__)

API_TYPES = {'VirtualCenter': 'vcenter', 'HostAgent': 'esxi'}

CONNECTED = 'connected'
DISCONNECTED = 'disconnected'
ERROR = 'error'


def _status_for(exc):
    if isinstance(exc, exception.SourceUnreachable):
        return DISCONNECTED
    return ERROR


class VSphereDriver(base.SourceDriver):
    """Source driver for VMware vCenter and standalone ESXi."""

    # -- helpers ---------------------------------------------------------

    @staticmethod
    def _tls_refused(context, source, exc):
        """Record a refused certificate as a warning event of the source.

        The event names both thumbprints so that an operator can tell a
        replaced certificate (update the pin) from an interception.
        """
        if not isinstance(exc, exception.SourceThumbprintMismatch):
            return
        try:
            events.record(
                context, 'source', 'tls_pin_mismatch', str(exc),
                resource_uuid=source.uuid, severity='warning',
                project_id=source.project_id,
                payload={'host': source.host, 'port': source.port,
                         'expected_thumbprint': exc.kwargs['expected'],
                         'actual_thumbprint': exc.kwargs['actual']})
        except Exception:  # noqa: BLE001 - an event never fails the work
            LOG.warning('Could not record the TLS refusal of source %s',
                        source.uuid, exc_info=True)

    @staticmethod
    def _set_status(context, source, status, reason=None, **values):
        values.update({'status': status, 'status_reason': reason,
                       'status_checked_at': timeutils.utcnow()})
        try:
            db_api.source_update(context, source.id, values)
        except xms_exc.NotFound:
            LOG.warning('Source %s vanished while updating its status',
                        source.uuid)

    def _run(self, context, source, func, *args, **kwargs):
        """Run ``func(session, ...)`` on the source's cached session.

        A source that cannot be reached or refuses our credentials gets
        its status updated, so every use refreshes it.
        """
        session = client.get_session(source)
        try:
            return session.call(func, *args, **kwargs)
        except (exception.SourceUnreachable,
                exception.SourceAuthenticationFailed,
                exception.SourceThumbprintMismatch,
                exception.SourceTLSError) as exc:
            self._set_status(context, source, _status_for(exc), str(exc))
            self._tls_refused(context, source, exc)
            raise
        except vmodl.fault.ManagedObjectNotFound as exc:
            obj = getattr(exc, 'obj', None)
            raise exception.SourceVmNotFound(
                vm=obj._moId if obj is not None else '?',
                source=source.uuid)

    # -- connection and discovery ---------------------------------------

    def test_connection(self, context, source):
        """Open a fresh session, read ``about``, check the datacenter.

        A fresh (uncached) session proves the stored credential works
        now; it is closed before returning.
        """
        session = client.Session(source)
        try:
            session.open()
            about = session.about()
            session.find_datacenter()
        except exception.SourceError as exc:
            self._set_status(context, source, _status_for(exc), str(exc))
            self._tls_refused(context, source, exc)
            raise
        finally:
            session.close()
        result = {
            'product_name': about.fullName or about.name,
            'version': about.version,
            'build': about.build,
            'api_type': API_TYPES.get(about.apiType, about.apiType),
        }
        self._set_status(context, source, CONNECTED, None,
                         product_name=result['product_name'],
                         product_version=result['version'],
                         product_build=result['build'],
                         api_type=result['api_type'])
        LOG.info('Source %s is %s %s build %s (%s)', source.uuid,
                 result['product_name'], result['version'], result['build'],
                 result['api_type'])
        return result

    def discover(self, context, source):
        db_api.source_update(context, source.id, {
            'discovery_status': 'running',
            'discovery_started_at': timeutils.utcnow(),
            'discovery_finished_at': None,
            'discovery_error': None})
        try:
            records = self._run(context, source,
                                lambda s: inventory.read_vms(
                                    s, source.datacenter))
            summary = db_api.vm_inventory_sync(context, source, records)
        except Exception as exc:
            db_api.source_update(context, source.id, {
                'discovery_status': 'failed',
                'discovery_finished_at': timeutils.utcnow(),
                'discovery_error': str(exc)})
            LOG.warning('Discovery of source %s failed: %s', source.uuid,
                        exc)
            raise
        db_api.source_update(context, source.id, {
            'discovery_status': 'completed',
            'discovery_finished_at': timeutils.utcnow(),
            'status': CONNECTED, 'status_reason': None,
            'status_checked_at': timeutils.utcnow()})
        LOG.info('Discovered source %s: %s', source.uuid, summary)
        return summary

    # -- snapshots -------------------------------------------------------

    def create_snapshot(self, context, source, vm_moref, job_id, purpose,
                        quiesce=False):
        """Record (``snapshots`` row) then take a snapshot for a job.

        :param job_id: the job's id or uuid (None: no job).
        :returns: the ``Snapshot`` row (``snapshot_moref`` set).
        """
        job = db_api.job_get(context, job_id) if job_id is not None else None
        return self._run(context, source, lambda s: snapshots.create(
            s, context, vm_moref, job, purpose, quiesce=quiesce))

    def _snapshot_row(self, context, snapshot):
        if hasattr(snapshot, 'vm_moref'):
            return snapshot
        key = 'uuid' if isinstance(snapshot, str) and '-' in snapshot \
            else 'id'
        rows = db_api.snapshot_list(context, filters={key: snapshot})
        if not rows:
            raise exception.SourceSnapshotNotFound(
                snapshot=snapshot, vm='?', source='?')
        return rows[0]

    def remove_snapshot(self, context, source, snapshot):
        """Remove a snapshot XMS took.

        :param snapshot: its ``Snapshot`` row, or the row's id or uuid.
        """
        row = self._snapshot_row(context, snapshot)
        return self._run(context, source,
                         lambda s: snapshots.remove(s, context, row))

    def reap_snapshots(self, context):
        """Remove leaked snapshots on every source.

        Two kinds: rows not removed whose job is finished or gone, and
        snapshots named with our prefix on any VM that no live row knows.
        A source that cannot be reached is skipped (and counted).
        """
        summary = {'removed': 0, 'unknown_removed': 0, 'errors': 0,
                   'sources_skipped': 0}
        orphans = snapshots.orphan_rows(context)
        live = db_api.snapshot_list(
            context, filters={'state': list(snapshots.LIVE_STATES)})
        orphan_ids = {row.id for row in orphans}
        # Names are unique (job uuid + purpose), and two sources may be
        # the same vCenter: a snapshot any source knows is not leaked.
        known = {row.name for row in live if row.id not in orphan_ids}
        sources = {s.id: s for s in db_api.source_list(context)}
        for row in orphans:
            source = sources.get(row.source_id)
            if source is None:
                continue
            try:
                self.remove_snapshot(context, source, row)
                summary['removed'] += 1
                _reaped_event(context, source, row.name, row.vm_moref,
                              row.job_id)
            except Exception as exc:  # noqa: BLE001 - keep reaping others
                summary['errors'] += 1
                LOG.warning('Could not remove leaked snapshot %s of VM %s '
                            'on source %s: %s', row.name, row.vm_moref,
                            source.uuid, exc)
        for source in sources.values():
            if source.type != 'vmware':
                continue
            self._reap_unknown(context, source, known, summary)
        return summary

    def _reap_unknown(self, context, source, known, summary):
        try:
            found = self._run(context, source,
                              lambda s: snapshots.unknown_snapshots(
                                  s, known, source.datacenter))
        except Exception as exc:  # noqa: BLE001 - keep reaping others
            summary['sources_skipped'] += 1
            LOG.warning('Skipping source %s in the snapshot reaper: %s',
                        source.uuid, exc)
            return
        for vm_moref, snap_moref, name in found:
            try:
                self._run(context, source, snapshots.remove_by_moref,
                          vm_moref, snap_moref)
                summary['unknown_removed'] += 1
                _reaped_event(context, source, name, vm_moref, None)
                LOG.info('Removed unrecorded XMS snapshot %s of VM %s on '
                         'source %s', name, vm_moref, source.uuid)
            except Exception as exc:  # noqa: BLE001
                summary['errors'] += 1
                LOG.warning('Could not remove snapshot %s of VM %s on '
                            'source %s: %s', name, vm_moref, source.uuid,
                            exc)

    # -- changed block tracking ------------------------------------------

    def enable_cbt(self, context, source, vm_moref):
        """Enable CBT with the stun snapshot vSphere requires.

        :returns: True when CBT was turned on, False if it already was.
        :raises CBTNotAvailable: for hardware older than version 7.
        """
        def _enable(session):
            vm = session.vm(vm_moref)

            def stun():
                row = snapshots.create(session, context, vm_moref, None,
                                       snapshots.STUN)
                snapshots.remove(session, context, row)

            return cbt.enable(session, vm, stun)

        return self._run(context, source, _enable)

    def get_change_ids(self, context, source, vm_moref, snapshot_moref):
        return self._run(context, source, lambda s: cbt.change_ids(
            s, vim.vm.Snapshot(snapshot_moref, s.si._stub)))

    def query_changed_areas(self, context, source, vm_moref,
                            snapshot_moref, device_key, change_id):
        def _query(session):
            return cbt.changed_areas(
                session, session.vm(vm_moref),
                vim.vm.Snapshot(snapshot_moref, session.si._stub),
                device_key, change_id)

        return self._run(context, source, _query)

    # -- power -----------------------------------------------------------

    def power_off(self, context, source, vm_moref, timeout=None):
        return self._run(context, source, lambda s: power.power_off(
            s, s.vm(vm_moref), timeout))

    def power_on(self, context, source, vm_moref):
        return self._run(context, source,
                         lambda s: power.power_on(s, s.vm(vm_moref)))

    def power_state(self, context, source, vm_moref):
        return self._run(context, source,
                         lambda s: power.state(s, s.vm(vm_moref)))

    # -- data path -------------------------------------------------------

    def disk_url(self, context, source, vm_moref, snapshot_moref,
                 device_key):
        """The HTTPS datastore URL of a disk of a snapshot.

        vSphere serves datastore files on ``/folder/<path>?dcPath=&dsName=``
        to a logged-in session; nbdkit's curl plugin reads the disk's flat
        extent there with the session cookie.

        :returns: ``{url, cookie, certificate, file_name,
            capacity_bytes, datastore}``; ``cookie`` is a ``Cookie``
            header value (a secret: never log it); ``certificate`` is the
            PEM the session's own connection accepted (by CA or pin), for
            the data path to trust exactly that server.
        """
        def _url(session):
            snapshot = vim.vm.Snapshot(snapshot_moref, session.si._stub)
            disk = cbt.snapshot_disks(session, snapshot).get(device_key)
            if disk is None:
                raise exception.DiskNotFound(vm=vm_moref, disk=device_key)
            file_name = disk.backing.fileName
            ds_name, path = inventory.split_datastore_path(file_name)
            if path.endswith('.vmdk') and not path.endswith('-flat.vmdk'):
                path = path[:-len('.vmdk')] + '-flat.vmdk'
            dc_path = _datacenter_path(session, session.vm(vm_moref))
            query = urllib.parse.urlencode({'dcPath': dc_path,
                                            'dsName': ds_name})
            host = source.host
            if ':' in host and not host.startswith('['):
                host = '[%s]' % host
            url = 'https://%s:%d/folder/%s?%s' % (
                host, source.port or 443, urllib.parse.quote(path), query)
            return {'url': url,
                    'cookie': _cookie_value(session.cookie()),
                    'certificate': session.peer_certificate(),
                    'file_name': file_name,
                    'datastore': ds_name,
                    'capacity_bytes': inventory.disk_capacity(disk)}

        return self._run(context, source, _url)


def _reaped_event(context, source, name, vm_moref, job_id):
    """Record that the reaper removed a snapshot (never fails)."""
    try:
        job = None
        if job_id is not None:
            try:
                job = db_api.job_get(context, job_id)
            except xms_exc.NotFound:
                job = None
        events.record(
            context, 'job' if job is not None else 'source',
            'snapshot_removed',
            'Leaked snapshot %s of VM %s removed by the snapshot reaper'
            % (name, vm_moref), resource_uuid=source.uuid, job=job,
            severity='warning', project_id=source.project_id,
            payload={'snapshot': name, 'vm_moref': vm_moref,
                     'source': source.uuid})
    except Exception:  # noqa: BLE001 - an event never fails the work
        LOG.warning('Could not record the removal of snapshot %s', name,
                    exc_info=True)


def _cookie_value(set_cookie):
    """``vmware_soap_session="x"; Path=/; ...`` -> ``vmware_soap_session="x"``.
    """
    if not set_cookie:
        return None
    return set_cookie.split(';', 1)[0].strip()


def _datacenter_path(session, vm):
    """Inventory path of the VM's datacenter (``dcPath`` of /folder)."""
    obj = session.prop(vm, 'parent') or session.prop(vm, 'parentVApp')
    datacenter = None
    while obj is not None:
        if isinstance(obj, vim.Datacenter):
            datacenter = obj
            break
        obj = session.prop(obj, 'parent')
    if datacenter is None:
        return 'ha-datacenter'
    parts = []
    obj = datacenter
    root = session.content.rootFolder._moId
    while obj is not None and obj._moId != root:
        parts.append(session.prop(obj, 'name'))
        obj = session.prop(obj, 'parent')
    return '/'.join(reversed(parts))

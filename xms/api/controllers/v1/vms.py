"""``/v1/vms``: the inventory that discovery found (read-only)."""

import pecan
from pecan import rest

from xms.api import validation
from xms.api.controllers.v1 import utils
from xms.api.schemas import vms as schema
from xms.common import policy
from xms.db import api as db_api
from xms.db import models

_DISK_FIELDS = ('device_key', 'label', 'capacity_bytes', 'datastore',
                'file_name', 'controller_type', 'unit_number', 'disk_mode',
                'sharing', 'thin_provisioned', 'is_rdm')
_NIC_FIELDS = ('device_key', 'label', 'network_name', 'mac_address',
               'adapter_type', 'connected')
_FIELDS = ('project_id', 'moref', 'name', 'bios_uuid', 'instance_uuid',
           'power_state', 'guest_id', 'guest_family', 'guest_full_name',
           'firmware', 'secure_boot', 'hardware_version', 'num_cpus',
           'cores_per_socket', 'memory_mb', 'cbt_enabled',
           'consolidation_needed', 'tools_status', 'tools_version',
           'esxi_host', 'cluster', 'folder', 'datacenter', 'verdict')


def vm_view(vm, source_uuid, detail=False):
    view = {f: getattr(vm, f) for f in _FIELDS}
    view.update(uuid=vm.uuid, source_id=source_uuid,
                snapshot_count=vm.snapshot_count or 0,
                missing=bool(vm.missing),
                last_seen_at=utils.isotime(vm.last_seen_at),
                created_at=utils.isotime(vm.created_at),
                updated_at=utils.isotime(vm.updated_at),
                links=utils.link('vms', vm.uuid))
    if detail:
        view['disks'] = [dict({f: getattr(d, f) for f in _DISK_FIELDS},
                              capacity_bytes=d.capacity_bytes or 0,
                              is_rdm=bool(d.is_rdm))
                         for d in vm.disks]
        view['nics'] = [{f: getattr(n, f) for f in _NIC_FIELDS}
                        for n in vm.nics]
    return view


class VmsController(rest.RestController):

    @pecan.expose('json')
    @validation.validated(query=schema.LIST_QUERY)
    def get_all(self, query):
        ctx = utils.context()
        policy.authorize('xms:vms:list', ctx)
        page = utils.page_args(query)
        filters = {k: query[k] for k in ('source_id', 'name', 'power_state',
                                         'verdict', 'missing')
                   if k in query}
        rows = db_api.api_list(ctx, models.Vm, filters, **page)
        sources = db_api.api_uuids(ctx, models.Source,
                                   [r.source_id for r in rows])
        return utils.collection(
            'vms', rows, [vm_view(r, sources.get(r.source_id))
                          for r in rows], page, 'vms')

    @pecan.expose('json')
    @validation.validated(path=('vm_id',))
    def get_one(self, vm_id, query):
        ctx = utils.context()
        vm = db_api.vm_get(ctx, vm_id)
        policy.authorize('xms:vms:get', ctx, {'project_id': vm.project_id})
        sources = db_api.api_uuids(ctx, models.Source, [vm.source_id])
        return vm_view(vm, sources.get(vm.source_id), detail=True)

"""Schemas of ``/v1/vms`` (read-only inventory)."""

from xms.api.schemas import common

POWER_STATES = ['poweredOn', 'poweredOff', 'suspended']
VERDICTS = ['pass', 'warn', 'block']

LIST_QUERY = common.list_query(
    ['name', 'created_at', 'updated_at', 'power_state', 'verdict'],
    {'source_id': dict(common.UUID, description='Only VMs of this '
                                                'source.'),
     'name': common.text(description='Only VMs with this name; "*" is '
                                     'a wildcard.'),
     'power_state': {'type': 'string', 'enum': POWER_STATES},
     'verdict': {'type': 'string', 'enum': VERDICTS,
                 'description': 'Only VMs whose latest preflight has this '
                                'verdict.'},
     'missing': {'type': 'boolean',
                 'description': 'Only VMs the last scan did (not) see.'}})

DISK = common.obj({
    'device_key': common.INTEGER,
    'label': common.NULLABLE_STRING,
    'capacity_bytes': common.INTEGER,
    'datastore': common.NULLABLE_STRING,
    'file_name': common.NULLABLE_STRING,
    'controller_type': common.NULLABLE_STRING,
    'unit_number': common.NULLABLE_INTEGER,
    'disk_mode': common.NULLABLE_STRING,
    'sharing': common.NULLABLE_STRING,
    'thin_provisioned': common.NULLABLE_BOOLEAN,
    'is_rdm': common.BOOLEAN,
})

NIC = common.obj({
    'device_key': common.INTEGER,
    'label': common.NULLABLE_STRING,
    'network_name': common.NULLABLE_STRING,
    'mac_address': common.NULLABLE_STRING,
    'adapter_type': common.NULLABLE_STRING,
    'connected': common.NULLABLE_BOOLEAN,
})

_FIELDS = {
    'uuid': common.UUID,
    'project_id': common.STRING,
    'source_id': common.NULLABLE_UUID,
    'moref': common.STRING,
    'name': common.STRING,
    'bios_uuid': common.NULLABLE_STRING,
    'instance_uuid': common.NULLABLE_STRING,
    'power_state': common.NULLABLE_STRING,
    'guest_id': common.NULLABLE_STRING,
    'guest_family': common.NULLABLE_STRING,
    'guest_full_name': common.NULLABLE_STRING,
    'firmware': common.NULLABLE_STRING,
    'secure_boot': common.NULLABLE_BOOLEAN,
    'hardware_version': common.NULLABLE_STRING,
    'num_cpus': common.NULLABLE_INTEGER,
    'cores_per_socket': common.NULLABLE_INTEGER,
    'memory_mb': common.NULLABLE_INTEGER,
    'cbt_enabled': common.NULLABLE_BOOLEAN,
    'snapshot_count': common.INTEGER,
    'consolidation_needed': common.NULLABLE_BOOLEAN,
    'tools_status': common.NULLABLE_STRING,
    'tools_version': common.NULLABLE_STRING,
    'esxi_host': common.NULLABLE_STRING,
    'cluster': common.NULLABLE_STRING,
    'folder': common.NULLABLE_STRING,
    'datacenter': common.NULLABLE_STRING,
    'verdict': common.NULLABLE_STRING,
    'missing': common.BOOLEAN,
    'last_seen_at': common.DATETIME,
    'created_at': common.DATETIME,
    'updated_at': common.DATETIME,
    'links': common.LINKS,
}

VM_SUMMARY = common.obj(dict(_FIELDS), required=['uuid', 'name'])
VM = common.obj(dict(_FIELDS, disks={'type': 'array', 'items': DISK},
                     nics={'type': 'array', 'items': NIC}),
                required=['uuid', 'name', 'disks', 'nics'])
VMS = common.collection('vms', VM_SUMMARY)

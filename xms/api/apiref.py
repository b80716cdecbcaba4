"""Write ``api-ref/source`` (os-api-ref) from the OpenAPI description.

The REST reference is generated, like the OpenAPI document, from the
schemas the API validates with, so it documents every endpoint,
parameter and response and cannot drift (a unit test compares the
committed files with a fresh rendering). Prose lives in :data:`INTROS`
and :data:`FIELDS`.

Run ``python -m xms.api.apiref api-ref/source`` after changing a schema.
"""

import os
import sys
import textwrap

from xms.api import openapi

RESOURCES = (
    ('sources', 'Sources', 'VMware vCenter or ESXi endpoints a project '
     'registered. The password is write-only: it is encrypted at rest and '
     'never returned. Registering, changing and deleting a source needs '
     'the admin role; testing and discovering needs member.'),
    ('vms', 'VMs', 'The inventory found by discovery, with disks and '
     'NICs. Read-only.'),
    ('preflights', 'Preflights', 'Read-only assessments of VMs for a '
     'migration mode and an optional target. Each gives a verdict (pass, '
     'warn or block), category scores and checks.'),
    ('jobs', 'Jobs', 'Migrations, one VM per job; a request for several '
     'VMs creates a wave of jobs sharing a wave_id, all of them or none. A '
     'warm job needs a pass or warn preflight of its VM in warm mode, a '
     'cold job one in cold or warm mode, taken since the last rescan that '
     'changed the VM\'s disks, NICs, CBT or snapshots; otherwise the '
     'request answers 409 naming the preflight to run (an admin may '
     'override block with a reason). A VM has at most one active job (any '
     'state but completed and cancelled): a second answers 409 naming the '
     'first. Actions the job\'s state does not allow answer 409 with the '
     'reason.'),
    ('events', 'Events', 'What happened to jobs and sources, newest '
     'first.'),
    ('workers', 'Workers', 'The conductor and worker processes, their '
     'slots and heartbeats (admin only).'),
)

# Descriptions of fields by name; a schema's own description wins.
FIELDS = {
    'limit': 'Largest number of items to return (at most the '
             'operator\'s [api]/max_limit).',
    'marker': 'UUID of the last item of the previous page.',
    'sort_key': 'Field to sort by.',
    'sort_dir': 'Sort direction, asc or desc.',
    'next': 'Link to the next page, present when this page is full.',
    'uuid': 'UUID of the resource.',
    'project_id': 'Project the resource belongs to.',
    'user_id': 'User who submitted the job.',
    'links': 'Links to the resource.',
    'created_at': 'When the resource was created (UTC, ISO 8601).',
    'updated_at': 'When the resource last changed (UTC, ISO 8601).',
    'name': 'Name, unique in the project for sources.',
    'type': 'Type: vmware for sources, cold or warm for jobs.',
    'host': 'vCenter or ESXi host name or address.',
    'port': 'HTTPS port of the endpoint (default 443).',
    'username': 'vSphere user name XMS logs in with.',
    'password': 'vSphere password. Write-only: encrypted at rest with '
                'the deployment\'s credential keys, or kept as a Barbican '
                'secret when [credentials]/backend is castellan, and never '
                'returned.',
    'datacenter': 'Datacenter that limits discovery (optional).',
    'verify_tls': 'Verify the endpoint\'s TLS certificate (default '
                  'true). false skips verification only when there is '
                  'neither a CA certificate nor a thumbprint; every disk '
                  'read that way records a tls_unverified event.',
    'ca_cert': 'PEM CA certificate that signs the endpoint\'s '
               'certificate.',
    'thumbprint': 'SHA-256 thumbprint of the endpoint\'s certificate, '
                  'colon-separated hex, for self-signed endpoints. '
                  'Checked in the TLS handshake of every connection that '
                  'carries the password or the session cookie (SDK and '
                  'disk reads); a mismatch fails before anything is sent '
                  'and records a tls_pin_mismatch event naming both '
                  'thumbprints.',
    'status': 'Status of the resource.',
    'status_reason': 'Why the source is disconnected or in error.',
    'status_checked_at': 'When the connection was last checked.',
    'product_name': 'vSphere product name reported by the endpoint.',
    'product_version': 'vSphere version reported by the endpoint.',
    'product_build': 'vSphere build reported by the endpoint.',
    'version': 'vSphere version (test) or XMS version (workers).',
    'build': 'vSphere build number.',
    'api_type': 'VirtualCenter or HostAgent (standalone ESXi).',
    'discovery': 'Status, start, end and error of the latest inventory '
                 'scan.',
    'source_id': 'UUID of the source.',
    'vm_id': 'UUID of the VM.',
    'vm_ids': 'UUIDs of the VMs; one job or preflight is created per '
              'VM.',
    'vm_name': 'Name of the VM.',
    'job_id': 'UUID of the job.',
    'preflight_id': 'UUID of the preflight.',
    'wave_id': 'UUID shared by the jobs of one request.',
    'mode': 'Migration mode assessed: cold or warm.',
    'target': 'Target settings: instance name, flavor, network mapping, '
              'volume types, availability zone, security groups, guest '
              'conversion and boot.',
    'verdict': 'Preflight verdict: pass, warn or block.',
    'scores': 'Score per category (compute, storage, network, guest, '
              'readiness).',
    'checks': 'Checks with status, message and remediation.',
    'error': 'Error message a user can act on, or null.',
    'finished_at': 'When it finished.',
    'started_at': 'When it started.',
    'state': 'State of the job.',
    'phase': 'Step inside the state (export, full_sync, final_delta...); '
             'deleting while the delete of a failed or cancelled job '
             'cleans up its target.',
    'sync_interval': 'Seconds between incremental syncs of a warm job '
                     '(default 3600, minimum 300).',
    'shutdown_timeout': 'Seconds a guest shutdown may take at cutover '
                        'before a hard power-off (default 300).',
    'keep_target': 'Keep the target volumes and ports when cancelling.',
    'override_block': 'Submit even if the preflight verdict is block '
                      '(admin only; needs override_reason; recorded on '
                      'the job and as a block_overridden event with the '
                      'admin\'s user id).',
    'override_reason': 'Why an admin overrode a preflight Block; null '
                       'when no Block was overridden.',
    'progress': 'Bytes done and total, percent, rate and ETA.',
    'lag': 'Time since the last successful sync and the changed bytes '
           'the next sync carries.',
    'incremental_syncs': 'Incremental syncs done so far.',
    'worker_host': 'Worker running the job.',
    'target_resources': 'Volumes, ports and instance created in the '
                        'target project.',
    'allowed_actions': 'Actions the job\'s state allows now.',
    'disks': 'Disks with their progress (jobs) or properties (VMs).',
    'syncs': 'Full, incremental and final syncs of the job.',
    'nics': 'Network adapters of the VM.',
    'action': 'The accepted action.',
    'message': 'What happened.',
    'severity': 'debug, info, warning or error.',
    'event_type': 'What kind of event.',
    'resource_type': 'Kind of resource the event is about.',
    'resource_uuid': 'UUID of the resource the event is about.',
    'payload': 'Details of the event.',
    'binary': 'Process kind: xms-conductor, xms-worker, xms-all-in-one.',
    'slots': 'Job slots of the worker.',
    'running': 'Jobs running on it.',
    'free_slots': 'Slots free now (0 when not alive).',
    'alive': 'Whether its heartbeat is recent.',
    'heartbeat_at': 'Last heartbeat.',
    'power_state': 'Power state: poweredOn, poweredOff or suspended.',
    'missing': 'The last scan no longer saw the VM.',
    'sources': 'The sources of this page.',
    'vms': 'The VMs of this page.',
    'preflights': 'The preflights (of this page, or just created).',
    'jobs': 'The jobs (of this page, or of the new wave).',
    'events': 'The events of this page, newest first.',
    'workers': 'The conductor and worker processes.',
    'href': 'URL.',
    'rel': 'Relation: self.',
    'instance_name': 'Name of the target instance.',
    'flavor_id': 'Flavor of the target instance (default: best match).',
    'network_mapping': 'Target network per source NIC.',
    'source_network': 'Port group name or MAC address of the source NIC.',
    'network_id': 'UUID of the target Neutron network.',
    'fixed_ip': 'Fixed IP of the target port.',
    'subnet': 'Subnet (name or UUID) of the target network the port\'s '
              'address comes from.',
    'keep_mac': 'Give the target port the source NIC\'s MAC address '
                '(default: the operator\'s [target]/keep_mac).',
    'volume_type': 'Cinder volume type of the target volumes.',
    'disk_volume_types': 'Volume type per source disk device key.',
    'availability_zone': 'Availability zone of the target.',
    'security_groups': 'Security groups of the target ports.',
    'convert_guest': 'Run guest conversion (virt-v2v) on the target '
                     'disks.',
    'boot': 'Boot the target instance at the end.',
    'device_key': 'vSphere device key of the disk or NIC.',
    'label': 'vSphere device label.',
    'capacity_bytes': 'Size of the disk in bytes.',
    'datastore': 'Datastore holding the disk.',
    'file_name': 'Datastore path of the disk.',
    'source_path': 'Datastore path of the source disk.',
    'controller_type': 'Controller the disk is attached to.',
    'unit_number': 'Unit number on the controller.',
    'disk_mode': 'vSphere disk mode (persistent, independent...).',
    'sharing': 'Multi-writer sharing mode.',
    'thin_provisioned': 'Whether the disk is thin provisioned.',
    'is_rdm': 'Whether the disk is a raw device mapping.',
    'network_name': 'Port group of the NIC.',
    'mac_address': 'MAC address of the NIC.',
    'adapter_type': 'Adapter type (vmxnet3, e1000e...).',
    'connected': 'Whether the NIC is connected.',
    'volume_id': 'Target Cinder volume.',
    'bytes_done': 'Bytes copied.',
    'bytes_total': 'Bytes to copy.',
    'percent': 'Percent done.',
    'rate_bps': 'Copy rate in bytes per second.',
    'source_digest': 'Digest of the bytes read from the source snapshot '
                     '(block-wise, see the transport guide).',
    'target_digest': 'Digest of the target disk at verification; equal to '
                     'source_digest when the copy is identical.',
    'inspection': 'The guest as inspected on the copied disks (OS, '
                  'firmware, boot loader, drivers) and the image metadata '
                  'made from it, before conversion; null before '
                  'inspection.',
    'inspection_converted': 'The guest inspected again after conversion, '
                            'in the same shape as inspection: what boots '
                            'and the image metadata the boot volume got; '
                            'null before conversion or when it was '
                            'skipped (convert_guest false).',
    'eta_seconds': 'Estimated seconds left.',
    'last_sync_at': 'When the last successful sync ended.',
    'next_sync_at': 'When the next scheduled sync starts.',
    'seconds': 'Seconds since the last successful sync.',
    'pending_bytes': 'Changed bytes the next sync will carry, when known.',
    'kind': 'Sync kind: full, incremental or final.',
    'bytes_changed': 'Bytes changed since the previous sync.',
    'bytes_copied': 'Bytes the sync copied.',
    'moref': 'vSphere managed object id of the VM.',
    'bios_uuid': 'BIOS UUID of the VM.',
    'instance_uuid': 'vCenter instance UUID of the VM.',
    'guest_id': 'Guest OS id reported by vSphere.',
    'guest_family': 'Guest OS family.',
    'guest_full_name': 'Guest OS name reported by vSphere.',
    'firmware': 'bios or efi.',
    'secure_boot': 'Whether Secure Boot is on.',
    'hardware_version': 'Virtual hardware version.',
    'num_cpus': 'Virtual CPUs.',
    'cores_per_socket': 'Cores per socket.',
    'memory_mb': 'Memory in MiB.',
    'cbt_enabled': 'Whether Changed Block Tracking is on.',
    'snapshot_count': 'Snapshots the VM has.',
    'consolidation_needed': 'Whether vSphere asks for consolidation.',
    'tools_status': 'VMware Tools state.',
    'tools_version': 'VMware Tools version.',
    'esxi_host': 'ESXi host running the VM.',
    'cluster': 'Cluster of the host.',
    'folder': 'Inventory folder of the VM.',
    'last_seen_at': 'When a scan last saw the VM.',
}

HEADER_PARAM = ('OpenStack-API-Version', 'header', False, 'string',
                'Microversion to use, "migration 1.N" or "migration '
                'latest"; without it the minimum version.')


def _type(schema):
    types = schema.get('type', 'object')
    if isinstance(types, list):
        types = [t for t in types if t != 'null'][0]
    return {'number': 'float'}.get(types, types)


def _describe(name, schema):
    leaf = name.rsplit('.', 1)[-1].rstrip('[]')
    text = schema.get('description') or FIELDS.get(leaf)
    if not text:
        raise KeyError('No description for field %s' % name)
    if schema.get('enum'):
        text += ' One of: %s.' % ', '.join(str(e) for e in schema['enum'])
    return text


def _body_fields(schema, prefix=''):
    """(name, schema, required) of an object's fields, nested ones as
    ``parent.child``."""
    required = set(schema.get('required', ()))
    for name, prop in sorted(schema.get('properties', {}).items()):
        full = prefix + name
        yield full, prop, name in required
        if prop.get('type') in ('object', ['object', 'null']) and \
                prop.get('properties'):
            yield from _body_fields(prop, full + '.')
        items = prop.get('items') or {}
        if items.get('properties'):
            yield from _body_fields(items, full + '[].')


def _params(op, path):
    """Request and response parameters of one operation."""
    request = []
    for param in op['parameters']:
        if param['in'] == 'header':
            request.append(HEADER_PARAM)
            continue
        schema = param['schema']
        request.append((param['name'], param['in'], param['required'],
                        _type(schema),
                        _describe(param['name'], dict(
                            schema, description=param.get('description')
                            or schema.get('description')))))
    body = op.get('requestBody')
    if body:
        schema = body['content']['application/json']['schema']
        for name, prop, req in _body_fields(schema):
            request.append((name, 'body', req, _type(prop),
                            _describe(name, prop)))
    response = []
    for code, resp in op['responses'].items():
        if code.startswith('2') and 'content' in resp:
            schema = resp['content']['application/json']['schema']
            for name, prop, req in _body_fields(schema):
                response.append((name, 'body', req, _type(prop),
                                 _describe(name, prop)))
    return request, response


def _key(resource, param):
    name, where = param[0], param[1]
    clean = name.replace('[]', '').replace('.', '_').replace('-', '_')
    return ('%s_%s_%s' % (resource, clean, where)).lower()


def render():
    """{file name: text} of the whole reference."""
    doc = openapi.document()
    files = {}
    params = {}
    for resource, title, intro in RESOURCES:
        lines = ['.. -*- rst -*-', '', '=' * len(title), title,
                 '=' * len(title), ''] + textwrap.wrap(intro, 79) + ['']
        for path, ops in doc['paths'].items():
            if path.split('/')[2] != resource:
                continue
            for method, op in ops.items():
                lines += _render_op(resource, method, path, op, params)
        files['%s.inc' % resource] = '\n'.join(lines).rstrip() + '\n'
    files['parameters.yaml'] = _render_params(params)
    return files


def _render_op(resource, method, path, op, params):
    ok = [c for c in op['responses'] if c.startswith('2')]
    errors = sorted(c for c in op['responses'] if not c.startswith('2'))
    title = op['summary']
    lines = [title, '=' * len(title), '',
             '.. rest_method:: %s %s' % (method.upper(), path), '',
             '%s. Policy rule: ``%s``.' % (title, op['x-policy-rule']), '']
    if op.get('description'):
        lines += textwrap.wrap(op['description'], 79) + ['']
    lines += ['Normal response codes: %s' % ', '.join(ok), '',
              'Error response codes: %s' % ', '.join(errors), '']
    request, response = _params(op, path)
    for heading, items in (('Request', request), ('Response', response)):
        lines += [heading, '-' * len(heading), '']
        if not items:
            lines += ['This answer has no body.' if heading == 'Response'
                      else 'This request has no parameters.', '']
            continue
        lines += ['.. rest_parameters:: parameters.yaml', '']
        order = {'header': 0, 'path': 1, 'query': 2, 'body': 3}
        for param in sorted(items, key=lambda p: order[p[1]]):
            key = _key(resource, param)
            # The same field may differ between operations (required in
            # a create, optional in an update): give each variant a key.
            while key in params and params[key] != param:
                key += '_' + method
            params[key] = param
            lines.append('   - %s: %s' % (param[0], key))
        lines.append('')
    return lines


def _render_params(params):
    order = {'header': 0, 'path': 1, 'query': 2, 'body': 3}
    out = ['# Generated by "python -m xms.api.apiref api-ref/source" from '
           'the API schemas.']
    for key, (_name, where, required, typ, text) in sorted(
            params.items(), key=lambda kv: (order[kv[1][1]],
                                            kv[0].lower())):
        out += ['%s:' % key, '  description: |']
        out += ['    %s' % line for line in textwrap.wrap(text, 75)]
        out += ['  in: %s' % where,
                '  required: %s' % ('true' if required else 'false'),
                '  type: %s' % typ]
    return '\n'.join(out) + '\n'


def write(directory):
    for name, text in render().items():
        with open(os.path.join(directory, name), 'w') as f:
            f.write(text)


if __name__ == '__main__':
    write(sys.argv[1] if len(sys.argv) > 1 else 'api-ref/source')

"""API objects as the XMS API returns them, for the unit tests."""

from xmsclient.common import base

VM_ID = '11111111-1111-4111-8111-111111111111'
BLOCKED_ID = '22222222-2222-4222-8222-222222222222'
JOB_ID = '33333333-3333-4333-8333-333333333333'
NET_ID = '44444444-4444-4444-8444-444444444444'


def resource(info):
    """An API object as python-xmsclient returns it."""
    return base.Resource(None, info)


def vm(uuid=VM_ID, name='web01', verdict='pass', nics=None):
    return resource({
        'uuid': uuid, 'name': name, 'verdict': verdict, 'missing': False,
        'num_cpus': 2, 'memory_mb': 2048, 'power_state': 'poweredOn',
        'nics': nics if nics is not None else [
            {'device_key': 4000, 'label': 'Network adapter 1',
             'network_name': 'VM Network', 'mac_address': '00:50:56:aa:bb:cc'},
        ]})


def job(state='running', job_type='cold', actions=('cancel',), **extra):
    info = {
        'uuid': JOB_ID, 'vm_name': 'web01', 'type': job_type,
        'state': state, 'phase': 'write_volume',
        'progress': {'bytes_done': 512, 'bytes_total': 1024,
                     'percent': 50.0, 'rate_bps': 3 * 1024 * 1024,
                     'eta_seconds': 125},
        'lag': {'seconds': None, 'pending_bytes': None},
        'allowed_actions': list(actions), 'syncs': [], 'disks': [],
        'target_resources': None}
    info.update(extra)
    return resource(info)


class Network:
    def __init__(self, id, name):
        self.id = id
        self.name = name
        self.name_or_id = name

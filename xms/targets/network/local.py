"""Local network: "ports" are NIC entries of the domain XML.

They are recorded in ``<job dir>/ports.json`` so the local compute
driver can write them as ``<interface>`` elements. The mapped network
(:mod:`xms.targets.nic_mapping`; ``default`` for an unmapped NIC)
becomes the libvirt network name.
"""

import os

from oslo_utils import uuidutils

from xms.targets import base
from xms.targets import local_common as lc
from xms.targets import nic_mapping


def ports_path(job_id):
    return os.path.join(lc.job_dir(job_id), 'ports.json')


class LocalNetworkDriver(base.NetworkDriver):

    def create_ports(self, context, job, nics, mapping,
                     security_groups=None):
        job_id = base.job_ref(job)
        os.makedirs(lc.job_dir(job_id), exist_ok=True)
        known = {p['nic_key']: p
                 for p in lc.read_json(ports_path(job_id), [])}
        ports = []
        for nic in nics:
            key = str(base.field(nic, 'device_key'))
            port = known.get(key) or {'id': uuidutils.generate_uuid(),
                                      'nic_key': key}
            port['mac_address'] = base.field(nic, 'mac_address')
            port['network'] = (nic_mapping.network_for(nic, mapping)
                               or 'default')
            port['model'] = base.field(nic, 'adapter_type')
            ports.append(port)
        lc.write_json(ports_path(job_id), ports)
        return [p['id'] for p in ports]

    def delete_ports(self, context, port_ids):
        ids = set(port_ids or ())
        if not ids or not os.path.isdir(lc.root()):
            return
        for job_id in os.listdir(lc.root()):
            path = ports_path(job_id)
            ports = lc.read_json(path)
            if not ports:
                continue
            left = [p for p in ports if p['id'] not in ids]
            if len(left) == len(ports):
                continue
            if left:
                lc.write_json(path, left)
            else:
                lc.remove(path)
                lc.remove_job_dir_if_empty(job_id)

    def list_ports(self, context, job):
        return [p['id'] for p in lc.read_json(
            ports_path(base.job_ref(job)), [])]

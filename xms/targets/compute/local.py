"""Local compute: the "instance" is a libvirt domain XML.

``<job dir>/domain.xml`` describes the converted VM the way the
inspection says it must boot: firmware (BIOS or UEFI), machine type,
disks on the bus of ``hw_disk_bus`` (virtio by default), and one
``<interface>`` per source NIC with its MAC. It is what a user imports
with ``virsh define``; nothing is started. The domain's uuid (the
"instance id") is kept in ``instance.json`` beside it.
"""

import os
from xml.etree import ElementTree as ET

from oslo_log import log as logging
from oslo_utils import uuidutils

from xms.common.i18n import _
from xms.targets import base
from xms.targets import local_common as lc
from xms.targets.network import local as local_net

LOG = logging.getLogger(__name__)

_BUS_PREFIX = {'virtio': 'vd', 'scsi': 'sd', 'sata': 'sd', 'ide': 'hd',
               'usb': 'sd'}


def domain_path(job_id):
    return os.path.join(lc.job_dir(job_id), 'domain.xml')


def instance_path(job_id):
    """Where the domain's uuid is kept (no XML parsing to find it)."""
    return os.path.join(lc.job_dir(job_id), 'instance.json')


def _dev_name(prefix, index):
    name = ''
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(ord('a') + rem) + name
    return prefix + name


def _flavor_dims(flavor):
    if isinstance(flavor, dict):
        return int(flavor['vcpus']), int(flavor['ram'])
    # "local-<vcpus>-<ram MiB>", as best_flavor() names it.
    try:
        _, vcpus, ram = str(flavor).split('-')
        return int(vcpus), int(ram)
    except ValueError:
        raise base.TargetError(reason=_('local flavor %s is not of the '
                                        'form local-<vcpus>-<MiB>')
                               % flavor)


def build_domain_xml(name, uuid, vcpus, memory_mb, disks, nics,
                     image_metadata):
    """The libvirt domain XML text.

    :param disks: absolute paths of raw files, boot disk first.
    :param nics: ``{'mac_address', 'network', 'model'}`` dicts.
    :param image_metadata: the boot volume's image metadata.
    """
    meta = image_metadata or {}
    dom = ET.Element('domain', type='kvm')
    ET.SubElement(dom, 'name').text = name
    ET.SubElement(dom, 'uuid').text = uuid
    ET.SubElement(dom, 'memory', unit='MiB').text = str(memory_mb)
    ET.SubElement(dom, 'vcpu').text = str(vcpus)
    os_attrs = {}
    if meta.get('hw_firmware_type') == 'uefi':
        os_attrs['firmware'] = 'efi'
    os_el = ET.SubElement(dom, 'os', **os_attrs)
    ET.SubElement(os_el, 'type', arch=meta.get('hw_architecture', 'x86_64'),
                  machine=meta.get('hw_machine_type', 'q35')).text = 'hvm'
    if os_attrs and meta.get('os_secure_boot') == 'required':
        ET.SubElement(os_el, 'loader', secure='yes')
    features = ET.SubElement(dom, 'features')
    ET.SubElement(features, 'acpi')
    ET.SubElement(features, 'apic')
    devices = ET.SubElement(dom, 'devices')
    bus = meta.get('hw_disk_bus', 'virtio')
    prefix = _BUS_PREFIX.get(bus, 'vd')
    for index, path in enumerate(disks):
        disk = ET.SubElement(devices, 'disk', type='file', device='disk')
        ET.SubElement(disk, 'driver', name='qemu', type='raw')
        ET.SubElement(disk, 'source', file=path)
        ET.SubElement(disk, 'target', dev=_dev_name(prefix, index), bus=bus)
        if index == 0:
            ET.SubElement(disk, 'boot', order='1')
    vif_model = meta.get('hw_vif_model', 'virtio')
    for nic in nics:
        iface = ET.SubElement(devices, 'interface', type='network')
        if nic.get('mac_address'):
            ET.SubElement(iface, 'mac', address=nic['mac_address'])
        ET.SubElement(iface, 'source', network=nic.get('network') or
                      'default')
        ET.SubElement(iface, 'model', type=vif_model)
    ET.SubElement(devices, 'serial', type='pty')
    ET.SubElement(devices, 'console', type='pty')
    ET.SubElement(devices, 'graphics', type='vnc', autoport='yes')
    ET.indent(dom)
    return ET.tostring(dom, encoding='unicode') + '\n'


class LocalComputeDriver(base.ComputeDriver):

    def list_flavors(self, context):
        return []

    def best_flavor(self, context, cpus, memory_mb):
        """Any size fits a domain XML: the source's own, exactly."""
        cpus, memory_mb = int(cpus or 1), int(memory_mb or 1024)
        return {'id': 'local-%d-%d' % (cpus, memory_mb),
                'name': 'local-%d-%d' % (cpus, memory_mb),
                'vcpus': cpus, 'ram': memory_mb, 'disk': 0,
                'reason': 'local target: the source\'s own %d vCPU and '
                          '%d MiB' % (cpus, memory_mb)}

    def create_instance(self, context, job, volumes, ports, flavor,
                        power_on=True):
        job_id = base.job_ref(job)
        if not volumes:
            raise base.TargetError(reason=_('job %s has no volume to boot '
                                            'from') % job_id)
        path = domain_path(job_id)
        uuid = self.find_instance(context, job) or \
            uuidutils.generate_uuid()
        vcpus, memory_mb = _flavor_dims(flavor)
        boot_meta = lc.read_json(lc.meta_path(volumes[0]), {})
        all_ports = {p['id']: p for p in lc.read_json(
            local_net.ports_path(job_id), [])}
        nics = [all_ports[p] for p in ports or () if p in all_ports]
        name = base.instance_name_for(job)
        xml = build_domain_xml(
            name, uuid, vcpus, memory_mb,
            [lc.volume_path(v) for v in volumes], nics,
            boot_meta.get('volume_image_metadata'))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            f.write(xml)
        os.replace(tmp, path)
        lc.write_json(instance_path(job_id), {'uuid': uuid})
        LOG.info('Job %s: domain XML %s written (instance %s)', job_id,
                 path, uuid)
        return uuid

    def find_instance(self, context, job):
        job_id = base.job_ref(job)
        if not os.path.exists(domain_path(job_id)):
            return None
        return (lc.read_json(instance_path(job_id)) or {}).get('uuid')

    def delete_instance(self, context, instance_id):
        if not os.path.isdir(lc.root()):
            return
        for job_id in os.listdir(lc.root()):
            path = domain_path(job_id)
            if self.find_instance(context, {'uuid': job_id}) == instance_id:
                lc.remove(path)
                lc.remove(instance_path(job_id))
                lc.remove_job_dir_if_empty(job_id)
                LOG.info('Local instance %s (%s) deleted', instance_id,
                         path)

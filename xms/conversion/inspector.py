"""Inspection of the guest on the copied target disks.

One libguestfs appliance launch (:mod:`xms.conversion.probe`, run with
the system Python that has Debian's ``python3-guestfs``) reads the
operating system, firmware, boot loader, installed VirtIO drivers and
VMware Tools. The result is a small dict stored on the job
(``jobs.inspection``); :func:`image_metadata` turns it into the image
properties the target's finalize step sets on the boot volume.

virt-v2v-inspector is not used for this by default: in virt-v2v 2.2 it
performs a complete trial conversion on a temporary overlay to estimate
the space needed, which took as long as the conversion itself (about
9 minutes under TCG here). ``[conversion]/inspector =
virt-v2v-inspector`` adds its view (osinfo, estimated sizes) on top of
the libguestfs inspection for operators who want it.
"""

import json
import os
import xml.etree.ElementTree as ElementTree  # noqa: S405 - our own tool

from oslo_log import log as logging

from xms.conf import CONF
from xms.conversion import disks as disks_mod
from xms.conversion import errors
from xms.conversion import output
from xms.conversion import process

LOG = logging.getLogger(__name__)

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     'probe.py')

#: libguestfs distro names whose Glance ``os_distro`` differs.
_GLANCE_DISTROS = {
    'archlinux': 'arch',
    'redhat-based': 'rhel',
    'suse-based': 'opensuse',
    'sles': 'sles',
    'windows': 'windows',
}


def inspect(disk_paths, line_callback=None):
    """Inspect the guest on ``disk_paths`` (boot disk first).

    :returns: the inspection dict (see the admin guide for its keys).
    :raises ConversionFailed: no operating system found, the appliance
        did not start, or the inspection timed out.
    """
    if not disk_paths:
        raise errors.ConversionFailed(
            reason='no disks to inspect', cause='no_disks')
    drives = ['%s:%s' % (disks_mod.disk_format(p), p) for p in disk_paths]
    cmd = [CONF.conversion.probe_python, PROBE] + drives
    result = process.run(cmd, CONF.conversion.inspect_timeout,
                         line_callback=None, keep=400)
    data = _last_json(result.lines)
    if result.timed_out:
        raise errors.ConversionFailed(
            reason=output.describe_failure(result, 'inspection')[1],
            cause='timeout')
    if data is None or 'error' in data:
        message = (data or {}).get('error') or ' / '.join(
            line for line in result.lines[-5:] if line.strip())
        cause = (data or {}).get('cause')
        if not cause:
            cause, advice = output.classify(message)
        else:
            advice = dict((c, a) for c, _, a in output.CAUSES).get(cause)
        reason = 'inspection failed: %s' % (message or 'no output')
        if advice:
            reason = '%s (%s)' % (reason, advice)
        raise errors.ConversionFailed(reason=reason, cause=cause)
    inspection = normalise(data)
    inspection['inspector'] = 'libguestfs'
    inspection['disks'] = len(disk_paths)
    if CONF.conversion.inspector == 'virt-v2v-inspector':
        inspection['virt_v2v_inspector'] = v2v_inspect(
            disk_paths, line_callback)
    inspection['image_metadata'] = image_metadata(inspection)
    if line_callback is not None:
        line_callback(summary(inspection))
    return inspection


def _last_json(lines):
    for line in reversed(lines):
        line = line.strip()
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def normalise(data):
    """Keep the keys the job stores; drop the bulky partition list."""
    os_info = data.get('os') or {}
    return {
        'os_type': os_info.get('type'),
        'distro': os_info.get('distro'),
        'version': os_info.get('version'),
        'major_version': os_info.get('major_version'),
        'minor_version': os_info.get('minor_version'),
        'product_name': os_info.get('product_name'),
        'osinfo': os_info.get('osinfo'),
        'arch': os_info.get('arch'),
        'hostname': os_info.get('hostname'),
        'root': os_info.get('root'),
        'package_format': os_info.get('package_format'),
        'roots': data.get('roots') or [],
        'firmware': data.get('firmware'),
        'partition_table': data.get('partition_table'),
        'boot_loader': data.get('boot_loader'),
        'virtio_drivers': bool((data.get('drivers') or {}).get('virtio')),
        'drivers': (data.get('drivers') or {}).get('virtio_drivers') or [],
        'kernels': (data.get('drivers') or {}).get('kernels') or [],
        'vmware_tools': bool((data.get('vmware_tools') or {})
                             .get('installed')),
        'vmware_tools_packages': (data.get('vmware_tools') or {})
        .get('packages') or [],
    }


def summary(inspection):
    """One line for the job's events."""
    return ('Inspected guest: %(os)s %(distro)s %(version)s (%(arch)s), '
            '%(firmware)s firmware, boot loader %(loader)s, VirtIO drivers '
            '%(virtio)s, VMware Tools %(tools)s' % {
                'os': inspection.get('os_type') or 'unknown',
                'distro': inspection.get('distro') or '?',
                'version': inspection.get('version') or '?',
                'arch': inspection.get('arch') or '?',
                'firmware': (inspection.get('firmware') or '?').upper(),
                'loader': inspection.get('boot_loader') or 'unknown',
                'virtio': ('present' if inspection.get('virtio_drivers')
                           else 'missing'),
                'tools': ('installed' if inspection.get('vmware_tools')
                          else 'absent')})


def image_metadata(inspection):
    """Image properties of the boot volume from an inspection.

    The target's finalize step sets them so that Nova boots the guest
    with the firmware it was installed for and with buses its drivers
    support: VirtIO when the guest has the drivers, otherwise SATA and
    e1000, which every supported guest drives natively.

    :param inspection: the dict of :func:`inspect` (or of the ``none``
        converter; missing keys give conservative values).
    :returns: dict of Glance image properties (strings).
    """
    inspection = inspection or {}
    firmware = 'uefi' if inspection.get('firmware') == 'uefi' else 'bios'
    virtio = inspection.get('virtio_drivers', True) is not False
    metadata = {
        'hw_firmware_type': firmware,
        'hw_machine_type': 'q35',
        'hw_disk_bus': 'virtio' if virtio else 'sata',
        'hw_vif_model': 'virtio' if virtio else 'e1000',
    }
    os_type = inspection.get('os_type')
    if os_type in ('linux', 'windows'):
        metadata['os_type'] = os_type
    distro = inspection.get('distro')
    if distro and distro != 'unknown':
        metadata['os_distro'] = _GLANCE_DISTROS.get(distro, distro)
    if inspection.get('version'):
        metadata['os_version'] = str(inspection['version'])
    if os_type == 'linux' and inspection.get('converted'):
        # virt-v2v installs the QEMU guest agent at first boot.
        metadata['hw_qemu_guest_agent'] = 'yes'
    return metadata


def v2v_inspect(disk_paths, line_callback=None):
    """virt-v2v-inspector's view of the guest (slow: a trial conversion).

    :returns: dict with ``osinfo`` and the estimated disk sizes, or an
        ``error`` key; never raises, the libguestfs inspection is the
        authority.
    """
    work = disks_mod.work_dir()
    xml_path = disks_mod.write_domain_xml(work, 'inspect', disk_paths)
    out = xml_path + '.inspection.xml'
    cmd = ['virt-v2v-inspector', '-i', 'libvirtxml', xml_path, '-O', out]
    result = process.run(cmd, CONF.conversion.timeout,
                         line_callback=line_callback)
    try:
        if not result.ok:
            return {'error': output.describe_failure(
                result, 'virt-v2v-inspector')[1]}
        return parse_v2v_inspection(open(out).read())
    finally:
        for path in (xml_path, out):
            if os.path.exists(path):
                os.unlink(path)


def parse_v2v_inspection(text):
    """The useful part of virt-v2v-inspector's XML output."""
    # Written by virt-v2v-inspector on this worker, not by the guest.
    root = ElementTree.fromstring(text)  # noqa: S314  # nosec B314
    result = {'disks': []}
    for disk in root.findall('./disks/disk'):
        result['disks'].append({
            'index': int(disk.get('index', 0)),
            'virtual_size': int(disk.findtext('virtual-size') or 0),
            'allocation': int(disk.findtext('allocation') or 0)})
    osnode = root.find('./operatingsystem')
    if osnode is not None:
        for child in osnode:
            if len(child) == 0 and child.text is not None:
                result[child.tag.replace('-', '_')] = child.text.strip()
    firmware = root.find('./firmware')
    if firmware is not None:
        result['firmware'] = firmware.get('type') or firmware.text
    return result

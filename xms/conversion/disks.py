"""The disks a conversion works on: formats, libvirt XML and clones.

A conversion never runs on the only copy of the data. For every target
that is a local file or an attached block device, the conversion runs
on a qcow2 overlay backed by it (``qemu-img create -b``): the copied disk
is not written until :func:`commit` merges the overlay after a
successful conversion, and :func:`discard` drops it after a failure. So
a failed or interrupted conversion never forces a full recopy, and a
warm job can keep syncing into the base disk and convert again later.

Cinder: the same overlay works on an attached volume (its block device
is the backing file). Where the storage can clone cheaply the
alternative is a Cinder snapshot of each volume before the conversion
(``volume snapshot create --force``), conversion in place, and on
failure a revert to the snapshot (``volume revert-to-snapshot``,
microversion 3.40, for the latest snapshot of a volume) or a new volume
from it; the snapshot is deleted after success. That needs the storage
driver's help (``xms.targets.storage``) and a cloud, so it is not done
here; the overlay covers both storage kinds.
"""

import json
import os
import stat
import subprocess
import xml.etree.ElementTree as ElementTree  # noqa: S405 - we build it

from oslo_log import log as logging

from xms.conf import CONF
from xms.conversion import errors

LOG = logging.getLogger(__name__)

OVERLAY_SUFFIX = '.xms-conversion.qcow2'
_QEMU_IMG_TIMEOUT = 600


def is_block_device(path):
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def disk_format(path):
    """``raw`` for block devices, else what ``qemu-img info`` says.

    A format is always passed explicitly to the tools: letting qemu
    probe a raw guest disk is unsafe (the guest could write a qcow2
    header into it).
    """
    if is_block_device(path):
        return 'raw'
    try:
        out = subprocess.run(
            ['qemu-img', 'info', '--output=json', '-U', path],
            check=True, capture_output=True, timeout=_QEMU_IMG_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise errors.ConversionFailed(
            reason='cannot read disk %s: %s' % (path, _stderr(exc)),
            cause='disk')
    return json.loads(out.stdout).get('format') or 'raw'


def _stderr(exc):
    err = getattr(exc, 'stderr', None)
    if err:
        return err.decode('utf-8', 'replace').strip()
    return str(exc)


def work_dir():
    """``[conversion]/work_dir`` or ``$state_path/conversion``, created."""
    path = CONF.conversion.work_dir or os.path.join(CONF.state_path,
                                                    'conversion')
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def domain_xml(name, disk_paths):
    """A minimal libvirt domain for ``virt-v2v-in-place -i libvirtxml``.

    ``-i disk`` accepts only one disk; the XML carries all of them, in
    order, with their formats.
    """
    domain = ElementTree.Element('domain', type='kvm')
    ElementTree.SubElement(domain, 'name').text = name
    ElementTree.SubElement(domain, 'memory', unit='MiB').text = '1024'
    ElementTree.SubElement(domain, 'vcpu').text = '1'
    os_el = ElementTree.SubElement(domain, 'os')
    ElementTree.SubElement(os_el, 'type', arch='x86_64').text = 'hvm'
    devices = ElementTree.SubElement(domain, 'devices')
    for index, path in enumerate(disk_paths):
        block = is_block_device(path)
        disk = ElementTree.SubElement(
            devices, 'disk', type='block' if block else 'file',
            device='disk')
        ElementTree.SubElement(disk, 'driver', name='qemu',
                               type=disk_format(path))
        ElementTree.SubElement(disk, 'source',
                               **{'dev' if block else 'file': path})
        ElementTree.SubElement(disk, 'target', dev=_dev_name(index),
                               bus='scsi')
    return ElementTree.tostring(domain, encoding='unicode')


def _dev_name(index):
    letters = ''
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord('a') + rem) + letters
    return 'sd' + letters


def write_domain_xml(directory, name, disk_paths):
    path = os.path.join(directory, '%s.xml' % name)
    with open(path, 'w') as f:
        f.write(domain_xml(name, disk_paths))
    return path


def _run_qemu_img(args):
    try:
        subprocess.run(['qemu-img'] + args, check=True, capture_output=True,
                       timeout=_QEMU_IMG_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise errors.ConversionFailed(
            reason='qemu-img %s failed: %s' % (args[0], _stderr(exc)),
            cause='disk')


def overlay_path(path):
    """Where the overlay of ``path`` lives: next to a file, in the work
    directory for a block device (``/dev`` is not writable storage)."""
    if is_block_device(path):
        return os.path.join(work_dir(), os.path.basename(path)
                            + OVERLAY_SUFFIX)
    return path + OVERLAY_SUFFIX


def prepare_conversion_disk(path):
    """Create a fresh qcow2 overlay of ``path`` and return its path.

    An overlay left by an interrupted conversion is replaced: its partial
    changes cannot be trusted, and the conversion starts again from the
    untouched copy.
    """
    overlay = overlay_path(path)
    if os.path.exists(overlay):
        LOG.info('Discarding the overlay of an earlier conversion: %s',
                 overlay)
        os.unlink(overlay)
    _run_qemu_img(['create', '-q', '-f', 'qcow2', '-b',
                   os.path.abspath(path), '-F', disk_format(path), overlay])
    return overlay


def commit(overlay):
    """Write the overlay's changes into its backing disk, then remove it."""
    _run_qemu_img(['commit', '-q', '-f', 'qcow2', overlay])
    os.unlink(overlay)


def discard(overlay):
    """Drop the overlay; its backing disk stays as it was copied."""
    try:
        os.unlink(overlay)
    except FileNotFoundError:
        pass

"""Inspect guest disks with libguestfs; print the result as JSON.

Run by :mod:`xms.conversion.inspector` as a separate process with the
system Python (``[conversion]/probe_python``), because the libguestfs
binding ships only as Debian's ``python3-guestfs`` and because a
separate process isolates the worker from the qemu appliance and lets a
timeout kill it. One appliance launch answers everything the target
needs (OS, firmware, boot loader, VirtIO drivers, VMware Tools), which
matters where the appliance runs under TCG.

Standard library and ``guestfs`` only: this file must not import xms.

Usage: python3 probe.py FORMAT:PATH [FORMAT:PATH ...]
"""

import json
import sys

ESP_GPT_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B'
BIOS_BOOT_GPT_TYPE = '21686148-6449-6E6F-744E-656564454649'
VMWARE_TOOLS_NAMES = ('open-vm-tools', 'vmware-tools', 'vmware tools',
                      'vmtools', 'open-vm-tools-desktop')
VIRTIO_MODULES = ('virtio_blk', 'virtio_scsi', 'virtio_net', 'virtio_pci')
WINDOWS_VIRTIO_DRIVERS = ('viostor.sys', 'vioscsi.sys', 'netkvm.sys')


def _quiet(func, *args, default=None):
    try:
        return func(*args)
    except RuntimeError:
        return default


def _firmware(g):
    """UEFI when an EFI system partition exists, else BIOS."""
    partitions = []
    for part in _quiet(g.list_partitions, default=[]):
        device = _quiet(g.part_to_dev, part)
        number = _quiet(g.part_to_partnum, part)
        if device is None or number is None:
            continue
        table = _quiet(g.part_get_parttype, device)
        if table == 'gpt':
            kind = (_quiet(g.part_get_gpt_type, device, number) or '').upper()
            partitions.append({'partition': part, 'table': 'gpt',
                               'type': kind})
            if kind == ESP_GPT_TYPE:
                return 'uefi', table, partitions
        elif table == 'msdos':
            mbr_id = _quiet(g.part_get_mbr_id, device, number)
            partitions.append({'partition': part, 'table': 'msdos',
                               'type': '0x%02x' % mbr_id
                               if mbr_id is not None else None})
            if mbr_id == 0xef:
                return 'uefi', table, partitions
    table = partitions[0]['table'] if partitions else None
    return 'bios', table, partitions


def _exists(g, path, kind='file'):
    func = g.is_file if kind == 'file' else g.is_dir
    return bool(_quiet(func, path, default=False))


def _glob(g, pattern):
    return _quiet(g.glob_expand, pattern, default=[]) or []


def _linux_boot_loader(g, firmware):
    if _glob(g, '/boot/efi/EFI/*/grubx64.efi') or _exists(
            g, '/boot/grub2/grub.cfg') or _exists(g, '/boot/grub/grub.cfg'):
        return 'grub2'
    if _exists(g, '/boot/grub/menu.lst') or _exists(g, '/boot/grub/grub.conf'):
        return 'grub-legacy'
    if _exists(g, '/boot/loader/loader.conf') or _glob(
            g, '/boot/efi/loader/loader.conf'):
        return 'systemd-boot'
    if _exists(g, '/etc/lilo.conf'):
        return 'lilo'
    if _exists(g, '/etc/extlinux.conf') or _exists(
            g, '/boot/extlinux/extlinux.conf'):
        return 'extlinux'
    return None


def _linux_virtio(g):
    found = set()
    for base in ('/lib/modules', '/usr/lib/modules'):
        for kernel in _glob(g, base + '/*/'):
            for module in VIRTIO_MODULES:
                if _glob(g, '%s/kernel/drivers/*/%s.ko*' % (
                        kernel.rstrip('/'), module)) or _glob(
                        g, '%s/kernel/drivers/*/*/%s.ko*' % (
                            kernel.rstrip('/'), module)):
                    found.add(module)
            builtin = kernel.rstrip('/') + '/modules.builtin'
            if _exists(g, builtin):
                text = _quiet(g.read_file, builtin, default=b'') or b''
                for module in VIRTIO_MODULES:
                    if (module + '.ko').encode() in text:
                        found.add(module)
    return sorted(found)


def _windows_virtio(g, root):
    systemroot = _quiet(g.inspect_get_windows_systemroot, root)
    if not systemroot:
        return []
    drivers = _quiet(g.case_sensitive_path,
                     systemroot + '/system32/drivers')
    if not drivers:
        return []
    names = {n.lower() for n in _quiet(g.ls, drivers, default=[])}
    return sorted(n for n in WINDOWS_VIRTIO_DRIVERS if n in names)


def _applications(g, root):
    apps = _quiet(g.inspect_list_applications2, root, default=[]) or []
    return [{'name': a.get('app2_name') or '',
             'display_name': a.get('app2_display_name') or '',
             'version': a.get('app2_version') or ''} for a in apps]


def _vmware_tools(g, root, os_type, apps):
    packages = []
    for app in apps:
        name = (app['display_name'] or app['name']).lower()
        if any(tools in name for tools in VMWARE_TOOLS_NAMES):
            packages.append(app['display_name'] or app['name'])
    files = []
    if os_type == 'linux':
        # Binaries only: configuration files may outlive a removal.
        for path in ('/usr/bin/vmtoolsd', '/usr/sbin/vmtoolsd',
                     '/usr/lib/vmware-tools/sbin64/vmtoolsd'):
            if _exists(g, path):
                files.append(path)
    elif os_type == 'windows':
        path = _quiet(g.case_sensitive_path,
                      '/Program Files/VMware/VMware Tools')
        if path and _exists(g, path, 'dir'):
            files.append(path)
    return {'installed': bool(packages or files),
            'packages': sorted(set(packages)), 'files': files}


def probe(drives):
    try:
        import guestfs  # Debian's python3-guestfs
    except ImportError as exc:
        return {'error': '%s: install python3-guestfs for %s' % (
            exc, sys.executable), 'cause': 'missing_tools'}

    g = guestfs.GuestFS(python_return_dict=True)
    for fmt, path in drives:
        g.add_drive_opts(path, readonly=True, format=fmt)
    g.launch()
    roots = g.inspect_os()
    if not roots:
        return {'error': 'no operating system found on the disks',
                'cause': 'no_operating_system'}
    root = roots[0]
    os_info = {'root': root}
    for key in ('type', 'distro', 'product_name', 'product_variant',
                'osinfo', 'arch', 'package_format', 'package_management',
                'hostname'):
        value = _quiet(getattr(g, 'inspect_get_' + key), root)
        os_info[key] = None if value in (None, 'unknown', '') else value
    os_info['major_version'] = _quiet(g.inspect_get_major_version, root)
    os_info['minor_version'] = _quiet(g.inspect_get_minor_version, root)
    if os_info['major_version'] is not None:
        os_info['version'] = '%s.%s' % (os_info['major_version'],
                                        os_info['minor_version'] or 0)
    mountpoints = _quiet(g.inspect_get_mountpoints, root, default={}) or {}
    for mountpoint, device in sorted(mountpoints.items(),
                                     key=lambda kv: len(kv[0])):
        try:
            g.mount_ro(device, mountpoint)
        except RuntimeError:
            pass
    firmware, table, partitions = _firmware(g)
    apps = _applications(g, root)
    if os_info['type'] == 'windows':
        boot_loader = 'windows-bootmgr'
        virtio = _windows_virtio(g, root)
        os_info['windows_systemroot'] = _quiet(
            g.inspect_get_windows_systemroot, root)
    else:
        boot_loader = _linux_boot_loader(g, firmware)
        virtio = _linux_virtio(g)
    kernels = sorted(app['name'] for app in apps
                     if app['name'].startswith(('linux-image-', 'kernel')))
    result = {
        'roots': roots,
        'os': os_info,
        'firmware': firmware,
        'partition_table': table,
        'partitions': partitions,
        'mountpoints': mountpoints,
        'boot_loader': boot_loader,
        'drivers': {'virtio': bool(virtio), 'virtio_drivers': virtio,
                    'kernels': kernels},
        'vmware_tools': _vmware_tools(g, root, os_info['type'], apps),
        'applications': len(apps),
    }
    g.umount_all()
    g.shutdown()
    g.close()
    return result


def main(argv):
    drives = []
    for arg in argv[1:]:
        fmt, _, path = arg.partition(':')
        drives.append((fmt or None, path))
    try:
        result = probe(drives)
    except Exception as exc:  # noqa: BLE001 - reported as JSON
        result = {'error': str(exc).strip(), 'cause': None}
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write('\n')
    return 1 if 'error' in result else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

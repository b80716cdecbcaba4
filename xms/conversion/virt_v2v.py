"""Guest conversion with virt-v2v-in-place.

The copied target disks (attached to this worker, never the source) are
converted in place: VirtIO drivers, boot loader and initramfs, removal
of VMware Tools, the QEMU guest agent at first boot. The conversion runs
on qcow2 overlays (:mod:`xms.conversion.disks`) committed only on
success. Its output is handed line by line to a callback (the job's
events) and a failure names its cause (:mod:`xms.conversion.output`).

Per-job options come from the job's ``target_spec['conversion']``
(a dict) over the ``[conversion]`` defaults:

``remove_vmware_tools`` (bool)
    virt-v2v 2.2 always removes VMware Tools from Linux guests; asking
    to keep them gives a warning line, not a failure.
``firstboot_scripts`` (list of paths on the worker)
    installed with ``virt-customize --firstboot`` on the converted
    overlay (virt-v2v 2.2 has no such option), before the commit.
``static_ips`` (list of ``{mac, ip, gateway, prefix, nameservers}``)
    passed as ``--mac MAC:ip:...``; virt-v2v applies them to Windows
    guests (Linux guests keep their MAC-based configuration).

Windows guests need ``[conversion]/virtio_win`` (exported as
``VIRTIO_WIN``); without it the conversion fails before it starts and
:func:`preflight_status` lets preflight Block the VM.
"""

import os
import time

from oslo_log import log as logging

from xms.conf import CONF
from xms.conversion import base
from xms.conversion import disks
from xms.conversion import errors
from xms.conversion import inspector
from xms.conversion import output
from xms.conversion import process

LOG = logging.getLogger(__name__)

TOOL = 'virt-v2v-in-place'
#: Lines of the tool output returned to the caller (events keep them).
MAX_RETURNED_LINES = 200


def conversion_options(job=None, overrides=None):
    """The options of one conversion: job's ``target_spec['conversion']``
    and ``overrides`` over ``[conversion]``.

    :raises ConversionFailed: an option has the wrong shape.
    """
    opts = CONF.conversion
    result = {'remove_vmware_tools': opts.remove_vmware_tools,
              'firstboot_scripts': [],
              'static_ips': [],
              'virtio_win': opts.virtio_win,
              'use_overlay': opts.use_overlay}
    spec = getattr(job, 'target_spec', None) or {}
    for source in (spec.get('conversion'), overrides):
        if not source:
            continue
        if not isinstance(source, dict):
            raise errors.ConversionFailed(
                reason='conversion options must be a mapping',
                cause='options')
        for key, value in source.items():
            if key not in result:
                raise errors.ConversionFailed(
                    reason='unknown conversion option %s' % key,
                    cause='options')
            result[key] = value
    # The job's scripts first, then the operator's.
    result['firstboot_scripts'] = (list(result['firstboot_scripts'] or [])
                                   + list(opts.firstboot_scripts or []))
    for ip in result['static_ips']:
        if not isinstance(ip, dict) or not ip.get('mac') or not ip.get('ip'):
            raise errors.ConversionFailed(
                reason='static_ips entries need "mac" and "ip"',
                cause='options')
    return result


def mac_argument(entry):
    """``--mac`` value for a static IP: ``MAC:ip:IP[,GW[,LEN[,NS...]]]``."""
    fields = [entry['ip']]
    rest = [entry.get('gateway') or '',
            str(entry['prefix']) if entry.get('prefix') is not None else '']
    rest += list(entry.get('nameservers') or [])
    while rest and not rest[-1]:
        rest.pop()
    fields += rest
    return '%s:ip:%s' % (entry['mac'].lower(), ','.join(fields))


def virtio_win_status(path=None):
    """Whether VirtIO drivers for Windows are available on this worker.

    :returns: ``(available, message)``.
    """
    path = path if path is not None else CONF.conversion.virtio_win
    if not path:
        return False, ('[conversion]/virtio_win is not set: Windows guests '
                       'cannot get VirtIO drivers.')
    if not os.path.exists(path):
        return False, ('[conversion]/virtio_win (%s) does not exist on this '
                       'worker.' % path)
    return True, 'virtio-win at %s.' % path


def preflight_status(os_type):
    """What preflight should say about converting a guest of ``os_type``.

    :param os_type: ``windows``, ``linux`` or None (unknown).
    :returns: ``(status, message, remediation)``; status is ``pass``,
        ``warn`` or ``block``.
    """
    if os_type == 'windows':
        available, message = virtio_win_status()
        if not available:
            return ('block', message,
                    'Install virtio-win on the workers and set '
                    '[conversion]/virtio_win to its ISO or directory.')
        return 'pass', message, None
    if os_type == 'linux':
        return 'pass', 'virt-v2v converts Linux guests.', None
    return ('warn', 'The guest OS is not known before inspection; '
            'virt-v2v converts Linux and Windows guests only.',
            'Check the guest OS on the source.')


def build_command(xml_path, options):
    """The virt-v2v-in-place command line (without the environment)."""
    cmd = [TOOL, '-i', 'libvirtxml', xml_path]
    for entry in options.get('static_ips') or []:
        cmd += ['--mac', mac_argument(entry)]
    return cmd


def _tool_env(options):
    env = process.libguestfs_env()
    if options.get('virtio_win'):
        env['VIRTIO_WIN'] = options['virtio_win']
    return env


def convert_disks(disk_paths, inspection=None, options=None,
                  log_callback=None, name='guest'):
    """Convert the guest on ``disk_paths`` in place (through overlays).

    :param disk_paths: target disk paths, boot disk first.
    :param inspection: result of :func:`inspector.inspect`, used to
        refuse Windows guests early when virtio-win is missing.
    :param options: :func:`conversion_options` result.
    :param log_callback: called with every output line.
    :returns: dict ``{'lines', 'warnings', 'elapsed', 'overlay'}``.
    :raises ConversionFailed: with ``cause`` set.
    """
    options = options or conversion_options()
    say = log_callback or (lambda line: LOG.info('%s: %s', name, line))
    inspection = inspection or {}
    if not disk_paths:
        raise errors.ConversionFailed(reason='no disks to convert',
                                      cause='no_disks')
    if inspection.get('os_type') == 'windows':
        available, message = virtio_win_status(options.get('virtio_win'))
        if not available:
            raise errors.ConversionFailed(
                reason=message + ' Set [conversion]/virtio_win.',
                cause='virtio_win_missing')
    for script in options.get('firstboot_scripts') or []:
        # Checked before the long conversion, not after it.
        if not os.path.isfile(script):
            raise errors.ConversionFailed(
                reason='firstboot script %s does not exist' % script,
                cause='options')
    notes = []
    if not options.get('remove_vmware_tools', True):
        notes.append('warning: keeping VMware Tools was requested, but '
                     'virt-v2v removes them during the conversion')
    for note in notes:
        say(note)

    use_overlay = options.get('use_overlay', True)
    work = disks.work_dir()
    xml_path = os.path.join(work, '%s.xml' % _safe_name(name))
    paths = [] if use_overlay else list(disk_paths)
    committed = False
    try:
        if use_overlay:
            for path in disk_paths:
                paths.append(disks.prepare_conversion_disk(path))
        xml_path = disks.write_domain_xml(work, _safe_name(name), paths)
        cmd = build_command(xml_path, options)
        say('Running %s on %d disk(s)%s' % (
            TOOL, len(paths), ' (qcow2 overlays)' if use_overlay else ''))
        result = process.run(cmd, CONF.conversion.timeout,
                             line_callback=say, env=_tool_env(options),
                             keep=MAX_RETURNED_LINES)
        if not result.ok:
            cause, reason = output.describe_failure(result, 'conversion')
            raise errors.ConversionFailed(reason=reason, cause=cause)
        for script in options.get('firstboot_scripts') or []:
            _install_firstboot(paths, script, say)
        if use_overlay:
            for overlay in paths:
                disks.commit(overlay)
            committed = True
            say('Conversion committed to the target disks')
        return {'lines': notes + result.lines,
                'warnings': output.warnings(result.lines)
                + [n.split(': ', 1)[1] for n in notes],
                'elapsed': round(result.elapsed, 1),
                'overlay': use_overlay}
    finally:
        if use_overlay and not committed:
            for overlay in paths:
                disks.discard(overlay)
        if os.path.exists(xml_path):
            os.unlink(xml_path)


def _install_firstboot(paths, script, say):
    cmd = ['virt-customize']
    for path in paths:
        # --format applies to the -a options after it.
        cmd += ['--format', disks.disk_format(path), '-a', path]
    cmd += ['--firstboot', script]
    say('Installing firstboot script %s' % os.path.basename(script))
    result = process.run(cmd, CONF.conversion.timeout, line_callback=say)
    if not result.ok:
        cause, reason = output.describe_failure(result, 'firstboot')
        raise errors.ConversionFailed(reason=reason, cause=cause)


def _safe_name(name):
    return ''.join(c if c.isalnum() or c in '-_' else '-'
                   for c in str(name))[:60] or 'guest'


def _event_callback(context, job, event_type):
    """Record each line as an event of ``job`` (never raises)."""
    from xms.common import events

    def record(line):
        if not line.strip():
            return
        try:
            events.record(context, 'job', event_type, line, job=job,
                          severity='warning' if ': warning:' in line
                          or line.startswith('warning:') else 'info')
        except Exception:  # noqa: BLE001 - an event never fails the work
            LOG.warning('Could not record %s event of job %s',
                        event_type, getattr(job, 'uuid', None),
                        exc_info=True)
    return record


class VirtV2vConverter(base.Converter):
    """virt-v2v-in-place on the target disks, inspection by libguestfs."""

    def inspect(self, context, job, disk_paths, log_callback=None):
        if log_callback is None and job is not None:
            log_callback = _event_callback(context, job,
                                           'inspection_output')
        return inspector.inspect(disk_paths, line_callback=log_callback)

    def convert(self, context, job, disk_paths, inspection, options=None,
                log_callback=None):
        if log_callback is None and job is not None:
            log_callback = _event_callback(context, job,
                                           'conversion_output')
        opts = conversion_options(job, options)
        name = getattr(job, 'uuid', None) or 'guest'
        start = time.monotonic()
        result = convert_disks(disk_paths, inspection, opts,
                               log_callback=log_callback, name=name)
        LOG.info('Converted the guest of job %s in %.0f s', name,
                 time.monotonic() - start)
        return result['lines']

"""Read what virt-v2v and guestfish print.

The tools report progress as ``[  30.8] Converting ...`` lines, warnings
as ``virt-v2v-in-place: warning: ...`` and a failure as
``<tool>: error: <message>`` followed by continuation lines and a
boilerplate paragraph about bug reports. A job's error must name the
cause in words the operator can act on, so the error paragraph is cut
out of the output and matched against the causes we know.
"""

import re

_ERROR_RE = re.compile(
    r'^(?P<tool>virt-[\w-]+|guestfish|libguestfs): error: (?P<msg>.*)$')
_WARNING_RE = re.compile(
    r'^(?P<tool>virt-[\w-]+|guestfish): warning: (?P<msg>.*)$')
_PROGRESS_RE = re.compile(r'^\[\s*(?P<secs>\d+(?:\.\d+)?)\]\s+(?P<msg>.+)$')
# Where the tool's own text ends and the bug-report boilerplate starts.
_BOILERPLATE = ('If reporting bugs', 'To see full error messages',
                'virt-v2v -v -x', 'Do:')
_MAX_ERROR_CHARS = 800

#: (cause, pattern, advice) in order of precedence.
CAUSES = (
    ('no_operating_system',
     re.compile(r'inspection could not detect|no operating system|'
                r'no root device found|no root filesystem', re.I),
     'No operating system was found on the disks: check that the right '
     'disks were copied and that the boot disk is first.'),
    ('multiple_operating_systems',
     re.compile(r'multiple operating systems|multi-boot|--root', re.I),
     'The disks hold several operating systems; virt-v2v converts one.'),
    ('no_space',
     re.compile(r'No space left on device|not enough free space|'
                r'insufficient free space', re.I),
     'The guest has too little free space for the conversion (the '
     'initramfs is rebuilt inside the guest): free space in the guest, '
     'or grow the disk, then retry.'),
    ('virtio_win_missing',
     re.compile(r'virtio.win|no virtio drivers|VIRTIO_WIN', re.I),
     'Windows guests need VirtIO drivers: set [conversion]/virtio_win to '
     'the virtio-win ISO or directory on the workers.'),
    ('encrypted',
     re.compile(r'LUKS|encrypted|BitLocker|passphrase', re.I),
     'The guest has encrypted disks that cannot be opened for the '
     'conversion.'),
    ('unclean_filesystem',
     re.compile(r'hibernat|unclean|Fast Startup|dirty', re.I),
     'The guest was hibernated or not shut down cleanly: boot it on the '
     'source, shut it down fully (no Fast Startup) and copy it again.'),
    ('unsupported_guest',
     re.compile(r'not supported|unsupported|cannot be converted|'
                r'don.t know how to convert', re.I),
     'virt-v2v does not support converting this guest.'),
    ('appliance',
     re.compile(r'supermin|appliance|qemu-system|killed by signal|'
                r'failed to set MSR|/dev/kvm|guestfs_launch', re.I),
     'The libguestfs appliance did not start: check that a kernel '
     '(linux-image-amd64) is installed on the worker and, where nested '
     'KVM does not work, set [conversion]/libguestfs_backend_settings to '
     'force_tcg.'),
)


def error_paragraph(lines):
    """The last ``<tool>: error:`` message of the output, with its
    continuation lines, or None.

    :param lines: output lines.
    :returns: ``(tool, message)`` or None.
    """
    found = None
    for index, line in enumerate(lines):
        match = _ERROR_RE.match(line.strip())
        if match:
            found = (index, match.group('tool'), match.group('msg'))
    if found is None:
        return None
    index, tool, message = found
    parts = [message.strip()]
    for line in lines[index + 1:]:
        text = line.strip()
        if not text or text.startswith(_BOILERPLATE):
            break
        parts.append(text)
    message = ' '.join(p for p in parts if p)
    if len(message) > _MAX_ERROR_CHARS:
        message = message[:_MAX_ERROR_CHARS - 3] + '...'
    return tool, message


def classify(message):
    """The known cause of an error message.

    :returns: ``(cause, advice)``; ``('unknown', None)`` when no known
        cause matches.
    """
    for cause, pattern, advice in CAUSES:
        if pattern.search(message or ''):
            return cause, advice
    return 'unknown', None


def warnings(lines):
    """The ``<tool>: warning:`` messages of the output, in order."""
    found = []
    for line in lines:
        match = _WARNING_RE.match(line.strip())
        if match:
            found.append(match.group('msg').strip())
    return found


def progress(line):
    """``(seconds, message)`` of a ``[  30.8] Converting ...`` line, or
    None for any other line."""
    match = _PROGRESS_RE.match(line.strip())
    if not match:
        return None
    return float(match.group('secs')), match.group('msg').strip()


def describe_failure(result, what):
    """A one-line reason for a failed tool run, naming the cause.

    :param result: a :class:`xms.conversion.process.Result`.
    :param what: what was being done, e.g. ``'conversion'``.
    :returns: ``(cause, reason)``.
    """
    if result.timed_out:
        return 'timeout', ('%s did not finish within %d s and was stopped'
                           % (what, int(result.elapsed)))
    paragraph = error_paragraph(result.lines)
    if paragraph is None:
        tail = [line.strip() for line in result.lines if line.strip()][-3:]
        message = ' / '.join(tail) or 'no output'
        cause, advice = classify(message)
        reason = '%s exited with status %s: %s' % (
            result.cmd[0], result.returncode, message)
    else:
        tool, message = paragraph
        cause, advice = classify(message)
        reason = '%s: %s' % (tool, message)
    if advice:
        reason = '%s (%s)' % (reason, advice)
    return cause, reason

"""Guest checks: OS supported by conversion, VMware Tools, Windows
specifics."""

from xms.conf import CONF
from xms.preflight import base


def _wants_conversion(data):
    if CONF.conversion.driver == 'none':
        return False
    spec = data.target_spec or {}
    for key in ('convert_guest', 'convert'):
        if spec.get(key) is False:
            return False
    return True


class ConversionSupportCheck(base.Check):
    name = 'guest_conversion'
    category = base.GUEST

    def run(self, data):
        family = data.vm.guest_family
        if not _wants_conversion(data):
            return self.warn(
                'Guest conversion is off: the guest must already have '
                'virtio drivers to boot on KVM.',
                'Turn conversion on unless the guest is known to boot on '
                'KVM.')
        if family == 'linuxGuest':
            return self.passed('virt-v2v converts Linux guests.')
        if family == 'windowsGuest':
            if not CONF.conversion.virtio_win:
                return self.block(
                    'Windows guests need VirtIO drivers and no virtio-win '
                    'is configured.',
                    'Set [conversion]/virtio_win to the virtio-win ISO or '
                    'directory on the workers.')
            return self.passed('virt-v2v converts Windows guests with '
                               'virtio-win.')
        return self.block(
            'Guest conversion does not support this guest (%s).'
            % (data.vm.guest_full_name or data.vm.guest_id or family
               or 'unknown'),
            'Migrate without conversion only if the guest already boots '
            'on KVM; otherwise rebuild it.')


class ToolsCheck(base.Check):
    name = 'vmware_tools'
    category = base.GUEST

    def run(self, data):
        status = data.vm.tools_status
        if status in ('running', 'executingScripts'):
            return self.passed('VMware Tools are running (version %s).'
                               % (data.vm.tools_version or '?'))
        if status == 'notInstalled':
            return self.warn(
                'VMware Tools are not installed: the guest cannot be shut '
                'down cleanly at cutover and its OS is not reported.',
                'Install VMware Tools (open-vm-tools) before migrating.')
        return self.warn(
            'VMware Tools are not running (%s): cutover powers the VM off '
            'hard after the shutdown timeout.' % (status or 'unknown'),
            'Start VMware Tools in the guest, or shut the guest down '
            'yourself before cutover.')


class WindowsSpecificsCheck(base.Check):
    name = 'windows_specifics'
    category = base.GUEST

    def run(self, data):
        if data.vm.guest_family != 'windowsGuest':
            return self.passed('Not a Windows guest.')
        return self.warn(
            'vSphere does not report hibernation, Fast Startup or '
            'BitLocker state; a hibernated or BitLocker-locked disk cannot '
            'be converted.',
            'In the guest, disable Fast Startup and hibernation '
            '("powercfg /h off") and suspend BitLocker before migrating.')

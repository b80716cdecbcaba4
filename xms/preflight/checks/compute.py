"""Compute checks: firmware, Secure Boot, hardware version, OS family,
CPU and RAM fit of a flavor."""

from xms.conf import CONF
from xms.preflight import base
from xms.sources import base as source_base
from xms.targets import flavors as target_flavors

SUPPORTED_FAMILIES = ('linuxGuest', 'windowsGuest')
UNSUPPORTED_FAMILIES = ('darwinGuest', 'solarisGuest', 'netwareGuest')


class FirmwareCheck(base.Check):
    name = 'firmware'
    category = base.COMPUTE

    def run(self, data):
        firmware = data.vm.firmware
        if firmware == 'bios':
            return self.passed('BIOS firmware; the target boots with BIOS.')
        if firmware == 'efi':
            return self.passed('UEFI firmware; the target is built with '
                               'hw_firmware_type=uefi.')
        return self.warn(
            'The firmware type is unknown (%s).' % (firmware or 'not '
                                                    'reported'),
            'Rescan the source; if vSphere still reports no firmware, set '
            'the firmware of the target image by hand.')


class SecureBootCheck(base.Check):
    name = 'secure_boot'
    category = base.COMPUTE

    def run(self, data):
        vm = data.vm
        if vm.firmware != 'efi':
            return self.passed('Secure Boot does not apply to BIOS '
                               'firmware.')
        if vm.secure_boot:
            return self.warn(
                'UEFI Secure Boot is enabled on the source; it is recorded '
                'and the target needs Secure Boot support '
                '(os_secure_boot).',
                'Check the target cloud offers Secure Boot, or disable '
                'Secure Boot on the source before migrating.')
        return self.passed('UEFI without Secure Boot.')


class HardwareVersionCheck(base.Check):
    name = 'hardware_version'
    category = base.COMPUTE

    def run(self, data):
        version = source_base.hardware_version_number(
            data.vm.hardware_version)
        low = CONF.preflight.min_hardware_version
        high = CONF.preflight.max_hardware_version
        if version is None:
            return self.warn(
                'The virtual hardware version is unknown.',
                'Rescan the source to read the VM\'s compatibility level.')
        if version < low:
            return self.block(
                'Virtual hardware version %d is older than %d, the oldest '
                'the transport library reads.' % (version, low),
                'Upgrade the VM\'s compatibility (hardware version) in '
                'vSphere.')
        if version > high:
            return self.warn(
                'Virtual hardware version %d is newer than %d, the newest '
                'known to work with the transport library.' % (version,
                                                                high),
                'Test one VM of this version first, or raise '
                '[preflight]/max_hardware_version once it is validated.')
        return self.passed('Virtual hardware version %d is supported.'
                           % version)


class GuestOsFamilyCheck(base.Check):
    name = 'guest_os_family'
    category = base.COMPUTE

    def run(self, data):
        family = data.vm.guest_family
        described = data.vm.guest_full_name or data.vm.guest_id or '?'
        if family in SUPPORTED_FAMILIES:
            return self.passed('Guest OS family %s (%s) is supported.'
                               % (family, described))
        if family in UNSUPPORTED_FAMILIES:
            return self.block(
                'Guest OS family %s (%s) cannot run on OpenStack/KVM '
                'through XMS.' % (family, described),
                'Rebuild the workload on a supported OS.')
        return self.warn(
            'The guest OS family is not known (%s, guest id %s).'
            % (family or 'not reported', data.vm.guest_id or '-'),
            'Install or start VMware Tools so vSphere reports the guest, '
            'or set the right guest OS on the VM.')


def find_flavor(flavors, wanted):
    for flavor in flavors:
        if wanted in (flavor.get('id'), flavor.get('name')):
            return flavor
    return None


def wanted_flavor(target_spec):
    """The flavor a target spec names (``flavor_id`` or ``flavor``)."""
    spec = target_spec or {}
    return spec.get('flavor_id') or spec.get('flavor')


class FlavorFitCheck(base.Check):
    name = 'flavor_fit'
    category = base.COMPUTE

    def run(self, data):
        if not data.can_inspect_target:
            return self.not_checked()
        vm = data.vm
        flavors = data.flavors()
        wanted = wanted_flavor(data.target_spec)
        if wanted:
            flavor = find_flavor(flavors, wanted)
            if flavor is None:
                return self.block(
                    'Flavor %s does not exist in the target project.'
                    % wanted,
                    'Choose an existing flavor or leave it empty for the '
                    'best match.')
            if (flavor.get('vcpus', 0) < (vm.num_cpus or 0)
                    or flavor.get('ram', 0) < (vm.memory_mb or 0)):
                return self.warn(
                    'Flavor %s (%s vCPU, %s MiB) is smaller than the '
                    'source (%s vCPU, %s MiB).' % (
                        flavor.get('name'), flavor.get('vcpus'),
                        flavor.get('ram'), vm.num_cpus, vm.memory_mb),
                    'Choose a larger flavor unless the smaller size is '
                    'intended.')
            return self.passed('Flavor %s fits %s vCPU and %s MiB.' % (
                flavor.get('name'), vm.num_cpus, vm.memory_mb))
        # The same choice the job makes when it is given no flavor.
        fits = target_flavors.fitting(flavors, vm.num_cpus, vm.memory_mb)
        flavor = fits[0] if fits else None
        if flavor is None:
            return self.block(
                'No flavor of the target project has %s vCPU and %s MiB '
                'of RAM.' % (vm.num_cpus, vm.memory_mb),
                'Ask an operator for a large enough flavor.')
        return self.passed('Best matching flavor: %s (%s vCPU, %s MiB).'
                           % (flavor.get('name'), flavor.get('vcpus'),
                              flavor.get('ram')))

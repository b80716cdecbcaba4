"""Migration readiness: VM present, power state, CBT for warm, source
reachable, compute quota."""

from xms.preflight import base
from xms.preflight.checks import compute
from xms.sources import base as source_base


class VmPresentCheck(base.Check):
    name = 'vm_present'
    category = base.READINESS

    def run(self, data):
        if data.vm.missing:
            return self.block(
                'The VM was not found by the last discovery of its '
                'source.',
                'Rescan the source; the VM may have been deleted, renamed '
                'into another datacenter or unregistered.')
        return self.passed('The VM was seen by the last discovery.')


class PowerStateCheck(base.Check):
    name = 'power_state'
    category = base.READINESS

    def run(self, data):
        state = data.vm.power_state
        if state == 'suspended':
            return self.block('The VM is suspended.',
                              'Resume or power off the VM.')
        if data.mode == base.COLD:
            if state == 'poweredOn':
                return self.warn(
                    'The VM is running: a cold migration powers it off '
                    'for the whole job.',
                    'Plan the downtime, or use a warm migration.')
            if state == 'poweredOff':
                return self.passed('The VM is powered off.')
        else:
            if state == 'poweredOn':
                return self.passed('The VM is running; it keeps running '
                                   'until cutover.')
            if state == 'poweredOff':
                return self.warn(
                    'The VM is powered off: a warm migration gains nothing '
                    'over a cold one.',
                    'Use a cold migration.')
        return self.warn('The power state is unknown (%s).' % state,
                         'Rescan the source.')


class CbtCheck(base.Check):
    name = 'cbt'
    category = base.READINESS

    def run(self, data):
        vm = data.vm
        if data.mode != base.WARM:
            return self.passed('Changed Block Tracking is not needed for '
                               'a cold migration.')
        version = source_base.hardware_version_number(vm.hardware_version)
        minimum = source_base.CBT_MIN_HARDWARE_VERSION
        if version is not None and version < minimum:
            return self.block(
                'Changed Block Tracking needs virtual hardware version %d '
                'or newer; the VM has %d.' % (minimum, version),
                'Upgrade the VM\'s compatibility or use a cold migration.')
        rdm = [d.label or str(d.device_key) for d in data.disks
               if d.is_rdm]
        if rdm:
            return self.block(
                'Raw device mappings (%s) cannot be tracked.'
                % ', '.join(rdm),
                'Use a cold migration or convert the RDMs first.')
        if vm.cbt_enabled:
            return self.passed('Changed Block Tracking is enabled.')
        if vm.snapshot_count:
            return self.warn(
                'Changed Block Tracking is off and the VM has snapshots; '
                'XMS enables it at start but vSphere may not track changes '
                'until the snapshots are gone.',
                'Delete the VM\'s snapshots before a warm migration.')
        return self.passed('Changed Block Tracking is available; XMS '
                           'enables it when the migration starts (one '
                           'short snapshot).')


class SourceReachableCheck(base.Check):
    name = 'source_reachable'
    category = base.READINESS

    def run(self, data):
        probe = data.source_probe
        if probe is not None:
            if probe.get('reachable'):
                return self.passed('The source answers and accepts the '
                                   'credential.')
            return self.block(
                'The source cannot be used: %s' % probe.get('reason'),
                'Fix the source (host, credential, certificate) and test '
                'its connection.')
        source = data.source
        status = getattr(source, 'status', None)
        if status == 'connected':
            return self.passed('The source was connected when last '
                               'checked.')
        if status in ('disconnected', 'error'):
            return self.block(
                'The source is %s: %s' % (status, source.status_reason
                                          or 'no reason recorded'),
                'Fix the source and test its connection.')
        return self.warn('The source\'s connection was never tested.',
                         'Test the source\'s connection.')


class ComputeQuotaCheck(base.Check):
    name = 'compute_quota'
    category = base.READINESS

    def run(self, data):
        if not data.can_inspect_target:
            return self.not_checked()
        vm = data.vm
        vcpus, ram = vm.num_cpus or 0, vm.memory_mb or 0
        wanted = compute.wanted_flavor(data.target_spec)
        flavor = (compute.find_flavor(data.flavors(), wanted)
                  if wanted else None)
        if flavor is not None:
            vcpus = flavor.get('vcpus', vcpus)
            ram = flavor.get('ram', ram)
        needs = {'instances': 1, 'cores': vcpus, 'ram': ram}
        short, unknown = base.quota_shortfalls(data.quotas(), needs)
        if short:
            return self.block(
                'Not enough compute quota: %s.' % ', '.join(
                    '%s needs %s, %s free' % s for s in short),
                'Ask an operator to raise the project\'s quota or free '
                'resources.')
        if unknown:
            return self.warn(
                'The target did not report quota for %s.'
                % ', '.join(unknown),
                'Check the project\'s compute quota by hand.')
        return self.passed('Compute quota fits 1 instance, %s cores and '
                           '%s MiB.' % (vcpus, ram))

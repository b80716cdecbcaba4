"""Storage checks: disks, special disks, snapshots, volume quota."""

from xms.preflight import base

MULTI_WRITER = 'sharingMultiWriter'


def _gib(nbytes):
    return nbytes / base.GIB


class DisksCheck(base.Check):
    name = 'disks'
    category = base.STORAGE

    def run(self, data):
        disks = data.disks
        if not disks:
            return self.block('The VM has no virtual disk to migrate.',
                              'Nothing to copy: attach a disk or rescan.')
        empty = [d.label or str(d.device_key) for d in disks
                 if not d.capacity_bytes]
        if empty:
            return self.block(
                'Disk(s) %s report no size.' % ', '.join(empty),
                'Rescan the source; a disk without a size cannot be '
                'copied.')
        total = sum(d.capacity_bytes for d in disks)
        return self.passed('%d disk(s), %.1f GiB in total; one volume per '
                           'disk.' % (len(disks), _gib(total)))


class SpecialDisksCheck(base.Check):
    """RDM, independent and shared (multi-writer) disks."""

    name = 'special_disks'
    category = base.STORAGE

    def run(self, data):
        blocks, warns = [], []
        for disk in data.disks:
            label = disk.label or str(disk.device_key)
            if disk.is_rdm:
                blocks.append('%s is a raw device mapping' % label)
            if disk.sharing == MULTI_WRITER:
                blocks.append('%s is shared (multi-writer)' % label)
            if (disk.disk_mode or '').startswith('independent'):
                text = ('%s is independent (%s), so snapshots and change '
                        'tracking skip it' % (label, disk.disk_mode))
                if data.mode == base.WARM:
                    blocks.append(text)
                else:
                    warns.append(text)
        if blocks:
            return self.block(
                '; '.join(blocks + warns) + '.',
                'Convert RDMs to virtual disks (storage vMotion), switch '
                'independent disks to dependent mode and remove '
                'multi-writer sharing, or detach those disks.')
        if warns:
            return self.warn(
                '; '.join(warns) + '.',
                'Switch the disk to dependent mode, or make sure the VM '
                'stays powered off while it is copied.')
        return self.passed('No RDM, independent or shared disk.')


class SnapshotsCheck(base.Check):
    name = 'existing_snapshots'
    category = base.STORAGE

    def run(self, data):
        vm = data.vm
        if vm.consolidation_needed:
            return self.block(
                'The VM\'s disks need consolidation.',
                'Run "Snapshots > Consolidate" on the VM in vSphere.')
        if vm.snapshot_count:
            return self.warn(
                'The VM has %d snapshot(s); the migrated disks are the '
                'current state, and snapshot chains slow reads down.'
                % vm.snapshot_count,
                'Delete the snapshots you do not need before migrating.')
        return self.passed('No existing snapshot.')


class VolumeQuotaCheck(base.Check):
    name = 'volume_quota'
    category = base.STORAGE

    def run(self, data):
        if not data.can_inspect_target:
            return self.not_checked()
        needs = {'volumes': len(data.disks),
                 'gigabytes': data.total_disk_gib()}
        short, unknown = base.quota_shortfalls(data.quotas(), needs)
        if short:
            return self.block(
                'Not enough volume quota: %s.' % ', '.join(
                    '%s needs %s, %s free' % s for s in short),
                'Ask an operator to raise the project\'s volume quota or '
                'free volumes.')
        if unknown:
            return self.warn(
                'The target did not report quota for %s.'
                % ', '.join(unknown),
                'Check the project\'s volume quota by hand.')
        return self.passed('Volume quota fits %(volumes)d volume(s) and '
                           '%(gigabytes)d GiB.' % needs)

"""The "none" converter: for guests that already boot on KVM.

It changes nothing in the guest. Its inspection reports what vSphere
told discovery (firmware, guest OS), which is enough to describe the
boot volume to the target.
"""

from xms.conversion import base
from xms.db import api as db_api


class NoConversion(base.Converter):
    """Leave the guest as it is."""

    def inspect(self, context, job, disk_paths):
        vm = None
        if job.vm_id is not None:
            vm = db_api.vm_get(context.elevated(), job.vm_id)
        firmware = (vm.firmware if vm is not None else None) or 'bios'
        metadata = {'hw_firmware_type': firmware,
                    'hw_disk_bus': 'virtio',
                    'hw_vif_model': 'virtio'}
        if vm is not None and vm.guest_family:
            metadata['os_type'] = ('windows' if 'windows'
                                   in vm.guest_family.lower() else 'linux')
        return {'converter': 'none', 'disks': len(disk_paths),
                'guest_id': vm.guest_id if vm is not None else None,
                'image_metadata': metadata}

    def convert(self, context, job, disk_paths, inspection):
        return ['No guest conversion ([conversion]/driver = none): the '
                'guest is left as it is.']

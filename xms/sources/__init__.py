"""Source drivers: where XMS reads VMs and their disks from."""

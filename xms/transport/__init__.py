"""Disk transport engine: expose (nbdkit), read (libnbd), plan, copy,
checkpoint and verify source disks. See doc/source/admin/transport.rst."""

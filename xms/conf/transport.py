"""Options of the [transport] group: the disk copy engine."""

from oslo_config import cfg

group = cfg.OptGroup('transport', title='Disk transport options')

opts = [
    cfg.StrOpt('nbdkit_path',
               default='nbdkit',
               help='nbdkit executable used to expose source disks.'),
    cfg.IntOpt('nbdkit_start_timeout',
               default=60,
               min=1,
               help='Seconds to wait for nbdkit to serve its socket. The '
                    'vddk plugin logs in to vSphere and opens the disk '
                    'before it serves, which can take a while.'),
    cfg.StrOpt('vddk_libdir',
               help='Directory of the VMware VDDK (vmware-vix-disklib-'
                    'distrib) installed by the operator. When unset the '
                    'vSphere datastore HTTPS path is used instead.'),
    cfg.StrOpt('vddk_transports',
               default='nbdssl:nbd',
               choices=['nbdssl:nbd', 'nbdssl', 'nbd', 'hotadd',
                        'hotadd:nbdssl:nbd'],
               help='VDDK transport modes, in order of preference: '
                    '"nbdssl:nbd" reads over the network from the ESXi '
                    'host (port 902); "hotadd" attaches the snapshot disk '
                    'to the worker, which must then be a VM on the same '
                    'vSphere.'),
    cfg.DictOpt('vddk_compatibility',
                default={},
                help='VDDK major.minor to the vSphere major.minor '
                     'versions it supports, separated by "|", e.g. '
                     '"8.0:6.7|7.0|8.0,7.0:6.5|6.7|7.0". Empty means the '
                     'built-in table (VMware release notes). A copy '
                     'refuses to start on a pair not in the table.'),
    cfg.IntOpt('chunk_size_mib',
               default=8,
               min=1,
               help='Largest plan chunk, in MiB: the unit of checkpoints '
                    'and cancel checks.'),
    cfg.IntOpt('request_size_kib',
               default=1024,
               min=4,
               help='Largest single NBD read and target write, in KiB. '
                    'Chunks are read as several requests of this size; '
                    'small enough to stay in the CPU cache between the '
                    'socket, the write and the digest.'),
    cfg.IntOpt('buffer_mib',
               default=64,
               min=2,
               help='Memory for read buffers per disk, in MiB. This bounds '
                    'the reads in flight and queued for writing '
                    '(buffer_mib * 1024 / request_size_kib) and the '
                    'copier\'s memory whatever the disk size.'),
    cfg.IntOpt('connections',
               default=2,
               min=1,
               help='NBD connections per disk when the server supports '
                    'multi-conn (otherwise one).'),
    cfg.IntOpt('requests_in_flight',
               default=16,
               min=1,
               help='Reads in flight per NBD connection.'),
    cfg.IntOpt('writers_per_disk',
               default=4,
               min=1,
               help='Threads writing (and hashing) chunks per disk. With '
                    'write_mode = direct each keeps one write in flight to '
                    'the target device; 4 was faster than 2 here.'),
    cfg.StrOpt('write_mode',
               default='writeback',
               choices=[
                   ('writeback', 'Write through the page cache and start '
                    'the writeback of each write at once; wait for the '
                    'writes older than write_behind_mib and drop them '
                    'from the page cache.'),
                   ('direct', 'Write chunks of 256 KiB or more with '
                    'O_DIRECT: less CPU per byte, but each writer waits '
                    'for the device.')],
               help='How chunks reach the target device or file. '
                    'writeback was faster on the test machine '
                    '(tools/bench); direct uses less CPU and keeps large '
                    'writes out of the page cache.'),
    cfg.IntOpt('write_behind_mib',
               default=32,
               min=0,
               help='With write_mode = writeback, MiB of large writes '
                    '(256 KiB or more) in flight to the target before the '
                    'oldest is waited for and dropped from the page cache: '
                    'the most page cache they hold per disk. 0 never waits '
                    'and leaves the pages to the kernel (the checkpoint\'s '
                    'fdatasync still makes them durable).'),
    cfg.IntOpt('parallel_disks',
               default=2,
               min=1,
               help='Disks of one job copied at the same time.'),
    cfg.IntOpt('checkpoint_window_mib',
               default=256,
               min=1,
               help='Bytes copied between two durable checkpoints, in MiB. '
                    'A resumed copy re-reads at most one window.'),
    cfg.IntOpt('digest_block_kib',
               default=1024,
               min=4,
               help='Grid of the block-wise disk digests, in KiB.'),
    cfg.StrOpt('digest_algorithm',
               default='xxh3_128',
               choices=['xxh3_128', 'sha256', 'sha512', 'blake2b'],
               help='Hash of each digest block (block digests are then '
                    'chained with SHA-256). xxh3_128 (python xxhash, about '
                    '20 GB/s per core) detects accidental corruption with a '
                    '128-bit digest; sha256 is cryptographic but about ten '
                    'times more CPU (1.6 GB/s per core with SHA extensions) '
                    'and made copies up to twice as slow on a 2 vCPU '
                    'worker.'),
    cfg.IntOpt('incremental_align_kib',
               default=64,
               min=4,
               help='Alignment of changed areas in incremental syncs, in '
                    'KiB (vSphere CBT reports 64 KiB blocks).'),
    cfg.BoolOpt('cbt_allocation_map',
                default=True,
                help='When the NBD server cannot report which blocks of a '
                     'disk are allocated (the nbdkit curl plugin of the '
                     'datastore HTTPS path), ask vSphere Changed Block '
                     'Tracking for them (QueryChangedDiskAreas with change '
                     'id "*") so a full copy reads only allocated blocks '
                     'instead of the whole disk. Needs CBT active when the '
                     'snapshot was taken; otherwise, or when this is off, '
                     'the whole disk is read and zero blocks are detected '
                     'while copying.'),
    cfg.BoolOpt('target_zeroed',
                default=False,
                help='New target volumes read zeros (the storage backend '
                     'guarantees it), so full copies skip zero runs. Files '
                     'the copier creates are always known to read zeros.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)

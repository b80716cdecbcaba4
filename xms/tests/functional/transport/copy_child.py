"""Child process of the kill-and-resume test: copy, checkpointing to a file.

``python -m xms.tests.functional.transport.copy_child URI TARGET CKPT``
copies the NBD export to TARGET with small chunks and windows, writing each
checkpoint atomically (and durably) to CKPT as JSON. The test SIGKILLs it.
"""

import json
import os
import sys

from xms.transport import copier
from xms.transport import extents
from xms.transport import reader as nbd_reader
from xms.transport import writer as nbd_writer

KiB = 1024
MiB = 1024 * KiB
CHUNK = MiB
WINDOW = 4 * MiB
BUFFERS = 4 * MiB


def plan_for(rd):
    return extents.plan_full(rd.size, list(rd.extents()), chunk_size=CHUNK)


def make_copier(**kw):
    return copier.Copier(chunk_size=CHUNK, buffer_bytes=BUFFERS, writers=1,
                         window_bytes=WINDOW, **kw)


def save(path, ck):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(ck.as_dict(), f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
    print('checkpoint %d' % ck.next_chunk, flush=True)


def main(uri, target, ckpt):
    with nbd_reader.NbdReader(uri, connections=1, requests=2) as rd:
        plan = plan_for(rd)
        w = nbd_writer.Writer(target, size=rd.size)
        c = make_copier(checkpoint_cb=lambda ck: save(ckpt, ck))
        c.copy_disk(copier.DiskJob('disk0', rd, w, plan))
        w.close()
    print('done', flush=True)


if __name__ == '__main__':
    main(*sys.argv[1:4])

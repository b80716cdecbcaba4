"""Copy planner: which byte ranges of a disk move, and which become zeros.

A plan is an ordered list of operations over the disk, each either ``copy``
(read from the source, write to the target) or ``zero`` (make the target
read zeros there). Operations are sorted by offset, do not overlap and are
at most ``chunk_size`` bytes (copy) long, so "operation K of plan P" is a
precise resume point: a checkpoint stores the plan id and the index of the
first operation not yet durable. The plan id is a digest of everything
that defines the plan, so a checkpoint taken against another plan (another
snapshot, other changed areas) is refused rather than silently misapplied.

Two kinds of plan:

* ``full``: from the allocation map (NBD ``base:allocation``). Data extents
  are widened to a small alignment (4 KiB) and cut into chunks on a
  ``chunk_size`` grid; zero extents become ``zero`` operations unless the
  target is known to read zeros already (a new sparse file, a volume the
  storage backend guarantees zeroed).
* ``incremental``: from changed areas (vSphere CBT). Only changed areas
  move, at the same offsets, widened to a small alignment; where the
  allocation map says a changed area now reads zeros, a ``zero`` operation
  replaces the read.
"""

import collections
import hashlib
import json

COPY = 'copy'
ZERO = 'zero'
FULL = 'full'
INCREMENTAL = 'incremental'

MiB = 1024 * 1024

#: Default hash of digest pieces (see :mod:`xms.transport.hashing`).
DEFAULT_DIGEST = 'xxh3_128'

#: Largest single zero operation: a zero run is split so that no single
#: punch-hole / BLKZEROOUT call can run for long without a cancel check.
MAX_ZERO_RUN = 1024 * MiB

Op = collections.namedtuple('Op', ['kind', 'offset', 'length'])
Op.__doc__ = 'One plan operation: ``copy`` or ``zero`` of a byte range.'

Extent = collections.namedtuple('Extent', ['offset', 'length', 'zero'])
Extent.__doc__ = ('One allocation-map extent: ``zero`` is True when the '
                  'source reads zeros there (hole or zero flag).')


class Plan:
    """An immutable, identified list of copy and zero operations.

    :param size: virtual size of the disk in bytes.
    :param ops: sequence of :class:`Op`, sorted and non-overlapping.
    :param mode: ``full`` or ``incremental``.
    :param digest_block: size of the hashing grid the plan was built for.
    :param digest_algorithm: hash of each digest piece (see
        :mod:`xms.transport.hashing`).
    """

    def __init__(self, size, ops, mode, digest_block,
                 digest_algorithm=DEFAULT_DIGEST):
        self.size = size
        self.ops = tuple(ops)
        self.mode = mode
        self.digest_block = digest_block
        self.digest_algorithm = digest_algorithm
        canon = json.dumps({'v': 1, 'size': size, 'mode': mode,
                            'block': digest_block,
                            'algorithm': digest_algorithm,
                            'ops': [list(o) for o in self.ops]},
                           separators=(',', ':'))
        self.plan_id = hashlib.sha256(canon.encode()).hexdigest()[:32]
        self.copy_bytes = sum(o.length for o in self.ops if o.kind == COPY)
        self.zero_bytes = sum(o.length for o in self.ops if o.kind == ZERO)

    def __len__(self):
        return len(self.ops)

    def __repr__(self):
        return ('<Plan %s %s size=%d ops=%d copy=%d zero=%d>'
                % (self.plan_id, self.mode, self.size, len(self.ops),
                   self.copy_bytes, self.zero_bytes))

    def domain(self):
        """Byte ranges whose content the plan's digest covers.

        A full plan describes the whole disk (holes included, as zeros); an
        incremental plan describes only what it touches.
        """
        if self.mode == FULL:
            return [(0, self.size)] if self.size else []
        return [(o.offset, o.length) for o in self.ops]

    def windows(self, window_bytes, start=0):
        """Split operation indices into checkpoint windows.

        A window closes once it holds ``window_bytes`` of copy operations
        (zero operations are cheap and count 1/64 of their length, so long
        zero runs still produce checkpoints).

        :param window_bytes: copy bytes per window.
        :param start: first operation (a resumed copy starts there).
        :returns: list of ``(first_index, end_index)`` pairs; never empty.
        """
        out = []
        first = start
        acc = 0
        for i in range(start, len(self.ops)):
            op = self.ops[i]
            acc += op.length if op.kind == COPY else op.length // 64
            if acc >= window_bytes:
                out.append((first, i + 1))
                first = i + 1
                acc = 0
        if first < len(self.ops) or not out:
            out.append((first, len(self.ops)))
        return out


def _merge(ranges, gap=0):
    """Sort and coalesce ``(start, end)`` ranges closer than ``gap``."""
    out = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if out and start <= out[-1][1] + gap:
            if end > out[-1][1]:
                out[-1][1] = end
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _subtract(ranges, holes):
    """Remove merged ``holes`` from merged ``ranges`` (both sorted)."""
    out = []
    j = 0
    for start, end in ranges:
        cur = start
        while j < len(holes) and holes[j][1] <= cur:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            hs, he = holes[k]
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
            k += 1
        if cur < end:
            out.append((cur, end))
    return out


def _intersect(a, b):
    """Intersection of two merged, sorted range lists."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _align_out(ranges, align, size):
    return _merge((s - s % align, min(size, -(-e // align) * align))
                  for s, e in ranges)


def _split(ranges, kind, max_len, grid):
    """Cut ranges into ops of at most ``max_len``, cutting on ``grid``."""
    ops = []
    for start, end in ranges:
        cur = start
        while cur < end:
            # Cut at the next multiple of max_len (absolute offsets), so
            # chunks line up with the target's large aligned blocks.
            nxt = min(end, (cur // grid + 1) * grid
                      if grid else cur + max_len)
            if nxt - cur > max_len:
                nxt = cur + max_len
            ops.append(Op(kind, cur, nxt - cur))
            cur = nxt
    return ops


def _zero_and_data(size, extents):
    """Split the disk into data and zero range lists from extents.

    Parts of the disk the map does not describe are treated as data: the
    planner must never skip bytes it was not told are zero.
    """
    zero = _merge((e.offset, min(size, e.offset + e.length))
                  for e in extents if e.zero)
    data = _subtract([(0, size)], zero)
    return data, zero


def plan_full(size, extents=None, chunk_size=8 * MiB, align=4096,
              target_zeroed=True, digest_block=MiB, merge_gap=0,
              digest_algorithm=DEFAULT_DIGEST):
    """Plan a full copy of a disk.

    :param size: virtual disk size in bytes.
    :param extents: iterable of :class:`Extent` (the allocation map), or
        None to copy everything.
    :param chunk_size: largest copy operation; a multiple of ``align``.
    :param align: data ranges are widened to this alignment.
    :param target_zeroed: True when the target already reads zeros (new
        sparse file, zeroed volume): zero runs are then skipped.
    :param digest_block: hashing grid of the digest (recorded in the plan).
    :param digest_algorithm: piece hash (recorded in the plan).
    :param merge_gap: data ranges closer than this are read as one.
    :returns: a :class:`Plan`.
    """
    _check(chunk_size, align)
    data, _zero = _zero_and_data(size, extents or [])
    data = _merge(_align_out(data, align, size), merge_gap)
    ops = _split(data, COPY, chunk_size, chunk_size)
    if not target_zeroed:
        zero = _subtract([(0, size)], data)
        ops += _split(zero, ZERO, MAX_ZERO_RUN, 0)
        ops.sort(key=lambda o: o.offset)
    return Plan(size, ops, FULL, digest_block, digest_algorithm)


def plan_incremental(size, changed, extents=None, chunk_size=8 * MiB,
                     align=64 * 1024, digest_block=MiB, merge_gap=0,
                     digest_algorithm=DEFAULT_DIGEST):
    """Plan an incremental sync from changed areas.

    :param size: virtual disk size in bytes.
    :param changed: iterable of ``(offset, length)`` changed areas (CBT).
    :param extents: optional allocation map of the same snapshot; changed
        areas that now read zeros become zero operations.
    :param chunk_size: largest copy operation.
    :param align: changed areas are widened to this alignment (CBT reports
        64 KiB blocks; keep it small so little extra is read).
    :param digest_block: hashing grid of the digest (recorded in the plan).
    :param digest_algorithm: piece hash (recorded in the plan).
    :param merge_gap: changed areas closer than this are read as one.
    :returns: a :class:`Plan`.
    """
    _check(chunk_size, align)
    areas = _merge(((o, min(size, o + n)) for o, n in changed
                    if o < size), merge_gap)
    areas = _align_out(areas, align, size)
    if extents is not None:
        data_map, zero_map = _zero_and_data(size, extents)
        # Only whole aligned blocks are zeroed; the rest is read.
        zero_map = [(-(-s // align) * align, e - e % align if e < size else e)
                    for s, e in zero_map]
        zero_map = [(s, e) for s, e in zero_map if s < e]
        zero = _intersect(areas, zero_map)
        data = _subtract(areas, zero)
    else:
        data, zero = areas, []
    ops = (_split(data, COPY, chunk_size, chunk_size)
           + _split(zero, ZERO, MAX_ZERO_RUN, 0))
    ops.sort(key=lambda o: o.offset)
    return Plan(size, ops, INCREMENTAL, digest_block, digest_algorithm)


def _check(chunk_size, align):
    if align <= 0 or chunk_size <= 0 or chunk_size % align:
        raise ValueError('chunk_size (%d) must be a positive multiple of '
                         'align (%d)' % (chunk_size, align))


def extents_from_areas(size, areas):
    """Allocation map from a list of allocated areas (vSphere CBT "*").

    :param size: virtual disk size.
    :param areas: iterable of ``(offset, length)`` allocated areas.
    :returns: list of :class:`Extent` covering ``[0, size)``: the areas as
        data, everything else as zero (vSphere guarantees unreported
        blocks read zeros).
    """
    data = _merge((o, min(size, o + n)) for o, n in areas if o < size)
    out = []
    cur = 0
    for start, end in data:
        if start > cur:
            out.append(Extent(cur, start - cur, True))
        out.append(Extent(start, end - start, False))
        cur = end
    if cur < size:
        out.append(Extent(cur, size - cur, True))
    return out


def extents_from_block_status(entries, base_offset):
    """Turn a libnbd ``base:allocation`` entry list into :class:`Extent`.

    :param entries: flat ``[length, flags, length, flags, ...]`` list.
    :param base_offset: offset of the first entry.
    """
    out = []
    off = base_offset
    for i in range(0, len(entries) - 1, 2):
        length, flags = entries[i], entries[i + 1]
        # NBD_STATE_ZERO (2) means the range reads as zeros; a hole
        # without the zero flag may still read data, so it is copied.
        out.append(Extent(off, length, bool(flags & 2)))
        off += length
    return out

"""Tests of the copy planner."""

from xms.tests import base
from xms.transport import extents

MiB = extents.MiB
E = extents.Extent


def covered(plan, kind):
    return [(o.offset, o.offset + o.length) for o in plan.ops
            if o.kind == kind]


class PlanFullTest(base.TestCase):

    def test_no_map_copies_everything_in_chunks(self):
        plan = extents.plan_full(20 * MiB + 5, chunk_size=8 * MiB)
        self.assertEqual([(0, 8 * MiB), (8 * MiB, 16 * MiB),
                          (16 * MiB, 20 * MiB + 5)],
                         covered(plan, extents.COPY))
        self.assertEqual(20 * MiB + 5, plan.copy_bytes)

    def test_holes_skipped_on_zeroed_target(self):
        ext = [E(0, 3 * MiB, True), E(3 * MiB, MiB, False),
               E(4 * MiB, 12 * MiB, True)]
        plan = extents.plan_full(16 * MiB, ext, target_zeroed=True)
        self.assertEqual([(3 * MiB, 4 * MiB)], covered(plan, extents.COPY))
        self.assertEqual(0, plan.zero_bytes)

    def test_holes_zeroed_on_dirty_target(self):
        ext = [E(0, 3 * MiB, True), E(3 * MiB, MiB, False),
               E(4 * MiB, 12 * MiB, True)]
        plan = extents.plan_full(16 * MiB, ext, target_zeroed=False)
        self.assertEqual([(0, 3 * MiB), (4 * MiB, 16 * MiB)],
                         covered(plan, extents.ZERO))
        self.assertEqual(16 * MiB, plan.copy_bytes + plan.zero_bytes)
        offsets = [o.offset for o in plan.ops]
        self.assertEqual(sorted(offsets), offsets)

    def test_unaligned_data_widened_to_alignment(self):
        ext = [E(0, 5000, True), E(5000, 100, False),
               E(5100, MiB - 5100, True)]
        plan = extents.plan_full(MiB, ext)
        self.assertEqual([(4096, 8192)], covered(plan, extents.COPY))

    def test_unmapped_ranges_are_copied(self):
        # The map only describes the first MiB: the rest must be read.
        plan = extents.plan_full(4 * MiB, [E(0, MiB, True)])
        self.assertEqual([(MiB, 4 * MiB)], covered(plan, extents.COPY))

    def test_chunks_cut_on_chunk_grid(self):
        ext = [E(0, MiB, True), E(MiB, 20 * MiB, False)]
        plan = extents.plan_full(21 * MiB, ext, chunk_size=8 * MiB)
        self.assertEqual([(MiB, 8 * MiB), (8 * MiB, 16 * MiB),
                          (16 * MiB, 21 * MiB)], covered(plan, extents.COPY))

    def test_plan_id_stable_and_content_bound(self):
        ext = [E(0, MiB, False), E(MiB, MiB, True)]
        a = extents.plan_full(2 * MiB, ext)
        b = extents.plan_full(2 * MiB, list(ext))
        c = extents.plan_full(2 * MiB, ext, target_zeroed=False)
        d = extents.plan_full(2 * MiB, [E(0, 2 * MiB, False)])
        self.assertEqual(a.plan_id, b.plan_id)
        self.assertNotEqual(a.plan_id, c.plan_id)
        self.assertNotEqual(a.plan_id, d.plan_id)

    def test_chunk_must_be_multiple_of_align(self):
        self.assertRaises(ValueError, extents.plan_full, MiB,
                          chunk_size=MiB + 1)

    def test_windows(self):
        plan = extents.plan_full(64 * MiB, chunk_size=8 * MiB)
        self.assertEqual([(0, 2), (2, 4), (4, 6), (6, 8)],
                         plan.windows(16 * MiB))
        self.assertEqual([(3, 5), (5, 7), (7, 8)],
                         plan.windows(16 * MiB, start=3))
        self.assertEqual([(0, 0)], extents.plan_full(0).windows(MiB))


class PlanIncrementalTest(base.TestCase):

    def test_changed_areas_same_offsets(self):
        plan = extents.plan_incremental(
            16 * MiB, [(MiB, 64 * 1024), (5 * MiB, 128 * 1024)])
        self.assertEqual([(MiB, MiB + 65536), (5 * MiB, 5 * MiB + 131072)],
                         covered(plan, extents.COPY))
        self.assertEqual(extents.INCREMENTAL, plan.mode)

    def test_adjacent_areas_merged_and_aligned(self):
        plan = extents.plan_incremental(
            MiB, [(70000, 10), (65536, 100), (131072, 65536)])
        self.assertEqual([(65536, 196608)], covered(plan, extents.COPY))

    def test_merge_gap(self):
        changed = [(0, 65536), (131072, 65536)]
        self.assertEqual(2, len(extents.plan_incremental(MiB, changed)))
        self.assertEqual(1, len(extents.plan_incremental(
            MiB, changed, merge_gap=65536)))

    def test_zero_areas_become_zero_ops(self):
        ext = [E(0, 2 * MiB, False), E(2 * MiB, 2 * MiB, True)]
        plan = extents.plan_incremental(4 * MiB, [(MiB, 2 * MiB)], ext)
        self.assertEqual([(MiB, 2 * MiB)], covered(plan, extents.COPY))
        self.assertEqual([(2 * MiB, 3 * MiB)], covered(plan, extents.ZERO))

    def test_areas_past_end_clamped(self):
        plan = extents.plan_incremental(MiB + 512, [(MiB, 65536),
                                                    (4 * MiB, 10)])
        self.assertEqual([(MiB, MiB + 512)], covered(plan, extents.COPY))

    def test_large_area_split_into_chunks(self):
        plan = extents.plan_incremental(64 * MiB, [(0, 20 * MiB)],
                                        chunk_size=8 * MiB)
        self.assertEqual(3, len(plan))
        self.assertTrue(all(o.length <= 8 * MiB for o in plan.ops))


class BlockStatusTest(base.TestCase):

    def test_flags(self):
        got = extents.extents_from_block_status(
            [MiB, 3, MiB, 0, MiB, 1, MiB, 2], 10)
        self.assertEqual([E(10, MiB, True), E(10 + MiB, MiB, False),
                          E(10 + 2 * MiB, MiB, False),
                          E(10 + 3 * MiB, MiB, True)], got)


class AreasTest(base.TestCase):
    """Allocation maps from vSphere CBT's allocated areas."""

    def test_areas_become_data_and_the_rest_zero(self):
        got = extents.extents_from_areas(
            10 * MiB, [(MiB, MiB), (2 * MiB, MiB), (8 * MiB, 4 * MiB)])
        self.assertEqual([
            extents.Extent(0, MiB, True),
            extents.Extent(MiB, 2 * MiB, False),
            extents.Extent(3 * MiB, 5 * MiB, True),
            extents.Extent(8 * MiB, 2 * MiB, False),
        ], got)

    def test_no_areas_is_all_zero(self):
        self.assertEqual([extents.Extent(0, MiB, True)],
                         extents.extents_from_areas(MiB, []))

    def test_full_plan_reads_only_the_areas(self):
        alloc = extents.extents_from_areas(16 * MiB, [(4096, 65536),
                                                      (9 * MiB, MiB)])
        plan = extents.plan_full(16 * MiB, alloc, chunk_size=MiB,
                                 target_zeroed=False)
        self.assertEqual(65536 + MiB, plan.copy_bytes)
        self.assertEqual(16 * MiB - 65536 - MiB, plan.zero_bytes)

"""The answer of the statistics chapter follows from its numbers (cellmotion.findings.statistics)."""

import numpy as np

from cellmotion.findings import statistics as FS

MINUS = "\u2212"


def _row(measure, diff, lo, hi, sampler="fixed", cond="A", other=0.8, ref=0.9):
    return {"condition": cond, "sampler": sampler, "measure": measure, "n_tracks": 10, "n_heldout": 7,
            "other": other, "other_lower": other - 0.1, "other_upper": other + 0.1, "reference": ref,
            "reference_lower": ref - 0.1, "reference_upper": min(ref + 0.1, 1.0), "difference": diff,
            "diff_lower": lo, "diff_upper": hi}


def test_overlap_answer_judges_each_condition_by_the_interval_of_its_difference():
    rows = [_row("bhattacharyya", -0.3, -0.5, -0.1, "fixed", "A"),
            _row("bhattacharyya", -0.05, -0.2, 0.1, "fixed", "B"),
            _row("bhattacharyya", -0.3, -0.5, -0.1, "original", "A"),
            _row("bhattacharyya", -0.3, -0.5, -0.1, "original", "B"),
            _row("sd_ratio_speed", -0.3, -0.5, -0.1, "fixed", "B")]  # not an overlap: ignored
    s = FS.overlap_answer(rows, "the book's synthetic stand-in")
    assert s.startswith("On the book's synthetic stand-in")
    assert "the corrected sampler overlap the held-out cells less than two real samples do in A" in s
    assert "cannot be told apart from two real samples in B" in s
    assert "those of the report's sampler overlap the held-out cells less than two real samples do in all 2 conditions" in s
    same = FS.overlap_answer([_row("bhattacharyya", -0.3, -0.5, -0.1, s_, c) for s_ in ("fixed", "original")
                              for c in ("A", "B")])
    assert "both samplers" in same and same.count("less than") == 1
    assert "No generated densities" in FS.overlap_answer([])


def test_spread_answer_says_whose_narrowing_it_is():
    rows = [_row("sd_ratio_speed", -0.4, -0.6, -0.2, "original", "A"),
            _row("sd_ratio_speed", -0.01, -0.1, 0.1, "fixed", "A"),
            _row("sd_ratio_persistence", -0.4, -0.6, -0.2, "original", "B"),
            _row("sd_ratio_persistence", -0.3, -0.5, -0.1, "fixed", "B"),
            _row("sd_ratio_speed", 0.3, 0.1, 0.5, "fixed", "B")]
    s = FS.spread_answer(rows)
    assert "the report's sampler is measurably narrower in A (speed) and B (persistence)" in s
    assert "the corrected sampler is measurably narrower in B (persistence) and wider in B (speed)" in s
    assert "the narrowing is the report's sampler's alone in A (speed)" in s
    assert "the network's own in B (persistence)" in s
    assert "The other 1 of 5 s.d. ratios cannot be told apart" in s
    # an interval that contains 0 is no evidence either way
    none = FS.spread_answer([_row("sd_ratio_speed", -0.1, -0.3, 0.1, "original")])
    assert "neither narrower nor wider" in none and "So " not in none
    assert "not tested" in FS.spread_answer([_row("bhattacharyya", -0.1, -0.3, -0.05)])


def test_scale_sentence_sets_overlaps_between_conditions_beside_two_real_samples():
    between = [{"bhattacharyya": 0.02}, {"bhattacharyya": 0.14}]
    ref = [_row("bhattacharyya", 0, 0, 0, ref=0.87), _row("bhattacharyya", 0, 0, 0, cond="B", ref=1.0)]
    s = FS.scale_sentence(between, ref)
    assert "two different conditions overlap by 0.02 to 0.14" in s
    assert "two real samples of one condition by 0.87 to 1.00" in s
    assert FS.scale_sentence([], []) == ""


def test_clipped_sentence_names_every_density_the_grid_cuts():
    rows = [{"condition": "A", "n_tracks": 6, "edge_mass": 0.0027, "tracks_at_edge": 1, "piled": False, "result": 1},
            {"condition": "B", "n_tracks": 6, "edge_mass": 0.0, "tracks_at_edge": 0, "piled": False, "result": 0},
            {"condition": "C", "n_tracks": 6, "edge_mass": 0.3, "tracks_at_edge": 6, "piled": True, "result": 0}]
    s = FS.clipped_sentence(rows, ["original tracks", "generated, corrected sampler"], 3.6, unit="µm/min")
    assert "ends at 3.6 µm/min" in s and "cuts into some densities" in s
    assert "not visible in the panels" in s  # one track's tail: no clipped contour to point at
    assert "A, generated, corrected sampler (1 of 6 tracks put more than 1% of their posterior mass" in s
    assert "the condition as a whole: 0.3%" in s
    assert "B," not in s and "C," not in s  # a withheld condition is the grid sentence's business
    clean = FS.clipped_sentence(rows[1:2], ["original tracks"], 3.6)
    assert "no density is cut off" in clean
    region = FS.clipped_sentence([{**rows[1], "hdr_at_edge": True}], ["original tracks"], 3.6)
    assert "B, original tracks (its 50 % region reaches the top of the grid" in region
    assert "show those whose 50 % region reaches the edge clipped there" in region


def test_a_density_whose_half_mass_region_touches_the_top_row_is_clipped():
    from cellmotion.figures import region_reaches_top

    q, c = np.meshgrid(np.linspace(-1, 1, 40), np.linspace(0, 1, 30), indexing="ij")
    inside = np.exp(-((q / 0.2) ** 2 + ((c - 0.4) / 0.1) ** 2))
    cut = np.exp(-((q / 0.2) ** 2 + ((c - 1.0) / 0.1) ** 2))  # peak on the top row
    assert not region_reaches_top(inside)
    assert region_reaches_top(cut)


def test_what_level_with_means_is_said_once():
    row = {"condition": "A", "tracks": 12, "true mean q": 0.40, "fitted mean q": 0.401, "bias q": 0.001,
           "r q (per step)": 0.55, "true mean c": 0.50, "fitted mean c": 0.60, "relative bias c": 0.20,
           "r c (per step)": 0.4}
    steps = (0.01, 0.0075)
    assert FS.LEVEL_NOTE in FS.truth_sentence(row, grid_steps=steps)
    quiet = FS.truth_sentence(row, grid_steps=steps, explain=False)
    assert "level with the truth" in quiet and FS.LEVEL_NOTE not in quiet


def test_numbers_in_verdicts_carry_a_true_minus_sign():
    s = FS.reference_sentence(_row("bhattacharyya", -0.2, -0.3, -0.1))
    assert f"{MINUS}0.20 [{MINUS}0.30, {MINUS}0.10]" in s and "-0.2" not in s
    assert FS.interval_text(-0.85, -1.0, -0.7) == f"{MINUS}0.85 [{MINUS}1.00, {MINUS}0.70]"
    assert FS.interval_text(0.5, np.nan, np.nan) == "0.50 (no interval)"
    assert FS.interval_text(np.nan, 0, 1) == "—"
    cal = FS.calibration_sentence("A", {"persistence": 0.2, "speed": 0.5}, {"persistence": 0.25, "speed": 0.33})
    assert f"{MINUS}0.05" in cal and "+0.17" in cal

"""The sentences of chapters 3 and 4 follow from their numbers (cellmotion.findings)."""

import numpy as np
import pytest

from cellmotion.findings import generation as FG
from cellmotion.findings import statistics as FS


# ----------------------------------------------------------------------------- chapter 3
def test_a_difference_whose_interval_excludes_0_is_a_win_with_the_interval():
    s = FG.difference_sentence("MDN", "AR1", -0.12, -0.2, -0.05)
    assert s.startswith("MDN wins over AR1") and "0.120" in s
    assert "0.050 to 0.200" in s
    s = FG.difference_sentence("MDN", "AR1", 0.3, 0.1, 0.5)
    assert s.startswith("AR1 wins over MDN") and "0.100 to 0.500" in s


def test_an_interval_containing_0_is_reported_as_no_difference():
    s = FG.difference_sentence("MDN", "AR1", -0.1, -0.3, 0.05)
    assert "no difference can be claimed" in s and "contains 0" in s
    assert "wins" not in s


def test_a_difference_without_interval_claims_nothing():
    s = FG.difference_sentence("MDN", "AR1", -1.0, np.nan, np.nan)
    assert "no difference can be claimed" in s and "wins" not in s
    assert "could not be compared" in FG.difference_sentence("MDN", "AR1", np.nan, np.nan, np.nan)


def test_nll_findings_have_one_line_per_baseline_and_skip_the_mdn_row():
    rows = [{"condition": "A", "model": "lstm_mdn", "n_tracks": 5, "nll": 1.0, "diff_vs_mdn": np.nan,
             "lower": np.nan, "upper": np.nan},
            {"condition": "A", "model": "ar1_shared", "n_tracks": 5, "nll": 1.2, "diff_vs_mdn": -0.2,
             "lower": -0.3, "upper": -0.1},
            {"condition": "A", "model": "superstatistical", "n_tracks": 4, "nll": 0.9,
             "diff_vs_mdn": 0.1, "lower": -0.05, "upper": 0.2}]
    text = FG.nll_findings(rows)
    lines = text.splitlines()
    assert len(lines) == 2
    assert "The LSTM-MDN wins over one persistent random walk shared by all cells" in lines[0]
    assert "No difference can be claimed" in lines[1] and "4 held-out tracks" in lines[1]


def test_seed_sentence_counts_distinct_cells():
    assert "every training cell seeded" in FG.seed_sentence("A", 10, 5, 5)
    s = FG.seed_sentence("A", 3, 3, 8)
    assert "3 distinct" in s and "5 of the 8" in s


def _gap(share, lower, upper, cond="A"):
    return {"condition": cond, "n_tracks": 12, "ceiling": 1.0, "ar1_shared": 2.0,
            "lstm_mdn": 2.0 - share, "share": share, "lower": lower, "upper": upper}


def test_ceiling_sentence_quotes_the_share_of_the_gap_with_its_interval():
    s = FG.ceiling_sentence([_gap(0.5, 0.3, 0.7)])
    assert "A: the ceiling is 1.000" in s and "closes 50% of the gap" in s
    assert "95 % interval 30% to 70% over 12 held-out tracks" in s and "only bound" in s
    worse = FG.ceiling_sentence([_gap(-0.5, -0.8, -0.2)])
    assert "further from the ceiling than the AR(1)" in worse and "closes" not in worse
    unsure = FG.ceiling_sentence([_gap(0.2, -0.1, 0.5)])
    assert "contains 0" in unsure and "no gain over the AR(1) can be claimed" in unsure
    assert "no claim" in FG.ceiling_sentence([_gap(0.2, np.nan, np.nan)])
    assert "already at the ceiling" in FG.ceiling_sentence([_gap(np.nan, np.nan, np.nan)])
    assert "not computed (noise)" in FG.ceiling_sentence([], "noise")
    assert "not computed" in FG.ceiling_sentence(None)
    # the ceiling has its own sentence, not a "wins over" bullet
    rows = [{"condition": "A", "model": m, "nll": v, "n_tracks": 5, "diff_vs_mdn": 0.5, "lower": 0.4,
             "upper": 0.6} for m, v in (("lstm_mdn", 1.5), ("ar1_shared", 2.0), ("true_parameters", 1.0))]
    assert "true parameters" not in FG.nll_findings(rows)


def test_gap_closed_resamples_held_out_cells():
    """The share of the gap is a ratio of sums over held-out tracks, with an interval over
    cells; pieces of one cell (``c1~1``, ``c1~2``) count as one cell."""
    import pandas as pd

    from cellmotion import generation as G

    rng = np.random.default_rng(0)
    rows = []
    ids = [f"c{k}~{p}" for k in range(10) for p in (1, 2)]
    for tid in ids:
        base = rng.normal(100, 5)
        for model, nll in (("true_parameters", base), ("ar1_shared", base + 20), ("lstm_mdn", base + 5)):
            rows.append({"condition": "A", "track_id": tid, "steps": 50, "model": model, "nll_sum": nll})
    out = G.gap_closed(pd.DataFrame(rows), n_boot=200, seed=0)
    assert len(out) == 1 and out[0]["n_tracks"] == 20
    assert out[0]["share"] == pytest.approx(0.75)
    assert out[0]["lower"] <= 0.75 <= out[0]["upper"]
    tracks = pd.DataFrame([r for r in rows if r["model"] != "true_parameters"])
    assert G.gap_closed(tracks) == []  # no ceiling, no share


def test_descriptive_sentences():
    s = FG.sampler_sentence("A", "step_speed", {"fixed": 0.1, "original": 0.4, "training-real": 0.12})
    assert "fixed 0.10" in s and "original 0.40" in s and "training tracks differ from them by 0.12" in s
    assert "0.25 by chance with 16 generated tracks" in FG.drift_sentence("A", {"real": 0.1}, n_tracks=16)


def test_negative_numbers_in_sentences_carry_a_true_minus_sign():
    """A verdict reads "−0.10", never "-0.10" (a hyphen)."""
    s = FG.difference_sentence("MDN", "AR1", -0.1, -0.3, 0.05)
    assert "\u22120.100" in s and "-0.1" not in s
    worse = FG.ceiling_sentence([_gap(-0.5, -0.8, -0.2)])
    assert "\u221250%" in worse and "-50%" not in worse


def _nll(cond, model, diff, lo, hi, nll=1.0):
    return {"condition": cond, "model": model, "n_tracks": 10, "nll": nll, "diff_vs_mdn": diff,
            "lower": lo, "upper": hi}


def test_nll_answer_groups_conditions_by_the_verdict_of_their_interval():
    rows = [_nll("A", "lstm_mdn", np.nan, np.nan, np.nan),
            _nll("A", "ar1_shared", -0.2, -0.3, -0.1), _nll("B", "ar1_shared", 0.2, 0.1, 0.3),
            _nll("C", "ar1_shared", 0.1, -0.1, 0.3),
            _nll("A", "superstatistical", 0.2, 0.1, 0.3), _nll("B", "superstatistical", 0.2, 0.1, 0.3),
            _nll("C", "superstatistical", 0.2, 0.1, 0.3), _nll("A", "true_parameters", 0.9, 0.8, 1.0)]
    s = FG.nll_answer(rows, FG.data_phrase(True))
    assert "synthetic stand-in" in s and "not real cells" in s
    assert "beats the shared persistent random walk (AR(1)) in A" in s
    assert "loses to it in B" in s and "cannot be told apart from it in C" in s
    assert "loses to the superstatistical random walk in all 3 conditions" in s
    assert "ceiling" not in s and "true parameters" not in s  # the ceiling has its own sentence
    assert s.count(".") >= 1 and "A, B" not in s
    assert FG.data_phrase(False, "Leukocytes") == "Leukocytes"
    assert FG.nll_answer([_nll("A", "lstm_mdn", np.nan, np.nan, np.nan)]).startswith("No baseline")


def test_ceiling_answer_quotes_every_share_with_its_interval():
    s = FG.ceiling_answer([_gap(0.5, 0.3, 0.7, "A"), _gap(-0.74, -0.98, -0.5, "B")])
    assert "A 50% [30%, 70%]" in s and "B \u221274% [\u221298%, \u221250%]" in s
    assert "further from the ceiling" in s
    assert "not the simulator's" in FG.ceiling_answer([], "the tracks are not the simulator's")


def test_sampler_answer_gives_ranges_over_conditions_beside_two_real_samples():
    rows = [{"condition": c, "sampler": s, "measure": "step_speed", "ks": v}
            for c, s, v in (("A", "fixed", 0.1), ("B", "fixed", 0.3), ("A", "original", 0.5),
                            ("B", "original", 0.5), ("A", "training-real", 0.05), ("B", "training-real", 0.1),
                            ("A", "fixed+rotations", 0.9))]
    s = FG.sampler_answer(rows)
    assert "0.10\u20130.30 with the corrected sampler" in s and "0.50 with the report's sampler" in s
    assert "two real samples of as many tracks differ by 0.05\u20130.10" in s
    assert "rotat" not in s and "no interval" in s


# ----------------------------------------------------------------------------- chapter 4
def _row(measure, diff, lo, hi, sampler="fixed", cond="A"):
    return {"condition": cond, "sampler": sampler, "measure": measure, "n_tracks": 10, "n_heldout": 7,
            "other": 0.8, "other_lower": 0.7, "other_upper": 0.9, "reference": 0.8 - diff,
            "reference_lower": 0.6, "reference_upper": 0.95, "difference": diff,
            "diff_lower": lo, "diff_upper": hi}


def test_reference_sentences_judge_only_by_the_interval():
    assert "no difference from real-vs-real" in FS.reference_sentence(_row("bhattacharyya", -0.05, -0.1, 0.02))
    s = FS.reference_sentence(_row("bhattacharyya", -0.2, -0.3, -0.1))
    assert "overlaps the held-out tracks less than real tracks do" in s and "against 7 held-out" in s
    assert "is narrower than" in FS.reference_sentence(_row("sd_ratio_speed", -0.3, -0.5, -0.1))
    assert "is wider than" in FS.reference_sentence(_row("sd_ratio_speed", 0.3, 0.1, 0.5))
    assert "too few tracks" in FS.reference_sentence(_row("hellinger", 0.1, np.nan, np.nan))


def test_spread_verdict_has_no_threshold_but_the_interval():
    assert FS.spread_verdict(_row("sd_ratio_speed", -0.5, -0.9, 0.01)) == "no difference"
    assert FS.spread_verdict(_row("sd_ratio_speed", -0.02, -0.03, -0.01)) == "narrower"


def test_narrow_density_hypothesis_lists_evidence_for_and_against():
    rows = [_row("sd_ratio_speed", -0.4, -0.6, -0.2, sampler="original", cond="A"),
            _row("sd_ratio_speed", -0.01, -0.1, 0.1, sampler="fixed", cond="A"),
            _row("sd_ratio_speed", -0.4, -0.6, -0.2, sampler="original", cond="B"),
            _row("sd_ratio_speed", -0.3, -0.5, -0.1, sampler="fixed", cond="B")]
    text = FS.narrow_density_hypothesis(rows)
    assert text.startswith("**Hypothesis.**")
    for_line = next(x for x in text.splitlines() if "*For:*" in x)
    against = next(x for x in text.splitlines() if "*Against:*" in x)
    assert "A (speed)" in for_line and "B (speed)" not in for_line
    assert "B (speed)" in against
    assert "not tested" in FS.narrow_density_hypothesis([])
    # "not narrower" is no evidence: an interval containing 0 is undecided, not "against"
    text = FS.narrow_density_hypothesis([_row("sd_ratio_speed", -0.1, -0.3, 0.1, sampler="original"),
                                         _row("sd_ratio_speed", 0.0, -0.2, 0.2, sampler="fixed")])
    assert "no measured difference" in next(x for x in text.splitlines() if "*Against:*" in x)
    assert "A (speed)" in next(x for x in text.splitlines() if "*Undecided:*" in x)
    wider = FS.narrow_density_hypothesis([_row("sd_ratio_speed", 0.3, 0.1, 0.5, sampler="original")])
    assert "measurably wider in A (speed)" in wider


def test_calibration_and_sensitivity_sentences():
    s = FS.calibration_sentence("A", {"persistence": 0.3, "speed": 0.5},
                                {"persistence": 0.25, "speed": 0.33})
    assert "+0.05" in s and "+0.17" in s
    assert "Figure 10" not in FS.calibration_sentence("A", {"persistence": 0.3, "speed": 0.5})
    rows = [{"sigma": 0.03, "condition": "A", "peak_persistence": 0.2, "peak_speed": 0.5, "bc_vs_reference": 1.0},
            {"sigma": 0.1, "condition": "A", "peak_persistence": 0.3, "peak_speed": 0.45, "bc_vs_reference": 0.9}]
    s = FS.sensitivity_sentence(rows, 0.03)
    assert "0.10 in persistence" in s and "0.05 in speed" in s and "0.90" in s
def test_truth_sentence_names_the_direction_of_each_bias():
    row = {"condition": "A", "tracks": 12, "true mean q": 0.40, "fitted mean q": 0.10, "bias q": -0.30,
           "r q (per step)": 0.55, "true mean c": 0.50, "fitted mean c": 0.60, "relative bias c": 0.20,
           "r c (per step)": float("nan")}
    s = FS.truth_sentence(row)
    assert "A (12 tracks)" in s
    assert "persistence is below the truth on average (0.10 vs 0.40, bias −0.30; per-step r = 0.55)" in s
    assert "speed is above it (0.60 vs 0.50 µm/min, +20%)" in s
    # without a grid only the sign counts; with one, half a grid step is the resolution
    tiny = {**row, "fitted mean q": 0.401, "bias q": 0.001}
    assert "above the truth" in FS.truth_sentence(tiny)
    level = FS.truth_sentence(tiny, unit="px/frame", grid_steps=(0.01, 0.0075))
    assert "level with the truth" in level and "px/frame" in level and "half a grid step" in level
    assert "below the truth" in FS.truth_sentence(row, grid_steps=(0.01, 0.0075))


def test_grid_sentence_states_the_grid_and_what_is_withheld():
    rows = [{"condition": "A", "edge_mass": 0.002}, {"condition": "B", "edge_mass": 0.0004}]
    s = FS.grid_sentence(rows, (0.0, 16.0), True, unit="µm/min")
    assert "0 to 16 µm/min, derived from the tracks" in s and "at most 0.2%" in s
    assert "every posterior lies inside" in s
    assert "less than 0.1%" in FS.grid_sentence([{"condition": "A", "edge_mass": 1e-8}], (0.0, 1.7), True)
    w = FS.grid_sentence([{"condition": "B", "edge_mass": 0.3}], (0.0, 6.0), False, attempts=3,
                         withheld=["B"], history=[{"speed_max": 1.5, "piled": [(1, "B")]},
                                                  {"speed_max": 3.0, "piled": [(1, "B")]}],
                         names=["original", "fixed"])
    assert "widened 2 time(s)" in w and "withheld" in w and "at 1.5 µm/min: B (fixed)" in w

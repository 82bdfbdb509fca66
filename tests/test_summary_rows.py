"""The headline table quotes the like-for-like comparisons with their intervals."""

import math

from cellmotion.summary import generation_rows, statistics_rows


def _ref(sampler, measure, other, ref):
    return {"condition": "A", "sampler": sampler, "measure": measure, "n_tracks": 10, "n_heldout": 8,
            "other": other, "other_lower": other - 0.1, "other_upper": other + 0.1,
            "reference": ref, "reference_lower": ref - 0.1, "reference_upper": ref + 0.1}


def test_statistics_rows_quote_generated_and_real_against_the_held_out_tracks():
    m = {"reference_comparison": [_ref("fixed", "bhattacharyya", 0.7, 0.9),
                                  _ref("original", "bhattacharyya", 0.5, 0.9),
                                  _ref("fixed", "sd_ratio_persistence", 0.8, 1.0),
                                  _ref("fixed", "hellinger", 0.3, 0.2)]}
    rows = statistics_rows(m)
    assert len(rows) == 2  # overlap and persistence spread; the Hellinger distance is not a headline
    assert "held-out" in rows[0]["quantity"] and "10 tracks each" in rows[0]["quantity"]
    assert rows[0]["ours"] == "fixed 0.70 [0.60, 0.80]; original 0.50 [0.40, 0.60]; real 0.90 [0.80, 1.00]"
    assert statistics_rows({"reference_comparison": []}) == []


def test_generation_rows_give_the_gap_share_with_its_interval_and_skip_a_missing_one():
    m = {"heldout_nll": [{"condition": "A", "lstm_mdn": 1.0, "ar1": 1.2, "gaussian_iid": 1.5}],
         "distances": [{"condition": "A", "sampler": s, "measure": "step_speed", "wasserstein": w}
                       for s, w in (("fixed", 0.1), ("original", 0.2), ("training-real", 0.05))],
         "gap_closed": [{"condition": "A", "share": 0.4, "lower": 0.1, "upper": 0.7},
                        {"condition": "B", "share": math.nan, "lower": None, "upper": None}]}
    rows = generation_rows(m)
    gap = [r for r in rows if "gap" in r["quantity"]]
    assert len(gap) == 1 and gap[0]["ours"] == "40 [10, 70] %"
    speed = [r for r in rows if "Wasserstein" in r["quantity"]][0]
    assert speed["ours"] == "0.100 / 0.200 / 0.050" and "held-out" in speed["quantity"]


# ----------------------------------------------------------------------------- the summary table
import json

from cellmotion.summary import NOT_MEASURED_REAL, NOT_RUN, QUESTIONS, answer_table


def _write(folder, name, content):
    (folder / name).write_text(json.dumps(content))


def test_answer_table_has_one_short_row_per_question_and_says_why_a_cell_is_empty(tmp_path):
    _write(tmp_path, "classification_metrics.json", {
        "table2_report": {"B": {"overall": 0.94}, "C": {"overall": 0.95}},
        "evaluation": {"grouped": {"conditions": ["A", "B"], "models": {
            "forest": {"per_track_bacc": {"mean": 0.8, "lower": 0.7, "upper": 0.9}}}}}})
    _write(tmp_path, "generation_metrics.json", {"heldout_nll_table": [
        {"condition": "A", "model": "ar1_shared", "nll": 1.0, "diff_vs_mdn": 0.3, "lower": 0.1, "upper": 0.5}]})
    t = answer_table(tmp_path)  # no statistics, no real cells
    assert list(t["question"]) == list(QUESTIONS.values())
    assert list(t.columns) == ["question", "report", "ours", "real"]
    assert t.loc[0, "report"] == "95 % test accuracy (network C, one 80/20 split)"
    assert t.loc[0, "ours"] == "80 % (70–90 %), motility-feature forest"
    assert t.loc[1, "ours"].startswith("no: worse in 1 of 1 conditions")
    assert t.loc[2, "ours"] == NOT_RUN and set(t["real"]) == {NOT_RUN}
    assert not t.isna().any().any() and all(len(c) < 100 for c in t.to_numpy().ravel())

    _write(tmp_path, "real_cells_metrics.json", {"classification": {"primary": "donor", "donor": {
        "conditions": list("abcd"), "models": {"ours": {"per_track_bacc": {"mean": 0.5, "lower": 0.4, "upper": 0.6}}}}},
        "generation": [], "superstats": {}})
    t = answer_table(tmp_path, report=False)
    assert "report" not in t.columns
    assert t.loc[0, "real"] == "50 % (40–60 %), our network"
    assert list(t["real"][1:]) == [NOT_MEASURED_REAL] * 2

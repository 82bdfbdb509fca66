"""The introduction claims about our network only what the run measured."""

import numpy as np

from cellmotion.findings import intro as FI
from cellmotion.results import Evaluation


def _metrics(paired):
    """The grouped folds' result as the introduction reads it back from the metrics file."""
    return Evaluation.from_dict({"paired": {"ours": paired}})


def test_no_better_network_unless_the_interval_says_so():
    m = _metrics({"forest": {"mean": -0.1, "lower": -0.15, "upper": -0.05},
                  "report-best": {"mean": 0.2, "lower": 0.1, "upper": 0.3},
                  "minirocket": {"mean": 0.0, "lower": -0.1, "upper": 0.1},
                  "noise": {"mean": 0.06, "lower": np.nan, "upper": np.nan},  # no interval
                  "ours+forest": {"mean": -0.2, "lower": -0.3, "upper": -0.1}})  # contains ours
    s = FI.network_sentence(m)
    assert "scores higher than the report's network B" in s
    assert "scores lower than the motility-feature forest" in s
    assert "cannot be told apart from MiniRocket and noise" in s
    assert "report-best" not in s and "minirocket" not in s  # readers' names, not model ids
    assert "ours+forest" not in s and "our network averaged" not in s and "better" not in s
    assert "not compared" in FI.network_sentence(None)
    assert "not compared" in FI.network_sentence(Evaluation())


def test_the_introduction_claims_only_what_survives_holm_as_the_chapters_do():
    m = _metrics({"forest": {"mean": -0.1, "lower": -0.15, "upper": -0.05, "p": 0.01, "p_holm": 0.03},
                  "minirocket": {"mean": 0.05, "lower": 0.01, "upper": 0.09, "p": 0.023, "p_holm": 0.28}})
    s = FI.network_sentence(m)
    assert "scores lower than the motility-feature forest" in s
    assert "cannot be told apart from MiniRocket" in s and "scores higher" not in s
    assert "Holm" in s


def test_chapter_list_carries_the_measured_sentence():
    text = FI.chapter_list(_metrics({"forest": {"mean": -0.1, "lower": -0.15, "upper": -0.05}}))
    assert "scores lower than the motility-feature forest" in text and "better network" not in text
    assert text.count("{doc}") == 7


# ----------------------------------------------------------------------------- the answers
def _nll(cond, model, nll, diff, lo, hi):
    return {"condition": cond, "model": model, "nll": nll, "diff_vs_mdn": diff, "lower": lo, "upper": hi}


def test_prediction_is_better_only_when_every_simple_walk_is_beaten():
    rows = [_nll("A", "lstm_mdn", 1.0, None, None, None),
            _nll("A", "ar1_shared", 1.5, -0.5, -0.7, -0.3), _nll("A", "gaussian_iid", 1.2, -0.2, -0.3, -0.1),
            _nll("B", "ar1_shared", 0.5, 0.5, 0.3, 0.7), _nll("B", "gaussian_iid", 1.2, -0.2, -0.3, -0.1),
            _nll("C", "ar1_shared", 1.0, 0.1, -0.1, 0.3), _nll("C", "gaussian_iid", 1.2, -0.2, -0.3, -0.1),
            _nll("C", "true_parameters", 0.1, 1.0, 0.9, 1.1)]  # not a simple walk: ignored
    f = FI.prediction_facts(rows)
    assert (f["better"], f["worse"], f["undecided"]) == (["A"], ["B"], ["C"])
    assert f["diffs"] == {"A": -0.2, "B": 0.5, "C": 0.1}  # against the walk with the lowest NLL
    assert FI.prediction_cell(f, "x") == "1 better, 1 worse, 1 undecided of 3 conditions (-0.20 to +0.50 nats/step)"
    worse = FI.prediction_facts([r for r in rows if r["condition"] == "B"])
    assert FI.prediction_cell(worse, "x") == "no: worse in 1 of 1 conditions (+0.50 nats/step)"
    assert FI.prediction_facts([]) is None and FI.prediction_cell(None, "not run") == "not run"


def test_environment_names_the_best_model_with_its_interval_or_says_it_has_none():
    res = Evaluation.from_dict({"conditions": ["a", "b", "c", "d"], "models": {
        "forest": {"per_track_bacc": {"mean": 0.71, "lower": 0.66, "upper": 0.76}},
        "ours": {"per_track_bacc": {"mean": 0.6, "lower": 0.5, "upper": 1.2}}}})
    f = FI.environment_facts(res)
    assert f["model"] == "forest" and f["n_conditions"] == 4
    assert FI.environment_cell(f, "x") == "71 % (66–76 %), motility-feature forest"
    res.models["forest"].per_track_bacc.lower = float("nan")  # as read back from a JSON null
    res.models["forest"].per_track_bacc.upper = float("nan")
    assert FI.environment_cell(FI.environment_facts(res), "x") == "71 % (no interval), motility-feature forest"
    assert FI.environment_facts(None) is None and FI.environment_facts(Evaluation()) is None
    null = {"name": "motility-feature forest", "mean": 0.55, "lower": 0.41, "upper": 0.69, "n_conditions": 2}
    assert FI.environment_cell(null, "x") == "55 % (41–69 %), motility-feature forest; chance 50 %: not above it"


def _bc(cond, other, ref, lo, hi, sampler="fixed"):
    return {"condition": cond, "sampler": sampler, "measure": "bhattacharyya", "other": other,
            "reference": ref, "diff_lower": lo, "diff_upper": hi}


def test_statistics_counts_conditions_by_the_interval_of_the_difference():
    rows = [_bc("A", 0.1, 0.9, -0.9, -0.7), _bc("B", 0.6, 0.9, -0.5, -0.1),
            _bc("A", 0.9, 0.9, -0.1, 0.1, sampler="original"),
            {**_bc("A", 0.1, 0.9, -0.9, -0.7), "measure": "hellinger"}]
    f = FI.statistics_facts(rows)
    assert f["less"] == ["A", "B"] and f["generated"] == (0.1, 0.6) and f["real"] == (0.9, 0.9)
    assert FI.statistics_cell(f, "x") == ("no: less overlap than real tracks in all 2 conditions "
                                          "(overlap 0.10–0.60 vs 0.90–0.90)")
    mixed = FI.statistics_facts([_bc("A", 0.1, 0.9, -0.9, -0.7), _bc("B", 0.8, 0.9, None, None)])
    assert FI.statistics_cell(mixed, "x").startswith("1 less overlap, 1 undecided of 2 conditions")
    assert FI.statistics_facts([]) is None


def test_answer_sentences_say_each_answer_once_and_name_both_data_sets():
    env = {"model": "forest", "name": "motility-feature forest", "mean": 0.9, "lower": 0.8,
           "upper": 1.0, "n_conditions": 3}
    worse = {"conditions": ["A", "B"], "better": [], "worse": ["A", "B"], "undecided": [],
             "diff_min": 0.1, "diff_max": 0.2}
    stats = {"conditions": ["A"], "less": ["A"], "more": [], "undecided": []}
    s = FI.answer_sentences({"environment": env, "prediction": worse, "statistics": stats},
                            {"environment": {**env, "lower": None, "upper": None, "n_conditions": 4},
                             "prediction": worse, "statistics": None})
    assert len(s) == 3 and len(set(s)) == 3
    assert "90 % on the synthetic stand-in" in s[0] and "chance 33 %" in s[0] and "without an interval" in s[0]
    assert s[1].count("worse than a simple random walk") == 1 and "real leukocytes" in s[1]
    assert "not measured" in s[2]
    assert FI.answer_sentences({"environment": None, "prediction": None, "statistics": None}) == []


def test_the_environment_is_called_recognised_only_where_its_interval_lies_above_chance():
    """On data where nothing separates the conditions (a null split of one movie) the best
    classifier still has a best mean; the sentence must not call that recognition."""
    base = {"model": "forest", "name": "motility-feature forest", "n_conditions": 2}
    null = FI.answer_sentences({"environment": {**base, "mean": 0.55, "lower": 0.41, "upper": 0.69}})[0]
    assert "55 %" in null and "not told apart from chance" in null
    below = FI.answer_sentences({"environment": {**base, "mean": 0.40, "lower": 0.30, "upper": 0.49}})[0]
    assert "not told apart from chance" in below
    real = FI.answer_sentences({"environment": {**base, "mean": 0.70, "lower": 0.60, "upper": 0.80}})[0]
    assert "chance 50 %" in real and "not told apart" not in real
    none = FI.answer_sentences({"environment": {**base, "mean": 0.70, "lower": None, "upper": None}})[0]
    assert "without an interval" in none and "not told apart" not in none


# ----------------------------------------------------------------------------- the data chapter's answer
def test_glance_sentences_count_tracks_and_rank_the_conditions():
    import pandas as pd

    from cellmotion.findings.data import glance_sentences

    per_track = pd.DataFrame({"condition": ["A", "A", "B", "C"], "speed": [1.0, 3.0, 0.5, 1.0],
                              "persistence": [0.1, 0.3, 0.9, -0.2]})
    table1 = pd.DataFrame({"trajectories": [2, 1, 1], "dimensions": ["3D", "2D", "2D"]},
                          index=pd.Index(["A", "B", "C"], name="condition"))
    s = glance_sentences(per_track, table1, "the synthetic stand-in", "µm/min", "5 min")
    assert s[0] == "The synthetic stand-in holds 4 tracks in 3 conditions: A 2 (3D), B 1 (2D) and C 1 (2D)."
    assert "A cells are the fastest (median cell speed 2.00 µm/min) and B cells the slowest (0.50 µm/min)" in s[1]
    assert "B cells are the most persistent" in s[1] and "C cells the least (-0.20)" in s[1]
    tie = per_track.assign(speed=[1.0, 1.0, 0.5, 1.001])  # A and C equal at two decimals
    assert "A and C cells are the fastest (median cell speed 1.00 µm/min)" in glance_sentences(
        tie, table1, "x", "µm/min", "5 min")[1]
    flat = table1.assign(dimensions="2D")
    assert "(all 2D): A 2, B 1 and C 1." in glance_sentences(per_track, flat, "x", "px/frame", "1 frame")[0]


def test_own_data_sentences_follow_the_counts_and_the_policies():
    import pandas as pd

    from cellmotion.findings.data import own_data_sentences

    counts = pd.DataFrame({"tracks read": [10, 10], "gaps": [3, 2], "frames interpolated": [4, 3],
                           "tracks after gap handling": [11, 10], "used": [8, 7]}, index=["A", "B"])
    s = own_data_sentences(counts, {"split": {"tracks": 25, "used": 12}, "interpolate": {"tracks": 21, "used": 15}},
                           files=2, tracker="TrackMate", source_units="pixels and frames", interval=5,
                           min_steps=30, gaps="interpolate", max_gap=3, refused=18)
    assert s[0] == ("The 2 TrackMate exports of the worked example, in pixels and frames, became one table in micrometres and minutes: "
                    "20 tracks read, 21 after gap handling, of which 15 (71 %) last the 30 steps of "
                    "5 min one analysis window needs and are used.")
    assert s[1] == ("The config's choice, interpolating gaps of up to 3 frames (5 gaps, 7 frames filled), "
                    "gives 21 tracks and keeps 15 usable; `gaps: split` would give 25 tracks and keep 12.")
    assert s[2].startswith("18 kinds of broken input are refused")
    assert len(own_data_sentences(counts, {}, files=1, tracker="x", source_units="µm", interval=5,
                                  min_steps=30, gaps="split", max_gap=None, refused=0)) == 2

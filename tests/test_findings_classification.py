"""The chapter's sentences follow its numbers (small made-up results)."""

import pytest

from cellmotion.findings import classification as F
from cellmotion.results import Evaluation, Score


def S(mean, lower, upper):
    return {"mean": mean, "lower": lower, "upper": upper}


def result(paired_ours, protocol="kfold", n_folds=10):
    return Evaluation.from_dict(result_dict(paired_ours, protocol, n_folds))


def result_dict(paired_ours, protocol="kfold", n_folds=10):
    """ours, forest, minirocket; ``paired_ours``: {peer: (mean, lower, upper)} of ours - peer."""
    models = {"ours": {"per_track_bacc": S(.80, .75, .85), "recall": {"A": .9, "B": .7, "C": .8},
                       "brier": .30},
              "forest": {"per_track_bacc": S(.70, .65, .75), "recall": {"A": .8, "B": .6, "C": .7},
                         "brier": .40},
              "minirocket": {"per_track_bacc": S(.74, .70, .78), "recall": {"A": .8, "B": .7, "C": .7},
                             "brier": .35}}
    paired = {"ours": {p: {"mean": m, "lower": lo, "upper": hi, "p": .01}
                       for p, (m, lo, hi) in paired_ours.items()}}
    return {"models": models, "paired": paired, "conditions": ["A", "B", "C"],
            "protocol": protocol, "n_folds": n_folds}


def test_win_needs_every_paired_interval_above_zero():
    r = result({"forest": (.10, .05, .15), "minirocket": (.06, .01, .11)})
    assert F.win_verdict(r)["wins"]
    text = F.win_sentence(r)
    assert "beats every peer" in text and "our network beats MiniRocket" in text
    r = result({"forest": (.10, .05, .15), "minirocket": (.06, -.01, .13)})
    v = F.win_verdict(r)
    assert not v["wins"] and v["level"] == ["minirocket"] and v["beats"] == ["forest"]
    assert "does not beat every peer" in F.win_sentence(r)
    assert "contains 0" in F.win_sentence(r)
    r = result({"forest": (-.10, -.15, -.05), "minirocket": (.06, .01, .11)})
    assert F.win_verdict(r)["loses_to"] == ["forest"]
    assert "the motility-feature forest beats our network" in F.win_sentence(r)


def test_paired_flips_the_stored_direction():
    r = result({"forest": (.10, .05, .15)})
    d = F.paired(r, "forest", "ours")
    assert d.mean == pytest.approx(-.10) and d.lower == pytest.approx(-.15)
    with pytest.raises(KeyError):
        F.paired(r, "forest", "minirocket")


def test_headline_names_the_best_and_whether_its_lead_is_real():
    r = result({"forest": (.10, .05, .15), "minirocket": (.06, .01, .11)})
    text = F.headline_sentence(r)
    assert text.startswith("With cross-validation grouped by cell (10 folds), our network")
    assert "80 % (95 % interval 75–85 %)" in text and "chance: 33 %" in text
    assert "is real" in text
    r = result({"forest": (.10, .05, .15), "minirocket": (.06, -.01, .11)}, protocol="replicate", n_folds=4)
    text = F.headline_sentence(r, "donor")
    assert "With one donor left out in turn (4 folds)" in text and "within the noise" in text


def test_recall_calibration_and_ranking():
    r = result({"forest": (.1, .05, .15)})
    assert F.ranking(r.models) == ["ours", "minirocket", "forest"]
    assert F.hardest_condition(r, "forest") == ("B", .6)
    assert "recognises A best (recall 90 %" in F.recall_sentence(r, "ours")
    text = F.calibration_sentence(r, ["forest", "ours"])
    assert "uniform guess scores 0.67" in text and text.index("our network") < text.index("forest")


def test_z_shortcut_and_table2_and_window_length():
    with_z = {"A": {"balanced": .95, "overall": .9}, "B": {"balanced": .90, "overall": .92}}
    without = {"A": {"balanced": .70, "overall": .7}, "B": {"balanced": .88, "overall": .9}}
    text = F.z_shortcut_sentence(with_z, without)
    assert "A +25" in text and "B +2" in text and "flat z" in text and "network A" in text
    assert "not what the networks rely on" in F.z_shortcut_sentence(without, without)
    with pytest.raises(ValueError):
        F.z_shortcut_sentence(with_z, {})
    assert F.table2_sentence(with_z) == "On one 80/20 split the networks reach 0.90–0.92 accuracy."
    assert "the report: 0.85–0.95" in F.table2_sentence(with_z, {"A": {"overall": .85}, "B": {"overall": .95}})
    text = F.window_length_sentence([10, 30], {"B": [.6, .8], "C": [float("nan"), .7]}, 5.0)
    assert "B 0.80 at 30 steps (a 150-min window)" in text and "C 0.70" in text


def test_ablation_sentence_sorts_changes_by_their_intervals():
    r = Evaluation.from_dict({
        "models": {m: {"per_track_bacc": S(.5, .4, .6)}
                   for m in ("ours", "ours-velocity", "ours-no-conv", "ours-invariant")},
        "paired": {"ours-velocity": {"ours": S(.05, .01, .09)},
                   "ours-no-conv": {"ours": S(-.05, -.09, -.01)},
                   "ours-invariant": {"ours": S(0, -.03, .03)}}})
    text = F.ablation_sentence(r)
    assert "better than our network: our network on velocities only" in text
    assert "worse: our network without its convolution layer" in text
    assert "no difference can be claimed for our network on speed and turning angle only" in text


def test_ties_and_capitals():
    r = result({"forest": (.1, .05, .15)})
    r.models["ours"].recall = {"A": 1.0, "B": 1.0, "C": 1.0}
    assert "every condition equally well (recall 100 %)" in F.recall_sentence(r, "ours")
    assert F.cap("the report's network B") == "The report's network B"
    assert F.label("unknown-model") == "unknown-model"
    assert F.protocol_words(Evaluation(n_folds=5, protocol="kfold")) == "cross-validation grouped by cell (5 folds)"


def test_window_comparisons_use_the_per_window_differences():
    r = result({"forest": (0, -.01, .01)})
    r.paired_window = {"ours": {"forest": Score(.05, .02, .08), "minirocket": Score(-.05, -.08, -.02)}}
    text = F.window_sentence(r)
    assert "our network beats the motility-feature forest on per-window balanced accuracy by 0.05" in text
    assert "MiniRocket beats our network on per-window balanced accuracy" in text
    assert "no difference" in F.comparison(r, "ours", "forest")
    with pytest.raises(KeyError):
        F.window_sentence(Evaluation(models=r.models))


def test_noise_ablation_sentence_names_a_change_only_when_the_interval_excludes_0():
    rows = [{"model": "forest", "per": "window", "a": 0.94, "b": 0.80, "diff": 0.14, "lower": 0.10,
             "upper": 0.18},
            {"model": "minirocket", "per": "track", "a": 0.99, "b": 0.98, "diff": 0.01, "lower": -0.02,
             "upper": 0.04}]
    s = F.noise_ablation_sentence(rows)
    assert s.startswith("The motility-feature forest, per window: 94 % with its own noise models, 80 %")
    assert "(drops: difference +14 points, 95 % interval +10 to +18)" in s
    assert "MiniRocket, per track: 99 %" in s and "shows no change that can be claimed" in s
    rises = F.noise_ablation_sentence([{**rows[0], "a": 0.8, "b": 0.9, "diff": -0.1, "lower": -0.15,
                                        "upper": -0.05}])
    assert "(rises:" in rises
    assert F.noise_ablation_sentence([]) == ""
    flat = F.noise_ablation_sentence([{**rows[0], "lower": 0.14, "upper": 0.14}])
    assert "no interval" in flat and "drops" not in flat


def test_noise_ablation_sentence_claims_no_change_that_holm_takes_away():
    row = {"model": "forest", "per": "window", "a": 0.94, "b": 0.80, "diff": 0.14, "lower": 0.10,
           "upper": 0.18, "p": 0.02, "p_holm": 0.06}
    s = F.noise_ablation_sentence([row])
    assert "drops" not in s and "no change can be claimed after Holm's adjustment" in s
    assert "adjusted p = 0.06" in s and "95 % interval +10 to +18" in s
    kept = F.noise_ablation_sentence([{**row, "p_holm": 0.004}])
    assert "(drops:" in kept and "Holm-adjusted p = 0.004" in kept
    # the row's adjusted p reaches claim() through row_difference
    assert F.row_difference(row).p_holm == 0.06 and F.claim(F.row_difference(row)) == 0
    assert F.row_difference({k: v for k, v in row.items() if k != "p_holm"}).p_holm is None


def test_headline_claims_no_lead_from_folds_without_an_interval():
    from cellmotion.findings import classification as F

    nan = float("nan")
    res = Evaluation.from_dict(
        {"models": {"forest": {"per_track_bacc": {"mean": .99, "lower": nan, "upper": nan,
                                                  "reason": "2 folds give 1 degree(s) of freedom"}},
                    "ours": {"per_track_bacc": {"mean": .93, "lower": nan, "upper": nan}}},
         "paired": {"forest": {"ours": {"mean": .06, "lower": nan, "upper": nan, "p": nan,
                                        "reason": "2 folds give 1 degree(s) of freedom"}}},
         "conditions": ["a", "b", "c"], "n_folds": 2, "protocol": "kfold"})
    text = F.headline_sentence(res)
    assert "beats" not in text and "within the noise" not in text
    assert "cannot be said" in text and "2 folds give 1 degree(s) of freedom" in text
    assert "99 % (no interval" in text


def test_an_interval_read_back_from_json_without_bounds_claims_nothing():
    """JSON writes a missing bound (too few folds) as null: read back, it is no interval."""
    import json

    import math

    from cellmotion.findings.classification import has_interval, with_interval

    d = json.loads(json.dumps({"mean": 0.61, "lower": float("nan"), "upper": float("nan"),
                               "reason": "2 folds give 1 degree of freedom"}).replace("NaN", "null"))
    assert d["lower"] is None
    s = Score.from_dict(d)
    assert math.isnan(s.lower) and math.isnan(s.upper) and not has_interval(s)
    assert "no interval: 2 folds give 1 degree of freedom" in with_interval(s)
    assert has_interval(Score(0.6, 0.5, 0.7))


def test_schedule_sentence_says_what_stops_training():
    from cellmotion.findings.classification import schedule_sentence
    from cellmotion.models.networks import FAST, ORIGINAL

    fast = schedule_sentence(FAST)
    assert f"Batches of {FAST.batch_size} windows" in fast and "best weights are kept" in fast
    assert "15 % of the training cells" in fast
    original = schedule_sentence(ORIGINAL)
    assert "no early stopping" in original and "clipped" not in original

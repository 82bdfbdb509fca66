"""The bundled real leukocytes: counts as documented, no cell on both sides of any split, and
the sentences of the chapter *Real cells* on small made-up results."""

import re

import numpy as np
import pandas as pd
import pytest

from cellmotion import classification as C
from cellmotion.contract import cell_ids
from cellmotion.datasets import LEUKOCYTES, dataset_info, load_dataset
from cellmotion.findings import real_cells as F
from cellmotion.paths import project_path
from cellmotion.preprocess import split_tracks, to_trajectories
from cellmotion.results import DonorCost, Evaluation

DATA = project_path("data/leukocytes-ghent", create=False)


def readme_table() -> pd.DataFrame:
    """The README's table of tracks per condition and donor."""
    lines = (DATA / "README.md").read_text().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| condition |"))
    donors = [c.strip() for c in lines[head].strip("|").split("|")][1:]
    rows = {}
    for line in lines[head + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = [int(c) for c in cells[1:]]
    return pd.DataFrame.from_dict(rows, orient="index", columns=donors)


@pytest.fixture(scope="module")
def loaded():
    return load_dataset(LEUKOCYTES, return_counts=True)


@pytest.fixture(scope="module")
def traj(loaded):
    return to_trajectories(loaded[0], interval=dataset_info(LEUKOCYTES).interval)


def test_raw_file_has_the_readmes_tracks_per_condition_and_donor():
    raw = pd.read_csv(DATA / "tracks.csv.gz")
    got = raw.groupby(["condition", "patient"])["track_id"].nunique().unstack()
    want = readme_table()
    pd.testing.assert_frame_equal(got.loc[want.index, want.columns], want, check_names=False,
                                  check_dtype=False)
    text = (DATA / "README.md").read_text()
    assert f"{raw['track_id'].nunique():,} tracks" in text
    assert f"{len(raw):,} positions" in text


def test_loader_reads_the_readmes_tracks_per_condition(loaded):
    _, counts = loaded
    want = readme_table().sum(axis=1)
    info = dataset_info(LEUKOCYTES)
    assert not info.synthetic and not info.report_kind
    assert (info.length_unit, info.time_unit, info.replicate_name) == ("px", "frame", "donor")
    names = {k.lower(): k for k in counts.index}
    for cond, n in want.items():
        assert counts.loc[names[cond.lower()], "tracks read"] == n
    assert (counts["used"] > 0).all()


def test_every_used_piece_knows_its_donor(traj):
    assert traj.replicates is not None
    assert set(traj.replicates) == {"p2", "p3", "p4", "p5"}
    # a cell (pieces of one track) belongs to one donor and one condition
    cells = pd.DataFrame({"cell": traj.cells, "donor": traj.replicates, "cond": traj.conditions})
    assert (cells.groupby("cell")[["donor", "cond"]].nunique() == 1).all().all()


def _assert_no_shared_cell(traj, train, test):
    cells = np.asarray(traj.cells).astype(str)
    assert not set(cells[train]) & set(cells[test])
    assert len(np.intersect1d(train, test)) == 0


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 123])
def test_no_cell_on_both_sides_of_split_tracks(traj, seed):
    train, test = split_tracks(traj, 0.2, seed)
    _assert_no_shared_cell(traj, train, test)
    assert len(train) + len(test) == len(traj)
    # the gap pieces really are several tracks of one cell here
    assert len(set(traj.cells)) < len(traj)


@pytest.mark.parametrize("seed", [0, 3])
def test_no_cell_on_both_sides_of_grouped_folds(traj, seed):
    folds = C.grouped_folds(traj, 30, 3, 1, seed)
    assert len(folds) == 3
    for train, test in folds:
        _assert_no_shared_cell(traj, train, test)
    for train, test in C.cv_splits(traj, 30, 3, 1, seed):
        _assert_no_shared_cell(traj, train, test)


def test_replicate_folds_hold_out_exactly_one_donor_each(traj):
    folds = C.replicate_folds(traj)
    reps = np.asarray(traj.replicates).astype(str)
    held = []
    for train, test in folds:
        assert len(set(reps[test])) == 1
        assert set(reps[test]).isdisjoint(reps[train])
        assert len(train) + len(test) == len(traj)
        _assert_no_shared_cell(traj, train, test)
        held.append(reps[test][0])
    assert sorted(held) == ["p2", "p3", "p4", "p5"]


def test_cell_ids_join_gap_pieces():
    assert list(cell_ids(["p2-fmlp-3~1", "p2-fmlp-3~2", "p2-fmlp-3"])) == ["p2-fmlp-3"] * 3


# ----------------------------------------------------------------------------- findings
def S(mean, lower, upper):
    return {"mean": mean, "lower": lower, "upper": upper}


def result_dict(scores: dict, paired: dict) -> dict:
    """A made-up result in the layout of the metrics file."""
    return {"models": {m: {"per_track_bacc": s} for m, s in scores.items()},
            "paired": paired, "conditions": ["A", "B", "C", "D"]}


def result(scores: dict, paired: dict) -> Evaluation:
    return Evaluation.from_dict(result_dict(scores, paired))


def test_winner_claimed_only_when_the_paired_interval_excludes_zero():
    clear = result({"forest": S(.6, .55, .65), "ours": S(.5, .45, .55)},
                   {"forest": {"ours": S(.1, .05, .15)}})
    text = F.winner_sentence(clear, "folds grouped by cell")
    assert "the motility-feature forest has the highest" in text
    assert "beats our network" in text and "+10 points" in text and "chance 25 %" in text
    noisy = result({"forest": S(.6, .5, .7), "ours": S(.58, .5, .66)},
                   {"ours": {"forest": S(-.02, -.08, .04)}})  # stored the other way round
    text = F.winner_sentence(noisy, "folds grouped by cell")
    assert "no winner can be claimed" in text and "+2 points" in text
    assert "\u22124 to +8" in text
    wide = result({"ours": S(.5, -.2, 1.3)}, {})
    assert "95 % interval 0–100 %; chance 25 %" in F.winner_sentence(wide, "x")


def test_paired_flips_a_reversed_comparison():
    r = Evaluation.from_dict({"paired": {"b": {"a": {"mean": -.1, "lower": -.2, "upper": .05, "p": .3}}}})
    d = F.paired(r, "a", "b")
    assert d.mean == pytest.approx(.1) and d.lower == pytest.approx(-.05)
    assert d.upper == pytest.approx(.2)
    with pytest.raises(KeyError):
        F.paired(r, "a", "c")


def test_new_donor_sentence_claims_a_drop_only_with_an_interval_above_zero_after_holm():
    def cost(mean, lo, hi, p_holm):
        return DonorCost.from_dict({"mean": mean, "lower": lo, "upper": hi, "p": p_holm, "p_holm": p_holm,
                                    "donors": {"d1": {}, "d2": {}, "d3": {}, "d4": {}}})
    text = F.new_donor_sentence({"ours": cost(.2, .05, .35, .01), "forest": cost(.01, -.05, .07, .6)})
    assert "our network +20 points" in text and "paired over 4 donors" in text
    assert "clear" in text and "for our network," in text
    # above 0 but not after Holm's adjustment over the models: no claim
    text = F.new_donor_sentence({"ours": cost(.2, .05, .35, .08)})
    assert "No drop is clear" in text
    none = F.new_donor_sentence({"ours": DonorCost(.1, reason="the 4 folds do not vary")})
    assert "No drop is clear" in none and "no interval: the 4 folds do not vary" in none


def test_winner_sentence_names_no_winner_from_a_zero_width_interval():
    degenerate = result({"forest": S(.6, .6, .6), "ours": S(.54, .54, .54)},
                        {"forest": {"ours": {"mean": .06, "lower": float("nan"), "upper": float("nan"),
                                             "reason": "2 folds give 1 degree(s) of freedom"}}})
    text = F.winner_sentence(degenerate, "folds grouped by cell")
    assert "beats" not in text and "no winner can be claimed" in text
    assert "2 folds give 1 degree(s) of freedom" in text and "0.06 to 0.06" not in text
    assert "within the noise" not in text and "cannot be judged" in text
    held = result({"forest": S(.6, .55, .65), "ours": S(.5, .45, .55)},
                  {"forest": {"ours": {**S(.1, .05, .15), "p_holm": .2}}})
    text = F.winner_sentence(held, "x")
    assert "beats" not in text and "Holm" in text


def test_artefact_sentence_reads_the_paired_rows_per_protocol():
    rows = {"folds grouped by cell": [
                {"model": "minirocket", "per": "track", "a": .71, "b": .56, "diff": .15, "lower": .08,
                 "upper": .22},
                {"model": "minirocket", "per": "window", "a": .7, "b": .5, "diff": .2, "lower": .1,
                 "upper": .3}],
            "one donor left out": [
                {"model": "forest", "per": "track", "a": .53, "b": .56, "diff": -.03, "lower": -.08,
                 "upper": .02}]}
    text = F.artefact_sentence(rows)
    assert text.startswith("With folds grouped by cell, MiniRocket 71 %")
    assert "the movie was worth +15 points" in text
    assert "the motility-feature forest 53 %" in text and "no difference can be claimed" in text
    assert text.count("%") == 4 + 2  # per-track rows only (two scores and an interval each)


def test_nll_sentence_follows_the_sign_of_mdn_minus_baseline():
    rows = [{"condition": "A", "model": "lstm_mdn", "diff_vs_mdn": np.nan, "lower": np.nan, "upper": np.nan},
            {"condition": "A", "model": "ar1_shared", "diff_vs_mdn": -.2, "lower": -.3, "upper": -.1},
            {"condition": "A", "model": "gaussian_iid", "diff_vs_mdn": -.5, "lower": -.6, "upper": -.4},
            {"condition": "B", "model": "ar1_shared", "diff_vs_mdn": .2, "lower": .1, "upper": .3},
            {"condition": "C", "model": "ar1_shared", "diff_vs_mdn": 0., "lower": -.1, "upper": .1}]
    text = F.nll_sentence(rows, "px/frame")
    assert "better than every baseline for A" in text
    assert "better than the LSTM-MDN for B" in text
    assert "can be claimed for C" in text and "px/frame" in text


def test_overlap_sentence_names_the_extremes():
    rows = [{"condition_a": "A", "condition_b": "B", "bhattacharyya": .9, "lower": .85, "upper": .95},
            {"condition_a": "A", "condition_b": "C", "bhattacharyya": .3, "lower": .2, "upper": .4},
            {"condition_a": "B", "condition_b": "C", "bhattacharyya": .5, "lower": .3, "upper": .7}]
    text = F.overlap_sentence(rows)
    assert "those of A and B (overlap 0.90" in text and "A and C (overlap 0.30" in text
    assert "do not overlap" in text


def test_counts_sentence_and_its_checks():
    text = F.counts_sentence(2049, 4250, 1172, 1053, 3701, 30)
    assert re.search(r"2,049 tracks read.*4,250 pieces.*1,172 of them \(28 %", text)
    with pytest.raises(ValueError):
        F.counts_sentence(10, 5, 3, 3, 3, 30)


def test_headline_rows_from_a_metrics_dict():
    m = {"counts": {"total": {"tracks read": 10, "pieces": 20, "used": 8, "cells used": 6}},
         "classification": {"grouped": result_dict({"ours": S(.6, .5, .7)}, {}),
                            "donor": result_dict({"ours": S(.4, .3, .5)}, {}), "primary": "donor",
                            "settings": {"models": ["ours"]}},
         "generation": [{"condition": "A", "model": "lstm_mdn", "diff_vs_mdn": np.nan},
                        {"condition": "A", "model": "ar1_shared", "label": "AR(1)",
                         "diff_vs_mdn": -.2, "lower": -.3, "upper": -.1}],
         "superstats": {"overlaps": [{"condition_a": "A", "condition_b": "B", "bhattacharyya": .5}]}}
    rows = F.headline(m)
    assert rows[0]["value"] == "10 / 20 / 8 (6)"
    assert "leave one donor out" in rows[2]["quantity"] and "40 %" in rows[2]["value"]
    assert rows[3]["quantity"] == "A: held-out NLL per step, LSTM-MDN minus AR(1) [nats]"
    assert rows[-1]["value"] == "A–B 0.50 / A–B 0.50"


def test_the_data_box_names_the_data_and_its_units():
    from cellmotion.summary import data_admonition

    real = data_admonition(dataset_info(LEUKOCYTES))
    assert "Human leukocytes" in real and "px/frame" in real and "Apache" in real
    assert "synthetic" not in real.lower()
    default = data_admonition(dataset_info("synthetic"))
    assert "The default data is synthetic" in default and "warning" in default



def test_differences_in_points_are_written_with_a_true_minus_sign():
    from cellmotion.findings.real_cells import points
    from cellmotion.results import Score

    s = points(Score(-0.05, -0.14, 0.04))
    assert s == "\u22125 points (95 % interval \u221214 to +4)"
    assert "-" not in s


def _selection(picks, design, inner_spread=0.05):
    outer = {f"d{i}": {"inner": {"ours": 0.5, "report-best": 0.5 + inner_spread, "ours-no-conv": 0.48},
                       "chosen": m, "outer_score": 0.5} for i, m in enumerate(picks)}
    return {"command": "benchmarks/bench_classify_ablation.py --select", "date": "2026-12-03",
            "seeds": [0], "max_epochs": 15, "candidates": ["ours", "report-best", "ours-no-conv"],
            "design": design, "nested_score": 0.537, "outer": outer}


def test_the_selection_sentence_says_what_was_chosen_and_whether_the_book_uses_it():
    other = F.selection_sentence(_selection(["ours", "report-best", "report-best", "ours-no-conv"],
                                            "report-best"), "ours", halfwidth=0.10)
    assert "the report's network B 2 times" in other and "out of 4" in other
    assert "chooses the report's network B" in other and "54 %" in other
    assert "not the design the chapter calls our network" in other
    assert "less than the half-width" in other  # spreads of 5 points against 10
    same = F.selection_sentence(_selection(["ours"] * 3, "ours", inner_spread=0.2), "ours", halfwidth=0.10)
    assert "It is the design the chapter calls our network" in same and "not the design" not in same
    assert "more than the half-width" in same
    assert "--select" in F.selection_sentence(None) and "No record" in F.selection_sentence(None)

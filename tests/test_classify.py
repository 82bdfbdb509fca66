"""Claims about the LSTM classifiers, their training data and their evaluation."""

import json
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import pytest

from cellmotion import classification as C
from cellmotion import evaluation as E
from cellmotion.models.networks import RandomPlaneRotation
from cellmotion.preprocess import Trajectories, make_windows, split_tracks

NAMES = ["Collagen", "Plastic", "Fibronectin"]


def fake_trajectories(counts=(12, 20, 9), steps=(95, 64, 70), seed=0):
    """Tracks whose every velocity component equals the track's index (so windows reveal
    their source track) and whose lengths differ per condition."""
    rng = np.random.default_rng(seed)
    vel, lab, ids = [], [], []
    for c, (n, t) in enumerate(zip(counts, steps)):
        for _ in range(n):
            i = len(vel)
            vel.append(np.full((t + int(rng.integers(0, 10)), 3), float(i)))
            lab.append(c)
            ids.append(f"{NAMES[c]}_{i:03d}")
    lab = np.array(lab)
    return Trajectories(track_ids=np.array(ids, dtype=object),
                        conditions=np.array([NAMES[c] for c in lab], dtype=object),
                        condition_names=list(NAMES), labels=lab, velocities=vel,
                        starts=[np.zeros(3) for _ in vel], dt=5.0, dims=["x", "y", "z"],
                        flat_z=["Plastic", "Fibronectin"])


@pytest.mark.parametrize("name", ["A", "B", "C", "D"])
def test_networks_give_class_probabilities_for_any_window_length(name):
    model = C.build_classifier(C.NETWORKS[name], n_features=3, n_classes=3)
    for length in (30, 7, 80):
        p = np.asarray(model(np.zeros((4, length, 3), np.float32)))
        assert p.shape == (4, 3)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    n_lstm = sum("lstm" in layer.name for layer in model.layers)
    assert n_lstm == len(C.NETWORKS[name].layers)


def test_rotation_keeps_speed_and_z_and_is_identity_at_inference():
    layer = RandomPlaneRotation(seed=3)
    x = np.random.default_rng(0).normal(size=(64, 30, 3)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    r = np.asarray(layer(x, training=True))
    np.testing.assert_allclose(np.linalg.norm(r[..., :2], axis=-1), np.linalg.norm(x[..., :2], axis=-1),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(r[..., 2], x[..., 2])
    assert np.mean(np.abs(r[..., :2] - x[..., :2])) > 0.1
    # one angle per window: the angle between original and rotated step is the same at every step
    ang = np.angle((r[..., 0] + 1j * r[..., 1]) / (x[..., 0] + 1j * x[..., 1]))
    spread = np.abs(np.angle(np.exp(1j * (ang - ang[:, :1]))))
    assert spread.max() < 1e-3


def test_class_weights_balance_classes_and_sum_to_number_of_windows():
    y = np.array([0] * 50 + [1] * 30 + [2] * 5)
    w = C.class_weights(y, 3)
    sw = C.sample_weights(y, 3)
    assert sw.sum() == pytest.approx(len(y), rel=1e-6)
    totals = [sw[y == c].sum() for c in range(3)]
    np.testing.assert_allclose(totals, len(y) / 3, rtol=1e-6)
    # proportional to 1 / N_i
    assert w[0] * 50 == pytest.approx(w[2] * 5)
    assert C.class_weights(np.array([0, 0, 1]), 3)[2] == 0.0


def test_windows_stay_inside_one_track_and_one_side_of_the_split():
    traj = fake_trajectories()
    train, test = split_tracks(traj, 0.2, seed=1)
    assert not set(train) & set(test)
    for side in (train, test):
        sub = traj.subset(side)
        X, y, owner = make_windows(sub.velocities, sub.labels, length=30)
        assert len(X) > 0
        # every value of a window is the index of one original track ...
        assert np.all(X == X[:, :1, :1])
        src = X[:, 0, 0].astype(int)
        # ... the track it claims to come from, and that track is on this side of the split
        np.testing.assert_array_equal(src, np.asarray(side)[owner])
        assert set(src) <= set(side)
        np.testing.assert_array_equal(y, traj.labels[src])


def test_cv_folds_are_grouped_by_track_and_stratified():
    traj = fake_trajectories()
    splits = C.cv_splits(traj, window=30, n_splits=3, n_repeats=2, seed=0)
    assert len(splits) == 6
    for train, test in splits:
        assert not set(train) & set(test)
        assert len(set(train) | set(test)) == len(traj)
        assert set(traj.labels[test]) == {0, 1, 2}
    # within one repeat every track is tested exactly once
    tested = np.concatenate([te for _, te in splits[:3]])
    assert len(tested) == len(set(tested)) == len(traj)


def test_validation_holds_out_whole_tracks():
    groups = np.repeat(np.arange(20), 4)
    labels = np.repeat(np.arange(20) % 2, 4)
    held = C.holdout_groups(groups, labels, 0.25, seed=0)
    for g in range(20):
        assert held[groups == g].all() or not held[groups == g].any()
    assert set(labels[held]) == {0, 1}


def test_a_network_learns_a_separable_toy_problem():
    rng = np.random.default_rng(0)
    n, t = 240, 20
    y = rng.integers(0, 3, n)
    # class c drifts along its own direction; noise is as large as the drift
    drift = np.array([[0.3, 0, 0], [0, 0.3, 0], [-0.3, -0.3, 0]])[y]
    X = (drift[:, None, :] + 0.3 * rng.normal(size=(n, t, 3))).astype(np.float32)
    groups = np.arange(n)
    import keras

    keras.utils.set_random_seed(0)
    model = C.build_classifier(C.NETWORKS["B"], 3, 3, learning_rate=0.01, steps_per_execution=8)
    record = C.per_class_accuracy_callback(X[:180], y[:180], 3)
    _, epochs, _ = C.fit_network(model, X[:180], y[:180], groups[:180], 3,
                                 C.Schedule(batch_size=32, learning_rate=0.01, max_epochs=25,
                                            patience=None, val_fraction=0.0), callbacks=[record])
    acc = np.mean(C.predict_proba(model, X[180:]).argmax(1) == y[180:])
    assert acc > 0.9
    # the per-class record (Figure 6) has one row before training and one per epoch
    hist = np.asarray(record.history)
    assert hist.shape == (epochs + 1, 3)
    assert np.all(hist[-1] > 0.85)


def test_score_averages_window_probabilities_per_track():
    proba = np.array([[0.9, 0.1, 0], [0.2, 0.8, 0], [0.45, 0.55, 0],  # track 0 (class 0)
                      [0, 1, 0], [0, 0, 1]])                          # track 1 (class 1)
    y = np.array([0, 0, 0, 1, 1])
    owner = np.array([0, 0, 0, 1, 1])
    m = C.score(proba, y, owner, NAMES)
    assert m["overall"] == pytest.approx(2 / 5)
    assert m["Collagen"] == pytest.approx(1 / 3)
    assert m["Plastic"] == pytest.approx(1 / 2)
    # track 0 averages to (0.52, 0.48): class 0, right; track 1 averages to a tie -> class 1
    assert m["per_track"] == pytest.approx(1.0)
    assert np.asarray(m["confusion"]).sum() == 5


def test_window_features_of_a_straight_run():
    """The forest's features of a straight run at 1 µm/min: speed 1, no spread, straightness 1,
    no turning, net displacement = speed x duration."""
    from cellmotion.peers import MOTILITY_FEATURES, motility_features

    X = np.tile(np.array([0.6, 0.8]), (1, 30, 1))  # 1 µm/min along one direction
    f = dict(zip(MOTILITY_FEATURES, motility_features(X, dt=5.0)[0]))
    mean_speed, sd_speed, straight = f["mean speed"], f["speed s.d."], f["straightness"]
    angle, net = f["mean turning angle [rad]"], f["net displacement"]
    assert mean_speed == pytest.approx(1.0)
    assert sd_speed == pytest.approx(0.0, abs=1e-12)
    assert straight == pytest.approx(1.0)
    assert angle == pytest.approx(0.0, abs=1e-6)
    assert net == pytest.approx(150.0)  # 30 steps x 5 min x 1 µm/min

def moving_trajectories(n_per=8, steps=65, replicates=("d1", "d2", "d3"), seed=0):
    """2D tracks whose conditions differ in speed, with replicates; some cells cut in two."""
    rng = np.random.default_rng(seed)
    vel, lab, ids, reps = [], [], [], []
    for c in range(3):
        for i in range(n_per):
            v = (0.5 + c) * rng.normal(size=(steps, 2))
            rep = replicates[i % len(replicates)]
            if i % 4 == 0:  # a cell cut at a gap: two pieces, one cell
                for part in (1, 2):
                    vel.append(v)
                    lab.append(c)
                    ids.append(f"{NAMES[c]}_{i:03d}~{part}")
                    reps.append(rep)
            else:
                vel.append(v)
                lab.append(c)
                ids.append(f"{NAMES[c]}_{i:03d}")
                reps.append(rep)
    lab = np.array(lab)
    return Trajectories(track_ids=np.array(ids, dtype=object),
                        conditions=np.array([NAMES[c] for c in lab], dtype=object),
                        condition_names=list(NAMES), labels=lab, velocities=vel,
                        starts=[np.zeros(2) for _ in vel], dt=5.0, dims=["x", "y"],
                        flat_z=list(NAMES), replicates=np.array(reps, dtype=object))


def test_grouped_folds_keep_cells_together_and_replicate_folds_hold_out_one_replicate():
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, n_repeats=2, seed=0)
    assert len(folds) == 6
    for tr, te in folds:
        assert not set(traj.cells[tr]) & set(traj.cells[te])
    rf = C.replicate_folds(traj)
    assert [sorted(set(traj.replicates[te])) for _, te in rf] == [["d1"], ["d2"], ["d3"]]
    for tr, te in rf:
        assert len(tr) + len(te) == len(traj) and not set(traj.replicates[tr]) & set(traj.replicates[te])
    assert C.fold_protocol(traj, rf) == "replicate" and C.fold_protocol(traj, folds) == "kfold"
    with pytest.raises(ValueError, match="no replicates"):
        C.replicate_folds(fake_trajectories())


def test_sd_scaler_ignores_one_tracking_jump():
    v = [np.random.default_rng(0).normal(size=(500, 2))]
    v[0][10] = [300.0, 0.0]  # one jump
    assert C.fit_scaler(v, "report").scale == pytest.approx(300.0)
    assert C.fit_scaler(v, "sd").scale < 15
    with pytest.raises(ValueError):
        C.fit_scaler(v, "minmax")


def rotated(x, angle: float) -> np.ndarray:
    """Windows ``(n, T, 2)`` with every step rotated by ``angle`` (radians) in the plane."""
    c, s = np.cos(angle), np.sin(angle)
    return x @ np.array([[c, s], [-s, c]], np.float32)


def test_motion_channels_are_rotation_invariant_and_reflection_flips_the_angle():
    from cellmotion.models.networks import MotionChannels

    x = np.random.default_rng(1).normal(size=(5, 12, 2)).astype(np.float32)
    rot = rotated(x, 0.7)
    inv = np.asarray(MotionChannels("invariant")(x))
    assert inv.shape == (5, 12, 2)
    np.testing.assert_allclose(np.asarray(MotionChannels("invariant")(rot)), inv, atol=1e-4)
    mirrored = np.asarray(MotionChannels("invariant")(x * np.array([1, -1], np.float32)))
    np.testing.assert_allclose(mirrored[..., 1], -inv[..., 1], atol=1e-4)
    np.testing.assert_allclose(inv[..., 0], np.log(np.linalg.norm(x, axis=-1) + 1e-3), atol=1e-4)
    assert np.asarray(MotionChannels("both")(x)).shape == (5, 12, 4)


def test_our_network_accepts_any_window_length():
    model = C.build_classifier(C.OURS, n_features=2, n_classes=4)
    for length in (30, 9):
        p = np.asarray(model(np.ones((3, length, 2), np.float32)))
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert "rotation and reflection" in C.OURS.describe()


def test_evaluate_models_gives_the_shared_result_shape():
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, n_repeats=1, seed=0)
    res = C.evaluate_models(traj, folds, ["report-best", "forest"],
                            window=30, seeds=(0, 1), max_epochs=1, report=None)
    assert isinstance(res, C.Evaluation)
    assert set(res.to_dict()) >= {"models", "paired", "conditions", "seconds"}
    assert res.conditions == NAMES and res.protocol == "kfold" and res.n_folds == 3
    for name, m in res.models.items():
        for s in (m.per_track_bacc, m.per_window_bacc, m.macro_f1):
            assert len(s.folds) == 3
            # an interval, or none (folds that all agree) with its reason: never a point
            assert (s.lower < s.upper and s.lower <= s.mean <= s.upper) or (
                np.isnan(s.lower) and s.reason)
        assert set(m.recall) == set(NAMES)
        cm = np.asarray(m.confusion)
        # per cell: the two pieces of a cut cell vote once
        assert cm.sum() == len(set(traj.cells))
        assert 0 <= m.brier <= 2
    assert res.models["report-best"].epochs == [1] * 6  # two seeds x three folds
    d, e = res.paired["forest"]["report-best"], res.paired["report-best"]["forest"]
    assert d.mean == pytest.approx(-e.mean)
    # the forest separates speeds easily
    assert res.models["forest"].per_track_bacc.mean > 0.8
    rep = C.evaluate_models(traj, C.replicate_folds(traj), ["forest"], window=30, report=None)
    assert rep.protocol == "replicate" and rep.n_folds == 3
    with pytest.raises(KeyError):
        C.evaluate_models(traj, folds, ["no-such-model"], report=None)


def test_ensembles_average_their_members():
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, seed=1)
    C.MODELS["_test_ens"] = C.Candidate("_test_ens", "ensemble", members=("forest", "forest"))
    try:
        res = C.evaluate_models(traj, folds, ["forest", "_test_ens"], report=None)
    finally:
        del C.MODELS["_test_ens"]
    assert res.models["_test_ens"].per_track_bacc.folds == res.models["forest"].per_track_bacc.folds


def test_chapter_metrics_keep_the_keys_the_headline_table_reads():
    from cellmotion.summary import classification_rows

    traj = moving_trajectories()
    res = C.evaluate_models(traj, C.grouped_folds(traj, 30, 3), ["forest", "minirocket"], report=None)
    t2 = {"B": {"overall": .9, "Collagen": 1.0, "Plastic": .8, "Fibronectin": .9, "balanced": .9,
                "per_track": 1.0, "per_track_balanced": 1.0, "epochs": 3}}
    m = C.chapter_metrics(dataset="x", synthetic=False, profile="smoke", seed=0, conditions=NAMES,
                          window=30, schedule=C.FAST, table2={"without z": t2}, report_kind=False,
                          window_lengths=[10, 30], acc_by_length={"B": [.5, .9]},
                          evaluation={"grouped": res}, cv_folds=3, cv_repeats=1, wall={})
    assert m["table2_report"] == {} and m["table2_setting"] == "without_z"
    assert "cv" not in m  # one naming only: the models as classification.MODELS names them
    assert set(m["evaluation"]["grouped"]["models"]) == {"forest", "minirocket"}
    rows = classification_rows(m)
    assert rows[0]["report"] == "not measured in the report"
    assert any(r["quantity"].startswith("forest: per-track balanced accuracy") for r in rows)
    assert any(r["quantity"].startswith("minirocket: per-track balanced accuracy") for r in rows)


def test_compare_evaluations_pairs_the_folds_of_two_versions_of_a_dataset():
    def result(track_folds, window_folds, n_folds=5):
        return C.Evaluation.from_dict(
            {"n_folds": n_folds, "protocol": "kfold", "cells_per_fold": {"train": 80, "test": 20},
             "models": {"forest": {"per_track_bacc": {"mean": np.mean(track_folds), "folds": track_folds},
                                   "per_window_bacc": {"mean": np.mean(window_folds),
                                                       "folds": window_folds}}}})
    b_folds = ([0.9, 0.91, 0.92, 0.92, 0.91], [0.70, 0.71, 0.72, 0.72, 0.70])
    a = result([0.9, 0.92, 0.91, 0.93, 0.9], [0.80, 0.82, 0.81, 0.83, 0.80])
    b = result(*b_folds)
    rows = {r["per"]: r for r in C.compare_evaluations(a, b)}
    assert rows["window"]["diff"] == pytest.approx(0.102)
    assert rows["window"]["lower"] > 0          # the same shift on every fold: a clear drop
    assert rows["track"]["lower"] < 0 < rows["track"]["upper"]
    # one model: each family (per track, per window) holds one row, so Holm changes nothing
    assert rows["window"]["p_holm"] == pytest.approx(rows["window"]["p"])
    assert (rows["window"]["claim"], rows["track"]["claim"]) == (1, 0)
    with pytest.raises(ValueError, match="different folds"):
        C.compare_evaluations(a, result(*b_folds, n_folds=3))


def test_compare_evaluations_claims_only_what_survives_holm_over_the_rows_of_the_table():
    def result(track_shift, window_shift, models=("forest", "minirocket", "multirocket"),
               noise=np.array([0.01, -0.01, 0.02, -0.02, 0.0])):
        return C.Evaluation.from_dict(
            {"n_folds": 5, "protocol": "kfold", "cells_per_fold": {"train": 80, "test": 20},
             "models": {m: {"per_track_bacc": {"mean": 0.8, "folds": list(0.8 + track_shift + noise)},
                            "per_window_bacc": {"mean": 0.8, "folds": list(0.8 + window_shift + noise)}}
                        for m in models}})
    flat = result(0.0, 0.0, noise=np.zeros(5))  # every fold at 0.8
    rows = C.compare_evaluations(result(0.035, 0.08), flat)
    track = [r for r in rows if r["per"] == "track"]
    window = [r for r in rows if r["per"] == "window"]
    # per track every interval excludes 0 and p < 0.05 on its own, but not after Holm over 3 rows
    assert all(r["lower"] > 0 and r["p"] < 0.05 for r in track)
    assert all(r["p_holm"] >= 0.05 and r["claim"] == 0 for r in track)
    assert [r["p_holm"] for r in track] == pytest.approx(list(E.holm([r["p"] for r in track])))
    # per window is its own family, and a large shift survives the adjustment
    assert all(r["p_holm"] < 0.05 and r["claim"] == 1 for r in window)
    # a drop (b higher) is claimed as -1; the old columns are still there
    back = C.compare_evaluations(flat, result(0.035, 0.08))
    assert [r["claim"] for r in back if r["per"] == "window"] == [-1, -1, -1]
    assert {"model", "per", "a", "b", "diff", "lower", "upper", "p", "reason"} <= set(back[0])
    # alone, the same per-track shift is claimed: the adjustment is over the rows of one call
    one = C.compare_evaluations(result(0.035, 0.08, ("forest",)), flat, ["forest"])
    assert one[0]["per"] == "track" and one[0]["claim"] == 1


def test_paired_frame_shows_the_unadjusted_and_the_holm_adjusted_p_under_their_own_headers():
    from cellmotion.results import Score
    d = Score(0.05, 0.01, 0.09, 0.023, p_holm=0.28)
    w = Score(0.02, -0.01, 0.05, 0.2, p_holm=0.6)
    res = C.Evaluation(paired={"ours": {"minirocket": d}}, paired_window={"ours": {"minirocket": w}})
    df = C.paired_frame(res, "ours")
    assert ("per track", "p") not in df.columns
    assert df.loc["minirocket", ("per track", C.PAIRED_P_UNADJUSTED)] == pytest.approx(0.023)
    assert df.loc["minirocket", ("per track", C.PAIRED_P_HOLM)] == pytest.approx(0.28)
    assert df.loc["minirocket", ("per window", C.PAIRED_P_HOLM)] == pytest.approx(0.6)
    assert (C.PAIRED_P_UNADJUSTED, C.PAIRED_P_HOLM) == ("p (unadjusted)", "p (Holm)")
    none = C.Evaluation(paired={"ours": {"forest": Score(0.1)}})  # too few folds: no interval
    assert C.paired_frame(none, "ours").loc["forest", ("per track", "95 % interval")] == "no interval"


def test_folds_trained_in_two_worker_processes_give_the_same_result_as_one_process():
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, n_repeats=1, seed=0)
    kw = dict(window=30, seeds=(0,), max_epochs=2, report=None)
    one = C.evaluate_models(traj, folds, ["report-best", "forest"], **kw)
    two = C.evaluate_models(traj, folds, ["report-best", "forest"], n_jobs=2, **kw)
    for name in ("report-best", "forest"):
        a, b = one.models[name], two.models[name]
        np.testing.assert_allclose(a.per_window_bacc.folds, b.per_window_bacc.folds)
        np.testing.assert_allclose(a.brier_window, b.brier_window, rtol=1e-5)
        assert a.epochs == b.epochs and a.confusion == b.confusion
    assert two.n_folds == one.n_folds == 3


def test_the_multirocket_peer_uses_multirocket_pooling_on_the_same_windows():
    peer = C._peer(C.MODELS["multirocket"], dt=2.0, seed=0)
    assert peer.pooling == "multi" and peer.channels == "velocity" and peer.dt == 2.0
    assert C._peer(C.MODELS["minirocket"], dt=2.0, seed=0).pooling == "ppv"


def pieces_trajectories(n_cells=18, pieces=3, steps=40, seed=0):
    """2D tracks where every cell is cut into ``pieces`` pieces (``<cell>~1``, ``~2``, ...),
    with three replicates; conditions differ in speed."""
    rng = np.random.default_rng(seed)
    vel, lab, ids, reps = [], [], [], []
    for c in range(3):
        for i in range(n_cells):
            for part in range(1, pieces + 1):
                vel.append((0.5 + c) * rng.normal(size=(steps + int(rng.integers(0, 5)), 2)))
                lab.append(c)
                ids.append(f"{NAMES[c]}_{i:03d}~{part}")
                reps.append(f"d{i % 3}")
    lab = np.array(lab)
    return Trajectories(track_ids=np.array(ids, dtype=object),
                        conditions=np.array([NAMES[c] for c in lab], dtype=object),
                        condition_names=list(NAMES), labels=lab, velocities=vel,
                        starts=[np.zeros(2) for _ in vel], dt=5.0, dims=["x", "y"],
                        flat_z=list(NAMES), replicates=np.array(reps, dtype=object))


def test_no_split_fold_or_validation_set_separates_the_pieces_of_one_cell(monkeypatch):
    """Property: with every cell cut into three pieces, the hold-out split, the grouped and the
    replicate folds, and the early-stopping validation set of the one training path each keep
    all pieces of a cell on one side; Table 2's per-track score counts cells, not pieces."""
    traj = pieces_trajectories()
    cells = np.asarray(traj.cells)
    assert len(set(cells)) * 3 == len(traj)

    def one_side(a, b):
        return not set(cells[a]) & set(cells[b])

    for seed in range(5):
        tr, te = split_tracks(traj, 0.25, seed=seed)
        assert one_side(tr, te)
        for tr, te in C.grouped_folds(traj, window=30, n_splits=3, n_repeats=2, seed=seed):
            assert one_side(tr, te)
    for tr, te in C.replicate_folds(traj):
        assert one_side(tr, te)
    seen = []
    real_fit = C.fit_network

    def recording_fit(model, X, y, groups, n_classes, schedule=C.FAST, seed=0, callbacks=()):
        held = C.holdout_groups(groups, y, schedule.val_fraction, seed=seed + 7919)
        seen.append((np.asarray(groups), held))
        return real_fit(model, X, y, groups, n_classes, schedule, seed, callbacks)

    monkeypatch.setattr(C, "fit_network", recording_fit)
    tr, te = split_tracks(traj, 0.25, seed=0)
    res = C.train_and_evaluate(traj, tr, te, C.NETWORKS["A"], C.Schedule(max_epochs=1), window=30)
    C.train_network(C.NETWORKS["A"], traj.subset(tr), 30, seeds=(0, 1), schedule=C.Schedule(max_epochs=1))
    assert len(seen) == 3
    for groups, held in seen:
        assert set(groups) <= set(cells[tr])  # groups are cells, never piece indices
        assert held.any() and not set(groups[held]) & set(groups[~held])
    assert res.metrics["n_tracks"] == len(set(cells[te]))


def test_invariant_inputs_make_every_model_blind_to_a_rotation_of_the_window():
    """Under the default inputs, rotating every window (the movie's direction) changes no
    model's probabilities: the networks (untrained weights suffice), the forest and MiniRocket."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 30, 2)).astype(np.float32)
    y = np.repeat([0, 1, 2], 20)
    X[y == 1] *= 2.0
    Xr = rotated(X, 1.1)
    for name, cand in C.MODELS.items():
        if cand.kind == "ensemble" or name.startswith("_"):
            continue
        inv = C.input_candidate(name, "invariant")
        if cand.kind == "network":
            model = C.build_classifier(inv.network, 2, 3, seed=0)
            a, b = np.asarray(model(X)), np.asarray(model(Xr))
        else:
            if name == "multirocket":
                continue  # the same channels as MiniRocket; its fit is the slow one
            est = C._peer(inv, dt=1.0, seed=0).fit(X, y)
            a, b = est.predict_proba(X), est.predict_proba(Xr)
        np.testing.assert_allclose(a, b, atol=2e-3, err_msg=name)
    # as-is, the report's network reads velocities: a rotation changes its output
    raw = C.build_classifier(C.input_candidate("report-best", "as-is").network, 2, 3, seed=0)
    assert np.abs(np.asarray(raw(X)) - np.asarray(raw(Xr))).max() > 1e-3
    with pytest.raises(ValueError):
        C.input_candidate("forest", "sideways")


def result_with_cells(cells, reps, y, proba_by_model, folds, n_train, n_test):
    return C.Evaluation(
        conditions=NAMES, cells=C.ScoredCells(cells, y, folds, reps),
        cells_per_fold=C.CellsPerFold(float(np.mean(n_train)), float(np.mean(n_test)), n_train, n_test),
        models={m: C.ModelScores(C.Score(float("nan")), cell_proba=p) for m, p in proba_by_model.items()})


def test_new_donor_cost_pairs_each_donors_cells_across_the_two_protocols():
    """Per donor: the same cells' score with other cells of the donor in training minus with
    the donor held out; the mean over donors gets the corrected interval of the donor folds."""
    rng = np.random.default_rng(0)
    donors = ["d1", "d2", "d3", "d4"]
    cells = [f"c{i}" for i in range(48)]
    reps = [donors[i % 4] for i in range(48)]
    y = [i % 3 for i in range(48)]
    right = np.eye(3)[y]
    wrong = np.eye(3)[[(v + 1) % 3 for v in y]]
    # grouped: every cell right; donor: cells of donor k right except the first k + 1 of each
    # condition -> a known drop per donor
    donor_p = right.copy()
    for k, d in enumerate(donors):
        idx = [i for i in range(48) if reps[i] == d]
        for c in range(3):
            own = [i for i in idx if y[i] == c][:k + 1]
            donor_p[own] = wrong[own]
    order = rng.permutation(48)  # rows in another order in the other result
    grouped = result_with_cells([cells[i] for i in order], [reps[i] for i in order],
                                [y[i] for i in order], {"m": right[order].tolist()},
                                [0] * 48, [36, 36, 36, 36, 36], [12] * 5)
    donor = result_with_cells(cells, reps, y, {"m": donor_p.tolist()},
                              [donors.index(r) for r in reps], [36] * 4, [12] * 4)
    cost = C.new_donor_cost(grouped, donor)["m"]
    # donor k: 12 cells, 4 per condition, k + 1 wrong per condition -> recall 1 - (k + 1) / 4
    want = [(k + 1) / 4 for k in range(4)]
    assert [cost.donors[d]["grouped"] - cost.donors[d]["donor"] for d in donors] == pytest.approx(want)
    assert cost.mean == pytest.approx(np.mean(want))
    iv = E.corrected_paired_t(want, [36] * 4, [12] * 4)
    assert cost.lower == pytest.approx(iv.lower) and cost.upper == pytest.approx(iv.upper)
    assert cost.p_holm == pytest.approx(cost.p)  # one model: nothing to adjust
    # the entry of the metrics file, and back
    again = C.DonorCost.from_dict(json.loads(json.dumps(cost.to_dict())))
    assert again == cost


def test_evaluation_keeps_out_of_fold_cell_predictions_and_holm_adjusted_p():
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, seed=0)
    res = C.evaluate_models(traj, folds, ["forest", "minirocket"], report=None)
    assert res.inputs == "invariant"
    cells = res.cells
    assert len(cells.cell) == len(set(traj.cells)) == len(res.models["forest"].cell_proba)
    assert sorted(cells.cell) == sorted(set(np.asarray(traj.cells).astype(str)))
    # the stored cell probabilities give back the per-track score of the folds, pooled
    s = C.score_cells(res, "forest")
    assert 0 <= s <= 1 and s == pytest.approx(np.mean(res.models["forest"].per_track_bacc.folds), abs=0.15)
    d = res.paired["forest"]["minirocket"]
    assert d.p_holm == pytest.approx(d.p) or np.isnan(d.p)  # one pair: no adjustment
    assert res.paired["minirocket"]["forest"].p_holm == d.p_holm or np.isnan(d.p)
    assert len(res.cells_per_fold.train_folds) == 3


def test_multiscale_channels_are_rotation_invariant_and_see_longer_displacements():
    from cellmotion.models.networks import MotionChannels

    x = np.random.default_rng(4).normal(size=(3, 16, 2)).astype(np.float32)
    rot = rotated(x, 2.3)
    ms = np.asarray(MotionChannels("multiscale")(x))
    assert ms.shape == (3, 16, 6)
    np.testing.assert_allclose(np.asarray(MotionChannels("multiscale")(rot)), ms, atol=1e-4)
    # scale 1 is the plain invariant pair; scale 2's length is that of two steps summed
    np.testing.assert_allclose(ms[..., :2], np.asarray(MotionChannels("invariant")(x)), atol=1e-4)
    two = np.linalg.norm(x[:, 1:] + x[:, :-1], axis=-1)
    np.testing.assert_allclose(ms[:, 1:, 2], np.log(two + 1e-3), atol=1e-4)


def test_fast_schedule_scales_the_learning_rate_by_the_square_root_of_the_batch():
    s = C.fast_schedule(batch_size=4 * C.FAST.batch_size, max_epochs=12, patience=3)
    assert s.learning_rate == pytest.approx(2 * C.FAST.learning_rate)
    assert (s.max_epochs, s.patience, s.val_fraction) == (12, 3, C.FAST.val_fraction)
    assert C.fast_schedule() == C.FAST


def test_variants_train_a_model_once_per_tracks_and_inputs_it_actually_reads(monkeypatch):
    """The forest reads the same features under both inputs: its scores are reused, not
    recomputed; MiniRocket reads other channels as-is and is trained again."""
    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, seed=0)
    calls = []
    real = C.evaluate_models

    def counting(t, f, models, **kw):
        calls.append((tuple(models), kw.get("inputs")))
        return real(t, f, models, **kw)

    monkeypatch.setattr(C, "evaluate_models", counting)
    base = real(traj, folds, ["forest", "minirocket"], report=None)
    out = C.evaluate_variants({("kept", "as-is"): traj, ("kept", "invariant"): traj}, folds,
                              ["forest", "minirocket"], done={("kept", "invariant"): base},
                              report=None)
    assert calls == [(("minirocket",), "as-is")]
    asis = out[("kept", "as-is")]
    assert asis.inputs == "as-is" and list(asis.models) == ["forest", "minirocket"]
    assert asis.models["forest"] is base.models["forest"]
    assert out[("kept", "invariant")] is base


# ----------------------------------------------------------------------------- results as values
REFERENCE = Path(__file__).parent / "fixtures" / "evaluation_reference.json"


def differences(a, b, path="", skip=("seconds",)) -> list:
    """Where two JSON-like values differ (numbers exactly, NaN and ``None`` alike; ``skip``:
    wall-clock keys)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}: keys {sorted(set(a) ^ set(b))}"] if set(a) != set(b) else []
        return out + [d for k in a if k in b and k not in skip
                      for d in differences(a[k], b[k], f"{path}.{k}", skip)]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        out = [f"{path}: length {len(a)} != {len(b)}"] if len(a) != len(b) else []
        return out + [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]", skip)]
    nan = (a is None or (isinstance(a, float) and np.isnan(a))) and (
        b is None or (isinstance(b, float) and np.isnan(b)))
    return [] if nan or a == b else [f"{path}: {a!r} != {b!r}"]


def test_the_three_steps_give_the_numbers_of_the_one_function_they_replaced():
    """``evaluate_models`` (fit_fold, score_folds, summarise) gives what it gave as one
    function: ``tests/fixtures/evaluation_reference.json`` was written by the version before
    the split (commit 4cecf6b) for the same call. Peers and a peer ensemble only (no network),
    so the numbers are exact on any machine."""
    from cellmotion.paths import jsonable

    traj = moving_trajectories()
    folds = C.grouped_folds(traj, window=30, n_splits=3, n_repeats=2, seed=0)
    C.MODELS["_reference_ensemble"] = C.Candidate("_reference_ensemble", "ensemble",
                                                  members=("forest", "minirocket"))
    try:
        res = C.evaluate_models(traj, folds, ["forest", "minirocket", "_reference_ensemble"],
                                seeds=(0,), report=None)
    finally:
        del C.MODELS["_reference_ensemble"]
    ref = json.loads(REFERENCE.read_text())
    got = res.to_dict()
    assert list(got) == list(ref)
    assert differences(ref, got) == []
    # the metrics file's round trip: NaN bounds (written as null) and their reason survive
    back = C.Evaluation.from_dict(json.loads(json.dumps(jsonable(got))))
    assert differences(back.to_dict(), got, skip=()) == []
    no_interval = [s for m in back.models.values() for s in (m.per_track_bacc, m.macro_f1)
                   if not s.has_interval]
    assert no_interval and all(np.isnan(s.lower) and np.isnan(s.upper) and s.reason for s in no_interval)
    assert all(d.p_holm is not None for row in back.paired.values() for d in row.values())


@pytest.mark.parametrize("name, scaler", [("report-best", "report"), ("ours", None)])
def test_a_reused_compiled_network_ends_where_a_new_network_of_its_seed_ends(name, scaler):
    """`train_network(predict=...)` trains every seed and fold in one compiled network per
    design; after another fold and seed have trained it, it must start again from the new
    network's weights, gain, rotation seed and optimizer state, and so end at the same place."""
    traj = moving_trajectories()
    cand = C.MODELS[name]
    if scaler:  # the report's [-1, 1] scale: the network multiplies by a gain fitted per fold
        cand = replace(cand, scaler=scaler)
    sched = C.fast_schedule(batch_size=16, max_epochs=4, patience=2, start_from_epoch=1)
    (tr0, _), (tr1, te1) = C.grouped_folds(traj, window=30, n_splits=3, n_repeats=1, seed=0)[:2]
    Xte = make_windows([traj.velocities[i] for i in te1], traj.labels[te1], 30)[0]
    C._COMPILED.clear()
    C.train_network(cand.network, traj.subset(tr0), 30, (5,), sched, cand.scaler, predict=Xte)
    reused = C.train_network(cand.network, traj.subset(tr1), 30, (0, 1), sched, cand.scaler,
                             predict=Xte)
    assert len(C._COMPILED) == 1  # one compiled network served both folds and all seeds
    new = C.train_network(cand.network, traj.subset(tr1), 30, (0, 1), sched, cand.scaler)
    assert reused.models == [] and reused.epochs == new.epochs
    np.testing.assert_allclose(reused.proba, new.predict_proba(Xte), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="not kept"):
        reused.predict_proba(Xte)


SPLIT_IN_WORKERS = """
import numpy as np
from test_classify import moving_trajectories
from cellmotion import classification as C
from cellmotion.preprocess import split_tracks
traj = moving_trajectories()
train_idx, test_idx = split_tracks(traj, 0.25, seed=0)
out = C.train_and_evaluate_all({"all": traj}, ["A", "B"], train_idx, test_idx,
                               C.fast_schedule(16, 2, None), window=30, scaler="report", n_jobs=2)
print(sorted(layer.name for layer in out["all"]["B"].model.layers))
"""


def test_networks_with_a_gain_come_back_from_worker_processes_to_a_fresh_process():
    """The report's scale gives the networks an input gain layer (a layer of this package):
    a process that never built one must still receive the trained models from its workers."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", SPLIT_IN_WORKERS], capture_output=True, text=True,
                          cwd=Path(__file__).parent, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "'gain'" in proc.stdout.strip().splitlines()[-1]


def test_training_batches_hold_every_window_once_per_epoch_in_a_new_seeded_order():
    from cellmotion import runtime

    X = np.arange(50, dtype=np.float32)[:, None]
    w = np.ones(50, np.float32)

    def epochs(seed, n=3):
        ds = runtime.batches((X, X[:, 0].astype(int), w), 16, shuffle_seed=seed)
        return [[b[0].numpy()[:, 0].astype(int) for b in ds] for _ in range(n)]

    first = epochs(0)
    for batches in first:
        assert [len(b) for b in batches] == [16, 16, 16, 2]  # the last batch is the remainder
        assert sorted(np.concatenate(batches).tolist()) == list(range(50))  # each window once
    orders = [np.concatenate(b).tolist() for b in first]
    assert orders[0] != orders[1] != orders[2] and orders[0] != list(range(50))
    assert orders == [np.concatenate(b).tolist() for b in epochs(0)]  # the seed fixes the orders
    assert orders[0] != np.concatenate(epochs(1, 1)[0]).tolist()
    kept = runtime.batches((X, w), 16)  # no seed: the order as given (validation)
    assert np.concatenate([b[0].numpy()[:, 0] for b in kept]).tolist() == list(range(50))

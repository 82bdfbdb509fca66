"""Preprocessing as in the report: resampling, velocities, scale, split, windows."""

import numpy as np
import pandas as pd
import pytest

from cellmotion.contract import DataError
from cellmotion.curation import resample
from cellmotion.preprocess import (Scaler, make_windows, split_tracks, to_trajectories,
                                   velocities_to_positions)
from cellmotion.synthetic.simulator import simulate_dataset


@pytest.fixture(scope="module")
def small():
    return simulate_dataset(seed=0, scale=0.1)


def test_resampling_brings_every_condition_to_5_min(small):
    out = resample(small, 5.0)
    dts = out.groupby("track_id")["t"].diff().dropna()
    assert np.allclose(dts, 5.0)
    # Collagen 577 positions at 2.5 min -> 289 at 5 min; dishes 998 at 1 min -> 200
    sizes = out.groupby("condition")["track_id"].value_counts().groupby(level=0).median()
    assert sizes["Collagen"] == 289 and sizes["Plastic"] == 200


def test_resampling_refuses_interval_that_does_not_fit(small):
    with pytest.raises(DataError, match="does not divide"):
        resample(small, 3.7)


def test_velocities_turn_back_into_the_same_positions(small):
    traj = to_trajectories(small, 5.0)
    i = 0
    g = resample(small, 5.0)
    g = g[g.track_id == traj.track_ids[i]]
    assert np.allclose(traj.positions(i), g[["x", "y", "z"]].to_numpy())
    assert traj.velocities[i].shape == (len(g) - 1, 3)


def test_round_trip_to_frame(small):
    traj = to_trajectories(small, 5.0)
    back = to_trajectories(traj.to_frame(), 5.0)
    assert np.allclose(back.velocities[3], traj.velocities[3])


def test_split_is_stratified_seeded_and_independent_of_row_order(small):
    traj = to_trajectories(small, 5.0)
    train, test = split_tracks(traj, 0.2, seed=1)
    assert not set(train) & set(test)
    assert len(train) + len(test) == len(traj)
    for lab in range(3):
        n = np.sum(traj.labels == lab)
        assert np.sum(traj.labels[test] == lab) == max(1, round(0.2 * n))
    # the same tracks listed in another order (as another file system might list them)
    ids = small["track_id"].unique()
    rank = dict(zip(ids, np.random.default_rng(9).permutation(len(ids))))
    shuffled = small.assign(k=small["track_id"].map(rank)).sort_values(["k", "t"]).drop(columns="k")
    traj2 = to_trajectories(shuffled, 5.0)
    assert traj2.condition_names != traj.condition_names or list(traj2.track_ids) != list(traj.track_ids)
    _, test2 = split_tracks(traj2, 0.2, seed=1)
    assert set(traj.track_ids[test]) == set(traj2.track_ids[test2])
    _, test3 = split_tracks(traj, 0.2, seed=2)
    assert set(test3) != set(test)


def test_scaler_maps_max_to_one_and_inverts(small):
    traj = to_trajectories(small, 5.0)
    s = Scaler().fit(traj.velocities)
    scaled = s.transform(traj.velocities)
    assert max(np.abs(v).max() for v in scaled) == pytest.approx(1.0)
    assert np.allclose(s.inverse_transform(scaled[0]), traj.velocities[0])


def test_windows_never_straddle_tracks_or_the_split(small):
    traj = to_trajectories(small, 5.0)
    train, test = split_tracks(traj, 0.2, seed=0)
    vel = [traj.velocities[i] for i in train]
    X, y, owner = make_windows(vel, traj.labels[train], length=30, stride=7)
    assert X.shape[1:] == (30, 3)
    for k in range(0, len(X), 11):
        src = vel[owner[k]]
        # every window is a contiguous piece of exactly one training track
        hits = [s for s in range(len(src) - 29) if np.allclose(src[s:s + 30], X[k])]
        assert hits, "window not found inside its owner track"
        assert y[k] == traj.labels[train][owner[k]]


def test_short_tracks_give_no_window():
    X, y, owner = make_windows([np.zeros((10, 2)), np.ones((35, 2))], [0, 1], length=30)
    assert X.shape == (1, 30, 2) and list(y) == [1] and list(owner) == [1]


def test_velocities_to_positions_units():
    v = np.array([[1.0, 0.0], [1.0, 2.0]])  # µm/min
    r = velocities_to_positions(v, dt=5.0, start=[10.0, 10.0])
    assert np.allclose(r, [[10, 10], [15, 10], [20, 20]])


def test_a_missing_frame_is_refused_not_turned_into_a_wrong_velocity(small):
    gappy = resample(small, 5.0)
    first = gappy["track_id"].iloc[0]
    gappy = gappy.drop(index=gappy.index[gappy["track_id"] == first][5])
    with pytest.raises(DataError, match=rf"track '{first}'.*from t = 20 to 30 min"):
        to_trajectories(gappy, 5.0)


def test_native_sampling_needs_one_interval(small):
    with pytest.raises(DataError, match="not the interval"):
        to_trajectories(small, interval=None)  # 2.5 min and 1 min conditions


def test_2d_conditions_are_analysed_in_x_and_y_only(small):
    traj = to_trajectories(small, 5.0)
    plastic = int(np.flatnonzero(traj.conditions == "Plastic")[0])
    collagen = int(np.flatnonzero(traj.conditions == "Collagen")[0])
    assert traj.modelled_dims("Plastic") == ["x", "y"] and traj.modelled_dims("Collagen") == ["x", "y", "z"]
    assert np.array_equal(traj.modelled_velocities(plastic), traj.velocities[plastic][:, :2])
    assert traj.modelled_velocities(collagen) is traj.velocities[collagen]


def test_a_quantile_scale_is_not_dominated_by_one_tracking_jump():
    """The report's scale maps the largest |v| to 1, so one jump 100x a typical step squeezes
    every real step near 0; the 99.9th-percentile scale stays at the typical steps."""
    rng = np.random.default_rng(0)
    v = rng.normal(0, 1.0, size=(5000, 2))
    jumpy = v.copy()
    jumpy[100] = [100.0, 0.0]
    assert Scaler().fit([jumpy]).scale == pytest.approx(100.0)
    robust = Scaler(quantile=0.999).fit([jumpy]).scale
    assert robust == pytest.approx(Scaler(quantile=0.999).fit([v]).scale, rel=0.05)
    assert 2.5 < robust < 5.0

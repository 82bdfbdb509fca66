"""The simulator makes what it was asked for (the default dataset of the book)."""

import numpy as np
import pytest

from cellmotion.contract import flat_z_conditions, summarize
from cellmotion.motility import lag1_autocorrelation
from cellmotion.synthetic.simulator import DEFAULT_CONDITIONS, simulate_ar1_velocities, simulate_dataset


@pytest.fixture(scope="module")
def dataset():
    return simulate_dataset(seed=0)


def test_counts_lengths_intervals_match_table1(dataset):
    table = summarize(dataset)
    expected = {"Collagen": (65, 577, 2.5), "Plastic": (177, 998, 1.0), "Fibronectin": (69, 998, 1.0)}
    for cond, (n, length, dt) in expected.items():
        assert table.loc[cond, "trajectories"] == n
        assert table.loc[cond, "positions per trajectory (median)"] == length
        assert table.loc[cond, "sampling interval [min]"] == pytest.approx(dt)


def test_2d_conditions_have_flat_z_and_collagen_moves_in_z(dataset):
    assert flat_z_conditions(dataset) == ["Plastic", "Fibronectin"]
    assert (dataset.loc[dataset.condition != "Collagen", "z"] == 0).all()
    z_spread = dataset[dataset.condition == "Collagen"].groupby("track_id")["z"].agg(np.ptp)
    assert (z_spread > 1).all()


def test_same_seed_same_data_other_seed_other_data():
    a = simulate_dataset(seed=3, scale=0.05)
    b = simulate_dataset(seed=3, scale=0.05)
    c = simulate_dataset(seed=4, scale=0.05)
    assert a.equals(b)
    assert not np.allclose(a["x"], c["x"])


@pytest.mark.parametrize("q", [-0.5, 0.0, 0.3, 0.8])
def test_lag1_autocorrelation_recovers_persistence(q):
    rng = np.random.default_rng(1)
    v = simulate_ar1_velocities(np.full(20000, q), np.full(20000, 0.4), dims=3, rng=rng)
    assert lag1_autocorrelation(v) == pytest.approx(q, abs=0.02)


def test_speed_is_stationary_standard_deviation():
    rng = np.random.default_rng(2)
    q, c = 0.7, 0.5
    v = simulate_ar1_velocities(np.full(40000, q), np.full(40000, c * np.sqrt(1 - q**2)), 2, rng)
    assert v.std(axis=0) == pytest.approx([c, c], rel=0.05)


def test_noise_free_tracks_keep_their_cells_persistence():
    """Without tracking noise, the lag-1 autocorrelation of native-step velocities is close to
    the persistence the simulator used for that cell."""
    from cellmotion.synthetic.simulator import simulate_track
    rng = np.random.default_rng(5)
    model = DEFAULT_CONDITIONS[1]  # Plastic
    errors = []
    for _ in range(20):
        pos, q, c = simulate_track(model, rng, with_noise=False, return_parameters=True)
        v = np.diff(pos[:, :2], axis=0)
        errors.append(lag1_autocorrelation(v) - np.mean(q))
    assert abs(np.median(errors)) < 0.05


def test_invalid_persistence_refused():
    with pytest.raises(ValueError, match="persistence"):
        simulate_ar1_velocities([1.0], [0.1], 2, np.random.default_rng(0))


def test_noise_override_shows_the_same_cells_through_another_tracking_error():
    from dataclasses import replace as _replace

    small = tuple(_replace(m, n_tracks=3, n_positions=400) for m in DEFAULT_CONDITIONS)
    base, p_base = simulate_dataset(small, seed=2, return_parameters=True)
    clean, p_clean = simulate_dataset(small, seed=2, return_parameters=True, noise_override=(0.0, 0.0))
    white, _ = simulate_dataset(small, seed=2, return_parameters=True, noise_override=(2.0, 0.0))
    assert list(base["track_id"]) == list(clean["track_id"]) == list(white["track_id"])
    for tid in p_base:  # the same cells: the same parameters at every step
        np.testing.assert_array_equal(p_base[tid][0], p_clean[tid][0])
    for m in small:
        rows = base["condition"] == m.name
        err = (base.loc[rows, ["x", "y", "z"]] - clean.loc[rows, ["x", "y", "z"]]).to_numpy()[:, : m.dims]
        assert np.sqrt((err**2).sum(axis=1).mean()) == pytest.approx(m.noise, rel=0.25)
        new = (white.loc[rows, ["x", "y", "z"]] - clean.loc[rows, ["x", "y", "z"]]).to_numpy()[:, : m.dims]
        assert np.sqrt((new**2).sum(axis=1).mean()) == pytest.approx(2.0, rel=0.1)
        # the default 2D conditions' error is correlated over 30 min; the override's is white
        lag1 = lambda e: np.corrcoef(e[:-1, 0], e[1:, 0])[0, 1]
        assert abs(lag1(new)) < 0.15
        if m.noise_time > 0:
            assert lag1(err) > 0.8

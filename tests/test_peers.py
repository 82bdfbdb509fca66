"""Claims about the peer classifiers of cellmotion.peers (forest and MiniRocket)."""

import numpy as np
import pytest
from sklearn.base import clone

from cellmotion import peers as P
from cellmotion.evaluation import balanced_accuracy


def persistent_windows(n, q, steps=30, seed=0):
    """2D persistent random walk velocities v_t = q v_{t-1} + sqrt(1 - q^2) noise."""
    rng = np.random.default_rng(seed)
    v = np.zeros((n, steps, 2))
    v[:, 0] = rng.normal(size=(n, 2))
    for t in range(1, steps):
        v[:, t] = q * v[:, t - 1] + np.sqrt(1 - q * q) * rng.normal(size=(n, 2))
    return v


def two_persistence_classes(n=150, seed=0):
    X = np.concatenate([persistent_windows(n, 0.1, seed=seed), persistent_windows(n, 0.8, seed=seed + 1)])
    return X, np.repeat(["loose", "persistent"], n)


def test_features_of_a_straight_constant_velocity_window():
    X = np.tile([3.0, 4.0], (1, 30, 1))
    f = dict(zip(P.MOTILITY_FEATURES, P.motility_features(X, dt=2.0)[0]))
    assert f["straightness"] == pytest.approx(1.0)
    assert f["mean speed"] == pytest.approx(5.0) and f["speed s.d."] == pytest.approx(0.0)
    assert f["mean turning angle [rad]"] == pytest.approx(0.0)
    assert f["net displacement"] == pytest.approx(5.0 * 30 * 2.0)
    assert f["lag-1 autocorrelation"] == 0.0  # no variation around the mean velocity


def test_invariant_channels_do_not_change_when_a_window_is_rotated():
    X = persistent_windows(5, 0.6, seed=2)
    th = 1.1
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    Xr = X @ R.T
    np.testing.assert_allclose(P.input_channels(X, "invariant"), P.input_channels(Xr, "invariant"), atol=1e-9)
    assert not np.allclose(P.input_channels(X, "velocity"), P.input_channels(Xr, "velocity"))
    both = P.input_channels(X, "both")
    assert both.shape == (5, 30, 4)
    np.testing.assert_allclose(both[..., :2], X)


def test_signed_turning_angle_of_a_left_turn_is_positive():
    X = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]])
    np.testing.assert_allclose(P.turning_angles_signed(X)[0], [np.pi / 2, -np.pi / 2])


def test_minirocket_separates_windows_that_differ_in_persistence():
    X, y = two_persistence_classes(seed=0)
    Xt, yt = two_persistence_classes(seed=10)
    m = P.MiniRocketClassifier(channels="velocity", num_kernels=2000, random_state=0).fit(X, y)
    assert list(m.classes_) == ["loose", "persistent"]
    proba = m.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    yi = np.searchsorted(m.classes_, yt)
    assert balanced_accuracy(yi, proba.argmax(axis=1), 2) > 0.9


@pytest.mark.parametrize("channels", ["invariant", "both"])
def test_minirocket_other_channels_and_multirocket_pooling_learn_too(channels):
    X, y = two_persistence_classes(n=80, seed=0)
    Xt, yt = two_persistence_classes(n=80, seed=10)
    m = P.MiniRocketClassifier(channels=channels, num_kernels=840, pooling="multi", random_state=0)
    m.fit(X, y)
    assert np.mean(m.predict(Xt) == yt) > 0.85


def test_minirocket_is_reproducible_with_a_seed_and_clonable():
    X, y = two_persistence_classes(n=40)
    a = P.MiniRocketClassifier(num_kernels=840, random_state=3).fit(X, y).predict_proba(X)
    b = clone(P.MiniRocketClassifier(num_kernels=840, random_state=3)).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_minirocket_feature_count_and_dilations_follow_the_paper():
    t = P.MiniRocketTransform(num_kernels=10_000, random_state=0).fit(np.random.default_rng(0).normal(size=(10, 2, 30)))
    combos = t.combos_[0]
    assert sorted({c["dilation"] for c in combos}) == [1, 2, 3]  # up to (30 - 1) / 8
    assert sum(len(c["biases"]) for c in combos) == 84 * (10_000 // 84)
    assert t.transform(np.zeros((3, 2, 30))).shape == (3, 9996)


def test_forest_predicts_probabilities_of_every_class():
    X, y = two_persistence_classes(n=60)
    f = P.MotilityForest(dt=1.0, n_estimators=50, random_state=0).fit(X, y)
    p = f.predict_proba(X)
    assert p.shape == (120, 2) and np.allclose(p.sum(axis=1), 1.0)
    assert np.mean(f.predict(X) == y) > 0.9

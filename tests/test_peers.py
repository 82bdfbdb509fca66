"""Claims about the peer classifiers of cellmotion.peers (forest, aeon's MiniRocket and MultiRocket)."""

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


def two_persistence_classes(n=150, seed=0, q=(0.1, 0.8), n2=None):
    X = np.concatenate([persistent_windows(n, q[0], seed=seed),
                        persistent_windows(n if n2 is None else n2, q[1], seed=seed + 1)])
    return X, np.repeat(["loose", "persistent"], [n, n if n2 is None else n2])


def rotate_each(X, seed=0):
    """Every window rotated by its own random angle."""
    th = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(X))
    c, s = np.cos(th)[:, None], np.sin(th)[:, None]
    return np.stack([c * X[..., 0] - s * X[..., 1], s * X[..., 0] + c * X[..., 1]], axis=-1)


def test_features_of_a_straight_constant_velocity_window():
    X = np.tile([3.0, 4.0], (1, 30, 1))
    f = dict(zip(P.MOTILITY_FEATURES, P.motility_features(X, dt=2.0)[0]))
    assert f["straightness"] == pytest.approx(1.0)
    assert f["displacement ratio"] == pytest.approx(1.0) and f["outreach ratio"] == pytest.approx(1.0)
    assert f["mean speed"] == pytest.approx(5.0) and f["median speed"] == pytest.approx(5.0)
    assert f["speed s.d."] == pytest.approx(0.0)
    assert f["mean turning angle [rad]"] == pytest.approx(0.0) and f["mean cos turning"] == pytest.approx(1.0)
    assert f["net displacement"] == pytest.approx(5.0 * 30 * 2.0)
    assert f["lag-1 autocorrelation"] == 0.0  # no variation around the mean velocity
    assert f["msd exponent"] == pytest.approx(2.0)  # ballistic
    assert f["asphericity"] == pytest.approx(1.0)  # a line
    # positions 0, 10, ..., 300 along a line: radius of gyration = 10 * sd of 0..30
    assert f["radius of gyration"] == pytest.approx(10 * np.std(np.arange(31)))


def test_a_diffusive_walk_has_msd_exponent_near_one_and_a_persistent_one_above():
    loose = P.motility_features(persistent_windows(400, 0.0, seed=1))
    pers = P.motility_features(persistent_windows(400, 0.9, seed=2))
    k = P.MOTILITY_FEATURES.index("msd exponent")
    assert np.median(loose[:, k]) == pytest.approx(1.0, abs=0.15)
    assert np.median(pers[:, k]) > 1.4


def test_invariant_channels_and_forest_features_do_not_change_when_windows_are_rotated():
    X = persistent_windows(50, 0.6, seed=2)
    Xr = rotate_each(X, seed=3)
    np.testing.assert_allclose(P.input_channels(X, "invariant"), P.input_channels(Xr, "invariant"),
                               atol=1e-9)
    np.testing.assert_allclose(P.motility_features(X, 2.0), P.motility_features(Xr, 2.0),
                               rtol=1e-9, atol=1e-9)
    assert not np.allclose(P.input_channels(X, "velocity"), P.input_channels(Xr, "velocity"))
    both = P.input_channels(X, "both")
    assert both.shape == (50, 30, 4)
    np.testing.assert_allclose(both[..., :2], X)
    assert P.ROTATION_INVARIANT_KINDS == ("invariant",)


def test_signed_turning_angle_of_a_left_turn_is_positive():
    X = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]])
    np.testing.assert_allclose(P.turning_angles_signed(X)[0], [np.pi / 2, -np.pi / 2])


def test_aeon_minirocket_separates_windows_that_differ_in_persistence():
    X, y = two_persistence_classes(seed=0)
    Xt, yt = two_persistence_classes(seed=10)
    m = P.MiniRocketClassifier("velocity", num_kernels=1000, random_state=0).fit(X, y)
    assert type(m.transform_).__module__.startswith("aeon.")  # the library's transform
    assert list(m.classes_) == ["loose", "persistent"]
    proba = m.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    yi = np.searchsorted(m.classes_, yt)
    assert balanced_accuracy(yi, proba.argmax(axis=1), 2) > 0.9


@pytest.mark.parametrize("channels", ["invariant", "both"])
def test_aeon_multirocket_on_other_channels_learns_too(channels):
    X, y = two_persistence_classes(n=80, seed=0)
    Xt, yt = two_persistence_classes(n=80, seed=10)
    m = P.MultiRocketClassifier(channels=channels, num_kernels=500, random_state=0).fit(X, y)
    assert type(m.transform_).__name__ == "MultiRocket" and m.pooling == "multi"
    assert np.mean(m.predict(Xt) == yt) > 0.85


def test_class_weights_protect_the_rare_class():
    """Ten windows of the majority for one of the minority, classes that overlap: the
    unweighted ridge gives up the rare class, the balanced one (the default) does not."""
    X, y = two_persistence_classes(n=400, n2=40, q=(0.35, 0.55), seed=0)
    Xt, yt = two_persistence_classes(n=400, n2=400, q=(0.35, 0.55), seed=20)
    recall = {}
    for cw in ("balanced", None):
        m = P.MiniRocketClassifier("invariant", num_kernels=500, random_state=0, class_weight=cw)
        pred = m.fit(X, y).predict(Xt)
        recall[cw] = np.mean(pred[yt == "persistent"] == "persistent")
    assert recall["balanced"] > recall[None] + 0.15


def test_calibrated_probabilities_beat_the_softmax_of_ridge_scores():
    X, y = two_persistence_classes(n=200, q=(0.3, 0.6), seed=0)
    Xt, yt = two_persistence_classes(n=200, q=(0.3, 0.6), seed=30)
    m = P.MiniRocketClassifier("velocity", num_kernels=1000, random_state=0).fit(X, y)
    onehot = np.eye(2)[np.searchsorted(m.classes_, yt)]
    z = m.decision_function(Xt)
    soft = np.exp(z - z.max(axis=1, keepdims=True))
    soft /= soft.sum(axis=1, keepdims=True)
    cal = m.predict_proba(Xt)
    np.testing.assert_allclose(cal.sum(axis=1), 1.0, rtol=1e-9)
    brier = lambda p: np.mean(np.sum((p - onehot) ** 2, axis=1))  # noqa: E731
    assert brier(cal) < brier(soft)
    # calibration rescales confidence only: the balanced ridge's decisions stay
    assert np.mean(cal.argmax(1) == z.argmax(1)) > 0.97


def test_grouped_calibration_folds_keep_cells_together():
    X, y = two_persistence_classes(n=60, seed=0)
    groups = np.repeat(np.arange(40), 3)
    yi = np.unique(y, return_inverse=True)[1]
    for tr, te in P._calibration_splits(yi, groups, 3, 0):
        assert not set(groups[tr]) & set(groups[te])
    m = P.MiniRocketClassifier("invariant", num_kernels=300, random_state=0).fit(X, y, groups=groups)
    assert m.predict_proba(X).shape == (120, 2)


def test_minirocket_is_reproducible_with_a_seed_and_clonable():
    X, y = two_persistence_classes(n=40)
    a = P.MiniRocketClassifier(num_kernels=500, random_state=3).fit(X, y).predict_proba(X)
    b = clone(P.MiniRocketClassifier(num_kernels=500, random_state=3)).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_forest_predicts_probabilities_of_every_class():
    X, y = two_persistence_classes(n=60)
    f = P.MotilityForest(dt=1.0, n_estimators=50, random_state=0).fit(X, y)
    p = f.predict_proba(X)
    assert p.shape == (120, 2) and np.allclose(p.sum(axis=1), 1.0)
    assert np.mean(f.predict(X) == y) > 0.9


@pytest.mark.parametrize("n_classes", [2, 4])
def test_the_svd_penalty_search_chooses_what_scikit_learns_default_search_chooses(n_classes):
    from sklearn.linear_model import RidgeClassifierCV

    rng = np.random.default_rng(n_classes)
    y = rng.integers(0, n_classes, 600)
    y[:250] = 0  # unbalanced: the class weights enter the leave-one-out errors
    F = rng.normal(size=(600, 80)) + 0.4 * y[:, None] * (np.arange(80) < 6)
    alphas = np.logspace(-1, 5, 7)
    ours = P.RidgeClassifierGCV(alphas=alphas, class_weight="balanced", gcv_mode="svd").fit(F, y)
    theirs = RidgeClassifierCV(alphas=alphas, class_weight="balanced").fit(F, y)
    assert ours.alpha_ == theirs.alpha_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-9)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(F), theirs.predict(F))
    assert clone(ours).get_params()["gcv_mode"] == "svd"  # a scikit-learn estimator like its parent

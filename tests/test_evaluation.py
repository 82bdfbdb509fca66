"""Claims about the scores and the comparison intervals of cellmotion.evaluation."""

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score

from cellmotion import evaluation as E


def test_majority_predictor_has_balanced_accuracy_one_over_k():
    y = np.array([0] * 90 + [1] * 7 + [2] * 3)
    pred = np.zeros_like(y)
    assert np.mean(pred == y) == pytest.approx(0.9)
    assert E.balanced_accuracy(y, pred, 3) == pytest.approx(1 / 3)


def test_scores_agree_with_scikit_learn():
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    assert E.balanced_accuracy(y, pred, 4) == pytest.approx(balanced_accuracy_score(y, pred))
    assert E.macro_f1(y, pred, 4) == pytest.approx(f1_score(y, pred, average="macro"))


def test_recall_is_nan_for_an_absent_class_and_confusion_counts_rows_as_truth():
    y, pred = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    r = E.recall_per_class(y, pred, 3)
    assert r[0] == 0.5 and r[1] == 1.0 and np.isnan(r[2])
    assert E.confusion(y, pred, 3).tolist() == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]


def test_perfect_predictor_has_brier_zero_and_uniform_guess_one_minus_one_over_k():
    y = np.array([0, 1, 2, 2])
    assert E.brier_score(np.eye(3)[y], y) == 0.0
    assert E.brier_score(np.full((4, 3), 1 / 3), y) == pytest.approx(2 / 3)


def test_reliability_curve_of_a_calibrated_predictor_has_small_error():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1.0, 20000)
    y_pred_right = rng.uniform(size=conf.size) < conf
    proba = np.column_stack([conf, 1 - conf])
    y = np.where(y_pred_right, 0, 1)
    rc = E.reliability_curve(proba, y, n_bins=10)
    assert rc["count"].sum() == 20000 and rc["ece"] < 0.02
    assert np.all(rc["count"][:5] == 0)  # no top-label confidence below 0.5


def test_a_track_votes_by_averaging_its_window_probabilities():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    owner = np.array(["a", "a", "a", "b"])
    tp = E.per_track_predictions(proba, owner, y=[1, 1, 1, 0])
    assert list(tp.tracks) == ["a", "b"]
    np.testing.assert_allclose(tp.proba[0], [1.4 / 3, 1.6 / 3])
    assert list(tp.pred) == [1, 0] and list(tp.y) == [1, 0]
    with pytest.raises(ValueError):
        E.per_track_predictions(proba, owner, y=[1, 0, 1, 0])


def test_score_predictions_scores_windows_and_tracks():
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55], [0.2, 0.8]])
    s = E.score_predictions(proba, [0, 0, 1, 1], [0, 0, 1, 1], ["a", "b"])
    assert s["window"]["n"] == 4 and s["track"]["n"] == 2
    assert s["window"]["balanced_accuracy"] == pytest.approx(0.75)
    assert s["track"]["balanced_accuracy"] == 1.0  # track 0 averages to (0.65, 0.35)
    assert s["track"]["recall"] == {"a": 1.0, "b": 1.0}
    assert s["window"]["confusion"] == [[1, 1], [0, 2]]


def test_corrected_t_interval_is_wider_than_naive_and_contains_the_mean():
    d = np.array([0.03, 0.05, 0.01, 0.06, 0.04])
    c = E.corrected_paired_t(d, n_train=800, n_test=200)
    n = E.corrected_paired_t(d, n_train=800, n_test=200, corrected=False)
    assert c.mean == n.mean == pytest.approx(d.mean())
    assert c.lower < n.lower < c.mean < n.upper < c.upper
    assert c.p > n.p
    # the variance factor is (1/J + n_test/n_train): here (0.2 + 0.25) / 0.2 = 2.25 -> width x 1.5
    assert (c.upper - c.lower) == pytest.approx(1.5 * (n.upper - n.lower))


def test_no_interval_from_zero_spread_or_too_few_folds():
    """Identical fold differences are no evidence of certainty: no interval, no p, a reason."""
    c = E.corrected_paired_t([0.06, 0.06], 300, 100)
    assert c.mean == pytest.approx(0.06)
    assert np.isnan(c.lower) and np.isnan(c.upper) and np.isnan(c.p)
    assert "degree(s) of freedom" in c.reason
    z = E.corrected_paired_t([0.02] * 4, 300, 100)
    assert np.isnan(z.lower) and "zero spread" in z.reason
    # rounding noise of identical differences counts as zero spread
    z = E.corrected_paired_t(np.array([0.7, 0.7, 0.7]) - np.array([0.1, 0.1, 0.1]) * 6, 300, 100)
    assert np.isnan(z.lower)
    ok = E.corrected_paired_t([0.01, 0.05, 0.03], 300, 100)
    assert ok.reason == "" and ok.lower < ok.mean < ok.upper


def test_corrected_t_uses_each_folds_own_ratio_of_test_to_training_cells():
    d = np.array([0.03, 0.05, 0.01, 0.06])
    per_fold = E.corrected_paired_t(d, n_train=[300, 200, 250, 250], n_test=[100, 200, 150, 150])
    ratio = np.mean(np.array([100, 200, 150, 150]) / np.array([300, 200, 250, 250]))
    same = E.corrected_paired_t(d, n_train=1.0, n_test=ratio)
    assert per_fold.lower == pytest.approx(same.lower) and per_fold.upper == pytest.approx(same.upper)
    with pytest.raises(ValueError):
        E.corrected_paired_t(d, n_train=[300, 200], n_test=[100, 200])


def test_holm_adjustment_is_step_down_monotone_and_keeps_nan():
    p = [0.01, 0.04, 0.03, float("nan"), 0.5]
    adj = E.holm(p)
    # four finite p values: 0.01 x 4, then max(0.03 x 3, 0.04), 0.04 x 2 -> max with previous
    np.testing.assert_allclose(adj[[0, 2, 1, 4]], [0.04, 0.09, 0.09, 0.5])
    assert np.isnan(adj[3])
    assert np.all(adj[np.isfinite(adj)] >= np.asarray(p)[np.isfinite(adj)])
    # a single test is not adjusted
    assert E.holm([0.03])[0] == pytest.approx(0.03)


def test_bootstrap_interval_of_a_constant_difference_is_that_constant():
    pairs = np.column_stack([np.full(50, 0.8), np.full(50, 0.75)])
    b = E.bootstrap_ci(pairs, n_boot=200, seed=0)
    assert b.mean == pytest.approx(0.05)
    assert b.lower == pytest.approx(0.05) and b.upper == pytest.approx(0.05)


def test_bootstrap_interval_covers_the_mean_and_resamples_groups():
    rng = np.random.default_rng(3)
    v = rng.normal(1.0, 1.0, 400)
    b = E.bootstrap_ci(v, n_boot=500, seed=1)
    assert b.lower < v.mean() < b.upper and b.upper - b.lower < 0.4
    # groups of identical rows: resampling groups gives the same spread as 40 values
    g = np.repeat(np.arange(40), 10)
    vals = np.repeat(rng.normal(size=40), 10)
    wide = E.bootstrap_ci(vals, n_boot=500, seed=1, groups=g)
    narrow = E.bootstrap_ci(vals, n_boot=500, seed=1)
    assert (wide.upper - wide.lower) > 2 * (narrow.upper - narrow.lower)


def test_bootstrap_with_a_statistic_of_balanced_accuracy_difference():
    y = np.repeat([0, 1], 50)
    a, b = y.copy(), np.zeros_like(y)
    data = np.column_stack([y, a, b])
    r = E.bootstrap_ci(data, n_boot=200, seed=0, statistic=lambda d: E.balanced_accuracy(
        d[:, 0], d[:, 1], 2) - E.balanced_accuracy(d[:, 0], d[:, 2], 2))
    assert r.mean == pytest.approx(0.5) and r.lower == pytest.approx(0.5)


@pytest.mark.parametrize("lower,upper,word", [(0.02, 0.08, "beats"), (-0.01, 0.03, "no difference"),
                                              (-0.08, -0.02, "beats"), (0.0, 0.05, "no difference")])
def test_verdict_says_beats_only_when_the_interval_excludes_zero(lower, upper, word):
    s = E.verdict(lower, upper, "A", "B", "balanced accuracy", estimate=(lower + upper) / 2)
    assert word in s
    if lower > 0:
        assert s.startswith("A beats B") and "by 0.05 (95 % interval 0.02 to 0.08)" in s
    elif upper < 0:
        assert s.startswith("B beats A") and "interval 0.02 to 0.08" in s
    else:
        assert "beats" not in s


def test_verdict_names_no_winner_without_an_interval_and_says_why():
    s = E.verdict(0.06, 0.06, "the forest", "our network", "balanced accuracy", estimate=0.06)
    assert "beats" not in s and "no 95 % interval exists" in s and "do not vary" in s
    s = E.verdict(float("nan"), float("nan"), "A", "B", "x", estimate=0.1,
                  reason="2 folds give 1 degree(s) of freedom")
    assert "beats" not in s and "2 folds give 1 degree(s) of freedom" in s and "0.10" in s


def test_verdict_claims_nothing_when_the_holm_adjusted_p_is_not_small():
    s = E.verdict(0.01, 0.09, "A", "B", "x", estimate=0.05, p_adjusted=0.12)
    assert "beats" not in s and "Holm" in s and "0.12" in s
    assert E.verdict(0.01, 0.09, "A", "B", "x", estimate=0.05, p_adjusted=0.01).startswith("A beats B")


def test_verdict_writes_true_minus_signs():
    s = E.verdict(-0.08, 0.03, "A", "B", "balanced accuracy", estimate=-0.02)
    assert "A \u2212 B" in s and "\u22120.02" in s and "\u22120.08 to 0.03" in s
    assert " - " not in s and "-0." not in s

"""Scores of classifiers and intervals for comparing them, on plain numpy arrays.

Labels are integers ``0 .. n_classes - 1``; probabilities are ``(n, n_classes)`` arrays whose
rows sum to 1. A *window* is one mini trajectory, a *track* (or cell) owns one or more
windows: a track's prediction averages the probabilities of its windows
(:func:`per_track_predictions`).

Comparing two models
--------------------
Two models scored on the same cross-validation folds give one difference per fold. The
folds share most of their training data, so the differences are correlated and the naive
paired t interval is too narrow. :func:`corrected_paired_t` widens it with the correction of
Nadeau & Bengio (2003, "Inference for the generalization error", Machine Learning 52:239):
the variance of the mean difference is ``(1/J + n_test/n_train) s^2`` instead of
``s^2 / J`` (``J`` folds, ``s^2`` the sample variance of the differences).
:func:`bootstrap_ci` resamples cells instead (percentile interval; with ``groups`` every
row of a resampled group comes along). :func:`verdict` words an interval as a sentence that
claims a winner only when the interval exists and excludes 0 (and, with a p value adjusted
by :func:`holm` for the comparisons of one table, only when that is below 0.05). With fewer
than :data:`MIN_DF` degrees of freedom or zero spread over the folds no interval is given.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


# ----------------------------------------------------------------------------- metrics
def _labels(y) -> np.ndarray:
    return np.asarray(y).astype(int).ravel()


def confusion(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts ``(n_classes, n_classes)``: rows are the true class, columns the predicted one."""
    y_true, y_pred = _labels(y_true), _labels(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    cm = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def recall_per_class(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Recall (accuracy within the class) of every class; NaN for a class absent from ``y_true``."""
    cm = confusion(y_true, y_pred, n_classes)
    support = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)


def balanced_accuracy(y_true, y_pred, n_classes: int) -> float:
    """Mean recall over the classes present in ``y_true`` (scikit-learn's definition).

    A predictor that always names one class scores ``1/K`` with ``K`` classes present,
    however unbalanced the classes are. NaN for empty input.
    """
    r = recall_per_class(y_true, y_pred, n_classes)
    return float(np.nanmean(r)) if np.isfinite(r).any() else float("nan")


def macro_f1(y_true, y_pred, n_classes: int) -> float:
    """Unweighted mean of the per-class F1 over classes that occur in ``y_true`` or ``y_pred``."""
    cm = confusion(y_true, y_pred, n_classes)
    tp = np.diag(cm).astype(float)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    seen = (support + predicted) > 0
    if not seen.any():
        return float("nan")
    f1 = 2 * tp[seen] / (support[seen] + predicted[seen])
    return float(np.mean(f1))


def brier_score(proba, y_true) -> float:
    """Multiclass Brier score: mean over samples of ``sum_k (p_k - [y = k])^2``, in [0, 2].

    0 for a predictor that puts probability 1 on the true class every time; a uniform
    guess over ``K`` classes scores ``1 - 1/K``.
    """
    proba = np.asarray(proba, dtype=float)
    y_true = _labels(y_true)
    if len(y_true) == 0:
        return float("nan")
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_true)), y_true] = 1.0
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def reliability_curve(proba, y_true, n_bins: int = 10) -> dict:
    """Calibration of the top-label confidence.

    Samples are binned by the probability of their predicted class into ``n_bins`` equal
    bins of [0, 1]. Returns ``{"edges", "confidence", "accuracy", "count", "ece"}``: per bin
    the mean confidence, the fraction predicted correctly (NaN for empty bins) and the
    count, and the expected calibration error (count-weighted mean |accuracy - confidence|).
    """
    proba = np.asarray(proba, dtype=float)
    y_true = _labels(y_true)
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, conf, minlength=n_bins) / count
        acc = np.bincount(idx, correct, minlength=n_bins) / count
    ok = count > 0
    ece = float(np.sum(count[ok] * np.abs(acc[ok] - mean_conf[ok])) / max(count.sum(), 1))
    return {"edges": edges, "confidence": mean_conf, "accuracy": acc, "count": count, "ece": ece}


# ----------------------------------------------------------------------------- tracks
class TrackPredictions(NamedTuple):
    """One row per track: ``tracks`` (owner ids, sorted), ``proba`` (mean window probability),
    ``pred`` (argmax of ``proba``) and ``y`` (the track's label, ``None`` when not given)."""

    tracks: np.ndarray
    proba: np.ndarray
    pred: np.ndarray
    y: np.ndarray | None


def per_track_predictions(proba_windows, window_owner, y=None) -> TrackPredictions:
    """Let each track's windows vote by averaging their probabilities.

    ``window_owner`` names the track (any sortable ids) of every window. With window labels
    ``y`` the track label is returned too (a track whose windows disagree is an error).
    """
    proba = np.asarray(proba_windows, dtype=float)
    owner = np.asarray(window_owner)
    tracks, inv = np.unique(owner, return_inverse=True)
    sums = np.zeros((len(tracks), proba.shape[1]))
    np.add.at(sums, inv, proba)
    mean = sums / np.bincount(inv, minlength=len(tracks))[:, None]
    ty = None
    if y is not None:
        y = _labels(y)
        ty = np.zeros(len(tracks), dtype=int)
        ty[inv] = y
        if np.any(ty[inv] != y):
            raise ValueError("windows of one track carry different labels")
    return TrackPredictions(tracks, mean, mean.argmax(axis=1), ty)


def _block(proba, y, names) -> dict:
    k = len(names)
    pred = proba.argmax(axis=1)
    rec = recall_per_class(y, pred, k)
    return {"n": int(len(y)), "balanced_accuracy": balanced_accuracy(y, pred, k),
            "accuracy": float(np.mean(pred == y)) if len(y) else float("nan"),
            "macro_f1": macro_f1(y, pred, k),
            "recall": {n: float(r) for n, r in zip(names, rec)},
            "confusion": confusion(y, pred, k).tolist(), "brier": brier_score(proba, y)}


def score_predictions(proba, y, owner, condition_names) -> dict:
    """Scores of window probabilities, per window and per track (windows averaged).

    Returns ``{"window": S, "track": S}``; ``S`` has ``n``, ``balanced_accuracy``,
    ``accuracy``, ``macro_f1``, ``recall`` (``{condition: recall}``), ``confusion``
    (list of lists, rows = true) and ``brier``.
    """
    proba, y = np.asarray(proba, dtype=float), _labels(y)
    names = list(condition_names)
    tp = per_track_predictions(proba, owner, y)
    return {"window": _block(proba, y, names), "track": _block(tp.proba, tp.y, names)}


# ----------------------------------------------------------------------------- comparisons
class Interval(NamedTuple):
    """An estimate with a two-sided interval and (for t tests) a two-sided p value.

    ``reason`` is empty when the interval exists; otherwise ``lower``, ``upper`` and ``p`` are
    NaN and ``reason`` says why no interval could be computed (too few folds, no spread).
    """

    mean: float
    lower: float
    upper: float
    p: float = float("nan")
    reason: str = ""


#: Fewest degrees of freedom (folds - 1) a t interval of a mean over folds is given with: with
#: one degree of freedom the 95 % critical value is 12.7 and the interval rests on two numbers.
MIN_DF = 2


def no_interval_reason(n_folds: int, spread: float) -> str:
    """Why no interval exists for a mean over ``n_folds`` folds with sample s.d. ``spread``
    (an empty string when one does)."""
    if n_folds - 1 < MIN_DF:
        return (f"{n_folds} folds give {max(n_folds - 1, 0)} degree(s) of freedom, fewer than the "
                f"{MIN_DF} an interval needs here")
    if not spread > 1e-12:  # rounding leaves ~1e-17 where the folds agree exactly
        return f"the {n_folds} folds do not vary (zero spread), so their spread cannot be estimated"
    return ""


def corrected_paired_t(diffs, n_train, n_test, confidence: float = 0.95,
                       corrected: bool = True) -> Interval:
    """Nadeau-Bengio corrected resampled t test of per-fold differences ``diffs`` (A - B).

    The variance of the mean is ``(1/J + n_test/n_train) s^2`` (``corrected=False``: the
    naive ``s^2 / J``), with ``J - 1`` degrees of freedom. ``n_train``/``n_test`` are the
    sizes of each fold's training and test sets (in the unit that was resampled: cells), one
    number for all folds or one per fold; with one per fold the ratio is the mean of the folds'
    ``n_test / n_train`` (unequal folds, e.g. one donor held out in turn).

    Returns ``Interval(mean, lower, upper, p)``. No interval is given (``lower``, ``upper`` and
    ``p`` NaN, ``reason`` set) when the degrees of freedom are fewer than :data:`MIN_DF` or the
    differences have zero spread: a spread of zero is no evidence of certainty but the absence
    of an estimate of the noise.
    """
    from scipy import stats

    d = np.asarray(diffs, dtype=float).ravel()
    j = len(d)
    if j < 2:
        raise ValueError("need at least two folds")
    n_train, n_test = np.asarray(n_train, float).ravel(), np.asarray(n_test, float).ravel()
    if np.any(n_train <= 0) or np.any(n_test <= 0):
        raise ValueError("n_train and n_test must be positive")
    if len(n_train) != len(n_test) or len(n_train) not in (1, j):
        raise ValueError("give one n_train and n_test, or one of each per fold")
    ratio = float(np.mean(n_test / n_train))
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    reason = no_interval_reason(j, sd)
    if reason:
        nan = float("nan")
        return Interval(mean, nan, nan, nan, reason)
    factor = (1.0 / j + ratio) if corrected else 1.0 / j
    se = float(np.sqrt(factor) * sd)
    crit = float(stats.t.ppf(0.5 + confidence / 2, j - 1))
    p = float(2 * stats.t.sf(abs(mean) / se, j - 1))
    return Interval(mean, mean - crit * se, mean + crit * se, p)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjustment of a family of p values (Holm 1979).

    Sorted ascending, the ``i``-th smallest p (``i`` from 0) is multiplied by ``m - i``
    (``m`` tests with a finite p), made non-decreasing and capped at 1. Rejecting where the
    adjusted p is below ``alpha`` keeps the chance of any false claim in the family below
    ``alpha``. NaN entries (comparisons without an interval) stay NaN and do not count in ``m``.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return out
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


def bootstrap_ci(values_or_pairs, n_boot: int = 2000, seed: int = 0, confidence: float = 0.95,
                 statistic=None, groups=None) -> Interval:
    """Percentile bootstrap interval of a statistic of resampled rows.

    ``values_or_pairs``: a 1-D array (default statistic: the mean) or an ``(n, 2)`` array of
    pairs, e.g. per-cell scores of models A and B (default: mean of A - B); any other 2-D
    array needs ``statistic``, a function of the resampled rows (for instance columns
    ``y, pred_a, pred_b`` and a difference of balanced accuracies). With ``groups`` (one
    id per row) whole groups are resampled, e.g. cells whose windows are the rows.
    Returns ``Interval(estimate on all rows, lower, upper)``.
    """
    data = np.asarray(values_or_pairs)
    if statistic is None:
        if data.ndim == 1:
            statistic = np.mean
        elif data.ndim == 2 and data.shape[1] == 2:
            def statistic(d):
                return float(np.mean(d[:, 0].astype(float) - d[:, 1].astype(float)))
        else:
            raise ValueError("give a statistic for data that are neither values nor pairs")
    rng = np.random.default_rng(seed)
    est = float(statistic(data))
    if groups is None:
        n = len(data)
        boot = np.array([statistic(data[rng.integers(0, n, n)]) for _ in range(n_boot)], float)
    else:
        gid, inv = np.unique(np.asarray(groups), return_inverse=True)
        members = [np.flatnonzero(inv == g) for g in range(len(gid))]
        boot = np.empty(n_boot)
        for b in range(n_boot):
            pick = rng.integers(0, len(gid), len(gid))
            boot[b] = statistic(data[np.concatenate([members[g] for g in pick])])
    alpha = (1 - confidence) / 2
    lo, hi = np.nanquantile(boot, [alpha, 1 - alpha])
    return Interval(est, float(lo), float(hi))


def verdict(lower: float, upper: float, name_a: str, name_b: str, metric: str,
            estimate: float | None = None, confidence: float = 0.95, digits: int = 2,
            reason: str = "", p_adjusted: float | None = None, alpha: float = 0.05) -> str:
    """A sentence about ``A − B`` from its interval ``[lower, upper]`` (minus signs are
    U+2212, as typeset, never hyphens).

    "A beats B" only when the interval lies above 0, "B beats A" only when it lies below
    0, otherwise "no difference can be claimed". No winner is named when there is no interval
    (a bound not finite, or ``lower == upper``: zero spread over the folds or too few folds);
    the sentence says why, with ``reason`` where given. With ``p_adjusted`` (a p value adjusted
    for the number of comparisons in the same table, :func:`holm`) a winner is named only when
    it is also below ``alpha``. ``estimate`` defaults to the midpoint.
    """
    fmt = f"{{:.{digits}f}}"

    def num(x):  # a true minus sign (U+2212), never a hyphen
        return fmt.format(x).replace("-", "\u2212")

    pct = f"{100 * confidence:g} %"
    finite = np.isfinite(lower) and np.isfinite(upper)
    if not finite or not lower < upper:
        est = estimate if estimate is not None else (lower if np.isfinite(lower) else float("nan"))
        why = reason or ("the folds do not vary, so their spread cannot be estimated"
                         if finite else "too few folds")
        return (f"no winner can be called: {name_a} − {name_b} on {metric} is {num(est)}, "
                f"but no {pct} interval exists ({why})")
    est = (lower + upper) / 2 if estimate is None else estimate
    adjusted = p_adjusted is not None and np.isfinite(p_adjusted)
    if (lower > 0 or upper < 0) and adjusted and not p_adjusted < alpha:
        return (f"no difference can be claimed: {name_a} − {name_b} on {metric} is {num(est)} "
                f"({pct} interval {num(lower)} to {num(upper)}, but p = "
                f"{p_adjusted:.2f} after Holm's adjustment for the comparisons of this table)")
    if lower > 0:
        return (f"{name_a} beats {name_b} on {metric} by {num(est)} "
                f"({pct} interval {num(lower)} to {num(upper)})")
    if upper < 0:
        return (f"{name_b} beats {name_a} on {metric} by {num(-est)} "
                f"({pct} interval {num(-upper)} to {num(-lower)})")
    return (f"no difference can be claimed: {name_a} − {name_b} on {metric} is {num(est)} "
            f"({pct} interval {num(lower)} to {num(upper)}, which contains 0)")

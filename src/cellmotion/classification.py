"""Classifying trajectories by their environment with stacked LSTM networks (Rieke 2016, ch. 4).

The report fed windows ("mini trajectories") of 30 velocity steps, normalised to [-1, 1],
into stacked LSTM layers topped by a dense softmax over the conditions, trained with
categorical cross-entropy weighted by 1/N_i per class and RMSprop (learning rate 0.001,
batch 15, 100 epochs). Its networks: A (1 LSTM layer x 5 units), B (1 x 10), C (2 x 10),
D (3 x 30). LSTM: Hochreiter & Schmidhuber 1997, as used for sequences by Graves 2013.

Everything here works on plain numpy arrays and on :class:`cellmotion.preprocess.Trajectories`.

Class weights
-------------
``N_i`` is the number of training **windows** of class ``i`` (the loss is a mean over windows,
so windows are what the weights must balance). Weights are ``w_i = N / (K N_i)`` with ``N`` the
number of windows and ``K`` the number of classes present: every class carries the same total
weight ``N / K`` and the weights summed over all windows equal ``N``, so the weighted loss has the
scale of the unweighted one and the learning rate keeps its meaning.

Training schedule
-----------------
:data:`ORIGINAL` is the report's schedule (batch 15, 100 epochs, lr 0.001, no validation).
:data:`FAST` uses batches of 48 with the learning rate raised to 0.002, about
0.001 * sqrt(48/15) (the square-root rule keeps the noise of an update step similar), clips
the gradient norm at 1, runs 32 batches per compiled step, and stops early (patience 10, not
before epoch 5, at most 50 epochs) on the class-weighted loss of a validation set carved from
the training *tracks* (15 %, whole tracks, never test tracks), restoring the best weights. It
also multiplies the normalised inputs by one fixed gain, 1 / (standard deviation of the
normalised training windows), stored in the model as a ``Rescaling`` layer: the report's
[-1, 1] normalisation leaves typical velocities near 0.1, and the LSTM then spends tens of
epochs on a loss plateau before it separates Plastic from Fibronectin.
``benchmarks/bench_classify_schedule.py`` compares the two schedules.

Keys of ``classification_metrics.json`` (written by the chapter with :func:`save_json`)
------------------------------------------------------------------------------------------
A *summary* is ``{"overall": S, "<condition>": S, ..., "per_track": S}`` with
``S = {"mean": float, "std": float, "folds": [float, ...]}`` (accuracy in [0, 1], mean and
standard deviation over cross-validation folds; ``per_track`` averages the window probabilities
of each test track and scores one prediction per track).

- ``dataset`` (str), ``synthetic`` (bool), ``profile`` (str), ``seed`` (int)
- ``conditions``: condition names in label order; ``window``: window length (steps)
- ``schedule``: the training schedule used (batch_size, learning_rate, max_epochs, patience,
  val_fraction); ``class_weights``: how weights were computed (text)
- ``table2_ours``: ``{net: {"overall": acc, "<condition>": acc, ..., "per_track": acc,
  "epochs": int}}`` on the seeded 80/20 split (with z, as the report)
- ``table2_report``: the report's Table 2, same layout (overall and three conditions)
- ``window_lengths``: ``{"lengths": [...], "<net>": [acc, ...]}`` test accuracy per length
- ``cv``: ``{"n_splits", "n_repeats", "results": {net: {"with_z": summary, "without_z": summary}}}``
  (the baseline and our own network are also rows of ``results``, under ``"baseline"`` and
  ``"own"``)
- ``baseline``: ``{"name", "features": [...], "with_z": summary, "without_z": summary}``
- ``own``: ``{"name", "description", "spec": {...}, "with_z": summary, "without_z": summary,
  "best_report_network"}`` (the best of A-D cross-validated without z, for comparison)
- ``confusion``: ``{"labels": [...], "<model>": {"with_z": matrix, "without_z": matrix}}``
  test-window counts summed over the CV folds (rows: true condition, columns: predicted)
- ``per_trajectory``: ``{net: acc}`` per-track accuracy on the 80/20 split
- ``wall_time_s``: ``{step: seconds}``
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedGroupKFold

from . import motility as mot
from . import runtime
from .models.networks import (FAST, NETWORKS, ORIGINAL, NetworkSpec, Schedule,  # noqa: F401
                              build_classifier, class_weights, sample_weights)
from .paths import write_json
from .preprocess import Scaler, make_windows, velocities_to_positions
from .report import REPORT_TABLE2

#: Names of the motility features of the baseline, one value each per window.
FEATURE_NAMES = ["mean speed [µm/min]", "speed s.d. [µm/min]", "straightness",
                 "lag-1 autocorrelation", "mean turning angle [rad]", "net displacement [µm]"]


def holdout_groups(groups, labels, fraction: float, seed: int = 0) -> np.ndarray:
    """Boolean mask over samples that holds out whole groups (tracks), stratified by label.

    Within each label, ``round(fraction * n_groups)`` groups (at least one when the label
    has two or more groups) are drawn with ``seed``; every sample of a drawn group is held out.
    """
    groups, labels = np.asarray(groups), np.asarray(labels)
    rng = np.random.default_rng(seed)
    held = []
    for lab in np.unique(labels):
        g = np.unique(groups[labels == lab])
        if len(g) < 2:
            continue
        k = min(len(g) - 1, max(1, int(round(fraction * len(g)))))
        held.extend(rng.permutation(g)[:k])
    return np.isin(groups, held)


def cv_splits(traj, window: int = 30, n_splits: int = 5, n_repeats: int = 1, seed: int = 0):
    """Repeated, grouped, stratified k-fold splits of tracks: list of ``(train_idx, test_idx)``.

    ``StratifiedGroupKFold`` runs on the windows (labels = condition, groups = cell), so the
    folds balance the number of windows per condition and no cell (a track and any pieces it
    was cut into at gaps) has windows on both sides.
    Tracks too short for one window never enter a test fold. Repeat ``r`` shuffles with
    ``seed + r``.
    """
    _, y, owner = make_windows(traj.velocities, traj.labels, window)
    groups = pd.factorize(traj.cells)[0][owner]  # by cell: pieces of one track stay together
    splits = []
    for r in range(n_repeats):
        cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
        for tr, te in cv.split(np.zeros(len(y)), y, groups):
            test = np.unique(owner[te])
            train = np.setdiff1d(np.arange(len(traj)), test)
            splits.append((train, test))
    return splits


# ----------------------------------------------------------------------------- callbacks
def per_class_accuracy_callback(X, y, n_classes: int):
    """A Keras callback that records the accuracy of every class on ``(X, y)`` after each
    epoch (and once before training): ``callback.history`` is ``(epochs + 1, n_classes)``."""
    keras = runtime.keras()

    class PerClassAccuracy(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.history = []

        def _record(self):
            pred = self.model.predict(X, batch_size=4096, verbose=0).argmax(axis=1)
            self.history.append([float(np.mean(pred[y == c] == c)) if np.any(y == c) else np.nan
                                 for c in range(n_classes)])

        def on_train_begin(self, logs=None):
            self.history = []
            self._record()

        def on_epoch_end(self, epoch, logs=None):
            self._record()

    return PerClassAccuracy()


# ----------------------------------------------------------------------------- training
def fit_network(model, X, y, groups, n_classes: int, schedule: Schedule = FAST, seed: int = 0,
                callbacks=()):
    """Train ``model`` on windows ``X`` with labels ``y``; ``groups`` names each window's track.

    With ``schedule.val_fraction > 0`` whole tracks are held out for early stopping on the
    class-weighted validation loss (best weights restored). Class weights are computed on the
    windows that are trained on. Returns ``(history dict, epochs run, seconds)``.
    """
    keras = runtime.keras()
    X, y = np.asarray(X, np.float32), np.asarray(y, int)
    cbs = list(callbacks)
    val = None
    if schedule.val_fraction and schedule.val_fraction > 0:
        held = holdout_groups(groups, y, schedule.val_fraction, seed=seed + 7919)
        if held.any() and (~held).any():
            val = (X[held], y[held], sample_weights(y[held], n_classes))
            X, y = X[~held], y[~held]
    if val is not None and schedule.patience:
        cbs.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=schedule.patience,
                                                 restore_best_weights=True,
                                                 start_from_epoch=schedule.start_from_epoch))
    t0 = time.perf_counter()
    h = model.fit(X, y, sample_weight=sample_weights(y, n_classes), batch_size=schedule.batch_size,
                  epochs=schedule.max_epochs, validation_data=val, shuffle=True, verbose=0,
                  callbacks=cbs)
    return h.history, len(h.history["loss"]), time.perf_counter() - t0


def predict_proba(model, X, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities for windows ``X`` (empty input gives an empty array)."""
    if len(X) == 0:
        return np.zeros((0, model.output_shape[-1]), np.float32)
    return model.predict(np.asarray(X, np.float32), batch_size=batch_size, verbose=0)


def score(proba, y, owner, condition_names) -> dict:
    """Accuracies from window probabilities: overall, per condition (recall), per track.

    Per-track accuracy averages the probabilities of each track's windows and scores one
    prediction per track. Also returns the confusion matrix (counts, rows = true).
    """
    proba, y, owner = np.asarray(proba), np.asarray(y, int), np.asarray(owner)
    k = len(condition_names)
    pred = proba.argmax(axis=1)
    out = {"overall": float(np.mean(pred == y)) if len(y) else float("nan")}
    for c, name in enumerate(condition_names):
        m = y == c
        out[name] = float(np.mean(pred[m] == c)) if m.any() else float("nan")
    tracks = np.unique(owner)
    tp = np.array([proba[owner == t].mean(axis=0).argmax() for t in tracks])
    ty = np.array([y[owner == t][0] for t in tracks])
    out["per_track"] = float(np.mean(tp == ty)) if len(tracks) else float("nan")
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (y, pred), 1)
    out["confusion"] = cm.tolist()
    return out


@dataclass
class SplitResult:
    """A trained network and its test scores on one train/test split."""

    spec: NetworkSpec
    model: object
    scaler: Scaler
    metrics: dict
    history: dict
    epochs: int
    seconds: float
    test: object = None  # the test Trajectories (scaled windows are rebuilt from them on demand)


def train_and_evaluate(traj, train_idx, test_idx, spec: NetworkSpec, schedule: Schedule = FAST,
                       window: int = 30, seed: int = 0, callbacks=(), per_class_history=False):
    """Fit a scaler and ``spec`` on the training tracks, test on the test tracks.

    Velocities are normalised with :class:`~cellmotion.preprocess.Scaler` fitted on the
    training tracks only. With ``per_class_history`` a per-class training-accuracy callback is
    added and its record is stored as ``history["per_class"]``.
    """
    keras = runtime.keras()
    tr, te = traj.subset(train_idx), traj.subset(test_idx)
    scaler = Scaler().fit(tr.velocities)
    Xtr, ytr, otr = make_windows(scaler.transform(tr.velocities), tr.labels, window,
                                 stride=spec.train_stride)
    Xte, yte, ote = make_windows(scaler.transform(te.velocities), te.labels, window)
    k = len(traj.condition_names)
    keras.utils.set_random_seed(seed)
    model = build_classifier(spec, Xtr.shape[-1], k, schedule.learning_rate, seed=seed,
                             clipnorm=schedule.clipnorm,
                             steps_per_execution=schedule.steps_per_execution,
                             input_gain=1.0 / float(np.std(Xtr)) if schedule.standardize else None)
    cbs = list(callbacks)
    pc = None
    if per_class_history:
        pc = per_class_accuracy_callback(Xtr, ytr, k)
        cbs.append(pc)
    history, epochs, secs = fit_network(model, Xtr, ytr, otr, k, schedule, seed, cbs)
    if pc is not None:
        history["per_class"] = pc.history
    metrics = score(predict_proba(model, Xte), yte, ote, traj.condition_names)
    return SplitResult(spec, model, scaler, metrics, history, epochs, secs, te)


def accuracy_by_window_length(result: SplitResult, lengths) -> list:
    """Test accuracy of a trained network on non-overlapping test windows of each length
    (the report's Figure 7). Lengths longer than every test track give NaN."""
    te = result.test
    v = result.scaler.transform(te.velocities)
    accs = []
    for n in lengths:
        X, y, _ = make_windows(v, te.labels, int(n))
        accs.append(float(np.mean(predict_proba(result.model, X).argmax(1) == y)) if len(y) else float("nan"))
    return accs


# ----------------------------------------------------------------------------- cross-validation
def summarize_folds(fold_metrics, condition_names) -> dict:
    """Mean, standard deviation and fold values of each accuracy (see module docstring)."""
    out = {}
    for key in ["overall", *condition_names, "per_track"]:
        vals = [float(m[key]) for m in fold_metrics]
        out[key] = {"mean": float(np.nanmean(vals)), "std": float(np.nanstd(vals)), "folds": vals}
    return out


def cross_validate(traj, splits, spec: NetworkSpec, schedule: Schedule = FAST, window: int = 30,
                   seed: int = 0):
    """Train and test ``spec`` on every split. Returns ``(summary, summed confusion, seconds)``."""
    folds, secs = [], 0.0
    cm = None
    for f, (tr, te) in enumerate(splits):
        r = train_and_evaluate(traj, tr, te, spec, schedule, window, seed=seed + f)
        folds.append(r.metrics)
        secs += r.seconds
        c = np.asarray(r.metrics["confusion"])
        cm = c if cm is None else cm + c
        del r
    return summarize_folds(folds, traj.condition_names), cm.tolist(), secs


def z_settings(traj) -> list:
    """``["with_z", "without_z"]`` for data with a z column, else ``["without_z"]``."""
    return ["with_z", "without_z"] if "z" in traj.dims else ["without_z"]


def cross_validate_models(traj, splits, specs, schedule: Schedule = FAST, window: int = 30,
                          seed: int = 0, report=print):
    """Cross-validate every spec with and without z on the same splits.

    Returns ``(results, confusion, seconds)``, each ``{name: {z_setting: ...}}`` with a
    summary (see module docstring), a summed confusion matrix and the training seconds.
    ``report`` gets one line per model and setting (``None`` for silence).
    """
    results, confusion, seconds = {}, {}, {}
    for spec in specs:
        for z in z_settings(traj):
            data = traj if z == "with_z" else traj.drop_z()
            t0 = time.perf_counter()
            summ, cm, _ = cross_validate(data, splits, spec, schedule, window, seed)
            secs = time.perf_counter() - t0
            results.setdefault(spec.name, {})[z] = summ
            confusion.setdefault(spec.name, {})[z] = cm
            seconds.setdefault(spec.name, {})[z] = secs
            if report:
                o = summ["overall"]
                report(f"{spec.name:>8} {z.replace('_', ' '):9}: accuracy {o['mean']:.3f} ± {o['std']:.3f} "
                       f"over {len(splits)} folds ({secs:.0f} s)")
    return results, confusion, seconds


# ----------------------------------------------------------------------------- baseline
def window_features(X, dt: float) -> np.ndarray:
    """Classic motility features of each velocity window ``X`` ``(n, T, d)`` in µm/min.

    Columns (:data:`FEATURE_NAMES`): mean and standard deviation of step speed [µm/min],
    straightness, lag-1 velocity autocorrelation, mean turning angle [rad], net displacement
    [µm], computed with :mod:`cellmotion.motility`.
    """
    rows = []
    for v in np.asarray(X, dtype=float):
        sp = mot.step_speeds(v)
        r = velocities_to_positions(v, dt)
        ang = mot.turning_angles(v)
        rows.append([sp.mean(), sp.std(), mot.straightness(r), mot.lag1_autocorrelation(v),
                     ang.mean() if len(ang) else np.pi / 2, mot.net_displacement(r)])
    return np.asarray(rows)


def baseline_cv(traj, splits, window: int = 30, seed: int = 0, n_estimators: int = 300):
    """Random forest on :func:`window_features` over the same splits as the networks.

    Class-balanced (``class_weight="balanced"``, the same 1/N_i weighting). Features come
    from raw velocities (µm/min): trees do not need normalisation. Returns
    ``(summary, summed confusion, seconds)``.
    """
    t0 = time.perf_counter()
    X, y, owner = make_windows(traj.velocities, traj.labels, window)
    F = window_features(X, traj.dt)
    folds, cm = [], None
    for f, (tr, te) in enumerate(splits):
        mtr, mte = np.isin(owner, tr), np.isin(owner, te)
        rf = RandomForestClassifier(n_estimators=n_estimators, class_weight="balanced",
                                    min_samples_leaf=2, random_state=seed + f, n_jobs=1)
        rf.fit(F[mtr], y[mtr])
        proba = np.zeros((mte.sum(), len(traj.condition_names)))
        proba[:, rf.classes_] = rf.predict_proba(F[mte])
        m = score(proba, y[mte], owner[mte], traj.condition_names)
        folds.append(m)
        c = np.asarray(m["confusion"])
        cm = c if cm is None else cm + c
    return summarize_folds(folds, traj.condition_names), cm.tolist(), time.perf_counter() - t0


# ----------------------------------------------------------------------------- tables, io
def table2_frame(ours: dict, condition_names, report: dict = REPORT_TABLE2, synthetic: bool = True):
    """Our Table 2 beside the report's: one row per network, columns ``(source, column)``.

    The report's columns appear only for the conditions it had (all of them for the synthetic
    stand-in of its data); other datasets get only the overall column of the report.
    """
    cols = ["overall", *condition_names]
    ours_label = "ours (synthetic)" if synthetic else "ours"
    report_cols = [c for c in cols if c == "overall" or any(c in r for r in report.values())]
    rows = {}
    for net, m in ours.items():
        row = {(ours_label, c): m.get(c, np.nan) for c in cols}
        row[(ours_label, "per track")] = m.get("per_track", np.nan)
        row.update({("report", c): report.get(net, {}).get(c, np.nan) for c in report_cols})
        rows[net] = row
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.columns = pd.MultiIndex.from_tuples(df.columns)
    df.index.name = "network"
    return df


def cv_frame(results: dict, condition_names):
    """One row per (model, z setting) with ``mean ± s.d.`` strings of every accuracy."""
    rows = []
    for name, by_z in results.items():
        for z, summ in by_z.items():
            row = {"model": name, "inputs": z.replace("_", " ")}
            for key in ["overall", *condition_names, "per_track"]:
                s = summ[key]
                row[key.replace("_", " ")] = f"{s['mean']:.3f} ± {s['std']:.3f}"
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", "inputs"])


def save_json(obj, path):
    """Write ``classification_metrics.json`` (keys in the module docstring)."""
    return write_json(path, obj)

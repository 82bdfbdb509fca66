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
the training *cells* (15 %, whole cells with all pieces of their tracks, never test cells),
restoring the best weights (:func:`train_network`, the one training path of every network). It
also multiplies the normalised inputs by one fixed gain, 1 / (standard deviation of the
normalised training windows), stored in the model as a ``Rescaling`` layer: the report's
[-1, 1] normalisation leaves typical velocities near 0.1, and the LSTM then spends tens of
epochs on a loss plateau before it separates Plastic from Fibronectin.
``benchmarks/bench_classify_schedule.py`` compares the two schedules.

Robust input scale
------------------
The report divided velocities by their largest component (to [-1, 1]); on real tracks that
component is a tracking jump and typical steps end up near 0. :func:`fit_scaler` keeps the
report's scaler for the report's Table 2 and otherwise divides by the standard deviation of
the training velocities.

The protocol (issue 13)
-----------------------
:func:`grouped_folds` (stratified k-fold grouped by cell, repeated) and
:func:`replicate_folds` (leave one replicate out) give folds over tracks;
:func:`evaluate_models` scores every model of :data:`MODELS` (the report's network B, ours
(:data:`OURS`, fixed on the synthetic stand-in), the peers of :mod:`cellmotion.peers`,
ablations and probability-averaging ensembles) on the same folds, per window and per cell,
with Nadeau-Bengio corrected intervals for every protocol (:func:`interval`), paired
differences with Holm-adjusted p values (:func:`holm_adjust`), and by default on
rotation-invariant inputs only (:func:`input_candidate`, issue 20). :func:`new_donor_cost`
pairs each donor's cells across the two protocols.

Keys of ``classification_metrics.json`` (:func:`chapter_metrics`, written with :func:`save_json`)
-------------------------------------------------------------------------------------------------
- ``dataset`` (str), ``synthetic`` (bool), ``profile`` (str), ``seed`` (int)
- ``conditions``: condition names in label order; ``window``: window length (steps)
- ``schedule``: the training schedule; ``class_weights``: how weights were computed (text)
- ``table2_ours``: ``{net: {"overall", "<condition>", "balanced", "per_track",
  "per_track_balanced", "epochs"}}`` on the seeded 80/20 split, in ``table2_setting``
  (``"with_z"`` where the data has z, as the report; else ``"without_z"``);
  ``table2_without_z``: the same without z
- ``table2_report``: the report's Table 2 (empty unless the dataset is the report's kind)
- ``window_lengths``: ``{"lengths": [...], "metric": ..., "<net>": [bacc, ...]}`` (without z)
- ``evaluation``: ``{["replicate": result, ]"grouped": result}``, each what
  :func:`evaluate_models` returns (without z, rotation-invariant inputs; where replicates
  exist, ``"replicate"`` — one left out in turn — is the primary protocol); a dataset whose
  config says ``direction: signal`` adds ``"grouped-as-is"`` (and ``"replicate-as-is"``),
  every model on its own inputs
- ``folds``: ``{"n_splits", "n_repeats"}`` of the grouped folds
- ``forest_features``: the forest's motility measures; ``ours``: ``{"description", "spec"}``
  (every model is named as in :data:`MODELS` everywhere: ``report-best``, ``ours``,
  ``forest``, ``minirocket``, ...)
- ``per_trajectory``: ``{net: per-track balanced accuracy}`` on the 80/20 split
- ``noise_ablation``: synthetic stand-in only, ``{"shared_noise": [r.m.s. µm, correlation
  time min], "rows": [...]}``: the peers on the same cells with one tracking-noise model for
  every condition, rows of :func:`compare_evaluations` (own noise models minus one model)
- ``wall_time_s``: ``{step: seconds}``
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from . import cluster
from . import evaluation as E
from . import peers as P
from . import runtime
from .models.networks import (FAST, INVARIANT_CHANNELS, NETWORKS, ORIGINAL,  # noqa: F401
                              NetworkSpec, Schedule, build_classifier, class_weights,
                              sample_weights)
from .models.progress import epoch_bar
from .console import progress as console_progress
from .paths import write_json
from .preprocess import Scaler, make_windows, split_by_cell
from .report import REPORT_TABLE2



def fast_schedule(batch_size: int = FAST.batch_size, max_epochs: int = FAST.max_epochs,
                  patience: int | None = FAST.patience, start_from_epoch: int = FAST.start_from_epoch
                  ) -> Schedule:
    """:data:`FAST` with another batch size, epoch limit or patience.

    The learning rate follows the batch size by the square-root rule of :data:`FAST` (the
    noise of one update step stays about the same): ``FAST.learning_rate * sqrt(batch_size /
    FAST.batch_size)``. Larger batches make an epoch cheaper on a CPU, where small recurrent
    networks are dominated by per-step overhead.
    """
    lr = FAST.learning_rate * float(np.sqrt(batch_size / FAST.batch_size))
    return replace(FAST, batch_size=int(batch_size), learning_rate=lr, max_epochs=int(max_epochs),
                   patience=patience, start_from_epoch=int(start_from_epoch))


def holdout_groups(groups, labels, fraction: float, seed: int = 0) -> np.ndarray:
    """Boolean mask over samples that holds out whole groups (cells), stratified by label.

    The early-stopping split of the networks: :func:`cellmotion.preprocess.split_by_cell`, the
    same rule as the book's hold-out split, applied to the training windows (a label with fewer
    than two groups stays on the training side).
    """
    labels = np.asarray(labels, dtype=int)
    names = list(range(int(labels.max()) + 1)) if len(labels) else []
    _, held = split_by_cell(np.asarray(groups).astype(str), names, labels, fraction, seed,
                            strict=False)
    mask = np.zeros(len(labels), dtype=bool)
    mask[held] = True
    return mask


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
    """Train ``model`` on windows ``X`` with labels ``y``; ``groups`` names each window's cell.

    With ``schedule.val_fraction > 0`` whole groups (cells) are held out for early stopping on the
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
    """Accuracies from window probabilities: overall, per condition (recall), balanced (mean
    recall), per track and per track balanced.

    Per-track accuracy averages the probabilities of each track's windows and scores one
    prediction per track (``owner`` names the track of each window: pass cell ids so that the
    pieces of a cell vote together; ``n_tracks`` counts them). Also returns the confusion
    matrix of the windows (counts, rows = true).
    """
    proba, y, owner = np.asarray(proba), np.asarray(y, int), np.asarray(owner)
    k = len(condition_names)
    pred = proba.argmax(axis=1)
    out = {"overall": float(np.mean(pred == y)) if len(y) else float("nan")}
    for c, name in enumerate(condition_names):
        m = y == c
        out[name] = float(np.mean(pred[m] == c)) if m.any() else float("nan")
    out["balanced"] = E.balanced_accuracy(y, pred, k) if len(y) else float("nan")
    tracks = np.unique(owner)
    tp = np.array([proba[owner == t].mean(axis=0).argmax() for t in tracks])
    ty = np.array([y[owner == t][0] for t in tracks])
    out["per_track"] = float(np.mean(tp == ty)) if len(tracks) else float("nan")
    out["per_track_balanced"] = E.balanced_accuracy(ty, tp, k) if len(tracks) else float("nan")
    out["n_tracks"] = int(len(tracks))
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


def fit_scaler(velocities, kind: str = "sd") -> Scaler:
    """A one-number velocity scale fitted on training tracks.

    ``"report"``: the report's [-1, 1] normalisation (the largest |component|; on real tracks
    that is a tracking jump, so typical steps end up near 0); ``"sd"``: the standard
    deviation of all components pooled (robust to a few jumps, gives inputs of unit spread).
    One scalar for all dimensions keeps directions intact.
    """
    if kind == "report":
        return Scaler().fit(velocities)
    if kind != "sd":
        raise ValueError(f"unknown scaler '{kind}': use 'report' or 'sd'")
    arrays = velocities if isinstance(velocities, (list, tuple)) else [velocities]
    sd = float(np.std(np.concatenate([np.asarray(v, float).ravel() for v in arrays if len(v)])))
    if not sd > 0:
        raise ValueError("cannot fit a scale to all-zero velocities")
    scaler = Scaler(scale=sd)
    scaler.unit_spread = True
    return scaler


@dataclass
class TrainedNetwork:
    """One network design trained once per seed on the same training tracks (a seed ensemble).

    ``models``: one Keras model per seed; ``scaler``: the velocity scale fitted on the
    training tracks; ``epochs``/``histories``/``seconds``: per seed. :meth:`predict_proba`
    takes *unscaled* velocity windows and averages the seeds' probabilities.
    """

    spec: NetworkSpec
    models: list
    scaler: Scaler
    epochs: list
    histories: list
    seconds: list

    def predict_proba(self, X) -> np.ndarray:
        Xs = self.scaler.transform(X) if len(X) else np.asarray(X, np.float32)
        return np.mean([predict_proba(m, Xs) for m in self.models], axis=0)


def train_network(spec: NetworkSpec, train, window: int, seeds=(0,), schedule: Schedule = FAST,
                  scaler: str = "sd", callbacks=None, per_class_history: bool = False,
                  keep_models: bool = True) -> TrainedNetwork:
    """The one training path of every network in the book (Table 2, the folds, the benchmarks).

    ``train``: the training :class:`~cellmotion.preprocess.Trajectories`. The velocity scale
    (:func:`fit_scaler`, kind ``scaler``) is fitted on them; training windows of ``window``
    steps (stride ``spec.train_stride``) are cut from them; the early-stopping validation set
    holds out whole **cells** of them (:func:`fit_network` with ``groups = train.cells``: the
    pieces of a track cut at a gap stay on one side). One model per seed in ``seeds``;
    ``callbacks(seed)`` gives extra Keras callbacks for that seed (e.g. a progress bar). With
    ``per_class_history`` each model's history gets ``"per_class"``: per-class training
    accuracy after every epoch (the report's Figure 6). ``keep_models=False`` clears each model
    after training (only the probabilities of :func:`evaluate_models` are needed there; use
    :meth:`TrainedNetwork.predict_proba` before that).
    """
    keras = runtime.keras()
    scale = fit_scaler(train.velocities, scaler)
    Xtr, ytr, otr = make_windows(scale.transform(train.velocities), train.labels, window,
                                 stride=spec.train_stride)
    if not len(ytr):
        raise ValueError(f"the training tracks give no window of {window} steps")
    k = len(train.condition_names)
    gain = (1.0 / float(np.std(Xtr)) if schedule.standardize and scaler_kind_needs_gain(scale)
            else None)
    groups = np.asarray(train.cells)[otr]
    out = TrainedNetwork(spec, [], scale, [], [], [])
    for s in seeds:
        keras.utils.set_random_seed(int(s))
        model = build_classifier(spec, Xtr.shape[-1], k, schedule.learning_rate, seed=int(s),
                                 clipnorm=schedule.clipnorm,
                                 steps_per_execution=schedule.steps_per_execution, input_gain=gain)
        cbs = list(callbacks(int(s))) if callbacks else []
        pc = per_class_accuracy_callback(Xtr, ytr, k) if per_class_history else None
        if pc is not None:
            cbs.append(pc)
        history, ep, secs = fit_network(model, Xtr, ytr, groups, k, schedule, int(s), cbs)
        if pc is not None:
            history["per_class"] = pc.history
        out.models.append(model)
        out.epochs.append(ep)
        out.histories.append(history)
        out.seconds.append(secs)
    return out


def train_and_evaluate(traj, train_idx, test_idx, spec: NetworkSpec, schedule: Schedule = FAST,
                       window: int = 30, seed: int = 0, callbacks=(), per_class_history=False,
                       scaler: str = "sd"):
    """Train ``spec`` on the training tracks (:func:`train_network`, one seed), test on the
    test tracks.

    Velocities are normalised with :func:`fit_scaler` (``scaler``: ``"sd"`` robust, the
    default of every network in the book; ``"report"`` the report's [-1, 1], for the report's
    Table 2) fitted on the training tracks only; early stopping holds out training cells. The
    per-track scores count one decision per test **cell** (pieces of one track vote
    together). With ``per_class_history`` the per-class training accuracy is stored as
    ``history["per_class"]``.
    """
    tr, te = traj.subset(train_idx), traj.subset(test_idx)
    net = train_network(spec, tr, window, (seed,), schedule, scaler,
                        callbacks=(lambda s: callbacks) if callbacks else None,
                        per_class_history=per_class_history)
    Xte, yte, ote = make_windows(te.velocities, te.labels, window)
    metrics = score(net.predict_proba(Xte), yte, np.asarray(te.cells)[ote], traj.condition_names)
    return SplitResult(spec, net.models[0], net.scaler, metrics, net.histories[0], net.epochs[0],
                       net.seconds[0], te)


def _split_task(traj, train_idx, test_idx, spec, schedule, window, seed, per_class_history,
                scaler, label):
    """One network of :func:`train_and_evaluate_all` (in a worker: the bar is made here)."""
    bars = [epoch_bar(schedule.max_epochs, label)] if label else ()
    return train_and_evaluate(traj, train_idx, test_idx, spec, schedule, window, seed,
                              callbacks=bars, per_class_history=per_class_history, scaler=scaler)


def train_and_evaluate_all(variants: dict, names, train_idx, test_idx, schedule: Schedule = FAST,
                           window: int = 30, seed: int = 0, scaler: str = "sd",
                           per_class_history=(), n_jobs: int = -1, progress: bool = False) -> dict:
    """:func:`train_and_evaluate` for every network of ``names`` on every data variant, the
    networks at once.

    The networks are independent and a small recurrent network keeps about one core busy,
    so they train in parallel: ``n_jobs`` local worker processes, or one task each on a Dask
    cluster when one is configured (:func:`cellmotion.cluster.map_tasks`). Every network is
    seeded where it is built, so its result does not depend on where it was trained.

    Parameters
    ----------
    variants : dict
        ``{label: Trajectories}``, e.g. ``{"with z": traj, "without z": traj.drop_z()}``.
    names : list of str
        Networks of :data:`NETWORKS`.
    train_idx, test_idx : array
        Track positions of the split (the same for every variant).
    schedule, window, seed, scaler :
        As in :func:`train_and_evaluate`.
    per_class_history : collection of str
        Networks whose per-class training accuracy is recorded after every epoch.
    n_jobs : int
        Local worker processes (``-1``: all cores; ``1``: one after another here).
    progress : bool
        An epoch bar per network on the console.

    Returns
    -------
    dict
        ``{label: {name: SplitResult}}`` in the order of ``variants`` and ``names``.
    """
    jobs = [(v, n) for v in variants for n in names]
    # the largest networks first, so that the last task to finish is a small one
    size = {n: sum(NETWORKS[n].layers) * len(NETWORKS[n].layers) for n in names}
    order = sorted(range(len(jobs)), key=lambda i: -size[jobs[i][1]])
    args = [(variants[jobs[i][0]], train_idx, test_idx, NETWORKS[jobs[i][1]], schedule, window,
             seed, jobs[i][1] in per_class_history, scaler,
             f"network {jobs[i][1]}, {jobs[i][0]}" if progress else None) for i in order]
    results = dict(zip(order, cluster.map_tasks(_split_task, args, n_jobs=n_jobs, name="network")))
    out = {v: {} for v in variants}
    for i, (v, n) in enumerate(jobs):
        out[v][n] = results[i]
    return out


def scaler_kind_needs_gain(scaler: Scaler) -> bool:
    """Whether a fitted scaler leaves inputs far from unit spread (the report's max scaler
    does; the s.d. scaler does not): only then does the fast schedule add its input gain."""
    return not getattr(scaler, "unit_spread", False)


def accuracy_by_window_length(result: SplitResult, lengths, balanced: bool = True) -> list:
    """Test balanced accuracy (``balanced=False``: accuracy) of a trained network on
    non-overlapping test windows of each length (the report's Figure 7). Lengths longer than
    every test track give NaN."""
    te = result.test
    v = result.scaler.transform(te.velocities)
    k = len(te.condition_names)
    accs = []
    for n in lengths:
        X, y, _ = make_windows(v, te.labels, int(n))
        if not len(y):
            accs.append(float("nan"))
            continue
        pred = predict_proba(result.model, X).argmax(1)
        accs.append(E.balanced_accuracy(y, pred, k) if balanced else float(np.mean(pred == y)))
    return accs


# ----------------------------------------------------------------------------- tables, io
def table2_frame(ours: dict, condition_names, report: dict = REPORT_TABLE2, synthetic: bool = True,
                 show_report: bool = True, ours_label: str | None = None):
    """Our Table 2 (beside the report's with ``show_report``): one row per network, columns
    ``(source, column)``.

    Ours: accuracy overall and per condition (recall), balanced accuracy per window and per
    track. The report's columns appear only for the conditions it had; set ``show_report``
    only for the report's kind of data (``DatasetInfo.report_kind``).
    """
    cols = ["overall", *condition_names]
    label = ours_label or ("ours (synthetic)" if synthetic else "ours")
    report_cols = [c for c in cols if c == "overall" or any(c in r for r in report.values())]
    rows = {}
    for net, m in ours.items():
        row = {(label, c): m.get(c, np.nan) for c in cols}
        row[(label, "balanced")] = m.get("balanced", np.nan)
        row[(label, "per track, balanced")] = m.get("per_track_balanced", np.nan)
        if show_report:
            row.update({("report", c): report.get(net, {}).get(c, np.nan) for c in report_cols})
        rows[net] = row
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.columns = pd.MultiIndex.from_tuples(df.columns)
    df.index.name = "network"
    return df


def save_json(obj, path):
    """Write ``classification_metrics.json`` (keys in the module docstring)."""
    return write_json(path, obj)


# ============================================================================= the protocol
# Every model on the same folds, scored per window and per cell, with intervals (issue 13).

def grouped_folds(traj, window: int = 30, n_splits: int = 5, n_repeats: int = 1, seed: int = 0):
    """Repeated stratified k-fold grouped by cell: list of ``(train_idx, test_idx)`` over tracks.

    The same folds as :func:`cv_splits` (stratified by condition on the windows, no cell on
    both sides; repeat ``r`` shuffles with ``seed + r``).
    """
    return cv_splits(traj, window, n_splits=n_splits, n_repeats=n_repeats, seed=seed)


def replicate_folds(traj):
    """Leave one replicate (donor, movie) out: one ``(train_idx, test_idx)`` per replicate,
    in sorted replicate order. Raises ``ValueError`` for data without replicates."""
    if traj.replicates is None:
        raise ValueError("these tracks have no replicates (traj.replicates is None): "
                         "leave-one-replicate-out needs a replicate column (donor, movie)")
    reps = np.asarray(traj.replicates).astype(str)
    levels = sorted(np.unique(reps))
    if len(levels) < 2:
        raise ValueError(f"leave-one-replicate-out needs two or more replicates, found {levels}")
    return [(np.flatnonzero(reps != r), np.flatnonzero(reps == r)) for r in levels]


@dataclass(frozen=True)
class Candidate:
    """A classifier :func:`evaluate_models` can score.

    ``kind``: ``"network"`` (a :class:`NetworkSpec`, trained once per seed with the fast
    schedule; the seeds' probabilities are averaged: a seed ensemble), ``"forest"``
    (:class:`cellmotion.peers.MotilityForest`), ``"minirocket"``
    (:class:`cellmotion.peers.MiniRocketClassifier` on ``channels``, with ``pooling``) or ``"ensemble"`` (the
    mean of the window probabilities of ``members``). ``scaler``: how network inputs are
    scaled (:func:`fit_scaler`).
    """

    name: str
    kind: str
    network: NetworkSpec | None = None
    channels: str = "velocity"
    members: tuple = ()
    scaler: str = "sd"
    description: str = ""
    pooling: str = "ppv"

    def describe(self) -> str:
        if self.description:
            return self.description
        if self.kind == "network":
            return self.network.describe()
        if self.kind == "ensemble":
            return "mean of the probabilities of " + " and ".join(self.members)
        return self.kind


#: Our network, fixed on the synthetic stand-in (never on the folds it is scored on):
#: velocities scaled by their s.d., plus log speed and turning angle, computed inside the
#: network after random rotation and reflection of each training window; one convolution
#: layer (32 filters of 5 steps) and one LSTM layer of 32 units. Under the book's default
#: rotation-invariant inputs (:func:`input_candidate`) it reads log speed and turning angle
#: only, with random reflection. ``benchmarks/bench_classify_ablation.py --select`` records
#: how a design is chosen without the held-out donor.
OURS = NetworkSpec("ours", (32,), rotate=True, reflect=True, channels="both", conv=(32,))

#: Every name :func:`evaluate_models` knows: the four the chapters compare, then ablations.
MODELS = {c.name: c for c in [
    Candidate("report-best", "network", replace(NETWORKS["B"], name="report-best"),
              description="the report's network B (1 LSTM layer x 10 units) on velocities"),
    Candidate("ours", "network", OURS),
    Candidate("forest", "forest", description="random forest on six motility features per window"),
    Candidate("minirocket", "minirocket", channels="velocity",
              description="aeon's MiniRocket (1,000 kernels) on velocities, balanced ridge classifier"),
    # ablations of ours: one change each
    Candidate("ours-velocity", "network", replace(OURS, name="ours-velocity", channels="velocity")),
    Candidate("ours-invariant", "network", replace(OURS, name="ours-invariant", channels="invariant")),
    Candidate("ours-no-augment", "network", replace(OURS, name="ours-no-augment", rotate=False,
                                                     reflect=False)),
    Candidate("ours-no-conv", "network", replace(OURS, name="ours-no-conv", conv=())),
    Candidate("ours-overlap", "network", replace(OURS, name="ours-overlap", train_stride=10)),
    Candidate("ours-multiscale", "network", replace(OURS, name="ours-multiscale",
                                                     channels="multiscale", rotate=False)),
    Candidate("minirocket-both", "minirocket", channels="both",
              description="MiniRocket on velocities, log speed and turning angle"),
    Candidate("multirocket", "minirocket", channels="velocity", pooling="multi",
              description="aeon's MultiRocket (250 kernels, four pooling operators on the series and "
                          "its first difference) on velocities, balanced ridge classifier"),
    Candidate("ours+forest", "ensemble", members=("ours", "forest"),
              description="hybrid: mean of the probabilities of ours and the motility forest"),
    Candidate("ours+minirocket", "ensemble", members=("ours", "minirocket")),
    Candidate("ours+forest+minirocket", "ensemble", members=("ours", "forest", "minirocket")),
]}


def _network_proba(cand: Candidate, traj, train_idx, Xte, window: int, seeds, schedule: Schedule,
                   progress: str | None = None):
    """Train ``cand`` once per seed on the training tracks (:func:`train_network`); mean
    test-window probabilities and the epochs of each seed."""
    keras = runtime.keras()
    bars = (lambda s: [epoch_bar(schedule.max_epochs, f"{progress}, seed {s}")]) if progress else None
    net = train_network(cand.network, traj.subset(train_idx), window, seeds, schedule, cand.scaler,
                        callbacks=bars)
    proba = net.predict_proba(Xte)
    keras.backend.clear_session()
    return proba, net.epochs


def _peer(cand: Candidate, dt: float, seed: int):
    if cand.kind == "forest":
        return P.MotilityForest(dt=dt, random_state=seed, n_jobs=1)
    if cand.kind == "minirocket":
        return P.MiniRocketClassifier(cand.channels, dt=dt, random_state=seed, pooling=cand.pooling)
    raise ValueError(f"not a peer: {cand.kind}")


#: What a model may read of a window (issue 20): ``"invariant"`` (the default) gives every
#: model inputs that do not change when a whole window is rotated; ``"as-is"`` lets each read
#: its own inputs (velocities for the networks and MiniRocket), for data whose direction is
#: known to carry the signal (``direction: signal`` in a dataset config).
INPUTS = ("invariant", "as-is")

_INVARIANT_TEXT = {"velocity": "log speed and turning angle",
                   "both": "log speed and turning angle"}


def input_candidate(name: str, inputs: str = "invariant") -> Candidate:
    """The model ``name`` of :data:`MODELS` as it is scored with ``inputs`` (:data:`INPUTS`).

    With ``"invariant"`` every model reads rotation-invariant inputs, the same for every model:
    a network reads the log speed and the turning angle into each step
    (:class:`~cellmotion.models.networks.MotionChannels` ``"invariant"``, computed inside the
    network; random rotation of training windows is then pointless and dropped, mirroring is
    kept), MiniRocket convolves the same two channels (:func:`cellmotion.peers.input_channels`
    ``"invariant"``), and the motility forest reads features that are rotation-invariant by
    construction (speeds, angles, lengths). Ensembles average their members' invariant
    versions. The model keeps its name, so results under both inputs line up.
    """
    if inputs not in INPUTS:
        raise ValueError(f"unknown inputs '{inputs}': use one of {INPUTS}")
    if name not in MODELS:
        raise KeyError(f"unknown model '{name}': choose from {sorted(MODELS)}")
    cand = MODELS[name]
    if inputs == "as-is" or cand.kind in ("forest", "ensemble"):
        return cand
    if cand.kind == "network":
        keep = cand.network.channels in INVARIANT_CHANNELS
        spec = replace(cand.network, channels=cand.network.channels if keep else "invariant",
                       rotate=False)
        text = cand.description
        if text:
            text = text.replace("on velocities", "on log speed and turning angle")
        return replace(cand, network=spec, description=text)
    if cand.kind == "minirocket":
        text = cand.description.replace("on velocities, log speed and turning angle",
                                        "on log speed and turning angle")
        text = text.replace("on velocities", "on log speed and turning angle")
        return replace(cand, channels="invariant", description=text)
    raise ValueError(f"no invariant version of a model of kind '{cand.kind}'")


def _members(names):
    """Names to train (ensemble members first, each once), in a stable order."""
    out = []
    for n in names:
        if n not in MODELS:
            raise KeyError(f"unknown model '{n}': choose from {sorted(MODELS)}")
        for m in (MODELS[n].members if MODELS[n].kind == "ensemble" else (n,)):
            if m not in out:
                out.append(m)
    return out


def fold_protocol(traj, folds) -> str:
    """``"replicate"`` when every fold tests exactly one replicate that its training set
    lacks (leave-one-replicate-out), else ``"kfold"``."""
    if traj.replicates is None:
        return "kfold"
    reps = np.asarray(traj.replicates).astype(str)
    for tr, te in folds:
        test_reps = set(reps[te])
        if len(test_reps) != 1 or test_reps & set(reps[tr]):
            return "kfold"
    return "replicate"


def interval(values, protocol: str, n_train, n_test, bounds=None) -> dict:
    """Mean over folds with its 95 % interval: the Nadeau-Bengio corrected t
    (:func:`cellmotion.evaluation.corrected_paired_t`) for every protocol.

    ``n_train``/``n_test``: cells in each fold's training and test sets (one number each, or
    one per fold). The correction is needed for k-fold *and* for leaving one replicate out in
    turn: in both, the folds' training sets overlap (with four donors, by two thirds), so the
    fold scores are correlated; with one number per fold the real ratio of each donor fold
    enters. ``protocol`` is recorded by the caller and does not change the interval. With
    ``bounds`` (e.g. ``(0, 1)`` for a score) the interval is clipped to them. Without an
    interval (one fold, too few folds, zero spread) ``lower``/``upper``/``p`` are NaN and
    ``reason`` says why.
    """
    v = np.asarray(values, float)
    keep = np.isfinite(v)
    n_train, n_test = np.asarray(n_train, float).ravel(), np.asarray(n_test, float).ravel()
    if len(n_train) == len(v) and len(v) > 1:
        n_train, n_test = n_train[keep], n_test[keep]
    v = v[keep]
    nan = float("nan")
    if len(v) < 2:
        m = float(v.mean()) if len(v) else nan
        return {"mean": m, "lower": nan, "upper": nan, "p": nan,
                "reason": f"{len(v)} fold(s) with a score: no interval"}
    iv = E.corrected_paired_t(v, np.maximum(n_train, 1), np.maximum(n_test, 1))
    lo, hi = iv.lower, iv.upper
    if bounds is not None and np.isfinite(lo):
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    out = {"mean": iv.mean, "lower": lo, "upper": hi, "p": iv.p}
    if iv.reason:
        out["reason"] = iv.reason
    return out


def holm_adjust(paired: dict) -> dict:
    """Add ``p_holm`` to every comparison of ``paired`` (``{a: {b: {"p", ...}}}``, ``a - b``).

    The family is every distinct pair of models of one table (one protocol): Holm's
    adjustment (:func:`cellmotion.evaluation.holm`) over their p values, the same adjusted p
    stored for ``a - b`` and ``b - a``. Returns ``paired`` (changed in place).
    """
    pairs = []
    for a in paired:
        for b in paired[a]:
            if (b, a) not in pairs:
                pairs.append((a, b))
    adj = E.holm([paired[a][b].get("p", float("nan")) for a, b in pairs])
    for (a, b), q in zip(pairs, adj):
        paired[a][b]["p_holm"] = float(q)
        if a in paired.get(b, {}):
            paired[b][a]["p_holm"] = float(q)
    return paired


def _fold_probabilities(traj, X, y, owner, tr, te, cands, window, seeds, schedule,
                        bar_prefix=None):
    """Train every model of ``cands`` (``{name: Candidate}``, no ensembles) on one fold:
    test-window probabilities, seconds and epochs per model (one fold of
    :func:`evaluate_models`; run in a worker process when folds are trained in parallel)."""
    k = len(traj.condition_names)
    mtr, mte = np.isin(owner, tr), np.isin(owner, te)
    proba, seconds, epochs = {}, {}, {}
    for name, cand in cands.items():
        t0 = time.perf_counter()
        if cand.kind == "network":
            bar = f"{name}, {bar_prefix}" if bar_prefix else None
            proba[name], epochs[name] = _network_proba(cand, traj, tr, X[mte], window, seeds, schedule, bar)
        else:
            est = _peer(cand, traj.dt, int(seeds[0]))
            fit_kw = ({"groups": np.asarray(traj.cells).astype(str)[owner[mtr]]}
                      if "groups" in inspect.signature(est.fit).parameters else {})
            est.fit(X[mtr], y[mtr], **fit_kw)  # any inner split (calibration) keeps cells whole
            p = np.zeros((int(mte.sum()), k))
            p[:, est.classes_] = est.predict_proba(X[mte])
            proba[name] = p
        seconds[name] = time.perf_counter() - t0
    return proba, seconds, epochs


def evaluate_models(traj, folds, models, window: int = 30, seeds=(0, 1), max_epochs=None,
                    report=print, schedule: Schedule = FAST, protocol: str = "auto",
                    progress: bool = False, n_jobs: int = 1, inputs: str = "invariant") -> dict:
    """Score every model in ``models`` (names of :data:`MODELS`) on the same ``folds``.

    Test windows are the non-overlapping windows of each fold's test tracks; a *track* score
    averages the window probabilities of each test **cell** (pieces of one track cut at gaps
    vote together) and scores one decision per cell. Networks are trained once per seed in
    ``seeds`` and their probabilities averaged (a seed ensemble; :func:`train_network`, the
    one training path); peers use the first seed. Network inputs are scaled by the s.d. of
    the training velocities (:func:`fit_scaler`); early stopping uses a validation set of
    training cells only. ``inputs`` (:data:`INPUTS`): ``"invariant"`` (default) scores every
    model on rotation-invariant inputs (:func:`input_candidate`), ``"as-is"`` on its own.

    ``protocol``: ``"kfold"``, ``"replicate"`` (one replicate held out per fold) or ``"auto"``
    (:func:`fold_protocol`); both get Nadeau-Bengio corrected t intervals with each fold's own
    numbers of training and test cells (:func:`interval`). Paired differences carry a p value
    and ``p_holm``, adjusted by Holm over all pairs of models of this result
    (:func:`holm_adjust`). Folds without a test or a training window are left out
    (``n_folds`` counts the folds scored). Returns::

        {"models": {name: {"per_track_bacc": S, "per_window_bacc": S, "macro_f1": S,
                           "recall": {condition: mean}, "confusion": [[...]], "brier": float,
                           "brier_window": float, "ece": float, "reliability": {...},
                           "description": str, "epochs": [...], "cell_proba": [[...]]}},
         "paired": {a: {b: {"mean", "lower", "upper", "p", "p_holm"}}},  # a - b, per track
         "paired_window": {a: {b: ...}},                                  # a - b, per window
         "cells": {"cell": [...], "y": [...], "fold": [...], "replicate": [...]},
         "conditions": [...], "seconds": {name: s}, "protocol": str, "n_folds": int,
         "seeds": [...], "window": int, "inputs": str,
         "cells_per_fold": {"train": mean, "test": mean, "train_folds": [...],
                            "test_folds": [...]}}

    with ``S = {"mean", "lower", "upper", "p", "folds": [...]}`` (intervals of scores clipped
    to [0, 1]; NaN bounds and a ``reason`` where no interval exists; ``macro_f1``, ``recall``,
    ``confusion`` (summed over folds), ``brier``: per track; ``reliability`` pools the per-track
    probabilities of all folds). ``cells`` lists every scored test cell of every fold (a cell
    appears once per repeat) and ``cell_proba`` its out-of-fold probabilities, row by row:
    enough to score any subset of cells again (:func:`new_donor_cost`). ``report`` gets a line
    per model (``None``: silence).

    ``n_jobs`` > 1 trains that many folds at once in worker processes (joblib): small
    recurrent networks keep about one core busy, so two folds on two cores take little more
    than one. With a Dask cluster configured (:mod:`cellmotion.cluster`) every fold is a task
    on the cluster instead. Every training is seeded the same way as in one process. ``progress`` shows a
    bar per network and epoch (one process) or per fold (workers).
    """
    names = list(traj.condition_names)
    models = list(models)
    if protocol == "auto":
        protocol = fold_protocol(traj, folds)
    if max_epochs is not None:
        schedule = replace(schedule, max_epochs=int(max_epochs))
    X, y, owner = make_windows(traj.velocities, traj.labels, window)
    cell_names = np.asarray(traj.cells).astype(str)
    cell = pd.factorize(cell_names)[0]
    reps = (np.asarray(traj.replicates).astype(str) if traj.replicates is not None
            else np.full(len(traj), ""))
    _, first_of = np.unique(cell, return_index=True)  # codes are 0..n-1 in order of appearance
    code_name, code_rep = cell_names[first_of], reps[first_of]
    # a fold whose test (or training) tracks give no window cannot be scored: left out
    folds = [(tr, te) for tr, te in folds if np.isin(owner, te).any() and np.isin(owner, tr).any()]
    if len(folds) < 2:
        raise ValueError(f"fewer than two folds have windows of {window} steps on both sides")
    train_order = _members(models)
    cands = {m: input_candidate(m, inputs) for m in train_order}
    fold_scores = {m: [] for m in models}
    pooled = {m: ([], []) for m in models}
    seconds = {m: 0.0 for m in train_order}
    epochs = {m: [] for m in train_order}
    n_tr, n_te = [], []
    cells_out = {"cell": [], "y": [], "fold": [], "replicate": []}
    cell_proba = {m: [] for m in models}
    args = (traj, X, y, owner)
    rest = (cands, window, tuple(seeds), schedule)
    on_cluster = cluster.active_client() is not None
    if n_jobs == 1 and not on_cluster:
        results = (_fold_probabilities(*args, tr, te, *rest,
                                       bar_prefix=f"fold {f + 1}/{len(folds)}" if progress else None)
                   for f, (tr, te) in enumerate(folds))
    else:
        # one task per fold: worker processes here, or a Dask cluster when one is configured
        results = cluster.map_tasks(_fold_probabilities, [(*args, tr, te, *rest) for tr, te in folds],
                                    n_jobs=n_jobs, name="cv-fold")
        where = "on the cluster" if on_cluster else f"{n_jobs} at once"
        results = list(console_progress(results, total=len(folds), desc=f"folds ({where})",
                                        disable=not progress))  # every fold done before scoring
    for f, ((tr, te), (proba, secs, eps)) in enumerate(zip(folds, results)):
        mte = np.isin(owner, te)
        n_tr.append(len(np.unique(cell[tr])))
        n_te.append(len(np.unique(cell[owner[mte]])))
        for name in train_order:
            seconds[name] += secs[name]
            epochs[name].extend(eps.get(name, []))
        first = None
        for name in models:
            cand = MODELS[name]
            p = (np.mean([proba[m] for m in cand.members], axis=0) if cand.kind == "ensemble"
                 else proba[name])
            sc = E.score_predictions(p, y[mte], cell[owner[mte]], names)
            fold_scores[name].append(sc)
            tp = E.per_track_predictions(p, cell[owner[mte]], y[mte])
            pooled[name][0].append(tp.proba)
            pooled[name][1].append(tp.y)
            cell_proba[name].extend(np.round(tp.proba, 5).tolist())
            first = first or tp
        cells_out["cell"].extend(code_name[first.tracks].tolist())
        cells_out["y"].extend(first.y.tolist())
        cells_out["fold"].extend([f] * len(first.tracks))
        cells_out["replicate"].extend(code_rep[first.tracks].tolist())
    ntr, nte = np.asarray(n_tr, float), np.asarray(n_te, float)
    out = {"models": {}, "paired": {}, "conditions": names, "protocol": protocol,
           "n_folds": len(folds), "seeds": [int(s) for s in seeds], "window": int(window),
           "inputs": inputs, "cells": cells_out,
           "cells_per_fold": {"train": float(ntr.mean()), "test": float(nte.mean()),
                              "train_folds": ntr.tolist(), "test_folds": nte.tolist()},
           "seconds": {m: float(seconds.get(m, 0.0) if MODELS[m].kind != "ensemble" else
                                sum(seconds[x] for x in MODELS[m].members)) for m in models}}
    bacc, wbacc = {}, {}
    for name in models:
        fs = fold_scores[name]
        track = [s["track"] for s in fs]
        bacc[name] = np.array([t["balanced_accuracy"] for t in track])
        wbacc[name] = np.array([s["window"]["balanced_accuracy"] for s in fs])
        rel = E.reliability_curve(np.concatenate(pooled[name][0]), np.concatenate(pooled[name][1]))
        desc = (MODELS[name].describe() if MODELS[name].kind == "ensemble"
                else cands[name].describe())
        out["models"][name] = {
            "per_track_bacc": {**interval(bacc[name], protocol, ntr, nte, (0, 1)), "folds": bacc[name].tolist()},
            "per_window_bacc": {**interval(wbacc[name], protocol, ntr, nte, (0, 1)),
                                "folds": wbacc[name].tolist()},
            "macro_f1": {**interval([t["macro_f1"] for t in track], protocol, ntr, nte, (0, 1)),
                         "folds": [t["macro_f1"] for t in track]},
            "recall": {c: float(np.nanmean([t["recall"][c] for t in track])) for c in names},
            "confusion": np.sum([t["confusion"] for t in track], axis=0).tolist(),
            "brier": float(np.nanmean([t["brier"] for t in track])),
            "brier_window": float(np.nanmean([s["window"]["brier"] for s in fs])),
            "ece": rel["ece"],
            "reliability": {key: np.asarray(v).tolist() for key, v in rel.items() if key != "ece"},
            "description": desc,
            "epochs": epochs.get(name, []),
            "cell_proba": cell_proba[name],
        }
        if report:
            s = out["models"][name]["per_track_bacc"]
            report(f"{name:>24}: per-track balanced accuracy {s['mean']:.3f} "
                   f"[{s['lower']:.3f}, {s['upper']:.3f}] over {len(folds)} folds "
                   f"({out['seconds'][name]:.0f} s)")
    out["paired_window"] = {}
    for a in models:
        out["paired"][a] = {b: interval(bacc[a] - bacc[b], protocol, ntr, nte)
                            for b in models if b != a}
        out["paired_window"][a] = {b: interval(wbacc[a] - wbacc[b], protocol, ntr, nte)
                                   for b in models if b != a}
    holm_adjust(out["paired"])
    holm_adjust(out["paired_window"])
    return out


def score_cells(result: dict, model: str, keep=None, metric: str = "balanced_accuracy") -> float:
    """Per-track score of ``model`` on the cells of ``result`` selected by the boolean mask
    ``keep`` (all by default), from the stored out-of-fold probabilities; a cell tested more
    than once (repeated folds) has its probabilities averaged first."""
    cells = result["cells"]
    proba = np.asarray(result["models"][model]["cell_proba"], float)
    ids = np.asarray(cells["cell"]).astype(str)
    y = np.asarray(cells["y"], int)
    keep = np.ones(len(ids), bool) if keep is None else np.asarray(keep, bool)
    if not keep.any():
        return float("nan")
    tp = E.per_track_predictions(proba[keep], ids[keep], y[keep])
    k = len(result["conditions"])
    if metric == "balanced_accuracy":
        return E.balanced_accuracy(tp.y, tp.pred, k)
    if metric == "brier":
        return E.brier_score(tp.proba, tp.y)
    raise ValueError(f"unknown metric '{metric}'")


def new_donor_cost(grouped: dict, donor: dict, models=None) -> dict:
    """What a new donor costs each model, from one paired computation per donor.

    For every donor ``r`` (every fold of ``donor``, a leave-one-replicate-out result of
    :func:`evaluate_models`) and model: the per-track balanced accuracy of ``r``'s cells when
    other cells of ``r`` were in training (their out-of-fold predictions in ``grouped``, folds
    grouped by cell) minus the same cells' score when ``r`` was held out (``donor``). The
    differences over donors are paired (same cells, same model) and their mean gets the
    Nadeau-Bengio corrected t interval of the donor folds (their own numbers of training and
    test cells; :func:`interval`); ``p_holm`` adjusts the p values over the models (Holm).
    Positive = a new donor costs. Returns ``{model: {"mean", "lower", "upper", "p", "p_holm"
    [, "reason"], "donors": {r: {"grouped", "donor", "cells"}}}}``.
    """
    gc, dc = grouped["cells"], donor["cells"]
    g_rep, d_rep = np.asarray(gc["replicate"]).astype(str), np.asarray(dc["replicate"]).astype(str)
    g_ids, d_ids = np.asarray(gc["cell"]).astype(str), np.asarray(dc["cell"]).astype(str)
    donors = list(dict.fromkeys(d_rep))
    cpf = donor["cells_per_fold"]
    n_train = np.asarray(cpf.get("train_folds", [cpf["train"]]), float)
    n_test = np.asarray(cpf.get("test_folds", [cpf["test"]]), float)
    out = {}
    for name in models or [m for m in donor["models"] if m in grouped["models"]]:
        per, diffs, ntr, nte = {}, [], [], []
        for f, r in enumerate(donors):
            shared = np.intersect1d(g_ids[g_rep == r], d_ids[d_rep == r])
            if not len(shared):
                continue
            g = score_cells(grouped, name, np.isin(g_ids, shared) & (g_rep == r))
            d = score_cells(donor, name, np.isin(d_ids, shared) & (d_rep == r))
            per[r] = {"grouped": g, "donor": d, "cells": int(len(shared))}
            diffs.append(g - d)
            if len(n_train) == len(donors):
                ntr.append(n_train[f])
                nte.append(n_test[f])
        iv = interval(diffs, "replicate", ntr or n_train.mean(), nte or n_test.mean())
        out[name] = {**iv, "donors": per}
    for name, q in zip(out, E.holm([c["p"] for c in out.values()])):
        out[name]["p_holm"] = float(q)
    return out


def evaluate_variants(tracks: dict, folds, models, done=None, **kwargs) -> dict:
    """The same ``models`` on the same ``folds`` of several versions of a dataset.

    ``tracks``: ``{(version, inputs): Trajectories}`` (e.g. ``("kept", "as-is")``: the tracks
    as recorded, every model on its own inputs); ``inputs`` is passed to
    :func:`evaluate_models`, and every version must hold the same tracks in the same order
    (only their steps differ), so the folds mean the same cells. ``done``: results already
    computed, ``{(version, inputs): result}``. A model is trained only once per version of the
    tracks and per input it actually reads: where :func:`input_candidate` gives the same
    candidate under two ``inputs`` (the motility forest reads the same features under both),
    the scores of the variant that computed it are reused. ``kwargs`` go to
    :func:`evaluate_models`. Returns ``{(version, inputs): result}`` including ``done``.
    """
    out = dict(done or {})
    for key, traj in tracks.items():
        if key in out:
            continue
        version, inputs = key
        reuse = {}
        for m in models:
            for (v2, i2), res in out.items():
                if (v2 == version and m in res["models"]
                        and input_candidate(m, i2) == input_candidate(m, inputs)):
                    reuse[m] = res
                    break
        todo = [m for m in models if m not in reuse]
        if todo:
            res = evaluate_models(traj, folds, todo, inputs=inputs, **kwargs)
        else:
            res = dict(next(iter(reuse.values())))
            res["paired"], res["paired_window"] = {}, {}
        res = {**res, "models": dict(res["models"]), "inputs": inputs}
        for m, src in reuse.items():
            res["models"][m] = src["models"][m]
        res["models"] = {m: res["models"][m] for m in models}
        out[key] = res
    return out


def evaluation_frame(result: dict, metric: str = "per_track_bacc", digits: int = 3) -> pd.DataFrame:
    """One row per model: per-track and per-window balanced accuracy and macro-F1 with their
    95 % intervals, recall per condition, Brier score and seconds."""
    f = f"{{:.{digits}f}}"
    rows = {}
    for name, m in result["models"].items():
        row = {}
        for key, label in (("per_track_bacc", "balanced accuracy per track"),
                           ("per_window_bacc", "balanced accuracy per window"),
                           ("macro_f1", "macro-F1 per track")):
            s = m[key]
            row[label] = f"{f.format(s['mean'])} [{f.format(s['lower'])}, {f.format(s['upper'])}]"
        for c, r in m["recall"].items():
            row[f"recall {c}"] = round(r, digits)
        row["Brier per track"] = round(m["brier"], digits)
        row["seconds"] = round(result["seconds"][name])
        rows[name] = row
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "model"
    return df.sort_values("balanced accuracy per track", ascending=False)


def paired_frame(result: dict, of: str, digits: int = 3) -> pd.DataFrame:
    """Paired per-fold differences ``of - other`` of balanced accuracy per track (and per
    window where the result has them), with 95 % intervals."""
    f = f"{{:+.{digits}f}}"
    rows = {}
    for key, what in (("paired", "per track"), ("paired_window", "per window")):
        for b, d in result.get(key, {}).get(of, {}).items():
            rows.setdefault(b, {}).update({
                (what, "difference"): f.format(d["mean"]),
                (what, "95 % interval"): f"[{f.format(d['lower'])}, {f.format(d['upper'])}]",
                (what, "p"): round(d["p"], 3)})
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.columns = pd.MultiIndex.from_tuples(df.columns)
    df.index.name = f"{of} minus"
    return df


def compare_evaluations(a: dict, b: dict, models=None) -> list:
    """The same models on the same folds of two versions of a dataset: ``a`` minus ``b``.

    ``a``/``b``: results of :func:`evaluate_models` with the same folds (e.g. the synthetic
    stand-in with its own tracking-noise models, and the same cells with one noise model for
    every condition). Per model and score (balanced accuracy per track and per window): both
    means and the paired per-fold difference with its 95 % interval (:func:`interval`).
    Returns rows ``{model, per, a, b, diff, lower, upper, p}``.
    """
    if a["n_folds"] != b["n_folds"]:
        raise ValueError(f"the results have different folds ({a['n_folds']} vs {b['n_folds']})")
    cpf = a["cells_per_fold"]
    ntr, nte = cpf.get("train_folds", cpf["train"]), cpf.get("test_folds", cpf["test"])
    rows = []
    for name in models or [m for m in a["models"] if m in b["models"]]:
        for per, key in (("track", "per_track_bacc"), ("window", "per_window_bacc")):
            fa = np.asarray(a["models"][name][key]["folds"], float)
            fb = np.asarray(b["models"][name][key]["folds"], float)
            d = interval(fa - fb, a["protocol"], ntr, nte)
            rows.append({"model": name, "per": per, "a": float(np.nanmean(fa)), "b": float(np.nanmean(fb)),
                         "diff": d["mean"], "lower": d["lower"], "upper": d["upper"], "p": d["p"],
                         "reason": d.get("reason", "")})
    return rows


def chapter_metrics(*, dataset, synthetic, profile, seed, conditions, window, schedule, table2,
                    report_kind, window_lengths, acc_by_length, evaluation, cv_folds, cv_repeats,
                    wall, noise_ablation=None) -> dict:
    """The content of ``classification_metrics.json`` (keys in the module docstring)."""
    first = next(iter(table2))
    return {
        "dataset": dataset, "synthetic": synthetic, "profile": profile, "seed": seed,
        "conditions": list(conditions), "window": window, "schedule": schedule,
        "class_weights": "w_i = N / (K N_i), N_i = training windows of class i (weights average to 1)",
        "table2_ours": table2[first], "table2_setting": first.replace(" ", "_"),
        "table2_without_z": table2.get("without z", {}),
        "table2_report": REPORT_TABLE2 if report_kind else {},
        "window_lengths": {"lengths": list(window_lengths), "metric": "balanced accuracy, without z",
                           **acc_by_length},
        "evaluation": evaluation,
        "folds": {"n_splits": cv_folds, "n_repeats": cv_repeats},
        "forest_features": P.MOTILITY_FEATURES,
        "ours": {"description": OURS.describe(), "spec": OURS},
        "per_trajectory": {n: m["per_track_balanced"] for n, m in table2[first].items()},
        "noise_ablation": noise_ablation,
        "wall_time_s": wall,
    }

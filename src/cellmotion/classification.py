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
normalised training windows), stored in the model as an ``InputGain`` layer: the report's
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
rotation-invariant inputs only (:func:`input_candidate`, issue 20). It is three steps:
:func:`fit_fold` trains every model of one fold (what runs in worker processes or as Dask
tasks), :func:`score_folds` scores every model, ensembles included, on every fold, and
:func:`summarise` adds the intervals, the paired differences and the pooled reliability. The
result is an :class:`~cellmotion.results.Evaluation` (:mod:`cellmotion.results`), read by the
chapters and the findings by attribute and written to the metrics files with its ``to_dict``.
:func:`new_donor_cost` pairs each donor's cells across the two protocols.

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
- ``evaluation``: ``{["replicate": result, ]"grouped": result}``, each the
  :meth:`~cellmotion.results.Evaluation.to_dict` of what :func:`evaluate_models` returns
  (read back with :meth:`~cellmotion.results.Evaluation.from_dict`; without z,
  rotation-invariant inputs; where replicates
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
  every condition, rows of :func:`compare_evaluations` (own noise models minus one model,
  with the Holm-adjusted ``p_holm`` and ``claim`` of each row)
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
from . import evaluation, peers
from . import runtime
from .models.networks import (FAST, INVARIANT_CHANNELS, NETWORKS, ORIGINAL, register_layers,  # noqa: F401
                              NetworkSpec, Schedule, build_classifier, class_weights,
                              sample_weights)
from .models.progress import epoch_bar
from .console import progress as console_progress
from .paths import write_json
from .preprocess import Scaler, make_windows, split_by_cell
from .report import REPORT_TABLE2
from .results import CellsPerFold, DonorCost, Evaluation, ModelScores, Score, ScoredCells  # noqa: F401



def fast_schedule(batch_size: int = FAST.batch_size, max_epochs: int = FAST.max_epochs,
                  patience: int | None = FAST.patience, start_from_epoch: int = FAST.start_from_epoch
                  ) -> Schedule:
    """:data:`FAST` with another batch size, epoch limit or patience.

    The learning rate follows the batch size by the square-root rule of :data:`FAST` (the
    noise of one update step stays about the same): ``FAST.learning_rate * sqrt(batch_size /
    FAST.batch_size)``. Larger batches make an epoch cheaper on a CPU, where small recurrent
    networks are dominated by per-step overhead.

    Parameters
    ----------
    batch_size : int
        Training windows per batch.
    max_epochs : int
        Epoch limit.
    patience : int or None
        Epochs without improvement of the validation loss before training stops (``None``: no
        early stopping).
    start_from_epoch : int
        First epoch at which early stopping may stop.

    Returns
    -------
    Schedule
    """
    lr = FAST.learning_rate * float(np.sqrt(batch_size / FAST.batch_size))
    return replace(FAST, batch_size=int(batch_size), learning_rate=lr, max_epochs=int(max_epochs),
                   patience=patience, start_from_epoch=int(start_from_epoch))


def holdout_groups(groups, labels, fraction: float, seed: int = 0) -> np.ndarray:
    """Boolean mask over samples that holds out whole groups (cells), stratified by label.

    The early-stopping split of the networks: :func:`cellmotion.preprocess.split_by_cell`, the
    same rule as the book's hold-out split, applied to the training windows (a label with fewer
    than two groups stays on the training side).

    Parameters
    ----------
    groups : array-like
        Group (cell) of each sample.
    labels : array-like of int
        Label of each sample.
    fraction : float
        Share of each label's groups to hold out.
    seed : int
        Seed of the split.

    Returns
    -------
    numpy.ndarray
        ``True`` for held-out samples.
    """
    labels = np.asarray(labels, dtype=int)
    names = list(range(int(labels.max()) + 1)) if len(labels) else []
    _, held = split_by_cell(np.asarray(groups).astype(str), names, labels, fraction, seed,
                            strict=False)
    mask = np.zeros(len(labels), dtype=bool)
    mask[held] = True
    return mask


def cv_splits(traj, window: int = 30, n_splits: int = 5, n_repeats: int = 1, seed: int = 0):
    """Repeated, grouped, stratified k-fold splits of tracks.

    ``StratifiedGroupKFold`` runs on the windows (labels = condition, groups = cell), so the
    folds balance the number of windows per condition and no cell (a track and any pieces it
    was cut into at gaps) has windows on both sides. Tracks too short for one window never
    enter a test fold. Repeat ``r`` shuffles with ``seed + r``.

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks.
    window : int
        Window length in steps.
    n_splits : int
        Folds per repeat.
    n_repeats : int
        Repeats with different shuffles.
    seed : int
        Seed of the first repeat.

    Returns
    -------
    list of tuple
        ``(train_idx, test_idx)`` over tracks, ``n_splits * n_repeats`` of them.
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
    """A Keras callback that records the accuracy of every class on ``(X, y)`` after each epoch
    (and once before training).

    Parameters
    ----------
    X : numpy.ndarray
        Windows.
    y : numpy.ndarray
        Their labels.
    n_classes : int
        Number of classes.

    Returns
    -------
    keras.callbacks.Callback
        ``callback.history`` is ``(epochs + 1, n_classes)``.
    """
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
    windows that are trained on.

    Parameters
    ----------
    model : keras.Model
        A compiled classifier (:func:`build_classifier`).
    X : numpy.ndarray
        Training windows.
    y : numpy.ndarray
        Their labels.
    groups : array-like
        Cell of each window.
    n_classes : int
        Number of classes.
    schedule : Schedule
        Batch size, epochs, early stopping.
    seed : int
        Seed of the validation split.
    callbacks : sequence
        Extra Keras callbacks.

    Returns
    -------
    tuple
        ``(history dict, epochs run, seconds)``.
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
    train = runtime.batches((X, y, sample_weights(y, n_classes)), schedule.batch_size,
                            shuffle_seed=seed)
    val = None if val is None else runtime.batches(val, schedule.batch_size)
    h = model.fit(train, epochs=schedule.max_epochs, validation_data=val, shuffle=False, verbose=0,
                  callbacks=cbs)  # shuffled by the pipeline
    return h.history, len(h.history["loss"]), time.perf_counter() - t0


def predict_proba(model, X, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities for windows ``X`` (empty input gives an empty array).

    Parameters
    ----------
    model : keras.Model
        A trained classifier.
    X : numpy.ndarray
        Windows, scaled as in training.
    batch_size : int
        Windows per prediction batch.

    Returns
    -------
    numpy.ndarray
        ``(windows, classes)``.
    """
    if len(X) == 0:
        return np.zeros((0, model.output_shape[-1]), np.float32)
    return model.predict(np.asarray(X, np.float32), batch_size=batch_size, verbose=0)


def score(proba, y, owner, condition_names) -> dict:
    """Accuracies from window probabilities: overall, per condition (recall), balanced (mean
    recall), per track and per track balanced.

    Per-track accuracy averages the probabilities of each track's windows and scores one
    prediction per track.

    Parameters
    ----------
    proba : numpy.ndarray
        ``(windows, conditions)`` probabilities.
    y : array-like of int
        True label of each window.
    owner : array-like
        The track of each window: pass cell ids so that the pieces of a cell vote together.
    condition_names : list of str
        Condition names in label order.

    Returns
    -------
    dict
        ``{"overall", "<condition>", "balanced", "per_track", "per_track_balanced", "n_tracks",
        "confusion"}`` (the confusion matrix counts windows, rows = true).
    """
    proba, y, owner = np.asarray(proba), np.asarray(y, int), np.asarray(owner)
    k = len(condition_names)
    pred = proba.argmax(axis=1)
    out = {"overall": float(np.mean(pred == y)) if len(y) else float("nan")}
    for c, name in enumerate(condition_names):
        m = y == c
        out[name] = float(np.mean(pred[m] == c)) if m.any() else float("nan")
    out["balanced"] = evaluation.balanced_accuracy(y, pred, k) if len(y) else float("nan")
    tracks = np.unique(owner)
    tp = np.array([proba[owner == t].mean(axis=0).argmax() for t in tracks])
    ty = np.array([y[owner == t][0] for t in tracks])
    out["per_track"] = float(np.mean(tp == ty)) if len(tracks) else float("nan")
    out["per_track_balanced"] = evaluation.balanced_accuracy(ty, tp, k) if len(tracks) else float("nan")
    out["n_tracks"] = int(len(tracks))
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (y, pred), 1)
    out["confusion"] = cm.tolist()
    return out


@dataclass
class SplitResult:
    """A trained network and its test scores on one train/test split.

    Parameters
    ----------
    spec : NetworkSpec
        The network's design.
    model : keras.Model
        The trained network.
    scaler : Scaler
        The velocity scale fitted on the training tracks.
    metrics : dict
        :func:`score` on the test tracks.
    history : dict
        Keras training history.
    epochs : int
        Epochs run.
    seconds : float
        Training time.
    test : cellmotion.preprocess.Trajectories, optional
        The test tracks (scaled windows are rebuilt from them on demand).
    """

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

    One scalar for all dimensions keeps directions intact.

    Parameters
    ----------
    velocities : array or list of arrays
        Training velocities.
    kind : str
        ``"report"``: the report's [-1, 1] normalisation (the largest |component|; on real
        tracks that is a tracking jump, so typical steps end up near 0); ``"sd"``: the standard
        deviation of all components pooled (robust to a few jumps, gives inputs of unit spread).

    Returns
    -------
    Scaler

    Raises
    ------
    ValueError
        For an unknown kind or all-zero velocities.
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

    Parameters
    ----------
    spec : NetworkSpec
        The design.
    models : list
        One Keras model per seed (empty when the networks were trained with ``predict``).
    scaler : Scaler
        The velocity scale fitted on the training tracks.
    epochs, histories, seconds : list
        Per seed.
    proba : numpy.ndarray, optional
        The seeds' mean class probabilities of the windows given as ``predict`` to
        :func:`train_network`.
    """

    spec: NetworkSpec
    models: list
    scaler: Scaler
    epochs: list
    histories: list
    seconds: list
    proba: np.ndarray | None = None

    def predict_proba(self, X) -> np.ndarray:
        """The seeds' mean class probabilities for *unscaled* velocity windows ``X``.

        Parameters
        ----------
        X : numpy.ndarray
            Windows of velocities as recorded (the fitted scale is applied here).

        Returns
        -------
        numpy.ndarray
            ``(windows, classes)``.
        """
        if not self.models:
            raise ValueError("these networks were trained with `predict` and not kept: use "
                             "their `proba`, or train without `predict`")
        Xs = _scaled(self.scaler, X)
        return np.mean([predict_proba(m, Xs) for m in self.models], axis=0)


def _scaled(scaler: Scaler, X) -> np.ndarray:
    """Windows ``X`` in the network's scale (an empty input stays empty)."""
    return scaler.transform(X) if len(X) else np.asarray(X, np.float32)


#: Compiled networks of this process, one per design and compile settings, for
#: :func:`train_network` with ``predict`` (see :func:`_classifier`).
_COMPILED: dict = {}


def _classifier(spec: NetworkSpec, n_features: int, n_classes: int, schedule: Schedule,
                gain: float | None, seed: int, reuse: bool = False):
    """A compiled classifier with seed ``seed``'s initial weights.

    Without ``reuse``, a new network (:func:`build_classifier`). With ``reuse``, the network
    this process compiled earlier for the same design and settings, given the initial weights,
    gain and random-rotation state that a new network of this seed would have, and a
    zeroed optimizer. Tracing a network's training, validation and prediction functions costs
    2-5 s of CPU, a fifth of a cross-validated network's training on real cells; a compiled
    network trained again this way ends with the same weights as a new one
    (``tests/test_classify.py``).
    """
    keras = runtime.keras()
    keras.utils.set_random_seed(int(seed))
    kw = dict(learning_rate=schedule.learning_rate, seed=int(seed), clipnorm=schedule.clipnorm,
              steps_per_execution=schedule.steps_per_execution, input_gain=gain)
    if not reuse:
        return build_classifier(spec, n_features, n_classes, **kw)
    key = (spec, n_features, n_classes, schedule.learning_rate, schedule.clipnorm,
           schedule.steps_per_execution, gain is None)
    model = _COMPILED.get(key)
    if model is None:
        model = _COMPILED[key] = build_classifier(spec, n_features, n_classes, **kw)
        return model
    # the weights (and seed states) a new network of this seed starts from: same draws
    fresh = build_classifier(spec, n_features, n_classes, **kw, compile=False)
    if [v.shape for v in model.variables] != [v.shape for v in fresh.variables]:
        raise RuntimeError(f"the compiled network {model.name} does not match a new one")
    for dst, src in zip(model.variables, fresh.variables):
        dst.assign(src)
    opt = model.optimizer
    lr = getattr(opt, "_learning_rate", None)
    for v in opt.variables:
        if v is not lr:
            v.assign(np.zeros(v.shape, v.dtype))  # iterations and slots: as before any step
    return model


def train_network(spec: NetworkSpec, train, window: int, seeds=(0,), schedule: Schedule = FAST,
                  scaler: str = "sd", callbacks=None, per_class_history: bool = False,
                  predict=None) -> TrainedNetwork:
    """The one training path of every network in the book (Table 2, the folds, the benchmarks).

    The velocity scale (:func:`fit_scaler`, kind ``scaler``) is fitted on ``train``; training
    windows of ``window`` steps (stride ``spec.train_stride``) are cut from them; the
    early-stopping validation set holds out whole **cells** of them (:func:`fit_network` with
    ``groups = train.cells``: the pieces of a track cut at a gap stay on one side).

    Parameters
    ----------
    spec : NetworkSpec
        The design.
    train : cellmotion.preprocess.Trajectories
        The training tracks.
    window : int
        Window length in steps.
    seeds : tuple of int
        One model per seed.
    schedule : Schedule
        Training schedule.
    scaler : str
        Kind of velocity scale (:func:`fit_scaler`).
    callbacks : callable, optional
        ``callbacks(seed)`` gives extra Keras callbacks for that seed (e.g. a progress bar).
    per_class_history : bool
        Record each model's per-class training accuracy after every epoch as
        ``history["per_class"]`` (the report's Figure 6).
    predict : numpy.ndarray, optional
        Velocity windows as recorded: each seed's network predicts them right after training
        and only their mean probabilities are kept (``TrainedNetwork.proba``, no models). The
        networks are then trained in one compiled network per design and process, given new
        initial weights for each seed and fold (:func:`_classifier`): the same results without
        tracing every network again. This is how :func:`evaluate_models` trains.

    Returns
    -------
    TrainedNetwork

    Raises
    ------
    ValueError
        When the training tracks give no window.
    """
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
    Xp = None if predict is None else _scaled(scale, predict)
    probas = []
    for s in seeds:
        model = _classifier(spec, Xtr.shape[-1], k, schedule, gain, int(s), reuse=Xp is not None)
        cbs = list(callbacks(int(s))) if callbacks else []
        pc = per_class_accuracy_callback(Xtr, ytr, k) if per_class_history else None
        if pc is not None:
            cbs.append(pc)
        history, ep, secs = fit_network(model, Xtr, ytr, groups, k, schedule, int(s), cbs)
        if pc is not None:
            history["per_class"] = pc.history
        if Xp is None:
            out.models.append(model)
        else:
            probas.append(predict_proba(model, Xp))
        out.epochs.append(ep)
        out.histories.append(history)
        out.seconds.append(secs)
    if Xp is not None:
        out.proba = np.mean(probas, axis=0)
    return out


def train_and_evaluate(traj, train_idx, test_idx, spec: NetworkSpec, schedule: Schedule = FAST,
                       window: int = 30, seed: int = 0, callbacks=(), per_class_history=False,
                       scaler: str = "sd"):
    """Train ``spec`` on the training tracks (:func:`train_network`, one seed), test on the test
    tracks.

    Velocities are normalised with :func:`fit_scaler` fitted on the training tracks only; early
    stopping holds out training cells. The per-track scores count one decision per test **cell**
    (pieces of one track vote together).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        All tracks.
    train_idx, test_idx : array-like of int
        Track positions of the split.
    spec : NetworkSpec
        The design.
    schedule : Schedule
        Training schedule.
    window : int
        Window length in steps.
    seed : int
        Seed of the network.
    callbacks : sequence
        Extra Keras callbacks.
    per_class_history : bool
        Store the per-class training accuracy as ``history["per_class"]``.
    scaler : str
        ``"sd"`` (robust, the default of every network in the book) or ``"report"`` (the
        report's [-1, 1], for the report's Table 2).

    Returns
    -------
    SplitResult
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
    register_layers()  # the models come back pickled: their layers must be known here
    results = dict(zip(order, cluster.map_tasks(_split_task, args, n_jobs=n_jobs, name="network")))
    out = {v: {} for v in variants}
    for i, (v, n) in enumerate(jobs):
        out[v][n] = results[i]
    return out


def scaler_kind_needs_gain(scaler: Scaler) -> bool:
    """Whether a fitted scaler leaves inputs far from unit spread (the report's max scaler does;
    the s.d. scaler does not): only then does the fast schedule add its input gain.

    Parameters
    ----------
    scaler : Scaler
        A fitted scaler (:func:`fit_scaler`).

    Returns
    -------
    bool
    """
    return not getattr(scaler, "unit_spread", False)


def accuracy_by_window_length(result: SplitResult, lengths, balanced: bool = True) -> list:
    """Test balanced accuracy of a trained network on non-overlapping test windows of each length
    (the report's Figure 7).

    Parameters
    ----------
    result : SplitResult
        A trained network with its test tracks.
    lengths : list of int
        Window lengths in steps.
    balanced : bool
        Balanced accuracy (``False``: accuracy).

    Returns
    -------
    list of float
        One per length; NaN for a length longer than every test track.
    """
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
        accs.append(evaluation.balanced_accuracy(y, pred, k) if balanced else float(np.mean(pred == y)))
    return accs


# ----------------------------------------------------------------------------- tables, io
def table2_frame(ours: dict, condition_names, report: dict = REPORT_TABLE2, synthetic: bool = True,
                 show_report: bool = True, ours_label: str | None = None):
    """Our Table 2 (beside the report's with ``show_report``): one row per network.

    Ours: accuracy overall and per condition (recall), balanced accuracy per window and per
    track. The report's columns appear only for the conditions it had.

    Parameters
    ----------
    ours : dict
        ``{network: score}`` (:func:`score`).
    condition_names : list of str
        Condition names in label order.
    report : dict
        The report's Table 2.
    synthetic : bool
        Whether ours is on the synthetic stand-in (names the column).
    show_report : bool
        Show the report's columns (only for the report's kind of data,
        ``DatasetInfo.report_kind``).
    ours_label : str, optional
        Name of our columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``(source, column)``, indexed by network.
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
    """Write ``classification_metrics.json`` (keys in the module docstring).

    Parameters
    ----------
    obj : dict
        :func:`chapter_metrics`.
    path : path
        Where to write.

    Returns
    -------
    pathlib.Path
    """
    return write_json(path, obj)


# ============================================================================= the protocol
# Every model on the same folds, scored per window and per cell, with intervals (issue 13).

def grouped_folds(traj, window: int = 30, n_splits: int = 5, n_repeats: int = 1, seed: int = 0):
    """Repeated stratified k-fold grouped by cell: the same folds as :func:`cv_splits`
    (stratified by condition on the windows, no cell on both sides; repeat ``r`` shuffles with
    ``seed + r``).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks.
    window : int
        Window length in steps.
    n_splits : int
        Folds per repeat.
    n_repeats : int
        Repeats.
    seed : int
        Seed of the first repeat.

    Returns
    -------
    list of tuple
        ``(train_idx, test_idx)`` over tracks.
    """
    return cv_splits(traj, window, n_splits=n_splits, n_repeats=n_repeats, seed=seed)


def replicate_folds(traj):
    """Leave one replicate (donor, movie) out: one fold per replicate, in sorted replicate order.

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        Tracks with ``replicates``.

    Returns
    -------
    list of tuple
        ``(train_idx, test_idx)`` over tracks.

    Raises
    ------
    ValueError
        For data without replicates, or with only one.
    """
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

    Parameters
    ----------
    name : str
        Its name in :data:`MODELS`.
    kind : str
        ``"network"`` (a :class:`NetworkSpec`, trained once per seed with the fast schedule; the
        seeds' probabilities are averaged: a seed ensemble), ``"forest"``
        (:class:`cellmotion.peers.MotilityForest`), ``"minirocket"``
        (:class:`cellmotion.peers.MiniRocketClassifier` on ``channels``, with ``pooling``) or
        ``"ensemble"`` (the mean of the window probabilities of ``members``).
    network : NetworkSpec, optional
        The design of a network.
    channels : str
        What MiniRocket convolves.
    members : tuple of str
        An ensemble's models.
    scaler : str
        How network inputs are scaled (:func:`fit_scaler`).
    description : str
        What it is, in words (default: from its design).
    pooling : str
        MiniRocket's pooling (``"ppv"``; ``"multi"``: MultiRocket).
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
        """What the model is, in words.

        Returns
        -------
        str
        """
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
    Candidate("forest", "forest", description=f"random forest on {len(peers.MOTILITY_FEATURES)} "
                                                f"celltrackR-style motility measures per window"),
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
    bars = (lambda s: [epoch_bar(schedule.max_epochs, f"{progress}, seed {s}")]) if progress else None
    net = train_network(cand.network, traj.subset(train_idx), window, seeds, schedule, cand.scaler,
                        callbacks=bars, predict=Xte)
    return net.proba, net.epochs


def _peer(cand: Candidate, dt: float, seed: int):
    if cand.kind == "forest":
        return peers.MotilityForest(dt=dt, random_state=seed, n_jobs=1)
    if cand.kind == "minirocket":
        return peers.MiniRocketClassifier(cand.channels, dt=dt, random_state=seed, pooling=cand.pooling)
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

    Parameters
    ----------
    name : str
        A model of :data:`MODELS`.
    inputs : str
        ``"invariant"`` or ``"as-is"``.

    Returns
    -------
    Candidate

    Raises
    ------
    ValueError
        For unknown ``inputs``.
    KeyError
        For an unknown model.
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
    """The protocol the folds follow.

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks.
    folds : list of tuple
        ``(train_idx, test_idx)`` over tracks.

    Returns
    -------
    str
        ``"replicate"`` when every fold tests exactly one replicate that its training set lacks
        (leave-one-replicate-out), else ``"kfold"``.
    """
    if traj.replicates is None:
        return "kfold"
    reps = np.asarray(traj.replicates).astype(str)
    for tr, te in folds:
        test_reps = set(reps[te])
        if len(test_reps) != 1 or test_reps & set(reps[tr]):
            return "kfold"
    return "replicate"


def interval(values, protocol: str, n_train, n_test, bounds=None) -> Score:
    """Mean over folds with its 95 % interval: the Nadeau-Bengio corrected t
    (:func:`cellmotion.evaluation.corrected_paired_t`) for every protocol.

    The correction is needed for k-fold *and* for leaving one replicate out in turn: in both,
    the folds' training sets overlap (with four donors, by two thirds), so the fold scores are
    correlated; with one number per fold the real ratio of each donor fold enters. Non-finite
    values (folds without a score) are left out.

    Parameters
    ----------
    values : array-like of float
        One value per fold (a score, or a paired difference of scores).
    protocol : str
        Recorded by the caller; it does not change the interval.
    n_train, n_test : float or array-like of float
        Cells in each fold's training and test sets (one number each, or one per fold).
    bounds : tuple of float, optional
        Clip the interval to these (e.g. ``(0, 1)`` for a score).

    Returns
    -------
    Score
        ``mean``, ``lower``, ``upper`` and ``p``; without an interval (one fold, too few folds,
        zero spread) the bounds and ``p`` are NaN and ``reason`` says why. No ``folds``.
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
        return Score(m, nan, nan, nan, reason=f"{len(v)} fold(s) with a score: no interval")
    iv = evaluation.corrected_paired_t(v, np.maximum(n_train, 1), np.maximum(n_test, 1))
    lo, hi = iv.lower, iv.upper
    if bounds is not None and np.isfinite(lo):
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return Score(iv.mean, lo, hi, iv.p, reason=iv.reason or "")


def holm_adjust(paired: dict) -> dict:
    """Set ``p_holm`` on every comparison of ``paired``.

    The family is every distinct pair of models of one table (one protocol): Holm's
    adjustment (:func:`cellmotion.evaluation.holm`) over their p values, the same adjusted p
    stored for ``a - b`` and ``b - a``.

    Parameters
    ----------
    paired : dict
        ``{a: {b: Score}}``, ``a - b``.

    Returns
    -------
    dict
        ``paired`` (changed in place).
    """
    pairs = []
    for a in paired:
        for b in paired[a]:
            if (b, a) not in pairs:
                pairs.append((a, b))
    adj = evaluation.holm([paired[a][b].p for a, b in pairs])
    for (a, b), q in zip(pairs, adj):
        paired[a][b].p_holm = float(q)
        if a in paired.get(b, {}):
            paired[b][a].p_holm = float(q)
    return paired


# ----------------------------------------------------------------------------- the three steps
# evaluate_models = fit_fold on every fold (here, in worker processes or as Dask tasks),
# then score_folds, then summarise.

@dataclass
class TrackWindows:
    """The non-overlapping windows of every track and what scoring needs to know of them.

    Parameters
    ----------
    X : numpy.ndarray
        Windows, ``(windows, steps, dims)``, unscaled velocities.
    y : numpy.ndarray
        Label of each window.
    owner : numpy.ndarray
        Track (position in the tracks) of each window.
    cell : numpy.ndarray
        Cell code of each track (pieces of one track cut at gaps share it).
    cell_names, cell_replicates : numpy.ndarray
        Name and replicate (``""`` without replicates) of each cell code.
    conditions : list of str
        Condition names in label order.
    """

    X: np.ndarray
    y: np.ndarray
    owner: np.ndarray
    cell: np.ndarray
    cell_names: np.ndarray
    cell_replicates: np.ndarray
    conditions: list


def track_windows(traj, window: int) -> TrackWindows:
    """Cut the tracks into non-overlapping windows of ``window`` steps (the test windows).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks.
    window : int
        Window length in steps.

    Returns
    -------
    TrackWindows
    """
    X, y, owner = make_windows(traj.velocities, traj.labels, window)
    cell_names = np.asarray(traj.cells).astype(str)
    cell = pd.factorize(cell_names)[0]
    reps = (np.asarray(traj.replicates).astype(str) if traj.replicates is not None
            else np.full(len(traj), ""))
    _, first_of = np.unique(cell, return_index=True)  # codes are 0..n-1 in order of appearance
    return TrackWindows(X, y, owner, cell, cell_names[first_of], reps[first_of],
                        list(traj.condition_names))


@dataclass
class FoldFit:
    """What training every model of one fold gives (:func:`fit_fold`).

    Parameters
    ----------
    proba : dict
        ``{name: (test windows, conditions) array}`` of out-of-fold probabilities.
    seconds : dict
        ``{name: seconds}`` of training and prediction.
    epochs : dict
        ``{name: [epochs per seed]}`` (networks only).
    """

    proba: dict
    seconds: dict
    epochs: dict


def fit_fold(traj, X, y, owner, train_idx, test_idx, candidates, window, seeds, schedule,
             bar_prefix=None) -> FoldFit:
    """Train every model of one fold; out-of-fold probabilities of its test windows.

    Step 1 of :func:`evaluate_models`, the one that runs in a worker process or as a Dask task
    when folds are trained in parallel (:func:`cellmotion.cluster.map_tasks`). Networks are
    trained once per seed (:func:`train_network`) and their probabilities averaged; peers use
    the first seed, and any inner split they make (calibration) keeps cells whole.

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        All tracks.
    X, y, owner : numpy.ndarray
        Windows of ``traj``, their labels and tracks (:func:`track_windows`).
    train_idx, test_idx : numpy.ndarray
        Track positions of the fold.
    candidates : dict
        ``{name: Candidate}``, no ensembles (their members are trained instead).
    window : int
        Window length in steps.
    seeds : tuple of int
        Seeds of the networks.
    schedule : Schedule
        Training schedule of the networks.
    bar_prefix : str, optional
        Label of an epoch bar per network (one process only).

    Returns
    -------
    FoldFit
    """
    k = len(traj.condition_names)
    mtr, mte = np.isin(owner, train_idx), np.isin(owner, test_idx)
    proba, seconds, epochs = {}, {}, {}
    for name, cand in candidates.items():
        t0 = time.perf_counter()
        if cand.kind == "network":
            bar = f"{name}, {bar_prefix}" if bar_prefix else None
            proba[name], epochs[name] = _network_proba(cand, traj, train_idx, X[mte], window, seeds,
                                                       schedule, bar)
        else:
            est = _peer(cand, traj.dt, int(seeds[0]))
            fit_kw = ({"groups": np.asarray(traj.cells).astype(str)[owner[mtr]]}
                      if "groups" in inspect.signature(est.fit).parameters else {})
            est.fit(X[mtr], y[mtr], **fit_kw)  # any inner split (calibration) keeps cells whole
            p = np.zeros((int(mte.sum()), k))
            p[:, est.classes_] = est.predict_proba(X[mte])
            proba[name] = p
        seconds[name] = time.perf_counter() - t0
    return FoldFit(proba, seconds, epochs)


def _fit_every_fold(traj, data: TrackWindows, folds, candidates, window, seeds, schedule,
                    n_jobs: int = 1, progress: bool = False) -> list:
    """:func:`fit_fold` on every fold: here one after another, or one task per fold in worker
    processes or on a Dask cluster when one is configured."""
    on_cluster = cluster.active_client() is not None
    if n_jobs == 1 and not on_cluster:
        return [fit_fold(traj, data.X, data.y, data.owner, tr, te, candidates, window, seeds, schedule,
                         bar_prefix=f"fold {f + 1}/{len(folds)}" if progress else None)
                for f, (tr, te) in enumerate(folds)]
    results = cluster.map_tasks(fit_fold, [(traj, data.X, data.y, data.owner, tr, te, candidates,
                                            window, seeds, schedule) for tr, te in folds],
                                n_jobs=n_jobs, name="cv-fold")
    where = "on the cluster" if on_cluster else f"{n_jobs} at once"
    return list(console_progress(results, total=len(folds), desc=f"folds ({where})",
                                 disable=not progress))  # every fold done before scoring


@dataclass
class FoldScores:
    """Every model's scores on every fold (:func:`score_folds`), before any interval.

    Parameters
    ----------
    conditions : list of str
        Condition names in label order.
    folds : dict
        ``{name: [fold scores]}``, each :func:`cellmotion.evaluation.score_predictions`
        (``{"window": ..., "track": ...}``).
    track_proba, track_y : dict
        ``{name: [array per fold]}``: per-track probabilities and true labels (for the pooled
        reliability).
    cell_proba : dict
        ``{name: rows}``: per-track probabilities of every scored cell (5 decimals).
    cells : ScoredCells
        Every scored test cell, row by row.
    n_train, n_test : list of int
        Cells in each fold's training and test sets.
    seconds : dict
        ``{name: seconds}`` summed over folds (trained models only).
    epochs : dict
        ``{name: [epochs]}`` over folds and seeds (trained models only).
    """

    conditions: list
    folds: dict
    track_proba: dict
    track_y: dict
    cell_proba: dict
    cells: ScoredCells
    n_train: list
    n_test: list
    seconds: dict
    epochs: dict


def score_folds(data: TrackWindows, folds, fits, models) -> FoldScores:
    """Score every model on every fold from the out-of-fold probabilities.

    Step 2 of :func:`evaluate_models`. An ensemble's window probabilities are the mean of its
    members'; a *track* score averages the window probabilities of each test cell (pieces of
    one track vote together) and scores one decision per cell.

    Parameters
    ----------
    data : TrackWindows
        The windows the folds were trained and tested on.
    folds : list of tuple
        ``(train_idx, test_idx)`` over tracks, in the order of ``fits``.
    fits : list of FoldFit
        :func:`fit_fold` of every fold.
    models : list of str
        Names of :data:`MODELS` to score (ensembles included).

    Returns
    -------
    FoldScores
    """
    names = data.conditions
    out = FoldScores(names, {m: [] for m in models}, {m: [] for m in models}, {m: [] for m in models},
                     {m: [] for m in models}, ScoredCells(), [], [], {}, {})
    for f, ((tr, te), fit) in enumerate(zip(folds, fits)):
        mte = np.isin(data.owner, te)
        test_cells = data.cell[data.owner[mte]]
        out.n_train.append(len(np.unique(data.cell[tr])))
        out.n_test.append(len(np.unique(test_cells)))
        for name in fit.seconds:
            out.seconds[name] = out.seconds.get(name, 0.0) + fit.seconds[name]
            out.epochs.setdefault(name, []).extend(fit.epochs.get(name, []))
        first = None
        for name in models:
            cand = MODELS[name]
            p = (np.mean([fit.proba[m] for m in cand.members], axis=0) if cand.kind == "ensemble"
                 else fit.proba[name])
            out.folds[name].append(evaluation.score_predictions(p, data.y[mte], test_cells, names))
            tp = evaluation.per_track_predictions(p, test_cells, data.y[mte])
            out.track_proba[name].append(tp.proba)
            out.track_y[name].append(tp.y)
            out.cell_proba[name].extend(np.round(tp.proba, 5).tolist())
            first = first or tp
        out.cells.cell.extend(data.cell_names[first.tracks].tolist())
        out.cells.y.extend(first.y.tolist())
        out.cells.fold.extend([f] * len(first.tracks))
        out.cells.replicate.extend(data.cell_replicates[first.tracks].tolist())
    return out


def summarise(scores: FoldScores, models, candidates, protocol: str, seeds, window: int,
              inputs: str, report=None) -> Evaluation:
    """Intervals, paired differences and pooled reliability from the per-fold scores.

    Step 3 of :func:`evaluate_models`. Every score gets its Nadeau-Bengio corrected interval
    with each fold's own numbers of training and test cells (:func:`interval`, clipped to
    [0, 1]); every pair of models gets the interval of its per-fold difference, per track and
    per window, with ``p_holm`` adjusted by Holm over all pairs (:func:`holm_adjust`); the
    reliability curve pools the per-track probabilities of all folds.

    Parameters
    ----------
    scores : FoldScores
        :func:`score_folds`.
    models : list of str
        The models, in the order of the result.
    candidates : dict
        ``{name: Candidate}`` as trained (:func:`input_candidate`), for their descriptions.
    protocol : str
        ``"kfold"`` or ``"replicate"``.
    seeds : tuple of int
        Seeds of the networks.
    window : int
        Window length in steps.
    inputs : str
        ``"invariant"`` or ``"as-is"``.
    report : callable, optional
        Gets one line per model.

    Returns
    -------
    Evaluation
    """
    names = scores.conditions
    ntr, nte = np.asarray(scores.n_train, float), np.asarray(scores.n_test, float)
    seconds = {m: float(scores.seconds.get(m, 0.0) if MODELS[m].kind != "ensemble" else
                        sum(scores.seconds[x] for x in MODELS[m].members)) for m in models}
    result = Evaluation(conditions=names, protocol=protocol, n_folds=len(scores.n_train),
                        seeds=[int(s) for s in seeds], window=int(window), inputs=inputs,
                        cells=scores.cells,
                        cells_per_fold=CellsPerFold(float(ntr.mean()), float(nte.mean()),
                                                    ntr.tolist(), nte.tolist()),
                        seconds=seconds)
    bacc, wbacc = {}, {}
    for name in models:
        fs = scores.folds[name]
        track = [s["track"] for s in fs]
        bacc[name] = np.array([t["balanced_accuracy"] for t in track])
        wbacc[name] = np.array([s["window"]["balanced_accuracy"] for s in fs])
        f1 = [t["macro_f1"] for t in track]
        rel = evaluation.reliability_curve(np.concatenate(scores.track_proba[name]),
                                           np.concatenate(scores.track_y[name]))
        desc = (MODELS[name].describe() if MODELS[name].kind == "ensemble"
                else candidates[name].describe())
        result.models[name] = ModelScores(
            per_track_bacc=replace(interval(bacc[name], protocol, ntr, nte, (0, 1)),
                                   folds=bacc[name].tolist()),
            per_window_bacc=replace(interval(wbacc[name], protocol, ntr, nte, (0, 1)),
                                    folds=wbacc[name].tolist()),
            macro_f1=replace(interval(f1, protocol, ntr, nte, (0, 1)), folds=f1),
            recall={c: float(np.nanmean([t["recall"][c] for t in track])) for c in names},
            confusion=np.sum([t["confusion"] for t in track], axis=0).tolist(),
            brier=float(np.nanmean([t["brier"] for t in track])),
            brier_window=float(np.nanmean([s["window"]["brier"] for s in fs])),
            ece=rel["ece"],
            reliability={key: np.asarray(v).tolist() for key, v in rel.items() if key != "ece"},
            description=desc, epochs=scores.epochs.get(name, []),
            cell_proba=scores.cell_proba[name])
        if report:
            s = result.models[name].per_track_bacc
            report(f"{name:>24}: per-track balanced accuracy {s.mean:.3f} "
                   f"[{s.lower:.3f}, {s.upper:.3f}] over {result.n_folds} folds "
                   f"({seconds[name]:.0f} s)")
    for a in models:
        result.paired[a] = {b: interval(bacc[a] - bacc[b], protocol, ntr, nte)
                            for b in models if b != a}
        result.paired_window[a] = {b: interval(wbacc[a] - wbacc[b], protocol, ntr, nte)
                                   for b in models if b != a}
    holm_adjust(result.paired)
    holm_adjust(result.paired_window)
    return result


def evaluate_models(traj, folds, models, window: int = 30, seeds=(0, 1), max_epochs=None,
                    report=print, schedule: Schedule = FAST, protocol: str = "auto",
                    progress: bool = False, n_jobs: int = 1, inputs: str = "invariant") -> Evaluation:
    """Score every model in ``models`` (names of :data:`MODELS`) on the same ``folds``.

    :func:`fit_fold` on every fold, then :func:`score_folds`, then :func:`summarise`. Test
    windows are the non-overlapping windows of each fold's test tracks; a *track* score
    averages the window probabilities of each test **cell** (pieces of one track cut at gaps
    vote together) and scores one decision per cell. Networks are trained once per seed in
    ``seeds`` and their probabilities averaged (a seed ensemble; :func:`train_network`, the
    one training path); peers use the first seed. Network inputs are scaled by the s.d. of
    the training velocities (:func:`fit_scaler`); early stopping uses a validation set of
    training cells only. Folds without a test or a training window are left out (``n_folds``
    counts the folds scored).

    The result is an :class:`~cellmotion.results.Evaluation`; its
    :meth:`~cellmotion.results.Evaluation.to_dict` (the layout of the metrics files) is::

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
    enough to score any subset of cells again (:func:`new_donor_cost`).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks.
    folds : list of tuple
        ``(train_idx, test_idx)`` over tracks (:func:`grouped_folds`, :func:`replicate_folds`).
    models : list of str
        Names of :data:`MODELS`; an ensemble's members are trained once each.
    window : int
        Window length in steps.
    seeds : tuple of int
        Seeds of the networks (probabilities averaged); peers use the first.
    max_epochs : int, optional
        Overrides the schedule's epoch limit.
    report : callable, optional
        Gets a line per model (``None``: silence).
    schedule : Schedule
        Training schedule of the networks.
    protocol : str
        ``"kfold"``, ``"replicate"`` (one replicate held out per fold) or ``"auto"``
        (:func:`fold_protocol`); both get Nadeau-Bengio corrected t intervals with each fold's
        own numbers of training and test cells (:func:`interval`). Paired differences carry a
        p value and ``p_holm``, adjusted by Holm over all pairs of models of this result.
    progress : bool
        A bar per network and epoch (one process) or per fold (workers).
    n_jobs : int
        Folds trained at once in worker processes (joblib): small recurrent networks keep
        about one core busy, so two folds on two cores take little more than one. With a Dask
        cluster configured (:mod:`cellmotion.cluster`) every fold is a task on the cluster
        instead. Every training is seeded the same way as in one process.
    inputs : str
        :data:`INPUTS`: ``"invariant"`` (default) scores every model on rotation-invariant
        inputs (:func:`input_candidate`), ``"as-is"`` on its own.

    Returns
    -------
    Evaluation
        Every model's scores, the paired differences and the scored cells.
    """
    models = list(models)
    if protocol == "auto":
        protocol = fold_protocol(traj, folds)
    if max_epochs is not None:
        schedule = replace(schedule, max_epochs=int(max_epochs))
    data = track_windows(traj, window)
    # a fold whose test (or training) tracks give no window cannot be scored: left out
    folds = [(tr, te) for tr, te in folds
             if np.isin(data.owner, te).any() and np.isin(data.owner, tr).any()]
    if len(folds) < 2:
        raise ValueError(f"fewer than two folds have windows of {window} steps on both sides")
    candidates = {m: input_candidate(m, inputs) for m in _members(models)}
    fits = _fit_every_fold(traj, data, folds, candidates, window, tuple(seeds), schedule, n_jobs,
                           progress)
    return summarise(score_folds(data, folds, fits, models), models, candidates, protocol, seeds,
                     window, inputs, report)


def score_cells(result: Evaluation, model: str, keep=None, metric: str = "balanced_accuracy") -> float:
    """Per-track score of ``model`` on some of the cells of ``result``, from the stored
    out-of-fold probabilities; a cell tested more than once (repeated folds) has its
    probabilities averaged first.

    Parameters
    ----------
    result : Evaluation
        :func:`evaluate_models`.
    model : str
        A model of ``result``.
    keep : array-like of bool, optional
        Which rows of ``result.cells`` to score (all by default).
    metric : str
        ``"balanced_accuracy"`` or ``"brier"``.

    Returns
    -------
    float
        NaN when ``keep`` selects no cell.
    """
    cells = result.cells
    proba = np.asarray(result.models[model].cell_proba, float)
    ids = np.asarray(cells.cell).astype(str)
    y = np.asarray(cells.y, int)
    keep = np.ones(len(ids), bool) if keep is None else np.asarray(keep, bool)
    if not keep.any():
        return float("nan")
    tp = evaluation.per_track_predictions(proba[keep], ids[keep], y[keep])
    k = len(result.conditions)
    if metric == "balanced_accuracy":
        return evaluation.balanced_accuracy(tp.y, tp.pred, k)
    if metric == "brier":
        return evaluation.brier_score(tp.proba, tp.y)
    raise ValueError(f"unknown metric '{metric}'")


def new_donor_cost(grouped: Evaluation, donor: Evaluation, models=None) -> dict:
    """What a new donor costs each model, from one paired computation per donor.

    For every donor ``r`` (every fold of ``donor``) and model: the per-track balanced accuracy
    of ``r``'s cells when other cells of ``r`` were in training (their out-of-fold predictions
    in ``grouped``, folds grouped by cell) minus the same cells' score when ``r`` was held out
    (``donor``). The differences over donors are paired (same cells, same model) and their
    mean gets the Nadeau-Bengio corrected t interval of the donor folds (their own numbers of
    training and test cells; :func:`interval`); ``p_holm`` adjusts the p values over the
    models (Holm). Positive = a new donor costs.

    Parameters
    ----------
    grouped : Evaluation
        :func:`evaluate_models` with folds grouped by cell.
    donor : Evaluation
        :func:`evaluate_models` leaving one replicate (donor) out in turn.
    models : list of str, optional
        Models to compare (default: those in both results).

    Returns
    -------
    dict
        ``{model: DonorCost}`` (``donors``: ``{r: {"grouped", "donor", "cells"}}``).
    """
    gc, dc = grouped.cells, donor.cells
    g_rep, d_rep = np.asarray(gc.replicate).astype(str), np.asarray(dc.replicate).astype(str)
    g_ids, d_ids = np.asarray(gc.cell).astype(str), np.asarray(dc.cell).astype(str)
    donors = list(dict.fromkeys(d_rep))
    cpf = donor.cells_per_fold
    n_train = np.asarray(cpf.train_folds if cpf.train_folds is not None else [cpf.train], float)
    n_test = np.asarray(cpf.test_folds if cpf.test_folds is not None else [cpf.test], float)
    out = {}
    for name in models or [m for m in donor.models if m in grouped.models]:
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
        out[name] = DonorCost(iv.mean, iv.lower, iv.upper, iv.p, reason=iv.reason, donors=per)
    for name, q in zip(out, evaluation.holm([c.p for c in out.values()])):
        out[name].p_holm = float(q)
    return out


def evaluate_variants(tracks: dict, folds, models, done=None, **kwargs) -> dict:
    """The same ``models`` on the same ``folds`` of several versions of a dataset.

    Every version must hold the same tracks in the same order (only their steps differ), so
    the folds mean the same cells. A model is trained only once per version of the tracks and
    per input it actually reads: where :func:`input_candidate` gives the same candidate under
    two ``inputs`` (the motility forest reads the same features under both), the scores of the
    variant that computed it are reused (paired differences cover the models trained for that
    variant only).

    Parameters
    ----------
    tracks : dict
        ``{(version, inputs): Trajectories}``, e.g. ``("kept", "as-is")``: the tracks as
        recorded, every model on its own inputs; ``inputs`` goes to :func:`evaluate_models`.
    folds : list of tuple
        ``(train_idx, test_idx)`` over tracks, the same for every version.
    models : list of str
        Names of :data:`MODELS`.
    done : dict, optional
        Results already computed, ``{(version, inputs): Evaluation}``.
    **kwargs
        Passed to :func:`evaluate_models`.

    Returns
    -------
    dict
        ``{(version, inputs): Evaluation}`` including ``done``.
    """
    out = dict(done or {})
    for key, traj in tracks.items():
        if key in out:
            continue
        version, inputs = key
        reuse = {}
        for m in models:
            for (v2, i2), res in out.items():
                if (v2 == version and m in res.models
                        and input_candidate(m, i2) == input_candidate(m, inputs)):
                    reuse[m] = res
                    break
        todo = [m for m in models if m not in reuse]
        if todo:
            res = evaluate_models(traj, folds, todo, inputs=inputs, **kwargs)
        else:
            res = replace(next(iter(reuse.values())), paired={}, paired_window={})
        found = {**res.models, **{m: src.models[m] for m, src in reuse.items()}}
        out[key] = replace(res, inputs=inputs, models={m: found[m] for m in models})
    return out


def evaluation_frame(result: Evaluation, metric: str = "per_track_bacc", digits: int = 3) -> pd.DataFrame:
    """One row per model: per-track and per-window balanced accuracy and macro-F1 with their
    95 % intervals, recall per condition, Brier score and seconds.

    Parameters
    ----------
    result : Evaluation
        :func:`evaluate_models`.
    metric : str
        Unused; the rows are sorted by balanced accuracy per track.
    digits : int
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        Indexed by model, best first.
    """
    f = f"{{:.{digits}f}}"
    rows = {}
    for name, m in result.models.items():
        row = {}
        for s, label in ((m.per_track_bacc, "balanced accuracy per track"),
                         (m.per_window_bacc, "balanced accuracy per window"),
                         (m.macro_f1, "macro-F1 per track")):
            row[label] = f"{f.format(s.mean)} [{f.format(s.lower)}, {f.format(s.upper)}]"
        for c, r in m.recall.items():
            row[f"recall {c}"] = round(r, digits)
        row["Brier per track"] = round(m.brier, digits)
        row["seconds"] = round(result.seconds[name])
        rows[name] = row
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "model"
    return df.sort_values("balanced accuracy per track", ascending=False)


#: Column headers of :func:`paired_frame` for the two p values of a paired difference.
PAIRED_P_UNADJUSTED, PAIRED_P_HOLM = "p (unadjusted)", "p (Holm)"


def paired_frame(result: Evaluation, of: str, digits: int = 3) -> pd.DataFrame:
    """Paired per-fold differences ``of - other`` of balanced accuracy per track and per
    window, with 95 % intervals, unadjusted p values and Holm-adjusted p values.

    The Holm-adjusted p is the one a claim rests on (:func:`holm_adjust`: over every pair of
    models of the result, per track and per window separately), so the table shows it beside
    the unadjusted one under its own header, and the sentences below the table (which quote
    the adjusted p) and the table say the same.

    Parameters
    ----------
    result : Evaluation
        :func:`evaluate_models`.
    of : str
        The model every other is subtracted from.
    digits : int
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        One row per other model, columns ``(per, difference | 95 % interval |
        p (unadjusted) | p (Holm))``; the interval reads "no interval" where there is none
        (too few folds, no spread), and ``p (Holm)`` is NaN where no adjusted p is stored.
    """
    f = f"{{:+.{digits}f}}"
    rows = {}
    for table, what in ((result.paired, "per track"), (result.paired_window, "per window")):
        for b, d in table.get(of, {}).items():
            q = d.p_holm if d.p_holm is not None else float("nan")
            rows.setdefault(b, {}).update({
                (what, "difference"): f.format(d.mean),
                (what, "95 % interval"): (f"[{f.format(d.lower)}, {f.format(d.upper)}]"
                                          if d.has_interval else "no interval"),
                (what, PAIRED_P_UNADJUSTED): round(d.p, 3),
                (what, PAIRED_P_HOLM): round(q, 3)})
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.columns = pd.MultiIndex.from_tuples(df.columns)
    df.index.name = f"{of} minus"
    return df


def compare_evaluations(a: Evaluation, b: Evaluation, models=None, alpha: float = 0.05) -> list:
    """The same models on the same folds of two versions of a dataset: ``a`` minus ``b``.

    Per model and score (balanced accuracy per track and per window): both means and the
    paired per-fold difference with its 95 % interval (:func:`interval`) and p value. The rows
    of one call are one table, so their p values are adjusted together by Holm's method
    (:func:`cellmotion.evaluation.holm`), one family per score (every model's per-track rows,
    every model's per-window rows), as :func:`holm_adjust` does for the pairs of models of a
    result. ``claim`` says what may be said of a row: the interval exists and excludes 0 *and*
    the adjusted p is below ``alpha``.

    Parameters
    ----------
    a, b : Evaluation
        :func:`evaluate_models` with the same folds (e.g. the synthetic stand-in with its own
        tracking-noise models, and the same cells with one noise model for every condition).
    models : list of str, optional
        Models to compare (default: those in both).
    alpha : float
        Level of the adjusted p for ``claim``.

    Returns
    -------
    list of dict
        Rows ``{model, per, a, b, diff, lower, upper, p, p_holm, claim, reason}``: ``p`` is the
        unadjusted p of ``diff``, ``p_holm`` the Holm-adjusted one (NaN without an interval),
        ``claim`` +1 where ``a`` is higher, -1 where ``b`` is higher, 0 where nothing can be
        claimed (no interval, an interval containing 0, or ``p_holm`` not below ``alpha``).

    Raises
    ------
    ValueError
        When the results have different numbers of folds.
    """
    if a.n_folds != b.n_folds:
        raise ValueError(f"the results have different folds ({a.n_folds} vs {b.n_folds})")
    ntr, nte = a.cells_per_fold.n_train, a.cells_per_fold.n_test
    rows = []
    for name in models or [m for m in a.models if m in b.models]:
        for per, key in (("track", "per_track_bacc"), ("window", "per_window_bacc")):
            fa = np.asarray(getattr(a.models[name], key).folds, float)
            fb = np.asarray(getattr(b.models[name], key).folds, float)
            d = interval(fa - fb, a.protocol, ntr, nte)
            rows.append({"model": name, "per": per, "a": float(np.nanmean(fa)), "b": float(np.nanmean(fb)),
                         "diff": d.mean, "lower": d.lower, "upper": d.upper, "p": d.p,
                         "reason": d.reason})
    for per in ("track", "window"):
        family = [r for r in rows if r["per"] == per]
        for r, q in zip(family, evaluation.holm([r["p"] for r in family])):
            r["p_holm"] = float(q)
    for r in rows:
        ok = (np.isfinite(r["lower"]) and np.isfinite(r["upper"]) and r["lower"] < r["upper"]
              and np.isfinite(r["p_holm"]) and r["p_holm"] < alpha)
        r["claim"] = 0 if not ok else 1 if r["lower"] > 0 else -1 if r["upper"] < 0 else 0
    return rows


def chapter_metrics(*, dataset, synthetic, profile, seed, conditions, window, schedule, table2,
                    report_kind, window_lengths, acc_by_length, evaluation, cv_folds, cv_repeats,
                    wall, noise_ablation=None) -> dict:
    """The content of ``classification_metrics.json`` (keys in the module docstring).

    Parameters
    ----------
    dataset : str
        The build's dataset.
    synthetic : bool
        Whether it is synthetic.
    profile : str
        The build profile.
    seed : int
        The chapter's seed.
    conditions : list of str
        Condition names in label order.
    window : int
        Window length in steps.
    schedule : Schedule
        Training schedule of Table 2.
    table2 : dict
        ``{setting: {network: scores}}`` on the 80/20 split, the first setting the report's.
    report_kind : bool
        Whether the data is the report's kind (then the report's Table 2 is stored).
    window_lengths : list of int
        Test-window lengths of Figure 7.
    acc_by_length : dict
        ``{network: [balanced accuracy per length]}``.
    evaluation : dict
        ``{protocol: Evaluation}`` (:func:`evaluate_models`), the primary protocol first.
    cv_folds, cv_repeats : int
        Folds and repeats of the grouped folds.
    wall : dict
        ``{step: seconds}``.
    noise_ablation : dict, optional
        ``{"shared_noise", "rows"}`` (synthetic stand-in only).

    Returns
    -------
    dict
        Plain JSON values (each evaluation as :meth:`~cellmotion.results.Evaluation.to_dict`).
    """
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
        "evaluation": {key: result.to_dict() for key, result in evaluation.items()},
        "folds": {"n_splits": cv_folds, "n_repeats": cv_repeats},
        "forest_features": peers.MOTILITY_FEATURES,
        "ours": {"description": OURS.describe(), "spec": OURS},
        "per_trajectory": {n: m["per_track_balanced"] for n, m in table2[first].items()},
        "noise_ablation": noise_ablation,
        "wall_time_s": wall,
    }

"""Generating new trajectories with an LSTM mixture density network, one network per condition.

Rieke (2016, section 5) trained, per condition, one LSTM layer (10 units) with a mixture
density output (M = 10 Gaussians; :mod:`cellmotion.models.mdn`) on the velocities of whole tracks
and generated new tracks step by step after a seed of 20 real steps. This module keeps the
architecture and changes how it is trained, sampled and judged:

* training is teacher-forced on whole tracks, many tracks per batch (inputs ``v_0..v_{T-2}``,
  targets ``v_1..v_{T-1}``, padding masked out), with early stopping on a validation split
  of the training tracks -- instead of one stateful time step per batch;
* conditions whose z never changes (``Trajectories.flat_z``) are trained on x and y only
  (d = 2) and their generated tracks get z = 0;
* generation steps thousands of tracks at once through a numpy copy of the trained cell
  (:class:`cellmotion.models.mdn.SteppedLSTM`), with the fixed sampler or the report's sampler;
* seeds are drawn without replacement (:func:`pick_seeds`): every training cell seeds equally;
* the models are measured: held-out negative log-likelihood per step against baselines that
  can win (one persistent random walk shared by all cells, AR(1); independent Gaussian
  velocities; optionally the superstatistical evidence), every difference with a bootstrap
  interval over held-out cells (:func:`heldout_nll_table`), and distances between original
  and generated motility measures.

``generation_metrics.json`` (written by the chapter with :func:`write_metrics`) has the keys

``dataset, profile, seed, synthetic``
    what was run.
``nll_units``
    the unit of every NLL: nats per velocity step, velocity in the dataset's units (µm/min,
    or px/frame for uncalibrated data, so models with different normalisations compare;
    lower is better).
``heldout_nll``
    list of rows ``{condition, n_test_tracks, lstm_mdn, ar1, gaussian_iid[, superstatistical]
    [, true_parameters]}`` -- NLL per predicted step (steps 2..T of every held-out track);
    ``ar1`` is one persistent random walk shared by all cells, ``superstatistical`` minus
    bayesloop's log-evidence per step, ``true_parameters`` the simulator's own likelihood with
    each cell's true parameters (the ceiling; default synthetic dataset only,
    :mod:`cellmotion.synthetic.oracle`) (:func:`nll_wide_rows`).
``heldout_nll_table``
    the long table of :func:`heldout_nll_table`: ``{condition, model, label, n_tracks, n_steps,
    nll, diff_vs_mdn, lower, upper}`` (MDN minus model, 95 % bootstrap interval over held-out
    cells); ``n_boot`` resamples; ``superstat_baseline`` its grid, tracks fitted and wall time.
``gap_closed``
    per condition, on the synthetic stand-in: the share of the gap between the shared AR(1)
    and the ceiling that the LSTM-MDN closes, with a 95 % bootstrap interval over held-out
    cells (:func:`gap_closed`).
``superstat_baseline``
    the grid of the superstatistical baseline (derived from the training tracks,
    :func:`cellmotion.superstats.speed_range_for`), its edge check and how often it was widened.
``seeds``
    per condition: generated tracks, distinct seeding cells, training cells, most seeds from
    one cell (seeds are drawn without replacement, :func:`pick_seeds`).
``distances``
    list of rows ``{condition, sampler, measure, unit, wasserstein, ks, n_real, n_generated}``
    comparing with the **held-out** tracks, which no network saw: ``sampler`` ``fixed`` or
    ``original`` (generated tracks, as many as the reference has) or ``training-real`` (a
    seeded subset of training tracks with as many tracks: the distance two real samples
    already have) and
    ``measure`` in ``step_speed`` (µm/min), ``turning_angle`` (degrees), ``log10_msd_lag``
    (log10 µm², MSD of each track at lag :data:`MSD_LAG` steps) and ``extent`` (µm).
``drift``
    list of rows ``{condition, source, drift_index}`` (:func:`drift_index`; ``source`` in
    ``real``, ``fixed``, ``original``, ``fixed+rotations``).
``rotations``
    the remedy for a preferred direction: rows ``{condition, rotations, heldout_nll,
    heldout_nll_plain, train_s}`` (its distance rows are in ``distances`` with
    ``sampler = "fixed+rotations"``).
``epochs_run``
    ``{condition: epochs}`` trained before early stopping (or the limit).
``wall_times_s``
    ``{train: {condition: s}, train_rotations: {condition: s}, generate: {sampler: s},
    total: s}``.
``generated``
    ``{condition: n_tracks}`` and ``steps_per_track`` (``"as original"``) and ``seed_steps``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import runtime
from .evaluation import bootstrap_ci
from .models import mdn
from .models.baselines import AR1, GaussianIID  # noqa: F401  (re-exported for chapters)
from .models.progress import epoch_bar
from .motility import msd, step_speeds, track_extent, turning_angles
from .paths import write_json
from .preprocess import Scaler, velocities_to_positions

#: Lag (in steps) at which per-track MSDs are compared.
MSD_LAG = 10
#: Steps of a real track fed to the network before it generates (report: 20).
SEED_STEPS = 20


# --------------------------------------------------------------------------- data per condition
def condition_velocities(traj, condition: str, idx=None) -> list:
    """Velocity arrays (µm/min) of a condition's tracks in its modelled dimensions.

    Parameters
    ----------
    traj : Trajectories
        The tracks (:class:`cellmotion.preprocess.Trajectories`).
    condition : str
        The condition.
    idx : array-like of int, optional
        Restrict to these track positions of ``traj`` (e.g. the training split); all tracks
        by default.

    Returns
    -------
    list of numpy.ndarray
        One float array ``(T_i, d)`` per track of ``condition`` among ``idx``, in ``idx``'s
        order; ``d`` excludes a flat z (:meth:`Trajectories.modelled_velocities`).
    """
    idx = np.arange(len(traj)) if idx is None else np.asarray(idx, dtype=int)
    return [np.asarray(traj.modelled_velocities(i), float) for i in idx if traj.conditions[i] == condition]


def condition_track_ids(traj, condition: str, idx=None) -> np.ndarray:
    """Track ids of a condition's tracks, in the order of :func:`condition_velocities`.

    Parameters
    ----------
    traj : Trajectories
        The tracks (:class:`cellmotion.preprocess.Trajectories`).
    condition : str
        The condition.
    idx : array-like of int, optional
        Restrict to these track positions of ``traj``; all tracks by default.

    Returns
    -------
    numpy.ndarray
        Object array of track ids.
    """
    idx = np.arange(len(traj)) if idx is None else np.asarray(idx, dtype=int)
    return np.asarray([traj.track_ids[i] for i in idx if traj.conditions[i] == condition], dtype=object)


def equal_subset(n_items: int, n: int, seed: int = 0) -> np.ndarray:
    """Sorted positions of a seeded subset of ``min(n, n_items)`` of ``n_items`` items.

    Parameters
    ----------
    n_items : int
        Number of items to draw from.
    n : int
        Items wanted.
    seed : int
        Seed of the draw (without replacement).

    Returns
    -------
    numpy.ndarray
        Sorted integer positions in ``range(n_items)``.
    """
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_items, size=min(n, n_items), replace=False))


def teacher_forcing_arrays(vels_scaled):
    """Pad tracks into ``X (n, T-1, d)`` inputs and ``Y (n, T-1, d + 1)`` targets + mask."""
    n = len(vels_scaled)
    d = vels_scaled[0].shape[1]
    t_max = max(len(v) for v in vels_scaled) - 1
    X = np.zeros((n, t_max, d), np.float32)
    Y = np.zeros((n, t_max, d + 1), np.float32)
    for k, v in enumerate(vels_scaled):
        t = len(v) - 1
        X[k, :t] = v[:-1]
        Y[k, :t, :d] = v[1:]
        Y[k, :t, d] = 1.0
    return X, Y


# --------------------------------------------------------------------------- the model
@dataclass
class Generator:
    """A trained LSTM-MDN for one condition and what is needed to use it in µm/min."""

    condition: str
    dims: list
    scale: float
    model: object
    n_components: int = 10
    units: int = 10
    history: dict = field(default_factory=dict)
    train_time_s: float = 0.0
    epochs_run: int = 0

    @property
    def dim(self) -> int:
        return len(self.dims)


def train_generator(train_vels, dims, condition: str = "", *, units: int = 10, n_components: int = 10,
                    epochs: int = 300, batch_size: int = 8, patience: int = 30,
                    validation_fraction: float = 0.2, learning_rate: float = 1e-3, seed: int = 0,
                    scale: float | None = None, jit_compile: bool = True,
                    rotations: int = 0, scale_quantile: float = 1.0,
                    progress: bool = False, track_ids=None) -> Generator:
    """Train one condition's LSTM-MDN on whole tracks (teacher forcing, RMSprop).

    ``train_vels``: list of ``(T_i, d)`` velocities in µm/min. A seeded ``validation_fraction``
    of the *cells* drives early stopping (best weights restored; no validation set with fewer
    than 5 cells); ``epochs`` is the upper limit. ``track_ids`` names each track, so that the
    pieces of a track cut at gaps (``<id>~1``, ``<id>~2``: one cell) fall on one side of the
    split (:func:`cellmotion.preprocess.split_by_cell`); without it every track is a cell. ``scale`` (µm/min per unit) defaults to the report's max-|v| normalisation, or to
    the ``scale_quantile`` quantile of |v| (robust to tracking jumps on real tracks). With
    ``progress`` a bar per network shows the epochs (console and notebook).
    ``rotations > 0`` adds that many copies of every fitting track, each turned by a random
    (seeded) angle in the x-y plane: cells on a dish have no preferred direction, and the
    copies tell the network so (the report saw generated tracks drift in a preferred direction).
    """
    keras = runtime.keras()
    scaler = Scaler(scale) if scale is not None else Scaler(quantile=scale_quantile).fit(train_vels)
    vs = scaler.transform(list(train_vels))
    rng = np.random.default_rng(seed)
    val, fit = validation_split(len(vs), track_ids, validation_fraction, seed)
    n_val = len(val)
    fit_tracks = [vs[i] for i in fit]
    for _ in range(rotations):
        fit_tracks += [rotate_xy(vs[i], rng.uniform(0, 2 * np.pi)) for i in fit]
    X, Y = teacher_forcing_arrays(fit_tracks)
    model = mdn.build_mdn_model(len(dims), units=units, n_components=n_components,
                                learning_rate=learning_rate, seed=seed, jit_compile=jit_compile)
    callbacks = [epoch_bar(epochs, f"LSTM-MDN {condition}".strip())] if progress else []
    val_data = None
    if n_val:
        val_data = teacher_forcing_arrays([vs[i] for i in val])
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                       restore_best_weights=True))
    t0 = time.perf_counter()
    val_batches = None if val_data is None else runtime.batches(val_data, batch_size)
    hist = model.fit(runtime.batches((X, Y), batch_size, shuffle_seed=seed), epochs=epochs,
                     validation_data=val_batches, shuffle=False, verbose=0, callbacks=callbacks)
    elapsed = time.perf_counter() - t0
    history = {k: [float(x) for x in v] for k, v in hist.history.items()}
    return Generator(condition=condition, dims=list(dims), scale=float(scaler.scale), model=model,
                     n_components=n_components, units=units, history=history, train_time_s=elapsed,
                     epochs_run=len(history.get("loss", [])))


def _train_generator_task(train_vels, dims, condition, kwargs) -> dict:
    """One condition's :func:`train_generator` in a worker: the trained weights and what
    :func:`train_generators` needs to rebuild the model (a Keras model does not travel between
    processes; its weights do)."""
    gen = train_generator(train_vels, dims, condition, **kwargs)
    weights = [np.asarray(w) for w in gen.model.get_weights()]
    return {"condition": gen.condition, "dims": gen.dims, "scale": gen.scale, "weights": weights,
            "n_components": gen.n_components, "units": gen.units, "history": gen.history,
            "train_time_s": gen.train_time_s, "epochs_run": gen.epochs_run}


def train_generators(jobs: dict, *, n_jobs: int = -1, **common) -> dict:
    """Train one LSTM-MDN per condition, the conditions at once (:func:`train_generator` each).

    The conditions are independent, and a network of 10 units keeps about one core busy, so
    they train in parallel: ``n_jobs`` local worker processes, or one task per condition on a
    Dask cluster when one is configured (:func:`cellmotion.cluster.map_tasks`). Every network
    is seeded where it is built, so a condition's generator does not depend on where or in
    which order it was trained.

    Parameters
    ----------
    jobs : dict
        ``{condition: (train_vels, dims)}`` or ``{condition: (train_vels, dims, kwargs)}``,
        ``kwargs`` overriding ``common`` for that condition (e.g. ``track_ids``).
    n_jobs : int
        Local worker processes (``-1``: all cores, ``1``: one after another in this process).
    **common
        Keyword arguments of :func:`train_generator` shared by every condition.

    Returns
    -------
    dict
        ``{condition: Generator}`` in the order of ``jobs``.
    """
    from . import cluster

    args = []
    for cond, job in jobs.items():
        vels, dims, own = (*job, {})[:3]
        args.append((list(vels), list(dims), cond, {**common, **own}))
    if n_jobs == 1 and cluster.active_client() is None:
        return {a[2]: train_generator(a[0], a[1], a[2], **a[3]) for a in args}
    out = {}
    for a, res in zip(args, cluster.map_tasks(_train_generator_task, args, n_jobs=n_jobs,
                                              name="generator")):
        kw = a[3]
        model = mdn.build_mdn_model(len(res["dims"]), units=res["units"],
                                    n_components=res["n_components"],
                                    learning_rate=kw.get("learning_rate", 1e-3),
                                    seed=kw.get("seed", 0), jit_compile=kw.get("jit_compile", True))
        model.set_weights(res["weights"])
        out[a[2]] = Generator(condition=res["condition"], dims=res["dims"], scale=res["scale"],
                              model=model, n_components=res["n_components"], units=res["units"],
                              history=res["history"], train_time_s=res["train_time_s"],
                              epochs_run=res["epochs_run"])
    return out


def validation_split(n_tracks: int, track_ids=None, fraction: float = 0.2, seed: int = 0):
    """``(validation, fitting)`` track positions for early stopping, split by cell.

    The cells (:func:`cellmotion.contract.cell_ids` of ``track_ids``; each track its own cell
    when ``track_ids`` is None) are shuffled with ``seed`` and ``round(fraction * n_cells)``
    of them, with all their pieces, validate; with fewer than 5 cells nothing does.
    """
    from .contract import cell_ids
    from .preprocess import split_by_cell

    ids = (np.array([f"track{k}" for k in range(n_tracks)], dtype=object) if track_ids is None
           else np.asarray(track_ids, dtype=object))
    if len(ids) != n_tracks:
        raise ValueError(f"need one track id per track: {len(ids)} ids for {n_tracks} tracks")
    if len(set(cell_ids(ids))) < 5 or not fraction:
        return np.zeros(0, int), np.arange(n_tracks)
    fit, val = split_by_cell(ids, ["all"], np.zeros(n_tracks, int), fraction, seed)
    return val, fit


def rotate_xy(v, angle: float) -> np.ndarray:
    """Velocities ``(T, d)`` turned by ``angle`` (radians) in the plane of the first two axes."""
    v = np.array(v, dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    x, y = v[:, 0].copy(), v[:, 1].copy()
    v[:, 0], v[:, 1] = c * x - s * y, s * x + c * y
    return v


def predict_params(gen: Generator, vels) -> list:
    """Packed mixture parameters for the next step after every step of each track (scaled units)."""
    X, _ = teacher_forcing_arrays([np.asarray(v) / gen.scale for v in vels])
    P = np.asarray(gen.model(X, training=False), dtype=np.float64)
    return [P[k, : len(v) - 1] for k, v in enumerate(vels)]


def track_nll(gen: Generator, vels) -> np.ndarray:
    """Summed NLL (nats, velocity in the dataset's units) of steps 2..T of every track.

    One number per track; divide by ``len(v) - 1`` steps for the NLL per step.
    """
    out = []
    for v, p in zip(vels, predict_params(gen, vels)):
        alpha, mu, sigma = mdn.split_params(p, gen.n_components, gen.dim)
        lp = mdn.mixture_log_density(np.asarray(v[1:]) / gen.scale, alpha, mu, sigma)
        out.append(float(-lp.sum()) + len(lp) * gen.dim * np.log(gen.scale))
    return np.asarray(out)


def heldout_nll(gen: Generator, vels) -> float:
    """Mean NLL per predicted step of a generator on some tracks.

    Parameters
    ----------
    gen : Generator
        A trained generator.
    vels : sequence of array-like
        Velocity tracks ``(T_i, d)`` in the dataset's units, in ``gen``'s dimensions.

    Returns
    -------
    float
        Nats per step over steps 2..T of every track (total NLL over total predicted steps),
        velocity in the dataset's units.
    """
    return float(track_nll(gen, vels).sum() / sum(len(v) - 1 for v in vels))


#: Models of the held-out likelihood table, in the order of its rows.
NLL_MODELS = ("lstm_mdn", "ar1_shared", "gaussian_iid", "superstatistical", "true_parameters")
#: What each of them is, in words.
NLL_MODEL_LABELS = {
    "lstm_mdn": "LSTM mixture density network (one per condition)",
    "ar1_shared": AR1.label,
    "gaussian_iid": GaussianIID.label,
    "superstatistical": "superstatistical random walk, bayesloop evidence (each cell its own drifting q, c)",
    "true_parameters": "the simulator with each cell's true parameters: the ceiling (synthetic data only)",
}


def _superstat_nll(superstat) -> dict:
    """``{track_id: summed NLL in nats}`` from a mapping or from a superstatistical result
    (anything with ``track_ids`` and ``log10_evidence``: the evidence is ``p(v_2..v_T | v_1)``)."""
    if superstat is None:
        return {}
    if hasattr(superstat, "log10_evidence") and hasattr(superstat, "track_ids"):
        return {str(t): float(-e * np.log(10.0))
                for t, e in zip(superstat.track_ids, superstat.log10_evidence)}
    return {str(k): float(v) for k, v in dict(superstat).items()}


def heldout_track_nll(traj, train_idx, test_idx, *, generators: dict, superstat=None,
                      ceiling: dict | None = None) -> pd.DataFrame:
    """Summed NLL of every held-out track under every model: one row per (track, model).

    The baselines (``ar1_shared``, one persistent random walk shared by all cells, and
    ``gaussian_iid``) are fitted on the training tracks of each condition.

    Parameters
    ----------
    traj : Trajectories
        The tracks (:class:`cellmotion.preprocess.Trajectories`).
    train_idx, test_idx : array-like of int
        Track positions of the training and held-out sets.
    generators : dict
        ``{condition: Generator}``; only these conditions are scored.
    superstat : SuperstatResult or dict, optional
        Each held-out track's superstatistical NLL: a
        :class:`cellmotion.superstats.SuperstatResult` fitted on them, or ``{track_id: nats}``;
        tracks it lacks (or with a non-finite value) get no ``superstatistical`` row.
    ceiling : dict, optional
        ``{track_id: nats}`` (:func:`cellmotion.synthetic.oracle.ceiling_nll`); adds
        ``true_parameters`` rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``condition``, ``track_id``, ``steps`` (predicted steps, T - 1), ``model``
        (``lstm_mdn``, ``ar1_shared``, ``gaussian_iid``, ``superstatistical``,
        ``true_parameters``) and ``nll_sum`` (nats over steps 2..T, velocities in the dataset's
        units).
    """
    # per-track NLLs computed elsewhere: {model: {track_id: nats}}
    given = {"superstatistical": _superstat_nll(superstat),
             "true_parameters": {str(k): float(v) for k, v in (ceiling or {}).items()}}
    test_idx = np.asarray(test_idx, dtype=int)
    rows = []
    for cond, gen in generators.items():
        tr_v = condition_velocities(traj, cond, train_idx)
        idx = [i for i in test_idx if traj.conditions[i] == cond]
        te_v = [np.asarray(traj.modelled_velocities(i), float) for i in idx]
        if not te_v:
            continue
        ids = [str(traj.track_ids[i]) for i in idx]
        scores = {"lstm_mdn": track_nll(gen, te_v), "ar1_shared": AR1().fit(tr_v).track_nll(te_v),
                  "gaussian_iid": GaussianIID().fit(tr_v).track_nll(te_v)}
        for k, (tid, v) in enumerate(zip(ids, te_v)):
            for model, vals in scores.items():
                rows.append({"condition": cond, "track_id": tid, "steps": len(v) - 1, "model": model,
                             "nll_sum": float(vals[k])})
            for model, nll in given.items():
                if tid in nll and np.isfinite(nll[tid]):
                    rows.append({"condition": cond, "track_id": tid, "steps": len(v) - 1,
                                 "model": model, "nll_sum": nll[tid]})
    return pd.DataFrame(rows, columns=["condition", "track_id", "steps", "model", "nll_sum"])


def nll_table_from_tracks(tracks: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
                          confidence: float = 0.95) -> pd.DataFrame:
    """Per condition and model: NLL per step and the MDN-minus-model difference with an interval.

    The interval is a bootstrap over held-out cells (:func:`cellmotion.evaluation.bootstrap_ci`
    with ``groups``: the pieces ``<id>~n`` of one cell are resampled together). Each difference
    uses only the tracks both models scored, per step (total NLL over total steps).

    Parameters
    ----------
    tracks : pandas.DataFrame
        The output of :func:`heldout_track_nll`.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        One row per condition and model (models in :data:`NLL_MODELS` order), columns
        ``condition``, ``model``, ``label`` (:data:`NLL_MODEL_LABELS`), ``n_tracks`` (tracks
        scored by both the model and the MDN), ``n_steps``, ``nll`` (nats per step),
        ``diff_vs_mdn`` (MDN minus model per step, on all the tracks both scored; negative
        means the MDN gives the held-out steps a higher likelihood), ``lower`` and ``upper``
        (interval bounds). The three last are NaN for the MDN itself and for models with
        fewer than two tracks.
    """
    from .contract import cell_ids

    def per_step_difference(d):
        return float((d[:, 0].sum() - d[:, 1].sum()) / d[:, 2].sum())

    rows = []
    for cond, g in tracks.groupby("condition", sort=False):
        wide = g.pivot_table(index="track_id", columns="model", values="nll_sum", aggfunc="first")
        steps = g.groupby("track_id")["steps"].first().reindex(wide.index)
        for model in [m for m in NLL_MODELS if m in wide.columns]:
            ok = wide[model].notna() & wide["lstm_mdn"].notna()
            n_steps = int(steps[ok].sum())
            row = {"condition": cond, "model": model, "label": NLL_MODEL_LABELS[model],
                   "n_tracks": int(ok.sum()), "n_steps": n_steps,
                   "nll": float(wide.loc[ok, model].sum() / max(n_steps, 1)),
                   "diff_vs_mdn": np.nan, "lower": np.nan, "upper": np.nan}
            if model != "lstm_mdn" and ok.sum() >= 2:
                data = np.column_stack([wide.loc[ok, "lstm_mdn"], wide.loc[ok, model], steps[ok]])
                ci = bootstrap_ci(data, n_boot=n_boot, seed=seed, confidence=confidence,
                                  statistic=per_step_difference,
                                  groups=cell_ids(wide.index[ok].to_numpy(dtype=object)))
                row.update(diff_vs_mdn=ci.mean, lower=ci.lower, upper=ci.upper)
            rows.append(row)
    return pd.DataFrame(rows, columns=["condition", "model", "label", "n_tracks", "n_steps", "nll",
                                       "diff_vs_mdn", "lower", "upper"])


def gap_closed(tracks: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
               confidence: float = 0.95) -> list:
    """Share of the gap between the shared AR(1) and the ceiling that the LSTM-MDN closes.

    Per condition, on the held-out tracks all three models scored:
    ``share = (AR1 - MDN) / (AR1 - ceiling)`` of the summed NLLs (1: at the ceiling, 0: no
    better than the AR(1), below 0: worse), with a percentile bootstrap interval over held-out
    cells (pieces of one cell together).

    Parameters
    ----------
    tracks : pandas.DataFrame
        :func:`heldout_track_nll` with ``true_parameters`` rows (the simulator's own
        likelihood, synthetic stand-in only).
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    list of dict
        One dict per condition with a ceiling: ``condition``, ``n_tracks``, ``ceiling``,
        ``ar1_shared`` and ``lstm_mdn`` (NLLs per step), ``share``, ``lower`` and ``upper``.
        ``share`` is NaN where the AR(1) is already at the ceiling; the bounds are NaN then
        and with fewer than two tracks.
    """
    from .contract import cell_ids

    models = ["lstm_mdn", "ar1_shared", "true_parameters"]

    def share(d):
        gap = d[:, 1].sum() - d[:, 2].sum()
        return float((d[:, 1].sum() - d[:, 0].sum()) / gap) if gap > 0 else np.nan

    rows = []
    for cond, g in tracks.groupby("condition", sort=False):
        wide = g.pivot_table(index="track_id", columns="model", values="nll_sum", aggfunc="first")
        if not set(models) <= set(wide.columns):
            continue
        wide = wide[models].dropna()
        if wide.empty:
            continue
        steps = g.groupby("track_id")["steps"].first().reindex(wide.index).to_numpy(float)
        data = wide.to_numpy(float)
        per_step = data.sum(axis=0) / steps.sum()
        row = {"condition": cond, "n_tracks": int(len(wide)), "ceiling": float(per_step[2]),
               "ar1_shared": float(per_step[1]), "lstm_mdn": float(per_step[0]),
               "share": share(data), "lower": np.nan, "upper": np.nan}
        if len(wide) >= 2 and np.isfinite(row["share"]):
            ci = bootstrap_ci(data, n_boot=n_boot, seed=seed, confidence=confidence, statistic=share,
                              groups=cell_ids(wide.index.to_numpy(dtype=object)))
            row.update(lower=ci.lower, upper=ci.upper)
        rows.append(row)
    return rows


def nll_wide_rows(table: pd.DataFrame) -> list:
    """The held-out NLL table in wide form, the rows of ``heldout_nll`` in the metrics file.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`heldout_nll_table` (or :func:`nll_table_from_tracks`).

    Returns
    -------
    list of dict
        One dict per condition: ``condition``, ``n_test_tracks`` (most tracks any model
        scored) and the NLL per step of each model in the table under its key of
        ``generation_metrics.json``: ``lstm_mdn``, ``ar1`` (for ``ar1_shared``),
        ``gaussian_iid`` and, where scored, ``superstatistical`` and ``true_parameters``.
    """
    names = {"ar1_shared": "ar1"}
    rows = []
    for cond, g in table.groupby("condition", sort=False):
        row = {"condition": cond, "n_test_tracks": int(g["n_tracks"].max())}
        row.update({names.get(m, m): float(v) for m, v in zip(g["model"], g["nll"])})
        rows.append(row)
    return rows


def heldout_nll_table(traj, train_idx, test_idx, *, generators: dict, n_boot: int = 1000,
                      seed: int = 0, superstat=None, ceiling: dict | None = None,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Held-out NLL per step of the MDN and its baselines, per condition, with intervals.

    Baselines, fitted per condition on the training tracks: one persistent random walk shared
    by all cells (``ar1_shared``), independent Gaussian velocities (``gaussian_iid``) and, when
    ``superstat`` is given, the superstatistical evidence. NLLs in nats per step, velocities in
    the dataset's units.

    Parameters
    ----------
    traj : Trajectories
        The tracks (:class:`cellmotion.preprocess.Trajectories`).
    train_idx, test_idx : array-like of int
        Track positions of the split.
    generators : dict
        ``{condition: Generator}`` (:func:`train_generator`, trained on the training tracks).
    n_boot : int
        Bootstrap resamples (seeded with ``seed``).
    seed : int
        Seed of the bootstrap.
    superstat, ceiling :
        As in :func:`heldout_track_nll`.
    confidence : float
        Coverage of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        As :func:`nll_table_from_tracks`: ``diff_vs_mdn`` is MDN minus the model with a
        percentile bootstrap interval over held-out cells.
    """
    tracks = heldout_track_nll(traj, train_idx, test_idx, generators=generators, superstat=superstat,
                               ceiling=ceiling)
    return nll_table_from_tracks(tracks, n_boot=n_boot, seed=seed, confidence=confidence)


def one_step_predictions(gen: Generator, v) -> np.ndarray:
    """Expected next velocity (mixture mean) after each step of one real track.

    Parameters
    ----------
    gen : Generator
        A trained generator.
    v : array-like
        One track's velocities ``(T, d)`` in the dataset's units, in ``gen``'s dimensions.

    Returns
    -------
    numpy.ndarray
        Shape ``(T - 1, d)``, in the dataset's units: row ``t`` predicts ``v[t + 1]`` (the
        report's Figure 8 input).
    """
    p = predict_params(gen, [v])[0]
    mean, _ = mdn.mixture_moments(*mdn.split_params(p, gen.n_components, gen.dim))
    return mean * gen.scale


# --------------------------------------------------------------------------- generation
def generate_velocities(gen: Generator, seeds, lengths, rng, sampler: str = "fixed",
                        chunk: int = 20_000) -> list:
    """Generate one new track per seed, all at once, step by step.

    Each sampled velocity is fed back as the next input.

    Parameters
    ----------
    gen : Generator
        A trained generator.
    seeds : sequence of array-like
        ``(S, d)`` real velocities (µm/min) fed first to set the LSTM's memory (report: the
        first 20 steps of a real track), one per new track.
    lengths : array-like of int
        Number of generated velocity steps per track.
    rng : numpy.random.Generator
        Source of the samples (same seed, same tracks).
    sampler : str
        One of :data:`cellmotion.models.mdn.SAMPLERS`: ``fixed`` or the report's ``original``.
    chunk : int
        Tracks stepped together at most (bounds the memory used).

    Returns
    -------
    list of numpy.ndarray
        ``(lengths[k], d)`` arrays in µm/min; the seed is not part of the new track.

    Raises
    ------
    ValueError
        An unknown sampler, or not one seed per length.
    """
    if sampler not in mdn.SAMPLERS:
        raise ValueError(f"unknown sampler '{sampler}'; choose one of {mdn.SAMPLERS}")
    lengths = np.asarray(lengths, dtype=int)
    if len(seeds) != len(lengths):
        raise ValueError("need one seed per generated track")
    out = []
    for start in range(0, len(seeds), chunk):
        out.extend(_generate_chunk(gen, seeds[start:start + chunk], lengths[start:start + chunk],
                                   rng, sampler))
    return out


def _generate_chunk(gen, seeds, lengths, rng, sampler):
    cell = mdn.SteppedLSTM(gen.model, gen.n_components, gen.dim)
    n = len(seeds)
    s_len = {len(s) for s in seeds}
    if len(s_len) != 1:
        raise ValueError("all seeds must have the same number of steps")
    seed_arr = np.stack([np.asarray(s, float) for s in seeds]) / gen.scale
    cell.reset(n)
    for t in range(seed_arr.shape[1] - 1):
        cell.step(seed_arr[:, t])
    v = seed_arr[:, -1]
    steps = int(lengths.max())
    new = np.zeros((n, steps, gen.dim))
    for t in range(steps):
        alpha, mu, sigma = cell.mixture(v)
        v = mdn.sample_mixture(alpha, mu, sigma, rng, sampler=sampler)
        new[:, t] = v
    new *= gen.scale
    return [new[k, : lengths[k]] for k in range(n)]


def seed_order(n_pool: int, n: int, rng) -> np.ndarray:
    """Which of ``n_pool`` tracks seeds each of ``n`` new tracks: a seeded permutation of the
    pool, repeated (a fresh permutation per pass) until ``n`` are drawn.

    Every track seeds ``n // n_pool`` or ``n // n_pool + 1`` new tracks (without replacement
    within a pass), so no cell is over-represented by chance.
    """
    if n_pool <= 0:
        raise ValueError("no track to seed from")
    passes = -(-int(n) // n_pool) if n > 0 else 0
    order = [rng.permutation(n_pool) for _ in range(passes)]
    return np.concatenate(order)[:n].astype(int) if order else np.zeros(0, int)


def pick_seeds(vels, n: int, rng, seed_steps: int = SEED_STEPS, return_index: bool = False):
    """``n`` seeds: the first ``seed_steps`` velocities of real tracks, cycling through them.

    The tracks long enough for a seed are drawn in a seeded random order, each once per
    pass (:func:`seed_order`), so every cell seeds equally often.

    Parameters
    ----------
    vels : sequence of array-like
        Velocity tracks ``(T_i, d)``.
    n : int
        Seeds wanted.
    rng : numpy.random.Generator
        Source of the order.
    seed_steps : int
        Steps per seed; shorter tracks never seed.
    return_index : bool
        Also return the positions of the seeding tracks.

    Returns
    -------
    seeds : list of numpy.ndarray
        ``n`` float arrays ``(seed_steps, d)``.
    index : numpy.ndarray
        Only with ``return_index``: the position in ``vels`` of each seed's track.

    Raises
    ------
    ValueError
        No track has ``seed_steps`` steps.
    """
    pool = [i for i, v in enumerate(vels) if len(v) >= seed_steps]
    if not pool:
        raise ValueError(f"no track has the {seed_steps} steps a seed needs")
    pick = [pool[k] for k in seed_order(len(pool), n, rng)]
    seeds = [np.asarray(vels[i][:seed_steps], float) for i in pick]
    return (seeds, np.asarray(pick, int)) if return_index else seeds


def file_safe(name) -> str:
    """A condition name usable in file names and track ids (letters, digits and '-')."""
    return re.sub(r"[^A-Za-z0-9]+", "-", str(name)).strip("-")


def tracks_frame(condition: str, vels, dims, dt: float, prefix: str = "gen") -> pd.DataFrame:
    """Tidy table of velocity tracks integrated to positions starting at the origin.

    Parameters
    ----------
    condition : str
        Condition of every track.
    vels : sequence of array-like
        Velocity tracks ``(T_k, len(dims))``.
    dims : list of str
        The dimensions (``x``, ``y``, ``z``) of the columns of ``vels``; the others are
        written as 0 (z of a 2D condition).
    dt : float
        Time step [min].
    prefix : str
        Start of the track ids.

    Returns
    -------
    pandas.DataFrame
        Columns ``track_id`` (``<prefix>-<file-safe condition>-<k:05d>``), ``condition``,
        ``t`` (from 0, min), ``x``, ``y``, ``z`` (µm); ``T_k + 1`` rows per track.
    """
    frames = []
    safe = file_safe(condition)
    for k, v in enumerate(vels):
        pos = velocities_to_positions(v, dt)
        part = {"track_id": f"{prefix}-{safe}-{k:05d}", "condition": condition,
                "t": np.arange(len(pos)) * dt}
        for ax in ("x", "y", "z"):
            part[ax] = pos[:, dims.index(ax)] if ax in dims else np.zeros(len(pos))
        frames.append(pd.DataFrame(part))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- comparison
def motility_samples(vels, dt: float) -> dict:
    """Samples of the classic motility measures of a set of tracks.

    Parameters
    ----------
    vels : sequence of array-like
        Velocity tracks ``(T_i, d)`` [µm/min].
    dt : float
        Time step [min].

    Returns
    -------
    dict
        ``step_speed``: pooled step speeds (µm/min); ``turning_angle``: pooled turning angles
        (degrees); ``log10_msd_lag``: per track longer than :data:`MSD_LAG` steps, log10 of its
        MSD at that lag (µm²); ``extent``: per track, its largest distance from the start (µm).
        Each a 1-D numpy array.
    """
    pos = [velocities_to_positions(v, dt) for v in vels]
    lag_msd = [msd(r, MSD_LAG)[-1] for r in pos if len(r) > MSD_LAG]
    return {
        "step_speed": np.concatenate([step_speeds(v) for v in vels]),
        "turning_angle": np.degrees(np.concatenate([turning_angles(v) for v in vels])),
        "log10_msd_lag": np.log10(np.maximum(lag_msd, 1e-12)),
        "extent": np.array([track_extent(r) for r in pos]),
    }


MEASURE_UNITS = {"step_speed": "µm/min", "turning_angle": "degrees",
                 "log10_msd_lag": "log10 µm²", "extent": "µm"}


def distance_rows(condition: str, sampler: str, real_vels, other_vels, dt: float) -> list:
    """Distances between the motility measures of two sets of tracks, one row per measure.

    Parameters
    ----------
    condition : str
        Written into each row.
    sampler : str
        What ``other_vels`` are (``fixed``, ``original``, ``training-real``, ...), written
        into each row.
    real_vels, other_vels : sequence of array-like
        The reference and the compared velocity tracks [µm/min].
    dt : float
        Time step [min].

    Returns
    -------
    list of dict
        One dict per measure of :data:`MEASURE_UNITS`: ``condition``, ``sampler``,
        ``measure``, ``unit``, ``wasserstein`` (Wasserstein distance, in the measure's unit),
        ``ks`` (two-sample Kolmogorov-Smirnov statistic), ``n_real`` and ``n_generated``
        (sample sizes of :func:`motility_samples`).
    """
    from scipy.stats import ks_2samp, wasserstein_distance

    a, b = motility_samples(real_vels, dt), motility_samples(other_vels, dt)
    rows = []
    for key, unit in MEASURE_UNITS.items():
        rows.append({"condition": condition, "sampler": sampler, "measure": key, "unit": unit,
                     "wasserstein": float(wasserstein_distance(a[key], b[key])),
                     "ks": float(ks_2samp(a[key], b[key]).statistic),
                     "n_real": int(len(a[key])), "n_generated": int(len(b[key]))})
    return rows


def drift_index(vels) -> float:
    """Preferred direction of a set of tracks, in [0, 1] (x-y plane).

    Parameters
    ----------
    vels : sequence of array-like
        Velocity tracks ``(T_i, d)``; x and y are used.

    Returns
    -------
    float
        Length of the mean net-displacement vector divided by the mean net displacement:
        near 0 when tracks leave their start in all directions, 1 when all go the same way.
    """
    net = np.array([np.sum(np.asarray(v, float)[:, :2], axis=0) for v in vels])
    return float(np.linalg.norm(net.mean(axis=0)) / np.mean(np.linalg.norm(net, axis=1)))


def ensemble_msd(vels, dt: float, max_lag: int = 100) -> tuple:
    """Mean over tracks of each track's MSD.

    Parameters
    ----------
    vels : sequence of array-like
        Velocity tracks ``(T_i, d)`` [µm/min].
    dt : float
        Time step [min].
    max_lag : int
        Largest lag in steps; capped at the shortest track's length.

    Returns
    -------
    lags : numpy.ndarray
        Lags 1..max_lag steps, in minutes.
    msd : numpy.ndarray
        Mean MSD (µm²) at each lag.
    """
    max_lag = min(max_lag, min(len(v) for v in vels))
    curves = np.array([msd(velocities_to_positions(v, dt), max_lag) for v in vels])
    return np.arange(1, max_lag + 1) * dt, curves.mean(axis=0)


# --------------------------------------------------------------------------- files
def model_filename(condition: str) -> str:
    """File name of a condition's saved generator.

    Parameters
    ----------
    condition : str
        The condition.

    Returns
    -------
    str
        ``generator_<condition>.keras`` with a file-safe condition name (:func:`file_safe`).
    """
    return f"generator_{file_safe(condition)}.keras"


def write_metrics(path, metrics: dict) -> None:
    """Write ``generation_metrics.json``.

    Parameters
    ----------
    path : str or path-like
        The file.
    metrics : dict
        The metrics, with the keys listed in the module docstring (written with
        :func:`cellmotion.paths.write_json`).
    """
    write_json(path, metrics)

"""Superstatistical analysis of cell tracks: time-varying persistence and cell speed.

Rieke (2016, section 5) analysed original and generated trajectories with the
superstatistical persistent random walk of Metzner et al. (2015), fitted with bayesloop
(Mark 2016). Every velocity component follows the scaled AR(1) process

    v_t = q_t v_{t-1} + c_t sqrt(1 - q_t**2) n_t,      n_t ~ N(0, 1),

with persistence ``q_t`` (bayesloop's 'correlation coefficient', no unit) and cell speed
``c_t`` (bayesloop's 'standard deviation': stationary s.d. of one velocity component,
µm/min; ``c_t = a_t / sqrt(1 - q_t**2)`` for the activity ``a_t``). Both parameters drift
over time: Gaussian random walks (s.d. 0.03 per step on both) plus a regime switch
(log10 p_min = -7) that allows sudden jumps. Components of one track are independent series
sharing one parameter pair (bayesloop multiplies their likelihoods).

The report's settings are the defaults of :class:`SuperstatModel`: grid persistence (-1, 1)
× speed (0, 1.5) µm/min, 200 × 200 points (the chapters derive the speed range from the data
instead, :func:`speed_range_for`, and check it, :func:`grid_edge_check`) (open intervals, bayesloop's ``oint``: the
likelihood is singular at |q| = 1 and c = 0).

Per track we keep the posterior averaged over time (a density on the grid) and the
posterior mean and s.d. of both parameters at every time step. Per condition the
track densities are averaged with equal weight per track (the report's Figure 10).

2D conditions (z constant) must be fitted on x and y only: a z series of exact zeros is
perfectly "predictable" and its likelihood grows without bound as the AR(1) step noise
``sigma = c sqrt(1 - q**2)`` shrinks. It only informs sigma, so given q the fitted step
variance is the x-y residual variance times 2/3: the speed is biased down by sqrt(2/3)
while the persistence peak stays put (its posterior only gets over-confident).
:func:`fit_trajectories` drops z for the conditions in ``Trajectories.flat_z`` unless told
not to (the chapter shows the difference once).

Fitting is one independent bayesloop study per track, run in parallel in local processes or
on a Dask cluster (:mod:`cellmotion.cluster`), with a progress bar on the console.

Keys of ``statistics_metrics.json`` written by chapter 4 (built from this module):

``model``
    the settings of :class:`SuperstatModel` used (grid sizes and ranges, sigmas, p_min).
``comparison``
    list of rows, one per (condition, sampler) with sampler "fixed" or "original": the
    Bhattacharyya coefficient ``bhattacharyya`` (1 = identical densities, 0 = disjoint) and
    Hellinger distance ``hellinger`` = sqrt(1 - BC) between the original and the generated
    condition density; ``n_original``, ``n_generated`` tracks fitted; and for the original
    (``orig_*``) and generated (``gen_*``) density: ``peak_persistence``, ``peak_speed``
    [µm/min] (grid point of highest density), ``mean_persistence``, ``sd_persistence``,
    ``mean_speed``, ``sd_speed`` [µm/min] (marginal moments) and ``hdr50_area`` (area of the
    50 % highest-density region, persistence × µm/min); ``sd_ratio_persistence`` and
    ``sd_ratio_speed`` = generated / original s.d. (< 1: generated is narrower).
``original``
    per condition the summary of the original density (same keys without prefix).
``grid``
    the speed grid: ``derived`` (from the tracks, :func:`speed_range_for`) or given,
    ``speed_range``, ``fits_run`` (more than 1: widened because mass piled at the edge),
    ``withheld`` (conditions still piling: no numbers reported for them) and ``edge_check``
    (:func:`grid_edge_check` rows of every fitted set).
``reference_comparison``
    rows of :func:`cellmotion.superstats.compare_with_reference`: per condition, sampler and
    measure (``bhattacharyya``, ``hellinger``, ``sd_ratio_persistence``, ``sd_ratio_speed``)
    the generated-vs-held-out value (``other``), the mean of the two training halves vs the
    held-out tracks at the same number of tracks (``reference``) and their ``difference``,
    each bias-corrected with a basic 95 % bootstrap interval over cells (``*_lower``,
    ``*_upper``); ``n_tracks``, ``n_heldout``; ``n_boot`` resamples.
``condition_overlaps``
    pairwise Bhattacharyya overlaps of the conditions' original densities: bias-corrected
    (``bhattacharyya``), uncorrected (``plug_in``) and the basic interval over cells.
``calibration``
    per condition the density peak (ours), the simulator's inputs (synthetic data) and the
    report's Figure 10 peaks (only for the report's stand-in data).
``sigma_sensitivity``
    per random-walk s.d. and condition the summary of a refitted subset and its overlap
    with the density at the chapter's s.d. (``bc_vs_reference``).
``flat_z``
    the flat-z demonstration: condition, number of tracks, and the summary of the density
    fitted on (x, y) and on (x, y, z = 0).
``recovery``
    recovery on simulated tracks with known parameters: per scenario ("constant",
    "drifting") the mean absolute error of the persistence ``mae_persistence`` and the mean
    relative error of the speed ``mre_speed`` (posterior mean at each step vs the truth),
    and the error of the time-averaged estimates ``err_mean_persistence``,
    ``relerr_mean_speed``.
``timing``
    wall times [s] and seconds per track of the fits, number of jobs, and how many
    generated tracks were fitted per condition (``max_generated_per_condition``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

PERSISTENCE = "correlation coefficient"  # bayesloop's name for the persistence q
SPEED = "standard deviation"  # bayesloop's name for the cell speed c [µm/min]


@dataclass(frozen=True)
class SuperstatModel:
    """Settings of the superstatistical fit (defaults: the report's).

    Parameters
    ----------
    n_persistence, n_speed : int
        Grid points of persistence and speed.
    persistence_range : tuple of float
        Open interval of the persistence grid.
    speed_range : tuple of float
        Open interval of the speed grid, in µm/min (or the data's speed unit).
    sigma_persistence, sigma_speed : float
        S.d.s of the Gaussian random walks of the two parameters per time step (in parameter
        units).
    log10_pmin : float
        The regime-switch floor (log10 of the smallest probability kept).
    """

    n_persistence: int = 200
    n_speed: int = 200
    persistence_range: tuple = (-1.0, 1.0)
    speed_range: tuple = (0.0, 1.5)
    sigma_persistence: float = 0.03
    sigma_speed: float = 0.03
    log10_pmin: float = -7.0

    @property
    def persistence_grid(self) -> np.ndarray:
        """Persistence values of the grid (open interval)."""
        lo, hi = self.persistence_range
        return np.linspace(lo, hi, self.n_persistence + 2)[1:-1]

    @property
    def speed_grid(self) -> np.ndarray:
        """Cell-speed values of the grid [µm/min] (open interval)."""
        lo, hi = self.speed_range
        return np.linspace(lo, hi, self.n_speed + 2)[1:-1]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["persistence_range"] = list(self.persistence_range)
        d["speed_range"] = list(self.speed_range)
        return d


@dataclass
class TrackFit:
    """Result of one track: posterior averaged over time and per-step posterior moments.

    ``density`` has shape ``(n_persistence, n_speed)`` and sums to 1; the sequences have one
    entry per fitted time step (T - 1 for T velocities) and refer to the step that produced
    velocity ``t + 1``.
    """

    density: np.ndarray
    mean_persistence: np.ndarray
    mean_speed: np.ndarray
    sd_persistence: np.ndarray
    sd_speed: np.ndarray
    log10_evidence: float
    seconds: float


def _scaled_ar1():
    """bayesloop's ``ScaledAR1`` observation model with the likelihood of a multi-component
    step computed in one pass (a class made on first use: bayesloop is imported lazily).

    bayesloop evaluates the scaled AR(1) density of each velocity component on the whole grid
    and multiplies the components' grids (``ObservationModel.processed_pdf``): three
    exponentials of 40,000 points per step on the report's grid. The residual ``v_t - q
    v_{t-1}`` depends on the persistence only, so this model sums the components' squared
    residuals per persistence value and takes one exponential; a component with a missing
    value is left out, as bayesloop leaves it out. Same likelihood up to rounding (tested
    against bayesloop's own model in ``tests/test_superstats.py``). The compiled pass
    (:mod:`cellmotion.superstats.compiled`) computes the same likelihood inside its loop.
    """
    global _ScaledAR1
    if _ScaledAR1 is None:
        import bayesloop as bl

        class FusedScaledAR1(bl.om.ScaledAR1):
            def prepare_grid(self, grid):
                super().prepare_grid(grid)
                q = np.asarray(grid[0])
                # the persistence varies along its own axis only: residuals on that axis
                self._q = q[:, :1] if q.ndim == 2 and np.all(q == q[:, :1]) else q

            def processed_pdf(self, grid, data_segment):
                if data_segment.ndim != 2:  # one component: bayesloop's own path
                    return super().processed_pdf(grid, data_segment)
                if not self._grid_is_prepared(grid):
                    self.prepare_grid(grid)
                measured = ~np.isnan(data_segment).any(axis=0)
                if not measured.any():
                    return np.ones_like(grid[0])
                prev, now = data_segment[:, measured]
                squares = sum((b - self._q * a) ** 2 for a, b in zip(prev, now))
                return np.exp(squares * self._negative_half_inv_variance
                              + measured.sum() * self._log_normalization)

        _ScaledAR1 = FusedScaledAR1
    return _ScaledAR1


_ScaledAR1 = None


def _study(velocities: np.ndarray, model: SuperstatModel, fused: bool = True):
    """A bayesloop study of one track; ``fused``: the compiled forward-backward pass
    (:mod:`cellmotion.superstats.compiled`, same fit to rounding), else bayesloop's own."""
    import bayesloop as bl

    if fused:
        from .compiled import compiled_classes

        study, combined = compiled_classes(_scaled_ar1())
    else:
        study, combined = bl.Study, bl.tm.CombinedTransitionModel
    S = study(silent=True)
    S.load_data(np.asarray(velocities, dtype=float), silent=True)
    observation = (_scaled_ar1() if fused else bl.om.ScaledAR1)(
        PERSISTENCE, model.persistence_grid, SPEED, model.speed_grid)
    S.set_observation_model(observation, silent=True)
    S.set_transition_model(combined(
        bl.tm.GaussianRandomWalk("sigma_q", model.sigma_persistence, target=PERSISTENCE),
        bl.tm.GaussianRandomWalk("sigma_c", model.sigma_speed, target=SPEED),
        bl.tm.RegimeSwitch("log10p_min", model.log10_pmin)), silent=True)
    return S


def fit_track(velocities, model: SuperstatModel = SuperstatModel(), fused: bool = True) -> TrackFit:
    """Fit one track: ``velocities`` ``(T, d)`` [µm/min], components share the parameters.

    By default the fit is bayesloop's ``Study`` with the one-pass likelihood
    (:func:`_scaled_ar1`) and the compiled forward-backward pass
    (:mod:`cellmotion.superstats.compiled`): the same numbers up to rounding, in about half
    the time. ``fused=False`` is bayesloop's own study, models and pass: the probe's fixed
    workload, and the reference the tests compare with.

    Raises ``ValueError`` for fewer than 3 steps or a fit whose posterior vanishes (data
    outside the grid, e.g. speeds far above ``model.speed_range``).
    """
    v = np.asarray(velocities, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    if len(v) < 3:
        raise ValueError(f"a track needs at least 3 velocity steps, got {len(v)}")
    t0 = time.perf_counter()
    S = _study(v, model, fused)
    S.fit(silent=True)
    if not np.isfinite(S.log_evidence):
        raise ValueError("bayesloop found zero posterior probability everywhere: are the "
                         "velocities in µm/min and inside the speed grid "
                         f"{model.speed_range}?")
    post = S.posterior_sequence  # (T-1, nq, nc)
    q, c = model.persistence_grid, model.speed_grid
    pq = post.sum(axis=2)  # marginal over speed: (T-1, nq)
    pc = post.sum(axis=1)  # (T-1, nc)
    mq, mc = pq @ q, pc @ c
    sq = np.sqrt(np.maximum(pq @ q**2 - mq**2, 0.0))
    sc = np.sqrt(np.maximum(pc @ c**2 - mc**2, 0.0))
    density = post.mean(axis=0)
    density /= density.sum()
    return TrackFit(density=density.astype(np.float32), mean_persistence=mq, mean_speed=mc,
                    sd_persistence=sq, sd_speed=sc, log10_evidence=float(S.log10_evidence),
                    seconds=time.perf_counter() - t0)


@dataclass
class SuperstatResult:
    """Fits of many tracks: what the figures and metrics need, saved as one ``.npz``.

    ``densities`` ``(n, n_persistence, n_speed)`` time-averaged posteriors (float32);
    ``mean_persistence`` etc. are the per-step sequences of all tracks concatenated, track
    ``i`` at ``offsets[i]:offsets[i + 1]``; ``dims_used`` is the number of velocity
    components fitted per track.
    """

    track_ids: np.ndarray
    conditions: np.ndarray
    model: SuperstatModel
    densities: np.ndarray
    offsets: np.ndarray
    mean_persistence: np.ndarray
    mean_speed: np.ndarray
    sd_persistence: np.ndarray
    sd_speed: np.ndarray
    log10_evidence: np.ndarray
    seconds: np.ndarray
    dims_used: np.ndarray
    wall_seconds: float = 0.0
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.track_ids)

    @property
    def persistence_grid(self) -> np.ndarray:
        return self.model.persistence_grid

    @property
    def speed_grid(self) -> np.ndarray:
        return self.model.speed_grid

    @property
    def condition_names(self) -> list:
        return list(dict.fromkeys(self.conditions.tolist()))

    def sequences(self, i: int) -> pd.DataFrame:
        """Per-step posterior mean and s.d. of persistence and speed [µm/min] of track ``i``."""
        s = slice(self.offsets[i], self.offsets[i + 1])
        return pd.DataFrame({"step": np.arange(s.stop - s.start) + 1,
                             "persistence": self.mean_persistence[s],
                             "persistence_sd": self.sd_persistence[s],
                             "speed": self.mean_speed[s], "speed_sd": self.sd_speed[s]})

    def condition_density(self, condition: str) -> np.ndarray:
        """Average of the track densities of ``condition`` (equal weight per track), sums to 1."""
        sel = self.conditions == condition
        if not sel.any():
            raise KeyError(f"no fitted tracks of condition '{condition}'")
        d = self.densities[sel].astype(float).mean(axis=0)
        return d / d.sum()

    def track_summary(self) -> pd.DataFrame:
        """One row per track: time-averaged posterior mean persistence and speed [µm/min]."""
        rows = []
        for i in range(len(self)):
            s = slice(self.offsets[i], self.offsets[i + 1])
            rows.append({"track_id": self.track_ids[i], "condition": self.conditions[i],
                         "persistence": float(self.mean_persistence[s].mean()),
                         "speed": float(self.mean_speed[s].mean()),
                         "steps": s.stop - s.start, "dims": int(self.dims_used[i])})
        return pd.DataFrame(rows)

    def save(self, path) -> None:
        """Write to ``path`` (compressed ``.npz``).

        Track densities are stored relative to their maximum as float16 (relative precision
        1e-3, values below ~1e-7 of the peak flushed to zero: invisible in every figure and
        metric) to keep the file small: about 10 MB for 300 tracks at 200 x 200.
        """
        import json

        peak = self.densities.reshape(len(self.densities), -1).max(axis=1) if len(self) else np.zeros(0)
        rel = self.densities / np.where(peak > 0, peak, 1)[:, None, None] if len(self) else self.densities
        np.savez_compressed(
            path, track_ids=self.track_ids.astype(str), conditions=self.conditions.astype(str),
            densities_rel=rel.astype(np.float16), density_peak=peak, offsets=self.offsets,
            mean_persistence=self.mean_persistence, mean_speed=self.mean_speed,
            sd_persistence=self.sd_persistence, sd_speed=self.sd_speed,
            log10_evidence=self.log10_evidence, seconds=self.seconds, dims_used=self.dims_used,
            wall_seconds=np.array(self.wall_seconds),
            model=np.array(json.dumps(self.model.to_dict())),
            meta=np.array(json.dumps(self.meta)))

    @classmethod
    def load(cls, path) -> "SuperstatResult":
        """Read a result written by :meth:`save`."""
        import json

        with np.load(path, allow_pickle=False) as z:
            m = json.loads(str(z["model"]))
            m["persistence_range"] = tuple(m["persistence_range"])
            m["speed_range"] = tuple(m["speed_range"])
            return cls(track_ids=z["track_ids"].astype(object),
                       conditions=z["conditions"].astype(object), model=SuperstatModel(**m),
                       densities=(z["densities_rel"].astype(np.float32)
                                  * z["density_peak"].astype(np.float32)[:, None, None]),
                       offsets=z["offsets"],
                       mean_persistence=z["mean_persistence"], mean_speed=z["mean_speed"],
                       sd_persistence=z["sd_persistence"], sd_speed=z["sd_speed"],
                       log10_evidence=z["log10_evidence"], seconds=z["seconds"],
                       dims_used=z["dims_used"], wall_seconds=float(z["wall_seconds"]),
                       meta=json.loads(str(z["meta"])))


def _fit_or_none(velocities, model):
    """:func:`fit_track`, or ``None`` for a track the model cannot describe (ValueError)."""
    try:
        return fit_track(velocities, model)
    except ValueError:
        return None


def fit_tracks(velocities, model: SuperstatModel = SuperstatModel(), *, n_jobs: int = -1,
               progress: bool = True, desc: str = "superstatistics",
               progress_interval: float = 0.1, on_error: str = "raise") -> list:
    """Fit many tracks in parallel.

    Each track is one task of :func:`cellmotion.cluster.map_tasks`: local processes
    (``n_jobs=-1``: all cores), or a Dask cluster when one is configured. The progress bar is
    drawn on the console only (:mod:`cellmotion.console`).

    Parameters
    ----------
    velocities : iterable of array-like
        Velocity tracks ``(T_i, d)`` in µm/min (or the data's speed unit).
    model : SuperstatModel
        The fit's settings.
    n_jobs : int
        Local processes; -1 uses all cores.
    progress : bool
        Show a progress bar.
    desc : str
        Its label.
    progress_interval : float
        The least number of seconds between progress-bar updates.
    on_error : str
        ``"raise"``, or ``"skip"``: ``None`` for tracks that cannot be fitted (too short, or
        velocities far outside the speed grid) instead of raising.

    Returns
    -------
    list of TrackFit or None
        One fit per track, in the input order.
    """
    from tqdm import tqdm

    from ..cluster import map_tasks
    from ..console import progress as console_progress

    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    func = fit_track if on_error == "raise" else _fit_or_none
    velocities = list(velocities)
    it = map_tasks(func, [(v, model) for v in velocities], n_jobs=n_jobs, name="superstat-fit")
    if progress_interval > 10:  # tqdm's monitor thread would redraw every 10 s regardless
        tqdm.monitor_interval = 0
    return list(console_progress(it, total=len(velocities), desc=desc, disable=not progress,
                                 mininterval=progress_interval))


def fit_trajectories(traj, model: SuperstatModel = SuperstatModel(), *,
                     drop_flat_z: bool = True, n_jobs: int = -1, progress: bool = True,
                     desc: str = "superstatistics", meta: dict | None = None,
                     progress_interval: float = 0.1, on_error: str = "raise") -> SuperstatResult:
    """Fit every track of a :class:`cellmotion.preprocess.Trajectories`.

    With ``drop_flat_z`` (default) tracks of the 2D conditions (``traj.flat_z``) are fitted
    on x and y only; 3D tracks on all components. With ``on_error="skip"`` tracks that
    cannot be fitted are left out of the result and their ids listed in
    ``result.meta["failed"]``.
    """
    vels = [traj.modelled_velocities(i) if drop_flat_z else traj.velocities[i] for i in range(len(traj))]
    dims_used = [v.shape[1] for v in vels]
    t0 = time.perf_counter()
    fits = fit_tracks(vels, model, n_jobs=n_jobs, progress=progress, desc=desc,
                      progress_interval=progress_interval, on_error=on_error)
    ok = [i for i, f in enumerate(fits) if f is not None]
    meta = dict(meta or {})
    meta["failed"] = [str(traj.track_ids[i]) for i, f in enumerate(fits) if f is None]
    return collect([fits[i] for i in ok], traj.track_ids[ok], traj.conditions[ok], model,
                   dims_used=[dims_used[i] for i in ok], wall_seconds=time.perf_counter() - t0,
                   meta=meta)


def collect(fits, track_ids, conditions, model: SuperstatModel, *, dims_used=None,
            wall_seconds: float = 0.0, meta: dict | None = None) -> SuperstatResult:
    """Bundle a list of :class:`TrackFit` into a :class:`SuperstatResult`.

    Parameters
    ----------
    fits : list of TrackFit
        The fits (no ``None``).
    track_ids, conditions : array-like
        Track id and condition of each fit.
    model : SuperstatModel
        The settings they were fitted with.
    dims_used : array-like of int, optional
        Velocity components fitted per track (0 when not given).
    wall_seconds : float
        Wall time of the fits.
    meta : dict, optional
        Stored with the result (e.g. the cache key of :func:`load_or_fit`).

    Returns
    -------
    SuperstatResult
        Densities stacked, per-step sequences concatenated with ``offsets``.
    """
    lengths = [len(f.mean_persistence) for f in fits]
    cat = (lambda name: np.concatenate([getattr(f, name) for f in fits]) if fits
           else np.zeros(0))
    return SuperstatResult(
        track_ids=np.asarray(track_ids, dtype=object), conditions=np.asarray(conditions, dtype=object),
        model=model,
        densities=(np.stack([f.density for f in fits]) if fits
                   else np.zeros((0, model.n_persistence, model.n_speed), np.float32)),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(int),
        mean_persistence=cat("mean_persistence"), mean_speed=cat("mean_speed"),
        sd_persistence=cat("sd_persistence"), sd_speed=cat("sd_speed"),
        log10_evidence=np.array([f.log10_evidence for f in fits]),
        seconds=np.array([f.seconds for f in fits]),
        dims_used=np.asarray(dims_used if dims_used is not None else [0] * len(fits), dtype=int),
        wall_seconds=float(wall_seconds), meta=dict(meta or {}))


def subsample_per_condition(conditions, max_per_condition: int | None, seed: int = 0) -> np.ndarray:
    """Seeded subset of at most ``max_per_condition`` tracks per condition.

    Parameters
    ----------
    conditions : array-like
        The condition of each track.
    max_per_condition : int or None
        Tracks kept per condition; None keeps all.
    seed : int
        Seed of the draw.

    Returns
    -------
    numpy.ndarray
        Sorted integer indices of the kept tracks.
    """
    conditions = np.asarray(conditions)
    if max_per_condition is None:
        return np.arange(len(conditions))
    rng = np.random.default_rng(seed)
    keep = []
    for cond in dict.fromkeys(conditions.tolist()):
        idx = np.flatnonzero(conditions == cond)
        if len(idx) > max_per_condition:
            idx = rng.choice(idx, size=max_per_condition, replace=False)
        keep.extend(idx.tolist())
    return np.sort(np.asarray(keep, dtype=int))


# ----------------------------------------------------------------------------- caching

def velocity_digest(velocities) -> str:
    """Short fingerprint of a list of velocity arrays (detects changed input data)."""
    h = hashlib.sha256()
    for v in velocities:
        a = np.ascontiguousarray(np.asarray(v, dtype=np.float64))
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def load_or_fit(path, traj, model: SuperstatModel = SuperstatModel(), *, drop_flat_z: bool = True,
                refit: bool = False, **kwargs) -> SuperstatResult:
    """The fits of ``traj`` from ``path`` (``.npz``) if they match, else fit and save them.

    A saved result is reused only when the model settings, the track ids, the flat-z
    handling and a fingerprint of the velocities all match, so figures never refit and
    changed data never reuses stale posteriors.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` cache.
    traj : Trajectories
        The tracks.
    model : SuperstatModel
        The fit's settings.
    drop_flat_z : bool
        Fit 2D conditions stored with a flat z on x and y only.
    refit : bool
        Fit even when the cache matches.
    **kwargs
        Passed on to :func:`fit_trajectories` (``n_jobs``, ``progress``, ``on_error``, ...).

    Returns
    -------
    SuperstatResult
        The fits; ``meta["loaded_from_cache"]`` is True when read from ``path``.
    """
    path = Path(path)
    key = {"digest": velocity_digest(traj.velocities), "drop_flat_z": bool(drop_flat_z),
           "flat_z": sorted(traj.flat_z)}
    if path.exists() and not refit:
        try:
            old = SuperstatResult.load(path)
        except Exception:  # unreadable or old format: fit again
            old = None
        fitted = list(old.track_ids) + list(old.meta.get("failed", [])) if old is not None else []
        if (old is not None and old.model == model
                and sorted(map(str, fitted)) == sorted(map(str, traj.track_ids))
                and all(old.meta.get(k) == v for k, v in key.items())):
            old.meta["loaded_from_cache"] = True
            return old
    res = fit_trajectories(traj, model, drop_flat_z=drop_flat_z, meta=key, **kwargs)
    res.save(path)
    return res


# ----------------------------------------------------------------------------- grids that fit
#: Quantile of the tracks' speeds that sets the speed grid (:func:`speed_range_for`).
SPEED_QUANTILE = 0.99
#: Head room above that quantile: a cell's speed drifts around its track average, so the
#: fastest stretches of the fastest tracks lie above it.
SPEED_HEADROOM = 1.5
#: Share of the speed range at its top end that :func:`grid_edge_check` inspects.
EDGE_BAND = 0.05
#: Largest share of a condition's posterior mass allowed in that band. A grid that holds
#: the posterior leaves only a thin tail there; mass cut off by the edge is added to the
#: band, so more than 1 % there means at least that much mass was squeezed in, enough to
#: move the summaries the chapters print to two decimals.
EDGE_MASS_MAX = 0.01


def track_speed_scale(velocities) -> np.ndarray:
    """Each track's speed in the model's sense: the root mean square of its velocity
    components (the stationary s.d. of one component, ``c``), in the velocities' units."""
    return np.array([float(np.sqrt(np.mean(np.square(np.asarray(v, float))))) for v in velocities])


def speed_range_for(velocities, quantile: float = SPEED_QUANTILE,
                    headroom: float = SPEED_HEADROOM) -> tuple:
    """A speed grid ``(0, c_max)`` that fits the tracks, in the velocities' units.

    On the report's kind of data (about 1 µm/min) it lands near the report's 1.5 µm/min; on
    cells ten times faster it is ten times wider; in px/frame it is in px/frame.

    Parameters
    ----------
    velocities : iterable of array-like
        Velocity tracks ``(T_i, d)``.
    quantile : float
        Quantile of the tracks' speeds (:func:`track_speed_scale`) taken.
    headroom : float
        Factor on that quantile.

    Returns
    -------
    tuple of float
        ``(0.0, c_max)``: ``headroom`` times the quantile, rounded up to two significant
        digits.

    Raises
    ------
    ValueError
        No track has a finite, non-zero speed.
    """
    c = track_speed_scale(velocities)
    c = c[np.isfinite(c) & (c > 0)]
    if not len(c):
        raise ValueError("no track with a finite, non-zero speed to set the speed grid")
    top = headroom * float(np.quantile(c, quantile))
    digits = 1 - int(np.floor(np.log10(top)))
    return (0.0, float(np.ceil(top * 10 ** digits) / 10 ** digits))


def grid_edge_check(result: "SuperstatResult", band: float = EDGE_BAND,
                    max_mass: float = EDGE_MASS_MAX) -> pd.DataFrame:
    """Does posterior mass pile at the top of the speed grid? One row per condition.

    The persistence grid ends at -1 and 1, where the model itself ends, so only the speed
    edge is checked.

    Parameters
    ----------
    result : SuperstatResult
        The fits.
    band : float
        Top share of the speed range checked.
    max_mass : float
        Most mass allowed in that band.

    Returns
    -------
    pandas.DataFrame
        Columns ``condition``, ``n_tracks``, ``edge_mass`` (share of the condition's density
        in the top ``band`` of the speed range), ``tracks_at_edge`` (tracks whose own density
        puts more than ``max_mass`` there), ``peak_speed`` (of the speed marginal),
        ``speed_max`` and ``piled`` (``edge_mass > max_mass`` or the peak on the last grid
        point).
    """
    grid = result.model.speed_grid
    top = grid >= result.model.speed_range[1] - band * (result.model.speed_range[1] - result.model.speed_range[0])
    top[-1] = True
    rows = []
    for cond in result.condition_names:
        d = result.condition_density(cond)
        marg = d.sum(axis=0)
        per_track = result.densities[result.conditions == cond].astype(float).sum(axis=1)
        per_track = per_track[:, top].sum(axis=1) / per_track.sum(axis=1)
        edge = float(marg[top].sum())
        peak = int(np.argmax(marg))
        rows.append({"condition": cond, "n_tracks": int((result.conditions == cond).sum()),
                     "edge_mass": edge, "tracks_at_edge": int((per_track > max_mass).sum()),
                     "peak_speed": float(grid[peak]), "speed_max": float(result.model.speed_range[1]),
                     "piled": bool(edge > max_mass or peak == len(grid) - 1)})
    return pd.DataFrame(rows, columns=["condition", "n_tracks", "edge_mass", "tracks_at_edge",
                                       "peak_speed", "speed_max", "piled"])


def widened(model: SuperstatModel, factor: float = 2.0) -> SuperstatModel:
    """The same model on a speed grid ``factor`` times as wide (same number of points)."""
    from dataclasses import replace

    lo, hi = model.speed_range
    return replace(model, speed_range=(float(lo), float(lo + factor * (hi - lo))))


def fit_on_fitting_grid(fit, model: SuperstatModel, *, max_widenings: int = 2,
                        factor: float = 2.0):
    """Fit, check the speed edge, and refit on a wider grid while mass piles there.

    After each fit :func:`grid_edge_check` runs on every result; while any condition piles at
    the edge the grid is widened by ``factor`` (:func:`widened`), at most ``max_widenings``
    times.

    Parameters
    ----------
    fit : callable
        ``model -> SuperstatResult`` or ``model -> list of SuperstatResult`` (all fitted on
        one grid, e.g. original and generated tracks, so they stay comparable).
    model : SuperstatModel
        The first grid.
    max_widenings : int
        Widenings at most.
    factor : float
        Widening factor of the speed range.

    Returns
    -------
    results : SuperstatResult or list of SuperstatResult
        What the last call of ``fit`` returned.
    model : SuperstatModel
        The grid of the last fit.
    check : pandas.DataFrame
        The rows of the last :func:`grid_edge_check` of every result, with column ``result``
        (its position). ``check.attrs`` holds ``attempts`` (fits run), ``history`` (per grid
        that was too narrow: a dict of its ``speed_max`` and ``piled``, the
        ``(result, condition)`` pairs that piled) and ``withheld`` (sorted conditions still
        piling: their numbers must not be reported as results).
    """
    attempts, history = 0, []
    while True:
        out = fit(model)
        results = out if isinstance(out, (list, tuple)) else [out]
        attempts += 1
        checks = [grid_edge_check(r).assign(result=k) for k, r in enumerate(results)]
        check = pd.concat(checks, ignore_index=True) if checks else pd.DataFrame()
        piled = bool(len(check) and check["piled"].any())
        if piled:
            history.append({"speed_max": float(model.speed_range[1]),
                            "piled": [(int(r["result"]), str(r["condition"]))
                                      for r in check.to_dict("records") if r["piled"]]})
        if not piled or attempts > max_widenings:
            break
        model = widened(model, factor)
    check.attrs["attempts"] = attempts
    check.attrs["history"] = history
    check.attrs["withheld"] = (sorted(set(check.loc[check["piled"], "condition"].astype(str)))
                               if len(check) else [])
    return out, model, check

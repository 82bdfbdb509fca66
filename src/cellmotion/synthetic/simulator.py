"""Synthetic cell tracks from the superstatistical persistent random walk.

The report's 311 trajectories (Rieke 2016, Table 1) were never published. The book's
default dataset is therefore a synthetic stand-in drawn from the motion model of
Metzner et al. (2015): velocities follow

    v_t = q_t v_{t-1} + a_t n_t,        n_t ~ N(0, 1) in every dimension,

with a persistence ``q_t`` and an activity ``a_t`` that drift slowly over time and differ
between cells. The cell speed (the stationary standard deviation of one velocity
component) is ``c_t = a_t / sqrt(1 - q_t**2)``. Positions are the cumulative sum of
``v_t * dt`` plus tracking noise of 2 µm r.m.s. (the report's stated tracking accuracy).

The per-condition parameters in :data:`DEFAULT_CONDITIONS` are inputs at the native
sampling interval; they were chosen so that the persistence and speed *measured at the
report's 5-min resampling* land near the peaks of the report's Figure 10 (see
:data:`CALIBRATION_TARGETS` and the data chapter, which shows targets and measurements
side by side).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import atomic_path, project_path


@dataclass(frozen=True)
class ConditionModel:
    """Parameters of one condition of the synthetic dataset.

    Persistence values are per native time step; speeds are in µm/min (stationary standard
    deviation of one velocity component); times in minutes; lengths in µm.
    """

    name: str
    n_tracks: int
    n_positions: int
    dt: float                     # native sampling interval [min]
    dims: int                     # 3 = 3D, 2 = flat 2D (z stored as 0)
    persistence: float            # median persistence per native step, in (-1, 1)
    persistence_spread: float     # between-cell s.d. of arctanh(persistence)
    speed: float                  # median cell speed [µm/min]
    speed_spread: float           # between-cell s.d. of ln(speed)
    drift: float                  # s.d. of the slow drift of arctanh(q) and ln(c) within a cell
    drift_time: float             # correlation time of that drift [min]
    noise: float = 2.0            # tracking noise, r.m.s. of the position error [µm]
    noise_time: float = 0.0       # correlation time of the tracking error [min] (0 = white)


#: Persistence and speed at 5-min sampling, read off the peaks of the report's Figure 10.
CALIBRATION_TARGETS = {
    "Collagen": {"persistence": -0.15, "speed": 0.55},
    "Plastic": {"persistence": 0.25, "speed": 0.33},
    "Fibronectin": {"persistence": 0.9, "speed": 0.6},
}

#: The default dataset: Table 1 of the report (counts, lengths, intervals, 3D/2D).
DEFAULT_CONDITIONS = (
    ConditionModel("Collagen", 65, 577, 2.5, 3, persistence=0.05, persistence_spread=0.25,
                   speed=0.55, speed_spread=0.35, drift=0.25, drift_time=60.0,
                   noise=2.0, noise_time=0.0),
    ConditionModel("Plastic", 177, 998, 1.0, 2, persistence=0.72, persistence_spread=0.25,
                   speed=0.35, speed_spread=0.35, drift=0.25, drift_time=60.0,
                   noise=2.0, noise_time=30.0),
    ConditionModel("Fibronectin", 69, 998, 1.0, 2, persistence=0.995, persistence_spread=0.45,
                   speed=0.64, speed_spread=0.35, drift=0.25, drift_time=60.0,
                   noise=2.0, noise_time=30.0),
)


def _ou(n: int, sd: float, corr_time: float, dt: float, rng: np.random.Generator,
        size: tuple = ()) -> np.ndarray:
    """Stationary Ornstein-Uhlenbeck samples (zero mean, s.d. ``sd``) on ``n`` steps of ``dt``.

    ``corr_time = 0`` gives white noise. Shape ``(n, *size)``.
    """
    if corr_time <= 0:
        return rng.normal(0.0, sd, size=(n, *size))
    rho = np.exp(-dt / corr_time)
    out = np.empty((n, *size))
    out[0] = rng.normal(0.0, sd, size=size)
    kicks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), size=(n, *size))
    for i in range(1, n):
        out[i] = rho * out[i - 1] + kicks[i]
    return out


def simulate_ar1_velocities(persistence, activity, dims: int, rng: np.random.Generator,
                            v0=None) -> np.ndarray:
    """Velocities of the persistent random walk ``v_t = q_t v_{t-1} + a_t n_t``.

    ``persistence`` and ``activity`` are arrays of length T (or scalars with T given by the
    other); returns ``(T, dims)`` velocities in the units of ``activity`` (µm/min). The
    first velocity is drawn from the stationary distribution of the first step.
    """
    q = np.atleast_1d(np.asarray(persistence, dtype=float))
    a = np.atleast_1d(np.asarray(activity, dtype=float))
    q, a = np.broadcast_arrays(q, a)
    if np.any(np.abs(q) >= 1):
        raise ValueError("persistence must lie strictly between -1 and 1")
    if np.any(a < 0):
        raise ValueError("activity must be non-negative")
    n = rng.normal(size=(len(q), dims))
    v = np.empty((len(q), dims))
    prev = (np.asarray(v0, dtype=float) if v0 is not None
            else rng.normal(size=dims) * a[0] / np.sqrt(1 - q[0] ** 2))
    for t in range(len(q)):
        prev = q[t] * prev + a[t] * n[t]
        v[t] = prev
    return v


def simulate_track(model: ConditionModel, rng: np.random.Generator, *,
                   with_noise: bool = True, return_parameters: bool = False,
                   noise_override: tuple | None = None, noise_rng: np.random.Generator | None = None):
    """One track of ``model``: positions ``(n_positions, 3)`` in µm (z = 0 for 2D).

    The cell draws its own median persistence and speed; both drift (Ornstein-Uhlenbeck
    on arctanh(q) and ln(c)) with s.d. ``model.drift`` and correlation time
    ``model.drift_time``. With ``return_parameters`` also returns the per-step persistence
    and speed actually used. ``noise_override=(noise, noise_time)`` shows the *same* cell
    through another tracking error: the model's error is still drawn from ``rng`` (so later
    tracks stay the same cells), and replaced by one drawn from ``noise_rng``.
    """
    steps = model.n_positions - 1
    u_cell = np.arctanh(model.persistence) + rng.normal(0, model.persistence_spread)
    ln_c_cell = np.log(model.speed) + rng.normal(0, model.speed_spread)
    u = u_cell + _ou(steps, model.drift, model.drift_time, model.dt, rng)
    q = np.clip(np.tanh(u), -0.999, 0.999)
    c = np.exp(ln_c_cell + _ou(steps, model.drift, model.drift_time, model.dt, rng))
    a = c * np.sqrt(1 - q**2)
    v = simulate_ar1_velocities(q, a, model.dims, rng)
    pos = np.zeros((model.n_positions, 3))
    start = rng.uniform(0, 400, size=model.dims)
    pos[:, : model.dims] = start + np.vstack([np.zeros(model.dims), np.cumsum(v * model.dt, axis=0)])
    if with_noise and model.noise > 0:
        per_component = model.noise / np.sqrt(model.dims)
        error = _ou(model.n_positions, per_component, model.noise_time, model.dt, rng,
                    size=(model.dims,))
        if noise_override is None:
            pos[:, : model.dims] += error
    if with_noise and noise_override is not None:
        noise, noise_time = (float(x) for x in noise_override)
        if noise_rng is None:
            raise ValueError("noise_override needs its own noise_rng")
        pos[:, : model.dims] += _ou(model.n_positions, noise / np.sqrt(model.dims), noise_time,
                                    model.dt, noise_rng, size=(model.dims,))
    if return_parameters:
        return pos, q, c
    return pos


def simulate_dataset(models=DEFAULT_CONDITIONS, seed: int = 0, *, with_noise: bool = True,
                     scale: float = 1.0, progress: bool = False, return_parameters: bool = False,
                     noise_override: tuple | None = None):
    """Tidy table of synthetic tracks for the given condition models.

    The same seed always gives the same table.

    Parameters
    ----------
    models : iterable of ConditionModel
        The conditions to simulate.
    seed : int
        Seed of the simulation.
    with_noise : bool
        Add each condition's tracking error to the positions.
    scale : float
        Multiplies the number of tracks per condition (at least two tracks each), for quick
        experiments.
    progress : bool
        Show a progress bar over conditions.
    return_parameters : bool
        Also return the per-track parameters.
    noise_override : tuple of float, optional
        ``(noise, noise_time)`` (r.m.s. µm, correlation time min) gives every condition that
        tracking error instead of its own, for the *same* cells (same track ids, same motion):
        the ablation that asks what the per-condition noise models contribute.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``track_id`` (``<Condition>_<nnn>``), ``condition``, ``t`` [min], ``x``,
        ``y``, ``z`` [µm].
    parameters : dict
        Only with ``return_parameters``: ``{track_id: (persistence, speed)}``, the
        per-native-step values each track was drawn with (same table, same random stream).
    """
    rng = np.random.default_rng(seed)
    noise_rng = np.random.default_rng([seed, 2016]) if noise_override is not None else None
    frames, params = [], {}
    models = list(models)
    iterator = models
    if progress:
        from ..console import progress as console_progress
        iterator = console_progress(models, desc="simulating conditions")
    for m in iterator:
        n_tracks = max(2, int(round(m.n_tracks * scale)))
        crng = np.random.default_rng(rng.integers(2**63))
        for i in range(n_tracks):
            pos, q, c = simulate_track(m, crng, with_noise=with_noise, return_parameters=True,
                                       noise_override=noise_override, noise_rng=noise_rng)
            params[f"{m.name}_{i:03d}"] = (q, c)
            frames.append(pd.DataFrame({
                "track_id": f"{m.name}_{i:03d}", "condition": m.name,
                "t": np.arange(m.n_positions) * m.dt,
                "x": pos[:, 0], "y": pos[:, 1], "z": pos[:, 2]}))
    df = pd.concat(frames, ignore_index=True)
    return (df, params) if return_parameters else df


def default_models(n_positions: int | None = None, scale_noise: float = 1.0,
                   shared_noise: tuple | None = None):
    """The default condition models, optionally with another track length or noise level.

    ``shared_noise=(noise, noise_time)`` gives every condition the same tracking-noise model
    (r.m.s. µm, correlation time min; e.g. ``(2.0, 0.0)``: white noise of 2 µm), for the
    ablation that asks what the per-condition noise models change (by default Collagen has
    white noise and the 2D conditions noise correlated over 30 min).
    """
    out = []
    for m in DEFAULT_CONDITIONS:
        kw = {}
        if n_positions is not None:
            kw["n_positions"] = n_positions
        if shared_noise is not None:
            kw["noise"], kw["noise_time"] = float(shared_noise[0]), float(shared_noise[1])
        if scale_noise != 1.0:
            kw["noise"] = kw.get("noise", m.noise) * scale_noise
        out.append(replace(m, **kw))
    return tuple(out)


def ensure_default_dataset(path="data/synthetic/tracks.csv", seed: int = 0) -> Path:
    """Write the default synthetic dataset to ``path`` unless it is already there.

    Returns the absolute path. Written atomically (temporary file, then rename), so an
    interrupted run never leaves half a dataset behind.
    """
    path = project_path(path, create=False)
    if path.exists():
        return path
    df = simulate_dataset(seed=seed)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, float_format="%.4f")
    return path

"""Classic motility measures, each on one track (celltrackR-style names).

Velocities are ``(T, d)`` arrays in µm/min, positions ``(T + 1, d)`` arrays in µm, times
in minutes (or px and frames for uncalibrated data). Measures apply per step
(:func:`step_speeds`, :func:`turning_angles`), per track (every other function), and through
:func:`per_track` and :func:`per_subtrack` to many tracks or to every sub-track of a given
number of steps, as celltrackR's ``sapply(tracks, measure)`` and ``subtracks`` do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .preprocess import velocities_to_positions


def step_speeds(v: np.ndarray) -> np.ndarray:
    """Speed of every step.

    Parameters
    ----------
    v : array-like
        Velocities of one track, shape ``(T, d)`` [µm/min].

    Returns
    -------
    numpy.ndarray
        ``|v_t|`` in µm/min, shape ``(T,)``.
    """
    return np.linalg.norm(np.asarray(v, dtype=float), axis=1)


def turning_angles(v: np.ndarray, min_speed: float = 0.0) -> np.ndarray:
    """Angle between consecutive steps.

    Parameters
    ----------
    v : array-like
        Velocities of one track, shape ``(T, d)`` [µm/min].
    min_speed : float
        Steps not faster than this (µm/min) have no defined direction and are dropped from
        the pairs they take part in (steps of speed 0 always are).

    Returns
    -------
    numpy.ndarray
        Angles in radians, in [0, π], one per kept pair: at most ``T - 1``.
    """
    v = np.asarray(v, dtype=float)
    a, b = v[:-1], v[1:]
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    ok = (na > min_speed) & (nb > min_speed) & (na > 0) & (nb > 0)
    cos = np.sum(a[ok] * b[ok], axis=1) / (na[ok] * nb[ok])
    return np.arccos(np.clip(cos, -1.0, 1.0))


def msd(positions: np.ndarray, max_lag: int | None = None) -> np.ndarray:
    """Mean squared displacement of one track, averaged over start times.

    Parameters
    ----------
    positions : array-like
        Positions ``(T, d)`` [µm] at equal time steps.
    max_lag : int, optional
        Largest lag in steps (capped at ``T - 1``, the default).

    Returns
    -------
    numpy.ndarray
        MSD [µm²] for lags 1..``max_lag``, shape ``(max_lag,)``.
    """
    r = np.asarray(positions, dtype=float)
    max_lag = len(r) - 1 if max_lag is None else min(max_lag, len(r) - 1)
    return np.array([np.mean(np.sum((r[k:] - r[:-k]) ** 2, axis=1)) for k in range(1, max_lag + 1)])


def net_displacement(positions: np.ndarray) -> float:
    """Distance between first and last position [µm]."""
    r = np.asarray(positions, dtype=float)
    return float(np.linalg.norm(r[-1] - r[0]))


def path_length(positions: np.ndarray) -> float:
    """Total distance travelled [µm]."""
    return float(np.sum(np.linalg.norm(np.diff(np.asarray(positions, dtype=float), axis=0), axis=1)))


def straightness(positions: np.ndarray) -> float:
    """Confinement ratio: net displacement / path length, in [0, 1] (0 for a track that never moves)."""
    length = path_length(positions)
    return net_displacement(positions) / length if length > 0 else 0.0


def lag1_autocorrelation(v: np.ndarray) -> float:
    """Lag-1 autocorrelation of the velocity components, pooled over dimensions.

    For the persistent random walk ``v_t = q v_{t-1} + a n_t`` this estimates ``q``. Each
    component is centred on its own mean first.
    """
    v = np.asarray(v, dtype=float)
    v = v - v.mean(axis=0)
    den = np.sum(v * v)
    return float(np.sum(v[1:] * v[:-1]) / den) if den > 0 else 0.0


def component_speed(v: np.ndarray) -> float:
    """Root-mean-square velocity component [µm/min], the cell speed of the random-walk model."""
    v = np.asarray(v, dtype=float)
    return float(np.sqrt(np.mean((v - v.mean(axis=0)) ** 2)))


def track_extent(positions: np.ndarray) -> float:
    """Largest distance of any position from the track's start [µm]."""
    r = np.asarray(positions, dtype=float)
    return float(np.max(np.linalg.norm(r - r[0], axis=1)))


def per_track(measure, tracks) -> np.ndarray:
    """Apply a one-track measure returning a number to every track (array) of a list."""
    return np.array([measure(t) for t in tracks], dtype=float)


def per_subtrack(measure, positions: np.ndarray, steps: int, overlap: int | None = None) -> np.ndarray:
    """Apply a one-track measure to every sub-track of ``steps`` steps of one track.

    Sub-tracks start every ``steps - overlap`` positions (``overlap=None``: ``steps - 1``, i.e.
    every position, as celltrackR's ``subtracks(x, i)``); a track shorter than ``steps``
    steps gives an empty array.
    """
    r = np.asarray(positions, dtype=float)
    stride = 1 if overlap is None else max(1, steps - int(overlap))
    starts = range(0, len(r) - steps, stride)
    return np.array([measure(r[s:s + steps + 1]) for s in starts], dtype=float)


def track_table(traj) -> pd.DataFrame:
    """Classic motility measures, one row per track.

    2D conditions stored with a flat z are measured on x and y only, so a zero z series does
    not bias persistence or speed.

    Parameters
    ----------
    traj : Trajectories
        The tracks.

    Returns
    -------
    pandas.DataFrame
        Columns ``track_id``, ``condition``, ``steps`` (velocity steps), ``persistence``
        (lag-1 velocity autocorrelation), ``speed`` (r.m.s. velocity component, µm/min),
        ``mean_step_speed`` (µm/min), ``straightness`` (net displacement / path length) and
        ``extent`` (largest distance from the start, µm), in ``traj``'s track order.
    """
    rows = []
    for i in range(len(traj)):
        v = traj.modelled_velocities(i)
        r = velocities_to_positions(v, traj.dt)
        rows.append({"track_id": traj.track_ids[i], "condition": traj.conditions[i],
                     "steps": len(v), "persistence": lag1_autocorrelation(v),
                     "speed": component_speed(v), "mean_step_speed": float(step_speeds(v).mean()),
                     "straightness": straightness(r), "extent": track_extent(r)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- many windows at once
#: The per-window measures of :func:`window_measures`, in column order. Fixed a priori (before
#: any dataset was scored) from celltrackR's per-track measures (Wortel et al. 2021): what a
#: cell biologist computes for a track. Every one is unchanged when a window is rotated.
WINDOW_MEASURES = (
    "mean speed",            # celltrackR speed: path length / duration
    "median speed",          # median step speed
    "speed s.d.",            # s.d. of the step speeds
    "straightness",          # celltrackR straightness: displacement / path length
    "displacement ratio",    # celltrackR displacementRatio: displacement / max. displacement
    "outreach ratio",        # celltrackR outreachRatio: max. displacement / path length
    "mean turning angle [rad]",  # mean unsigned angle between consecutive steps
    "mean cos turning",      # mean cosine of that angle
    "lag-1 autocorrelation",  # lag-1 velocity autocorrelation (components centred, pooled)
    "radius of gyration",    # sqrt(mean squared distance of positions from their centroid)
    "asphericity",           # celltrackR asphericity of the gyration tensor, in [0, 1]
    "msd exponent",          # slope of log MSD against log lag, lags 1 .. max(2, T // 4)
    "net displacement",      # celltrackR displacement: |last - first position|
)


def _as_windows(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"expected windows (n_windows, n_steps, n_dims), got shape {X.shape}")
    return X


def _ratio(num, den, empty: float) -> np.ndarray:
    ok = den > 0
    return np.where(ok, num / np.where(ok, den, 1.0), empty)


def window_measures(X, dt: float = 1.0) -> np.ndarray:
    """The :data:`WINDOW_MEASURES` of every velocity window, ``(n_windows, 13)``.

    Parameters
    ----------
    X : array ``(n_windows, n_steps, d)``
        Velocities of each window (µm/min, or px/frame for uncalibrated data).
    dt : float
        Time per step (min or frames); positions are ``cumsum(v) dt`` from 0.

    Returns
    -------
    numpy.ndarray
        One row per window, the columns of :data:`WINDOW_MEASURES`: speeds in the unit of
        ``X``, displacements and radius of gyration in its length unit, the rest unitless.
        Windows that never move get straightness, displacement ratio, outreach ratio,
        asphericity and lag-1 autocorrelation 0, mean turning angle π/2, mean cosine 0 and MSD
        exponent 0. Steps of zero length have no direction and take no part in turning angles.

    Notes
    -----
    The measures follow celltrackR's definitions (Wortel et al. 2021, *ImmunoHorizons*) applied
    to a window, computed for all windows at once. All of them depend only on distances and
    angles, so they do not change when a window is rotated (tested).
    """
    X = _as_windows(X)
    n, T, d = X.shape
    speed = np.linalg.norm(X, axis=-1)
    r = np.concatenate([np.zeros((n, 1, d)), np.cumsum(X * dt, axis=1)], axis=1)  # (n, T+1, d)
    path = speed.sum(axis=1) * dt
    net = np.linalg.norm(r[:, -1], axis=-1)
    reach = np.linalg.norm(r, axis=-1).max(axis=1)
    # turning between consecutive non-zero steps
    a, b = X[:, :-1], X[:, 1:]
    na, nb = speed[:, :-1], speed[:, 1:]
    ok = (na > 0) & (nb > 0)
    cos = np.clip(np.sum(a * b, axis=-1) / np.where(ok, na * nb, 1.0), -1.0, 1.0)
    n_ok = ok.sum(axis=1)
    mean_ang = _ratio(np.where(ok, np.arccos(cos), 0.0).sum(axis=1), n_ok, np.pi / 2)
    mean_cos = _ratio(np.where(ok, cos, 0.0).sum(axis=1), n_ok, 0.0)
    # lag-1 autocorrelation of the centred components
    c = X - X.mean(axis=1, keepdims=True)
    ac = _ratio(np.sum(c[:, 1:] * c[:, :-1], axis=(1, 2)), np.sum(c * c, axis=(1, 2)), 0.0)
    # gyration tensor of the positions
    rc = r - r.mean(axis=1, keepdims=True)
    gyr = np.einsum("nti,ntj->nij", rc, rc) / (T + 1)
    lam = np.linalg.eigvalsh(gyr)
    tr = lam.sum(axis=1)
    rg = np.sqrt(np.maximum(tr, 0.0))
    pairs = sum((lam[:, i] - lam[:, j]) ** 2 for i in range(d) for j in range(i + 1, d)) \
        if d > 1 else np.zeros(n)
    asph = _ratio(pairs, max(d - 1, 1) * tr ** 2, 0.0)
    # MSD exponent over short lags
    lags = np.arange(1, max(2, T // 4) + 1)
    lags = lags[lags <= T]
    m = np.stack([np.mean(np.sum((r[:, k:] - r[:, :-k]) ** 2, axis=-1), axis=1) for k in lags], axis=1)
    moving = np.all(m > 0, axis=1)
    lx = np.log(lags) - np.log(lags).mean()
    ly = np.log(np.where(m > 0, m, 1.0))
    slope = (ly - ly.mean(axis=1, keepdims=True)) @ lx / np.sum(lx * lx)
    alpha = np.where(moving, slope, 0.0) if len(lags) > 1 else np.zeros(n)
    return np.column_stack([
        speed.mean(axis=1), np.median(speed, axis=1), speed.std(axis=1),
        _ratio(net, path, 0.0), _ratio(net, reach, 0.0), _ratio(reach, path, 0.0),
        mean_ang, mean_cos, ac, rg, asph, alpha, net])

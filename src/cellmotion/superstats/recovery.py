"""Validation of the superstatistical fit: tracks with known parameters, and recovery errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..synthetic.simulator import simulate_ar1_velocities
from .compare import bhattacharyya


def known_parameter_tracks(kind: str = "constant", n_tracks: int = 4, n_steps: int = 288,
                           dims: int = 2, seed: int = 0, persistence=0.5, speed=0.4):
    """Simulated velocities with known persistence and speed [µm/min] per step.

    Parameters
    ----------
    kind : str
        ``"constant"``: ``persistence`` and ``speed`` fixed; ``"drifting"``: both ramp
        linearly over the track (persistence -0.2 -> 0.7, speed 0.3 -> 0.7 µm/min).
    n_tracks : int
        Tracks simulated.
    n_steps : int
        Velocity steps per track.
    dims : int
        Velocity components.
    seed : int
        Seed of the simulation.
    persistence, speed : float
        The fixed parameters of ``"constant"`` tracks.

    Returns
    -------
    velocities : list of numpy.ndarray
        ``n_tracks`` arrays ``(n_steps, dims)`` [µm/min].
    q, c : list of numpy.ndarray
        The true persistence and speed ``(n_steps,)`` of each track.

    Raises
    ------
    ValueError
        An unknown ``kind``.
    """
    rng = np.random.default_rng(seed)
    if kind == "constant":
        q = np.full(n_steps, float(persistence))
        c = np.full(n_steps, float(speed))
    elif kind == "drifting":
        q = np.linspace(-0.2, 0.7, n_steps)
        c = np.linspace(0.3, 0.7, n_steps)
    else:
        raise ValueError(f"kind must be 'constant' or 'drifting', got {kind!r}")
    vels = [simulate_ar1_velocities(q, c * np.sqrt(1 - q**2), dims, rng) for _ in range(n_tracks)]
    return vels, [q] * n_tracks, [c] * n_tracks


def recovery_errors(fits, q_true, c_true) -> dict:
    """Errors of the fitted posterior means against known parameters.

    Posterior step ``t`` is compared with the parameters of velocity ``t + 1``.

    Parameters
    ----------
    fits : iterable of TrackFit
        The fits of the tracks.
    q_true, c_true : iterable of array-like
        The true persistence and speed per velocity of each track
        (:func:`known_parameter_tracks`).

    Returns
    -------
    dict
        ``mae_persistence``: mean |q̂_t - q_t| over all steps and tracks; ``mre_speed``: mean
        |ĉ_t - c_t| / c_t; ``err_mean_persistence`` / ``relerr_mean_speed``: worst track error
        of the time-averaged estimates (absolute for persistence, relative for speed).
    """
    eq, ec, mq, mc = [], [], [], []
    for f, q, c in zip(fits, q_true, c_true):
        q, c = np.asarray(q)[1:], np.asarray(c)[1:]
        eq.append(np.abs(f.mean_persistence - q))
        ec.append(np.abs(f.mean_speed - c) / c)
        mq.append(abs(f.mean_persistence.mean() - q.mean()))
        mc.append(abs(f.mean_speed.mean() - c.mean()) / c.mean())
    return {"mae_persistence": float(np.mean(np.concatenate(eq))),
            "mre_speed": float(np.mean(np.concatenate(ec))),
            "err_mean_persistence": float(np.max(mq)), "relerr_mean_speed": float(np.max(mc))}


def grid_histogram(values, grid) -> np.ndarray:
    """Share of ``values`` in the cell of each point of an equally spaced ``grid``.

    Values beyond either end count in the end cells, as a fit on that grid would place them.

    Parameters
    ----------
    values : array-like
        The values (flattened).
    grid : array-like
        Equally spaced grid points.

    Returns
    -------
    numpy.ndarray
        Shares ``(len(grid),)``, summing to 1 (all 0 without values).
    """
    grid = np.asarray(grid, dtype=float)
    values = np.asarray(values, dtype=float).ravel()
    step = grid[1] - grid[0]
    idx = np.clip(np.round((values - grid[0]) / step).astype(int), 0, len(grid) - 1)
    return np.bincount(idx, minlength=len(grid)) / max(len(values), 1)


def recovery_against_truth(result, truth: dict) -> pd.DataFrame:
    """How the fitted densities of a condition compare with the parameters that drew its tracks.

    Posterior step ``t`` is compared with the parameters of velocity ``t + 1``.

    Parameters
    ----------
    result : SuperstatResult
        The fits (:class:`~cellmotion.superstats.fit.SuperstatResult`).
    truth : dict
        ``{track_id: (persistence, speed)}`` per analysed velocity (e.g. from
        :func:`cellmotion.synthetic.oracle.analysis_parameters`); tracks it lacks are left out.

    Returns
    -------
    pandas.DataFrame
        One row per condition with a known track: ``condition``, ``tracks`` and ``steps``
        compared; ``true mean q``, ``fitted mean q`` (posterior mean), ``bias q`` (fitted minus
        true), ``r q (per step)`` (correlation over steps of posterior mean and truth, NaN for a
        constant truth), ``overlap q`` (Bhattacharyya overlap of the condition density's
        persistence marginal with the histogram of the true values on the same grid), and the
        same for speed: ``true mean c``, ``fitted mean c``, ``relative bias c`` (fitted / true
        - 1), ``r c (per step)``, ``overlap c``.
    """
    rows = []
    for cond in result.condition_names:
        tq, tc, fq, fc, n = [], [], [], [], 0
        for i in np.flatnonzero(result.conditions == cond):
            tid = str(result.track_ids[i])
            if tid not in truth:
                continue
            s = slice(result.offsets[i], result.offsets[i + 1])
            q, c = (np.asarray(a, dtype=float) for a in truth[tid])
            m = min(s.stop - s.start, len(q) - 1)
            tq.append(q[1:1 + m])
            tc.append(c[1:1 + m])
            fq.append(result.mean_persistence[s][:m])
            fc.append(result.mean_speed[s][:m])
            n += 1
        if not n:
            continue
        tq, tc, fq, fc = (np.concatenate(a) for a in (tq, tc, fq, fc))
        d = result.condition_density(cond)
        rows.append({
            "condition": cond, "tracks": n, "steps": len(tq),
            "true mean q": float(tq.mean()), "fitted mean q": float(fq.mean()),
            "bias q": float(fq.mean() - tq.mean()),
            "r q (per step)": float(np.corrcoef(tq, fq)[0, 1]) if tq.std() > 0 else np.nan,
            "overlap q": bhattacharyya(d.sum(axis=1), grid_histogram(tq, result.persistence_grid)),
            "true mean c": float(tc.mean()), "fitted mean c": float(fc.mean()),
            "relative bias c": float(fc.mean() / tc.mean() - 1),
            "r c (per step)": float(np.corrcoef(tc, fc)[0, 1]) if tc.std() > 0 else np.nan,
            "overlap c": bhattacharyya(d.sum(axis=0), grid_histogram(tc, result.speed_grid)),
        })
    return pd.DataFrame(rows)

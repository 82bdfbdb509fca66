"""Validation of the superstatistical fit: tracks with known parameters, and recovery errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..synthetic.simulator import simulate_ar1_velocities
from .compare import bhattacharyya


def known_parameter_tracks(kind: str = "constant", n_tracks: int = 4, n_steps: int = 288,
                           dims: int = 2, seed: int = 0, persistence=0.5, speed=0.4):
    """Simulated velocities with known persistence and speed [µm/min] per step.

    ``kind="constant"``: ``persistence`` and ``speed`` fixed; ``"drifting"``: both ramp
    linearly over the track (persistence -0.2 -> 0.7, speed 0.3 -> 0.7 µm/min). Returns
    ``(velocities, q, c)``: lists of ``(n_steps, dims)`` arrays and ``(n_steps,)`` truths.
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

    ``mae_persistence``: mean |q̂_t - q_t| over all steps and tracks; ``mre_speed``: mean
    |ĉ_t - c_t| / c_t; ``err_mean_persistence`` / ``relerr_mean_speed``: worst track error
    of the time-averaged estimates. Posterior step ``t`` is compared with the parameters of
    velocity ``t + 1``.
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
    """Share of ``values`` in the cell of each point of an equally spaced ``grid`` (sums to 1).

    Values beyond either end count in the end cells, as a fit on that grid would place them.
    """
    grid = np.asarray(grid, dtype=float)
    values = np.asarray(values, dtype=float).ravel()
    step = grid[1] - grid[0]
    idx = np.clip(np.round((values - grid[0]) / step).astype(int), 0, len(grid) - 1)
    return np.bincount(idx, minlength=len(grid)) / max(len(values), 1)


def recovery_against_truth(result, truth: dict) -> pd.DataFrame:
    """How the fitted densities of a condition compare with the parameters that drew its tracks.

    ``result``: a :class:`~cellmotion.superstats.fit.SuperstatResult`; ``truth``: ``{track_id:
    (persistence, speed)}`` per analysed velocity (e.g. from
    :func:`cellmotion.synthetic.oracle.analysis_parameters`). Posterior step ``t`` is compared
    with the parameters of velocity ``t + 1``. One row per condition: tracks and steps
    compared; mean true and mean fitted (posterior mean) persistence and speed, the bias
    (fitted minus true; relative for the speed), the correlation over steps of posterior mean
    and truth, and the Bhattacharyya overlap of each marginal of the condition's density with
    the histogram of the true values on the same grid.
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

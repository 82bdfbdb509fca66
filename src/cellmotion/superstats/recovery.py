"""Validation of the superstatistical fit: tracks with known parameters, and recovery errors."""

from __future__ import annotations

import numpy as np

from ..synthetic.simulator import simulate_ar1_velocities


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

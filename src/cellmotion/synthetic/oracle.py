"""The simulator's own likelihood: how well could a model with each cell's true parameters do?

On the synthetic stand-in we know what generated every track: the per-step persistence
``q_t`` and speed ``c_t`` of each cell (:func:`cellmotion.synthetic.simulator.simulate_track`),
the native sampling interval, the tracking noise and the resampling to the analysis interval.
The likelihood of an observed track under those true values is the **ceiling** for any model
of the held-out likelihood table: no model that has to learn the parameters can beat it in
expectation.

The observed velocities are not an AR(1) process: positions carry tracking noise (white or
correlated over time) and only every ``k``-th position is kept. Per velocity component the
truth is a linear Gaussian state-space model on the native time step, with the state

    s = (v, d, e, e_obs)

``v`` the current native velocity, ``d`` the displacement since the last kept position,
``e`` the current tracking error and ``e_obs`` the tracking error of the last kept position.
Each native step applies

    v <- q_t v + a_t n_t,  d <- d + dt v,  e <- rho e + s_e sqrt(1 - rho^2) m_t,

with ``a_t = c_t sqrt(1 - q_t^2)``, and every ``k`` steps the analysed velocity
``u = (d + e - e_obs) / (k dt)`` is observed, after which ``d <- 0`` and ``e_obs <- e``.
The Kalman filter gives the exact log-likelihood of the analysed velocities
(:func:`true_parameter_nll`). :func:`true_parameters_for` re-creates the default dataset's
parameters and checks that they belong to the tracks at hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .simulator import DEFAULT_CONDITIONS, ConditionModel, simulate_dataset


def true_parameter_nll(velocities, persistence, speed, *, dt: float, k: int, noise: float = 0.0,
                       noise_time: float = 0.0, noise_dims: int | None = None) -> np.ndarray:
    """Summed NLL (nats) of velocities 2..J of each track under its true parameters.

    ``velocities``: list of ``(J, D)`` arrays, the analysed velocities [µm/min] of each track
    (differences of every ``k``-th position divided by ``k * dt``); ``persistence`` and
    ``speed``: lists of per-native-step arrays (at least ``J * k`` long; the first ``J * k``
    are used); ``dt`` the native interval [min]; ``noise`` the r.m.s. tracking error of a
    position [µm] spread over ``noise_dims`` components (default ``D``), ``noise_time`` its
    correlation time [min] (0: white). Returns one summed NLL per track, conditioned on the
    first velocity like every model of the held-out table (velocity units µm/min).

    Tracks are filtered together in batches of equal length.
    """
    if k < 1:
        raise ValueError(f"k (native steps per analysed step) must be at least 1, got {k}")
    vels = [np.asarray(v, dtype=float) for v in velocities]
    out = np.full(len(vels), np.nan)
    by_shape: dict = {}
    for i, v in enumerate(vels):
        if v.ndim != 2 or len(v) < 2:
            raise ValueError(f"track {i}: velocities must be (J >= 2, D), got shape {v.shape}")
        if len(persistence[i]) < len(v) * k or len(speed[i]) < len(v) * k:
            raise ValueError(f"track {i}: {len(v)} analysed steps need {len(v) * k} native "
                             f"parameter values, got {len(persistence[i])}")
        by_shape.setdefault(v.shape, []).append(i)
    for (J, D), idx in by_shape.items():
        U = np.stack([vels[i] for i in idx])                                   # (B, J, D)
        Q = np.stack([np.asarray(persistence[i], float)[: J * k] for i in idx])  # (B, J k)
        C = np.stack([np.asarray(speed[i], float)[: J * k] for i in idx])
        s_e = noise / np.sqrt(noise_dims or D)
        out[idx] = _filter(U, Q, C, dt=dt, k=k, s_e=s_e, noise_time=noise_time)
    return out


def _filter(U, Q, C, *, dt, k, s_e, noise_time) -> np.ndarray:
    """Kalman filter of the state-space model of the module docstring, batched over tracks."""
    B, J, D = U.shape
    rho = float(np.exp(-dt / noise_time)) if noise_time > 0 else 0.0
    A = C * np.sqrt(1.0 - Q**2)                        # activity per native step
    m = np.zeros((B, 4, D))                            # state means, one column per component
    P = np.zeros((B, 4, 4))                            # covariance, shared by the components
    P[:, 0, 0] = C[:, 0] ** 2                          # stationary velocity before the first step
    P[:, 2:, 2:] = s_e**2                              # e and e_obs: the same error at the start
    H = np.array([0.0, 1.0, 1.0, -1.0]) / (k * dt)
    reset = np.array([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0]], dtype=float)
    e_var = s_e**2 * (1.0 - rho**2)
    nll = np.zeros(B)
    for j in range(J):
        for n in range(j * k, (j + 1) * k):
            q, a2 = Q[:, n], A[:, n] ** 2
            F = np.zeros((B, 4, 4))
            F[:, 0, 0] = q
            F[:, 1, 0] = dt * q
            F[:, 1, 1] = 1.0
            F[:, 2, 2] = rho
            F[:, 3, 3] = 1.0
            W = np.zeros((B, 4, 4))
            W[:, 0, 0], W[:, 0, 1], W[:, 1, 0], W[:, 1, 1] = a2, dt * a2, dt * a2, dt**2 * a2
            W[:, 2, 2] = e_var
            m = F @ m
            P = F @ P @ F.transpose(0, 2, 1) + W
        PH = P @ H                                     # (B, 4)
        S = PH @ H                                     # innovation variance (B,)
        r = U[:, j, :] - np.einsum("i,bid->bd", H, m)  # innovations (B, D)
        if j > 0:                                      # condition on the first velocity
            nll += 0.5 * (D * np.log(2 * np.pi * S) + (r**2).sum(axis=1) / S)
        K = PH / S[:, None]
        m = m + K[:, :, None] * r[:, None, :]
        P = P - K[:, :, None] * PH[:, None, :]
        m = reset @ m
        P = reset @ P @ reset.T
    return nll


def true_parameters_for(tracks: pd.DataFrame, *, seed: int = 0, models=DEFAULT_CONDITIONS,
                        tolerance: float = 1e-2):
    """The true per-step parameters of ``tracks`` if they are the default synthetic dataset.

    Re-simulates the dataset (``seed``, ``models``) with its parameters and checks that every
    track of ``tracks`` has the same positions.

    Parameters
    ----------
    tracks : pandas.DataFrame
        A tidy table with ``track_id``, ``t``, ``x``, ``y``, ``z``.
    seed : int
        Seed of the simulation.
    models : iterable of ConditionModel
        The conditions simulated.
    tolerance : float
        Largest position difference accepted [µm] (the file stores four decimals).

    Returns
    -------
    tuple or None
        ``(params, models)``: ``params`` is ``{track_id: (persistence, speed)}`` (arrays per
        native step) for the tracks in ``tracks``, ``models`` is ``{condition: ConditionModel}``;
        ``None`` when the tracks are not the simulator's (another seed, another dataset).
    """
    sim, params = simulate_dataset(models, seed=seed, return_parameters=True)
    have = tracks.set_index(["track_id", "t"])[["x", "y", "z"]]
    want = sim.set_index(["track_id", "t"])[["x", "y", "z"]]
    common = have.index.intersection(want.index)
    if len(common) < len(have) or not np.allclose(have.loc[common].to_numpy(),
                                                  want.loc[common].to_numpy(), atol=tolerance):
        return None
    ids = set(tracks["track_id"].astype(str))
    return ({t: p for t, p in params.items() if t in ids},
            {m.name: m for m in models})


def ceiling_nll(velocities, track_ids, conditions, truth, *, interval: float) -> dict:
    """Summed NLL of analysed velocities under the simulator's true parameters.

    Tracks without known parameters are left out.

    Parameters
    ----------
    velocities : sequence of array-like
        Analysed velocity tracks ``(T_i, d)``.
    track_ids, conditions : sequence
        Track id and condition of each track.
    truth : tuple
        The result of :func:`true_parameters_for`.
    interval : float
        The analysis interval [min] (a whole number of native steps of every condition).

    Returns
    -------
    dict
        ``{track_id: NLL}``: nats summed over velocities 2..J of each track, conditioned on
        the first like every model of the held-out table (velocity units µm/min).
    """
    params, models = truth
    out = {}
    for cond in dict.fromkeys(conditions):
        m: ConditionModel = models[cond]
        k = int(round(interval / m.dt))
        sel = [i for i, c in enumerate(conditions) if c == cond and str(track_ids[i]) in params]
        if not sel:
            continue
        nll = true_parameter_nll([velocities[i] for i in sel],
                                 [params[str(track_ids[i])][0] for i in sel],
                                 [params[str(track_ids[i])][1] for i in sel],
                                 dt=m.dt, k=k, noise=m.noise, noise_time=m.noise_time,
                                 noise_dims=m.dims)
        out.update({str(track_ids[i]): float(v) for i, v in zip(sel, nll)})
    return out


def analysis_parameters(persistence, speed, k: int):
    """Persistence and speed of the analysed (every ``k``-th position) velocities, per step.

    The analysed velocity is the mean of ``k`` native velocities. For a stationary AR(1) with
    persistence ``q`` and speed ``c`` its s.d. and lag-1 autocorrelation are

        c_k^2 = c^2 / k^2 * (k + 2 sum_{h=1}^{k-1} (k - h) q^h),
        q_k = c^2 / k^2 * sum_{i,l=1}^{k} q^(k + l - i) / c_k^2,

    evaluated with the mean native parameters of each block of ``k`` steps (they drift
    slowly). Tracking noise is not included: this is what a fit would find without it.

    Parameters
    ----------
    persistence, speed : array-like
        Native per-step persistence and speed of one track.
    k : int
        Native steps per analysed step.

    Returns
    -------
    q_k, c_k : numpy.ndarray
        Persistence and speed of the analysed steps, length ``len(persistence) // k``.
    """
    q = np.asarray(persistence, dtype=float)
    c = np.asarray(speed, dtype=float)
    J = len(q) // k
    qb = q[: J * k].reshape(J, k).mean(axis=1)
    cb = c[: J * k].reshape(J, k).mean(axis=1)
    h = np.arange(1, k)
    var = k + 2 * ((k - h)[None, :] * qb[:, None] ** h[None, :]).sum(axis=1)
    i, l = np.meshgrid(np.arange(1, k + 1), np.arange(1, k + 1), indexing="ij")
    cov = (qb[:, None] ** (k + l - i).ravel()[None, :]).sum(axis=1)
    return cov / var, cb * np.sqrt(var) / k

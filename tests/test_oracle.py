"""The simulator's own likelihood (the ceiling of the held-out NLL table) is exact and is a ceiling."""

from dataclasses import replace

import numpy as np
import pytest

from cellmotion.models.baselines import AR1
from cellmotion.synthetic.oracle import (analysis_parameters, ceiling_nll, true_parameter_nll,
                                         true_parameters_for)
from cellmotion.synthetic.simulator import DEFAULT_CONDITIONS, simulate_ar1_velocities, simulate_dataset

SMALL = tuple(replace(m, n_tracks=6, n_positions=121) for m in DEFAULT_CONDITIONS)


def _velocities(df, interval):
    """Velocities [µm/min] of every k-th position, as the chapters' resampling gives them."""
    out, ids, conds = [], [], []
    for tid, g in df.groupby("track_id", sort=True):
        dt = g["t"].diff().median()
        k = int(round(interval / dt))
        p = g[["x", "y", "z"]].to_numpy()[::k]
        dims = 3 if g["z"].abs().max() > 0 else 2
        out.append(np.diff(p, axis=0)[:, :dims] / interval)
        ids.append(tid)
        conds.append(g["condition"].iloc[0])
    return out, np.array(ids), np.array(conds)


def test_without_noise_and_resampling_it_is_the_ar1_likelihood():
    rng = np.random.default_rng(3)
    q = np.linspace(-0.4, 0.9, 150)
    c = np.linspace(0.2, 0.8, 150)
    a = c * np.sqrt(1 - q**2)
    v = simulate_ar1_velocities(q, a, 2, rng)
    direct = sum(0.5 * (np.log(2 * np.pi * a[t] ** 2) + (v[t] - q[t] * v[t - 1]) ** 2 / a[t] ** 2).sum()
                 for t in range(1, len(v)))
    got = true_parameter_nll([v], [q], [c], dt=1.0, k=1)[0]
    assert got == pytest.approx(direct, rel=1e-10)


def test_analysed_persistence_and_speed_match_a_long_simulation():
    rng = np.random.default_rng(4)
    q0, c0, k = 0.8, 0.5, 5
    v = simulate_ar1_velocities(np.full(400_000, q0), c0 * np.sqrt(1 - q0**2), 1, rng)[:, 0]
    u = v.reshape(-1, k).mean(axis=1)
    qk, ck = analysis_parameters(np.full(k, q0), np.full(k, c0), k)
    assert qk[0] == pytest.approx(np.corrcoef(u[:-1], u[1:])[0, 1], abs=0.01)
    assert ck[0] == pytest.approx(u.std(), rel=0.01)
    # one native step per analysed step: the parameters themselves
    q1, c1 = analysis_parameters([0.3, 0.5], [0.4, 0.6], 1)
    assert np.allclose(q1, [0.3, 0.5]) and np.allclose(c1, [0.4, 0.6])


def test_the_true_parameters_are_found_only_for_the_simulators_own_tracks():
    df = simulate_dataset(SMALL, seed=5)
    truth = true_parameters_for(df, seed=5, models=SMALL)
    assert truth is not None
    params, models = truth
    assert set(params) == set(df["track_id"]) and set(models) == {m.name for m in SMALL}
    assert all(len(q) == m.n_positions - 1 for m in SMALL
               for tid, (q, c) in params.items() if tid.startswith(m.name))
    assert true_parameters_for(df, seed=6, models=SMALL) is None
    moved = df.assign(x=df["x"] + 1.0)
    assert true_parameters_for(moved, seed=5, models=SMALL) is None


def test_the_ceiling_beats_a_shared_ar1_and_a_filter_that_ignores_the_noise():
    """On noisy resampled synthetic tracks the true model gives held-out steps the highest
    likelihood: above one AR(1) fitted to the training cells, and above the same parameters
    with the tracking noise left out."""
    models = tuple(replace(m, n_tracks=16, n_positions=301) for m in DEFAULT_CONDITIONS)
    df = simulate_dataset(models, seed=7)
    interval = 5.0
    vels, ids, conds = _velocities(df, interval)
    truth = true_parameters_for(df, seed=7, models=models)
    ceiling = ceiling_nll(vels, ids, conds, truth, interval=interval)
    params, by_name = truth
    for cond in by_name:
        sel = np.flatnonzero(conds == cond)
        train, test = sel[:8], sel[8:]
        test_v = [vels[i] for i in test]
        steps = sum(len(v) - 1 for v in test_v)
        ar1 = AR1().fit([vels[i] for i in train]).track_nll(test_v).sum() / steps
        ceil = sum(ceiling[ids[i]] for i in test) / steps
        m = by_name[cond]
        k = int(round(interval / m.dt))
        no_noise = true_parameter_nll(test_v, [params[ids[i]][0] for i in test],
                                      [params[ids[i]][1] for i in test], dt=m.dt, k=k).sum() / steps
        assert ceil < ar1, (cond, ceil, ar1)
        assert ceil < no_noise, (cond, ceil, no_noise)


def test_bad_input_is_refused():
    v = np.zeros((10, 2))
    with pytest.raises(ValueError, match="native parameter values"):
        true_parameter_nll([v], [np.zeros(5)], [np.ones(5)], dt=1.0, k=1)
    with pytest.raises(ValueError, match="at least 1"):
        true_parameter_nll([v], [np.zeros(10)], [np.ones(10)], dt=1.0, k=0)
    with pytest.raises(ValueError, match="J >= 2"):
        true_parameter_nll([np.zeros(3)], [np.zeros(10)], [np.ones(10)], dt=1.0, k=1)

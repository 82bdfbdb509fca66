"""Claims of the superstatistical analysis (cellmotion.superstats).

Recovery uses AR(1) velocities with known persistence q and speed c (c = a / sqrt(1 - q^2))
from cellmotion.synthetic.simulator, fitted at the report's grid (200 x 200) and transition model.
"""

import numpy as np
import pytest

from cellmotion import superstats as ss
from cellmotion.preprocess import Trajectories

FULL = ss.SuperstatModel()  # the report's settings
COARSE = ss.SuperstatModel(n_persistence=30, n_speed=30)

# Tolerances of the recovery claims
TOL_PERSISTENCE = 0.1  # absolute
TOL_SPEED = 0.15  # relative


@pytest.mark.parametrize("q,c", [(0.5, 0.4), (-0.2, 0.8)])
def test_recovers_constant_persistence_and_speed(q, c):
    vels, qt, ct = ss.known_parameter_tracks("constant", n_tracks=4, n_steps=288, dims=2,
                                             seed=1, persistence=q, speed=c)
    fits = ss.fit_tracks(vels, FULL, n_jobs=1, progress=False)
    err = ss.recovery_errors(fits, qt, ct)
    assert err["mae_persistence"] < TOL_PERSISTENCE
    assert err["mre_speed"] < TOL_SPEED
    assert err["err_mean_persistence"] < TOL_PERSISTENCE
    assert err["relerr_mean_speed"] < TOL_SPEED
    # the pooled density peaks at the truth
    s = ss.density_summary(np.mean([f.density for f in fits], axis=0), FULL)
    assert abs(s["peak_persistence"] - q) < TOL_PERSISTENCE
    assert abs(s["peak_speed"] - c) / c < TOL_SPEED


def test_follows_parameters_that_drift_over_time():
    vels, qt, ct = ss.known_parameter_tracks("drifting", n_tracks=4, n_steps=288, dims=2, seed=2)
    fits = ss.fit_tracks(vels, FULL, n_jobs=1, progress=False)
    err = ss.recovery_errors(fits, qt, ct)
    # a constant estimate would miss the ramp by ~0.22 (persistence) and ~20 % (speed)
    assert err["mae_persistence"] < TOL_PERSISTENCE
    assert err["mre_speed"] < TOL_SPEED
    q_hat = np.mean([f.mean_persistence for f in fits], axis=0)
    c_hat = np.mean([f.mean_speed for f in fits], axis=0)
    rise_q = q_hat[-50:].mean() - q_hat[:50].mean()
    rise_c = c_hat[-50:].mean() - c_hat[:50].mean()
    true_rise_q = qt[0][-50:].mean() - qt[0][1:51].mean()
    true_rise_c = ct[0][-50:].mean() - ct[0][1:51].mean()
    assert abs(rise_q - true_rise_q) < TOL_PERSISTENCE
    assert abs(rise_c - true_rise_c) < TOL_SPEED * true_rise_c + 0.05


def _traj(vels, conds, dims=("x", "y", "z"), flat_z=("Flat",)):
    names = list(dict.fromkeys(conds))
    return Trajectories(track_ids=np.array([f"t{i}" for i in range(len(vels))], dtype=object),
                        conditions=np.array(conds, dtype=object), condition_names=names,
                        labels=np.array([names.index(c) for c in conds]), velocities=vels,
                        starts=[np.zeros(len(dims)) for _ in vels], dt=5.0, dims=list(dims),
                        flat_z=list(flat_z))


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_the_one_pass_likelihood_fits_exactly_what_bayesloops_own_model_fits(dims):
    rng = np.random.default_rng(dims)
    v = rng.normal(scale=0.4, size=(90, dims))
    v[30, 0] = np.nan  # a missing component: left out of that step, as bayesloop leaves it out
    if dims > 1:
        v[60, :] = np.nan  # a step with nothing measured
    fused, own = ss.fit_track(v, COARSE), ss.fit_track(v, COARSE, fused=False)
    assert fused.log10_evidence == pytest.approx(own.log10_evidence, rel=1e-12)
    np.testing.assert_allclose(fused.density, own.density, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(fused.mean_persistence, own.mean_persistence, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fused.mean_speed, own.mean_speed, rtol=1e-10)
    # and differs from a fit of other data: the comparison can fail
    assert ss.fit_track(1.3 * v, COARSE).log10_evidence != pytest.approx(own.log10_evidence, rel=1e-6)


@pytest.mark.parametrize("n0, n1, sigma, log10_pmin", [(200, 200, 0.03, -7.0), (7, 5, 0.6, -7.0),
                                                      (30, 40, 0.03, -300.0)])
def test_the_compiled_transition_is_bayesloops_filters_and_regime_switch(n0, n1, sigma, log10_pmin):
    """Two Gaussian random walks (correlate1d, 'reflect') and the regime switch, in one pass;
    (7, 5, 0.6): kernels longer than the grid, reflected more than once."""
    from scipy.ndimage import correlate1d
    from bayesloop.transition_models import gaussian_kernel_1d

    from cellmotion.superstats.compiled import transition_step

    rng = np.random.default_rng(n0)
    p = np.exp(-40 * rng.random((n0, n1)))
    p /= p.sum()
    kr, kc = gaussian_kernel_1d(sigma / (2 / n0)), gaussian_kernel_1d(sigma / (1.5 / n1))
    floor = 10.0 ** log10_pmin * (2 / n0) * (1.5 / n1)
    expected = correlate1d(correlate1d(p, kr, axis=0, mode="reflect"), kc, axis=1, mode="reflect")
    expected[expected < floor] = floor
    expected /= expected.sum()
    got = transition_step(p, kr, kc, floor)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    assert got.sum() == pytest.approx(1.0, rel=1e-14)
    # the regime switch acts: a floor far above the values would change the result
    assert not np.allclose(transition_step(p, kr, kc, 10 * p.max()), expected, rtol=1e-3)


@pytest.mark.parametrize("dims", [1, 3])
def test_the_compiled_study_leaves_what_bayesloops_study_leaves(dims):
    """Posterior sequence, log-evidence, local evidence and posterior means of the compiled
    forward-backward pass equal bayesloop's own (its Study, ScaledAR1 and transition models)."""
    from cellmotion.superstats.fit import _study

    rng = np.random.default_rng(10 + dims)
    v = rng.normal(scale=0.4, size=(70, dims))
    v[20, 0] = np.nan
    model = ss.SuperstatModel(n_persistence=40, n_speed=30)
    compiled, own = _study(v, model, fused=True), _study(v, model, fused=False)
    assert type(compiled).__name__ == "CompiledStudy" and type(own).__name__ == "Study"
    compiled.fit(silent=True)
    own.fit(silent=True)
    assert compiled.log_evidence == pytest.approx(own.log_evidence, rel=1e-12)
    np.testing.assert_allclose(compiled.posterior_sequence, own.posterior_sequence, rtol=1e-9,
                               atol=1e-300)
    np.testing.assert_allclose(compiled.local_evidence, own.local_evidence, rtol=1e-9)
    np.testing.assert_allclose(compiled.posterior_mean_values, own.posterior_mean_values,
                               rtol=1e-10, atol=1e-13)
    # a pass it does not compile (forward only) is bayesloop's own, with the same result
    filtered, own_filtered = _study(v, model, fused=True), _study(v, model, fused=False)
    filtered.fit(forward_only=True, silent=True)
    own_filtered.fit(forward_only=True, silent=True)
    np.testing.assert_allclose(filtered.posterior_sequence, own_filtered.posterior_sequence,
                               rtol=1e-9, atol=1e-300)
    assert not np.allclose(filtered.posterior_sequence, compiled.posterior_sequence, rtol=1e-3)


def test_flat_z_is_dropped_and_would_bias_the_speed():
    vels, qt, ct = ss.known_parameter_tracks("constant", n_tracks=2, n_steps=200, dims=2,
                                             seed=3, persistence=0.3, speed=0.5)
    with_z = [np.column_stack([v, np.zeros(len(v))]) for v in vels]
    traj = _traj(with_z, ["Flat", "Flat"])
    fixed = ss.fit_trajectories(traj, FULL, n_jobs=1, progress=False)
    naive = ss.fit_trajectories(traj, FULL, drop_flat_z=False, n_jobs=1, progress=False)
    assert list(fixed.dims_used) == [2, 2] and list(naive.dims_used) == [3, 3]
    c_fixed = fixed.track_summary()["speed"].to_numpy()
    c_naive = naive.track_summary()["speed"].to_numpy()
    assert np.all(np.abs(c_fixed - 0.5) / 0.5 < TOL_SPEED)
    # a zero series adds "perfectly predicted" steps: variance shrinks by 2/3, speed by sqrt(2/3)
    np.testing.assert_allclose(c_naive / c_fixed, np.sqrt(2 / 3), rtol=0.05)
    # ... while the zero series carries no information on the persistence itself
    q_fixed = fixed.track_summary()["persistence"].to_numpy()
    q_naive = naive.track_summary()["persistence"].to_numpy()
    np.testing.assert_allclose(q_naive, q_fixed, atol=0.05)


def test_3d_tracks_keep_z():
    vels, _, _ = ss.known_parameter_tracks("constant", n_tracks=1, n_steps=40, dims=3, seed=4)
    res = ss.fit_trajectories(_traj(vels, ["Gel"]), COARSE, n_jobs=1, progress=False)
    assert list(res.dims_used) == [3]


def test_velocities_outside_the_grid_are_refused():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="µm/min"):
        ss.fit_track(rng.normal(0, 1000.0, size=(50, 2)), COARSE)
    with pytest.raises(ValueError, match="at least 3"):
        ss.fit_track(np.zeros((2, 2)), COARSE)


def test_unfittable_tracks_can_be_skipped_and_are_named():
    vels, _, _ = ss.known_parameter_tracks("constant", n_tracks=2, n_steps=40, dims=2, seed=7)
    vels.insert(1, np.random.default_rng(1).normal(0, 1000.0, size=(40, 2)))  # µm/h, say
    res = ss.fit_trajectories(_traj(vels, ["A", "A", "B"], dims=("x", "y"), flat_z=()), COARSE,
                              n_jobs=1, progress=False, on_error="skip")
    assert list(res.track_ids) == ["t0", "t2"] and res.meta["failed"] == ["t1"]
    assert len(res.densities) == 2
    with pytest.raises(ValueError):
        ss.fit_trajectories(_traj(vels, ["A", "A", "B"], dims=("x", "y"), flat_z=()), COARSE,
                            n_jobs=1, progress=False)


def _gauss(model, mq, sq, mc, sc):
    q, c = np.meshgrid(model.persistence_grid, model.speed_grid, indexing="ij")
    d = np.exp(-0.5 * ((q - mq) / sq) ** 2 - 0.5 * ((c - mc) / sc) ** 2)
    return d / d.sum()


def test_overlap_measures():
    m = ss.SuperstatModel(n_persistence=100, n_speed=100)
    a = _gauss(m, 0.2, 0.1, 0.5, 0.1)
    assert ss.bhattacharyya(a, a) == pytest.approx(1.0)
    assert ss.hellinger(a, a) == pytest.approx(0.0, abs=1e-6)
    far = _gauss(m, -0.7, 0.05, 1.3, 0.05)
    assert ss.bhattacharyya(a, far) < 1e-6
    # narrower density at the same peak: BC of two Gaussians, sd s1, s2 per axis
    b = _gauss(m, 0.2, 0.05, 0.5, 0.05)
    s1, s2 = 0.1, 0.05
    bc_1d = np.sqrt(2 * s1 * s2 / (s1**2 + s2**2))
    assert ss.bhattacharyya(a, b) == pytest.approx(bc_1d**2, rel=0.01)


def test_summary_and_credible_regions_of_a_known_density():
    m = ss.SuperstatModel(n_persistence=200, n_speed=200)
    d = _gauss(m, 0.3, 0.1, 0.6, 0.15)
    s = ss.density_summary(d, m)
    assert s["peak_persistence"] == pytest.approx(0.3, abs=0.011)
    assert s["peak_speed"] == pytest.approx(0.6, abs=0.008)
    assert s["sd_persistence"] == pytest.approx(0.1, rel=0.02)
    assert s["sd_speed"] == pytest.approx(0.15, rel=0.02)
    # 2D Gaussian: the 50 % HDR is an ellipse of area 2 pi sq sc ln 2
    assert s["hdr50_area"] == pytest.approx(2 * np.pi * 0.1 * 0.15 * np.log(2), rel=0.03)
    for mass, level in zip((0.1, 0.25, 0.5), ss.hdr_levels(d)):
        inside = d[d >= level].sum()
        assert mass <= inside < mass + 0.01


def test_result_roundtrip_and_condition_average(tmp_path):
    vels, _, _ = ss.known_parameter_tracks("constant", n_tracks=3, n_steps=30, dims=2, seed=5)
    res = ss.fit_trajectories(_traj(vels, ["A", "A", "B"], dims=("x", "y"), flat_z=()), COARSE,
                              n_jobs=1, progress=False)
    res.save(tmp_path / "post.npz")
    back = ss.SuperstatResult.load(tmp_path / "post.npz")
    assert back.model == COARSE
    np.testing.assert_allclose(back.densities, res.densities, rtol=1e-3,
                               atol=1e-6 * res.densities.max())
    np.testing.assert_array_equal(back.track_ids, res.track_ids)
    assert len(back.sequences(2)) == 29
    expected = (res.densities[0] + res.densities[1]) / 2
    np.testing.assert_allclose(back.condition_density("A"), expected / expected.sum(), rtol=1e-3,
                               atol=1e-6)


def test_subsample_per_condition_is_seeded_and_capped():
    conds = np.array(["A"] * 10 + ["B"] * 3)
    idx = ss.subsample_per_condition(conds, 4, seed=0)
    assert (conds[idx] == "A").sum() == 4 and (conds[idx] == "B").sum() == 3
    np.testing.assert_array_equal(idx, ss.subsample_per_condition(conds, 4, seed=0))
    assert len(ss.subsample_per_condition(conds, None)) == 13


# ----------------------------------------------------------------------------- honest references
def _result(densities, conds, model):
    n = len(densities)
    return ss.SuperstatResult(
        track_ids=np.array([f"t{i}" for i in range(n)], dtype=object), conditions=np.array(conds, dtype=object),
        model=model, densities=np.asarray(densities, np.float32), offsets=np.zeros(n + 1, int),
        mean_persistence=np.zeros(0), mean_speed=np.zeros(0), sd_persistence=np.zeros(0),
        sd_speed=np.zeros(0), log10_evidence=-np.arange(n, dtype=float), seconds=np.zeros(n),
        dims_used=np.full(n, 2))


def test_densities_on_different_grids_are_refused():
    a, b = ss.SuperstatModel(n_persistence=20, n_speed=20), ss.SuperstatModel(n_persistence=30, n_speed=30)
    with pytest.raises(ValueError, match="different grids"):
        ss.bhattacharyya(np.ones((20, 20)), np.ones((30, 30)))
    with pytest.raises(ValueError, match="different grids"):
        ss.check_same_grid(a, ss.SuperstatModel(n_persistence=20, n_speed=20, speed_range=(0, 3.0)))
    ss.check_same_grid(a, ss.SuperstatModel(n_persistence=20, n_speed=20))
    r = _result([_gauss(a, 0.2, 0.1, 0.5, 0.1)], ["A"], a)
    g = _result([_gauss(b, 0.2, 0.1, 0.5, 0.1)], ["A"], b)
    with pytest.raises(ValueError, match="different grids"):
        ss.compare_with_reference(r, g, [0], [0], n_boot=10)


def test_reference_comparison_tells_a_narrow_generator_from_a_second_real_sample():
    """Real tracks scatter around one peak; a 'generator' whose tracks all sit at the centre
    with a narrow density is narrower and overlaps the held-out tracks less than either half
    of the training tracks does, at equal numbers of tracks."""
    m = ss.SuperstatModel(n_persistence=60, n_speed=60)
    rng = np.random.default_rng(0)
    real = [_gauss(m, rng.normal(0.2, 0.15), 0.08, rng.normal(0.6, 0.12), 0.06) for _ in range(30)]
    gen = [_gauss(m, 0.2, 0.04, 0.6, 0.03) for _ in range(12)]
    original = _result(real, ["A"] * 30, m)
    other = _result(gen, ["A"] * 12, m)
    tab = ss.compare_with_reference(original, other, np.arange(20), np.arange(20, 30), n_boot=300, seed=1)
    t = tab.set_index("measure")
    # 20 training tracks -> two halves of 10; 12 generated -> 10 of each; all 10 held out
    assert (t["n_tracks"] == 10).all() and (t["n_heldout"] == 10).all()
    assert t.loc["bhattacharyya", "diff_upper"] < 0
    assert t.loc["sd_ratio_speed", "diff_upper"] < 0 and t.loc["sd_ratio_persistence", "diff_upper"] < 0
    assert 0 <= t.loc["bhattacharyya", "reference_lower"] <= t.loc["bhattacharyya", "reference"] <= 1
    # a generator whose tracks are real tracks of the same cells cannot be told apart
    same = _result(real[:10], ["A"] * 10, m)
    t2 = ss.compare_with_reference(original, same, np.arange(20), np.arange(20, 30), n_boot=300,
                                   seed=1).set_index("measure")
    assert t2.loc["bhattacharyya", "diff_lower"] <= 0 <= t2.loc["bhattacharyya", "diff_upper"]


def test_no_half_or_bootstrap_draw_separates_the_pieces_of_one_cell():
    """Every cell is cut into three pieces (``<id>~1..3``). The training halves keep a cell's
    pieces together, and in every bootstrap draw the pieces of one cell carry the same weight
    (each track's density is mass on its own grid point, so the resampled density *is* the
    track weights)."""
    ids = np.array([f"c{k}~{p}" for k in range(8) for p in (1, 2, 3)], dtype=object)
    cell = np.array([i.split("~")[0] for i in ids])
    h1, h2 = ss.training_halves(ids, seed=3)
    assert len(h1) + len(h2) == len(ids) and not set(cell[h1]) & set(cell[h2])
    dens = np.zeros((len(ids), 5, 5), np.float32)
    dens.reshape(len(ids), -1)[np.arange(len(ids)), np.arange(len(ids))] = 1.0
    for (w,) in ss.bootstrap_track_densities([dens], n_boot=200, seed=0, chunk=50, cells=[ids]):
        w = w[:, :len(ids)].reshape(len(w), 8, 3)  # draws x cells x pieces
        np.testing.assert_allclose(w, np.repeat(w[:, :, :1], 3, axis=2))
        assert np.allclose(w.sum(axis=(1, 2)), 1.0) and (w[:, :, 0] == 0).any()
    # without cell ids, pieces are resampled apart (the property is not automatic)
    (w,), = list(ss.bootstrap_track_densities([dens], n_boot=50, seed=0, chunk=50))
    w = w[:, :len(ids)].reshape(len(w), 8, 3)
    assert not np.allclose(w, np.repeat(w[:, :, :1], 3, axis=2))


def test_condition_overlaps_and_evidence_nll():
    m = ss.SuperstatModel(n_persistence=40, n_speed=40)
    dens = [_gauss(m, 0.2, 0.1, 0.5, 0.1)] * 4 + [_gauss(m, -0.6, 0.1, 1.2, 0.1)] * 4 + [_gauss(m, 0.25, 0.1, 0.5, 0.1)] * 4
    res = _result(dens, ["A"] * 4 + ["B"] * 4 + ["C"] * 4, m)
    tab = ss.condition_overlaps(res, n_boot=50).set_index(["condition_a", "condition_b"])
    assert list(tab.index) == [("A", "B"), ("A", "C"), ("B", "C")]
    assert tab.loc[("A", "B"), "bhattacharyya"] < 0.01 < 0.9 < tab.loc[("A", "C"), "bhattacharyya"]
    assert (tab["lower"] <= tab["bhattacharyya"] + 1e-5).all()  # float32 resampling
    assert (tab["bhattacharyya"] >= tab["plug_in"] - 1e-5).all()  # the correction raises a low-biased overlap
    nll = ss.evidence_nll(res)
    assert nll["t3"] == pytest.approx(3 * np.log(10))


def test_sigma_sensitivity_refits_and_compares_with_the_reference_sigma():
    vels, _, _ = ss.known_parameter_tracks("constant", n_tracks=2, n_steps=60, dims=2, seed=3)
    tab, dens = ss.sigma_sensitivity(vels, ["A", "A"], COARSE, sigmas=(0.01, 0.1), n_jobs=1, progress=False)
    assert sorted(tab["sigma"].unique()) == [0.01, 0.03, 0.1]
    assert tab.set_index("sigma").loc[0.03, "bc_vs_reference"] == pytest.approx(1.0)
    assert set(dens) == {0.01, 0.03, 0.1} and dens[0.1]["A"].shape == (30, 30)


def test_the_noise_ablation_gives_every_condition_the_same_noise_model():
    from cellmotion.synthetic.simulator import DEFAULT_CONDITIONS, default_models

    shared = default_models(shared_noise=(2.0, 0.0))
    assert {(m.noise, m.noise_time) for m in shared} == {(2.0, 0.0)}
    assert [m.persistence for m in shared] == [m.persistence for m in DEFAULT_CONDITIONS]
    assert default_models() == DEFAULT_CONDITIONS
    assert {m.noise for m in default_models(shared_noise=(2.0, 0.0), scale_noise=0.5)} == {1.0}


def test_grid_histogram_puts_values_in_their_nearest_grid_cell():
    grid = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(ss.grid_histogram([0.1, 0.3, 0.9, 5.0, -2.0], grid), [0.4, 0.2, 0.4])


def test_recovery_against_truth_finds_the_parameters_and_the_pull_of_white_tracking_noise():
    """Clean AR(1) velocities: the fit is level with the truth. The same cells seen through
    white position noise (velocity errors anti-correlated from step to step): the fitted
    persistence falls below the truth and the speed rises above it."""
    q, c = 0.5, 0.4
    vels, qt, ct = ss.known_parameter_tracks("constant", n_tracks=4, n_steps=200, dims=2, seed=8,
                                             persistence=q, speed=c)
    rng = np.random.default_rng(9)
    noise = [rng.normal(0, 0.3, size=(len(v) + 1, 2)) for v in vels]
    noisy = [v + np.diff(e, axis=0) for v, e in zip(vels, noise)]  # positions +- 0.3 µm, dt = 1 min
    m = ss.SuperstatModel(n_persistence=60, n_speed=60)
    truth = {f"t{i}": (qt[i], ct[i]) for i in range(4)}
    rows = {}
    for name, v in [("clean", vels), ("noisy", noisy)]:
        res = ss.fit_trajectories(_traj(v, ["A"] * 4, dims=("x", "y"), flat_z=()), m, n_jobs=1,
                                  progress=False)
        rows[name] = ss.recovery_against_truth(res, truth).iloc[0]
    clean, noisy = rows["clean"], rows["noisy"]
    assert clean["tracks"] == 4 and clean["steps"] == 4 * 199
    assert abs(clean["bias q"]) < TOL_PERSISTENCE and abs(clean["relative bias c"]) < TOL_SPEED
    assert noisy["bias q"] < -0.2 and noisy["relative bias c"] > 0.2
    assert noisy["overlap q"] < clean["overlap q"] and noisy["overlap c"] < clean["overlap c"]

"""Claims about the mixture density output and the generation loop (chapter 3)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import pytest

from cellmotion.models import mdn


def _random_mixture(rng, n, m, d):
    alpha = rng.dirichlet(np.ones(m), size=n)
    mu = rng.normal(0, 1.0, size=(n, m, d))
    sigma = rng.uniform(0.05, 0.8, size=(n, m))
    return alpha, mu, sigma


def _direct_density(x, alpha, mu, sigma):
    """p(x) written out term by term, the textbook way (no log tricks)."""
    n, m, d = mu.shape
    p = np.zeros(n)
    for j in range(n):
        for i in range(m):
            norm = (2 * np.pi * sigma[j, i] ** 2) ** (-d / 2)
            p[j] += alpha[j, i] * norm * np.exp(-np.sum((x[j] - mu[j, i]) ** 2) / (2 * sigma[j, i] ** 2))
    return p


@pytest.mark.parametrize("d", [1, 2, 3])
def test_keras_loss_equals_direct_mixture_density(d):
    """The training loss is -log of the d-dimensional mixture density (normaliser for d dims)."""
    rng = np.random.default_rng(d)
    n, m = 64, 10
    params = rng.normal(0, 0.7, size=(n, mdn.n_params(m, d)))
    x = rng.normal(0, 1.0, size=(n, d))
    alpha, mu, sigma = mdn.split_params(params, m, d)
    expected = -np.log(_direct_density(x, alpha, mu, sigma))
    got = np.asarray(mdn.mixture_nll(x.astype("float32"), params.astype("float32"), m, d))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(-mdn.mixture_log_density(x, alpha, mu, sigma), expected, rtol=1e-10)
    # the masked mean used in training skips padded steps
    y_true = np.concatenate([x, (np.arange(n) % 2)[:, None]], axis=1).astype("float32")
    loss = float(mdn.make_mixture_loss(m, d)(y_true, params.astype("float32")))
    assert loss == pytest.approx(expected[1::2].mean(), rel=1e-4)


def test_loss_is_finite_for_far_outliers_and_tiny_sigma():
    """Log-sum-exp and the sigma floor keep the loss finite where a naive density underflows."""
    m, d = 10, 3
    params = np.zeros((4, mdn.n_params(m, d)), dtype="float32")
    params[:, m * d: m * d + m] = -50.0          # sigma -> exp(-50): floored
    x = np.full((4, d), 30.0, dtype="float32")   # 30 units from every mean
    assert np.all(_direct_density(x.astype(float), *mdn.split_params(params, m, d)) == 0.0)
    nll = np.asarray(mdn.mixture_nll(x, params, m, d))
    assert np.all(np.isfinite(nll)) and np.all(nll > 0)


def test_fixed_sampler_reproduces_mixture_mean_and_variance():
    """Drawing one component by weight, then its Gaussian, gives the mixture's moments."""
    rng = np.random.default_rng(1)
    alpha = np.array([0.5, 0.3, 0.2])
    mu = np.array([[-1.0, 0.0], [1.5, 0.5], [0.0, -2.0]])
    sigma = np.array([0.2, 0.5, 0.3])
    n = 200_000
    draws = mdn.sample_mixture(np.tile(alpha, (n, 1)), np.tile(mu, (n, 1, 1)), np.tile(sigma, (n, 1)),
                               rng, sampler="fixed")
    mean, var = mdn.mixture_moments(alpha, mu, sigma)
    np.testing.assert_allclose(draws.mean(axis=0), mean, atol=0.01)
    np.testing.assert_allclose(draws.var(axis=0), var, rtol=0.02)
    # component frequencies follow the weights: the share of draws near mu_1 = (-1, 0)
    near_first = np.linalg.norm(draws - mu[0], axis=1) < 0.6
    assert near_first.mean() == pytest.approx(alpha[0], abs=0.02)


def test_original_sampler_shrinks_variance_as_predicted():
    """The report's weighted sum of draws has variance sum_i alpha_i^2 sigma_i^2, below the mixture's."""
    rng = np.random.default_rng(2)
    alpha, mu, sigma = _random_mixture(rng, 1, 10, 3)
    alpha, mu, sigma = alpha[0], mu[0], sigma[0]
    n = 200_000
    draws = mdn.sample_mixture(np.tile(alpha, (n, 1)), np.tile(mu, (n, 1, 1)), np.tile(sigma, (n, 1)),
                               rng, sampler="original")
    mean_o, var_o = mdn.original_sampler_moments(alpha, mu, sigma)
    mean_m, var_m = mdn.mixture_moments(alpha, mu, sigma)
    predicted = np.sum(alpha ** 2 * sigma ** 2)
    np.testing.assert_allclose(var_o, predicted)
    np.testing.assert_allclose(draws.var(axis=0), predicted, rtol=0.02)
    np.testing.assert_allclose(draws.mean(axis=0), mean_m, atol=0.01)
    np.testing.assert_allclose(mean_o, mean_m)
    assert np.all(draws.var(axis=0) < 0.5 * var_m)


def test_unknown_sampler_is_refused():
    rng = np.random.default_rng(0)
    alpha, mu, sigma = _random_mixture(rng, 2, 3, 2)
    with pytest.raises(ValueError, match="sampler"):
        mdn.sample_mixture(alpha, mu, sigma, rng, sampler="mean")


# --------------------------------------------------------------------------- generation loop
@pytest.fixture(scope="module")
def small_generator():
    from cellmotion import generation as G

    model = mdn.build_mdn_model(2, units=6, n_components=4, seed=3)
    return G.Generator(condition="Plastic", dims=["x", "y"], scale=0.8, model=model, n_components=4, units=6)


def test_stepped_cell_matches_keras_lstm(small_generator):
    """The numpy cell used for generation computes what the trained Keras network computes."""
    from cellmotion import generation as G

    v = np.random.default_rng(0).normal(0, 0.3, size=(40, 2))
    keras_params = G.predict_params(small_generator, [v])[0]
    cell = mdn.SteppedLSTM(small_generator.model, 4, 2)
    cell.reset(1)
    stepped = np.array([cell.step(v[t][None] / small_generator.scale)[0] for t in range(len(v) - 1)])
    np.testing.assert_allclose(stepped, keras_params, atol=1e-5)


def test_generation_shapes_and_seeding(small_generator):
    """One track per seed with the requested length; same seed gives the same tracks."""
    from cellmotion import generation as G

    pool = [np.random.default_rng(k).normal(0, 0.3, size=(30, 2)) for k in range(5)]
    lengths = [7, 25, 12]

    def run(s, sampler="fixed"):
        rng = np.random.default_rng(s)
        seeds = G.pick_seeds(pool, 3, rng, seed_steps=20)
        return G.generate_velocities(small_generator, seeds, lengths, rng, sampler=sampler)

    a, b, c = run(1), run(1), run(2)
    assert [x.shape for x in a] == [(7, 2), (25, 2), (12, 2)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.allclose(a[1], c[1])
    o = run(1, "original")
    assert [x.shape for x in o] == [(7, 2), (25, 2), (12, 2)]
    with pytest.raises(ValueError, match="sampler"):
        run(1, "mean")


def test_2d_condition_generates_no_z_motion(small_generator):
    """A condition with flat z is modelled in x, y; its generated table has z = 0 everywhere."""
    from cellmotion import generation as G
    from cellmotion.preprocess import Trajectories

    rng = np.random.default_rng(0)
    v3 = [np.column_stack([rng.normal(size=(30, 2)), np.zeros(30)]) for _ in range(3)]
    traj = Trajectories(track_ids=np.array(["a", "b", "c"], dtype=object),
                        conditions=np.array(["Plastic"] * 3, dtype=object), condition_names=["Plastic"],
                        labels=np.zeros(3, int), velocities=v3, starts=[np.zeros(3)] * 3, dt=5.0,
                        dims=["x", "y", "z"], flat_z=["Plastic"])
    assert traj.modelled_dims("Plastic") == ["x", "y"]
    assert all(v.shape[1] == 2 for v in G.condition_velocities(traj, "Plastic"))
    seeds = G.pick_seeds(G.condition_velocities(traj, "Plastic"), 4, rng)
    new = G.generate_velocities(small_generator, seeds, [30] * 4, rng)
    frame = G.tracks_frame("Plastic", new, ["x", "y"], 5.0)
    assert list(frame.columns) == ["track_id", "condition", "t", "x", "y", "z"]
    assert (frame["z"] == 0).all() and frame["x"].std() > 0
    assert frame.groupby("track_id").size().eq(31).all()
    np.testing.assert_allclose(frame["t"].iloc[:3], [0.0, 5.0, 10.0])


def test_network_learns_persistence_baseline_cannot_ignore():
    """On persistent AR(1) tracks (q = 0.8) the trained LSTM-MDN beats independent Gaussian
    velocities on held-out tracks, and the AR(1) baseline recovers q."""
    from cellmotion import generation as G

    rng = np.random.default_rng(5)

    def ar1_track(n=120, q=0.8, a=0.3):
        v = np.zeros((n, 2))
        for t in range(1, n):
            v[t] = q * v[t - 1] + a * rng.normal(size=2)
        return v

    train, test = [ar1_track() for _ in range(24)], [ar1_track() for _ in range(8)]
    gen = G.train_generator(train, ["x", "y"], "AR1", units=8, n_components=3, epochs=30,
                            batch_size=4, patience=30, learning_rate=0.01, seed=0, jit_compile=False)
    iid, ar1 = G.GaussianIID().fit(train), G.AR1().fit(train)
    assert ar1.persistence == pytest.approx(0.8, abs=0.05)
    assert G.heldout_nll(gen, test) < iid.nll(test) - 0.3  # the exact AR(1) gain is ~1.0 nats
    assert ar1.nll(test) < iid.nll(test)


def test_rotation_keeps_motility_and_drift_index_sees_direction():
    """Turning a track in x-y keeps speeds and turning angles; the drift index is 1 for tracks
    that all go one way and 0 for tracks spread evenly over four directions."""
    from cellmotion import generation as G
    from cellmotion.motility import step_speeds, turning_angles

    v = np.random.default_rng(0).normal(size=(50, 3))
    r = G.rotate_xy(v, 1.1)
    np.testing.assert_allclose(step_speeds(r), step_speeds(v))
    np.testing.assert_allclose(turning_angles(r), turning_angles(v), atol=1e-7)
    np.testing.assert_array_equal(r[:, 2], v[:, 2])
    east = np.tile([1.0, 0.0], (20, 1))
    assert G.drift_index([east, 2 * east]) == pytest.approx(1.0)
    assert G.drift_index([G.rotate_xy(east, k * np.pi / 2) for k in range(4)]) == pytest.approx(0.0, abs=1e-12)


def test_teacher_forcing_targets_are_the_next_step_and_padding_is_masked():
    from cellmotion import generation as G

    rng = np.random.default_rng(0)
    vels = [rng.normal(size=(n, 2)).astype(np.float32) for n in (5, 9)]
    X, Y = G.teacher_forcing_arrays(vels)
    assert X.shape == (2, 8, 2) and Y.shape == (2, 8, 3)
    for k, v in enumerate(vels):
        steps = len(v) - 1
        np.testing.assert_array_equal(X[k, :steps], v[:-1])  # input: the step at t
        np.testing.assert_array_equal(Y[k, :steps, :2], v[1:])  # target: the step at t + 1
        assert np.all(Y[k, :steps, 2] == 1) and np.all(Y[k, steps:, 2] == 0)  # mask
        assert np.all(X[k, steps:] == 0)


# --------------------------------------------------------------------------- honest references
def test_seeds_cycle_through_every_training_cell():
    """Seeds are drawn without replacement: each pass is a permutation of the pool, so every
    cell seeds n // pool or n // pool + 1 tracks; too-short tracks never seed."""
    from cellmotion import generation as G

    pool = [np.full((25, 2), k, float) for k in range(7)] + [np.zeros((5, 2))]
    seeds, who = G.pick_seeds(pool, 17, np.random.default_rng(0), seed_steps=20, return_index=True)
    counts = np.bincount(who, minlength=8)
    assert counts[7] == 0 and set(counts[:7]) <= {2, 3} and counts.sum() == 17
    assert len(set(who[:7])) == 7  # the first pass uses every cell once
    assert all(np.all(s == pool[i][:20]) for s, i in zip(seeds, who))
    _, again = G.pick_seeds(pool, 17, np.random.default_rng(0), seed_steps=20, return_index=True)
    np.testing.assert_array_equal(who, again)
    with pytest.raises(ValueError, match="seed needs"):
        G.pick_seeds(pool, 3, np.random.default_rng(0), seed_steps=40)


def test_per_track_nll_sums_to_the_heldout_nll(small_generator):
    """Per-track summed NLLs of the MDN and the baselines average to their NLL per step."""
    from cellmotion import generation as G

    rng = np.random.default_rng(1)
    vels = [rng.normal(0, 0.3, size=(n, 2)) for n in (12, 30, 21)]
    steps = sum(len(v) - 1 for v in vels)
    assert G.track_nll(small_generator, vels).sum() / steps == pytest.approx(
        G.heldout_nll(small_generator, vels), rel=1e-9)
    for base in (G.AR1().fit(vels), G.GaussianIID().fit(vels)):
        assert base.track_nll(vels).sum() / steps == pytest.approx(base.nll(vels), rel=1e-9)


def test_heldout_nll_table_has_intervals_and_the_superstatistical_row(small_generator):
    from cellmotion import generation as G
    from cellmotion.preprocess import Trajectories

    rng = np.random.default_rng(2)
    v = [rng.normal(0, 0.3, size=(40, 2)) for _ in range(10)]
    traj = Trajectories(track_ids=np.array([f"t{i}" for i in range(10)], dtype=object),
                        conditions=np.array(["Plastic"] * 10, dtype=object), condition_names=["Plastic"],
                        labels=np.zeros(10, int), velocities=v, starts=[np.zeros(2)] * 10, dt=5.0,
                        dims=["x", "y"], flat_z=[])
    train, test = np.arange(6), np.arange(6, 10)
    ss_nll = {"t6": 50.0, "t7": 51.0, "t8": 49.0}  # t9 missing: 3 tracks for that row
    tab = G.heldout_nll_table(traj, train, test, generators={"Plastic": small_generator}, n_boot=200,
                              seed=0, superstat=ss_nll)
    assert list(tab.columns) == ["condition", "model", "label", "n_tracks", "n_steps", "nll",
                                 "diff_vs_mdn", "lower", "upper"]
    assert list(tab["model"]) == ["lstm_mdn", "ar1_shared", "gaussian_iid", "superstatistical"]
    row = tab.set_index("model").loc["superstatistical"]
    assert row["n_tracks"] == 3 and row["nll"] == pytest.approx(150.0 / 117)
    ar = tab.set_index("model").loc["ar1_shared"]
    mdn_nll = tab.set_index("model").loc["lstm_mdn", "nll"]
    assert ar["diff_vs_mdn"] == pytest.approx(mdn_nll - ar["nll"])
    assert ar["lower"] <= ar["diff_vs_mdn"] <= ar["upper"]
    again = G.heldout_nll_table(traj, train, test, generators={"Plastic": small_generator}, n_boot=200,
                                seed=0, superstat=ss_nll)
    assert again.equals(tab)

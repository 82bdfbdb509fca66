"""Claims about the mixture density output and the generation loop (chapter 3)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import pytest

from cellmotion import mdn


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

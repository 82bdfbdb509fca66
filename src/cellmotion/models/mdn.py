"""Mixture density output for recurrent networks (Bishop 1994; Graves 2013).

A mixture density network does not predict the next velocity itself but the parameters
of a Gaussian mixture over it. Rieke (2016, section 5.1) used ``M = 10`` components with a
mean vector ``mu_i`` (one value per dimension), one scalar standard deviation ``sigma_i``
per component (through ``exp``) and weights ``alpha_i`` (through a softmax):

    p(v) = sum_i alpha_i N(v; mu_i, sigma_i^2 I_d)

Packed layout of the network output (last axis, ``M * (d + 2)`` numbers)::

    [ mu_1 .. mu_M  (M * d, component-major) | log_sigma_1 .. log_sigma_M | logit_1 .. logit_M ]

Fixes against the report's original code:

* the log density uses the normaliser of a ``d``-dimensional isotropic Gaussian,
  ``log N = -d/2 log(2 pi) - d log sigma - |v - mu|^2 / (2 sigma^2)`` (the report's formula
  is the 1-D one), summed over components with log-sum-exp and with a floor
  ``sigma >= SIGMA_MIN`` so that the loss never becomes NaN or infinite;
* sampling draws **one** component by its weight and then samples that Gaussian
  (``sampler="fixed"``). The original scheme, ``sampler="original"``, returned
  ``sum_i alpha_i (mu_i + sigma_i eps_i)``: same mean, but variance
  ``sum_i alpha_i^2 sigma_i^2`` per dimension instead of the mixture's
  ``sum_i alpha_i (sigma_i^2 + mu_i^2) - (sum_i alpha_i mu_i)^2``.

Velocities inside the network are in the scaled units of
:class:`cellmotion.preprocess.Scaler`; a negative log-likelihood in scaled units converts
to physical units (velocity in µm/min) with :func:`nll_to_physical`.
"""

from __future__ import annotations

import numpy as np

from .. import runtime

#: Floor on every component's standard deviation (scaled velocity units).
SIGMA_MIN = 1e-3
#: Cap on log sigma, so an exploding output cannot overflow ``exp``.
LOG_SIGMA_MAX = 5.0
LOG_2PI = float(np.log(2.0 * np.pi))
SAMPLERS = ("fixed", "original")


def n_params(n_components: int, dim: int) -> int:
    """Number of network outputs for ``n_components`` components in ``dim`` dimensions."""
    return n_components * (dim + 2)


# --------------------------------------------------------------------------- numpy side
def split_params(params, n_components: int, dim: int):
    """Unpack network outputs ``(..., M (d + 2))`` into ``alpha (..., M)``, ``mu (..., M, d)``,
    ``sigma (..., M)`` (numpy; the same transforms as the loss, floor included)."""
    p = np.asarray(params, dtype=np.float64)
    m, d = n_components, dim
    if p.shape[-1] != n_params(m, d):
        raise ValueError(f"expected {n_params(m, d)} mixture parameters on the last axis, got {p.shape[-1]}")
    mu = p[..., : m * d].reshape(p.shape[:-1] + (m, d))
    log_sigma = np.minimum(p[..., m * d: m * d + m], LOG_SIGMA_MAX)
    sigma = np.exp(log_sigma) + SIGMA_MIN
    logits = p[..., m * d + m:]
    logits = logits - logits.max(axis=-1, keepdims=True)
    alpha = np.exp(logits)
    alpha /= alpha.sum(axis=-1, keepdims=True)
    return alpha, mu, sigma


def mixture_log_density(x, alpha, mu, sigma) -> np.ndarray:
    """``log p(x)`` of the isotropic Gaussian mixture, shape ``x.shape[:-1]`` (numpy, stable).

    ``x (..., d)``, ``alpha (..., M)``, ``mu (..., M, d)``, ``sigma (..., M)``.
    """
    x = np.asarray(x, float)
    d = x.shape[-1]
    sq = np.sum((x[..., None, :] - mu) ** 2, axis=-1)
    comp = (-0.5 * d * LOG_2PI - d * np.log(sigma) - sq / (2.0 * sigma ** 2)
            + np.log(np.maximum(alpha, 1e-300)))
    top = comp.max(axis=-1, keepdims=True)
    return (top + np.log(np.sum(np.exp(comp - top), axis=-1, keepdims=True)))[..., 0]


def mixture_moments(alpha, mu, sigma):
    """Mean and per-dimension variance of the mixture.

    Parameters
    ----------
    alpha : array-like
        Component weights ``(..., M)``, summing to 1.
    mu : array-like
        Component means ``(..., M, d)``.
    sigma : array-like
        Component standard deviations ``(..., M)`` (one per component, isotropic).

    Returns
    -------
    mean : numpy.ndarray
        ``sum_i alpha_i mu_i``, shape ``(..., d)``.
    var : numpy.ndarray
        ``sum_i alpha_i (sigma_i^2 + mu_i^2) - mean^2`` per dimension, shape ``(..., d)``.
    """
    alpha, mu, sigma = np.asarray(alpha, float), np.asarray(mu, float), np.asarray(sigma, float)
    mean = np.sum(alpha[..., None] * mu, axis=-2)
    second = np.sum(alpha[..., None] * (sigma[..., None] ** 2 + mu ** 2), axis=-2)
    return mean, second - mean ** 2


def original_sampler_moments(alpha, mu, sigma):
    """Mean and per-dimension variance of the report's sampler ``sum_i alpha_i N(mu_i, sigma_i)``.

    Independent draws from every component, weighted and summed: the mean is the mixture's,
    the variance is ``sum_i alpha_i^2 sigma_i^2`` (no spread between components, and
    ``alpha_i^2 <= alpha_i`` shrinks the rest).

    Parameters
    ----------
    alpha : array-like
        Component weights ``(..., M)``, summing to 1.
    mu : array-like
        Component means ``(..., M, d)``.
    sigma : array-like
        Component standard deviations ``(..., M)`` (one per component, isotropic).

    Returns
    -------
    mean : numpy.ndarray
        The mixture's mean, shape ``(..., d)``.
    var : numpy.ndarray
        ``sum_i alpha_i^2 sigma_i^2``, the same in every dimension, shape ``(..., d)``.
    """
    alpha, mu, sigma = np.asarray(alpha, float), np.asarray(mu, float), np.asarray(sigma, float)
    mean = np.sum(alpha[..., None] * mu, axis=-2)
    var = np.sum(alpha ** 2 * sigma ** 2, axis=-1)
    return mean, np.repeat(var[..., None], mu.shape[-1], axis=-1)


def sample_mixture(alpha, mu, sigma, rng, sampler: str = "fixed") -> np.ndarray:
    """One draw per row from a batch of Gaussian mixtures.

    Parameters
    ----------
    alpha : array-like
        Weights ``(n, M)``.
    mu : array-like
        Means ``(n, M, d)``.
    sigma : array-like
        Standard deviations ``(n, M)``.
    rng : numpy.random.Generator
        Source of the draws.
    sampler : str
        ``"fixed"`` picks a component ``i ~ Categorical(alpha)`` and returns
        ``mu_i + sigma_i eps``; ``"original"`` returns the report's
        ``sum_i alpha_i (mu_i + sigma_i eps_i)``.

    Returns
    -------
    numpy.ndarray
        The draws, shape ``(n, d)``.

    Raises
    ------
    ValueError
        An unknown sampler.
    """
    alpha, mu, sigma = np.asarray(alpha, float), np.asarray(mu, float), np.asarray(sigma, float)
    n, m, d = mu.shape
    if sampler == "fixed":
        cum = np.cumsum(alpha, axis=-1)
        u = rng.random((n, 1)) * cum[:, -1:]
        k = np.minimum((u > cum).sum(axis=-1), m - 1)
        rows = np.arange(n)
        return mu[rows, k] + sigma[rows, k, None] * rng.standard_normal((n, d))
    if sampler == "original":
        eps = rng.standard_normal((n, m, d))
        return np.sum(alpha[..., None] * (mu + sigma[..., None] * eps), axis=1)
    raise ValueError(f"unknown sampler '{sampler}'; choose one of {SAMPLERS}")


def nll_to_physical(nll_scaled: float, scale: float, dim: int) -> float:
    """Convert a NLL per step of scaled velocities to velocities in µm/min.

    ``v_phys = scale * v_scaled`` so ``log p_phys = log p_scaled - d log(scale)``.
    """
    return float(nll_scaled + dim * np.log(scale))


# --------------------------------------------------------------------------- keras side
def mixture_nll(y_true, y_pred, n_components: int, dim: int):
    """Negative log-likelihood of every step under the packed mixture (Keras ops).

    Log-sum-exp over components, sigma floored at :data:`SIGMA_MIN`.

    Parameters
    ----------
    y_true : tensor
        Targets ``(..., >= d)``; the first ``d`` channels are the target velocity.
    y_pred : tensor
        Network outputs ``(..., M (d + 2))``, packed as in the module docstring.
    n_components : int
        ``M``.
    dim : int
        ``d``.

    Returns
    -------
    tensor
        NLL in nats (scaled velocity units), flattened to shape ``(n_steps,)``.
    """
    from keras import ops

    m, d = n_components, dim
    p = ops.reshape(y_pred, (-1, m * (d + 2)))
    x = ops.reshape(y_true[..., :d], (-1, 1, d))
    mu = ops.reshape(p[:, : m * d], (-1, m, d))
    log_sigma = ops.minimum(p[:, m * d: m * d + m], LOG_SIGMA_MAX)
    sigma = ops.exp(log_sigma) + SIGMA_MIN
    log_alpha = ops.log_softmax(p[:, m * d + m:], axis=-1)
    sq = ops.sum(ops.square(x - mu), axis=-1)
    comp = log_alpha - 0.5 * d * LOG_2PI - d * ops.log(sigma) - sq / (2.0 * ops.square(sigma))
    return -ops.logsumexp(comp, axis=-1)


def make_mixture_loss(n_components: int, dim: int):
    """Keras loss: mean mixture NLL over valid steps.

    ``y_true`` has ``d + 1`` channels: the target velocity and a 0/1 mask (padding after
    the end of a shorter track is 0), so tracks of different length share a batch.
    """
    from keras import ops

    def loss(y_true, y_pred):
        mask = ops.reshape(y_true[..., dim], (-1,))
        nll = mixture_nll(y_true, y_pred, n_components, dim)
        return ops.sum(nll * mask) / ops.maximum(ops.sum(mask), 1.0)

    loss.__name__ = "mixture_nll"
    return loss


def build_mdn_model(dim: int, units: int = 10, n_components: int = 10, learning_rate: float = 1e-3,
                    seed: int = 0, stateful_batch: int | None = None, jit_compile: bool = True):
    """One LSTM layer + dense mixture output, compiled with RMSprop and the mixture loss.

    Parameters
    ----------
    dim : int
        Velocity dimensions ``d``.
    units : int
        LSTM units.
    n_components : int
        Mixture components ``M``.
    learning_rate : float
        RMSprop learning rate.
    seed : int
        Keras random seed, set before the weights are made.
    stateful_batch : int, optional
        None gives a sequence model ``(batch, time, d) -> (batch, time, M (d + 2))`` for
        teacher-forced training on whole tracks; 1 gives the report's stateful one-step
        network (fixed batch of one, one time step per call).
    jit_compile : bool
        Compile the training step with XLA (about 2-4x faster on a CPU here).

    Returns
    -------
    keras.Model
        The compiled model, named ``lstm_mdn_d<dim>``.
    """
    keras = runtime.keras()
    keras.utils.set_random_seed(seed)
    if stateful_batch is None:
        inp = keras.Input(shape=(None, dim), name="velocity")
    else:
        inp = keras.Input(batch_shape=(stateful_batch, 1, dim), name="velocity")
    h = keras.layers.LSTM(units, return_sequences=True, stateful=stateful_batch is not None,
                          name="lstm")(inp)
    out = keras.layers.Dense(n_params(n_components, dim), name="mixture")(h)
    model = keras.Model(inp, out, name=f"lstm_mdn_d{dim}")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss=make_mixture_loss(n_components, dim), jit_compile=jit_compile)
    return model


# --------------------------------------------------------------------------- stepped LSTM cell
class SteppedLSTM:
    """The trained LSTM layer + mixture head as a numpy cell, stepped many tracks at once.

    Reads the Keras weights (gate order input, forget, cell, output; tanh/sigmoid as Keras'
    defaults) so generation runs thousands of trajectories in one batched loop without a
    stateful Keras model. ``step(v)`` advances the state and returns packed mixture params.
    """

    def __init__(self, model, n_components: int, dim: int):
        lstm, dense = model.get_layer("lstm"), model.get_layer("mixture")
        self.W, self.U, self.b = [np.asarray(w, dtype=np.float64) for w in lstm.get_weights()]
        self.Wd, self.bd = [np.asarray(w, dtype=np.float64) for w in dense.get_weights()]
        self.units = self.U.shape[0]
        self.m, self.d = n_components, dim
        self.h = self.c = None

    def reset(self, n: int):
        self.h = np.zeros((n, self.units))
        self.c = np.zeros((n, self.units))

    def step(self, v) -> np.ndarray:
        z = np.asarray(v, float) @ self.W + self.h @ self.U + self.b
        u = self.units
        i, f = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u])
        g, o = np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
        self.c = f * self.c + i * g
        self.h = o * np.tanh(self.c)
        return self.h @ self.Wd + self.bd

    def mixture(self, v):
        """Advance one step and return ``(alpha, mu, sigma)`` of the next velocity."""
        return split_params(self.step(v), self.m, self.d)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))

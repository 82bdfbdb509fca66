"""bayesloop's forward-backward pass for the superstatistical model, compiled with numba.

A bayesloop fit of one track (Mark 2016) alternates, at each time step, the likelihood of the
step on the parameter grid and a transition of the grid density to the next step: a Gaussian
random walk of the persistence (a Gaussian filter along its axis, ``scipy.ndimage.correlate1d``
in 'reflect' mode with bayesloop's ``gaussian_kernel_1d``), the same for the speed, and the
regime switch, which raises every grid value below ``10**log10_pmin`` times the cell area to
that floor and renormalises. It runs forward and then backward over the track. In Python each
of these is a separate pass over the whole grid (on the report's 200 x 200 grid, four
``correlate1d`` calls, the likelihood, several normalisations and copies per step), so a fit
of a 288-step track spent most of its time moving memory.

:class:`CompiledStudy` is bayesloop's ``Study``; when its observation model is the one-pass
scaled AR(1) model (:func:`cellmotion.superstats.fit._scaled_ar1`) and its transition model is
:class:`FusedTransition` (two Gaussian random walks on different axes, then a regime switch),
its forward-backward pass is :func:`forward_backward`: the same steps, in the same order, with
the same kernels and boundary rule, in one compiled loop. It fills the same attributes as
bayesloop's (``posterior_sequence``, ``log_evidence``, ``local_evidence``,
``posterior_mean_values``). The sums are taken in another order, so a fit agrees with
bayesloop's own to rounding (tested in ``tests/test_superstats.py``). Anything else (other
models, ``forward_only``, ``evidence_only``) takes bayesloop's own path.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _reflect(j, n):
    """Index ``j`` of a length-``n`` axis extended by mirror images (scipy's 'reflect':
    ``d c b a | a b c d | d c b a``), at any distance from the edges."""
    period = 2 * n
    j = j % period
    return j if j < n else period - 1 - j


@njit(cache=True)
def _filter_axis0(src, kernel, out):
    """``out[i] = sum_k kernel[k] * src[reflect(i + k - r)]``: scipy's ``correlate1d`` along
    axis 0 in 'reflect' mode (whole rows at a time)."""
    n0, n1 = src.shape
    r = (kernel.shape[0] - 1) // 2
    for i in range(n0):
        for c in range(n1):
            out[i, c] = 0.0
        for k in range(kernel.shape[0]):
            w = kernel[k]
            j = _reflect(i + k - r, n0)
            for c in range(n1):
                out[i, c] += w * src[j, c]


@njit(cache=True)
def _transition(src, kernel_rows, kernel_cols, floor, rows, turned, out):
    """One transition of a 2D grid density into ``out``: filter along axis 0, along axis 1,
    raise values below ``floor`` to it, normalise. ``rows`` (``src``'s shape) and ``turned``
    (transposed shape, two of them) are work arrays."""
    n0, n1 = src.shape
    _filter_axis0(src, kernel_rows, rows)
    for i in range(n0):
        for c in range(n1):
            turned[0, c, i] = rows[i, c]
    _filter_axis0(turned[0], kernel_cols, turned[1])
    total = 0.0
    for i in range(n0):
        for c in range(n1):
            v = turned[1, c, i]
            if v < floor:
                v = floor
            out[i, c] = v
            total += v
    if total > 0.0:
        for i in range(n0):
            for c in range(n1):
                out[i, c] /= total


def transition_step(posterior, kernel_rows, kernel_cols, floor):
    """The transition of :func:`_transition` as a function (a new array; ``posterior`` is kept).

    Parameters
    ----------
    posterior : ndarray, shape (n0, n1)
        The density on the grid.
    kernel_rows, kernel_cols : ndarray
        Odd-length correlation kernels along axis 0 and axis 1 (``[1.0]``: no filter).
    floor : float
        Values below it are raised to it before normalising (0: none).
    """
    src = np.ascontiguousarray(posterior, dtype=np.float64)
    kr = np.ascontiguousarray(kernel_rows, dtype=np.float64)
    kc = np.ascontiguousarray(kernel_cols, dtype=np.float64)
    out = np.empty_like(src)
    _transition(src, kr, kc, float(floor), np.empty_like(src),
                np.empty((2, src.shape[1], src.shape[0])), out)
    return out


@njit(cache=True)
def _likelihood(segment, q, neg_half_inv_var, log_norm, out):
    """The scaled AR(1) likelihood of one step (``segment`` = previous and current velocity,
    ``(2, d)``) on the grid, the components multiplied; components with a missing value are
    left out, a step with none measured has likelihood 1 (as in bayesloop)."""
    n0, n1 = out.shape
    d = segment.shape[1]
    measured = 0
    squares = np.zeros(n0)
    for m in range(d):
        a, b = segment[0, m], segment[1, m]
        if np.isnan(a) or np.isnan(b):
            continue
        measured += 1
        for i in range(n0):
            r = b - q[i] * a
            squares[i] += r * r
    if measured == 0:
        out[:, :] = 1.0
        return
    for i in range(n0):
        for c in range(n1):
            out[i, c] = np.exp(squares[i] * neg_half_inv_var[i, c] + measured * log_norm[i, c])


@njit(cache=True, error_model="numpy")
def forward_backward(segments, q, neg_half_inv_var, log_norm, prior, kernel_rows, kernel_cols,
                     floor, lattice):
    """bayesloop's forward-backward pass (``Study._fit_formatted_data``) for the scaled AR(1)
    model with the fused transition.

    Parameters
    ----------
    segments : ndarray, shape (T, 2, d)
        bayesloop's formatted data: each step's previous and current velocity.
    q : ndarray, shape (n0,)
        Persistence values (the grid's axis 0).
    neg_half_inv_var, log_norm : ndarray, shape (n0, n1)
        ``-1 / (2 var)`` and ``-log(2 pi var) / 2`` of the step noise on the grid.
    prior : ndarray, shape (n0, n1)
        The initial density.
    kernel_rows, kernel_cols, floor :
        The transition (:func:`transition_step`).
    lattice : float
        The area of a grid cell.

    Returns
    -------
    posterior : ndarray, shape (T, n0, n1)
        The smoothed posterior of every step (each sums to 1).
    log_evidence : float
        Natural log of the evidence; ``-inf`` where a pass found zero probability everywhere.
    local_evidence : ndarray, shape (T,)
        Evidence of each step given the others.
    """
    T = segments.shape[0]
    n0, n1 = prior.shape
    posterior = np.empty((T, n0, n1))
    local_evidence = np.empty(T)
    rows = np.empty((n0, n1))
    turned = np.empty((2, n1, n0))
    likelihoods = np.empty((T, n0, n1))  # kept for the backward pass, as bayesloop keeps them
    alpha = prior.copy()
    nxt = np.empty((n0, n1))
    log_evidence = 0.0
    for t in range(T):
        lik = likelihoods[t]
        _likelihood(segments[t], q, neg_half_inv_var, log_norm, lik)
        norm = 0.0
        for i in range(n0):
            for c in range(n1):
                alpha[i, c] *= lik[i, c]
                norm += alpha[i, c]
        if not norm > 0.0:
            return posterior, -np.inf, local_evidence
        log_evidence += np.log(norm)
        local_evidence[t] = norm * lattice
        for i in range(n0):
            for c in range(n1):
                alpha[i, c] /= norm
                posterior[t, i, c] = alpha[i, c]
        _transition(alpha, kernel_rows, kernel_cols, floor, rows, turned, nxt)
        alpha, nxt = nxt, alpha
    log_evidence += np.log(lattice)
    beta = np.full((n0, n1), 1.0 / (n0 * n1))
    weighted = np.empty((n0, n1))
    for t in range(T - 1, -1, -1):
        post = posterior[t]
        norm = 0.0
        for i in range(n0):
            for c in range(n1):
                post[i, c] *= beta[i, c]
                norm += post[i, c]
        if not norm > 0.0:
            return posterior, -np.inf, local_evidence
        lik = likelihoods[t]
        ratio = 0.0
        for i in range(n0):
            for c in range(n1):
                post[i, c] /= norm
                ratio += post[i, c] / lik[i, c]
                weighted[i, c] = beta[i, c] * lik[i, c]
        local_evidence[t] = 1.0 / (ratio * lattice)
        _transition(weighted, kernel_rows, kernel_cols, floor, rows, turned, beta)
        total = beta.sum()
        for i in range(n0):
            for c in range(n1):
                beta[i, c] /= total
    return posterior, log_evidence, local_evidence


def compiled_classes(scaled_ar1):
    """``(CompiledStudy, FusedTransition)``: bayesloop's ``Study`` and
    ``CombinedTransitionModel`` with the compiled pass, for observation models of the class
    ``scaled_ar1`` (made on first use: bayesloop is imported lazily)."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    import bayesloop as bl
    from bayesloop.transition_models import gaussian_kernel_1d

    class FusedTransition(bl.tm.CombinedTransitionModel):
        """Two Gaussian random walks (on different axes of a 2D grid) and a regime switch,
        last, stepped by :func:`transition_step`; any other combination takes bayesloop's
        path."""

        def fused_arguments(self):
            """``(kernel_rows, kernel_cols, floor)``, or None where this is not the fused case."""
            if self.lattice_constant is None or len(self.lattice_constant) != 2:
                return None
            *walks, switch = self.models
            if type(switch) is not bl.tm.RegimeSwitch \
                    or not all(type(m) is bl.tm.GaussianRandomWalk for m in walks) \
                    or any(np.size(m.hyper_parameter_values[0]) != 1 for m in self.models):
                return None  # other models, or several hyper-parameter values (a hyper-study)
            for m in walks:
                m.study = self.study
            axes = [m._get_axis_to_transform() for m in walks]
            if len(set(axes)) != len(axes):
                return None
            key = (tuple(float(m.hyper_parameter_values[0]) for m in walks), tuple(axes),
                   tuple(float(x) for x in self.lattice_constant),
                   float(switch.hyper_parameter_values[0]))
            if getattr(self, "_fused_key", None) != key:
                kernels = [np.ones(1), np.ones(1)]
                for m, axis in zip(walks, axes):
                    normed_sigma = float(m.hyper_parameter_values[0]) / self.lattice_constant[axis]
                    if normed_sigma > 0.0:
                        kernels[axis] = gaussian_kernel_1d(normed_sigma)
                floor = 10.0 ** float(switch.hyper_parameter_values[0]) \
                    * float(np.prod(self.lattice_constant))
                self._fused_key, self._fused_args = key, (kernels[0], kernels[1], floor)
            return self._fused_args

        def compute_forward_prior(self, posterior, t):
            args = self.fused_arguments()
            if args is None or np.ndim(posterior) != 2:
                return super().compute_forward_prior(posterior, t)
            return transition_step(posterior, *args)

        def compute_backward_prior(self, posterior, t):
            if self.fused_arguments() is None or np.ndim(posterior) != 2:
                return super().compute_backward_prior(posterior, t)
            return self.compute_forward_prior(posterior, t)

    class CompiledStudy(bl.Study):
        """bayesloop's ``Study`` whose forward-backward pass is :func:`forward_backward` for the
        one-pass scaled AR(1) model with :class:`FusedTransition`."""

        def _fit_formatted_data(self, forward_only=False, evidence_only=False, silent=False,
                                cache_likelihoods="auto", max_cache_size=512,
                                likelihood_sequence=None):
            om, tm = self.observation_model, self.transition_model
            args = tm.fused_arguments() if isinstance(tm, FusedTransition) else None
            q = getattr(om, "_q", None)
            data = np.asarray(self.formatted_data, dtype=np.float64)
            if (args is None or forward_only or evidence_only or likelihood_sequence is not None
                    or type(om) is not scaled_ar1 or q is None or q.ndim != 2
                    or q.shape[1] != 1 or data.ndim != 3 or data.shape[1] != 2):
                return super()._fit_formatted_data(forward_only, evidence_only, silent,
                                                   cache_likelihoods, max_cache_size,
                                                   likelihood_sequence)
            lattice = float(np.prod(self.lattice_constant))
            prior = np.ascontiguousarray(self._compute_prior(silent=True), dtype=np.float64)
            posterior, log_evidence, local_evidence = forward_backward(
                data, np.ascontiguousarray(q[:, 0]),
                np.ascontiguousarray(om._negative_half_inv_variance, dtype=np.float64),
                np.ascontiguousarray(om._log_normalization, dtype=np.float64), prior,
                *args[:2], args[2], lattice)
            self.posterior_sequence = posterior
            self.log_evidence = log_evidence
            self.local_evidence = local_evidence
            flat = posterior.reshape(len(posterior), -1)
            self.posterior_mean_values = np.array([flat @ g.ravel() for g in self.grid])

    _CLASSES = (CompiledStudy, FusedTransition)
    return _CLASSES


_CLASSES = None

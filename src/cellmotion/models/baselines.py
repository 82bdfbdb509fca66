"""Likelihood baselines for the generator: models a user could fit instead of an LSTM-MDN.

:class:`GaussianIID` (velocities independent in time) and :class:`AR1` (one homogeneous
persistent random walk for all tracks of a condition: every cell shares the same persistence
and speed, unlike the superstatistical model of Metzner et al. 2015, whose parameters differ
between cells and drift in time). Negative log-likelihoods are per step, in nats, for
velocities in the dataset's units.
"""

from __future__ import annotations

import numpy as np

from .mdn import LOG_2PI


class GaussianIID:
    """Baseline 1: velocities independent in time, one Gaussian (mean, full covariance) per condition."""

    #: What the model is, in words, for tables and sentences.
    label = "independent Gaussian velocities"

    def fit(self, vels) -> "GaussianIID":
        v = np.concatenate([np.asarray(x)[1:] for x in vels])
        self.mean = v.mean(axis=0)
        self.cov = np.atleast_2d(np.cov(v, rowvar=False))
        return self

    def nll(self, vels) -> float:
        """Mean NLL per step over steps 2..T (the LSTM's steps), nats, dataset's velocity units."""
        v = np.concatenate([np.asarray(x)[1:] for x in vels])
        return float(-_gauss_logpdf(v - self.mean, self.cov).mean())

    def track_nll(self, vels) -> np.ndarray:
        """Summed NLL (nats) of steps 2..T of every track: one number per track."""
        return np.array([float(-_gauss_logpdf(np.asarray(x, float)[1:] - self.mean, self.cov).sum())
                         for x in vels])


class AR1:
    """Baseline 2: persistent random walk ``v_t = A v_{t-1} + b + e_t``, ``e_t ~ N(0, S)``.

    *One persistent random walk shared by all cells* of a condition: least squares on all
    consecutive pairs of the training tracks (a matrix ``A`` so that any persistence per axis
    and coupling is allowed; Metzner et al. 2015 use one scalar). Cells that differ in speed
    or persistence are all described by the same ``A`` and ``S``.
    """

    label = "one persistent random walk shared by all cells (AR(1))"

    def fit(self, vels) -> "AR1":
        prev = np.concatenate([np.asarray(x)[:-1] for x in vels])
        nxt = np.concatenate([np.asarray(x)[1:] for x in vels])
        design = np.hstack([prev, np.ones((len(prev), 1))])
        coef, *_ = np.linalg.lstsq(design, nxt, rcond=None)
        self.A, self.b = coef[:-1].T, coef[-1]
        res = nxt - design @ coef
        self.cov = np.atleast_2d(np.cov(res, rowvar=False))
        return self

    @property
    def persistence(self) -> float:
        """Mean diagonal of ``A``: the persistence of the fitted random walk."""
        return float(np.mean(np.diag(self.A)))

    def nll(self, vels) -> float:
        prev = np.concatenate([np.asarray(x)[:-1] for x in vels])
        nxt = np.concatenate([np.asarray(x)[1:] for x in vels])
        return float(-_gauss_logpdf(nxt - prev @ self.A.T - self.b, self.cov).mean())

    def track_nll(self, vels) -> np.ndarray:
        """Summed NLL (nats) of steps 2..T of every track: one number per track."""
        out = []
        for x in vels:
            x = np.asarray(x, float)
            out.append(float(-_gauss_logpdf(x[1:] - x[:-1] @ self.A.T - self.b, self.cov).sum()))
        return np.array(out)


def _gauss_logpdf(r, cov):
    d = r.shape[1]
    sign, logdet = np.linalg.slogdet(cov)
    sol = np.linalg.solve(cov, r.T).T
    return -0.5 * (d * LOG_2PI + logdet + np.sum(r * sol, axis=1))

"""Peer classifiers of velocity windows, to measure the LSTM networks against.

Every classifier here follows scikit-learn's conventions (``fit(X, y)``, ``predict``,
``predict_proba``, ``classes_``, ``get_params``) and takes ``X`` as an array of windows
``(n_windows, n_steps, n_channels)`` of velocities (the report's 30-step "mini
trajectories"), with ``dt`` the time per step (minutes in the book; any unit, used
consistently).

- :class:`MotilityForest`: a random forest on six classic motility features per window
  (:func:`motility_features`, computed with the measures of :mod:`cellmotion.motility`' kind,
  vectorised over windows).
- :class:`MiniRocketClassifier`: MiniRocket (Dempster, Schmidt & Webb 2021, "MiniRocket: a
  very fast (almost) deterministic transform for time series classification", KDD) or, with
  ``pooling="multi"``, MultiRocket's four pooling operators and first-difference series
  (Tan, Dempster, Bergmeir & Webb 2022), followed by a ridge classifier, as
  ``aeon.classification.convolution_based.MiniRocketClassifier`` does. The transform is
  written here in numpy (:class:`MiniRocketTransform`): aeon's releases need numba, which
  does not yet support the numpy this project pins. ``channels`` chooses what the
  convolutions see (:func:`input_channels`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

#: Names of :func:`motility_features` columns (the book's baseline features, same order).
MOTILITY_FEATURES = ["mean speed", "speed s.d.", "straightness", "lag-1 autocorrelation",
                     "mean turning angle [rad]", "net displacement"]

#: Channel sets of :func:`input_channels`.
CHANNEL_KINDS = ("velocity", "invariant", "both")


# ----------------------------------------------------------------------------- inputs
def _windows(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"expected windows (n_windows, n_steps, n_channels), got shape {X.shape}")
    return X


def turning_angles_signed(X) -> np.ndarray:
    """Angle from each step to the next, ``(n, T - 1)``.

    In 2D the signed angle in (-π, π] (counter-clockwise positive); in other dimensions the
    unsigned angle in [0, π]. A step of zero length gives angle 0.
    """
    X = _windows(X)
    a, b = X[:, :-1], X[:, 1:]
    dot = np.sum(a * b, axis=-1)
    if X.shape[-1] == 2:
        cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    else:
        cross = np.linalg.norm(np.cross(a, b), axis=-1) if X.shape[-1] == 3 else np.zeros_like(dot)
    return np.arctan2(cross, dot)


def input_channels(X, kind: str = "velocity", eps: float = 1e-3) -> np.ndarray:
    """Channels ``(n, T, c)`` computed from velocity windows ``X`` ``(n, T, d)``.

    - ``"velocity"``: the velocity components themselves (depend on the direction of motion);
    - ``"invariant"``: ``log(speed + eps)`` and the turning angle into each step
      (:func:`turning_angles_signed`, 0 for the first step); unchanged by rotating a window
      (and, up to a constant, by rescaling it);
    - ``"both"``: velocity components followed by the two invariant channels.
    """
    X = _windows(X)
    if kind == "velocity":
        return X.copy()
    if kind not in CHANNEL_KINDS:
        raise ValueError(f"unknown channel kind {kind!r}; choose one of {CHANNEL_KINDS}")
    speed = np.linalg.norm(X, axis=-1)
    ang = np.zeros(X.shape[:2])
    ang[:, 1:] = turning_angles_signed(X)
    inv = np.stack([np.log(speed + eps), ang], axis=-1)
    return inv if kind == "invariant" else np.concatenate([X, inv], axis=-1)


def motility_features(X, dt: float = 1.0) -> np.ndarray:
    """Six motility features of every velocity window, ``(n, 6)`` (:data:`MOTILITY_FEATURES`).

    Mean and standard deviation of the step speed, straightness (net displacement / path
    length, 0 for a window that never moves), lag-1 velocity autocorrelation (components
    centred, pooled over dimensions), mean unsigned turning angle between consecutive
    non-zero steps (π/2 when there is none) and net displacement (``|sum v| dt``), vectorised
    over windows.
    """
    X = _windows(X)
    speed = np.linalg.norm(X, axis=-1)
    path = speed.sum(axis=1) * dt
    net = np.linalg.norm(X.sum(axis=1), axis=-1) * dt
    with np.errstate(invalid="ignore", divide="ignore"):
        straight = np.where(path > 0, net / np.where(path > 0, path, 1.0), 0.0)
    c = X - X.mean(axis=1, keepdims=True)
    den = np.sum(c * c, axis=(1, 2))
    num = np.sum(c[:, 1:] * c[:, :-1], axis=(1, 2))
    ac = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    a, b = X[:, :-1], X[:, 1:]
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    ok = (na > 0) & (nb > 0)
    cos = np.clip(np.sum(a * b, axis=-1) / np.where(ok, na * nb, 1.0), -1.0, 1.0)
    ang = np.where(ok, np.arccos(cos), 0.0)
    n_ok = ok.sum(axis=1)
    mean_ang = np.where(n_ok > 0, ang.sum(axis=1) / np.maximum(n_ok, 1), np.pi / 2)
    return np.column_stack([speed.mean(axis=1), speed.std(axis=1), straight, ac, mean_ang, net])


# ----------------------------------------------------------------------------- base
class _WindowClassifier(ClassifierMixin, BaseEstimator):
    def _encode(self, y):
        self.classes_, yi = np.unique(np.asarray(y), return_inverse=True)
        return yi

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# ----------------------------------------------------------------------------- forest
class MotilityForest(_WindowClassifier):
    """Random forest on :func:`motility_features` (the book's baseline as an estimator).

    Class-balanced by default (each class carries the same total weight), 300 trees,
    ``min_samples_leaf=2``.
    """

    def __init__(self, dt: float = 1.0, n_estimators: int = 300, min_samples_leaf: int = 2,
                 class_weight="balanced", random_state=None, n_jobs: int = 1):
        self.dt = dt
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y):
        from sklearn.ensemble import RandomForestClassifier

        yi = self._encode(y)
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, min_samples_leaf=self.min_samples_leaf,
            class_weight=self.class_weight, random_state=self.random_state, n_jobs=self.n_jobs)
        self.forest_.fit(motility_features(X, self.dt), yi)
        return self

    def predict_proba(self, X):
        p = self.forest_.predict_proba(motility_features(X, self.dt))
        out = np.zeros((len(p), len(self.classes_)))
        out[:, self.forest_.classes_] = p
        return out


# ----------------------------------------------------------------------------- MiniRocket
_KERNEL_INDICES = np.array(list(combinations(range(9), 3)), dtype=int)  # 84 kernels
_GOLDEN = (np.sqrt(5) + 1) / 2


def _shifted(X, dilation: int) -> np.ndarray:
    """The 9 taps of a dilated kernel: ``S[j, n, c, t] = X[n, c, t + (j - 4) dilation]`` (0 outside)."""
    n, c, T = X.shape
    S = np.zeros((9, n, c, T), dtype=X.dtype)
    for j in range(9):
        off = (j - 4) * dilation
        if off >= 0:
            S[j, :, :, :T - off] = X[:, :, off:]
        else:
            S[j, :, :, -off:] = X[:, :, :T + off]
    return S


def _longest_positive_run(P) -> np.ndarray:
    """Longest run of True along axis 1 of a boolean ``(n, T, m)`` array, ``(n, m)``."""
    run = np.zeros((P.shape[0], P.shape[2]))
    best = np.zeros_like(run)
    for t in range(P.shape[1]):
        run = (run + 1) * P[:, t]
        np.maximum(best, run, out=best)
    return best


class MiniRocketTransform(TransformerMixin, BaseEstimator):
    """MiniRocket features of multichannel series ``(n, n_channels, n_timepoints)``.

    84 kernels of length 9 (weights -1, three of them 2) at dilations spaced exponentially
    up to ``(T - 1) / 8``, alternately with and without padding; each kernel-dilation pair
    convolves the sum of a random subset of channels; biases are quantiles (a low-discrepancy
    sequence) of that convolution of a random training series. ``pooling="ppv"``: the
    proportion of positive values (MiniRocket, about ``num_kernels`` features);
    ``pooling="multi"``: PPV, mean of positive values, mean index of positive values and
    longest stretch of positive values, on the series and on its first difference
    (MultiRocket, about ``8 num_kernels`` features).
    """

    def __init__(self, num_kernels: int = 10_000, max_dilations_per_kernel: int = 32,
                 pooling: str = "ppv", random_state=None, batch_size: int = 4096):
        self.num_kernels = num_kernels
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.pooling = pooling
        self.random_state = random_state
        self.batch_size = batch_size

    # -- parameters
    def _fit_one(self, X, rng):
        n, c, T = X.shape
        if T < 9:
            raise ValueError("MiniRocket needs series of at least 9 time points")
        per_kernel = max(1, self.num_kernels // 84)
        n_dil = min(per_kernel, self.max_dilations_per_kernel)
        max_exp = np.log2((T - 1) / 8)
        dil, counts = np.unique(np.logspace(0, max_exp, n_dil, base=2).astype(int), return_counts=True)
        feats = (counts * (per_kernel / n_dil)).astype(int)
        rem, i = per_kernel - feats.sum(), 0
        while rem > 0:
            feats[i] += 1
            rem -= 1
            i = (i + 1) % len(feats)
        quant = (np.arange(1, 84 * per_kernel + 1) * _GOLDEN) % 1
        max_ch = min(c, 9)
        combos, q0 = [], 0
        for di, d in enumerate(dil):
            S = _shifted(X, int(d))
            alpha = -S.sum(axis=0)
            for ki, idx in enumerate(_KERNEL_INDICES):
                k_ch = max(1, min(c, int(2 ** rng.uniform(0, np.log2(max_ch + 1)))))
                chans = np.sort(rng.choice(c, k_ch, replace=False))
                ex = int(rng.integers(n))
                conv = (alpha[ex, chans] + 3 * S[idx, ex][:, chans].sum(axis=0)).sum(axis=0)
                nf = int(feats[di])
                combos.append({"dilation": int(d), "kernel": ki, "channels": chans,
                               "padding": (di + ki) % 2 == 0,
                               "biases": np.quantile(conv, quant[q0:q0 + nf])})
                q0 += nf
        return combos

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError("expected (n, n_channels, n_timepoints)")
        if self.pooling not in ("ppv", "multi"):
            raise ValueError("pooling must be 'ppv' or 'multi'")
        rng = np.random.default_rng(self.random_state)
        self.n_timepoints_ = X.shape[2]
        self.combos_ = [self._fit_one(X, rng)]
        if self.pooling == "multi":
            self.combos_.append(self._fit_one(np.diff(X, axis=2), rng))
        return self

    # -- features
    def _pool(self, C, b):
        P = C[:, :, None] > b[None, None, :]
        ppv = P.mean(axis=1)
        if self.pooling == "ppv":
            return [ppv]
        cnt = P.sum(axis=1)
        diff = C[:, :, None] - b[None, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            mpv = np.where(cnt > 0, np.sum(diff * P, axis=1) / np.maximum(cnt, 1), 0.0)
            t = np.arange(C.shape[1])[None, :, None]
            mipv = np.where(cnt > 0, np.sum(t * P, axis=1) / np.maximum(cnt, 1), -1.0)
        return [ppv, mpv, mipv, _longest_positive_run(P)]

    def _transform_one(self, X, combos):
        out = []
        by_dil = {}
        for cb in combos:
            by_dil.setdefault(cb["dilation"], []).append(cb)
        for d, cbs in by_dil.items():
            S = _shifted(X, d)
            alpha = -S.sum(axis=0)
            pad = 4 * d
            for cb in cbs:
                ch = cb["channels"]
                C = (alpha[:, ch] + 3 * S[_KERNEL_INDICES[cb["kernel"]]][:, :, ch].sum(axis=0)).sum(axis=1)
                if not cb["padding"]:
                    C = C[:, pad:-pad]
                out.extend(self._pool(C, cb["biases"]))
        return np.concatenate(out, axis=1)

    def transform(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[2] != self.n_timepoints_:
            raise ValueError(f"expected (n, n_channels, {self.n_timepoints_})")
        parts = []
        for s in range(0, len(X), self.batch_size):
            xb = X[s:s + self.batch_size]
            f = [self._transform_one(xb, self.combos_[0])]
            if self.pooling == "multi":
                f.append(self._transform_one(np.diff(xb, axis=2), self.combos_[1]))
            parts.append(np.concatenate(f, axis=1).astype(np.float32))
        if not parts:
            return np.zeros((0, 0), np.float32)
        return np.concatenate(parts, axis=0)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class MiniRocketClassifier(_WindowClassifier):
    """MiniRocket (or MultiRocket pooling) features of the windows, then a ridge classifier.

    The windows ``(n, T, d)`` of velocities become :func:`input_channels` of ``channels``
    ("velocity", "invariant" or "both"), transposed to ``(n, channels, T)`` for
    :class:`MiniRocketTransform`; features are scaled to unit variance and classified by
    ``RidgeClassifierCV`` over ``alphas`` (aeon's defaults: ``logspace(-3, 3, 10)``).
    ``predict_proba`` is the softmax of the ridge decision values (``proba="onehot"``: the
    one-hot prediction, as aeon returns). ``random_state`` seeds the transform, which is the
    only random part.
    """

    def __init__(self, channels: str = "velocity", dt: float = 1.0, num_kernels: int = 10_000,
                 pooling: str = "ppv", alphas=None, class_weight=None, proba: str = "softmax",
                 random_state=None, eps: float = 1e-3):
        self.channels = channels
        self.dt = dt
        self.num_kernels = num_kernels
        self.pooling = pooling
        self.alphas = alphas
        self.class_weight = class_weight
        self.proba = proba
        self.random_state = random_state
        self.eps = eps

    def _series(self, X):
        return np.transpose(input_channels(X, self.channels, self.eps), (0, 2, 1))

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV
        from sklearn.preprocessing import StandardScaler

        if self.proba not in ("softmax", "onehot"):
            raise ValueError("proba must be 'softmax' or 'onehot'")
        yi = self._encode(y)
        self.transform_ = MiniRocketTransform(num_kernels=self.num_kernels, pooling=self.pooling,
                                              random_state=self.random_state)
        S = self._series(X)
        F = self.transform_.fit(S).transform(S)
        self.scaler_ = StandardScaler(with_mean=False).fit(F)
        alphas = np.logspace(-3, 3, 10) if self.alphas is None else self.alphas
        self.ridge_ = RidgeClassifierCV(alphas=alphas, class_weight=self.class_weight)
        self.ridge_.fit(self.scaler_.transform(F), yi)
        return self

    def decision_function(self, X):
        F = self.scaler_.transform(self.transform_.transform(self._series(X)))
        z = self.ridge_.decision_function(F)
        if z.ndim == 1:  # two classes: sklearn gives the score of the second
            z = np.column_stack([-z, z])
        return z

    def predict_proba(self, X):
        z = self.decision_function(X)
        if self.proba == "onehot":
            out = np.zeros_like(z)
            out[np.arange(len(z)), z.argmax(axis=1)] = 1.0
            return out
        return _softmax(z)

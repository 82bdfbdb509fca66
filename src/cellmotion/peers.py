"""Peer classifiers of velocity windows, to measure the LSTM networks against.

Every classifier here follows scikit-learn's conventions (``fit(X, y)``, ``predict``,
``predict_proba``, ``classes_``, ``get_params``) and takes ``X`` as an array of windows
``(n_windows, n_steps, n_channels)`` of velocities (the report's 30-step "mini
trajectories"), with ``dt`` the time per step (minutes in the book; any unit, used
consistently). Every one weighs the classes equally (``class_weight="balanced"``), as the
book's networks do, and every ``predict_proba`` is a probability fitted to data.

- :class:`MotilityForest`: a random forest on the per-window motility measures a cell
  biologist computes (:func:`motility_features`, i.e.
  :func:`cellmotion.motility.window_measures`: celltrackR's measures, Wortel et al. 2021), all
  unchanged when a window is rotated.
- :class:`MiniRocketClassifier`: aeon's MiniRocket transform (Dempster, Schmidt & Webb 2021,
  KDD) or, with ``pooling="multi"`` (:class:`MultiRocketClassifier`), aeon's MultiRocket
  transform (Tan, Dempster, Bergmeir & Webb 2022, *Data Min. Knowl. Disc.*), standardised
  features and a class-balanced ridge classifier over aeon's ``alphas`` -- the classifier
  aeon's ``MiniRocketClassifier`` builds -- whose decision values are turned into
  probabilities by temperature scaling (scikit-learn's ``CalibratedClassifierCV``) fitted on
  out-of-fold decision values. ``channels`` chooses what the convolutions see
  (:func:`input_channels`).

No transform is written here: the convolutions are aeon's.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import RidgeClassifierCV

from .motility import WINDOW_MEASURES, window_measures

#: Names of :func:`motility_features` columns (celltrackR's per-track measures on a window).
MOTILITY_FEATURES = list(WINDOW_MEASURES)

#: Channel sets of :func:`input_channels`.
CHANNEL_KINDS = ("velocity", "invariant", "both")
#: Channel kinds whose values do not change when a whole window is rotated.
ROTATION_INVARIANT_KINDS = ("invariant",)

#: Kernels of the transforms by default. aeon's defaults (MiniRocket 10,000 kernels, about
#: 10,000 features; MultiRocket 6,250, about 50,000) make the ridge's leave-one-out search of
#: its penalty cost O(n p^2) per penalty on n windows and p features: on 2 cores about a
#: minute or more per fit on ~3,700 windows of 30 steps. 1,000 MiniRocket kernels (924
#: features; about 8 s per fit on 6,200 windows of 30 steps on one core) and 250 MultiRocket
#: kernels (1,344 features: 168 kernels x 4 pooling operators x series and first difference)
#: keep p well below n; with 30 steps there are only three dilations, so the extra kernels of
#: the defaults mostly repeat features (more quantile biases of the same convolutions).
DEFAULT_KERNELS = {"ppv": 1_000, "multi": 250}
#: Ridge penalties searched by leave-one-out: on the standardised rocket features of the
#: leukocytes the best penalty was the top of aeon's ``logspace(-3, 3, 10)``, so the grid
#: reaches further up (and skips the smallest penalties, which never won).
DEFAULT_ALPHAS = np.logspace(-1, 5, 7)


class RidgeClassifierGCV(RidgeClassifierCV):
    """scikit-learn's ``RidgeClassifierCV`` (leave-one-out choice of the penalty) with the
    ``gcv_mode`` that ``RidgeCV`` offers and ``RidgeClassifierCV`` does not expose.

    With more windows than features the default ("cov") recomputes an ``n x p x p`` product
    for every penalty; ``"svd"`` decomposes the features once. Same leave-one-out errors, same
    chosen penalty and coefficients up to rounding (``tests/test_peers.py``); on 3,000 windows
    of 924 to 1,344 rocket features with seven penalties it took a quarter to a third less CPU.
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, class_weight=None, gcv_mode=None):
        super().__init__(alphas=alphas, class_weight=class_weight)
        self.gcv_mode = gcv_mode


# ----------------------------------------------------------------------------- inputs
def _windows(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"expected windows (n_windows, n_steps, n_channels), got shape {X.shape}")
    return X


def turning_angles_signed(X) -> np.ndarray:
    """Angle from each step to the next, ``(n, T - 1)``.

    Parameters
    ----------
    X : array ``(n, T, d)``
        Velocity windows.

    Returns
    -------
    numpy.ndarray
        In 2D the signed angle in (-π, π] (counter-clockwise positive); in other dimensions
        the unsigned angle in [0, π]. A step of zero length gives angle 0.
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

    Parameters
    ----------
    X : array ``(n, T, d)``
        Velocity windows.
    kind : {"velocity", "invariant", "both"}
        ``"velocity"``: the velocity components themselves (they change when the window is
        rotated: a model on them can read the direction of motion, and with it a movie's
        drift); ``"invariant"``: ``log(speed + eps)`` and the turning angle into each step
        (:func:`turning_angles_signed`, 0 for the first step), unchanged when a whole window
        is rotated (:data:`ROTATION_INVARIANT_KINDS`); ``"both"``: velocity components
        followed by the two invariant channels.
    eps : float
        Added to the speed before the logarithm (a step of length 0 stays finite).

    Returns
    -------
    numpy.ndarray
        The channels, ``(n, T, c)``.
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
    """Motility measures of every velocity window, ``(n, len(MOTILITY_FEATURES))``.

    Parameters
    ----------
    X : array ``(n, T, d)``
        Velocity windows.
    dt : float
        Time per step.

    Returns
    -------
    numpy.ndarray
        The columns of :data:`MOTILITY_FEATURES`; see
        :func:`cellmotion.motility.window_measures` for the definitions.
    """
    return window_measures(_windows(X), dt)


# ----------------------------------------------------------------------------- base
class _WindowClassifier(ClassifierMixin, BaseEstimator):
    #: True when ``predict_proba`` returns probabilities fitted to data (every model here).
    calibrated_probabilities = True

    def _encode(self, y):
        self.classes_, yi = np.unique(np.asarray(y), return_inverse=True)
        return yi

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


# ----------------------------------------------------------------------------- forest
class MotilityForest(_WindowClassifier):
    """Random forest on :func:`motility_features` (the cell biologist's peer).

    Parameters
    ----------
    dt : float
        Time per step of the windows.
    n_estimators, min_samples_leaf : int
        Forest size and leaf size (300 trees, leaves of at least 2 windows).
    class_weight : str or dict
        ``"balanced"`` by default: each class carries the same total weight.
    random_state : int or None
        Seeds the forest.
    n_jobs : int
        Parallel jobs of the forest.

    Notes
    -----
    The feature list is fixed a priori (:data:`MOTILITY_FEATURES`), never chosen on the data
    being scored; every feature is unchanged when a window is rotated, so the forest cannot
    read a movie's direction of drift. Probabilities are the forest's vote fractions.
    """

    def __init__(self, dt: float = 1.0, n_estimators: int = 300, min_samples_leaf: int = 2,
                 class_weight="balanced", random_state=None, n_jobs: int = 1):
        self.dt = dt
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y, groups=None):
        """Fit on windows ``X`` with labels ``y`` (``groups`` is accepted and unused)."""
        from sklearn.ensemble import RandomForestClassifier

        yi = self._encode(y)
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, min_samples_leaf=self.min_samples_leaf,
            class_weight=self.class_weight, random_state=self.random_state, n_jobs=self.n_jobs)
        self.forest_.fit(motility_features(X, self.dt), yi)
        return self

    def predict_proba(self, X):
        """Class probabilities ``(n, n_classes)`` in the order of ``classes_``."""
        p = self.forest_.predict_proba(motility_features(X, self.dt))
        out = np.zeros((len(p), len(self.classes_)))
        out[:, self.forest_.classes_] = p
        return out


# ----------------------------------------------------------------------------- Mini/MultiRocket
def _calibration_splits(y, groups, n_splits: int, random_state):
    """Out-of-fold splits for the calibration: grouped by ``groups`` where given (windows of
    one cell on one side), else per class in order of appearance (consecutive windows, which
    come from the same track, stay together)."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    n_splits = int(max(2, min(n_splits, np.bincount(y).min())))
    if groups is not None:
        groups = np.asarray(groups)
        per_class = [len(np.unique(groups[y == c])) for c in np.unique(y)]
        n_splits = int(max(2, min(n_splits, min(per_class))))
        cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True,
                                  random_state=0 if random_state is None else random_state)
        return list(cv.split(np.zeros(len(y)), y, groups))
    return list(StratifiedKFold(n_splits=n_splits, shuffle=False).split(np.zeros(len(y)), y))


class MiniRocketClassifier(_WindowClassifier):
    """aeon's MiniRocket (or MultiRocket) transform, a balanced ridge and calibrated probabilities.

    Parameters
    ----------
    channels : {"velocity", "invariant", "both"}
        What the convolutions see (:func:`input_channels`).
    dt : float
        Time per step (kept for the common interface; the transform does not need it).
    random_state : int or None
        Seeds aeon's transform (its only random part) and the calibration folds.
    pooling : {"ppv", "multi"}
        ``"ppv"``: aeon's ``MiniRocket`` (proportion of positive values);
        ``"multi"``: aeon's ``MultiRocket`` (four pooling operators on the series and its
        first difference).
    num_kernels : int or None
        Kernels of the transform; ``None``: :data:`DEFAULT_KERNELS` of ``pooling``.
    alphas : array or None
        Ridge penalties searched by leave-one-out (``None``: :data:`DEFAULT_ALPHAS`).
    class_weight : str, dict or None
        ``"balanced"`` by default (each class the same total weight).
    calibration_folds : int
        Folds of out-of-fold decision values on which the temperature is fitted.
    eps : float
        See :func:`input_channels`.
    n_jobs : int
        Threads of aeon's transform.

    Notes
    -----
    The windows ``(n, T, d)`` become ``(n, c, T)`` channel series; aeon's transform gives the
    features, which are standardised; ``RidgeClassifierCV`` picks the penalty on all training
    windows. ``predict_proba`` is ``softmax(decision / T)`` with the temperature ``T``
    fitted (scikit-learn's ``CalibratedClassifierCV(method="temperature")``) on decision
    values of ridge models that did not see those windows. Temperature scaling leaves the
    ridge's decisions unchanged (the same class wins), so calibration does not undo the class
    balancing. ``fit(X, y, groups=cells)`` keeps each cell's windows on one side of every
    calibration fold; without ``groups`` the folds take consecutive windows per class.
    """

    def __init__(self, channels: str = "velocity", dt: float = 1.0, random_state=None,
                 pooling: str = "ppv", num_kernels: int | None = None, alphas=None,
                 class_weight="balanced", calibration_folds: int = 3, eps: float = 1e-3,
                 n_jobs: int = 1):
        self.channels = channels
        self.dt = dt
        self.random_state = random_state
        self.pooling = pooling
        self.num_kernels = num_kernels
        self.alphas = alphas
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.eps = eps
        self.n_jobs = n_jobs

    def _series(self, X):
        return np.ascontiguousarray(np.transpose(input_channels(X, self.channels, self.eps),
                                                 (0, 2, 1)))

    def _transform(self):
        from aeon.transformations.collection.convolution_based import MiniRocket, MultiRocket

        if self.pooling not in DEFAULT_KERNELS:
            raise ValueError(f"pooling must be one of {tuple(DEFAULT_KERNELS)}, got {self.pooling!r}")
        k = DEFAULT_KERNELS[self.pooling] if self.num_kernels is None else int(self.num_kernels)
        cls = MiniRocket if self.pooling == "ppv" else MultiRocket
        return cls(n_kernels=k, random_state=self.random_state, n_jobs=self.n_jobs)

    def fit(self, X, y, groups=None):
        """Fit on windows ``X`` ``(n, T, d)`` with labels ``y``.

        Parameters
        ----------
        X : array ``(n, T, d)``
            Velocity windows.
        y : array ``(n,)``
            Labels.
        groups : array ``(n,)`` or None
            The cell of every window: calibration folds keep a cell on one side.

        Returns
        -------
        MiniRocketClassifier
            ``self``.
        """
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import RidgeClassifier
        from sklearn.preprocessing import StandardScaler

        yi = self._encode(y)
        self.transform_ = self._transform()
        F = self.transform_.fit_transform(self._series(X))
        self.scaler_ = StandardScaler().fit(F)
        F = self.scaler_.transform(F)
        alphas = DEFAULT_ALPHAS if self.alphas is None else self.alphas
        # one decomposition of the features for all penalties when windows outnumber features
        self.ridge_ = RidgeClassifierGCV(alphas=alphas, class_weight=self.class_weight,
                                         gcv_mode="svd" if F.shape[0] > F.shape[1] else None).fit(F, yi)
        splits = _calibration_splits(yi, groups, self.calibration_folds, self.random_state)
        base = RidgeClassifier(alpha=float(self.ridge_.alpha_), class_weight=self.class_weight)
        self.calibrated_ = CalibratedClassifierCV(base, method="temperature", cv=splits,
                                                  ensemble=False).fit(F, yi)
        return self

    def _features(self, X):
        return self.scaler_.transform(self.transform_.transform(self._series(X)))

    def decision_function(self, X):
        """The balanced ridge's decision values ``(n, n_classes)`` (two classes: ``[-z, z]``)."""
        z = self.ridge_.decision_function(self._features(X))
        return np.column_stack([-z, z]) if z.ndim == 1 else z

    def predict_proba(self, X):
        """Calibrated class probabilities ``(n, n_classes)`` in the order of ``classes_``."""
        p = self.calibrated_.predict_proba(self._features(X))
        out = np.zeros((len(p), len(self.classes_)))
        out[:, self.calibrated_.classes_] = p
        return out / out.sum(axis=1, keepdims=True)  # exactly 1 per row in float64


class MultiRocketClassifier(MiniRocketClassifier):
    """:class:`MiniRocketClassifier` with aeon's MultiRocket transform (``pooling="multi"``)."""

    def __init__(self, channels: str = "velocity", dt: float = 1.0, random_state=None,
                 pooling: str = "multi", num_kernels: int | None = None, alphas=None,
                 class_weight="balanced", calibration_folds: int = 3, eps: float = 1e-3,
                 n_jobs: int = 1):
        super().__init__(channels=channels, dt=dt, random_state=random_state, pooling=pooling,
                         num_kernels=num_kernels, alphas=alphas, class_weight=class_weight,
                         calibration_folds=calibration_folds, eps=eps, n_jobs=n_jobs)

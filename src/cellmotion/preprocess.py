"""Preprocessing as in the report: resampling, velocities, normalisation, split, windows.

Rieke (2016, section 3) brought every condition to one sampling interval of 5 min (every
second Collagen step, every fifth Plastic/Fibronectin step), turned positions into
velocities ``v_t = (r_{t+1} - r_t) / dt`` in µm/min, and normalised velocities to
[-1, 1]. Training windows ("mini trajectories") are 30 steps long.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .contract import REPLICATE, DataError, cell_ids, conditions, flat_z_conditions
from .curation import resample


@dataclass
class Trajectories:
    """Velocity sequences of many tracks at one sampling interval.

    ``velocities[i]`` has shape ``(T_i, d)`` in µm/min; ``starts[i]`` is the first position
    (µm); ``labels[i]`` indexes ``condition_names``; ``flat_z`` lists the 2D conditions
    (z never changes, or there is no z at all). ``replicates[i]`` is the track's replicate
    (donor, movie) where the table has one, else ``None``; :attr:`cells` names the cell of
    each track (pieces of one track cut at gaps share it).
    """

    track_ids: np.ndarray
    conditions: np.ndarray
    condition_names: list
    labels: np.ndarray
    velocities: list
    starts: list
    dt: float
    dims: list
    flat_z: list = field(default_factory=list)
    replicates: np.ndarray | None = None

    @property
    def cells(self) -> np.ndarray:
        """The cell of each track (:func:`cellmotion.contract.cell_ids`)."""
        return cell_ids(self.track_ids)

    def __len__(self) -> int:
        return len(self.velocities)

    def subset(self, idx) -> "Trajectories":
        """The tracks at integer positions ``idx`` (condition names keep their order)."""
        idx = np.asarray(idx, dtype=int)
        return replace(self, track_ids=self.track_ids[idx], conditions=self.conditions[idx],
                       labels=self.labels[idx], velocities=[self.velocities[i] for i in idx],
                       starts=[self.starts[i] for i in idx],
                       replicates=None if self.replicates is None else self.replicates[idx])

    def drop_z(self) -> "Trajectories":
        """The same tracks with x and y only."""
        if "z" not in self.dims:
            return self
        keep = [i for i, d in enumerate(self.dims) if d != "z"]
        return replace(self, velocities=[v[:, keep] for v in self.velocities],
                       starts=[s[keep] for s in self.starts], dims=[self.dims[i] for i in keep])

    def modelled_dims(self, condition: str) -> list:
        """Dimensions a condition is analysed in: x, y for 2D conditions (flat z), else all."""
        if condition in self.flat_z:
            return [d for d in self.dims if d != "z"]
        return list(self.dims)

    def modelled_velocities(self, i: int) -> np.ndarray:
        """Velocities of track ``i`` in its condition's :meth:`modelled_dims` (a flat z dropped)."""
        dims = self.modelled_dims(self.conditions[i])
        if len(dims) == len(self.dims):
            return self.velocities[i]
        return self.velocities[i][:, [self.dims.index(d) for d in dims]]

    def positions(self, i: int) -> np.ndarray:
        """Positions of track ``i`` in µm, shape ``(T_i + 1, d)``."""
        return velocities_to_positions(self.velocities[i], self.dt, self.starts[i])

    def lengths(self) -> np.ndarray:
        """Number of velocity steps per track."""
        return np.array([len(v) for v in self.velocities])

    def to_frame(self) -> pd.DataFrame:
        """Back to the tidy table (positions in µm, t in min from each track's start)."""
        frames = []
        for i in range(len(self)):
            pos = self.positions(i)
            part = pd.DataFrame({"track_id": self.track_ids[i], "condition": self.conditions[i],
                                 "t": np.arange(len(pos)) * self.dt})
            for j, d in enumerate(self.dims):
                part[d] = pos[:, j]
            if self.replicates is not None:
                part[REPLICATE] = self.replicates[i]
            frames.append(part)
        return pd.concat(frames, ignore_index=True)


def velocities_to_positions(v: np.ndarray, dt: float, start=None) -> np.ndarray:
    """Integrate velocities over time steps to positions.

    Parameters
    ----------
    v : array-like
        Velocities ``(T, d)`` [µm/min].
    dt : float
        Time step [min].
    start : array-like, optional
        First position ``(d,)`` [µm]; the origin by default.

    Returns
    -------
    numpy.ndarray
        Positions ``(T + 1, d)`` [µm], beginning with ``start``.
    """
    v = np.asarray(v, dtype=float)
    start = np.zeros(v.shape[1]) if start is None else np.asarray(start, dtype=float)
    return np.vstack([start, start + np.cumsum(v * dt, axis=0)])


def to_trajectories(df: pd.DataFrame, interval: float | None = 5.0) -> Trajectories:
    """Resample a tidy table to ``interval`` minutes and turn each track into velocities.

    Parameters
    ----------
    df : pandas.DataFrame
        A curated tidy table (the data contract).
    interval : float or None
        The sampling interval to resample to (:func:`cellmotion.curation.resample`), in the
        table's time unit; None keeps the native sampling (all conditions must then share it;
        the median step is used).

    Returns
    -------
    Trajectories
        One velocity sequence per track with at least two positions, ordered by condition
        (order of first appearance) and track id; ``replicates`` set where the table has a
        ``replicate`` column.

    Raises
    ------
    DataError
        A track whose time steps are not all equal to the interval (a missing frame): its
        velocities would be wrong.
    """
    if interval is not None:
        df = resample(df, interval)
        dt = float(interval)
    else:
        dts = df.groupby("track_id")["t"].diff().dropna()
        dt = float(dts.median())
    dims = [d for d in ("x", "y", "z") if d in df.columns]
    names = conditions(df)
    ids, conds, vels, starts, reps = [], [], [], [], []
    for (cond, tid), g in df.groupby(["condition", "track_id"], sort=False):
        pos = g[dims].to_numpy(dtype=float)
        if len(pos) < 2:
            continue
        t = g["t"].to_numpy(dtype=float)
        off = ~np.isclose(np.diff(t), dt, rtol=1e-6, atol=1e-9)
        if off.any():  # a velocity across a missing frame would be silently wrong
            k = int(np.flatnonzero(off)[0])
            raise DataError(
                f"track '{tid}' ({cond}): the step from t = {t[k]:g} to {t[k + 1]:g} min is not "
                f"the interval of {dt:g} min (a missing frame, or conditions sampled at different "
                "intervals). Load data with cellmotion.datasets.load_dataset, which splits tracks "
                "at gaps, or resample to a common interval.")
        ids.append(tid)
        reps.append(g[REPLICATE].iloc[0] if REPLICATE in g.columns else None)
        conds.append(cond)
        vels.append(np.diff(pos, axis=0) / dt)
        starts.append(pos[0])
    conds = np.asarray(conds, dtype=object)
    order = np.lexsort((np.asarray(ids, dtype=str), [names.index(c) for c in conds]))
    return Trajectories(
        track_ids=np.asarray(ids, dtype=object)[order], conditions=conds[order],
        condition_names=names, labels=np.array([names.index(c) for c in conds[order]]),
        velocities=[vels[i] for i in order], starts=[starts[i] for i in order], dt=dt, dims=dims,
        flat_z=flat_z_conditions(df),
        replicates=np.asarray(reps, dtype=object)[order] if REPLICATE in df.columns else None)


def split_tracks(traj: Trajectories, test_fraction: float = 0.2, seed: int = 0):
    """Seeded hold-out split by cell, stratified by condition.

    Parameters
    ----------
    traj : Trajectories
        The tracks.
    test_fraction : float
        Fraction of each condition's cells held out, in (0, 1).
    seed : int
        Seed of the shuffle.

    Returns
    -------
    train_idx, test_idx : numpy.ndarray
        Sorted track indices into ``traj``: :func:`split_by_cell` applied to its tracks.
    """
    return split_by_cell(traj.track_ids, traj.condition_names, traj.labels, test_fraction, seed)


def split_by_cell(track_ids, condition_names, labels, test_fraction: float = 0.2, seed: int = 0,
                  strict: bool = True):
    """Seeded hold-out split of items (tracks or windows) by cell, stratified by condition.

    ``track_ids[k]`` names the track item ``k`` belongs to; its cell is
    :func:`cellmotion.contract.cell_ids` (pieces of one track cut at gaps are one cell).
    Within each condition the cells are sorted, shuffled with ``seed`` and the first
    ``round(test_fraction * n_cells)`` (at least one) go to the test set with all their
    items. The result does not depend on the order in which files were listed, only on the
    ids and the seed. Returns sorted ``(train_idx, test_idx)`` item indices. A condition with
    fewer than two cells is refused, or with ``strict=False`` kept whole on the training side.
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must lie between 0 and 1")
    cells = cell_ids(track_ids).astype(str)
    labels = np.asarray(labels)
    test_cells = set()
    for lab, name in enumerate(condition_names):
        own = np.unique(cells[labels == lab])
        if len(own) < 2 and not strict:
            continue
        if len(own) < 2:
            raise DataError(f"condition '{name}' has {len(own)} cell(s); "
                            "a train/test split needs at least two.")
        # one stream per condition, keyed by its name: independent of condition order
        rng = np.random.default_rng([seed, zlib.crc32(str(name).encode())])
        own = rng.permutation(own)
        n_test = min(len(own) - 1, max(1, int(round(test_fraction * len(own)))))
        test_cells.update(own[:n_test])
    is_test = np.isin(cells, list(test_cells))
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


class Scaler:
    """Scale velocities by one number so that the largest |component| maps to 1.

    One scalar for all dimensions (the report's [-1, 1] normalisation) keeps directions
    intact, so rotated tracks stay rotated tracks. :meth:`fit` sets ``scale``;
    :meth:`transform` divides by it and :meth:`inverse_transform` multiplies by it (an array
    or a list of arrays).

    Parameters
    ----------
    scale : float, optional
        µm/min per scaled unit; None until :meth:`fit` is called.
    quantile : float
        In (0, 1]; ``quantile < 1`` maps that quantile of |component| to 1 instead of the
        largest: on real tracks the largest step is a tracking jump, which would squeeze every
        real step near 0.
    """

    def __init__(self, scale: float | None = None, quantile: float = 1.0):
        if not 0 < quantile <= 1:
            raise ValueError("quantile must lie in (0, 1]")
        self.scale = scale
        self.quantile = quantile

    def fit(self, velocities) -> "Scaler":
        arrays = velocities if isinstance(velocities, (list, tuple)) else [velocities]
        arrays = [np.abs(np.asarray(v, dtype=float)).ravel() for v in arrays if len(v)]
        m = float(np.quantile(np.concatenate(arrays), self.quantile)) if self.quantile < 1 \
            else max(float(a.max()) for a in arrays)
        if not m > 0:
            raise ValueError("cannot fit a scale to all-zero velocities")
        self.scale = m
        return self

    def _check(self):
        if self.scale is None:
            raise RuntimeError("Scaler is not fitted: call fit() first")

    def transform(self, v):
        self._check()
        if isinstance(v, (list, tuple)):
            return [np.asarray(x) / self.scale for x in v]
        return np.asarray(v) / self.scale

    def inverse_transform(self, v):
        self._check()
        if isinstance(v, (list, tuple)):
            return [np.asarray(x) * self.scale for x in v]
        return np.asarray(v) * self.scale


def make_windows(velocities, labels, length: int = 30, stride: int | None = None):
    """Cut tracks into windows ("mini trajectories") of ``length`` steps.

    Windows start at 0, ``stride``, 2 ``stride``, ... and never straddle two tracks; a track
    shorter than ``length`` gives no window.

    Parameters
    ----------
    velocities : sequence of array-like
        Velocities ``(T_i, d)`` of each track.
    labels : array-like
        Label of each track.
    length : int
        Steps per window (at least 1).
    stride : int, optional
        Steps between window starts; None means non-overlapping windows (stride = length).

    Returns
    -------
    X : numpy.ndarray
        Windows, shape ``(n, length, d)``, float32.
    y : numpy.ndarray
        Label of each window's track, shape ``(n,)``.
    owner : numpy.ndarray
        Index of each window's source track in ``velocities``, shape ``(n,)``.
    """
    if length < 1:
        raise ValueError("window length must be at least 1")
    stride = length if stride is None else int(stride)
    if stride < 1:
        raise ValueError("stride must be at least 1")
    xs, ys, owners = [], [], []
    labels = np.asarray(labels)
    for i, v in enumerate(velocities):
        v = np.asarray(v)
        for s in range(0, len(v) - length + 1, stride):
            xs.append(v[s:s + length])
            ys.append(labels[i])
            owners.append(i)
    d = np.asarray(velocities[0]).shape[1] if len(velocities) else 0
    if not xs:
        return (np.zeros((0, length, d), np.float32), np.zeros(0, int), np.zeros(0, int))
    return np.stack(xs).astype(np.float32), np.asarray(ys), np.asarray(owners)

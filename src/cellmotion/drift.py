"""Movie drift: the shared motion of every cell in one movie, measured and removed.

The cells of one movie (one field of view: a condition x replicate, or a ``movie`` column)
share whatever moves the whole field -- stage drift, flow, a gradient whose orientation differs
from chamber to chamber. A classifier that reads the direction of motion can then recognise
the movie instead of the condition. This module works on the tidy table of
:mod:`cellmotion.contract` (after curation, before any model sees the tracks):

- :func:`movie_ids`: the movie of every row;
- :func:`movie_velocities`: each movie's mean velocity, total displacement over total time of
  its tracks;
- :func:`movie_drift_table`: per movie, the mean velocity, its speed, the mean resultant
  length ``R`` of the cells' net displacement directions, their mean direction and a chance
  reference for ``R`` (its 95 % quantile when the same number of cells point in uniformly
  random directions, and the Rayleigh test's p);
- :func:`subtract_movie_mean`: positions minus ``v_movie * t``, so that every movie's mean
  velocity becomes 0; fitted from the movie's own tracks, without labels.

The config keys ``drift``, ``movie`` and ``direction`` (:mod:`cellmotion.config`) choose
what :func:`cellmotion.datasets.load_dataset` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import MOVIE, REPLICATE, cell_ids

#: Values of the config key ``drift``.
DRIFT_POLICIES = ("none", "subtract-movie-mean")
#: Values of the config key ``direction``: ``artefact`` (default; models must not read the
#: direction of motion) or ``signal`` (a gradient along the same axis in every movie).
DIRECTION_POLICIES = ("artefact", "signal")


def _dims(df: pd.DataFrame) -> list:
    return [d for d in ("x", "y", "z") if d in df.columns]


def has_movies(df: pd.DataFrame, movie: str | None = None) -> bool:
    """True when the table says which movie a track comes from (a movie or replicate column).

    Without one, :func:`movie_ids` takes each condition as one movie.

    Parameters
    ----------
    df : pandas.DataFrame
        A tidy table of tracks.
    movie : str, optional
        A config's movie column, looked for besides ``movie`` and ``replicate``.

    Returns
    -------
    bool
        Whether ``df`` has any of these columns.
    """
    return (movie is not None and movie in df.columns) or MOVIE in df.columns \
        or REPLICATE in df.columns


def movie_ids(df: pd.DataFrame, movie: str | None = None) -> np.ndarray:
    """The movie of every row of a tidy table.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table (``track_id, condition, t, x, y[, z][, replicate][, movie]``).
    movie : str or None
        A column that names the movie. ``None``: the ``movie`` column where the table has
        one, else ``<condition>/<replicate>``, else the condition (one movie per condition).

    Returns
    -------
    numpy.ndarray
        One string per row.
    """
    col = movie if movie is not None else (MOVIE if MOVIE in df.columns else None)
    if col is not None:
        if col not in df.columns:
            raise KeyError(f"no movie column '{col}' in the table (columns: {list(df.columns)})")
        return df[col].astype(str).to_numpy(dtype=object)
    cond = df["condition"].astype(str)
    if REPLICATE in df.columns:
        return (cond + "/" + df[REPLICATE].astype(str)).to_numpy(dtype=object)
    return cond.to_numpy(dtype=object)


def movie_velocities(df: pd.DataFrame, movie: str | None = None) -> pd.DataFrame:
    """Each movie's mean velocity: the sum of its tracks' displacements over their total time.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table.
    movie : str or None
        See :func:`movie_ids`.

    Returns
    -------
    pandas.DataFrame
        Indexed by movie, one column ``v<dim>`` per spatial dimension, in the table's length
        unit per time unit. Every step counts with its duration, so a movie's velocity is that
        of its cells' pooled motion.
    """
    dims = _dims(df)
    mid = movie_ids(df, movie)
    tid = df["track_id"].to_numpy()
    same = np.r_[False, tid[1:] == tid[:-1]]  # a step joins this row to the previous one
    step = pd.DataFrame({"movie": mid[same], "dt": np.diff(df["t"].to_numpy())[same[1:]]})
    for d in dims:
        step["d" + d] = np.diff(df[d].to_numpy())[same[1:]]
    tot = step.groupby("movie", sort=False).sum()
    out = pd.DataFrame(index=pd.Index(list(dict.fromkeys(mid)), name="movie"))
    for d in dims:
        out["v" + d] = (tot["d" + d] / tot["dt"]).reindex(out.index).fillna(0.0)
    return out


def subtract_movie_mean(df: pd.DataFrame, movie: str | None = None) -> pd.DataFrame:
    """Remove each movie's mean velocity from its positions.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table, rows of a track in time order (as :func:`cellmotion.contract.validate_tracks`
        returns them).
    movie : str or None
        See :func:`movie_ids`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``r(t) - v_movie t`` for every position, ``v_movie`` from
        :func:`movie_velocities`: the mean velocity of each movie becomes 0, a drift shared
        by every track of a movie (constant in time) is removed exactly, and no label enters
        except through the grouping into movies.
    """
    v = movie_velocities(df, movie)
    mid = movie_ids(df, movie)
    out = df.copy()
    t = df["t"].to_numpy(dtype=float)
    for d in _dims(df):
        out[d] = df[d].to_numpy(dtype=float) - v["v" + d].reindex(mid).to_numpy() * t
    return out


def _resultant(angles: np.ndarray) -> tuple[float, float]:
    if len(angles) == 0:
        return float("nan"), float("nan")
    c, s = np.cos(angles).mean(), np.sin(angles).mean()
    return float(np.hypot(c, s)), float(np.degrees(np.arctan2(s, c)))


def chance_resultant(n: int, q: float = 0.95, n_draws: int = 4000, seed: int = 0) -> float:
    """Quantile ``q`` of the mean resultant length of ``n`` uniformly random directions.

    Parameters
    ----------
    n : int
        Number of directions (cells).
    q : float
        Quantile (0.95: an ``R`` above it is unlikely, 5 %, without a shared direction).
    n_draws : int
        Monte Carlo draws.
    seed : int
        Seed of the draws.

    Returns
    -------
    float
        The quantile (``nan`` for ``n == 0``); about ``sqrt(-ln(1 - q) / n)`` for large ``n``.
    """
    if n <= 0:
        return float("nan")
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, 2 * np.pi, size=(n_draws, n))
    R = np.hypot(np.cos(a).mean(axis=1), np.sin(a).mean(axis=1))
    return float(np.quantile(R, q))


def rayleigh_p(R: float, n: int) -> float:
    """p of Rayleigh's test of uniform directions, from ``R`` of ``n`` directions.

    Zar's (Biostatistical Analysis, 1999, eq. 27.4) approximation
    ``exp(sqrt(1 + 4n + 4(n^2 - (nR)^2)) - (1 + 2n))``, clipped to [0, 1].
    """
    if n <= 0 or not np.isfinite(R):
        return float("nan")
    nr = n * R
    return float(np.clip(np.exp(np.sqrt(1 + 4 * n + 4 * (n * n - nr * nr)) - (1 + 2 * n)), 0, 1))


def cell_directions(df: pd.DataFrame, movie: str | None = None) -> pd.DataFrame:
    """Net displacement of every cell in the x-y plane, with its movie and condition.

    Pieces of one cell (cut at gaps) add up. Returns columns ``cell, movie, condition, dx, dy,
    angle`` (radians); cells that end where they started have no direction and are left out.
    """
    mid = movie_ids(df, movie)
    g = pd.DataFrame({"cell": cell_ids(df["track_id"]), "track_id": df["track_id"].to_numpy(),
                      "movie": mid, "condition": df["condition"].to_numpy(),
                      "x": df["x"].to_numpy(float), "y": df["y"].to_numpy(float)})
    per_track = g.groupby("track_id", sort=False).agg(
        cell=("cell", "first"), movie=("movie", "first"), condition=("condition", "first"),
        x0=("x", "first"), x1=("x", "last"), y0=("y", "first"), y1=("y", "last"))
    per_track["dx"] = per_track["x1"] - per_track["x0"]
    per_track["dy"] = per_track["y1"] - per_track["y0"]
    cells = per_track.groupby(["movie", "cell"], sort=False).agg(
        condition=("condition", "first"), dx=("dx", "sum"), dy=("dy", "sum")).reset_index()
    cells = cells[np.hypot(cells["dx"], cells["dy"]) > 0].copy()
    cells["angle"] = np.arctan2(cells["dy"], cells["dx"])
    return cells.reset_index(drop=True)


def movie_drift_table(df: pd.DataFrame, movie: str | None = None, q: float = 0.95,
                      seed: int = 0) -> pd.DataFrame:
    """Per movie: its drift and how strongly its cells share a direction.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table (positions in the dataset's units).
    movie : str or None
        See :func:`movie_ids`.
    q : float
        Quantile of the chance reference of ``R``.
    seed : int
        Seed of the chance reference's draws.

    Returns
    -------
    pandas.DataFrame
        One row per movie, in order of appearance: ``movie, condition, replicate`` (where the
        table has one), ``cells``, ``vx, vy`` (mean velocity, :func:`movie_velocities`),
        ``drift speed`` (``|v|`` in x-y), ``R`` (mean resultant length of the cells' net
        displacement directions, :func:`cell_directions`), ``direction [deg]`` (their mean
        direction, counter-clockwise from +x), ``R chance`` (quantile ``q`` of ``R`` for as
        many uniformly random directions, :func:`chance_resultant`) and ``Rayleigh p``.
    """
    v = movie_velocities(df, movie)
    cells = cell_directions(df, movie)
    mid = movie_ids(df, movie)
    first = pd.DataFrame({"movie": mid, "condition": df["condition"].to_numpy()})
    if REPLICATE in df.columns:
        first["replicate"] = df[REPLICATE].astype(str).to_numpy()
    first = first.drop_duplicates("movie").set_index("movie")
    n_cells = pd.Series(cell_ids(df["track_id"]), index=mid).groupby(level=0).nunique()
    rows = []
    for m in v.index:
        ang = cells.loc[cells["movie"] == m, "angle"].to_numpy()
        R, mean_dir = _resultant(ang)
        row = {"movie": m, "condition": first.loc[m, "condition"]}
        if "replicate" in first.columns:
            row["replicate"] = first.loc[m, "replicate"]
        row.update({"cells": int(n_cells.get(m, 0)), "vx": float(v.loc[m, "vx"]),
                    "vy": float(v.loc[m, "vy"]),
                    "drift speed": float(np.hypot(v.loc[m, "vx"], v.loc[m, "vy"])),
                    "R": R, "direction [deg]": mean_dir,
                    "R chance": chance_resultant(len(ang), q=q, seed=seed),
                    "Rayleigh p": rayleigh_p(R, len(ang))})
        rows.append(row)
    return pd.DataFrame(rows)


def apply_drift_policy(df: pd.DataFrame, policy: str = "none", movie: str | None = None) -> pd.DataFrame:
    """Apply a config's ``drift`` policy (:data:`DRIFT_POLICIES`) to a curated tidy table.

    Parameters
    ----------
    df : pandas.DataFrame
        A curated tidy table, rows of a track in time order.
    policy : str
        ``"none"`` or ``"subtract-movie-mean"`` (:func:`subtract_movie_mean`).
    movie : str, optional
        See :func:`movie_ids`.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself for ``"none"``, else the drift-corrected table.

    Raises
    ------
    ValueError
        An unknown policy.
    """
    if policy not in DRIFT_POLICIES:
        raise ValueError(f"unknown drift policy {policy!r}; use one of {DRIFT_POLICIES}")
    return df if policy == "none" else subtract_movie_mean(df, movie)

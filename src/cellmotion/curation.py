"""Curation: what a dataset needs before analysis, after it has been read.

Missing frames (split tracks at gaps or fill short gaps), a common sampling interval for all
conditions (:func:`resample`), and tracks too short for one analysis window. Functions take and
return tidy tables of :mod:`cellmotion.contract`; the ``replicate`` column, where present, is
kept.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .contract import MOVIE, REPLICATE, DataError, conditions, suggest


def median_step(df: pd.DataFrame) -> float:
    """The sampling interval of a tidy table: the median time step within its tracks."""
    return float(df.groupby("track_id", sort=False)["t"].diff().median())


def span(x: float, unit: str = "min") -> str:
    """A duration in the dataset's own unit: ``'5 min'``, ``'1 frame'``, ``'30 frames'``."""
    if unit == "frame":
        return f"{x:g} frame" + ("" if x == 1 else "s")
    return f"{x:g} {unit}"


def resample(df: pd.DataFrame, interval: float = 5.0, time_unit: str = "min") -> pd.DataFrame:
    """Keep every k-th position so that each condition is sampled every ``interval``.

    ``interval`` is in the table's time unit (minutes, or frames for uncalibrated data,
    ``time_unit``, which messages use). The native interval of a condition is the median
    time step of its tracks and must divide ``interval`` (within 1 %); otherwise a
    :class:`DataError` says which condition does not fit. Tracks keep their first position.
    Missing frames stay missing.
    """
    parts = []
    for cond, g in df.groupby("condition", sort=False):
        dt = median_step(g)
        k = interval / dt
        if k < 1 - 1e-6 or abs(k - round(k)) > 0.01 * k:
            raise DataError(f"condition '{cond}': native interval {span(dt, time_unit)} does not "
                            f"divide the requested interval {span(interval, time_unit)}.")
        k = int(round(k))
        t0 = g.groupby("track_id")["t"].transform("min")
        step = np.round((g["t"] - t0) / dt).astype(int)
        parts.append(g[step % k == 0])
    return pd.concat(parts).reset_index(drop=True)


# --------------------------------------------------------------------------- gaps
GAP_POLICIES = ("split", "interpolate")


def native_intervals(df: pd.DataFrame) -> dict:
    """The sampling interval [min] of each condition: the median time step of its tracks."""
    return {c: median_step(g) for c, g in df.groupby("condition", sort=False)}


def handle_gaps(df: pd.DataFrame, policy: str = "split", max_gap: int | None = None,
                intervals: Mapping[str, float] | None = None,
                source: str = "input") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deal with missing frames: split tracks at gaps, or fill short gaps by interpolation.

    A gap is a time step longer than 1.5 sampling intervals of the track's condition
    (``intervals`` in minutes, by default the median step of each condition). With
    ``policy="split"`` the track is cut at every gap into pieces ``<id>~1``, ``<id>~2``, ...;
    with ``policy="interpolate"`` each gap of at most ``max_gap`` missing frames (all gaps
    when ``max_gap`` is None) is filled with positions on the straight line between its two
    ends, and longer gaps split the track. Pieces with a single position are left out.

    Returns the new table and a per-condition report (gaps, frames interpolated, tracks
    split, single-position pieces left out). Interpolated positions are not measurements:
    they make velocities across the gap constant, so keep ``max_gap`` small.
    """
    if policy not in GAP_POLICIES:
        raise DataError(f"{source}: unknown gap policy '{policy}'{suggest(policy, GAP_POLICIES)}; "
                        f"use one of {list(GAP_POLICIES)}.")
    intervals = dict(native_intervals(df), **(intervals or {}))
    dims = [d for d in ("x", "y", "z") if d in df.columns]
    parts, rows = [], []
    for cond, g in df.groupby("condition", sort=False):
        dt = float(intervals[cond])
        n_gaps = n_filled = n_split = n_lost = 0
        for tid, tr in g.groupby("track_id", sort=False):
            t = tr["t"].to_numpy(float)
            steps = np.diff(t) / dt
            gaps = np.flatnonzero(steps > 1.5)
            if len(gaps) == 0:
                parts.append(tr)
                continue
            n_gaps += len(gaps)
            pos = tr[dims].to_numpy(float)
            cut = []
            new_t, new_pos = [t[:1]], [pos[:1]]
            for i in range(1, len(t)):
                j = i - 1
                k = int(np.round(steps[j])) - 1 if steps[j] > 1.5 else 0
                if k > 0 and policy == "interpolate" and (max_gap is None or k <= max_gap):
                    frac = np.arange(1, k + 1) / (k + 1)
                    new_t.append(t[j] + frac * (t[i] - t[j]))
                    new_pos.append(pos[j] + frac[:, None] * (pos[i] - pos[j]))
                    n_filled += k
                elif k > 0:
                    cut.append(sum(len(a) for a in new_t))
                new_t.append(t[i:i + 1])
                new_pos.append(pos[i:i + 1])
            t_all, p_all = np.concatenate(new_t), np.vstack(new_pos)
            bounds = [0, *cut, len(t_all)]
            pieces = [(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
            if len(pieces) > 1:
                n_split += 1
            for n, (a, b) in enumerate(pieces, start=1):
                if b - a < 2:
                    n_lost += 1
                    continue
                piece = pd.DataFrame({"track_id": tid if len(pieces) == 1 else f"{tid}~{n}",
                                      "condition": cond, "t": t_all[a:b]})
                for col in (REPLICATE, MOVIE):
                    if col in tr.columns:
                        piece[col] = tr[col].iloc[0]
                for m, d in enumerate(dims):
                    piece[d] = p_all[a:b, m]
                parts.append(piece)
        rows.append({"condition": cond, "tracks read": g["track_id"].nunique(), "gaps": n_gaps, "frames interpolated": n_filled,
                     "tracks split at gaps": n_split, "single-position pieces left out": n_lost})
    out = pd.concat(parts, ignore_index=True)[list(df.columns)]
    return out, pd.DataFrame(rows).set_index("condition")


# --------------------------------------------------------------------------- short tracks
def steps_at_interval(df: pd.DataFrame, interval: float = 5.0,
                      time_unit: str = "min") -> pd.Series:
    """Velocity steps each track keeps after resampling to ``interval`` (by track id)."""
    kept = resample(df, interval, time_unit).groupby("track_id", sort=False).size() - 1
    return kept.reindex(df["track_id"].unique(), fill_value=0)


def drop_short_tracks(df: pd.DataFrame, min_steps: int = 30, interval: float = 5.0,
                      min_tracks: int = 2, source: str = "input",
                      time_unit: str = "min") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave out tracks too short for one window of ``min_steps`` steps at ``interval``.

    A condition left with fewer than ``min_tracks`` usable tracks is refused (the book splits
    every condition's tracks into training and test sets).

    Parameters
    ----------
    df : pandas.DataFrame
        A tidy table of tracks (the data contract).
    min_steps : int
        Steps (at ``interval``) a track needs to be kept.
    interval : float
        The analysis interval, in the table's time unit ``time_unit`` (minutes, or frames
        for uncalibrated data); messages speak in it.
    min_tracks : int
        Usable tracks every condition needs.
    source : str
        The file (or dataset) the table came from, for messages.
    time_unit : str
        The unit of ``t`` and ``interval``, for messages.

    Returns
    -------
    table : pandas.DataFrame
        The remaining tracks; ``df`` itself (unchanged) when nothing is left out.
    counts : pandas.DataFrame
        One row per condition (index ``condition``) with columns ``tracks`` (tracks before),
        ``too short (left out)`` and ``used``.

    Raises
    ------
    DataError
        A condition keeps fewer than ``min_tracks`` tracks, or ``interval`` is not a whole
        multiple of a condition's frame interval.
    """
    try:
        steps = steps_at_interval(df, interval, time_unit)
    except DataError as err:
        raise DataError(f"{source}: {err} Choose an analysis interval that is a whole multiple "
                        "of every condition's frame interval.") from None
    cond_of = df.drop_duplicates("track_id").set_index("track_id")["condition"]
    long_enough = steps >= min_steps
    rows = []
    for cond in conditions(df):
        ids = cond_of.index[cond_of.to_numpy() == cond]
        used = int(long_enough[ids].sum())
        rows.append({"condition": cond, "tracks": len(ids), "too short (left out)": len(ids) - used,
                     "used": used})
        if used < min_tracks:
            longest = int(steps[ids].max())
            raise DataError(
                f"{source}: condition '{cond}' has {used} usable track(s) out of {len(ids)}; "
                f"at least {min_tracks} need {min_steps} steps of {span(interval, time_unit)} "
                f"({span(min_steps * interval, time_unit)}), and its longest track has "
                f"{longest} step(s). "
                "Lower min_track_steps (and the chapters' window length) or add longer tracks.")
    counts = pd.DataFrame(rows).set_index("condition")
    if long_enough.all():
        return df, counts
    keep = df["track_id"].map(long_enough)
    return df[keep.to_numpy()].reset_index(drop=True), counts

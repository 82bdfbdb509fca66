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
    they make velocities across the gap constant, so keep ``max_gap`` small; their columns
    other than id, condition, time, position, replicate and movie are left empty. The work is
    done on arrays, one track at a time, so its cost grows linearly with the positions (a
    table of 300,000 positions takes about half a second).
    """
    if policy not in GAP_POLICIES:
        raise DataError(f"{source}: unknown gap policy '{policy}'{suggest(policy, GAP_POLICIES)}; "
                        f"use one of {list(GAP_POLICIES)}.")
    intervals = dict(native_intervals(df), **(intervals or {}))
    dims = [d for d in ("x", "y", "z") if d in df.columns]
    t_col = df["t"].to_numpy(float)
    pos_col = df[dims].to_numpy(float)
    # per output row: the input row it comes from (a filled row: the gap's first end), whether it
    # was filled, its time and position, and the new id of a piece (None: the track's own id)
    src, filled, times, positions, piece_ids, rows = [], [], [], [], [], []
    cond_col = df["condition"].to_numpy()
    for cond, g in df.groupby("condition", sort=False):
        dt = float(intervals[cond])
        n_gaps = n_filled = n_split = n_lost = 0
        g_rows = np.flatnonzero(cond_col == cond)  # positions in df of the condition's rows
        for tid, where in g.groupby("track_id", sort=False).indices.items():
            rows_in = g_rows[where]
            t = t_col[rows_in]
            steps = np.diff(t) / dt
            k = np.where(steps > 1.5, np.round(steps).astype(int) - 1, 0)
            if not (k > 0).any():
                src.append(rows_in), filled.append(np.zeros(len(t), bool))
                times.append(t), positions.append(pos_col[rows_in]), piece_ids.append(None)
                continue
            n_gaps += int((steps > 1.5).sum())
            fill = (k > 0) & (policy == "interpolate") & (k <= (max_gap if max_gap is not None else k.max()))
            n_fill = np.where(fill, k, 0)
            n_filled += int(n_fill.sum())
            # output order: point 0, then per gap j its filled points, then point j + 1
            gap = np.repeat(np.arange(len(k)), n_fill)
            frac = (np.arange(len(gap)) - np.repeat(np.cumsum(n_fill) - n_fill, n_fill) + 1) / (n_fill[gap] + 1)
            start = np.concatenate([[0], np.arange(1, len(t)) + np.cumsum(n_fill)])  # row of point i
            order = np.empty(len(t) + len(gap), int)
            is_fill = np.ones(len(order), bool)
            is_fill[start] = False
            t_all = np.empty(len(order))
            t_all[~is_fill] = t
            t_all[is_fill] = t[gap] + frac * (t[gap + 1] - t[gap])
            pos = pos_col[rows_in]
            p_all = np.empty((len(order), len(dims)))
            p_all[~is_fill] = pos
            p_all[is_fill] = pos[gap] + frac[:, None] * (pos[gap + 1] - pos[gap])
            order[~is_fill] = rows_in
            order[is_fill] = rows_in[gap]
            cuts = start[1:][(k > 0) & ~fill]
            bounds = [0, *cuts, len(order)]
            n_pieces = len(bounds) - 1
            n_split += n_pieces > 1
            for n, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]), start=1):
                if b - a < 2:
                    n_lost += 1
                    continue
                src.append(order[a:b]), filled.append(is_fill[a:b])
                times.append(t_all[a:b]), positions.append(p_all[a:b])
                piece_ids.append(None if n_pieces == 1 else f"{tid}~{n}")
        rows.append({"condition": cond, "tracks read": g["track_id"].nunique(), "gaps": n_gaps, "frames interpolated": n_filled,
                     "tracks split at gaps": n_split, "single-position pieces left out": n_lost})
    out = df.iloc[np.concatenate(src)].reset_index(drop=True)
    out["t"] = np.concatenate(times)
    out[dims] = np.vstack(positions)
    if any(p is not None for p in piece_ids):
        ids, a = out["track_id"].to_numpy(object).copy(), 0
        for rows_of_piece, p in zip(src, piece_ids):
            if p is not None:
                ids[a:a + len(rows_of_piece)] = p
            a += len(rows_of_piece)
        out["track_id"] = ids
    fills = np.concatenate(filled)
    if fills.any():  # a filled position is no measurement: only what places it in a track is copied
        keep = {"track_id", "condition", "t", *dims, REPLICATE, MOVIE}
        for col in out.columns:
            if col not in keep:
                out[col] = out[col].where(~fills)
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

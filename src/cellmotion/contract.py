"""The data contract: one tidy table of tracked positions, and its checks.

Every supported input becomes one table with one row per observed position::

    track_id  condition  t [min]  x [µm]  y [µm]  (z [µm])  (replicate)

This is the convention of celltrackR, trackpy and TrackMate. ``replicate`` names the donor,
movie, experiment or field of view a track comes from, where the data has one. Everything
downstream reads only this table. A *cell* is a track before any cutting at gaps: pieces of
one track cut at missing frames are named ``<track_id>~1``, ``<track_id>~2``, ... and
:func:`cell_ids` maps them back to their cell, so that every split keeps a cell on one side.

This is the bottom layer of the package: it imports nothing from it. Bad input is refused
with one :class:`DataError` that names the file, the track or the column and says what is
wrong.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

#: Columns every tidy table has, in order; ``z`` is optional (2D data).
REQUIRED_COLUMNS = ("track_id", "condition", "t", "x", "y")
NUMERIC_COLUMNS = ("t", "x", "y", "z")
#: Optional column naming the replicate (donor, movie, experiment) of a track.
REPLICATE = "replicate"
#: Optional column naming the movie (field of view) of a track, where it is not condition x
#: replicate (:mod:`cellmotion.drift`).
MOVIE = "movie"

#: Factors that convert a (canonical) length unit to micrometres.
LENGTH_UNITS = {"um": 1.0, "nm": 1e-3, "mm": 1e3}
#: Factors that convert a (canonical) time unit to minutes.
TIME_UNITS = {"ms": 1 / 60000, "s": 1 / 60, "min": 1.0, "h": 60.0}
#: Spellings of units as files and users write them -> canonical name.
UNIT_ALIASES = {
    **dict.fromkeys(["um", "µm", "μm", "micron", "microns", "micrometer", "micrometers",
                     "micrometre", "micrometres"], "um"),
    **dict.fromkeys(["nm", "nanometer", "nanometers", "nanometre", "nanometres"], "nm"),
    **dict.fromkeys(["mm", "millimeter", "millimeters", "millimetre", "millimetres"], "mm"),
    **dict.fromkeys(["pixel", "pixels", "px"], "pixel"),
    **dict.fromkeys(["ms", "msec", "millisecond", "milliseconds"], "ms"),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], "s"),
    **dict.fromkeys(["min", "mins", "minute", "minutes"], "min"),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], "h"),
    **dict.fromkeys(["frame", "frames"], "frame"),
}


def canonical_unit(name) -> str | None:
    """Canonical form of a unit name (``'(microns)'`` -> ``'um'``, ``'hr'`` -> ``'h'``).

    ``None`` for an empty name; an unknown name is returned lower-cased, unchanged.
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = str(name).strip().strip("()[]").strip()
    if not s:
        return None
    s = s.replace("\u03bc", "µ")  # Greek mu -> micro sign
    return UNIT_ALIASES.get(s, UNIT_ALIASES.get(s.lower(), s.lower()))


class DataError(ValueError):
    """Raised for input that cannot be analysed; the message says where and why."""


def suggest(name: str, candidates, cutoff: float = 0.6) -> str:
    """A "did you mean" hint for a misspelt name, or an empty string."""
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _where(row: int, lines) -> str:
    """Where row ``row`` (0-based) of a table is: its line in the user's file, or its row."""
    if lines is not None:
        return f"line {int(np.asarray(lines)[row])} of the file"
    return f"row {row + 1}"


def validate_tracks(df: pd.DataFrame, source: str = "input", *, time_unit: str = "min",
                    lines=None) -> pd.DataFrame:
    """Check a table against the data contract and return a clean copy.

    Checks: required columns present, numeric coordinates, every track in one
    condition (and one replicate, where the table has a ``replicate`` column), at least two
    positions per track, no duplicate ``(track_id, t)`` rows, time increasing within each
    track, and no mix of tracks with and without z. ``df`` itself is not modified.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    source : str
        The file (or name) the table came from, for messages.
    time_unit : str
        The unit of ``t`` as the user knows it (``min``, ``frame``, ``s``, ...), for
        messages.
    lines : sequence of int, optional
        The line of the user's file each row was read from; messages then name that
        line instead of a row of the table. Readers of tracker exports order positions by
        time themselves, so "time goes backwards" only meets tables written by hand.

    Returns
    -------
    pandas.DataFrame
        The contract's columns (``z``, ``replicate`` and ``movie`` where present) with string
        ``track_id``/``condition`` (and replicate, movie), float coordinates and rows sorted by
        condition (in order of first appearance), track and time, on a fresh 0..n index.

    Raises
    ------
    DataError
        The first violation found, naming ``source`` and the row or line.
    """
    if len(df) == 0:
        raise DataError(f"{source}: the table is empty (no positions).")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        hints = "".join(suggest(m, df.columns) for m in missing)
        raise DataError(
            f"{source}: missing column(s) {', '.join(repr(m) for m in missing)}{hints}; "
            f"found columns {list(map(str, df.columns))}. A tidy table needs "
            f"{', '.join(REQUIRED_COLUMNS)} and optionally z.")
    cols = list(REQUIRED_COLUMNS) + [c for c in ("z", REPLICATE, MOVIE) if c in df.columns]
    out = df[cols].copy()
    for col in ("track_id", "condition") + tuple(c for c in (REPLICATE, MOVIE) if c in out.columns):
        if out[col].isna().any():
            row = int(np.flatnonzero(out[col].isna().to_numpy())[0])
            raise DataError(f"{source}: column '{col}' is empty in {_where(row, lines)}.")
        out[col] = out[col].astype(str)
    if "z" in out.columns:
        out = _check_z(out, source)
    for col in [c for c in NUMERIC_COLUMNS if c in out.columns]:
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise DataError(
                f"{source}: column '{col}' has a non-numeric or missing value "
                f"{df[col].iloc[row]!r} in {_where(row, lines)} (track "
                f"'{out['track_id'].iloc[row]}').")
        if not np.isfinite(values.to_numpy()).all():
            row = int(np.flatnonzero(~np.isfinite(values.to_numpy()))[0])
            raise DataError(f"{source}: column '{col}' has an infinite value in "
                           f"{_where(row, lines)}.")
        out[col] = values.astype(float)

    for col in ("condition",) + tuple(c for c in (REPLICATE, MOVIE) if c in out.columns):
        n_val = out.groupby("track_id")[col].nunique()
        if (n_val > 1).any():
            tid = n_val.index[np.argmax(n_val.to_numpy() > 1)]
            raise DataError(f"{source}: track '{tid}' appears in more than one {col}.")
    dup = out.duplicated(["track_id", "t"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"{source}: duplicate rows for track '{out['track_id'].iloc[row]}' at "
            f"t = {out['t'].iloc[row]:g} {time_unit} ({_where(row, lines)}); each (track, time) "
            "must be unique.")
    prev = out.groupby("track_id", sort=False)["t"].shift()
    backwards = (out["t"] - prev) < 0
    if backwards.any():
        row = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataError(
            f"{source}: time goes backwards in track '{out['track_id'].iloc[row]}': "
            f"t = {out['t'].iloc[row]:g} {time_unit} comes after t = {prev.iloc[row]:g} "
            f"{time_unit} ({_where(row, lines)}). List each track's positions in time order, "
            "or check that two tracks do not share an id.")
    sizes = out.groupby("track_id").size()
    if (sizes < 2).any():
        tid = sizes.index[np.argmax(sizes.to_numpy() < 2)]
        raise DataError(f"{source}: track '{tid}' has only one position; a track needs at least two.")
    # conditions keep their order of first appearance (the report's order for its layout)
    order = {c: i for i, c in enumerate(dict.fromkeys(out["condition"]))}
    rank = out["condition"].map(order)
    out = out.assign(_rank=rank).sort_values(["_rank", "track_id", "t"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def _check_z(out: pd.DataFrame, source: str) -> pd.DataFrame:
    """Refuse a mix of tracks with and without z; an entirely empty z column means 2D."""
    empty = out["z"].isna() | (out["z"].astype(str).str.strip() == "")
    if empty.all():
        return out.drop(columns="z")
    if empty.any():
        per_track = empty.groupby(out["track_id"], sort=False).agg(["all", "any"])
        no_z = per_track.index[per_track["all"]]
        if len(no_z):
            with_z = per_track.index[~per_track["any"]]
            raise DataError(
                f"{source}: mixed 2D and 3D tracks: {len(no_z)} track(s) have no z "
                f"(first: '{no_z[0]}') while {len(with_z)} have z values (first: "
                f"'{with_z[0] if len(with_z) else '?'}'). Give every track a z (z = 0 for cells "
                f"on a flat dish) or none.")
    return out


def _unit_factor(unit, table, step_name, step_size, step_param, what, source):
    """Factor from ``unit`` to µm or min; a per-pixel or per-frame unit needs its size."""
    key = canonical_unit(unit)
    if key == step_name:
        if not step_size or step_size <= 0:
            key = step_param.split()[0]
            raise DataError(f"{source}: {what} unit '{step_name}' needs a positive {step_param} "
                            f"(config: units: {{{key}: ...}}), or 'units: {{calibrated: false}}' "
                            "to keep pixels and frames.")
        return float(step_size)
    if key in table:
        return table[key]
    raise DataError(f"{source}: unknown {what} unit '{unit}'; use one of "
                    f"{sorted(table) + [step_name]}.")


def convert_units(df: pd.DataFrame, *, length_unit: str = "um", um_per_pixel: float | None = None,
                  time_unit: str = "min", frame_interval: float | None = None,
                  source: str = "input") -> pd.DataFrame:
    """Return a copy of a tidy table with lengths in µm and times in minutes."""
    out = df.copy()
    factor = _unit_factor(length_unit, LENGTH_UNITS, "pixel", um_per_pixel, "um_per_pixel",
                          "length", source)
    tfactor = _unit_factor(time_unit, TIME_UNITS, "frame", frame_interval,
                           "frame_interval (minutes)", "time", source)
    for col in [c for c in ("x", "y", "z") if c in out.columns]:
        out[col] = out[col] * factor
    out["t"] = out["t"] * tfactor
    return out


def conditions(df: pd.DataFrame) -> list[str]:
    """Condition names in their order of first appearance in the table."""
    return list(dict.fromkeys(df["condition"]))


def flat_z_conditions(df: pd.DataFrame) -> list[str]:
    """Conditions whose z never changes within a track (2D data stored with a z column).

    Parameters
    ----------
    df : pandas.DataFrame
        A tidy table of tracks (the data contract).

    Returns
    -------
    list of str
        Those conditions, in the table's order; every condition when ``df`` has no ``z``
        column.
    """
    if "z" not in df.columns:
        return conditions(df)
    spread = df.groupby(["condition", "track_id"])["z"].agg(lambda s: s.max() - s.min())
    flat = spread.groupby(level="condition").max() == 0
    return [c for c in conditions(df) if flat[c]]


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Table 1 of the report for any tidy table: tracks, positions per track, interval, dims.

    Parameters
    ----------
    df : pandas.DataFrame
        A tidy table of tracks (the data contract).

    Returns
    -------
    pandas.DataFrame
        One row per condition (index ``condition``, in the table's order) with columns
        ``trajectories`` (number of tracks), ``positions per trajectory (median)``,
        ``positions per trajectory (range)`` (a ``"min–max"`` string),
        ``sampling interval [min]`` (median time step between consecutive positions, in the
        table's time unit) and ``dimensions`` (``"2D"`` when z is absent or never changes
        within a track, else ``"3D"``).
    """
    rows = []
    flat = set(flat_z_conditions(df))
    for cond, g in df.groupby("condition", sort=False):
        lengths = g.groupby("track_id").size()
        dts = g.groupby("track_id")["t"].diff().dropna()
        rows.append({
            "condition": cond,
            "trajectories": int(lengths.size),
            "positions per trajectory (median)": int(lengths.median()),
            "positions per trajectory (range)": f"{lengths.min()}–{lengths.max()}",
            "sampling interval [min]": float(dts.median()),
            "dimensions": "2D" if cond in flat else "3D",
        })
    return pd.DataFrame(rows).set_index("condition")




def cell_ids(track_ids) -> np.ndarray:
    """The cell of each track id: the id before any ``~n`` suffixes.

    Pieces are named ``<id>~n`` when a branching track (a division) is cut into unbranched
    segments, and ``~m`` again when a piece is cut at missing frames (``<id>~2~1``); all of
    them are the one cell (lineage) ``<id>``.

    Parameters
    ----------
    track_ids : array-like
        Track ids (converted to strings).

    Returns
    -------
    numpy.ndarray
        Object array of the cell id of each track id, in the same order.
    """
    ids = pd.Series(np.asarray(track_ids, dtype=object)).astype(str)
    return ids.str.replace(r"(~\d+)+$", "", regex=True).to_numpy(dtype=object)

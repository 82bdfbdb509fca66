"""Loading tracked cells into the tidy table of the data contract.

Every supported input becomes one table with one row per observed position::

    track_id  condition  t [min]  x [µm]  y [µm]  (z [µm])

This is the convention of celltrackR, trackpy and TrackMate. Everything downstream
reads only this table. Loaders never change the raw input; bad input is refused with
one :class:`DataError` that names the file, the track or the column and says what is
wrong.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

#: Columns every tidy table has, in order; ``z`` is optional (2D data).
REQUIRED_COLUMNS = ("track_id", "condition", "t", "x", "y")
NUMERIC_COLUMNS = ("t", "x", "y", "z")

#: Factors that convert a length unit to micrometres.
LENGTH_UNITS = {"um": 1.0, "µm": 1.0, "micron": 1.0, "micrometre": 1.0, "micrometer": 1.0,
                "nm": 1e-3, "mm": 1e3}
#: Factors that convert a time unit to minutes.
TIME_UNITS = {"min": 1.0, "minute": 1.0, "minutes": 1.0, "s": 1 / 60, "sec": 1 / 60,
              "second": 1 / 60, "seconds": 1 / 60, "h": 60.0, "hour": 60.0, "hours": 60.0}


class DataError(ValueError):
    """Raised for input that cannot be analysed; the message says where and why."""


def _suggest(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate_tracks(df: pd.DataFrame, source: str = "input") -> pd.DataFrame:
    """Check a table against the data contract and return a clean copy.

    Checks: required columns present, numeric coordinates, every track in one
    condition, at least two positions per track, no duplicate ``(track_id, t)`` rows,
    time increasing within each track, and no mix of tracks with and without z.
    The returned table has string ``track_id``/``condition``, float coordinates and
    rows sorted by condition, track and time; ``df`` itself is not modified.
    """
    if len(df) == 0:
        raise DataError(f"{source}: the table is empty (no positions).")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        hints = "".join(_suggest(m, df.columns) for m in missing)
        raise DataError(
            f"{source}: missing column(s) {', '.join(repr(m) for m in missing)}{hints}; "
            f"found columns {list(map(str, df.columns))}. A tidy table needs "
            f"{', '.join(REQUIRED_COLUMNS)} and optionally z.")
    cols = list(REQUIRED_COLUMNS) + (["z"] if "z" in df.columns else [])
    out = df[cols].copy()
    for col in ("track_id", "condition"):
        if out[col].isna().any():
            row = int(np.flatnonzero(out[col].isna().to_numpy())[0])
            raise DataError(f"{source}: column '{col}' is empty in row {row + 1}.")
        out[col] = out[col].astype(str)
    for col in [c for c in NUMERIC_COLUMNS if c in out.columns]:
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise DataError(
                f"{source}: column '{col}' has a non-numeric or missing value "
                f"{df[col].iloc[row]!r} in row {row + 1} (track '{out['track_id'].iloc[row]}').")
        if not np.isfinite(values.to_numpy()).all():
            row = int(np.flatnonzero(~np.isfinite(values.to_numpy()))[0])
            raise DataError(f"{source}: column '{col}' has an infinite value in row {row + 1}.")
        out[col] = values.astype(float)

    n_cond = out.groupby("track_id")["condition"].nunique()
    if (n_cond > 1).any():
        tid = n_cond.index[np.argmax(n_cond.to_numpy() > 1)]
        raise DataError(f"{source}: track '{tid}' appears in more than one condition.")
    dup = out.duplicated(["track_id", "t"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"{source}: duplicate rows for track '{out['track_id'].iloc[row]}' at "
            f"t = {out['t'].iloc[row]:g} min (row {row + 1}); each (track, time) must be unique.")
    backwards = out.groupby("track_id", sort=False)["t"].diff() < 0
    if backwards.any():
        row = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataError(
            f"{source}: time goes backwards in track '{out['track_id'].iloc[row]}' at row "
            f"{row + 1} (t = {out['t'].iloc[row]:g} min after a later time).")
    sizes = out.groupby("track_id").size()
    if (sizes < 2).any():
        tid = sizes.index[np.argmax(sizes.to_numpy() < 2)]
        raise DataError(f"{source}: track '{tid}' has only one position; a track needs at least two.")
    # conditions keep their order of first appearance (the report's order for its layout)
    order = {c: i for i, c in enumerate(dict.fromkeys(out["condition"]))}
    rank = out["condition"].map(order)
    out = out.assign(_rank=rank).sort_values(["_rank", "track_id", "t"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def load_tidy_csv(path, columns: Mapping[str, str] | None = None, *, length_unit: str = "um",
                  um_per_pixel: float | None = None, time_unit: str = "min",
                  frame_interval: float | None = None, condition: str | None = None,
                  **read_csv_kwargs) -> pd.DataFrame:
    """Read a tidy CSV (one row per position) into the data contract.

    Parameters
    ----------
    path : file to read.
    columns : mapping from the contract's names (``track_id, condition, t, x, y, z``) to the
        file's column names, for files that name them differently.
    length_unit : unit of x, y, z: ``um``, ``nm``, ``mm`` or ``pixel`` (then give
        ``um_per_pixel``).
    time_unit : unit of t: ``min``, ``s``, ``h`` or ``frame`` (then give ``frame_interval``
        in minutes).
    condition : fill the condition column with this name when the file has none.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty.")
    try:
        raw = pd.read_csv(path, **read_csv_kwargs)
    except pd.errors.EmptyDataError as err:
        raise DataError(f"{path}: the file is empty.") from err
    df = raw.rename(columns={v: k for k, v in (columns or {}).items()})
    if condition is not None and "condition" not in df.columns:
        df = df.assign(condition=condition)
    df = validate_tracks(df, source=str(path))
    return convert_units(df, length_unit=length_unit, um_per_pixel=um_per_pixel,
                         time_unit=time_unit, frame_interval=frame_interval, source=str(path))


def convert_units(df: pd.DataFrame, *, length_unit: str = "um", um_per_pixel: float | None = None,
                  time_unit: str = "min", frame_interval: float | None = None,
                  source: str = "input") -> pd.DataFrame:
    """Return a copy of a tidy table with lengths in µm and times in minutes."""
    out = df.copy()
    lu = length_unit.lower()
    if lu in ("px", "pixel", "pixels"):
        if not um_per_pixel or um_per_pixel <= 0:
            raise DataError(f"{source}: length unit 'pixel' needs a positive um_per_pixel.")
        factor = float(um_per_pixel)
    elif lu in LENGTH_UNITS:
        factor = LENGTH_UNITS[lu]
    else:
        raise DataError(f"{source}: unknown length unit '{length_unit}'; use one of "
                        f"{sorted(LENGTH_UNITS) + ['pixel']}.")
    tu = time_unit.lower()
    if tu in ("frame", "frames"):
        if not frame_interval or frame_interval <= 0:
            raise DataError(f"{source}: time unit 'frame' needs a positive frame_interval (minutes).")
        tfactor = float(frame_interval)
    elif tu in TIME_UNITS:
        tfactor = TIME_UNITS[tu]
    else:
        raise DataError(f"{source}: unknown time unit '{time_unit}'; use one of "
                        f"{sorted(TIME_UNITS) + ['frame']}.")
    for col in [c for c in ("x", "y", "z") if c in out.columns]:
        out[col] = out[col] * factor
    out["t"] = out["t"] * tfactor
    return out


def load_report_layout(folder, intervals: Mapping[str, float]) -> pd.DataFrame:
    """Read the report's layout: one folder per condition, one ``x y z`` file per track.

    ``intervals`` gives the sampling interval in minutes per condition folder name. Each
    file holds one whitespace-separated row of positions (µm) per time step; the track
    id is ``<condition>/<file stem>``. Files are read in sorted order, so the result does
    not depend on the directory listing order.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder.")
    frames = []
    cond_dirs = sorted(p for p in folder.iterdir() if p.is_dir())
    if not cond_dirs:
        raise DataError(f"{folder}: no condition folders found.")
    for cdir in cond_dirs:
        if cdir.name not in intervals:
            raise DataError(f"{cdir}: no sampling interval given for condition '{cdir.name}'.")
        files = sorted(p for p in cdir.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise DataError(f"{cdir}: condition '{cdir.name}' has no track files.")
        for f in files:
            text = f.read_text().strip()
            if not text:
                raise DataError(f"{f}: the file is empty.")
            rows = []
            for lineno, line in enumerate(text.splitlines(), start=1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) not in (2, 3):
                    raise DataError(f"{f}, line {lineno}: expected 'x y z' (or 'x y'), "
                                    f"found {len(parts)} values.")
                try:
                    rows.append([float(p) for p in parts])
                except ValueError as err:
                    raise DataError(f"{f}, line {lineno}: non-numeric value in {line!r}.") from err
            if len({len(r) for r in rows}) > 1:
                raise DataError(f"{f}: lines mix 2 and 3 coordinates.")
            if len(rows) < 2:
                raise DataError(f"{f}: the track has only one position; a track needs at least two.")
            arr = np.asarray(rows)
            part = pd.DataFrame({
                "track_id": f"{cdir.name}/{f.stem}", "condition": cdir.name,
                "t": np.arange(len(arr)) * float(intervals[cdir.name]),
                "x": arr[:, 0], "y": arr[:, 1]})
            if arr.shape[1] == 3:
                part["z"] = arr[:, 2]
            frames.append(part)
    df = pd.concat(frames, ignore_index=True)
    return validate_tracks(df, source=str(folder))


def conditions(df: pd.DataFrame) -> list[str]:
    """Condition names in their order of first appearance in the table."""
    return list(dict.fromkeys(df["condition"]))


def flat_z_conditions(df: pd.DataFrame) -> list[str]:
    """Conditions whose z never changes within a track (2D data stored with a z column)."""
    if "z" not in df.columns:
        return conditions(df)
    spread = df.groupby(["condition", "track_id"])["z"].agg(lambda s: s.max() - s.min())
    flat = spread.groupby(level="condition").max() == 0
    return [c for c in conditions(df) if flat[c]]


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Table 1 of the report for any tidy table: tracks, positions per track, interval, dims."""
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

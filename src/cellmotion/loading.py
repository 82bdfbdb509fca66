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
    if "z" in out.columns:
        out = _check_z(out, source)
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


def _unit_factor(unit, table, step_name, step_aliases, step_size, step_param, what, source):
    """Factor from ``unit`` to µm or min; a per-pixel or per-frame unit needs its size."""
    key = _UNIT_ALIASES.get(str(unit).strip().lower(), str(unit).strip().lower())
    if key in step_aliases:
        if not step_size or step_size <= 0:
            raise DataError(f"{source}: {what} unit '{step_name}' needs a positive {step_param}.")
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
    factor = _unit_factor(length_unit, LENGTH_UNITS, "pixel", ("px", "pixel", "pixels"),
                          um_per_pixel, "um_per_pixel", "length", source)
    tfactor = _unit_factor(time_unit, TIME_UNITS, "frame", ("frame", "frames"),
                           frame_interval, "frame_interval (minutes)", "time", source)
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


# --------------------------------------------------------------------------- TrackMate
#: Columns of TrackMate's spot table that the loader reads.
TRACKMATE_COLUMNS = ("TRACK_ID", "POSITION_X", "POSITION_Y", "POSITION_Z", "POSITION_T", "FRAME")
_UNIT_ALIASES = {"microns": "um", "micron": "um", "µm": "um", "um": "um", "micrometer": "um",
                 "micrometre": "um", "micrometers": "um", "nm": "nm", "mm": "mm",
                 "pixel": "pixel", "pixels": "pixel", "px": "pixel",
                 "sec": "s", "s": "s", "seconds": "s", "second": "s", "min": "min", "minute": "min",
                 "minutes": "min", "h": "h", "hour": "h", "hours": "h",
                 "frame": "frame", "frames": "frame"}


def _unit(name) -> str | None:
    """Canonical form of a unit name ('(microns)' -> 'um'); None for an empty name."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = str(name).strip().strip("()").strip().lower()
    if not s:
        return None
    return _UNIT_ALIASES.get(s, s)


def read_trackmate_spots(path) -> tuple[pd.DataFrame, dict]:
    """Read TrackMate's spot-table CSV export as text columns, without its extra header rows.

    TrackMate (version 7 and later) writes the feature keys (``TRACK_ID``, ``POSITION_X``,
    ...) as the header and then three more rows: feature names, short names and units
    (``(micron)``, ``(sec)``, ``(pixel)``, ``(frame)``). Older versions and hand-made files
    have only the key row; both are read. Returns the spot rows (strings) and the units of
    the columns, as far as the file states them.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty.")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("TRACK_ID", "POSITION_X", "POSITION_Y") if c not in raw.columns]
    if not missing and not ({"POSITION_T", "FRAME"} & set(raw.columns)):
        missing = ["POSITION_T or FRAME"]
    if missing:
        others = [c for c in raw.columns if c not in TRACKMATE_COLUMNS]
        hints = "".join(dict.fromkeys(_suggest(m, others) for m in missing))
        raise DataError(
            f"{path}: not a TrackMate spot table: missing column(s) "
            f"{', '.join(repr(m) for m in missing)}{hints}; found {list(map(str, raw.columns))[:12]}. "
            "Export the *spots* table (Tracks > Spots > Export to CSV), not the tracks or edges table.")
    units: dict = {}
    n_header = 0
    for i in range(min(3, len(raw))):
        x = raw["POSITION_X"].iloc[i].strip()
        try:
            float(x)
            break
        except ValueError:
            n_header = i + 1
            if x.startswith("(") or x == "":
                units = {c: _unit(raw[c].iloc[i]) for c in raw.columns}
    return raw.iloc[n_header:].reset_index(drop=True), units


def load_trackmate_csv(path, condition: str, *, length_unit: str | None = None,
                       um_per_pixel: float | None = None, time_unit: str | None = None,
                       frame_interval: float | None = None) -> pd.DataFrame:
    """Read one TrackMate spot-table export (one condition) into the tidy table (µm, min).

    Parameters
    ----------
    path : the CSV written by TrackMate's *Spots* table export.
    condition : the condition name of every track in this file.
    length_unit : unit of ``POSITION_X/Y/Z``; by default the unit row of the file. A value
        that contradicts the file's unit row is refused (a likely double conversion).
    um_per_pixel : micrometres per pixel, needed when positions are in pixels.
    time_unit : unit of ``POSITION_T``; by default the unit row of the file.
    frame_interval : minutes between frames. When given, time is ``FRAME * frame_interval``
        (exact even if ``POSITION_T`` was rounded); needed when time is in frames.

    Spots that belong to no track (empty ``TRACK_ID``, as in the *all spots* table) are
    left out. Track ids become ``<condition>/<TRACK_ID>``. A track with two spots in one
    frame (a split or merge event) is refused. When ``POSITION_Z`` is the same in every
    row (a 2D movie) the table has no z column. Rows are ordered by the frame they belong to,
    whatever order the export wrote them in.
    """
    src = str(path)
    raw, units = read_trackmate_spots(path)
    raw = raw[~raw["TRACK_ID"].str.strip().isin(["", "None", "none", "NaN", "nan"])]
    if raw.empty:
        raise DataError(f"{src}: no spot belongs to a track (TRACK_ID is empty everywhere).")
    # time
    use_frames = frame_interval is not None and "FRAME" in raw.columns
    t_col = "FRAME" if use_frames or "POSITION_T" not in raw.columns else "POSITION_T"
    file_tu = "frame" if t_col == "FRAME" else units.get("POSITION_T")
    if t_col == "POSITION_T" and time_unit is not None and file_tu is not None \
            and _unit(time_unit) != file_tu:
        raise DataError(f"{src}: the file gives POSITION_T in '{file_tu}' but the time unit "
                        f"'{time_unit}' was asked for; leave the time unit out or correct it.")
    tu = "frame" if t_col == "FRAME" else (_unit(time_unit) or file_tu)
    if tu is None:
        raise DataError(f"{src}: the file does not state the unit of POSITION_T; give the time "
                        "unit (s, min, h or frame) or the frame interval.")
    # length
    file_lu = units.get("POSITION_X")
    if length_unit is not None and file_lu is not None and _unit(length_unit) != file_lu:
        raise DataError(f"{src}: the file gives positions in '{file_lu}' but the length unit "
                        f"'{length_unit}' was asked for; leave the length unit out or correct it.")
    lu = _unit(length_unit) or file_lu
    if lu is None:
        raise DataError(f"{src}: the file does not state the unit of POSITION_X; give the length "
                        "unit (um, nm, mm or pixel with um_per_pixel).")
    df = pd.DataFrame({"track_id": condition + "/" + raw["TRACK_ID"].str.strip(),
                       "condition": condition, "t": raw[t_col], "x": raw["POSITION_X"],
                       "y": raw["POSITION_Y"]})
    if "POSITION_Z" in raw.columns:
        df["z"] = raw["POSITION_Z"].replace("", np.nan)
    # numbers first (clear messages), then frame order within each track
    for col in [c for c in ("t", "x", "y", "z") if c in df.columns]:
        values = pd.to_numeric(df[col], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            name = {"t": t_col, "x": "POSITION_X", "y": "POSITION_Y", "z": "POSITION_Z"}[col]
            raise DataError(f"{src}: column '{name}' has a non-numeric or missing value "
                            f"{df[col].iloc[row]!r} in spot row {row + 1} (track "
                            f"'{df['track_id'].iloc[row]}').")
        df[col] = values
    if "z" in df.columns and df["z"].nunique() <= 1:
        df = df.drop(columns="z")
    key = pd.to_numeric(raw["TRACK_ID"], errors="coerce").fillna(-1).to_numpy()
    df = df.assign(_k=key).sort_values(["_k", "track_id", "t"], kind="stable")
    df = df.drop(columns="_k").reset_index(drop=True)
    dup = df.duplicated(["track_id", "t"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"{src}: track '{df['track_id'].iloc[row]}' has two spots at {t_col} = "
            f"{df['t'].iloc[row]:g} (a split or merge event). Track without splitting and "
            "merging in TrackMate, or remove one branch.")
    df = validate_tracks(df, source=src)
    return convert_units(df, length_unit=lu, um_per_pixel=um_per_pixel, time_unit=tu,
                         frame_interval=frame_interval, source=src)


# --------------------------------------------------------------------------- gaps
GAP_POLICIES = ("split", "interpolate")


def native_intervals(df: pd.DataFrame) -> dict:
    """The sampling interval [min] of each condition: the median time step of its tracks."""
    return {c: float(g.groupby("track_id")["t"].diff().median())
            for c, g in df.groupby("condition", sort=False)}


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
        raise DataError(f"{source}: unknown gap policy '{policy}'{_suggest(policy, GAP_POLICIES)}; "
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
                for m, d in enumerate(dims):
                    piece[d] = p_all[a:b, m]
                parts.append(piece)
        rows.append({"condition": cond, "tracks read": g["track_id"].nunique(), "gaps": n_gaps, "frames interpolated": n_filled,
                     "tracks split at gaps": n_split, "single-position pieces left out": n_lost})
    out = pd.concat(parts, ignore_index=True)[list(df.columns)]
    return out, pd.DataFrame(rows).set_index("condition")


# --------------------------------------------------------------------------- short tracks
def steps_at_interval(df: pd.DataFrame, interval: float = 5.0) -> pd.Series:
    """Velocity steps each track keeps after resampling to ``interval`` minutes (by track id)."""
    from .preprocess import resample

    kept = resample(df, interval).groupby("track_id", sort=False).size() - 1
    return kept.reindex(df["track_id"].unique(), fill_value=0)


def drop_short_tracks(df: pd.DataFrame, min_steps: int = 30, interval: float = 5.0,
                      min_tracks: int = 2, source: str = "input") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave out tracks too short for one window of ``min_steps`` steps at ``interval`` min.

    Returns the remaining table and a per-condition count (tracks, left out as too short,
    used). A condition left with fewer than ``min_tracks`` usable tracks is refused with a
    :class:`DataError` (the book splits every condition's tracks into training and test
    sets). The table is unchanged when nothing is left out.
    """
    try:
        steps = steps_at_interval(df, interval)
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
                f"at least {min_tracks} need {min_steps} steps of {interval:g} min "
                f"({min_steps * interval:g} min), and its longest track has {longest} step(s). "
                "Lower min_track_steps (and the chapters' window length) or add longer tracks.")
    counts = pd.DataFrame(rows).set_index("condition")
    if long_enough.all():
        return df, counts
    keep = df["track_id"].map(long_enough)
    return df[keep.to_numpy()].reset_index(drop=True), counts

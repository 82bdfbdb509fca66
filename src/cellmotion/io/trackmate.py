"""Reader for TrackMate's spot-table CSV export (one file per condition or movie)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import DataError, canonical_unit, convert_units, suggest, validate_tracks
from .lineage import check_policy, link_by_nearest, resolve
from .text import LineNumbers, decode_file, read_table

#: Columns of TrackMate's spot table that the loader reads.
TRACKMATE_COLUMNS = ("TRACK_ID", "POSITION_X", "POSITION_Y", "POSITION_Z", "POSITION_T", "FRAME")
#: Columns that only TrackMate's *tracks* table (track features) has.
TRACKS_TABLE_COLUMNS = ("TRACK_INDEX", "NUMBER_SPOTS", "TRACK_DURATION", "TRACK_X_LOCATION",
                        "TRACK_MEAN_SPEED", "TRACK_DISPLACEMENT")
#: Columns that only TrackMate's *edges* table (links between spots) has.
EDGES_TABLE_COLUMNS = ("SPOT_SOURCE_ID", "SPOT_TARGET_ID", "EDGE_TIME", "EDGE_X_LOCATION",
                       "LINK_COST")
#: How many lines the reader looks through for the header line of a spot table.
HEADER_SEARCH_LINES = 30


def _header_line(path, encoding) -> int | None:
    """The 0-based line of a spot table's key row (``TRACK_ID``, ``POSITION_X``), if any."""
    text = decode_file(path, encoding).text
    for k, line in enumerate(text.split("\n")[:HEADER_SEARCH_LINES]):
        if "POSITION_X" in line and "TRACK_ID" in line:
            return k
    return None


def _kind_of_table(columns) -> str | None:
    cols = set(map(str, columns))
    if cols & set(TRACKS_TABLE_COLUMNS):
        return "tracks"
    if cols & set(EDGES_TABLE_COLUMNS):
        return "edges"
    return None


def read_trackmate_spots(path, **read) -> tuple[pd.DataFrame, dict]:
    """Read TrackMate's spot-table CSV export as text columns, without its extra header rows.

    TrackMate (version 7 and later) writes the feature keys (``TRACK_ID``, ``POSITION_X``,
    ...) as the header and then three more rows: feature names, short names and units
    (``(micron)``, ``(sec)``, ``(pixel)``, ``(frame)``). Older versions and hand-made files
    have only the key row; both are read. The key row is found by its keys, so a
    ``skiprows`` that skips too many lines (into the name rows) or too few is corrected.
    Returns the spot rows (strings) and the units of the columns, as far as the file states
    them; ``attrs["lines"]`` gives the line of the file of each spot row.
    """
    path = Path(path)
    raw = read_table(path, dtype=str, keep_default_na=False, **read)
    if "TRACK_ID" not in raw.columns or "POSITION_X" not in raw.columns:
        k = _header_line(path, read.get("encoding"))
        if k is not None and k != read.get("skiprows", 0):
            raw = read_table(path, dtype=str, keep_default_na=False, **{**read, "skiprows": k})
    missing = [c for c in ("TRACK_ID", "POSITION_X", "POSITION_Y") if c not in raw.columns]
    if not missing and not ({"POSITION_T", "FRAME"} & set(raw.columns)):
        missing = ["POSITION_T or FRAME"]
    if missing:
        others = [c for c in raw.columns if c not in TRACKMATE_COLUMNS]
        hints = "".join(dict.fromkeys(suggest(m, others) for m in missing))
        kind = _kind_of_table(raw.columns)
        advice = (f"This is TrackMate's {kind} table: export the *spots* table (Tracks > "
                  "Spots > Export to CSV), not the tracks or edges table." if kind else
                  "A TrackMate spot table (Tracks > Spots > Export to CSV) has the keys "
                  "TRACK_ID, POSITION_X, POSITION_Y and POSITION_T or FRAME in its header line; "
                  "check the separator and the lines above the header (read: {sep, skiprows}).")
        raise DataError(
            f"{path}: not a TrackMate spot table: missing column(s) "
            f"{', '.join(repr(m) for m in missing)}{hints}; found {list(map(str, raw.columns))[:12]}. "
            + advice)
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
                units = {c: canonical_unit(raw[c].iloc[i]) for c in raw.columns}
    lines = raw.attrs.pop("lines", None)
    out = raw.iloc[n_header:].reset_index(drop=True)
    if lines is not None:
        out.attrs["lines"] = LineNumbers(np.asarray(lines)[n_header:])
    return out, units


def stated_units(path, **read) -> tuple[str | None, str | None]:
    """The length and time units a TrackMate spot table states in its unit row (canonical
    names; ``None`` where it states none). Time is ``frame`` when only ``FRAME`` is given."""
    try:
        raw, units = read_trackmate_spots(path, nrows=8, **read)  # the header rows suffice
    except DataError:
        return None, None
    time = units.get("POSITION_T") if "POSITION_T" in raw.columns else "frame"
    return units.get("POSITION_X"), time


def load_trackmate_csv(path, condition: str, *, length_unit: str | None = None,
                       um_per_pixel: float | None = None, time_unit: str | None = None,
                       frame_interval: float | None = None, branches: str = "split",
                       calibrated: bool = True, **read) -> pd.DataFrame:
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
    branches : ``split`` (default), ``longest`` or ``refuse``: what to do with a track that
        has two spots at one time (a division or merge; :mod:`cellmotion.io.lineage`). The
        spot table holds no links, so within a track spots of consecutive frames are linked
        by nearest position where their number stays the same, and the track is cut where
        it changes (the division).
    calibrated : ``False`` when no pixel size or frame interval is given: units the file's
        unit row states are used (converted to µm and minutes); positions stay in pixels and
        times in frames where it states none.
    read : read options of :func:`cellmotion.io.text.read_table` (``sep``, ``skiprows``,
        ``encoding``); gzip and Windows encodings are handled.

    Returns
    -------
    pandas.DataFrame
        The tidy table, positions ordered by time within each track whatever order the
        export wrote them in. Spots that belong to no track (empty ``TRACK_ID``, as in the
        *all spots* table) are left out. Track ids are ``<condition>/<TRACK_ID>``. When
        ``POSITION_Z`` is the same in every row (a 2D movie) the table has no z column.
        ``attrs`` hold ``length_unit``/``time_unit`` of the table and ``branches``.
    """
    src = str(path)
    check_policy(branches, src)
    raw, units = read_trackmate_spots(path, **read)
    lines = raw.attrs.pop("lines", None)  # only for messages: never carried on with the table
    keep = ~raw["TRACK_ID"].str.strip().isin(["", "None", "none", "NaN", "nan"])
    raw = raw[keep.to_numpy()]
    lines = None if lines is None else np.asarray(lines)[keep.to_numpy()]
    if raw.empty:
        raise DataError(f"{src}: no spot belongs to a track (TRACK_ID is empty everywhere).")
    # time
    use_frames = frame_interval is not None and "FRAME" in raw.columns
    t_col = "FRAME" if use_frames or "POSITION_T" not in raw.columns else "POSITION_T"
    file_tu = "frame" if t_col == "FRAME" else units.get("POSITION_T")
    if t_col == "POSITION_T" and time_unit is not None and file_tu is not None \
            and canonical_unit(time_unit) != file_tu:
        raise DataError(f"{src}: the file gives POSITION_T in '{file_tu}' but the time unit "
                        f"'{time_unit}' was asked for; leave the time unit out or correct it.")
    tu = "frame" if t_col == "FRAME" else (canonical_unit(time_unit) or file_tu)
    if tu is None and not calibrated and "FRAME" in raw.columns:
        t_col, tu = "FRAME", "frame"
    if tu is None:
        raise DataError(f"{src}: the file does not state the unit of POSITION_T (no unit row); "
                        "give the time unit (config: units: {time: s}, or min, h, frame) or "
                        "the frame interval (units: {frame_interval: ...}, minutes per frame).")
    # length
    file_lu = units.get("POSITION_X")
    if length_unit is not None and file_lu is not None and canonical_unit(length_unit) != file_lu:
        raise DataError(f"{src}: the file gives positions in '{file_lu}' but the length unit "
                        f"'{length_unit}' was asked for; leave the length unit out or correct it.")
    lu = canonical_unit(length_unit) or file_lu
    if lu is None and not calibrated:
        lu = "pixel"
    if lu is None:
        raise DataError(f"{src}: the file does not state the unit of POSITION_X; give the length "
                        "unit (config: units: {length: um}, or nm, mm, or pixel with "
                        "um_per_pixel), or keep pixels with 'units: {calibrated: false}'.")
    df = pd.DataFrame({"track_id": condition + "/" + raw["TRACK_ID"].str.strip(),
                       "condition": condition, "t": raw[t_col], "x": raw["POSITION_X"],
                       "y": raw["POSITION_Y"]})
    if "POSITION_Z" in raw.columns:
        df["z"] = raw["POSITION_Z"].replace("", np.nan)
    # numbers first (clear messages), then time order within each track
    for col in [c for c in ("t", "x", "y", "z") if c in df.columns]:
        values = pd.to_numeric(df[col], errors="coerce")
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            name = {"t": t_col, "x": "POSITION_X", "y": "POSITION_Y", "z": "POSITION_Z"}[col]
            where = f"line {lines[row]} of the file" if lines is not None else f"spot row {row + 1}"
            raise DataError(f"{src}: column '{name}' has a non-numeric or missing value "
                            f"{df[col].iloc[row]!r} in {where} (track "
                            f"'{df['track_id'].iloc[row]}').")
        df[col] = values
    if "z" in df.columns and df["z"].nunique() <= 1:
        df = df.drop(columns="z")
    # branching tracks: the table has no links, so link spots of consecutive times
    ids = raw["ID"].str.strip().tolist() if "ID" in raw.columns else [""] * len(raw)
    key = [(k, float(x), float(y)) for k, x, y in zip(ids, df["x"], df["y"])]
    dims = [c for c in ("x", "y", "z") if c in df.columns]
    track = df["track_id"].to_numpy(dtype=object)
    t = df["t"].to_numpy(float)
    edges = link_by_nearest(track, t, df[dims].to_numpy(float), key)
    new_ids, report = resolve(track, t, key, edges, branches, source=src)
    keep = pd.notna(new_ids)
    df = df.assign(track_id=new_ids, _line=lines if lines is not None else 0)[keep]
    num = pd.to_numeric(df["track_id"].str.split("/", n=1).str[1].str.split("~").str[0],
                        errors="coerce").fillna(-1)
    df = df.assign(_k=num.to_numpy()).sort_values(["_k", "track_id", "t"], kind="stable")
    lines = df["_line"].to_numpy() if lines is not None else None
    df = df.drop(columns=["_k", "_line"]).reset_index(drop=True)
    keep_px = lu == "pixel" and um_per_pixel is None and not calibrated
    keep_frames = tu == "frame" and frame_interval is None and not calibrated
    df = validate_tracks(df, source=src, lines=lines, time_unit=tu if tu != "frame" else "frame")
    out = convert_units(df, length_unit=lu, um_per_pixel=1.0 if keep_px else um_per_pixel,
                        time_unit=tu, frame_interval=1.0 if keep_frames else frame_interval,
                        source=src)
    out.attrs.update(source=src, length_unit="px" if keep_px else "µm",
                     time_unit="frame" if keep_frames else "min", branches=report.as_dict(),
                     branching_tracks=list(report.branching))
    return out

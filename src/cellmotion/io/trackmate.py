"""Reader for TrackMate's spot-table CSV export (one file per condition or movie)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import DataError, canonical_unit, convert_units, suggest, validate_tracks
from .text import read_table

#: Columns of TrackMate's spot table that the loader reads.
TRACKMATE_COLUMNS = ("TRACK_ID", "POSITION_X", "POSITION_Y", "POSITION_Z", "POSITION_T", "FRAME")
def read_trackmate_spots(path, **read) -> tuple[pd.DataFrame, dict]:
    """Read TrackMate's spot-table CSV export as text columns, without its extra header rows.

    TrackMate (version 7 and later) writes the feature keys (``TRACK_ID``, ``POSITION_X``,
    ...) as the header and then three more rows: feature names, short names and units
    (``(micron)``, ``(sec)``, ``(pixel)``, ``(frame)``). Older versions and hand-made files
    have only the key row; both are read. Returns the spot rows (strings) and the units of
    the columns, as far as the file states them.
    """
    path = Path(path)
    raw = read_table(path, dtype=str, keep_default_na=False, **read)
    missing = [c for c in ("TRACK_ID", "POSITION_X", "POSITION_Y") if c not in raw.columns]
    if not missing and not ({"POSITION_T", "FRAME"} & set(raw.columns)):
        missing = ["POSITION_T or FRAME"]
    if missing:
        others = [c for c in raw.columns if c not in TRACKMATE_COLUMNS]
        hints = "".join(dict.fromkeys(suggest(m, others) for m in missing))
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
                units = {c: canonical_unit(raw[c].iloc[i]) for c in raw.columns}
    return raw.iloc[n_header:].reset_index(drop=True), units


def load_trackmate_csv(path, condition: str, *, length_unit: str | None = None,
                       um_per_pixel: float | None = None, time_unit: str | None = None,
                       frame_interval: float | None = None, **read) -> pd.DataFrame:
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
    read : read options of :func:`cellmotion.io.text.read_table` (``sep``, ``skiprows``,
        ``encoding``); gzip and Windows encodings are handled.

    Spots that belong to no track (empty ``TRACK_ID``, as in the *all spots* table) are
    left out. Track ids become ``<condition>/<TRACK_ID>``. A track with two spots in one
    frame (a split or merge event) is refused. When ``POSITION_Z`` is the same in every
    row (a 2D movie) the table has no z column. Rows are ordered by the frame they belong to,
    whatever order the export wrote them in.
    """
    src = str(path)
    raw, units = read_trackmate_spots(path, **read)
    raw = raw[~raw["TRACK_ID"].str.strip().isin(["", "None", "none", "NaN", "nan"])]
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
    if tu is None:
        raise DataError(f"{src}: the file does not state the unit of POSITION_T; give the time "
                        "unit (s, min, h or frame) or the frame interval.")
    # length
    file_lu = units.get("POSITION_X")
    if length_unit is not None and file_lu is not None and canonical_unit(length_unit) != file_lu:
        raise DataError(f"{src}: the file gives positions in '{file_lu}' but the length unit "
                        f"'{length_unit}' was asked for; leave the length unit out or correct it.")
    lu = canonical_unit(length_unit) or file_lu
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

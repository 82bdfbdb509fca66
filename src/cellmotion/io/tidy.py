"""Reader for tidy tables: one row per position (``track_id, condition, t, x, y[, z]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from ..contract import DataError, convert_units, suggest, validate_tracks
from .text import read_table


def _position(value) -> int | None:
    """A column position (1, 2, ...) when ``value`` is a whole number, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def map_columns(raw: pd.DataFrame, columns: Mapping | None, source: str) -> pd.DataFrame:
    """Rename the columns of a file to the contract's names, by name or by position.

    ``columns`` maps a contract name (``track_id``, ``t``, ``x``, ...) to the file's column:
    its name, or its position counted from 1 (celltrackR's ``id.column = 2``,
    ``pos.columns = c(4, 5, 6)``), which is how a file without a header is named. A name
    the file has wins over a position; a position beyond the last column or a name the file
    lacks is refused with the columns it has.
    """
    rename = {}
    cols = list(raw.columns)
    for name, col in (columns or {}).items():
        if col in cols or str(col) in map(str, cols):
            rename[next(c for c in cols if c == col or str(c) == str(col))] = name
            continue
        pos = _position(col)
        if pos is not None:
            if not 1 <= pos <= len(cols):
                raise DataError(f"{source}: column {pos} (for {name}) does not exist; the file "
                                f"has {len(cols)} column(s).")
            rename[cols[pos - 1]] = name
            continue
        raise DataError(f"{source}: column '{col}' (for {name}) is not in the file"
                        f"{suggest(str(col), list(map(str, cols)))}; found "
                        f"{list(map(str, cols))[:12]}.")
    return raw.rename(columns=rename)


def load_tidy_csv(path, columns: Mapping[str, str] | None = None, *, length_unit: str = "um",
                  um_per_pixel: float | None = None, time_unit: str = "min",
                  frame_interval: float | None = None, condition: str | None = None,
                  **read_csv_kwargs) -> pd.DataFrame:
    """Read a tidy CSV (one row per position) into the data contract.

    Parameters
    ----------
    path : file to read.
    columns : mapping from the contract's names (``track_id, condition, t, x, y, z``) to the
        file's columns, by name or by position (1, 2, ...), for files that name them
        differently or have no header (see :func:`map_columns`).
    length_unit : unit of x, y, z: ``um``, ``nm``, ``mm`` or ``pixel`` (then give
        ``um_per_pixel``).
    time_unit : unit of t: ``min``, ``s``, ``h`` or ``frame`` (then give ``frame_interval``
        in minutes).
    condition : fill the condition column with this name when the file has none.
    read_csv_kwargs : read options of :func:`cellmotion.io.text.read_table` (``sep``,
        ``skiprows``, ``encoding``, ``header``); gzip, a byte-order mark and Windows
        encodings are handled.

    A table written by hand is checked as it is: positions of a track listed out of time
    order are refused, naming the line of the file (tracker exports are ordered by their
    readers instead).
    """
    path = Path(path)
    raw = read_table(path, **read_csv_kwargs)
    lines = raw.attrs.pop("lines", None)  # only for messages: never carried on with the table
    df = map_columns(raw, columns, str(path))
    if condition is not None and "condition" not in df.columns:
        df = df.assign(condition=condition)
    df = validate_tracks(df, source=str(path), lines=lines,
                         time_unit="frame" if time_unit == "frame" else str(time_unit))
    return convert_units(df, length_unit=length_unit, um_per_pixel=um_per_pixel,
                         time_unit=time_unit, frame_interval=frame_interval, source=str(path))

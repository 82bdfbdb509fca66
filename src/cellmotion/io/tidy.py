"""Reader for tidy tables: one row per position (``track_id, condition, t, x, y[, z]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from ..contract import convert_units, validate_tracks
from .text import read_table


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
    read_csv_kwargs : read options of :func:`cellmotion.io.text.read_table` (``sep``,
        ``skiprows``, ``encoding``); gzip, a byte-order mark and Windows encodings are handled.
    """
    path = Path(path)
    raw = read_table(path, **read_csv_kwargs)
    df = raw.rename(columns={v: k for k, v in (columns or {}).items()})
    if condition is not None and "condition" not in df.columns:
        df = df.assign(condition=condition)
    df = validate_tracks(df, source=str(path))
    return convert_units(df, length_unit=length_unit, um_per_pixel=um_per_pixel,
                         time_unit=time_unit, frame_interval=frame_interval, source=str(path))

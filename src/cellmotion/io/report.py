"""Reader for the report's layout: one folder per condition, one ``x y z`` file per track."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..contract import DataError, validate_tracks


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

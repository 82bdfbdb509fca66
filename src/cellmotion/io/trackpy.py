"""Readers for the tables of two tracking libraries: trackpy (Python) and celltrackR (R).

trackpy
    ``trackpy.link`` returns one row per feature with ``x``, ``y`` (and ``z``) in pixels,
    ``frame`` (the frame number) and ``particle`` (the track), plus feature columns
    (``mass``, ``size``, ``ecc``, ``signal``, ``raw_mass``, ``ep``) that are not needed
    here. Its index is often named ``frame`` too; ``DataFrame.to_csv`` then writes ``frame``
    twice, or an unnamed index column: such extra columns are ignored like the features.

celltrackR
    ``write.csv(as.data.frame(tracks))`` writes the row names as a first column with an
    empty header (ignored), then ``id`` (the track), optionally ``timepoint``
    (``include.timepoint.column = TRUE``), ``t``, and ``x``, ``y`` (and ``z``). celltrackR
    stores no units: ``t`` is in whatever unit the tracks were made with.

A table with a ``condition`` column keeps it; otherwise the ``condition`` argument names
the condition of every track. A table with a ``replicate`` column keeps it too, and track
ids then include the replicate, since each movie numbers its tracks from 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import REPLICATE, DataError, convert_units, suggest, validate_tracks
from .lineage import check_policy, resolve
from .text import check_positive, read_table
from .tidy import map_columns

#: Columns of trackpy's linked table that the reader needs (``z`` is optional).
TRACKPY_COLUMNS = ("particle", "frame", "x", "y")
#: Columns of celltrackR's ``as.data.frame(tracks)`` that the reader needs (``z`` optional).
CELLTRACKR_COLUMNS = ("id", "t", "x", "y")
#: Columns that name a track's parent track (a division), as trackers that follow lineages
#: write them; a root track names itself, nothing, or a negative number.
PARENT_COLUMNS = ("parent", "parent_particle", "parent_id", "parent_track_id")


def _missing_columns(raw: pd.DataFrame, needed, src: str, what: str, hint: str) -> None:
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        hints = "".join(dict.fromkeys(suggest(m, raw.columns) for m in missing))
        raise DataError(f"{src}: not a {what}: missing column(s) "
                        f"{', '.join(repr(m) for m in missing)}{hints}; found "
                        f"{list(map(str, raw.columns))[:12]}. {hint}")


def _label(values: pd.Series, column: str, src: str) -> pd.Series:
    """Track labels as text; whole numbers without '.0'; an empty label is refused."""
    empty = values.isna() | (values.astype(str).str.strip() == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataError(f"{src}: column '{column}' is empty in row {row + 1}; every position "
                        "needs the track it belongs to.")
    num = pd.to_numeric(values, errors="coerce")
    if num.notna().all() and (num == np.round(num)).all():
        return num.astype("int64").astype(str)
    return values.astype(str).str.strip()


def _fill_column(df: pd.DataFrame, column: str, value, src: str, required: bool) -> pd.DataFrame:
    """Take ``column`` from the table, or fill it with ``value``; refuse a contradiction."""
    if column in df.columns:
        if value is not None:
            found = pd.unique(df[column].astype(str))
            if len(found) != 1 or found[0] != str(value):
                raise DataError(
                    f"{src}: the table has a '{column}' column ({', '.join(map(str, found[:3]))}"
                    f"{', ...' if len(found) > 3 else ''}) and {column}={value!r} was given; "
                    f"leave {column} out to use the table's, or drop the column.")
        return df
    if value is None:
        if required:
            raise DataError(f"{src}: the table has no '{column}' column; give the condition of "
                            f"its tracks (condition=\"...\"), or add a '{column}' column.")
        return df
    return df.assign(**{column: str(value)})


def _tidy(raw: pd.DataFrame, track_col: str, time_col: str, *, condition, replicate,
          src: str) -> pd.DataFrame:
    """The contract's columns from a table with a track column and a time column."""
    raw = _fill_column(raw, "condition", condition, src, required=True)
    # a replicate column of the table (several movies) is part of the track id; a given
    # replicate name (one movie) is not
    rep_in_table = REPLICATE in raw.columns
    raw = _fill_column(raw, REPLICATE, replicate, src, required=False)
    cond = _label(raw["condition"], "condition", src)
    track = _label(raw[track_col], track_col, src)
    if REPLICATE in raw.columns:
        rep = _label(raw[REPLICATE], REPLICATE, src)
    prefix = cond + "/" + (rep + "/" if rep_in_table else "")
    track_id = prefix + track
    out = pd.DataFrame({"track_id": track_id, "condition": cond, "t": raw[time_col],
                        "x": raw["x"], "y": raw["y"]})
    if "z" in raw.columns:
        out["z"] = raw["z"]
    if REPLICATE in raw.columns:
        out[REPLICATE] = rep
    parent = next((c for c in PARENT_COLUMNS if c in raw.columns), None)
    if parent is not None:
        out.attrs["parent"] = (parent, prefix + _label(raw[parent].fillna(-1), parent, src))
    return out


def _lineages(df: pd.DataFrame, parents: pd.Series, column: str, policy: str,
              src: str) -> pd.DataFrame:
    """Join tracks with a parent column into lineages and handle their branches.

    Each track (``track_id``) is linked from its parent track's last position to its own
    first; the lineage of a root track keeps the root's id, so that every track descended
    from one cell is one cell (:func:`cellmotion.contract.cell_ids`) after ``split``.
    """
    t = pd.to_numeric(df["t"], errors="coerce").to_numpy(float)
    ids = df["track_id"].to_numpy(dtype=object)
    known = set(ids)
    parent_of = {}
    for tid, par in zip(ids, parents.to_numpy(dtype=object)):
        if par != tid and par in known:
            parent_of.setdefault(tid, par)

    def root(tid):
        seen = [tid]
        while tid in parent_of:
            tid = parent_of[tid]
            if tid in seen:
                raise DataError(f"{src}: column '{column}' makes track '{tid}' its own "
                                "ancestor; a lineage cannot loop.")
            seen.append(tid)
        return tid

    lineage = np.array([root(tid) for tid in ids], dtype=object)
    order = np.lexsort((t, ids))
    first, last, edges = {}, {}, []
    for k, i in enumerate(order):
        tid = ids[i]
        if tid in last:
            edges.append((last[tid], i))
        first.setdefault(tid, i)
        last[tid] = i
    edges += [(last[p], first[c]) for c, p in parent_of.items()]
    key = [(str(ids[i]), t[i]) for i in range(len(ids))]
    new_ids, report = resolve(lineage, t, key, edges, policy, source=src, what="lineage")
    out = df.assign(track_id=new_ids)[pd.notna(new_ids)]
    out.attrs["branches"] = report.as_dict()
    out.attrs["branching_tracks"] = list(report.branching)
    return out


def _finish(df: pd.DataFrame, *, length_unit, um_per_pixel, time_unit, frame_interval,
            src: str, lines=None, branches: str = "split") -> pd.DataFrame:
    """Order each track by time, handle lineages, check, and convert to µm and minutes."""
    check_policy(branches, src)
    parent = df.attrs.pop("parent", None)
    if lines is not None and len(lines) == len(df):
        df = df.assign(_line=np.asarray(lines))
    report = {"policy": branches, "branching": 0, "pieces": 0, "positions_left_out": 0}
    branching = []
    if parent is not None:
        df = _lineages(df, pd.Series(parent[1], index=df.index), parent[0], branches, src)
        report, branching = df.attrs["branches"], df.attrs["branching_tracks"]
    # a tracker's table lists positions in any order: order each track by time
    key = pd.to_numeric(df["t"], errors="coerce")
    df = df.assign(_t=key).sort_values(["track_id", "_t"], kind="stable").drop(columns="_t")
    lines = df.pop("_line").to_numpy() if "_line" in df.columns else None
    tu = "frame" if str(time_unit).startswith("frame") else str(time_unit)
    df = validate_tracks(df.reset_index(drop=True), source=src, time_unit=tu, lines=lines)
    df = convert_units(df, length_unit=length_unit, um_per_pixel=um_per_pixel,
                       time_unit=time_unit, frame_interval=frame_interval, source=src)
    df.attrs.update(source=src, branches=report, branching_tracks=branching)
    return df


def _frame_from(path_or_frame, *, sep, skiprows, encoding,
                header: bool = True) -> tuple[pd.DataFrame, str]:
    if isinstance(path_or_frame, pd.DataFrame):
        df = path_or_frame
        src = str(df.attrs.get("source", "trackpy table"))
        names = [n for n in df.index.names if n is not None]
        if names:  # trackpy's frame index: keep it as a column unless it is one already
            dup = [n for n in names if n in df.columns]
            df = df.reset_index(level=dup, drop=True) if dup else df
            df = df.reset_index() if [n for n in names if n not in dup] else df
        return df.reset_index(drop=True), src
    if not isinstance(path_or_frame, (str, Path)):
        raise DataError(f"expected a file path or a pandas DataFrame, got "
                        f"{type(path_or_frame).__name__}.")
    return read_table(path_or_frame, sep=sep, skiprows=skiprows, encoding=encoding,
                      header=header), str(path_or_frame)


def load_trackpy(path_or_frame, condition: str | None = None, *, um_per_pixel: float | None = None,
                 frame_interval: float | None = None, length_unit: str = "pixel",
                 time_unit: str = "frame", replicate: str | None = None, sep: str | None = None,
                 skiprows: int = 0, encoding: str | None = None, header: bool = True,
                 branches: str = "split") -> pd.DataFrame:
    """Read trackpy's linked table (a DataFrame, or a CSV of one) into the tidy table.

    Parameters
    ----------
    path_or_frame : the table ``trackpy.link`` returned, or a CSV file written from it
        (any separator, gzip allowed; see :func:`cellmotion.io.text.read_table`).
    condition : the condition of every track, when the table has no ``condition`` column.
    um_per_pixel : micrometres per pixel (trackpy positions are in pixels).
    frame_interval : minutes between frames (trackpy time is the frame number).
    length_unit, time_unit : the units of ``x, y, z`` and ``frame`` when they are not pixels
        and frame numbers (for tables converted before saving).
    replicate : fill the ``replicate`` column with this name when the table has none.
    sep, skiprows, encoding, header : read options of :func:`cellmotion.io.text.read_table`.
    branches : ``split``, ``longest`` or ``refuse``: what to do with lineages that branch,
        when the table has a parent column (``parent``, ``parent_particle``, ...; see
        :mod:`cellmotion.io.lineage`). A particle whose parent is another particle continues
        its lineage; with ``split`` each unbranched piece is a track ``<root>~n`` and the
        whole lineage is one cell.

    Track ids are ``<condition>/<particle>`` (``<condition>/<replicate>/<particle>`` when the
    table has a replicate column). Feature columns (mass, size, ecc, signal, ...) are ignored.
    Rows are ordered by frame within each particle, whatever order the table lists them in.
    """
    df, src = _frame_from(path_or_frame, sep=sep, skiprows=skiprows, encoding=encoding,
                          header=header)
    lines = df.attrs.pop("lines", None) if isinstance(path_or_frame, (str, Path)) else None
    um_per_pixel = check_positive("um_per_pixel", um_per_pixel, src)
    frame_interval = check_positive("frame_interval", frame_interval, src)
    hint = ("trackpy's linked table has particle, frame, x, y (and z); a table without "
            "'particle' is not linked yet (run trackpy.link)." if "particle" not in df.columns
            else "trackpy's linked table has particle, frame, x, y (and z).")
    _missing_columns(df, TRACKPY_COLUMNS, src, "trackpy table", hint)
    tidy = _tidy(df, "particle", "frame", condition=condition, replicate=replicate, src=src)
    return _finish(tidy, length_unit=length_unit, um_per_pixel=um_per_pixel,
                   time_unit=time_unit, frame_interval=frame_interval, src=src,
                   lines=lines, branches=branches)


def load_celltrackr_csv(path, condition: str | None = None, *, length_unit: str = "um",
                        time_unit: str = "min", um_per_pixel: float | None = None,
                        frame_interval: float | None = None, replicate: str | None = None,
                        sep: str | None = None, skiprows: int = 0,
                        encoding: str | None = None, header: bool = True,
                        columns: dict | None = None) -> pd.DataFrame:
    """Read celltrackR's ``write.csv(as.data.frame(tracks))`` export into the tidy table.

    Parameters
    ----------
    path : the CSV (columns ``id, t, x, y[, z]``, with or without R's row-name column and
        the ``timepoint`` column; any separator, gzip allowed).
    condition : the condition of every track, when the table has no ``condition`` column.
    length_unit : unit of ``x, y, z`` (celltrackR stores none): ``um`` by default; ``pixel``
        needs ``um_per_pixel``.
    time_unit : unit of ``t``: ``min`` by default; ``s`` for tracks timed in seconds,
        ``frame`` (with ``frame_interval`` in minutes) for frame numbers.
    replicate : fill the ``replicate`` column with this name when the table has none.
    sep, skiprows, encoding : read options of :func:`cellmotion.io.text.read_table`; runs of
        spaces (celltrackR's ``sep = ""``) are sniffed.
    header : ``False`` for a file without a header line (celltrackR's ``header = FALSE``).
    columns : the file's columns for the contract's ``track_id``, ``t``, ``x``, ``y``, ``z``,
        by name or by position from 1, as celltrackR's ``read.tracks.csv`` takes
        ``id.column``, ``time.column`` and ``pos.columns``: the text files celltrackR ships
        (``index id t x y z``, no header, space-separated) read with ``header=False,
        columns={"track_id": 2, "t": 3, "x": 4, "y": 5, "z": 6}``.

    Track ids are ``<condition>/<id>`` (``<condition>/<replicate>/<id>`` when the table has a
    replicate column). Tracks of four or more dimensions (``x1, x2, ...``) are refused.
    Positions are ordered by time within each track, whatever order the file lists them in.
    """
    src = str(path)
    um_per_pixel = check_positive("um_per_pixel", um_per_pixel, src)
    frame_interval = check_positive("frame_interval", frame_interval, src)
    df = read_table(path, sep=sep, skiprows=skiprows, encoding=encoding, header=header)
    lines = df.attrs.pop("lines", None)  # only for messages: never carried on with the table
    if columns:
        renamed = {k: ("id" if k == "track_id" else k) for k in columns}
        df = map_columns(df, {renamed[k]: v for k, v in columns.items()}, src)
    elif not header:
        raise DataError(f"{src}: a file without a header needs its columns named by position "
                        "(config: columns: {track_id: 2, t: 3, x: 4, y: 5, z: 6} for "
                        "celltrackR's own text files).")
    if "x1" in df.columns and "x" not in df.columns:
        dims = [c for c in df.columns if re.fullmatch(r"x\d+", str(c))]
        raise DataError(f"{src}: the tracks have {len(dims)} spatial dimensions "
                        f"({', '.join(dims)}); only 2D and 3D tracks (x, y[, z]) can be read.")
    if "x" in df.columns and "y" not in df.columns and "id" in df.columns:
        raise DataError(f"{src}: the tracks are one-dimensional (x only, no 'y' column); only "
                        "2D and 3D tracks (x, y[, z]) can be read.")
    _missing_columns(df, CELLTRACKR_COLUMNS, src, "celltrackR table",
                     "write.csv(as.data.frame(tracks)) writes id, t, x, y (and z).")
    tidy = _tidy(df, "id", "t", condition=condition, replicate=replicate, src=src)
    return _finish(tidy, length_unit=length_unit, um_per_pixel=um_per_pixel,
                   time_unit=time_unit, frame_interval=frame_interval, src=src, lines=lines)

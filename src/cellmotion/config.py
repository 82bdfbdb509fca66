"""A small YAML file that describes your own tracks, so the whole book runs on them.

``make book DATA=path/to/config.yml`` (or ``python -m cellmotion.build --dataset
path/to/config.yml``) reads the file named here, turns it into the tidy table of the data
contract (µm, min) and runs every chapter on it. Relative paths in the config are taken
from the config file's folder. Every key but ``format`` and the data location is optional.

.. code-block:: yaml

    name: my-drugs          # names the results: artifacts/my-drugs-<profile>/ (default: the
                            # file stem, or the folder name for a file called config.yml)
    format: trackmate       # trackmate | tidy | report

    # --- where the tracks are ---------------------------------------------------------
    # trackmate: one spot-table export per condition (TrackMate > Tracks > Spots > Export)
    # tidy:      file: tracks.csv   (one row per position; columns: see `columns`)
    # report:    folder: tracks/    (one folder per condition, one "x y z" file per track)
    conditions:             # at least two; the order here is the order of every table/figure
      DMSO:       {file: dmso_spots.csv, frame_interval: 1.0}
      Nocodazole: {file: noco_spots.csv, frame_interval: 2.5}

    # --- tidy only: your column names (contract name: your name) ------------------------
    columns: {track_id: Track, condition: Treatment, t: Frame, x: X, y: Y}

    # --- units (TrackMate: by default the unit row of the file) -------------------------
    units:
      length: pixel         # um | nm | mm | pixel
      um_per_pixel: 0.65    # needed for pixel
      time: frame           # min | s | h | frame
      frame_interval: 1.0   # minutes per frame, for every condition that gives none itself

    # --- missing frames ----------------------------------------------------------------
    gaps: split             # split: cut tracks at missing frames (default)
                            # interpolate: fill gaps on a straight line ...
    max_gap: 3              # ... of at most this many missing frames; longer gaps split

    # --- analysis ----------------------------------------------------------------------
    interval: 5.0           # common sampling interval [min] of the analysis (the report: 5);
                            # every condition's frame interval must divide it
    min_track_steps: 30     # tracks with fewer steps at `interval` are left out and counted
                            # (the report's window: 30 steps)

Per condition, ``file`` (TrackMate), ``frame_interval`` (minutes per frame) and ``value``
(tidy: the condition's name in the file, when it differs from the name you want shown) may
be given. For ``tidy`` and ``report`` data the ``conditions`` block is optional; without it
every condition in the data is used, in order of first appearance. For ``report`` data each
condition needs its ``frame_interval``.

Bad input is refused with one :class:`~cellmotion.loading.DataError` that names the file,
the key, the column or the track; no chapter runs on a refused dataset.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .loading import (DataError, convert_units, handle_gaps, load_report_layout, load_tidy_csv,
                      load_trackmate_csv, validate_tracks)

FORMATS = ("trackmate", "tidy", "report")
TOP_KEYS = ("name", "format", "file", "folder", "conditions", "columns", "units", "gaps",
            "max_gap", "interval", "min_track_steps", "generated_by")
UNIT_KEYS = ("length", "um_per_pixel", "time", "frame_interval")
CONDITION_KEYS = ("file", "frame_interval", "value")
#: Generators of the book's own example datasets (only these may appear in ``generated_by``).
GENERATORS = ("cellmotion.example",)


def _unknown(keys, allowed, where: str, source: str):
    for k in keys:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DataError(f"{source}: unknown key '{k}' {where}{hint}; "
                            f"allowed: {', '.join(allowed)}.")


def _positive(value, what: str, source: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{source}: {what} must be a number, found {value!r}.") from None
    if not v > 0:
        raise DataError(f"{source}: {what} must be positive, found {value!r}.")
    return v


@dataclass
class DatasetConfig:
    """A parsed dataset config; paths are absolute."""

    path: Path
    name: str
    format: str
    conditions: dict = field(default_factory=dict)  # name -> {file, frame_interval, value}
    file: Path | None = None
    folder: Path | None = None
    columns: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    gaps: str = "split"
    max_gap: int | None = None
    interval: float = 5.0
    min_track_steps: int = 30
    generated_by: str | None = None

    def input_files(self) -> list[Path]:
        """Every file the dataset is read from (the config first)."""
        files = [self.path]
        if self.file is not None:
            files.append(self.file)
        files += [c["file"] for c in self.conditions.values() if c.get("file") is not None]
        if self.folder is not None and self.folder.is_dir():
            files += sorted(p for p in self.folder.rglob("*") if p.is_file())
        return files


def is_config(dataset) -> bool:
    """True for a dataset given as a ``.yml``/``.yaml`` config path."""
    return str(dataset).lower().endswith((".yml", ".yaml"))


def dataset_name(dataset) -> str:
    """Short name of a dataset for its artifacts and HTML folders.

    ``"synthetic"`` stays ``synthetic``; a config gives its ``name`` key, else the stem of
    the file, or its folder's name for a file called ``config.yml``; a CSV gives its stem.
    """
    if str(dataset) == "synthetic":
        return "synthetic"
    p = Path(dataset)
    if is_config(p):
        from .paths import project_path

        path = project_path(p, create=False)
        if path.exists():
            try:
                return read_config(path).name
            except DataError:
                pass
        return path.parent.name if path.stem in ("config", "dataset") else path.stem
    return p.stem


def read_config(path) -> DatasetConfig:
    """Parse and check a dataset config (the module docstring describes the keys)."""
    import yaml

    path = Path(path).resolve()
    src = str(path)
    if not path.exists():
        raise DataError(f"{src}: config file not found.")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise DataError(f"{src}: not valid YAML ({str(err).splitlines()[0]}).") from None
    if not isinstance(raw, dict):
        raise DataError(f"{src}: the config must be a mapping of keys (format, conditions, ...).")
    _unknown(raw, TOP_KEYS, "at the top level", src)
    fmt = str(raw.get("format", "")).lower()
    if fmt not in FORMATS:
        close = difflib.get_close_matches(fmt, FORMATS, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise DataError(f"{src}: unknown or missing format '{raw.get('format', '')}'{hint}; "
                        f"use one of {', '.join(FORMATS)}.")
    base = path.parent
    default_name = base.name if path.stem in ("config", "dataset") else path.stem
    # the name becomes a folder name: keep letters, digits, '.', '_' and '-'
    name = re.sub(r"[^\w.-]+", "-", str(raw.get("name") or default_name)).strip("-.") or "dataset"
    cfg = DatasetConfig(path=path, name=name, format=fmt)

    units = raw.get("units") or {}
    if not isinstance(units, dict):
        raise DataError(f"{src}: 'units' must be a mapping (length, um_per_pixel, time, frame_interval).")
    _unknown(units, UNIT_KEYS, "in 'units'", src)
    if "um_per_pixel" in units:
        units["um_per_pixel"] = _positive(units["um_per_pixel"], "units.um_per_pixel", src)
    if "frame_interval" in units:
        units["frame_interval"] = _positive(units["frame_interval"], "units.frame_interval", src)
    cfg.units = units

    conds = raw.get("conditions") or {}
    if isinstance(conds, list):
        conds = {str(c): {} for c in conds}
    if not isinstance(conds, dict):
        raise DataError(f"{src}: 'conditions' must map each condition name to its settings.")
    for name, opts in conds.items():
        opts = dict(opts or {}) if not isinstance(opts, str) else {"file": opts}
        _unknown(opts, CONDITION_KEYS, f"in condition '{name}'", src)
        if opts.get("file") is not None:
            opts["file"] = (base / str(opts["file"])).resolve()
        if "frame_interval" in opts:
            opts["frame_interval"] = _positive(opts["frame_interval"],
                                               f"frame_interval of condition '{name}'", src)
        cfg.conditions[str(name)] = opts

    for key in ("file", "folder"):
        if raw.get(key) is not None:
            setattr(cfg, key, (base / str(raw[key])).resolve())
    cols = raw.get("columns") or {}
    if not isinstance(cols, dict):
        raise DataError(f"{src}: 'columns' must map contract names (track_id, condition, t, x, y, z) "
                        "to the column names of your file.")
    _unknown(cols, ("track_id", "condition", "t", "x", "y", "z"), "in 'columns'", src)
    cfg.columns = {str(k): str(v) for k, v in cols.items()}
    cfg.gaps = str(raw.get("gaps", "split"))
    if cfg.gaps not in ("split", "interpolate"):
        raise DataError(f"{src}: unknown gap policy 'gaps: {cfg.gaps}'; use split or interpolate.")
    if raw.get("max_gap") is not None:
        cfg.max_gap = int(_positive(raw["max_gap"], "max_gap", src))
    if raw.get("interval") is not None:
        cfg.interval = _positive(raw["interval"], "interval", src)
    if raw.get("min_track_steps") is not None:
        cfg.min_track_steps = int(_positive(raw["min_track_steps"], "min_track_steps", src))
    cfg.generated_by = raw.get("generated_by")
    if cfg.generated_by is not None and cfg.generated_by not in GENERATORS:
        raise DataError(f"{src}: unknown generator '{cfg.generated_by}'; only {GENERATORS} exist.")

    # where the data is, per format
    if fmt == "trackmate":
        missing = [n for n, o in cfg.conditions.items() if o.get("file") is None]
        if not cfg.conditions or missing:
            raise DataError(f"{src}: format trackmate needs a 'file' for every condition "
                            f"(TrackMate exports one spot table per movie){'' if not missing else '; missing for ' + ', '.join(repr(m) for m in missing)}.")
    elif fmt == "tidy" and cfg.file is None:
        raise DataError(f"{src}: format tidy needs 'file: <your tracks>.csv'.")
    elif fmt == "report":
        if cfg.folder is None:
            raise DataError(f"{src}: format report needs 'folder: <folder with one folder per condition>'.")
    if fmt != "tidy" and 0 < len(cfg.conditions) < 2:
        raise DataError(f"{src}: only one condition ({', '.join(cfg.conditions)}); the book "
                        "compares conditions and needs at least two.")
    return cfg


def ensure_generated(cfg: DatasetConfig) -> None:
    """Write the files of a generated example dataset if they are missing."""
    if cfg.generated_by == "cellmotion.example":
        from .example import ensure_example

        ensure_example(cfg.path.parent)


def _frame_interval(cfg: DatasetConfig, cond: str):
    return cfg.conditions.get(cond, {}).get("frame_interval", cfg.units.get("frame_interval"))


def load_config_dataset(cfg: DatasetConfig | str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the data a config describes: the tidy table (µm, min) and the gap report.

    Gap handling (``gaps``, ``max_gap``) is applied with each condition's frame interval.
    Tracks too short for the analysis are *not* removed here (see
    :func:`cellmotion.datasets.load_dataset`).
    """
    if not isinstance(cfg, DatasetConfig):
        cfg = read_config(cfg)
    ensure_generated(cfg)
    src = str(cfg.path)
    u = cfg.units
    if cfg.format == "trackmate":
        parts = []
        for cond, opts in cfg.conditions.items():
            parts.append(load_trackmate_csv(
                opts["file"], cond, length_unit=u.get("length"), um_per_pixel=u.get("um_per_pixel"),
                time_unit=u.get("time"), frame_interval=_frame_interval(cfg, cond)))
        with_z = [p["condition"].iloc[0] for p in parts if "z" in p.columns]
        if with_z and len(with_z) < len(parts):
            # 2D movies next to 3D ones: the 2D cells move in a plane, z = 0 (as in the report)
            parts = [p if "z" in p.columns else p.assign(z=0.0) for p in parts]
        df = validate_tracks(pd.concat(parts, ignore_index=True), source=src)
    elif cfg.format == "tidy":
        df = _load_tidy(cfg)
    else:
        intervals = {c: o.get("frame_interval") for c, o in cfg.conditions.items()}
        missing = [c for c, v in intervals.items() if v is None]
        if not cfg.conditions or missing:
            folders = sorted(p.name for p in cfg.folder.iterdir() if p.is_dir()) \
                if cfg.folder.is_dir() else []
            raise DataError(f"{src}: format report needs 'frame_interval' (minutes) for every "
                            f"condition folder; found folders {folders}.")
        df = load_report_layout(cfg.folder, intervals)
        order = {c: i for i, c in enumerate(cfg.conditions)}
        df = df.sort_values("condition", key=lambda s: s.map(order), kind="stable")
        df = convert_units(df, length_unit=u.get("length", "um"), um_per_pixel=u.get("um_per_pixel"),
                           source=src)
        df = validate_tracks(df, source=src)
    intervals = {c: _frame_interval(cfg, c) for c in df["condition"].unique()}
    intervals = {c: v for c, v in intervals.items() if v is not None}
    if cfg.format == "tidy" and u.get("time", "min") not in ("frame", "frames"):
        intervals = {}  # frame intervals only describe frame numbers
    df, gap_report = handle_gaps(df, cfg.gaps, cfg.max_gap, intervals, source=src)
    return df, gap_report


def _load_tidy(cfg: DatasetConfig) -> pd.DataFrame:
    src = str(cfg.file)
    u = cfg.units
    raw = load_tidy_csv(cfg.file, cfg.columns, length_unit=u.get("length", "um"),
                        um_per_pixel=u.get("um_per_pixel"), time_unit="min")
    # the condition names the user wants, and per-condition frame intervals
    if cfg.conditions:
        present = list(dict.fromkeys(raw["condition"]))
        rename = {}
        for name, opts in cfg.conditions.items():
            value = str(opts.get("value", name))
            if value not in present:
                close = difflib.get_close_matches(value, present, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise DataError(f"{cfg.path}: condition '{value}' is not in {src}{hint}; "
                                f"the file has {present}.")
            rename[value] = name
        raw = raw[raw["condition"].isin(list(rename))]
        raw = raw.assign(condition=raw["condition"].map(rename))
        order = {c: i for i, c in enumerate(cfg.conditions)}
        raw = raw.sort_values("condition", key=lambda s: s.map(order), kind="stable")
    tu = u.get("time", "min")
    parts = []
    for cond, g in raw.groupby("condition", sort=False):
        parts.append(convert_units(g, time_unit=tu, frame_interval=_frame_interval(cfg, cond),
                                   source=src))
    return validate_tracks(pd.concat(parts, ignore_index=True), source=src)

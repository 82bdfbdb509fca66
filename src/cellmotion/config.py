"""A small YAML file that describes your own tracks, so the whole book runs on them.

``make book DATA=path/to/config.yml`` (or ``python -m cellmotion.build --dataset
path/to/config.yml``) reads the file named here, turns it into the tidy table of the data
contract and runs every chapter on it. This module only *parses* a config
(:func:`read_config`); :func:`cellmotion.datasets.load_dataset` reads the data. Relative paths
are taken from the config file's folder. Every key but ``format`` and the data location is
optional.

.. code-block:: yaml

    name: my-drugs          # names the results: artifacts/my-drugs-<profile>/ (default: the
                            # file stem, or the folder name for a file called config.yml)
    title: "HT1080 cells under four drugs"      # shown by the book (optional)
    description: "..."      # a sentence or two on the cells and the imaging (optional)
    source: "lab, year"     # where the data comes from (optional)
    licence: "CC-BY 4.0"    # (optional)
    format: trackmate       # trackmate | trackmate-xml | trackpy | celltrackr | tidy | report

    # --- where the tracks are ---------------------------------------------------------
    # trackmate:     one spot-table CSV export per condition (Tracks > Spots > Export to CSV)
    # trackmate-xml: one TrackMate XML per condition (File > Save); units from the file
    # trackpy:       one linked table per condition (particle, frame, x, y), pixels and frames
    # celltrackr:    one write.csv(as.data.frame(tracks)) per condition (id, t, x, y[, z])
    # tidy:          file: tracks.csv (one row per position), or a `file` per condition
    # report:        folder: tracks/ (one folder per condition, one "x y z" file per track)
    conditions:             # at least two; the order here is the order of every table/figure
      DMSO:       {file: dmso_spots.csv, frame_interval: 1.0}
      Nocodazole:           # one file per replicate (donor, movie): `files: {replicate: file}`
        files: {movie1: noco_1.csv, movie2: noco_2.csv}
        frame_interval: 2.5

    # --- tidy only: your column names (contract name: your name) ------------------------
    columns: {track_id: Track, condition: Treatment, t: Frame, x: X, y: Y, replicate: Donor}
    replicate_name: donor   # what a replicate is, for the book's text (default "replicate")

    # --- reading other exports (CSV-like formats) ----------------------------------------
    read: {sep: ";", skiprows: 3, encoding: cp1252}   # default: sniffed separator (comma,
                            # semicolon, tab or spaces), no lines skipped, UTF-8 then Windows
                            # encodings; .gz files are read as is; header: false for a file
                            # without a header line (then name columns by position, from 1:
                            # columns: {track_id: 2, t: 3, x: 4, y: 5, z: 6})

    # --- units (TrackMate: by default the unit row or the XML's attributes) ---------------
    units:
      length: pixel         # um (µm, μm, micron) | nm | mm | pixel
      um_per_pixel: 0.65    # needed for pixel
      time: frame           # min | s (sec) | ms | h (hr) | frame
      frame_interval: 1.0   # minutes per frame, for every condition that gives none itself
      # calibrated: false   # no pixel size and frame interval known: the file's own units
                            # where it states them (TrackMate), else pixels and frames
                            # (speeds in px/frame; `interval` then counts frames)

    # --- dividing cells (TrackMate with splitting/merging, trackpy with a parent column) ---
    branches: split         # split: cut a branching track into unbranched pieces, one cell
                            # (default); longest: keep its longest path; refuse: stop, naming
                            # every branching track

    # --- missing frames ----------------------------------------------------------------
    gaps: split             # split: cut tracks at missing frames (default); pieces stay one cell
                            # interpolate: fill gaps on a straight line ...
    max_gap: 3              # ... of at most this many missing frames; longer gaps split

    # --- analysis ----------------------------------------------------------------------
    interval: 5.0           # common sampling interval [min] of the analysis (the report: 5);
                            # every condition's frame interval must divide it
    window_length: 30       # steps per window of the classifiers (the report: 30); short
                            # tracks (T cells imaged every 24 s ...) need shorter windows
    min_track_steps: 30     # tracks with fewer steps at `interval` are left out and counted
                            # (default: window_length, else 30)

    # --- movies and drift (cellmotion.drift) ------------------------------------------
    drift: none             # none (default) | subtract-movie-mean: after curation, remove each
                            # movie's mean velocity, fitted from that movie's own tracks (no
                            # labels); a movie is condition x replicate, else a condition
    movie: FieldOfView      # tidy only (optional): the column of your file naming each
                            # track's movie, where a movie is not condition x replicate
    direction: artefact     # artefact (default): the direction of motion belongs to the movie,
                            # no model may read it; signal: a gradient along the same axis in
                            # every movie carries the signal (the book then shows both)

Per condition, ``file`` or ``files`` (a file per replicate), ``frame_interval`` (minutes per
frame), ``replicate`` (the replicate of a single ``file``) and ``value`` (tidy with one file:
the condition's name in the file, when it differs from the name you want shown) may be given.
For ``tidy`` and ``report`` data the ``conditions`` block is optional; without it every
condition in the data is used, in order of first appearance. For ``report`` data each condition
needs its ``frame_interval``.

Bad input is refused with one :class:`~cellmotion.contract.DataError` that names the file,
the key, the column or the track; no chapter runs on a refused dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .contract import DataError, canonical_unit, suggest

FORMATS = ("trackmate", "trackmate-xml", "trackpy", "celltrackr", "tidy", "report")
#: Formats read as one file (or one file per replicate) per condition.
FILE_PER_CONDITION = ("trackmate", "trackmate-xml", "trackpy", "celltrackr")
TOP_KEYS = ("name", "title", "description", "source", "licence", "format", "file", "folder",
            "conditions", "columns", "units", "gaps", "max_gap", "interval", "min_track_steps",
            "window_length", "replicate_name", "read", "generated_by", "branches",
            "drift", "movie", "direction")
#: Values of ``drift`` and ``direction`` (:mod:`cellmotion.drift` defines the same tuples).
DRIFT_VALUES = ("none", "subtract-movie-mean")
DIRECTION_VALUES = ("artefact", "signal")
UNIT_KEYS = ("length", "um_per_pixel", "time", "frame_interval", "calibrated")
CONDITION_KEYS = ("file", "files", "frame_interval", "value", "replicate")
#: Options passed to the CSV reader for exports that are not plain comma-separated UTF-8.
READ_KEYS = ("sep", "skiprows", "encoding", "header")
#: Generators of the book's own example datasets (only these may appear in ``generated_by``).
GENERATORS = ("cellmotion.example",)


def _unknown(keys, allowed, where: str, source: str):
    for k in keys:
        if k not in allowed:
            raise DataError(f"{source}: unknown key '{k}' {where}{suggest(str(k), allowed)}; "
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
    conditions: dict = field(default_factory=dict)  # name -> {file(s), frame_interval, value, replicate}
    file: Path | None = None
    folder: Path | None = None
    columns: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    gaps: str = "split"
    branches: str = "split"  # split | refuse | longest (cellmotion.io.lineage)
    max_gap: int | None = None
    interval: float = 5.0
    min_track_steps: int = 30
    window_length: int | None = None
    generated_by: str | None = None
    title: str | None = None
    description: str | None = None
    source: str | None = None
    licence: str | None = None
    replicate_name: str = "replicate"
    read: dict = field(default_factory=dict)
    drift: str = "none"
    movie: str | None = None
    direction: str = "artefact"

    @property
    def calibrated(self) -> bool:
        """False when positions stay in pixels and time in frames (no calibration given)."""
        return bool(self.units.get("calibrated", True))

    @property
    def length_unit(self) -> str:
        """Unit of positions in the analysed table: ``µm``, or ``px`` for uncalibrated data."""
        return "µm" if self.calibrated else "px"

    @property
    def time_unit(self) -> str:
        """Unit of time in the analysed table: ``min``, or ``frame`` for uncalibrated data."""
        return "min" if self.calibrated else "frame"

    def condition_files(self, condition: str) -> list:
        """``[(path, replicate or None), ...]`` of one condition (``file`` and ``files``)."""
        opts = self.conditions.get(condition, {})
        out = [(opts["file"], opts.get("replicate"))] if opts.get("file") is not None else []
        return out + [(p, rep) for rep, p in (opts.get("files") or {}).items()]

    def input_files(self) -> list[Path]:
        """Every file the dataset is read from (the config first)."""
        files = [self.path]
        if self.file is not None:
            files.append(self.file)
        files += [p for c in self.conditions for p, _ in self.condition_files(c)]
        if self.folder is not None and self.folder.is_dir():
            files += sorted(p for p in self.folder.rglob("*") if p.is_file())
        return files


def is_config(dataset) -> bool:
    """True for a dataset given as a ``.yml``/``.yaml`` config path.

    Parameters
    ----------
    dataset : str or path-like
        A dataset name or the path of a dataset config.

    Returns
    -------
    bool
        Whether ``dataset`` ends in ``.yml`` or ``.yaml`` (case-insensitive).
    """
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
    """Parse and check a dataset config (the module docstring describes the keys).

    Parameters
    ----------
    path : str or path-like
        The YAML config file. Relative file and folder names inside it are taken from the
        config's folder.

    Returns
    -------
    DatasetConfig
        The checked config with absolute paths; ``name`` is the ``name`` key, else the file's
        stem (the folder's name for ``config.yml``/``dataset.yml``), reduced to characters safe
        in a folder name.

    Raises
    ------
    DataError
        The file is missing, not YAML, or a key or value is unknown, out of range or
        inconsistent with the format (each message names the config and the key).
    """
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
        hint = suggest(fmt, FORMATS, cutoff=0.5)
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
    for key in ("length", "time"):
        if key in units and canonical_unit(units[key]) is not None:
            units[key] = canonical_unit(units[key])
    if "calibrated" in units:
        if not isinstance(units["calibrated"], bool):
            raise DataError(f"{src}: units.calibrated must be true or false, found {units['calibrated']!r}.")
        if not units["calibrated"]:
            given = [k for k in ("um_per_pixel", "frame_interval") if k in units]
            if given or units.get("length", "pixel") != "pixel" or units.get("time", "frame") != "frame":
                raise DataError(
                    f"{src}: 'calibrated: false' keeps positions in pixels and time in frames; it "
                    f"cannot be combined with {', '.join(given) or 'other units'} (units: {units}).")
            units.setdefault("length", "pixel")
            units.setdefault("time", "frame")
    cfg.units = units
    read = raw.get("read") or {}
    if not isinstance(read, dict):
        raise DataError(f"{src}: 'read' must be a mapping (sep, skiprows, encoding).")
    _unknown(read, READ_KEYS, "in 'read'", src)
    cfg.read = dict(read)
    for key in ("title", "description", "source", "licence"):
        if raw.get(key) is not None:
            setattr(cfg, key, str(raw[key]).strip())
    if raw.get("replicate_name") is not None:
        cfg.replicate_name = str(raw["replicate_name"])

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
        if opts.get("files") is not None:
            if not isinstance(opts["files"], dict):
                raise DataError(f"{src}: 'files' of condition '{name}' must map each replicate "
                                "(donor, movie) to its file.")
            opts["files"] = {str(r): (base / str(f)).resolve() for r, f in opts["files"].items()}
        if opts.get("replicate") is not None:
            opts["replicate"] = str(opts["replicate"])
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
    _unknown(cols, ("track_id", "condition", "t", "x", "y", "z", "replicate", "movie"),
             "in 'columns'", src)
    # a column by name, or by position from 1 (a file without a header: read: {header: false})
    cfg.columns = {str(k): (v if isinstance(v, int) and not isinstance(v, bool) else str(v))
                   for k, v in cols.items()}
    cfg.branches = str(raw.get("branches", "split"))
    if cfg.branches not in ("split", "refuse", "longest"):
        raise DataError(f"{src}: unknown branch policy 'branches: {cfg.branches}'"
                        f"{suggest(cfg.branches, ('split', 'refuse', 'longest'))}; use split, "
                        "refuse or longest.")
    cfg.gaps = str(raw.get("gaps", "split"))
    if cfg.gaps not in ("split", "interpolate"):
        raise DataError(f"{src}: unknown gap policy 'gaps: {cfg.gaps}'; use split or interpolate.")
    if raw.get("max_gap") is not None:
        cfg.max_gap = int(_positive(raw["max_gap"], "max_gap", src))
    if raw.get("interval") is not None:
        cfg.interval = _positive(raw["interval"], "interval", src)
    if raw.get("min_track_steps") is not None:
        cfg.min_track_steps = int(_positive(raw["min_track_steps"], "min_track_steps", src))
    if raw.get("window_length") is not None:
        cfg.window_length = int(_positive(raw["window_length"], "window_length", src))
        if raw.get("min_track_steps") is None:
            cfg.min_track_steps = cfg.window_length
    for key, allowed in (("drift", DRIFT_VALUES), ("direction", DIRECTION_VALUES)):
        if raw.get(key) is not None:
            value = str(raw[key]).strip().lower()
            if value not in allowed:
                raise DataError(f"{src}: unknown '{key}: {raw[key]}'{suggest(value, allowed)}; "
                                f"use one of {', '.join(allowed)}.")
            setattr(cfg, key, value)
    if raw.get("movie") is not None:
        if fmt != "tidy":
            raise DataError(f"{src}: 'movie' names a column of a tidy file; for {fmt} files a "
                            "movie is a condition's file per replicate ('files').")
        cfg.movie = str(raw["movie"])
        cfg.columns.setdefault("movie", cfg.movie)
    cfg.generated_by = raw.get("generated_by")
    if cfg.generated_by is not None and cfg.generated_by not in GENERATORS:
        raise DataError(f"{src}: unknown generator '{cfg.generated_by}'; only {GENERATORS} exist.")

    # where the data is, per format
    per_condition = [n for n in cfg.conditions if cfg.condition_files(n)]
    if fmt in FILE_PER_CONDITION:
        missing = [n for n in cfg.conditions if not cfg.condition_files(n)]
        if not cfg.conditions or missing:
            raise DataError(f"{src}: format {fmt} needs a 'file' (or 'files') for every condition "
                            f"(one export per condition or movie){'' if not missing else '; missing for ' + ', '.join(repr(m) for m in missing)}.")
    elif fmt == "tidy":
        if cfg.file is None and not per_condition:
            raise DataError(f"{src}: format tidy needs 'file: <your tracks>.csv', or a 'file' for "
                            "every condition (one CSV per condition).")
        if cfg.file is not None and per_condition:
            raise DataError(f"{src}: give either one 'file' for all conditions or a 'file' per "
                            "condition, not both.")
        if per_condition and len(per_condition) < len(cfg.conditions):
            missing = [n for n in cfg.conditions if n not in per_condition]
            raise DataError(f"{src}: conditions {missing} have no 'file' while others have one.")
    elif fmt == "report":
        if cfg.folder is None:
            raise DataError(f"{src}: format report needs 'folder: <folder with one folder per condition>'.")
    if fmt != "tidy" and 0 < len(cfg.conditions) < 2:
        raise DataError(f"{src}: only one condition ({', '.join(cfg.conditions)}); the book "
                        "compares conditions and needs at least two.")
    return cfg

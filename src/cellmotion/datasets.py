"""Named datasets. ``"synthetic"`` is the generated stand-in for the report's data.

A dataset is named by one string, the ``dataset`` parameter of every chapter:

- ``"synthetic"``: the default dataset, generated (seeded) on first use;
- a path to a tidy CSV (``track_id, condition, t, x, y[, z]`` in min and µm);
- a path to a ``.yml``/``.yaml`` config that describes your own tracks in any supported
  format, units and gap policy (see :mod:`cellmotion.config`).

:func:`load_dataset` turns each into the tidy table (µm, min), splits tracks at missing
frames (or interpolates, as a config asks), leaves out tracks too short for one analysis
window and refuses data the book cannot analyse, all before any chapter writes a result.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .loading import DataError, drop_short_tracks, handle_gaps, load_tidy_csv, validate_tracks
from .paths import project_path
from .simulate import ensure_default_dataset

#: Where the default synthetic dataset (seed 0, the book's) is written on first use.
SYNTHETIC_PATH = "data/synthetic/tracks.csv"


def synthetic_path(seed: int = 0) -> str:
    """File of the synthetic dataset of a seed: one file per seed, so seeds never mix."""
    return SYNTHETIC_PATH if seed == 0 else f"data/synthetic/tracks-seed{seed}.csv"
#: The analysis interval [min] when a dataset does not set one (the report's 5 min).
DEFAULT_INTERVAL = 5.0
#: Tracks need this many steps at the analysis interval unless a config says otherwise
#: (the report's window length).
DEFAULT_MIN_STEPS = 30


def _config(dataset):
    from .config import is_config, read_config

    if dataset != "synthetic" and is_config(dataset):
        return read_config(project_path(dataset, create=False))
    return None


def load_dataset(dataset: str = "synthetic", seed: int = 0, min_conditions: int = 2,
                 return_counts: bool = False):
    """Load a dataset as the tidy table of the data contract (µm, min).

    ``"synthetic"`` generates the synthetic dataset of ``seed`` if it is absent and loads it
    (the book's chapters all use seed 0, the default dataset; their own ``seed`` parameter
    seeds splits and training, not the data); a
    ``.yml``/``.yaml`` path is read as a dataset config (:mod:`cellmotion.config`); any other
    value is read as a tidy CSV path (relative paths from the project root), whose tracks
    are split at missing frames. A dataset with fewer than ``min_conditions`` conditions is
    refused: the book compares conditions.

    Tracks with fewer than ``min_track_steps`` steps (config; else 30, the report's window)
    at :func:`analysis_interval` are left out; a condition left with fewer than two usable
    tracks is refused. With ``return_counts`` the result is ``(table, counts)``, where
    ``counts`` has one row per condition: tracks read, gaps, frames interpolated, tracks split
    at gaps, tracks too short (left out) and tracks used.
    """
    cfg = None
    if dataset == "synthetic":
        path = ensure_default_dataset(synthetic_path(seed), seed=seed)
        df = validate_tracks(pd.read_csv(path), source=str(path))
        gaps = None
    elif (cfg := _config(dataset)) is not None:
        from .config import load_config_dataset

        path = cfg.path
        df, gaps = load_config_dataset(cfg)
    else:
        path = project_path(dataset, create=False)
        df = load_tidy_csv(path)
        df, gaps = handle_gaps(df, "split", source=str(path))
    n = df["condition"].nunique()
    if n < min_conditions:
        raise DataError(f"{path}: found {n} condition(s) ({', '.join(df['condition'].unique())}); "
                        f"the book compares conditions and needs at least {min_conditions}.")
    interval = cfg.interval if cfg is not None else DEFAULT_INTERVAL
    min_steps = cfg.min_track_steps if cfg is not None else DEFAULT_MIN_STEPS
    df, counts = drop_short_tracks(df, min_steps=min_steps, interval=interval, source=str(path))
    if not return_counts:
        return df
    if gaps is not None:
        counts = gaps.join(counts.rename(columns={"tracks": "tracks after gap handling"}),
                           how="right")
    return df, counts


def analysis_interval(dataset: str = "synthetic") -> float:
    """The common sampling interval [min] the chapters resample every condition to.

    A config's ``interval``; the report's 5 min for the synthetic dataset and tidy CSVs.
    Chapters pass it to :func:`cellmotion.preprocess.to_trajectories`.
    """
    cfg = _config(dataset)
    return float(cfg.interval) if cfg is not None else DEFAULT_INTERVAL


def min_track_steps(dataset: str = "synthetic") -> int:
    """Steps a track needs at the analysis interval to be used (config, else 30)."""
    cfg = _config(dataset)
    return int(cfg.min_track_steps) if cfg is not None else DEFAULT_MIN_STEPS


def ensure_dataset(dataset: str = "synthetic") -> list[Path]:
    """Generate a generated dataset if absent; return every input file (to fingerprint).

    For ``"synthetic"`` the CSV; for a config the config and every file it names; for a CSV
    the file. The build runner uses this to decide when chapters must run again.
    """
    if dataset == "synthetic":
        return [ensure_default_dataset(SYNTHETIC_PATH, seed=0)]
    cfg = _config(dataset)
    if cfg is None:
        return [project_path(dataset, create=False)]
    from .config import ensure_generated

    ensure_generated(cfg)
    return cfg.input_files()


def is_synthetic(dataset: str) -> bool:
    """True for the generated default dataset."""
    return dataset == "synthetic" or Path(dataset).resolve() == project_path(SYNTHETIC_PATH, create=False)

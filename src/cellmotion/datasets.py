"""Named datasets. ``"synthetic"`` is the generated stand-in for the report's data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .loading import DataError, load_tidy_csv, validate_tracks
from .paths import project_path
from .simulate import ensure_default_dataset

#: Where the default synthetic dataset is written on first use.
SYNTHETIC_PATH = "data/synthetic/tracks.csv"


def load_dataset(dataset: str = "synthetic", seed: int = 0, min_conditions: int = 2) -> pd.DataFrame:
    """Load a dataset as the tidy table of the data contract.

    ``"synthetic"`` generates the default dataset (seeded) if it is absent and loads it;
    any other value is read as a tidy CSV path (relative paths from the project root).
    A dataset with fewer than ``min_conditions`` conditions is refused: the book compares
    conditions.
    """
    if dataset == "synthetic":
        path = ensure_default_dataset(SYNTHETIC_PATH, seed=seed)
        df = validate_tracks(pd.read_csv(path), source=str(path))
    else:
        path = project_path(dataset, create=False)
        df = load_tidy_csv(path)
    n = df["condition"].nunique()
    if n < min_conditions:
        raise DataError(f"{path}: found {n} condition(s) ({', '.join(df['condition'].unique())}); "
                        f"the book compares conditions and needs at least {min_conditions}.")
    return df


def is_synthetic(dataset: str) -> bool:
    """True for the generated default dataset."""
    return dataset == "synthetic" or Path(dataset).resolve() == project_path(SYNTHETIC_PATH, create=False)

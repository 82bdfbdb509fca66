"""Profiles: the one table of chapter parameters per profile, and where a chapter writes.

``full`` runs every chapter with the defaults of its ``parameters`` cell (the report's
settings); ``smoke`` overrides a few of them (:data:`SMOKE`) so that the whole book executes in a
few minutes, for the tests and CI. The build runner passes these values to papermill as
parameters, so a chapter has exactly one parameters cell and a value given with ``-p`` always
wins over a profile's.

A chapter executed by hand (papermill without ``-p artifacts ...``) writes to a scratch folder
(:func:`scratch_artifacts`) and reads earlier chapters' results from the built book's folder
without changing it (:func:`chapter_folders`).
"""

from __future__ import annotations

from pathlib import Path

from .config import dataset_name
from .paths import project_path

PROFILES = ("full", "smoke")

#: Smoke-profile parameters per chapter (file stem); chapters not listed run with defaults.
SMOKE = {
    "01_data": {"max_tracks_drawn": 40},
    "02_classification": {"networks": ["A", "B"], "cv_folds": 2, "cv_repeats": 1, "seeds": [0],
                          "max_epochs": 3, "window_lengths": [10, 30, 60], "max_tracks": 24},
    "03_generation": {"max_epochs": 12, "patience": 5, "n_generate": 8, "rotations": 1,
                      "jit_compile": False, "n_boot": 200, "superstat_grid": 20},
    "04_statistics": {"n_grid": 40, "max_original_per_condition": 6,
                      "max_generated_per_condition": 6, "flat_z_tracks": 6, "n_boot": 200,
                      "sensitivity_tracks": 3, "sensitivity_grid": 20},
    "05_own_data": {"max_tracks_drawn": 20},
    "06_real_cells": {"max_tracks_per_condition": 24, "classifiers": ["report-best", "forest"],
                      "artefact_models": ["forest"], "cv_folds": 2, "classifier_seeds": [0],
                      "max_epochs": 2, "gen_epochs": 3, "gen_patience": 2, "jit_compile": False,
                      "n_boot": 100, "max_superstat_per_condition": 6, "superstat_grid": 30,
                      "tracks_drawn": 5},
}

TABLE = {"full": {}, "smoke": SMOKE}


def default_artifacts(dataset: str, profile: str) -> str:
    """The built book's artifacts folder of a dataset and profile, relative to the project root.

    A dataset config names it with its ``name`` key (else its folder, for ``config.yml``).

    Parameters
    ----------
    dataset : str
        A dataset name or config path.
    profile : str
        The build profile (``smoke``, ``full``, ...).

    Returns
    -------
    str
        ``"artifacts/<dataset name>-<profile>"``.
    """
    return f"artifacts/{dataset_name(dataset)}-{profile}"


def scratch_artifacts(dataset: str, profile: str) -> str:
    """Where a chapter executed by hand writes, so the built book is never changed."""
    return f"artifacts/scratch/{dataset_name(dataset)}-{profile}"


def chapter_parameters(stem: str, dataset: str, profile: str, seed: int, artifacts: str) -> dict:
    """Papermill parameters of one chapter in one profile (the runner passes all of them)."""
    if profile not in TABLE:
        raise ValueError(f"unknown profile '{profile}'; use one of {PROFILES}")
    return {"dataset": dataset, "profile": profile, "seed": seed, "artifacts": artifacts,
            **TABLE[profile].get(stem, {})}


def chapter_folders(artifacts: str | None, dataset: str, profile: str) -> tuple[Path, list[Path]]:
    """The folder a chapter writes to and the folders it reads earlier chapters' results from.

    With ``artifacts`` given (the runner always gives it) the chapter reads and writes there.
    Without, it writes to :func:`scratch_artifacts` and reads the scratch folder first, then
    the built book's folder (:func:`default_artifacts`), which it never writes to.

    Parameters
    ----------
    artifacts : str or None
        The artifacts folder papermill passed, relative to the project root or absolute.
    dataset : str
        A dataset name or config path.
    profile : str
        The build profile.

    Returns
    -------
    write : pathlib.Path
        The folder to write to (created).
    read : list of pathlib.Path
        The folders to read from, in order of preference (for :func:`find_artifact`).
    """
    if artifacts:
        art = project_path(artifacts)
        return art, [art]
    art = project_path(scratch_artifacts(dataset, profile))
    return art, [art, project_path(default_artifacts(dataset, profile), create=False)]


def find_artifact(name: str, folders) -> Path:
    """The first ``folder / name`` that exists; the first folder's path when none does.

    Parameters
    ----------
    name : str
        File name of the artifact.
    folders : iterable of str or path-like
        Folders to look in, in order (non-empty).

    Returns
    -------
    pathlib.Path
        The artifact's path.
    """
    folders = [Path(f) for f in folders]
    for f in folders:
        if (f / name).exists():
            return f / name
    return folders[0] / name

"""Paths relative to the project root, so chapters work from any working directory."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The repository root: ``$CELLMOTION_ROOT`` if set, else the folder holding ``_config.yml``.

    Searches upwards from the current directory first (a chapter runs inside the
    project), then from this file (an editable install lives in ``src/``).
    """
    env = os.environ.get("CELLMOTION_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in [start, *start.parents]:
            if (folder / "_config.yml").exists() and (folder / "src" / "cellmotion").exists():
                return folder
    return Path.cwd().resolve()


def project_path(path, create: bool = True) -> Path:
    """Absolute path for ``path``; relative paths are taken from the project root.

    With ``create`` the folder is made if it does not exist (use for artifact folders).
    """
    p = Path(path)
    if not p.is_absolute():
        p = project_root() / p
    if create:
        p.mkdir(parents=True, exist_ok=True)
    return p

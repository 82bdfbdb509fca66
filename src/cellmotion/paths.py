"""Paths relative to the project root, so chapters work from any working directory."""

from __future__ import annotations

import os
from contextlib import contextmanager
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


@contextmanager
def atomic_path(path):
    """Write a file atomically: yields a temporary path next to ``path``.

    The temporary file replaces ``path`` only when the ``with`` block finishes without an
    error, so an interrupted chapter never leaves a half-written model, CSV or JSON behind::

        with atomic_path(art / "model.keras") as tmp:
            model.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path, obj) -> Path:
    """Write ``obj`` as indented JSON, atomically; returns the path."""
    import json

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=1, default=_jsonable))
    return Path(path)


def _jsonable(x):
    import numpy as np

    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")

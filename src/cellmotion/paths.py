"""Files: paths relative to the project root (chapters work from any working directory), and
the one atomic writer and JSON writer of the package."""

from __future__ import annotations

import dataclasses
import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def project_root() -> Path:
    """The repository root: ``$CELLMOTION_ROOT`` if set, else the folder holding ``_config.yml``.

    Searches upwards from the current directory first (a chapter runs inside the
    project), then from this file (an editable install lives in ``src/``).

    Returns
    -------
    pathlib.Path
        The root (absolute); the current directory when no folder with ``_config.yml`` and
        ``src/cellmotion`` is found.
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

    Parameters
    ----------
    path : str or path-like
        A path, absolute or relative to :func:`project_root`.
    create : bool
        Make the folder (and its parents) if it does not exist (use for artifact folders).

    Returns
    -------
    pathlib.Path
        The absolute path.
    """
    p = Path(path)
    if not p.is_absolute():
        p = project_root() / p
    if create:
        p.mkdir(parents=True, exist_ok=True)
    return p


def display_path(path) -> str:
    """``path`` as a reader should see it: relative to the project root when inside it (the
    book never shows a folder of the machine that built it), else just its name."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return p.name


@contextmanager
def atomic_path(path):
    """Write a file atomically: yields a temporary path next to ``path``.

    The temporary file replaces ``path`` only when the ``with`` block finishes without an
    error, so an interrupted chapter never leaves a half-written model, CSV or JSON behind::

        with atomic_path(art / "model.keras") as tmp:
            model.save(tmp)

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder is created if needed.

    Yields
    ------
    pathlib.Path
        The temporary file (``.<stem>.partial<suffix>`` in the same folder) to write to; it
        is removed if the block fails.
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
    """Write ``obj`` as indented UTF-8 JSON, atomically.

    numpy numbers and arrays become numbers and lists, dataclasses dicts, paths strings, and
    NaN or infinite floats ``null`` (JSON has no NaN).

    Parameters
    ----------
    path : str or path-like
        The file to write.
    obj : object
        The content: dicts, lists, numbers, strings and the types above.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(jsonable(obj), indent=1, ensure_ascii=False), encoding="utf-8")
    return Path(path)


def jsonable(o):
    """``o`` with numpy values, dataclasses and paths turned into plain JSON values."""
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, np.ndarray):
        return jsonable(o.tolist())
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, Path):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return jsonable(dataclasses.asdict(o))
    return o

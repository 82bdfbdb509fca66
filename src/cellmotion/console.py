"""Progress bars for the console, never for the page.

A chapter is executed by papermill in a Jupyter kernel, and everything the kernel writes to
standard output or standard error (Python's streams and the process's file descriptors alike)
is recorded in the executed notebook and so rendered in the book. A progress bar is feedback
for the person waiting at the console, not a result: it must not land on the page.

The build runner (:mod:`cellmotion.build`) therefore hands every chapter a side channel: a
file named by the environment variable :data:`CONSOLE_ENV`, which the runner copies to its own
standard error while the chapter runs. :func:`progress` draws its bar there. Where no runner
is present, a bar goes to standard error in a terminal and is switched off inside a notebook
kernel (a chapter executed by hand keeps a clean notebook), unless :data:`NOTEBOOK_BARS_ENV`
is set to ``1`` by a user who wants them in their own Jupyter session.
"""

from __future__ import annotations

import atexit
import os
import sys

#: Environment variable naming the file that the build runner copies to its console.
CONSOLE_ENV = "CELLMOTION_CONSOLE"
#: Set to ``1`` to draw bars inside a notebook kernel (an interactive Jupyter session).
NOTEBOOK_BARS_ENV = "CELLMOTION_NOTEBOOK_BARS"

_handles: dict = {}


def in_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel, where standard streams become cell output."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def console_stream():
    """Where progress goes: the runner's side channel, a terminal's stderr, or ``None``.

    Returns
    -------
    file-like or None
        An open text stream, or ``None`` when bars must stay off (inside a notebook kernel
        without the runner's side channel).
    """
    path = os.environ.get(CONSOLE_ENV)
    if path:
        handle = _handles.get(path)
        if handle is None or handle.closed:
            handle = open(path, "a", buffering=1, encoding="utf-8")
            _handles[path] = handle
            atexit.register(handle.close)
        return handle
    if in_kernel():
        return sys.stderr if os.environ.get(NOTEBOOK_BARS_ENV) == "1" else None
    return sys.stderr


def progress(iterable=None, **kwargs):
    """A tqdm bar on the console (:func:`console_stream`), off where there is none.

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over, as for ``tqdm``.
    **kwargs
        Passed to ``tqdm`` (``total``, ``desc``, ``unit``, ``leave``, ``disable``, ...); the bar
        is disabled wherever no console exists, whatever the caller asked.

    Returns
    -------
    tqdm.tqdm
        The bar (a plain text bar, never a notebook widget).
    """
    from tqdm import tqdm

    stream = console_stream()
    kwargs["file"] = stream if stream is not None else sys.stderr
    kwargs.setdefault("ncols", 100)
    kwargs["disable"] = bool(kwargs.get("disable", False)) or stream is None
    return tqdm(iterable, **kwargs)

"""A Sphinx extension for the rendered book: launch buttons open the Jupytext chapter.

The chapters' source of truth is ``book/<stem>.py`` (Jupytext py:percent); the ``.ipynb``
pages are build products that are never committed. Jupyter Book's launch buttons (Binder,
JupyterHub) point at the page's own file, ``book/<stem>.ipynb``, which does not exist in the
repository. This extension runs after the theme has built the buttons and points them at the
``.py`` chapter instead (Jupytext, installed from ``environment.yml``, opens it as a
notebook). The download button keeps offering the executed ``.ipynb``.
"""

from __future__ import annotations

from pathlib import Path


def _retarget(app, pagename, templatename, context, doctree):
    source = Path(app.srcdir) / f"{pagename}.py"
    if not source.exists():
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            url = button.get("url")
            if url:
                button["url"] = url.replace(f"{pagename}.ipynb", f"{pagename}.py")


def setup(app):
    """Register the handler after the theme's own (priority 900 > the default 500)."""
    app.connect("html-page-context", _retarget, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

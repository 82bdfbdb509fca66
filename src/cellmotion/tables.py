"""One way to show a table on a page: human headers with units, no index, no ``NaN``.

Every table a chapter displays goes through :func:`show` (or :func:`frame`, its data part):

- headers are the names a reader would write (a mapping given by the chapter; snake_case
  names left unmapped are turned into words, never shown as they are);
- a meaningful index (condition, model, ...) becomes the first column and a plain 0…n index
  disappears;
- numbers are rounded to the given decimals, negative ones with a true minus sign (−); a
  missing value is written "—", and the table's
  ``missing`` note says why;
- every cell stays on one line (an interval "0.62 (0.58–0.66)" is never wrapped), and a table
  wider than the page scrolls inside its own box (``_static/cellmotion.css``).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: What a missing value is written as.
DASH = "—"


def words(name) -> str:
    """A header a reader can read: ``"heldout_nll_plain"`` -> ``"heldout nll plain"``.

    Only used for names a chapter did not map itself; tuples (MultiIndex levels) are joined.
    """
    if isinstance(name, tuple):
        return " · ".join(words(n) for n in name if str(n))
    text = str(name)
    if "_" in text and " " not in text:
        text = text.replace("_", " ")
    return text


def _cell(x, digits) -> str:
    if x is None:
        return DASH
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            return DASH
        return f"{float(x):.{digits}f}".replace("-", "\u2212")  # a true minus sign
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return f"{int(x):,}"
    if isinstance(x, str):
        return x.replace(" - ", " − ") if x.strip() else DASH
    try:
        if pd.isna(x):
            return DASH
    except (TypeError, ValueError):
        pass
    return str(x)


def frame(df: pd.DataFrame, headers: Mapping | None = None, index: str | None = None,
          digits: int | Mapping = 3) -> pd.DataFrame:
    """``df`` as the strings :func:`show` displays.

    Parameters
    ----------
    df : pandas.DataFrame
        The table. A non-default index becomes the first column (named ``index``, else the
        index's own name, else left blank); a 0…n RangeIndex is dropped.
    headers : mapping, optional
        Display name per column (or per MultiIndex tuple, or per level value); unmapped names
        go through :func:`words`.
    index : str, optional
        Header of the index column.
    digits : int or mapping
        Decimals of floats, for all columns or per (display or original) column name.

    Returns
    -------
    pandas.DataFrame
        Every cell a string; missing values written as :data:`DASH`.
    """
    headers = dict(headers or {})
    out = df.copy()
    n_index = 0
    if not isinstance(out.index, pd.RangeIndex):
        n_index = out.index.nlevels
        unnamed = all(n is None for n in out.index.names)
        out = out.reset_index()
    cols = []
    for k, c in enumerate(out.columns):
        if k < n_index and (index is not None or unnamed):
            cols.append(index if (index is not None and n_index == 1) else "")
        elif c in headers:
            cols.append(headers[c])
        elif isinstance(c, tuple):
            cols.append(tuple(headers.get(part, words(part)) for part in c))
        else:
            cols.append(words(c))
    per_col = {}
    for orig, shown in zip(out.columns, cols):
        if isinstance(digits, Mapping):
            per_col[orig] = digits.get(orig, digits.get(shown, 3))
        else:
            per_col[orig] = digits
    body = pd.DataFrame({i: [_cell(x, per_col[c]) for x in out.iloc[:, i]]
                         for i, c in enumerate(out.columns)})
    if any(isinstance(c, tuple) for c in cols):
        width = max(len(c) if isinstance(c, tuple) else 1 for c in cols)
        cols = [c if isinstance(c, tuple) else (c,) + ("",) * (width - 1) for c in cols]
        body.columns = pd.MultiIndex.from_tuples(cols)
    else:
        body.columns = cols
    return body


def html_table(df: pd.DataFrame, headers: Mapping | None = None, index: str | None = None,
               digits: int | Mapping = 3, caption: str | None = None, missing: str | None = None) -> str:
    """The HTML of :func:`show`.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    headers, index, digits :
        As in :func:`frame`.
    caption : str, optional
        One line above the table.
    missing : str, optional
        Why a cell is "—"; written below the table when any cell is.

    Returns
    -------
    str
        One ``<table>`` (cells never wrap) in a horizontally scrolling ``<div>``, with the
        caption above and the note on missing values below.
    """
    body = frame(df, headers, index, digits)
    table = body.to_html(index=False, escape=True, border=0, classes="cm-table", justify="left")
    # one line per cell: intervals and numbers with units never wrap
    table = table.replace("<td>", '<td style="white-space: nowrap">')
    table = re.sub(r"<th(\s[^>]*)?>", lambda m: f'<th{m.group(1) or ""} style="white-space: nowrap">', table)
    parts = ['<div class="cm-table-box" style="max-width: 100%; overflow-x: auto">']
    if caption:
        parts.append(f'<p class="cm-table-caption">{html.escape(caption)}</p>')
    parts.append(table)
    if missing and (body == DASH).to_numpy().any():
        parts.append(f'<p class="cm-table-note">{DASH}: {html.escape(missing)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def show(df: pd.DataFrame, headers: Mapping | None = None, index: str | None = None,
         digits: int | Mapping = 3, caption: str | None = None, missing: str | None = None):
    """Display ``df`` the book's way (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    headers, index, digits :
        As in :func:`frame`.
    caption : str, optional
        One line above the table.
    missing : str, optional
        Why a cell is "—"; shown below the table when any cell is.

    Returns
    -------
    IPython.display.HTML
        The table; the last expression of a cell, or passed to ``display``.
    """
    from IPython.display import HTML

    return HTML(html_table(df, headers, index, digits, caption, missing))

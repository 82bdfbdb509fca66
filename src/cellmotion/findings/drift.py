"""Sentences of the data chapter about movie drift, from :func:`cellmotion.drift.movie_drift_table`."""

from __future__ import annotations

from .numbers import finite, fmt


def _range(rows, key) -> str:
    vals = [r[key] for r in rows if finite(r[key])]
    if not vals:
        return "n/a"
    lo, hi = min(vals), max(vals)
    return fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)}–{fmt(hi)}"


def _label(row, movie_keys) -> str:
    return " ".join(str(row[k]) for k in movie_keys if k in row)


def movie_drift_sentence(rows: list, unit: str, policy: str = "none", rows_after: list | None = None,
                         movie_keys=("condition", "replicate")) -> str:
    """How strongly each movie's cells share a direction, and what the dataset does about it.

    Parameters
    ----------
    rows : list of dict
        One per movie, the rows of :func:`cellmotion.drift.movie_drift_table` on the tracks as
        read (``R``, ``R chance``, ``drift speed`` and the ``movie_keys``).
    unit : str
        Unit of the drift speed (``µm/min``, ``px/frame``).
    policy : str
        The dataset's ``drift`` setting (``none`` or ``subtract-movie-mean``).
    rows_after : list of dict or None
        The same table after the policy was applied (``subtract-movie-mean`` only).
    movie_keys : tuple
        Keys naming a movie in the sentence.

    Returns
    -------
    str
        Counts the movies whose ``R`` exceeds its chance reference, names the fastest drift,
        and says whether the drift is removed before any model sees the tracks.
    """
    if not rows:
        raise ValueError("no movies")
    above = [r for r in rows if finite(r["R"], r["R chance"]) and r["R"] > r["R chance"]]
    fast = max(rows, key=lambda r: r["drift speed"] if finite(r["drift speed"]) else -1.0)
    text = (f"In {len(above)} of {len(rows)} movies the cells share a direction of travel beyond "
            f"chance: the mean resultant length R of their net displacement directions is "
            f"{_range(rows, 'R')} (95 % chance reference for as many random directions "
            f"{_range(rows, 'R chance')}). The fastest mean drift is "
            f"{fmt(fast['drift speed'], 3)} {unit} ({_label(fast, movie_keys)}).")
    if policy == "subtract-movie-mean":
        text += (" The dataset's config removes each movie's mean velocity, fitted from that "
                 "movie's own tracks without labels, before any model sees them")
        if rows_after:
            after = [r for r in rows_after if finite(r["R"], r["R chance"]) and r["R"] > r["R chance"]]
            text += (f"; afterwards R is {_range(rows_after, 'R')} and {len(after)} of "
                     f"{len(rows_after)} movies stay above chance (the cells' own directions, "
                     "not only the shared mean, can differ from movie to movie)")
        return text + "."
    return text + (" The dataset's config keeps the tracks as they are (drift: none); "
                   "drift: subtract-movie-mean would remove each movie's mean velocity.")


def single_movie_sentence(rows: list, unit: str) -> str:
    """One line for a dataset that names no movies or replicates (each condition one movie).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`cellmotion.drift.movie_drift_table` (one per condition).
    unit : str
        Unit of the drift speed.

    Returns
    -------
    str
        The range of the conditions' mean drift speeds, and why drift cannot be told apart
        from the condition here.
    """
    if not rows:
        raise ValueError("no conditions")
    return (f"The data name no movies or replicates, so a movie's drift cannot be told apart "
            f"from its condition; the conditions' mean velocities have speeds "
            f"{_range(rows, 'drift speed')} {unit}.")

"""Figures of classifier scores: what a reader should see before any table.

:func:`score_dots` draws each model's score as a dot with its 95 % interval as a whisker,
one row per model and one marker per protocol, beside the chance level; a score without a
valid interval (too few folds, no spread) is drawn hollow and without a whisker, so the
figure never suggests a precision the data do not have. :func:`reliability` draws the
calibration of per-track probabilities with the number of tracks behind every point.
"""

from __future__ import annotations

import numpy as np

#: Markers of successive protocols (the first is the primary one).
MARKERS = ("o", "s", "D", "^")


def score_dots(ax, results: dict, models, label=str, metric: str = "per_track_bacc",
               chance: float | None = None, colors=None):
    """Scores of ``models`` under each protocol of ``results`` as dots with interval whiskers.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    results : dict
        ``{protocol label: Evaluation}`` (:func:`cellmotion.classification.evaluate_models`);
        the first protocol is the primary one and orders the models (best on top).
    models : list of str
        Models to show (those missing from a result are skipped there).
    label : callable
        Display name of a model.
    metric : str
        A score of :class:`cellmotion.results.ModelScores` (a :class:`~cellmotion.results.Score`
        in [0, 1]); drawn in percent.
    chance : float, optional
        Chance level in [0, 1], drawn as a dotted line.
    colors : list, optional
        One colour per protocol.

    Returns
    -------
    list of str
        The models in the order drawn, top to bottom.
    """
    protocols = list(results)
    first = results[protocols[0]].models
    shown = [m for m in models if any(m in r.models for r in results.values())]
    shown.sort(key=lambda m: -getattr(first[m], metric).mean if m in first else 1.0)
    colors = colors or [f"C{k}" for k in range(len(protocols))]
    offsets = (np.arange(len(protocols)) - (len(protocols) - 1) / 2) * 0.22
    for k, (proto, res) in enumerate(results.items()):
        for row, m in enumerate(shown):
            if m not in res.models:
                continue
            s = getattr(res.models[m], metric)
            y = row + offsets[k]
            x = 100 * s.mean
            valid = s.has_interval
            if valid:
                lo, hi = 100 * max(0.0, s.lower), 100 * min(1.0, s.upper)
                ax.plot([lo, hi], [y, y], color=colors[k], lw=1.6)
            ax.plot(x, y, MARKERS[k % len(MARKERS)], color=colors[k], ms=7,
                    mfc=colors[k] if valid else "white",
                    label=proto if row == 0 or m == shown[0] else None)
    if chance is not None:
        ax.axvline(100 * chance, color="grey", ls=":", lw=1)
        ax.text(100 * chance, len(shown) - 0.4, " chance", color="grey", fontsize=8, va="bottom")
    ax.set_yticks(range(len(shown)), [label(m) for m in shown])
    ax.set_ylim(len(shown) - 0.5, -0.7)
    ax.set_xlim(0, 100)
    ax.set_xlabel("balanced accuracy per track [%] (dot: mean over folds; line: 95 % interval)")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=9, loc="lower left", bbox_to_anchor=(0, 1.0),
              ncols=len(uniq), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return shown


def reliability(ax, rel: dict, label: str, color=None):
    """One model's reliability curve, each point labelled with its number of tracks.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    rel : dict
        ``{"confidence", "accuracy", "count"}`` per bin
        (:func:`cellmotion.evaluation.reliability_curve`).
    label : str
        Legend entry.
    color : optional
        Line colour.

    Returns
    -------
    int
        Bins drawn (empty bins are left out: they have no fraction to show).
    """
    conf = np.asarray(rel["confidence"], float)
    acc = np.asarray(rel["accuracy"], float)
    count = np.asarray(rel.get("count", np.full(len(conf), np.nan)), float)
    ok = np.isfinite(conf) & np.isfinite(acc) & (~np.isfinite(count) | (count > 0))
    line, = ax.plot(conf[ok], acc[ok], marker="o", color=color, label=label)
    for x, y, n in zip(conf[ok], acc[ok], count[ok]):
        if np.isfinite(n):
            ax.annotate(f"{int(n)}", (x, y), textcoords="offset points", xytext=(4, -10),
                        fontsize=7, color=line.get_color())
    return int(ok.sum())

"""Shared figure conventions: one colour per condition everywhere, units on every axis."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgba

from .superstats import SuperstatModel, hdr_levels

#: Colours of the report's three conditions; other conditions get seaborn's palette.
REPORT_COLORS = {"Collagen": "#1b9e77", "Plastic": "#d95f02", "Fibronectin": "#7570b3"}


def condition_palette(conditions) -> dict:
    """A stable colour per condition name (the report's three keep fixed colours)."""
    import seaborn as sns

    conditions = list(conditions)
    extra = [c for c in conditions if c not in REPORT_COLORS]
    colours = sns.color_palette("tab10", n_colors=max(3, len(extra) + 3))[3:]
    out = {}
    for c in conditions:
        out[c] = REPORT_COLORS[c] if c in REPORT_COLORS else colours[extra.index(c) % len(colours)]
    return out


def setup_style():
    """The book's plotting style (seaborn ticks, readable sizes)."""
    import seaborn as sns

    sns.set_theme(style="ticks", context="notebook")


def plot_tracks_xy(ax, tracks, color, origin: bool = True, alpha: float = 0.6, lw: float = 0.7):
    """Draw tracks (list of ``(T, >=2)`` position arrays in µm) in the x-y plane.

    With ``origin`` every track starts at (0, 0), as in the report's Figure 4.
    """
    for r in tracks:
        r = np.asarray(r)
        if origin:
            r = r - r[0]
        ax.plot(r[:, 0], r[:, 1], color=color, alpha=alpha, lw=lw)
    ax.set_xlabel("x [µm]")
    ax.set_ylabel("y [µm]")
    ax.set_aspect("equal", adjustable="datalim")


def plot_z_over_time(ax, tracks, dt: float, color, alpha: float = 0.6, lw: float = 0.7):
    """Draw z (relative to the start) against time in minutes for tracks with a z column."""
    for r in tracks:
        r = np.asarray(r)
        z = r[:, 2] - r[0, 2] if r.shape[1] > 2 else np.zeros(len(r))
        ax.plot(np.arange(len(r)) * dt, z, color=color, alpha=alpha, lw=lw)
    ax.set_xlabel("time [min]")
    ax.set_ylabel("z − z₀ [µm]")


def plot_density(ax, density, model: SuperstatModel, color="0.2", masses=(0.1, 0.25, 0.5),
                 fill: bool = True, contour_color="k", linestyles="solid", speed_unit: str = "µm/min"):
    """Draw a grid density (persistence on x, speed [µm/min] on y) with HDR contours.

    ``fill`` shades the density from white to ``color``; contours mark the highest-density
    regions holding ``masses`` (the report's 10/25/50 % credible regions).
    """
    q, c = model.persistence_grid, model.speed_grid
    d = np.asarray(density, dtype=float)
    d = d / d.sum()
    if fill:
        cmap = LinearSegmentedColormap.from_list("w2c", [(1, 1, 1, 0), to_rgba(color)])
        ax.pcolormesh(q, c, d.T, cmap=cmap, shading="nearest", rasterized=True)
    levels = np.unique(hdr_levels(d, masses))
    if len(levels) and levels.max() < d.max():
        ax.contour(q, c, d.T, levels=levels, colors=contour_color, linewidths=0.8,
                   linestyles=linestyles)
    ax.set_xlim(*model.persistence_range)
    ax.set_xticks(np.linspace(*model.persistence_range, 5))
    ax.set_ylim(*model.speed_range)
    ax.set_xlabel("persistence q")
    ax.set_ylabel(f"cell speed c [{speed_unit}]")
    return ax


def plot_movie_drift(table, speed_unit: str, conditions=None, replicate_name: str = "movie",
                     panel_size: float = 3.2):
    """One panel per condition: each movie's mean drift velocity as an arrow from the origin.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cellmotion.drift.movie_drift_table` (columns ``movie, condition, vx, vy, R,
        R chance``, and ``replicate`` where the data has one).
    speed_unit : str
        Unit of the velocities (``µm/min``, ``px/frame``), for the axes.
    conditions : list or None
        Panel order (default: order of appearance in ``table``).
    replicate_name : str
        What a movie's label is (``donor``), for the legend.
    panel_size : float
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure
        Panels share their axes (the same scale for every condition); each arrow is labelled
        with its movie and ``R`` (mean resultant length of the cells' directions) beside its
        chance reference (95 % quantile for uniformly random directions). A filled arrow head
        marks an ``R`` above the chance reference.
    """
    import matplotlib.pyplot as plt

    conditions = list(dict.fromkeys(table["condition"])) if conditions is None else list(conditions)
    colours = condition_palette(conditions)
    lim = float(np.nanmax(np.abs(table[["vx", "vy"]].to_numpy()))) if len(table) else 1.0
    lim = 1.35 * (lim if lim > 0 else 1.0)
    fig, axes = plt.subplots(1, len(conditions), figsize=(panel_size * len(conditions), panel_size + 0.4),
                             sharex=True, sharey=True, squeeze=False)
    label_col = "replicate" if "replicate" in table.columns else "movie"
    for ax, cond in zip(axes[0], conditions):
        sub = table[table["condition"] == cond]
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.axvline(0, color="0.85", lw=0.8, zorder=0)
        for _, row in sub.iterrows():
            above = bool(row["R"] > row["R chance"])
            ax.annotate("", xy=(row["vx"], row["vy"]), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>" if above else "->", color=colours[cond],
                                        lw=1.6))
            ax.text(row["vx"], row["vy"],
                    f" {row[label_col]}\n R={row['R']:.2f} ({row['R chance']:.2f})",
                    fontsize=7, ha="left" if row["vx"] >= 0 else "right", va="center")
        ax.set_title(cond)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel(f"mean $v_x$ [{speed_unit}]")
    axes[0][0].set_ylabel(f"mean $v_y$ [{speed_unit}]")
    fig.suptitle(f"Drift of each {replicate_name}'s movie; R of the cells' directions "
                 "(chance 95 %)", fontsize=9)
    fig.tight_layout()
    return fig

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

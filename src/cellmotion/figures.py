"""Shared figure conventions: one colour per condition everywhere, units on every axis."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgba

from .superstats import SuperstatModel, hdr_levels

#: Colours of the report's three conditions; other conditions get seaborn's palette.
REPORT_COLORS = {"Collagen": "#1b9e77", "Plastic": "#d95f02", "Fibronectin": "#7570b3"}


def condition_palette(conditions) -> dict:
    """A stable colour per condition name (the report's three keep fixed colours).

    Parameters
    ----------
    conditions : iterable of str
        Condition names.

    Returns
    -------
    dict
        ``{condition: colour}``: the report's fixed colour for its conditions, the next
        ``tab10`` colours (after its first three) for the others in order of appearance.
    """
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
    """Draw tracks in the x-y plane.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel to draw on; its labels and equal aspect are set.
    tracks : iterable of array-like
        Position arrays ``(T, >=2)`` in µm (x, y first).
    color : matplotlib colour
        Colour of every track.
    origin : bool
        Start every track at (0, 0), as in the report's Figure 4.
    alpha, lw : float
        Line transparency and width.
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
    """Draw z (relative to the start) against time in minutes for tracks with a z column.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel to draw on; its labels are set.
    tracks : iterable of array-like
        Position arrays ``(T, d)`` in µm; a track with fewer than three columns is drawn at 0.
    dt : float
        Time between positions [min].
    color : matplotlib colour
        Colour of every track.
    alpha, lw : float
        Line transparency and width.
    """
    for r in tracks:
        r = np.asarray(r)
        z = r[:, 2] - r[0, 2] if r.shape[1] > 2 else np.zeros(len(r))
        ax.plot(np.arange(len(r)) * dt, z, color=color, alpha=alpha, lw=lw)
    ax.set_xlabel("time [min]")
    ax.set_ylabel("z − z₀ [µm]")


def plot_density(ax, density, model: SuperstatModel, color="0.2", masses=(0.1, 0.25, 0.5),
                 fill: bool = True, contour_color="k", linestyles="solid", speed_unit: str = "µm/min"):
    """Draw a grid density (persistence on x, speed on y) with HDR contours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel to draw on; its limits, ticks and labels are set from ``model``.
    density : array-like
        Density on ``model``'s grid, shape ``(n persistence, n speed)``; normalised to sum 1
        here.
    model : SuperstatModel
        The grid (``persistence_grid``, ``speed_grid``) and axis ranges.
    color : matplotlib colour
        With ``fill``, the density is shaded from white to this colour.
    masses : sequence of float
        Probability masses of the highest-density regions whose contours are drawn (the
        report's 10/25/50 % credible regions).
    fill : bool
        Shade the density under the contours.
    contour_color : matplotlib colour
        Colour of the contour lines.
    linestyles : str
        Matplotlib line style of the contours.
    speed_unit : str
        Unit of the speed axis, for its label.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
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


def region_reaches_top(density, mass: float = 0.5) -> bool:
    """Whether a highest-density region reaches the top row of the speed grid.

    When it does, its contour in :func:`plot_density` is cut by the panel's upper edge.

    Parameters
    ----------
    density : array-like
        Grid density, persistence on axis 0 and speed on axis 1 (as :func:`plot_density`
        draws it); need not be normalised.
    mass : float
        Probability mass of the region.

    Returns
    -------
    bool
        True when any cell of the last speed row lies inside the ``mass`` region.
    """
    d = np.asarray(density, dtype=float)
    d = d / d.sum()
    level = hdr_levels(d, (mass,))[0]
    return bool((d[:, -1] >= level).any())


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
        lines = []
        for _, row in sub.iterrows():
            above = bool(row["R"] > row["R chance"])
            ax.annotate("", xy=(row["vx"], row["vy"]), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>" if above else "->", color=colours[cond],
                                        lw=1.6))
            # only the movie's name at the tip, pushed outward along the arrow, so that short
            # arrows near the origin do not stack their labels; R and its chance reference go
            # into the panel's corner
            angle = np.arctan2(row["vy"], row["vx"])
            ax.annotate(str(row[label_col]), xy=(row["vx"], row["vy"]),
                        xytext=(7 * np.cos(angle), 7 * np.sin(angle)), textcoords="offset points",
                        fontsize=7, ha="left" if np.cos(angle) >= 0 else "right",
                        va="bottom" if np.sin(angle) >= 0 else "top")
            lines.append(f"{row[label_col]}: R {row['R']:.2f} ({row['R chance']:.2f})"
                         + (" *" if above else ""))
        ax.text(0.03, 0.03, "\n".join(lines), transform=ax.transAxes, fontsize=6.5,
                va="bottom", ha="left", family="monospace",
                bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="0.85", alpha=0.9))
        ax.set_title(cond)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel(f"mean $v_x$ [{speed_unit}]")
    axes[0][0].set_ylabel(f"mean $v_y$ [{speed_unit}]")
    fig.suptitle(f"Drift of each {replicate_name}'s movie; R of the cells' directions "
                 "(95 % chance level; * and a filled head: above it)", fontsize=9)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ dot plots with intervals
def _dot(ax, y, x, lo=None, hi=None, color="0.2", filled=True, marker="o", label=None, size=6):
    """One estimate as a dot with an interval whisker (no whisker where the interval is missing)."""
    ok = lo is not None and hi is not None and np.isfinite([lo, hi]).all()
    if ok:
        ax.plot([lo, hi], [y, y], color=color, lw=1.6, solid_capstyle="butt")
    ax.plot([x], [y], marker=marker, ms=size, color=color, ls="none", label=label,
            markerfacecolor=color if filled else "white", markeredgewidth=1.4)


#: Short names of the held-out likelihood's models, for axes.
NLL_MODEL_LABELS = {"ar1_shared": "shared AR(1)", "gaussian_iid": "independent\nGaussian",
                    "superstatistical": "superstatistical", "true_parameters": "ceiling (true\nparameters)"}


def plot_nll_differences(rows, conditions=None, palette=None, unit: str = "nats per step",
                         panel_size: float = 3.4):
    """The LSTM-MDN against every baseline: held-out NLL per step of the MDN minus the
    baseline's, with its 95 % interval, one panel per condition.

    Parameters
    ----------
    rows : list of dict
        Records ``condition, model, diff_vs_mdn, lower, upper``
        (:func:`cellmotion.generation.nll_table_from_tracks`).
    conditions : list, optional
        Panel order (default: order of appearance).
    palette : dict, optional
        Colour per condition (default :func:`condition_palette`).
    unit : str
        Unit of the differences, for the axis.
    panel_size : float
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure
        Left of 0 the MDN is better; the ceiling (true parameters, where present) is drawn
        hollow: no model can beat it in expectation.
    """
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r["model"] != "lstm_mdn"]
    conditions = list(dict.fromkeys(r["condition"] for r in rows)) if conditions is None else list(conditions)
    palette = palette or condition_palette(conditions)
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(conditions), figsize=(panel_size * len(conditions), 0.55 * len(models) + 1.6),
                             sharey=True, squeeze=False)
    for ax, cond in zip(axes[0], conditions):
        ax.axvline(0, color="0.6", lw=0.8, zorder=0)
        xs = [0.0]
        for k, m in enumerate(models):
            r = next((r for r in rows if r["condition"] == cond and r["model"] == m), None)
            if r is None or r.get("diff_vs_mdn") is None or not np.isfinite(r["diff_vs_mdn"]):
                continue
            ceiling = m == "true_parameters"
            _dot(ax, k, r["diff_vs_mdn"], r.get("lower"), r.get("upper"),
                 color="0.45" if ceiling else palette[cond], filled=not ceiling)
            xs += [v for v in (r["diff_vs_mdn"], r.get("lower"), r.get("upper")) if v is not None and np.isfinite(v)]
        pad = 0.12 * (max(xs) - min(xs) or 1.0)
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_title(cond, pad=14)
        ax.text(0.0, 1.0, "← MDN better", transform=ax.transAxes, fontsize=7, color="0.4", va="bottom")
        ax.text(1.0, 1.0, "model better →", transform=ax.transAxes, fontsize=7, color="0.4",
                va="bottom", ha="right")
    axes[0][0].set_yticks(range(len(models)), [NLL_MODEL_LABELS.get(m, m) for m in models])
    axes[0][0].set_ylim(len(models) - 0.5, -0.5)
    fig.supxlabel(f"held-out NLL of the LSTM-MDN minus the model's [{unit}]", fontsize=10)
    fig.tight_layout()
    return fig


#: How the samplers of the generation chapter are drawn: (label, marker, filled).
SAMPLER_STYLE = {"fixed": ("corrected sampler", "o", True), "original": ("report's sampler", "o", False),
                 "fixed+rotations": ("corrected, trained on rotations", "^", True),
                 "training-real": ("two real samples", "|", True), "real": ("real tracks", "s", True)}


def plot_source_dots(rows, value: str, panels: str | None = None, sources=None, conditions=None,
                     palette=None, xlabel: str = "", panel_titles=None, reference=None,
                     panel_size: float = 3.0):
    """Descriptive numbers (no interval) per condition and source as dots, one panel per
    ``panels`` value (or a single panel).

    Parameters
    ----------
    rows : list of dict
        Records with ``condition``, a source column (``sampler`` or ``source``), ``value`` and
        optionally ``panels``.
    value : str
        Column drawn on x.
    panels : str, optional
        Column whose values get one panel each (e.g. ``measure``).
    sources : list, optional
        Sources to draw, in order (default: all); styles from :data:`SAMPLER_STYLE`.
    conditions, palette :
        Row order and colour per condition.
    xlabel : str
        Axis label with unit.
    panel_titles : dict, optional
        Title per panel value.
    reference : dict, optional
        ``{condition: x}`` drawn as a grey dashed tick (e.g. the chance level).
    panel_size : float
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure
        With one legend for the sources, beside the panels (never over the dots).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    src_key = "sampler" if rows and "sampler" in rows[0] else "source"
    conditions = list(dict.fromkeys(r["condition"] for r in rows)) if conditions is None else list(conditions)
    palette = palette or condition_palette(conditions)
    sources = list(dict.fromkeys(r[src_key] for r in rows)) if sources is None else list(sources)
    panel_vals = list(dict.fromkeys(r[panels] for r in rows)) if panels else [None]
    fig, axes = plt.subplots(1, len(panel_vals), figsize=(panel_size * len(panel_vals) + 1.8,
                                                          0.5 * len(conditions) + 1.6),
                             sharey=True, squeeze=False)
    offsets = np.linspace(-0.25, 0.25, len(sources)) if len(sources) > 1 else [0.0]
    for ax, pv in zip(axes[0], panel_vals):
        for i, cond in enumerate(conditions):
            for off, src in zip(offsets, sources):
                r = next((r for r in rows if r["condition"] == cond and r[src_key] == src
                          and (panels is None or r[panels] == pv)), None)
                if r is None or r.get(value) is None or not np.isfinite(r[value]):
                    continue
                _, marker, filled = SAMPLER_STYLE.get(src, (src, "o", True))
                color = "0.35" if src in ("training-real", "real") else palette[cond]
                _dot(ax, i + off, r[value], color=color, filled=filled, marker=marker,
                     size=11 if marker == "|" else 6)
            if reference and cond in reference:
                ax.plot([reference[cond]] * 2, [i - 0.4, i + 0.4], color="0.5", ls="--", lw=1)
        ax.set_title((panel_titles or {}).get(pv, str(pv).replace("_", " ")) if panels else "", fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="0.92")
    axes[0][0].set_yticks(range(len(conditions)), conditions)
    axes[0][0].set_ylim(len(conditions) - 0.5, -0.5)
    handles = [Line2D([], [], marker=SAMPLER_STYLE.get(s, (s, "o", True))[1], ls="none", color="0.3",
                      markerfacecolor="0.3" if SAMPLER_STYLE.get(s, (s, "o", True))[2] else "white",
                      ms=11 if SAMPLER_STYLE.get(s, ("", "o"))[1] == "|" else 6,
                      label=SAMPLER_STYLE.get(s, (s,))[0]) for s in sources]
    if reference:
        handles.append(Line2D([], [], color="0.5", ls="--", label="chance level"))
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def plot_reference_comparison(rows, measures=("bhattacharyya",), conditions=None, palette=None,
                              measure_labels=None, panel_size: float = 3.6):
    """Generated against held-out cells beside two real samples against them, with intervals.

    Parameters
    ----------
    rows : list of dict
        Records of :func:`cellmotion.superstats.compare_with_reference` (``condition, sampler,
        measure, other, other_lower, other_upper, reference, reference_lower,
        reference_upper``).
    measures : sequence of str
        One panel per measure (``bhattacharyya``, ``sd_ratio_persistence``, ...).
    conditions, palette :
        Row order and colour per condition.
    measure_labels : dict, optional
        Axis label per measure.
    panel_size : float
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure
        One row per condition and sampler: the generated value (colour; filled: corrected
        sampler, hollow: the report's) and the real-vs-real reference (grey square), each with
        its 95 % interval. s.d. ratios get a line at 1 (as wide as the held-out cells).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    conditions = list(dict.fromkeys(r["condition"] for r in rows)) if conditions is None else list(conditions)
    palette = palette or condition_palette(conditions)
    samplers = list(dict.fromkeys(r["sampler"] for r in rows))
    labels = {"bhattacharyya": "overlap with held-out cells (Bhattacharyya)",
              "sd_ratio_persistence": "s.d. ratio of persistence (to held-out)",
              "sd_ratio_speed": "s.d. ratio of cell speed (to held-out)", **(measure_labels or {})}
    ylab = [(c, s) for c in conditions for s in samplers]
    fig, axes = plt.subplots(1, len(measures), figsize=(panel_size * len(measures) + 2.2, 0.42 * len(ylab) + 1.5),
                             sharey=True, squeeze=False)
    for ax, m in zip(axes[0], measures):
        if m.startswith("sd_ratio"):
            ax.axvline(1, color="0.6", lw=0.8, zorder=0)
        for k, (cond, s) in enumerate(ylab):
            r = next((r for r in rows if r["condition"] == cond and r["sampler"] == s and r["measure"] == m), None)
            if r is None:
                continue
            _dot(ax, k + 0.15, r["reference"], r.get("reference_lower"), r.get("reference_upper"),
                 color="0.55", marker="s", size=5)
            _dot(ax, k - 0.15, r["other"], r.get("other_lower"), r.get("other_upper"),
                 color=palette[cond], filled=s != "original")
        ax.set_xlabel(labels.get(m, m.replace("_", " ")))
        ax.grid(axis="x", color="0.92")
    names = {"fixed": "corrected", "original": "report's"}
    axes[0][0].set_yticks(range(len(ylab)), [f"{c}, {names.get(s, s)}" for c, s in ylab])
    axes[0][0].set_ylim(len(ylab) - 0.5, -0.5)
    for k in range(1, len(conditions)):
        for ax in axes[0]:
            ax.axhline(k * len(samplers) - 0.5, color="0.85", lw=0.8)
    handles = [Line2D([], [], marker="o", ls="none", color="0.3", label="generated, corrected sampler"),
               Line2D([], [], marker="o", ls="none", color="0.3", markerfacecolor="white",
                      label="generated, report's sampler"),
               Line2D([], [], marker="s", ls="none", color="0.55", label="two real samples (reference)")]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig

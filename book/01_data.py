# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The data: tracks, conditions and their preparation
#
# The report {cite}`rieke2016` worked on 311 trajectories of MDA-MB-231 breast carcinoma cells,
# tracked in a 3D collagen network, on a plastic dish and on a fibronectin-coated dish (the
# recordings are described by {cite:t}`metzner2015`). Those recordings were never published.
# This chapter loads the dataset the book was built on (by default a synthetic stand-in of the
# report's data; the box below says which) into one tidy table, shows how its conditions
# differ, looks for outlier steps, and prepares it the way the report did: resampling to one
# interval, velocities, normalisation to [-1, 1], an 80/20 split by cell and windows of 30 steps.

# %% tags=["parameters", "remove-cell"]
dataset = "synthetic"  # "synthetic", a tidy CSV or a dataset config (.yml)
profile = "full"  # "full" or "smoke"
seed = 0  # seed of the split (the synthetic dataset itself always uses seed 0)
artifacts = None  # results folder; None: a scratch folder (the built book is never changed)
interval = None  # common sampling interval (dataset's time unit); None: the dataset's (report: 5 min)
window_length = None  # steps per window; None: the dataset's (config window_length; the report: 30)
test_fraction = 0.2  # share of trajectories held out for testing (the report: 0.2)
max_tracks_drawn = 400  # tracks drawn per condition in the figures
window_lengths = [10, 20, 30, 60]  # window lengths whose coverage is tabulated

# %% tags=["remove-input"]
import json

from IPython.display import HTML, Markdown, display
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cellmotion import figures, motility, tables
from cellmotion.config import is_config, read_config
from cellmotion.datasets import (analysis_interval, dataset_info, is_synthetic, load_config_dataset,
                                 load_dataset)
from cellmotion.contract import flat_z_conditions, summarize
from cellmotion.drift import has_movies, movie_drift_table
from cellmotion.findings.drift import movie_drift_sentence, single_movie_sentence
from cellmotion.findings.data import branches_sentence, glance_sentences
from cellmotion.paths import project_path, write_json
from cellmotion.profiles import chapter_folders
from cellmotion.preprocess import (Scaler, make_windows, split_tracks, to_trajectories,
                                   velocities_to_positions)
from cellmotion.report import CALIBRATION_TARGETS
from cellmotion.summary import data_admonition
from cellmotion.synthetic.simulator import DEFAULT_CONDITIONS

figures.setup_style()
art, _ = chapter_folders(artifacts, dataset, profile)
info = dataset_info(dataset)
window_length = int(window_length or info.window_length)
L, T, V = info.length_unit, info.time_unit, info.speed_unit
data_words = "the synthetic stand-in" if info.report_kind else f"the dataset “{info.title}”"


def per(n: float) -> str:
    """A duration in the data's time unit: ``5 min``, ``2 frames``."""
    return f"{n:g} {T}" + ("s" if T == "frame" and n != 1 else "")


display(HTML(data_admonition(info)))

# %% [markdown]
# ## At a glance

# %% tags=["hide-input"]
tracks, track_counts = load_dataset(dataset, return_counts=True)
synthetic = is_synthetic(dataset)
interval = interval or analysis_interval(dataset)
conditions = list(dict.fromkeys(tracks["condition"]))
traj = to_trajectories(tracks, interval=interval)  # every condition at one interval
per_track = motility.track_table(traj)  # persistence and speed of every track
table1 = summarize(tracks)

# %% tags=["remove-input"]
display(Markdown(" ".join(glance_sentences(per_track, table1, data_words, V, per(interval)))))

# %% tags=["remove-input"] mystnb={"figure": {"name": "fig-calibration", "caption": "The dataset at a glance: persistence (lag-1 velocity autocorrelation at the analysis interval) against cell speed of every track, per condition, with the number of tracks in the legend; for the synthetic stand-in, crosses mark the density peaks it was calibrated to (cf. the report's Figure 10)."}}
palette = figures.condition_palette(conditions)
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for cond in conditions:
    d = per_track[per_track["condition"] == cond]
    ax.scatter(d["persistence"], d["speed"], s=12, alpha=0.6, color=palette[cond],
               label=f"{cond} ({len(d)} tracks)")
    if info.report_kind and cond in CALIBRATION_TARGETS:
        t = CALIBRATION_TARGETS[cond]
        ax.scatter(t["persistence"], t["speed"], marker="X", s=160, color=palette[cond],
                   edgecolor="k", zorder=5)
ax.set(xlabel=f"persistence (lag-1 velocity autocorrelation at {per(interval)})",
       ylabel=f"cell speed [{V}]", xlim=(-1, 1))
ax.legend(title="per track (crosses: targets)" if info.report_kind else "per track", fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## The tracks, per condition
#
# Every input becomes one table with one row per observed position: the convention of
# celltrackR {cite}`wortel2021`, trackpy and TrackMate {cite}`tinevez2017`. Time is in minutes
# and positions in micrometres when the data is calibrated (else in frames and pixels, as the
# config says); 2D data simply has a flat (or no) z column. Per condition: tracks, positions per
# track and the sampling interval (beside the report's, for its stand-in), then how many tracks
# were read, cut at missing frames, or left out as too short for one analysis window.

# %% tags=["remove-input"]
shown1 = table1
if info.report_kind:
    report_table1 = pd.DataFrame(
        {"trajectories": [65, 177, 69], "positions per trajectory": [577, 998, 998],
         "sampling interval [min]": [2.5, 1.0, 1.0]},
        index=pd.Index(["Collagen", "Plastic", "Fibronectin"], name="condition"))
    shown1 = table1.join(report_table1.add_prefix("report: "), how="left")
display(Markdown(f"The table holds {len(tracks):,} positions of {tracks['track_id'].nunique():,} "
                 f"tracks (columns {', '.join(f'`{c}`' for c in tracks.columns)})."))
tables.show(shown1.rename(columns=lambda c: c.replace("[min]", f"[{T}]")),
            headers={"trajectories": "tracks", "report: trajectories": "report: tracks",
                     "positions per trajectory (median)": "positions (median)",
                     "positions per trajectory (range)": "positions (range)",
                     "report: positions per trajectory": "report: positions",
                     f"sampling interval [{T}]": f"interval [{T}]",
                     f"report: sampling interval [{T}]": f"report: interval [{T}]"},
            index="condition", digits=2,
            caption="Tracks per condition (cf. the report's Table 1).")

# %% tags=["remove-input"]
wide = track_counts.shape[1] > 4  # many steps of gap handling: one row per step reads better
tables.show(track_counts.T if wide else track_counts, index="" if wide else "condition", digits=0,
            caption="Tracks read, cut at missing frames and left out, per condition.")

# %% [markdown]
# Dividing cells: a tracker that links a mother to two daughters (or two touching cells into
# one) makes a *branching* track, which has two positions at one time. The config's
# `branches:` says what is done with it (by default each unbranched piece becomes a track, and
# the pieces of one lineage stay one cell whenever tracks are split into training and test sets).

# %% tags=["remove-input"]
display(Markdown(branches_sentence(track_counts, tracks.attrs.get("branches", {}).get("policy", "split"))))

# %% [markdown]
# ## Movies and their drift
#
# The cells of one movie (a condition × replicate, or the config's `movie` column) share
# whatever moves the whole field of view: stage drift, flow, a gradient whose orientation
# differs from chamber to chamber. A model that reads the direction of motion could then
# recognise the movie rather than the condition. Per movie: its mean velocity (the total
# displacement of its tracks over their total time) and how strongly its cells' net
# displacement directions agree, the mean resultant length R (0: no common direction; 1: every
# cell the same way), beside the R that as many uniformly random directions stay below in 95 %
# of draws ({numref}`fig-movie-drift`). The config's `drift: subtract-movie-mean` removes each
# movie's mean velocity, fitted from its own tracks without labels, before any chapter sees them.

# %%
raw_tracks = tracks if info.drift == "none" else load_dataset(dataset, drift="none")
drift_raw = movie_drift_table(raw_tracks, seed=seed)
drift_after = None if info.drift == "none" else movie_drift_table(tracks, seed=seed)

# %% tags=["remove-input"]
if has_movies(raw_tracks):
    display(Markdown(movie_drift_sentence(drift_raw.to_dict("records"), V, info.drift,
                                          None if drift_after is None else drift_after.to_dict("records"))))
else:
    display(Markdown(single_movie_sentence(drift_raw.to_dict("records"), V)))
shown_drift = drift_raw.drop(columns=["vx", "vy"] + (["movie"] if (drift_raw["movie"] == drift_raw["condition"]).all() else []))
tables.show(shown_drift, headers={"drift speed": f"drift [{V}]", "direction [deg]": "direction [°]",
                                  "R chance": "R by chance (95 %)"},
            digits={"direction [deg]": 0, "Rayleigh p": 2, "R": 2, "R chance": 2, "drift speed": 3},
            caption="Drift of each movie, tracks as read (R: mean resultant length of the cells' directions).")

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-movie-drift", "caption": "Mean drift velocity of each movie (arrow from the origin; one panel per condition, same scale), labelled with its movie; the box in each panel lists the mean resultant length R of each movie's cells' net displacement directions and, in brackets, R's 95 % chance reference for as many random directions (* and a filled head: R above chance). Tracks as read, before any drift removal; units on the axes."}}
figures.plot_movie_drift(drift_raw, V, conditions,
                         replicate_name=info.replicate_name if has_movies(raw_tracks) else "condition");

# %% [markdown]
# ## Every trajectory
#
# Each track starts at the origin ({numref}`fig-all-tracks`). Top: the x-y plane. Bottom:
# movement in z over time, drawn only when some condition is 3D (in the report's data, collagen
# is the only 3D environment; on the two dishes the cells move in a plane).

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-all-tracks", "caption": "Every trajectory, starting at the origin (cf. the report's Figure 4). Top: x-y plane; bottom (3D data only): z relative to the start against time; units on the axes."}}
has_3d = "z" in tracks.columns and len(flat_z_conditions(tracks)) < len(conditions)
n_rows = 2 if has_3d else 1
fig, axes = plt.subplots(n_rows, len(conditions), figsize=(4 * len(conditions), 3.8 * n_rows),
                         squeeze=False)
for j, cond in enumerate(conditions):
    g = tracks[tracks["condition"] == cond]
    ids = g["track_id"].unique()[:max_tracks_drawn]
    dims = [d for d in ("x", "y", "z") if d in g.columns]
    arrays = [g.loc[g["track_id"] == i, dims].to_numpy() for i in ids]
    figures.plot_tracks_xy(axes[0, j], arrays, palette[cond])
    axes[0, j].set(title=f"{cond} ({len(ids)} tracks)", xlabel=f"x [{L}]", ylabel=f"y [{L}]")
    if has_3d:
        dt = float(g.groupby("track_id")["t"].diff().median())
        figures.plot_z_over_time(axes[1, j], arrays, dt, palette[cond])
        axes[1, j].set(xlabel=f"time [{T}]", ylabel=f"z − z₀ [{L}]")
fig.suptitle("All trajectories" + (" (synthetic)" if info.synthetic else f" ({info.name})"))
fig.tight_layout()

# %% [markdown]
# ## Resampling to one interval and velocities
#
# Conditions may be recorded at different intervals (the report's at 2.5 min and 1 min).
# Following the report, every condition is brought to one interval by keeping every k-th
# position, and the positions become velocities
# $\mathbf v_t = (\mathbf r_{t+1} - \mathbf r_t)/\Delta t$ (µm/min, or px/frame for
# uncalibrated data). {numref}`fig-resampling` shows one track of each condition before and after resampling: the coarse
# track keeps the shape but loses the jitter of single frames.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-resampling", "caption": "One track per condition at its native sampling interval (grey) and after resampling to the common interval (colour)."}}
fig, axes = plt.subplots(1, len(conditions), figsize=(4 * len(conditions), 3.8), squeeze=False)
for j, cond in enumerate(conditions):
    i = int(np.flatnonzero(traj.conditions == cond)[0])
    raw = tracks[tracks["track_id"] == traj.track_ids[i]][["x", "y"]].to_numpy()
    coarse = traj.positions(i)[:, :2]
    ax = axes[0, j]
    ax.plot(*(raw - raw[0]).T, color="0.6", lw=0.8, label="native sampling")
    ax.plot(*(coarse - coarse[0]).T, color=palette[cond], lw=1.4, label=f"every {per(interval)}")
    ax.set(title=cond, xlabel=f"x [{L}]", ylabel=f"y [{L}]")
    ax.set_aspect("equal", adjustable="datalim")
axes[0, 0].legend(fontsize=8)
fig.tight_layout()

# %% tags=["remove-input"]
steps = pd.Series(traj.lengths(), index=traj.conditions).groupby(level=0, sort=False).median()
display(Markdown(f"After resampling to {per(interval)}, the median number of velocity steps "
                 "per track is " + ", ".join(f"{int(n):,} in {c}" for c, n in steps.items()) + "."))

# %% [markdown]
# ## Speed, turning angle and mean squared displacement
#
# Three classic descriptions of cell migration, per condition, on the resampled tracks: the
# distribution of step speeds, of turning angles between consecutive steps (0 = straight on,
# π = reversal), and the mean squared displacement against lag time, whose slope on log-log
# axes tells diffusive (1) from ballistic (2) motion. 2D conditions are measured in x-y only.

# %% tags=["hide-input"]
rows = []
msd_rows = []
for i in range(len(traj)):
    cond = traj.conditions[i]
    v = traj.modelled_velocities(i)  # 2D conditions in x-y only
    rows.append(pd.DataFrame({"condition": cond, f"speed [{V}]": motility.step_speeds(v)}))
    rows.append(pd.DataFrame({"condition": cond, "turning angle [rad]": motility.turning_angles(v)}))
    m = motility.msd(velocities_to_positions(v, traj.dt), max_lag=40)
    msd_rows.append(pd.DataFrame({"condition": cond, f"lag [{T}]": np.arange(1, len(m) + 1) * traj.dt,
                                  f"MSD [{L}²]": m}))
steps_df = pd.concat(rows, ignore_index=True)
msd_df = pd.concat(msd_rows, ignore_index=True)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-motility", "caption": "Step speed and turning angle [rad] distributions per condition, and the mean squared displacement against lag time with diffusive and ballistic guides; units on the axes."}}
import seaborn as sns

fig, axes = plt.subplots(1, 3, figsize=(14, 4))
sns.kdeplot(steps_df.dropna(subset=[f"speed [{V}]"]), x=f"speed [{V}]", hue="condition",
            palette=palette, common_norm=False, clip=(0, None), ax=axes[0])
sns.kdeplot(steps_df.dropna(subset=["turning angle [rad]"]), x="turning angle [rad]",
            hue="condition", palette=palette, common_norm=False, clip=(0, np.pi), ax=axes[1])
axes[0].set_ylabel(f"density [{T}/{L}]")
axes[1].set_ylabel("density [1/rad]")
lag_c, msd_c = f"lag [{T}]", f"MSD [{L}²]"
mean_msd = msd_df.groupby(["condition", lag_c], sort=False)[msd_c].mean().reset_index()
for cond in conditions:
    d = mean_msd[mean_msd["condition"] == cond]
    axes[2].loglog(d[lag_c], d[msd_c], "o-", ms=3, color=palette[cond], label=cond)
lag = np.array([traj.dt, 40 * traj.dt])
y0 = float(mean_msd.loc[mean_msd[lag_c] == mean_msd[lag_c].min(), msd_c].median())  # guides through the data
axes[2].loglog(lag, y0 * lag / lag[0], "k--", lw=0.8, label="slope 1 (diffusive)")
axes[2].loglog(lag, y0 * (lag / lag[0]) ** 2, "k:", lw=0.8, label="slope 2 (ballistic)")
axes[2].set(xlabel=f"lag time [{T}]", ylabel=f"MSD [{L}²]")
axes[2].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## Outlier steps
#
# A tracker that jumps to a neighbouring cell for one frame leaves a step far longer than the
# cell ever moves; a few such steps can dominate a mean speed or a normalisation to the
# largest velocity. The table uses scales that such steps cannot move: per condition, the
# median and the 99.9th percentile of the step length at the analysis interval, and how many
# steps are longer than ten times the median.

# %% tags=["hide-input"]
step_len = steps_df.dropna(subset=[f"speed [{V}]"]).assign(
    step=lambda d: d[f"speed [{V}]"] * traj.dt)
outliers = step_len.groupby("condition", sort=False)["step"].agg(
    steps="size", median="median", p999=lambda x: x.quantile(0.999),
    over_10x_median=lambda x: int((x > 10 * x.median()).sum()), largest="max")

# %% tags=["remove-input"]
tables.show(outliers.reindex(conditions), index="condition", digits=2,
            headers={"median": f"median [{L}]", "p999": f"99.9th pct. [{L}]",
                     "over_10x_median": "> 10 × median", "largest": f"largest [{L}]"},
            caption="Step lengths at the analysis interval, per condition.")

# %% [markdown]
# ## How many tracks each window length leaves
#
# The networks read windows of a fixed number of steps, so a track shorter than one window is
# never seen by them. Per window length: the tracks (pieces, for data cut at missing frames)
# long enough for at least one window and the windows they give, counted before short tracks
# are left out (*all*: every track with at least one step at the analysis interval).

# %% tags=["hide-input"]
if is_config(dataset):
    all_pieces, _ = load_config_dataset(read_config(project_path(dataset, create=False)))
    all_traj = to_trajectories(all_pieces, interval=interval)
else:
    all_traj = traj  # the loader already left out tracks shorter than one 30-step window
lengths_all = pd.Series(all_traj.lengths(), index=all_traj.conditions)
coverage = pd.DataFrame({
    (f"{w} steps", what): (
        (lengths_all >= w).groupby(level=0).sum() if what == "tracks" else
        (lengths_all // w).groupby(level=0).sum())
    for w in window_lengths for what in ("tracks", "windows")}).reindex(conditions)
coverage.insert(0, ("all", "tracks"), lengths_all.groupby(level=0).size().reindex(conditions))

# %% tags=["remove-input"]
display(tables.show(coverage, index="condition", digits=0, caption="Tracks and windows per window length ("
                    + ", ".join(f"{w} steps = {per(w * interval)}" for w in window_lengths) + ")."))
used_share = float((lengths_all >= window_length).mean())
if used_share < 0.5:
    display(HTML(f'<div class="admonition warning"><p class="admonition-title">Most tracks are '
                 f'unused</p><p>Only {used_share:.0%} of the {len(lengths_all):,} tracks are at '
                 f'least {window_length} steps long ({per(window_length * interval)}); the '
                 f'others give no window and never reach the networks. A shorter window keeps '
                 f'more cells but gives the networks less history per decision.</p></div>'))
else:
    display(Markdown(f"{used_share:.0%} of the {len(lengths_all):,} tracks give at least one window "
                     f"of {window_length} steps."))

# %% [markdown]
# ## How the synthetic data was made
#
# The default dataset draws every cell from the superstatistical persistent random walk of
# {cite:t}`metzner2015`: $\mathbf v_t = q_t \mathbf v_{t-1} + a_t \mathbf n_t$ with Gaussian
# noise $\mathbf n_t$, where the persistence $q_t$ and the activity $a_t$ drift slowly and
# differ between cells; the cell speed is $c_t = a_t/\sqrt{1-q_t^2}$. Positions carry tracking
# noise of 2 µm r.m.s., the report's stated accuracy (white in the 3D collagen gel, slowly
# varying on the dishes). Counts, lengths, intervals and dimensions follow the report's. The model
# parameters of the synthetic dataset, at the native interval, are:

# %% tags=["remove-input"]
if synthetic:
    display(tables.show(
        pd.DataFrame([m.__dict__ for m in DEFAULT_CONDITIONS]).set_index("name").astype(object).T.rename(index={
            "n_tracks": "tracks", "n_positions": "positions per track",
            "dt": "native interval [min]", "dims": "dimensions",
            "persistence": "median persistence q (native step)",
            "persistence_spread": "between-cell s.d. of artanh q",
            "speed": "median cell speed c [µm/min]", "speed_spread": "between-cell s.d. of ln c",
            "drift": "within-cell drift s.d. (artanh q, ln c)",
            "drift_time": "drift correlation time [min]", "noise": "tracking noise [µm r.m.s.]",
            "noise_time": "tracking noise correlation time [min]"}),
        index="parameter", digits=3))
else:
    display(Markdown(f"This build runs on the dataset “{info.title}”, not on the default "
                     "synthetic dataset, so the default's parameters are not shown here."))

# %% [markdown]
# They were chosen so that the persistence and speed *measured at 5-min sampling* land near
# the density peaks of the report's persistence–speed densities. The table puts those targets next to what
# the synthetic tracks give (median over tracks of the lag-1 velocity autocorrelation and of the
# r.m.s. velocity component; the statistics chapter repeats this with the full Bayesian
# analysis); {numref}`fig-calibration` at the top of the chapter shows every track. On your own
# data the same table simply describes your conditions.

# %% tags=["remove-input"]
measured = per_track.groupby("condition", sort=False)[["persistence", "speed"]].median()
calibration = measured.add_prefix("measured ")
if info.report_kind:
    targets = pd.DataFrame(CALIBRATION_TARGETS).T.add_prefix("target (report Fig. 10) ")
    calibration = calibration.join(targets)
tables.show(calibration, index="condition", digits=2,
            headers={"measured persistence": "persistence", "measured speed": f"speed [{V}]",
                     "target (report Fig. 10) persistence": "persistence (report)",
                     "target (report Fig. 10) speed": f"speed (report) [{V}]"},
            caption="Median persistence and speed per condition"
                    + (" beside the density peaks of the report (cf. its Figure 10)." if info.report_kind else "."))

# %% [markdown]
# ## Normalisation, split and windows
#
# The networks of the next chapters see velocities divided by one scale, so that the largest
# training velocity component maps to 1 (the report normalised to [-1, 1]); the scale is kept
# to turn generated velocities back into the data's units. Trajectories — never windows of the same
# trajectory — are split 80/20 per condition with a seed, so the test set does not depend on
# the order in which files happen to be listed (a flaw of the original code). Each training
# trajectory is then cut into non-overlapping windows ("mini trajectories") of 30 steps.

# %% tags=["hide-input"]
train_idx, test_idx = split_tracks(traj, test_fraction=test_fraction, seed=seed)
scaler = Scaler().fit([traj.velocities[i] for i in train_idx])
windows = {}
for name, idx in (("train", train_idx), ("test", test_idx)):
    X, y, owner = make_windows([traj.velocities[i] for i in idx], traj.labels[idx], window_length)
    windows[name] = pd.Series(y).map(dict(enumerate(traj.condition_names))).value_counts()
split_table = pd.DataFrame({
    "train tracks": pd.Series(traj.conditions[train_idx]).value_counts(),
    "test tracks": pd.Series(traj.conditions[test_idx]).value_counts(),
    f"train windows ({window_length} steps)": windows["train"],
    f"test windows ({window_length} steps)": windows["test"],
}).reindex(conditions)

# %% tags=["remove-input"]
display(Markdown(f"One normalised velocity unit is {scaler.scale:.3f} {V}."))
tables.show(split_table, index="condition", digits=0)

# %% [markdown]
# ## Your own tracks
#
# Everything above reads one tidy table. To run the book on your own cells, export a CSV with
# one row per position (`track_id, condition, t, x, y[, z]`; minutes and micrometres) and run
# `make book DATA=path/to/tracks.csv`. Bad input is refused with one message that names the
# file, the column or the track and says what is wrong; the input itself is never changed.

# %% tags=["remove-cell"]
summary = {
    "dataset": dataset, "synthetic": synthetic, "profile": profile, "seed": seed,
    "conditions": conditions, "interval_min": interval,
    "table1": json.loads(table1.reset_index().to_json(orient="records")),
    "calibration": json.loads(calibration.reset_index().to_json(orient="records")),
    "velocity_scale_um_per_min": scaler.scale,
    "split": json.loads(split_table.reset_index(names="condition").to_json(orient="records")),
    "drift": {"policy": info.drift, "direction": info.direction,
              "movies_before": json.loads(drift_raw.to_json(orient="records")),
              "movies_after": (None if info.drift == "none"
                               else json.loads(drift_after.to_json(orient="records")))},
}
_ = write_json(art / "data_summary.json", summary)

# %% [markdown]
# ## Parameters
#
# Papermill sets these when it executes the chapter (`python -m cellmotion.build`); `dataset`
# is `"synthetic"`, the path to a tidy CSV (`track_id, condition, t, x, y[, z]`, minutes and
# micrometres) or a dataset config (`.yml`, any format and units; see {doc}`05_own_data`). To
# re-execute this chapter alone with other values (the download button at the top of the page
# gives the executed notebook):
#
# ```bash
# .venv/bin/jupytext --to ipynb book/01_data.py -o 01_data.ipynb
# .venv/bin/papermill 01_data.ipynb 01_data.out.ipynb -p profile smoke -p window_length 20
# ```

# %% tags=["remove-input"]
tables.show(pd.DataFrame({"value": [str(v) for v in (
    dataset, profile, seed, f"{interval:g} {T}", window_length, test_fraction, max_tracks_drawn,
    window_lengths)]}, index=pd.Index(["dataset", "profile", "seed", "interval", "window_length",
                                       "test_fraction", "max_tracks_drawn", "window_lengths"])),
            index="parameter", caption="The values this build ran with.")

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
# tracked in a 3D collagen network, on a plastic dish and on a fibronectin-coated dish
# (its section 3 and Table 1; the recordings are described by {cite:t}`metzner2015`). Those
# recordings were never published. This chapter loads the dataset the book was built on (by
# default a synthetic stand-in of the report's data; the box below says which) into one tidy
# table, shows it the way the report did (Table 1 and Figure 4), looks for outlier steps, and
# prepares it the way the report did: resampling to one interval, velocities, normalisation to
# [-1, 1], an 80/20 split by cell and windows of 30 steps.
#
# ## Parameters
#
# Papermill sets these when it executes the chapter (`python -m cellmotion.build`); `dataset`
# is `"synthetic"`, the path to a tidy CSV (`track_id, condition, t, x, y[, z]`, minutes and
# micrometres) or a dataset config (`.yml`, any format and units; see {doc}`05_own_data`). To re-execute this chapter alone with other values (the download button at
# the top of the page gives the executed notebook):
#
# ```bash
# .venv/bin/jupytext --to ipynb book/01_data.py -o 01_data.ipynb
# .venv/bin/papermill 01_data.ipynb 01_data.out.ipynb -p profile smoke -p window_length 20
# ```

# %% tags=["parameters"]
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

from cellmotion import figures, motility
from cellmotion.config import is_config, read_config
from cellmotion.datasets import (analysis_interval, dataset_info, is_synthetic, load_config_dataset,
                                 load_dataset)
from cellmotion.contract import flat_z_conditions, summarize
from cellmotion.drift import has_movies, movie_drift_table
from cellmotion.findings.drift import movie_drift_sentence, single_movie_sentence
from cellmotion.findings.data import branches_sentence
from cellmotion.paths import display_path, project_path, write_json
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


def per(n: float) -> str:
    """A duration in the data's time unit: ``5 min``, ``2 frames``."""
    return f"{n:g} {T}" + ("s" if T == "frame" and n != 1 else "")


display(HTML(data_admonition(info)))

# %% [markdown]
# ## Load the tracks
#
# Every input becomes one table with one row per observed position: the convention of
# celltrackR {cite}`wortel2021`, trackpy and TrackMate {cite}`tinevez2017`. Time is in minutes
# and positions in micrometres when the data is calibrated (else in frames and pixels, as the
# config says); 2D data simply has a flat (or no) z column.

# %%
tracks, track_counts = load_dataset(dataset, return_counts=True)
synthetic = is_synthetic(dataset)
interval = interval or analysis_interval(dataset)
conditions = list(dict.fromkeys(tracks["condition"]))
palette = figures.condition_palette(conditions)
print(f"{'synthetic stand-in' if synthetic else info.title}: {len(tracks):,} positions, "
      f"{tracks['track_id'].nunique()} tracks, conditions {conditions}")
tracks.head()

# %% [markdown]
# ## Table 1, recomputed
#
# The report's Table 1 next to the same summary computed from the loaded table (for any other
# data than the stand-in of the report's, only the latter). Below it: how many tracks were read per condition, how many were cut
# at missing frames, and how many are too short for one analysis window and are left out.

# %%
ours = summarize(tracks)
table1 = ours
if info.report_kind:
    report_table1 = pd.DataFrame(
        {"trajectories": [65, 177, 69], "positions per trajectory": [577, 998, 998],
         "sampling interval [min]": [2.5, 1.0, 1.0]},
        index=pd.Index(["Collagen", "Plastic", "Fibronectin"], name="condition"))
    table1 = ours.join(report_table1.add_prefix("report: "), how="left")
table1

# %%
track_counts

# %% [markdown]
# Dividing cells: a tracker that links a mother to two daughters (or two touching cells into
# one) makes a *branching* track, which has two positions at one time. The config's
# `branches:` says what is done with it (by default each unbranched piece becomes a track, and
# the pieces of one lineage stay one cell whenever tracks are split into training and test sets).

# %%
print(branches_sentence(track_counts, tracks.attrs.get("branches", {}).get("policy", "split")))

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
if has_movies(raw_tracks):
    print(movie_drift_sentence(drift_raw.to_dict("records"), V, info.drift,
                               None if drift_after is None else drift_after.to_dict("records")))
else:
    print(single_movie_sentence(drift_raw.to_dict("records"), V))
drift_raw.round(3)

# %% mystnb={"figure": {"name": "fig-movie-drift", "caption": "Mean drift velocity of each movie (arrow from the origin; one panel per condition, same scale), labelled with the mean resultant length R of its cells' net displacement directions and, in brackets, R's 95 % chance reference for as many random directions; a filled head marks R above chance. Tracks as read, before any drift removal; units on the axes."}}
figures.plot_movie_drift(drift_raw, V, conditions,
                         replicate_name=info.replicate_name if has_movies(raw_tracks) else "condition");

# %% [markdown]
# ## Figure 4: every trajectory
#
# As in the report's Figure 4, each track starts at the origin ({numref}`fig-all-tracks`). Top: the x-y plane. Bottom:
# movement in z over time, drawn only when some condition is 3D (in the report's data, collagen
# is the only 3D environment; on the two dishes the cells move in a plane).

# %% mystnb={"figure": {"name": "fig-all-tracks", "caption": "Every trajectory, starting at the origin (the report's Figure 4). Top: x-y plane; bottom (3D data only): z relative to the start against time; units on the axes."}}
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
# uncalibrated data). The figure shows one track of each condition before and after resampling: the coarse
# track keeps the shape but loses the jitter of single frames.

# %% mystnb={"figure": {"name": "fig-resampling", "caption": "One track per condition at its native sampling interval (grey) and after resampling to the common interval (colour)."}}
traj = to_trajectories(tracks, interval=interval)
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
steps = pd.Series(traj.lengths(), index=traj.conditions).groupby(level=0).median()
print(f"velocity steps per track after resampling to {per(interval)} (median):", steps.to_dict())

# %% [markdown]
# ## Speed, turning angle and mean squared displacement
#
# Three classic descriptions of cell migration, per condition, on the resampled tracks: the
# distribution of step speeds, of turning angles between consecutive steps (0 = straight on,
# π = reversal), and the mean squared displacement against lag time, whose slope on log-log
# axes tells diffusive (1) from ballistic (2) motion. 2D conditions are measured in x-y only.

# %%
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

# %% mystnb={"figure": {"name": "fig-motility", "caption": "Step speed and turning angle [rad] distributions per condition, and the mean squared displacement against lag time with diffusive and ballistic guides; units on the axes."}}
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

# %%
step_len = steps_df.dropna(subset=[f"speed [{V}]"]).assign(
    step=lambda d: d[f"speed [{V}]"] * traj.dt)
outliers = step_len.groupby("condition", sort=False)["step"].agg(
    steps="size", median="median", p999=lambda x: x.quantile(0.999),
    over_10x_median=lambda x: int((x > 10 * x.median()).sum()), largest="max")
outliers["share over 10 × median"] = (outliers["over_10x_median"] / outliers["steps"]).map("{:.2%}".format)
outliers = outliers.rename(columns={
    "median": f"median step [{L}]", "p999": f"99.9th percentile [{L}]",
    "over_10x_median": "steps > 10 × median", "largest": f"largest step [{L}]"})
outliers.reindex(conditions).round(2)

# %% [markdown]
# ## How many tracks each window length leaves
#
# The networks read windows of a fixed number of steps, so a track shorter than one window is
# never seen by them. Per window length: the tracks (pieces, for data cut at missing frames)
# long enough for at least one window and the windows they give, counted before short tracks
# are left out (*all*: every track with at least one step at the analysis interval).

# %%
if is_config(dataset):
    all_pieces, _ = load_config_dataset(read_config(project_path(dataset, create=False)))
    all_traj = to_trajectories(all_pieces, interval=interval)
else:
    all_traj = traj  # the loader already left out tracks shorter than one 30-step window
lengths_all = pd.Series(all_traj.lengths(), index=all_traj.conditions)
coverage = pd.DataFrame({
    (f"{w} steps ({per(w * interval)})", what): (
        (lengths_all >= w).groupby(level=0).sum() if what == "tracks" else
        (lengths_all // w).groupby(level=0).sum())
    for w in window_lengths for what in ("tracks", "windows")}).reindex(conditions)
coverage.insert(0, ("all", "tracks"), lengths_all.groupby(level=0).size().reindex(conditions))
display(coverage)
used_share = float((lengths_all >= window_length).mean())
if used_share < 0.5:
    display(HTML(f'<div class="admonition warning"><p class="admonition-title">Most tracks are '
                 f'unused</p><p>Only {used_share:.0%} of the {len(lengths_all):,} tracks are at '
                 f'least {window_length} steps long ({per(window_length * interval)}); the '
                 f'others give no window and never reach the networks. A shorter window keeps '
                 f'more cells but gives the networks less history per decision.</p></div>'))
else:
    print(f"{used_share:.0%} of the {len(lengths_all):,} tracks give at least one window of "
          f"{window_length} steps.")

# %% [markdown]
# ## How the synthetic data was made
#
# The default dataset draws every cell from the superstatistical persistent random walk of
# {cite:t}`metzner2015`: $\mathbf v_t = q_t \mathbf v_{t-1} + a_t \mathbf n_t$ with Gaussian
# noise $\mathbf n_t$, where the persistence $q_t$ and the activity $a_t$ drift slowly and
# differ between cells; the cell speed is $c_t = a_t/\sqrt{1-q_t^2}$. Positions carry tracking
# noise of 2 µm r.m.s., the report's stated accuracy (white in the 3D collagen gel, slowly
# varying on the dishes). Counts, lengths, intervals and dimensions follow Table 1. The model
# parameters of the synthetic dataset, at the native interval, are:

# %%
if synthetic:
    display(pd.DataFrame([m.__dict__ for m in DEFAULT_CONDITIONS]).set_index("name"))
else:
    print(f"{info.title} is not the synthetic dataset: its tracks come from a tracker, not a model.")

# %% [markdown]
# They were chosen so that the persistence and speed *measured at 5-min sampling* land near
# the density peaks of the report's Figure 10. The table puts those targets next to what the
# synthetic tracks give (median over tracks of the lag-1 velocity autocorrelation and of the
# r.m.s. velocity component; the statistics chapter repeats this with the full Bayesian
# analysis), and {numref}`fig-calibration` shows every track. On your own data the same table simply
# describes your conditions.

# %%
per_track = motility.track_table(traj)
measured = per_track.groupby("condition", sort=False)[["persistence", "speed"]].median()
calibration = measured.add_prefix("measured ")
if info.report_kind:
    targets = pd.DataFrame(CALIBRATION_TARGETS).T.add_prefix("target (report Fig. 10) ")
    calibration = calibration.join(targets)
calibration.round(2)

# %% mystnb={"figure": {"name": "fig-calibration", "caption": "Persistence (lag-1 velocity autocorrelation at the analysis interval) and cell speed of every track; for the synthetic stand-in, crosses mark the peaks of the report's Figure 10 that it was calibrated to."}}
fig, ax = plt.subplots(figsize=(6, 4.5))
for cond in conditions:
    d = per_track[per_track["condition"] == cond]
    ax.scatter(d["persistence"], d["speed"], s=12, alpha=0.6, color=palette[cond], label=cond)
    if info.report_kind and cond in CALIBRATION_TARGETS:
        t = CALIBRATION_TARGETS[cond]
        ax.scatter(t["persistence"], t["speed"], marker="X", s=160, color=palette[cond],
                   edgecolor="k", zorder=5)
ax.set(xlabel=f"persistence (lag-1 velocity autocorrelation at {per(interval)})",
       ylabel=f"cell speed [{V}]", xlim=(-1, 1))
if info.report_kind:
    ax.set_ylim(0, 1.5)
ax.legend(title="per track (crosses: targets)" if info.report_kind else "per track", fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## Normalisation, split and windows
#
# The networks of the next chapters see velocities divided by one scale, so that the largest
# training velocity component maps to 1 (the report normalised to [-1, 1]); the scale is kept
# to turn generated velocities back into the data's units. Trajectories — never windows of the same
# trajectory — are split 80/20 per condition with a seed, so the test set does not depend on
# the order in which files happen to be listed (a flaw of the original code). Each training
# trajectory is then cut into non-overlapping windows ("mini trajectories") of 30 steps.

# %%
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
print(f"velocity scale: 1 normalised unit = {scaler.scale:.3f} {V}")
split_table

# %% [markdown]
# ## Your own tracks
#
# Everything above reads one tidy table. To run the book on your own cells, export a CSV with
# one row per position (`track_id, condition, t, x, y[, z]`; minutes and micrometres) and run
# `make book DATA=path/to/tracks.csv`. Bad input is refused with one message that names the
# file, the column or the track and says what is wrong; the input itself is never changed.

# %%
summary = {
    "dataset": dataset, "synthetic": synthetic, "profile": profile, "seed": seed,
    "conditions": conditions, "interval_min": interval,
    "table1": json.loads(ours.reset_index().to_json(orient="records")),
    "calibration": json.loads(calibration.reset_index().to_json(orient="records")),
    "velocity_scale_um_per_min": scaler.scale,
    "split": json.loads(split_table.reset_index(names="condition").to_json(orient="records")),
    "drift": {"policy": info.drift, "direction": info.direction,
              "movies_before": json.loads(drift_raw.to_json(orient="records")),
              "movies_after": (None if info.drift == "none"
                               else json.loads(drift_after.to_json(orient="records")))},
}
written = write_json(art / "data_summary.json", summary)
print(f"wrote {display_path(written)}")

# %% [markdown]
# ## What we see

# %% tags=["remove-input"]
if info.report_kind:
    display(Markdown(
        "The three environments differ in ways a biologist would name without a network: in the "
        "collagen gel, cells move in 3D with little persistence (a negative lag-1 autocorrelation "
        "at 5 min, much of it the signature of tracking noise on short steps); on plastic they are "
        "slow and mildly persistent; on fibronectin they are fast and highly persistent, so their "
        "mean squared displacement grows almost ballistically over an hour. The next chapter asks "
        "whether an LSTM network can tell the environments apart from 30 steps of velocity alone, "
        "and which of these differences it uses."))
else:
    display(Markdown(
        f"The tables and figures above describe {info.title}: how many tracks each condition "
        "keeps, how fast and how persistently its cells move, and how many windows each window "
        "length leaves. The next chapter asks whether a network can tell the conditions apart "
        f"from {window_length} steps of velocity alone, and how it compares with the simpler tools "
        "a user would pick instead."))

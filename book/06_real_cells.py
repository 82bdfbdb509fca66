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
# # Real cells: leukocytes under chemoattractants
#
# **Data:** human leukocytes tracked in 2D under three chemoattractants (CXCL1, CXCL8, fMLP)
# and a PBS control, each imaged for four donors. The tracks come from the public repository
# `gsergeant/scm-statistics` of G. Sergeant (*Advanced statistical methods for characterizing
# single-cell migration*; folder `data/Leuko_Ghent`, Apache License 2.0), bundled with the book
# in `data/leukocytes-ghent/` with their licence.
#
# **Goal:** ask the report's three questions {cite}`rieke2016` of real cells. Can the
# chemoattractant be read from a track, and does that still work for a donor the classifier has
# never seen? Does the LSTM mixture density network predict held-out steps better than simple
# random walks? How far apart are the conditions in the superstatistical persistence-speed
# picture of {cite:t}`metzner2015`?
#
# This chapter always runs on the bundled leukocytes, whatever dataset the other chapters use.
#
# ## The answer
#
# ```{glue:figure} real-answer
# :name: fig-real-answer
#
# Which chemoattractant? Balanced accuracy per track of every classifier, leaving one donor
# out in turn (the primary protocol: a new experiment) and with folds grouped by cell (every
# donor on both sides). Dot: mean over the folds; line: 95 % interval (Nadeau–Bengio
# corrected); hollow: no valid interval; dotted: chance. Every model reads inputs that do not
# change when a window is rotated, after each movie's drift is removed.
# ```
#
# ```{glue:md} real-answer-text
# :format: myst
# ```
#
# The evidence follows: the tracks and their movies' drift ({numref}`fig-real-drift`), the
# classifiers with and without the movie's direction, the LSTM-MDN's held-out likelihoods
# ({numref}`fig-real-nll`) and the persistence-speed densities ({numref}`fig-real-superstats`).
#
# ```{admonition} Pixels and frames
# :class: note
# The source states neither the pixel size nor the frame interval, so every length here is in
# **pixels (px)**, every time in **frames** and every speed in **px/frame**. Nothing is
# converted to micrometres or minutes, and no number here can be set beside the report's.
# ```
#
# ## Parameters
#
# Papermill sets these when the book is built; the smoke profile shrinks the budgets. To run
# this chapter alone: `.venv/bin/python -m cellmotion.build --profile smoke --chapters 06_real_cells`.

# %% tags=["parameters", "hide-input"]
dataset = "synthetic"  # the other chapters' dataset (not used: this chapter reads real_dataset)
profile = "full"  # "full" or "smoke"
seed = 0  # seeds the splits, the subsamples and the training
artifacts = None  # results folder; None: a scratch folder (the built book is never changed)
real_dataset = "data/leukocytes-ghent/config.yml"  # the bundled real tracks
max_tracks_per_condition = None  # cap on tracks per condition for the classifiers (None: all)
classifiers = ["report-best", "ours", "forest", "minirocket", "multirocket"]  # models compared
artefact_models = ["forest", "minirocket"]  # peers shown with and without the movie's drift and direction
artefact_protocols = ["donor", "grouped"]  # protocols of that comparison
cv_folds = 5  # folds grouped by cell (the secondary protocol; the primary leaves one donor out)
cv_repeats = 1  # repeats of the grouped folds
classifier_seeds = [0, 1]  # training seeds per fold (networks; their probabilities are averaged)
n_jobs = 2  # folds trained at once, in worker processes (each keeps about one core busy)
max_epochs = 15  # upper limit of the networks' epochs (early stopping decides)
batch_size = 128  # training windows per batch (learning rate by the square-root rule)
patience = 4  # epochs without validation improvement before a network stops
test_fraction = 0.2  # held-out cells per condition for the generators
gen_epochs = 25  # upper limit of the LSTM-MDN epochs
gen_patience = 5  # epochs without validation improvement before stopping
gen_batch_size = 32  # tracks per batch of the LSTM-MDN
jit_compile = True  # XLA for the LSTM-MDN
n_boot = 1000  # bootstrap resamples of the held-out likelihoods and the overlaps
max_superstat_per_condition = 80  # tracks per condition fitted with bayesloop
superstat_grid = 100  # grid points per parameter
tracks_drawn = 12  # tracks drawn per condition
selection_file = "benchmarks/selection.json"  # how our network's design was chosen (a committed record)

# %% tags=["remove-input"]
import time
import json
import warnings

warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm without ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from myst_nb import glue

from cellmotion import classification, drift, figures, generation, scoreplots, superstats, tables
from cellmotion.config import read_config
from cellmotion.contract import cell_ids
from cellmotion.datasets import dataset_info, load_config_dataset, load_dataset
from cellmotion.findings import classification as class_findings
from cellmotion.findings import drift as drift_findings
from cellmotion.findings import real_cells as findings
from cellmotion.findings import statistics as stat_findings
from cellmotion.paths import project_path, write_json
from cellmotion.preprocess import make_windows, split_tracks, to_trajectories
from cellmotion.profiles import chapter_folders

figures.setup_style()
art, _ = chapter_folders(artifacts, real_dataset, profile)
info = dataset_info(real_dataset)
L, T, V = info.length_unit, info.time_unit, info.speed_unit
wall = {}
t_start = time.perf_counter()

# %% [markdown]
# ## Load the tracks
#
# One call reads the file, cuts tracks where frames are missing (the pieces of one track stay
# one cell in every split below), and leaves out pieces too short for one window of
# 30 steps at the analysis interval of 2 frames. The table keeps the donor of every position.
# The dataset's config then removes each movie's mean velocity (its drift, see below); the
# tracks as recorded are kept beside for the comparison further down.

# %%
raw_tracks, counts = load_dataset(real_dataset, return_counts=True, drift="none")
tracks = drift.apply_drift_policy(raw_tracks, info.drift)  # the config's drift policy
traj = to_trajectories(tracks, interval=info.interval)
conditions = traj.condition_names
palette = figures.condition_palette(conditions)
print(f"{info.title}\n{len(tracks):,} positions in {len(traj):,} used pieces; "
      f"interval {info.interval:g} {T}s; speeds in {V}")

# %% [markdown]
# ## What the tracks look like
#
# ### How many tracks, per condition and donor
#
# Tracks read from the file, pieces after cutting at missing frames, and pieces used (long
# enough for one window of 30 steps), per condition and donor. The sentence below the table
# says what is left in total.

# %% tags=["remove-input"]
pieces, _ = load_config_dataset(read_config(project_path(real_dataset, create=False)))
piece_ids = pieces.drop_duplicates("track_id")[["track_id", "condition", "replicate"]]
piece_ids = piece_ids.assign(cell=cell_ids(piece_ids["track_id"]))
used_ids = pd.DataFrame({"track_id": traj.track_ids, "condition": traj.conditions,
                         "replicate": traj.replicates})
per_donor = pd.concat({
    "tracks read": piece_ids.groupby(["condition", "replicate"])["cell"].nunique(),
    "pieces": piece_ids.groupby(["condition", "replicate"]).size(),
    "used": used_ids.groupby(["condition", "replicate"]).size(),
}, axis=1).unstack("replicate").reindex(conditions)
per_donor.columns.names = ["", info.replicate_name]
_, _, owner = make_windows(traj.velocities, traj.labels, info.window_length)
totals = {"tracks read": int(piece_ids["cell"].nunique()), "pieces": int(len(piece_ids)),
          "used": int(len(traj)), "cells used": int(len(set(traj.cells))), "windows": int(len(owner))}
display(tables.show(per_donor, index="condition"))
display(Markdown(findings.counts_sentence(totals["tracks read"], totals["pieces"], totals["used"],
                                   totals["cells used"], totals["windows"], info.window_length)))

# %% [markdown]
# ### Lengths and speeds
#
# How long the used pieces are (in steps of 2 frames), and how fast the cells move: the median
# step speed of each piece (the length of one velocity step, in px/frame), per donor. Compare
# the spread between the donors of one condition with the differences between conditions:
# differences between donors are what the leave-one-donor-out evaluation below has to
# cope with.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-lengths-speeds", "caption": "Left: steps per used piece at the analysis interval, per condition. Right: median step speed [px/frame] of each used piece, per donor and condition."}}
per_piece = pd.DataFrame({"condition": traj.conditions, info.replicate_name: traj.replicates,
                          "steps": traj.lengths(),
                          "median step speed": [float(np.median(np.linalg.norm(v, axis=1)))
                                                for v in traj.velocities]})
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), gridspec_kw={"width_ratios": [1, 1.6]})
for j, cond in enumerate(conditions):
    d = per_piece.loc[per_piece["condition"] == cond, "steps"]
    axes[0].boxplot(d, positions=[j], widths=0.6, patch_artist=True,
                    boxprops={"facecolor": palette[cond], "alpha": 0.6}, flierprops={"ms": 2})
axes[0].set(xticks=range(len(conditions)), xticklabels=conditions,
            ylabel=f"steps per piece (1 step = {info.interval:g} {T}s)")
donors = sorted(per_piece[info.replicate_name].unique())
width = 0.8 / len(conditions)
for j, cond in enumerate(conditions):
    for k, donor in enumerate(donors):
        d = per_piece.loc[(per_piece["condition"] == cond) & (per_piece[info.replicate_name] == donor),
                          "median step speed"]
        axes[1].boxplot(d, positions=[k + (j - (len(conditions) - 1) / 2) * width], widths=width * 0.9,
                        patch_artist=True, boxprops={"facecolor": palette[cond], "alpha": 0.7},
                        flierprops={"ms": 2}, medianprops={"color": "k"})
axes[1].set(xticks=range(len(donors)), xticklabels=donors, xlabel=info.replicate_name,
            ylabel=f"median step speed per piece [{V}]")
axes[1].legend([plt.Rectangle((0, 0), 1, 1, color=palette[c]) for c in conditions], conditions,
               fontsize=8, ncols=len(conditions))
fig.tight_layout()

# %% tags=["remove-input"]
speed_table = per_piece.groupby(["condition", info.replicate_name], sort=False)["median step speed"] \
    .median().unstack().reindex(conditions).round(2)
tables.show(speed_table, index=f"median step speed [{V}] per {info.replicate_name}:", digits=2)

# %% [markdown]
# ### A few tracks per condition
#
# Each drawn from its start, in pixels.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-tracks", "caption": "A few used pieces per condition in the x-y plane [px], each from its start; one scale for all panels."}}
rng = np.random.default_rng(seed)
fig, axes = plt.subplots(1, len(conditions), figsize=(3.4 * len(conditions), 3.6), squeeze=False)
reach = 0.0
for ax, cond in zip(axes[0], conditions):
    idx = np.flatnonzero(traj.conditions == cond)
    pick = rng.choice(idx, size=min(tracks_drawn, len(idx)), replace=False)
    arrays = [traj.positions(i) for i in pick]
    figures.plot_tracks_xy(ax, arrays, palette[cond])
    reach = max(reach, max(np.abs(a - a[0]).max() for a in arrays))
    ax.set(title=f"{cond} ({len(pick)} of {len(idx)})", xlabel=f"x [{L}]", ylabel=f"y [{L}]")
for ax in axes[0]:
    ax.set_aspect("equal", adjustable="box")
    ax.set(xlim=(-reach, reach), ylim=(-reach, reach))
fig.tight_layout()
wall["data"] = time.perf_counter() - t_start

# %% [markdown]
# ## Which chemoattractant? Decided donor by donor
#
# ### The movie's own direction
#
# Each condition × donor is one movie, and the cells of one movie can share a direction of
# travel that has nothing to do with the chemoattractant: stage drift, flow, or a gradient
# whose orientation differs from chamber to chamber. Per movie: the mean velocity of its
# steps (the drift) and the mean resultant length $R$ of its cells' net displacement
# directions (0: no common direction, 1: all cells move the same way), beside the value of
# $R$ that the same cells give when each cell's direction is turned by a random angle (the
# chance reference; no common direction at all).

# %% tags=["remove-input"]
drift_table = drift.movie_drift_table(raw_tracks, seed=seed)
shown_drift = drift_table.drop(columns=["vx", "vy"] + (["movie"] if "replicate" in drift_table.columns else []))
shown_drift["Rayleigh p"] = [findings.p_text(p) for p in shown_drift["Rayleigh p"]]
display(tables.show(shown_drift, headers={
    "replicate": info.replicate_name, "drift speed": f"drift speed [{V}]",
    "direction [deg]": "direction [°]", "R": "R (cells' directions)", "R chance": "R by chance (95 %)"},
    digits={"direction [deg]": 0, "R": 2, "R chance": 2, "drift speed": 3},
    caption="Drift of each movie, tracks as read (drift speed: length of the mean velocity; direction: "
            "counter-clockwise from +x; R: mean resultant length of the cells' net displacement directions)."))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-drift", "caption": "Mean drift velocity of each movie (condition × donor; arrow from the origin, one panel per condition, same scale), labelled with its donor; the box in each panel lists the mean resultant length R of each movie's cells' net displacement directions and, in brackets, R's 95 % chance reference for as many random directions (* and a filled head: R above chance). Tracks as read, before any drift removal; velocities in px/frame."}}
figures.plot_movie_drift(drift_table, V, conditions, replicate_name=info.replicate_name);

# %% tags=["remove-input"]
drift_rows = drift_table.to_dict(orient="records")
drift_after = (drift.movie_drift_table(tracks, seed=seed).to_dict(orient="records")
               if info.drift != "none" else None)  # the tracks the models see
drift_words = drift_findings.movie_drift_sentence(drift_rows, V, info.drift, drift_after)
display(Markdown(drift_words))

# %% [markdown]
# ### The protocol
#
# Two protocols split the tracks into folds: leaving one donor out (the primary protocol) and
# folds grouped by cell. A track may be subsampled per condition first (`max_tracks_per_condition`).

# %%
keep = None
if max_tracks_per_condition is not None:
    keep = superstats.subsample_per_condition(traj.conditions, max_tracks_per_condition, seed=seed)
cls_traj = traj.subset(keep) if keep is not None else traj
folds = {"donor": classification.replicate_folds(cls_traj),
         "grouped": classification.grouped_folds(cls_traj, info.window_length, cv_folds, cv_repeats, seed)}

# %% tags=["remove-input"]
display(Markdown(findings.protocol_text(
    {m: classification.input_candidate(m, "invariant").describe() for m in classifiers}, conditions,
    len(folds["donor"]), info.window_length, info.replicate_name)))

# %% [markdown]
# - **Before any model sees a track,** each movie's mean velocity is subtracted from its
#   steps (`drift: subtract-movie-mean` in the dataset's config; fitted on the movie's own
#   tracks, without labels).
# - **No model may read the direction of motion:** every model reads inputs that do not
#   change when a whole window is rotated (each model's inputs are listed above; the forest's
#   motility measures are rotation-invariant by construction). The same rule for every model.
# - **The primary protocol leaves one donor out:** train on the other donors, test on the one
#   left out, as a lab would use a classifier on a new experiment. Folds grouped by cell
#   (every donor on both sides, no cell on both) are shown beside it.
# - **Intervals:** the 95 % interval of a mean over folds is the corrected resampled t of
#   Nadeau & Bengio, for both protocols (why, for the donor folds, in the paragraph above).
#   Where the folds do not vary, or there are too few of them, no interval is given and
#   nothing is claimed.
# - **Many comparisons:** the p values of all pairs of models of one table are adjusted by
#   Holm's method; a model is said to beat another only when the paired interval excludes 0
#   *and* the adjusted p is below 0.05. The sentences below use the same rule, and give every
#   difference of scores in percentage points.

# %%
t0 = time.perf_counter()
schedule = classification.fast_schedule(batch_size, max_epochs, patience, start_from_epoch=3)
cls = {name: classification.evaluate_models(cls_traj, f, classifiers, window=info.window_length,
                               seeds=tuple(classifier_seeds), schedule=schedule, report=None,
                               n_jobs=n_jobs, inputs="invariant")
       for name, f in folds.items()}
wall["classification"] = time.perf_counter() - t0

# %% [markdown]
# ### Scores with their intervals

# %% tags=["remove-input"]
protocol_names = {"donor": "leave one donor out", "grouped": "folds grouped by cell"}
score_table = pd.DataFrame({
    (protocol_names[p], metric): {findings.label(m): findings.with_interval(getattr(r.models[m], key))
                                  for m in classifiers}
    for p, r in cls.items()
    for key, metric in (("per_track_bacc", "per-track balanced accuracy"),
                        ("per_window_bacc", "per-window balanced accuracy"))})
tables.show(score_table, index="model")

# %% tags=["remove-input"]
cost = classification.new_donor_cost(cls["grouped"], cls["donor"])
ours_by = ({p: findings.ours_sentence(cls[p], class_findings.protocol_words(cls[p], info.replicate_name))
            for p in cls}
           if "ours" in classifiers and any(m in classifiers for m in class_findings.PEERS) else {})
ours_lines = list(ours_by.values())
# the primary protocol's answer opens the chapter; the rest is said here, once
fig, ax = plt.subplots(figsize=(9, 0.5 * len(classifiers) + 1.4))
scoreplots.score_dots(ax, {protocol_names[p]: r for p, r in cls.items()}, classifiers,
                      findings.label, chance=1 / len(conditions))
fig.tight_layout()
glue("real-answer", fig, display=False)
plt.close(fig)
glue("real-answer-text", Markdown(" ".join(
    [findings.winner_sentence(cls["donor"], "a new donor (leave one donor out)"),
     *([ours_by["donor"]] if "donor" in ours_by else [])])), display=False)
display(Markdown("\n\n".join([findings.winner_sentence(cls["grouped"], "folds grouped by cell"),
                               *([ours_by["grouped"]] if "grouped" in ours_by else []),
                               findings.new_donor_sentence(cost)])))

# %% tags=["remove-input"]
# the record of benchmarks/bench_classify_ablation.py --select, if present
selection_path = project_path(selection_file, create=False)
selection = json.loads(selection_path.read_text()) if selection_path.exists() else None
ours_donor = cls["donor"].models["ours"].per_track_bacc if "ours" in classifiers else None
display(Markdown(findings.selection_sentence(
    selection, "ours", None if ours_donor is None else (ours_donor.upper - ours_donor.lower) / 2)))

# %% [markdown]
# The cost of a new donor comes from one paired computation per donor: the cells of a donor
# are scored once when other cells of the same donor were in training (their out-of-fold
# predictions with folds grouped by cell) and once when the whole donor was held out; the
# differences over donors get the same corrected interval as above, and Holm's adjustment over
# the models.
#
# ### How much of the earlier score was the movie
#
# The peers once more on the same folds, with the tracks as recorded (each movie's drift
# kept) and with their own inputs (below), then with one of the two remedies at a time. The
# last column is the protocol above.

# %% tags=["remove-input"]
display(Markdown(findings.own_inputs_sentence(
    {m: classification.input_candidate(m, "as-is").describe() for m in artefact_models},
    {m: classification.input_candidate(m, "invariant").describe() for m in artefact_models})))

# %%
t0 = time.perf_counter()
raw_traj = to_trajectories(raw_tracks, interval=info.interval)
raw_traj = raw_traj.subset(keep) if keep is not None else raw_traj
if list(raw_traj.track_ids) != list(cls_traj.track_ids):
    raise RuntimeError("the drift comparison must see the same tracks in the same order")
tracks_of = {"kept": raw_traj, "removed": cls_traj}
variants = [("kept", "as-is"), ("removed", "as-is"), ("kept", "invariant")]
artefact = {p: classification.evaluate_variants({v: tracks_of[v[0]] for v in variants}, folds[p], artefact_models,
                                   done={("removed", "invariant"): cls[p]}, window=info.window_length,
                                   seeds=tuple(classifier_seeds[:1]), report=None, n_jobs=n_jobs)
            for p in folds if p in artefact_protocols}
wall["artefact"] = time.perf_counter() - t0

# %% tags=["remove-input"]
variant_names = {("kept", "as-is"): "drift kept, own inputs", ("removed", "as-is"): "drift removed, own inputs",
                 ("kept", "invariant"): "drift kept, rotation-invariant",
                 ("removed", "invariant"): "drift removed, rotation-invariant (the protocol)"}
artefact_table = pd.DataFrame({
    (protocol_names[p], variant_names[v]): {findings.label(m): findings.with_interval(r.models[m].per_track_bacc)
                                            for m in artefact_models}
    for p, by in artefact.items() for v in [*variants, ("removed", "invariant")] for r in [by[v]]})
display(tables.show(artefact_table, index="model"))
artefact_rows = {protocol_names[p]: classification.compare_evaluations(by[("kept", "as-is")], by[("removed", "invariant")],
                                                          artefact_models)
                 for p, by in artefact.items()}
display(Markdown(findings.artefact_sentence(artefact_rows)))

# %% [markdown]
# ### Which conditions are confused
#
# Test tracks of the best model under both protocols, counted over all folds; each row is a
# true condition and sums to 1.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-confusion", "caption": "Confusion matrices (rows: true condition, columns: predicted; shares of each row) of the best classifier by leave-one-donor-out, one donor held out in turn (left) and folds grouped by cell (right)."}}
best = findings.ranking(cls["donor"].models)[0]
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, (p, r) in zip(axes, cls.items()):
    cm = np.asarray(r.models[best].confusion, dtype=float)
    cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    ax.imshow(cm, vmin=0, vmax=1, cmap="Blues")
    for (i, j), x in np.ndenumerate(cm):
        ax.text(j, i, f"{x:.2f}", ha="center", va="center", color="w" if x > 0.6 else "k")
    names = r.conditions or conditions
    ax.set(xticks=range(len(names)), xticklabels=names, yticks=range(len(names)),
           yticklabels=names, xlabel="predicted", ylabel="true",
           title=f"{findings.label(best)}, {protocol_names[p]}")
fig.tight_layout()

# %% [markdown]
# ## Generation: does the LSTM-MDN predict real steps?
#
# One LSTM mixture density network per condition (the report's 10 units and 10 Gaussian
# components) is trained on the tracks of most of the cells and scored on the others (the
# share held out is set by `test_fraction`; the counts are printed below the code): the
# negative log-likelihood (NLL) per held-out step, in nats with velocities in px/frame (lower
# is better). The baselines are a Gaussian for independent steps and a persistent random walk
# (AR(1)) shared by all cells of a condition, fitted to the same training tracks. Intervals
# resample held-out cells (the pieces of a track cut at missing frames together); early
# stopping holds out training cells, not pieces.

# %%
t0 = time.perf_counter()
train_idx, test_idx = split_tracks(traj, test_fraction=test_fraction, seed=seed)
gens = generation.train_generators(  # one network per condition, the conditions at once
    {cond: (generation.condition_velocities(traj, cond, train_idx), traj.modelled_dims(cond),
            {"track_ids": generation.condition_track_ids(traj, cond, train_idx)}) for cond in conditions},
    n_jobs=n_jobs, units=10, n_components=10, epochs=gen_epochs, patience=gen_patience,
    batch_size=gen_batch_size, seed=seed, jit_compile=jit_compile, scale_quantile=0.999,
    progress=True)
nll = generation.heldout_nll_table(traj, train_idx, test_idx, generators=gens, n_boot=n_boot, seed=seed)
wall["generation"] = time.perf_counter() - t0
n_train, n_test = (len(set(traj.subset(i).cells)) for i in (train_idx, test_idx))
print(f"{n_train:,} cells for training, {n_test:,} held out "
      f"({n_test / (n_train + n_test):.0%}; test_fraction = {test_fraction:g})")
tables.show(pd.DataFrame({
    "condition": nll["condition"], "model": nll["label"], "held-out tracks": nll["n_tracks"],
    "NLL [nats/step]": nll["nll"],
    "LSTM-MDN − model [nats/step], 95 % interval": [
        f"{d:+.3f} ({lo:+.3f} to {hi:+.3f})".replace("-", "−") if np.isfinite(d) else None
        for d, lo, hi in zip(nll["diff_vs_mdn"], nll["lower"], nll["upper"])]}),
    digits=3, missing="the LSTM-MDN against itself")

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-nll", "caption": "Held-out NLL per step of the LSTM-MDN minus each baseline's [nats], with 95 % bootstrap intervals over held-out cells; below 0 the LSTM-MDN predicts the held-out steps better."}}
nll_rows = nll.to_dict(orient="records")
base = [r for r in nll_rows if "mdn" not in str(r["model"]).lower()]
models_b = list(dict.fromkeys(r["model"] for r in base))
fig, ax = plt.subplots(figsize=(7, 3.4))
for k, m in enumerate(models_b):
    rr = [next(r for r in base if r["condition"] == c and r["model"] == m) for c in conditions]
    x = np.arange(len(conditions)) + (k - (len(models_b) - 1) / 2) * 0.25
    y = np.array([r["diff_vs_mdn"] for r in rr])
    err = np.array([[r["diff_vs_mdn"] - r["lower"], r["upper"] - r["diff_vs_mdn"]] for r in rr]).T
    ax.errorbar(x, y, yerr=err, fmt="o", capsize=3, label=str(rr[0].get("label", m)))
ax.axhline(0, color="k", lw=0.8)
ax.set(xticks=range(len(conditions)), xticklabels=conditions,
       ylabel="LSTM-MDN − baseline NLL [nats/step]")
ax.legend(fontsize=8)
fig.tight_layout()

# %% tags=["remove-input"]
display(Markdown(findings.nll_sentence(nll_rows, V)))

# %% [markdown]
# ## Superstatistics: persistence and speed per condition
#
# The Bayesian analysis of {cite:t}`metzner2015` (bayesloop, {cite}`mark2016bayesloop`) follows
# each track's persistence q and cell speed c as they drift, and averages the posteriors of the
# tracks of a condition into one density. The speed grid comes from the data: from 0 to 1.5
# times the 99 % quantile of the tracks' speeds (root mean square of their velocity
# components, in px/frame; `cellmotion.superstats.speed_range_for`), not a value tuned to these
# cells, and it is checked: where posterior mass piles at its top edge the fits are redone on a
# wider grid, and a condition that still piles is named. To keep the chapter fast, a seeded
# subsample of tracks per condition is fitted.

# %%
t0 = time.perf_counter()
sub = superstats.subsample_per_condition(traj.conditions, max_superstat_per_condition, seed=seed)
fits, model, grid_check = superstats.fit_on_fitting_grid(
    lambda m: superstats.load_or_fit(art / f"real_cells_superstats_speed{m.speed_range[1]:g}.npz", traj.subset(sub), m, n_jobs=-1,
                            progress=False, on_error="skip"),
    superstats.SuperstatModel(n_persistence=superstat_grid, n_speed=superstat_grid,
                     speed_range=superstats.speed_range_for([traj.velocities[i] for i in sub])))
speed_max = model.speed_range[1]
wall["superstatistics"] = time.perf_counter() - t0
print(f"speed grid 0–{speed_max:g} {V}; fitted {len(fits)} tracks "
      f"({len(fits.meta.get('failed', []))} could not be fitted)")
display(Markdown(stat_findings.grid_sentence(grid_check.to_dict("records"), model.speed_range, True, unit=V,
                                  attempts=grid_check.attrs["attempts"], withheld=grid_check.attrs["withheld"],
                                  history=grid_check.attrs["history"], names=["fitted tracks"])))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-real-superstats", "caption": "Persistence-speed densities per condition (time-averaged posteriors, equal weight per track), with the 10, 25 and 50 % highest-density regions; speed c in px/frame."}}
fig, axes = plt.subplots(1, len(conditions), figsize=(3.6 * len(conditions), 3.4), squeeze=False)
for ax, cond in zip(axes[0], conditions):
    figures.plot_density(ax, fits.condition_density(cond), model, color=palette[cond], speed_unit=V)
    ax.set_title(f"{cond} ({int((fits.conditions == cond).sum())} tracks)")
fig.tight_layout()

# %% [markdown]
# How much two conditions' densities overlap (Bhattacharyya coefficient: 1 = identical,
# 0 = disjoint): bias-corrected estimates with basic 95 % bootstrap intervals from resampling
# the fitted cells (an overlap averaged from few tracks is biased low; see the statistics chapter):

# %% tags=["remove-input"]
overlap_table = superstats.condition_overlaps(fits, n_boot=n_boot, seed=seed)
overlaps = overlap_table.to_dict(orient="records")
display(tables.show(pd.DataFrame({
    "conditions": overlap_table["condition_a"] + " / " + overlap_table["condition_b"],
    "fitted tracks": overlap_table["n_a"].astype(str) + " / " + overlap_table["n_b"].astype(str),
    "overlap (bias-corrected), 95 % interval": [
        f"{b:.3f} ({lo:.3f}–{hi:.3f})" for b, lo, hi in
        zip(overlap_table["bhattacharyya"], overlap_table["lower"], overlap_table["upper"])]})))
display(Markdown(findings.overlap_sentence(overlaps)))

# %% tags=["remove-cell"]
peaks = {}
for cond in conditions:
    d = fits.condition_density(cond)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    peaks[cond] = {"persistence": float(model.persistence_grid[i]), "speed": float(model.speed_grid[j])}
wall["total"] = time.perf_counter() - t_start
metrics = findings.real_cells_metrics(
    info=info, profile=profile, seed=seed, conditions=conditions, totals=totals,
    per_donor={f"{c}|{r}": row for (c, r), row in
               per_donor.stack(info.replicate_name).to_dict(orient="index").items()},
    classification=cls, cost=cost, artefact=artefact, artefact_rows=artefact_rows,
    artefact_models=artefact_models,
    settings={"models": classifiers, "artefact_models": artefact_models,
              "cv_folds": cv_folds, "cv_repeats": cv_repeats,
              "seeds": classifier_seeds, "max_epochs": max_epochs,
              "batch_size": batch_size, "patience": patience,
              "inputs": "invariant", "drift": "subtract-movie-mean",
              "intervals": "Nadeau-Bengio corrected t, each fold's own cells",
              "multiple_comparisons": "Holm over all pairs of one table",
              "max_tracks_per_condition": max_tracks_per_condition},
    ours_lines=ours_lines, drift_rows=drift_rows, drift_words=drift_words, nll_rows=nll_rows,
    generation_epochs={c: g.epochs_run for c, g in gens.items()},
    superstats={"model": model.to_dict(), "n_fitted": int(len(fits)),
                "failed": list(fits.meta.get("failed", [])), "overlaps": overlaps, "peaks": peaks,
                "grid_check": grid_check.to_dict("records"), "grid_fits_run": grid_check.attrs["attempts"],
                "withheld": grid_check.attrs["withheld"]},
    wall=wall)
_ = write_json(art / "real_cells_metrics.json", metrics)

# %% [markdown]
# ## What it means for a lab
#
# What the sentences above mean for a lab. The tracks are short and gappy, so most of what
# was recorded never reaches a classifier (the counts at the top). Donors differ, so a score
# with folds grouped by cell can overstate what the same classifier does on the next donor:
# the leave-one-donor-out score is the one to quote, and the difference between the two is
# the donor effect. Whether the LSTM-MDN is worth its training time is decided per condition
# by the held-out likelihoods, and the overlaps of the superstatistical densities say how far
# apart the chemoattractants move the cells in persistence and speed. Every number is in
# pixels and frames: with a calibration (µm per pixel, minutes per frame) in the config,
# speeds would be rescaled, persistence would not change, and the classifiers would see the
# same tracks up to one scale factor.

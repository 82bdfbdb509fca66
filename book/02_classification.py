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
# # Classifying trajectories by their condition
#
# Can a recurrent network tell from a short piece of a cell's path under which condition the
# cell moved? The report {cite}`rieke2016` (its section 4) answered with stacked LSTM layers
# {cite}`hochreiter1997,graves2013` that read 30 velocity steps and end in a softmax over the
# conditions. This chapter first rebuilds its four networks, its Table 2 and its Figures 6 and
# 7 on one 80/20 split, then asks what one split cannot: with every model on the same
# folds grouped by cell, scored by **balanced accuracy per track** with 95 % intervals, does
# a sequence model beat two strong peers (a random forest on motility features and MiniRocket,
# Dempster, Schmidt & Webb 2021)?
#
# ## The answer
#
# ```{glue:figure} classification-answer
# :name: fig-classification-answer
#
# Balanced accuracy per track of every model, scored on the same folds (dot: mean over the
# folds; line: 95 % interval, Nadeau–Bengio corrected; hollow: no valid interval); the dotted
# line is chance. Which tracks were classified is said in the box below the parameters.
# ```
#
# ```{glue:md} classification-answer-text
# :format: myst
# ```
#
# The rest of the chapter is the evidence: the report's networks on one split
# ({numref}`fig-per-class-training`, {numref}`fig-window-length`), then every model on the same
# folds with intervals, where the errors are ({numref}`fig-confusion`) and how far a probability
# can be trusted ({numref}`fig-reliability`).
#
# ## Parameters

# %% tags=["parameters", "hide-input"]
dataset = "synthetic"  # "synthetic", a dataset config (YAML) or a tidy CSV path
profile = "full"  # "full" or "smoke"
seed = 0  # seed of split, folds and network initialisation
artifacts = None  # results folder; None: a scratch folder (the built book is never changed)
interval = None  # common sampling interval; None: the dataset's (the report: 5 min)
window = None  # steps per window; None: the dataset's (the report: 30)
networks = ["A", "B", "C", "D"]  # the report's networks of Table 2 and Figure 7
cv_models = ["report-best", "ours", "forest", "minirocket", "ours+forest", "ours+minirocket"]
cv_folds = 5  # grouped (by cell), stratified folds
cv_repeats = 1  # repetitions of the k-fold split with different shuffles
seeds = [0, 1]  # network seeds per fold; their probabilities are averaged (a seed ensemble)
cv_batch_size = 128  # training windows per batch in the folds (learning rate by the square-root rule)
n_jobs = 2  # folds trained at once, in worker processes (each keeps about one core busy)
max_epochs = 50  # upper bound of the fast schedule (early stopping usually ends sooner)
window_lengths = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180]  # steps, for Figure 7
max_tracks = None  # tracks per condition; None takes all (smoke uses a subset)
max_positions = 70_000  # positions used at most, whole cells from every condition (None: all; lifted on a Dask cluster; cellmotion.budget)
noise_models = ["forest", "minirocket"]  # peers scored again with one tracking-noise model (synthetic only)
shared_noise = (2.0, 0.0)  # that noise model: r.m.s. [µm] and correlation time [min] (0: white)

# %% tags=["remove-input"]
import time
import warnings
from dataclasses import replace

from tqdm import TqdmWarning

# the progress bars fall back to text where the notebook has no widgets: say nothing about it
warnings.filterwarnings("ignore", category=TqdmWarning)

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from myst_nb import glue

from cellmotion import budget, classification, figures, scoreplots, tables
from cellmotion.contract import validate_tracks
from cellmotion.datasets import analysis_interval, dataset_info, is_synthetic, load_dataset
from cellmotion.findings import classification as findings
from cellmotion.paths import atomic_path
from cellmotion.preprocess import split_tracks, to_trajectories
from cellmotion.profiles import chapter_folders
from cellmotion.summary import data_admonition
from cellmotion.synthetic.simulator import simulate_dataset

info = dataset_info(dataset)
interval = interval or analysis_interval(dataset)
window = int(window or info.window_length)
unit = info.speed_unit
art, read_from = chapter_folders(artifacts, dataset, profile)
figures.setup_style()
wall = {}
t_chapter = time.perf_counter()

# %% tags=["remove-input"]
display(HTML(data_admonition(info)))

# %% [markdown]
# ## Load and prepare the tracks
#
# As in the data chapter: every condition resampled to one interval, velocities per step.
# Tracks are cut into non-overlapping windows of the dataset's window length.

# %% tags=["hide-input"]
traj = to_trajectories(load_dataset(dataset), interval)
keep = None
if max_tracks:  # a seeded subset of each condition (across replicates, where there are any)
    rng = np.random.default_rng(seed)
    keep = np.concatenate([np.sort(rng.permutation(np.flatnonzero(traj.labels == c))[:max_tracks])
                           for c in range(len(traj.condition_names))])
    traj = traj.subset(keep)
traj_all = traj  # a large dataset: at most max_positions positions, whole cells (cellmotion.budget)
in_budget = budget.within_budget(traj_all, budget.cap(max_positions), seed)
traj = traj_all.subset(in_budget)
names = traj.condition_names
palette = figures.condition_palette(names)
flat = traj.drop_z()  # every comparison below is without z
tables.show(pd.DataFrame({"tracks": np.bincount(traj.labels, minlength=len(names)),
                          "cells": [len(set(traj.cells[traj.labels == c])) for c in range(len(names))],
                          "velocity steps per track (median)": [
                              int(np.median(traj.lengths()[traj.labels == c])) for c in range(len(names))]},
                         index=names), index="condition")
display(Markdown(budget.budget_sentence(traj_all, in_budget, budget.cap(max_positions))))

# %% [markdown]
# ## A schedule that fits the time budget
#
# The report trained with batches of 15 for 100 epochs. We train the report's networks on one
# split with batches of 48 and a learning rate of 0.002 (about the report's 0.001 times
# $\sqrt{48/15}$), clip the gradient norm, and stop early when the class-weighted loss on a
# validation set of *training cells* (15 %, whole cells with every piece of their tracks, never
# test cells) stops improving, keeping the best weights. The many networks of the folds further
# down are trained with batches of 128 and the learning rate scaled by the same square-root
# rule (an epoch then costs about half as much on a CPU). Every network of this chapter is
# trained by the same function (`classification.train_network`).
# `benchmarks/bench_classify_schedule.py` trains each network both ways on the same split
# (without z) and compares test balanced accuracy (see the benchmarks appendix).

# %% tags=["remove-input"]
schedule = replace(classification.FAST, max_epochs=max_epochs)
display(Markdown(findings.schedule_sentence(schedule)))

# %% [markdown]
# ## The report's networks A–D on one 80/20 split
#
# One seeded 80/20 split by cell, stratified by condition, as the report. Velocities are
# scaled as the report did (divided by the largest component of the training tracks; the fast
# schedule then multiplies them by one fixed gain). Loss: cross-entropy with class weights
# $w_i = N/(K N_i)$, where $N_i$ counts the training *windows* of class $i$. Each network is
# trained twice: with z, the report's setting, and without z. Network B, the report's
# smallest well-performing network:

# %%
classification.build_classifier(classification.NETWORKS["B"], len(traj.dims), len(names)).summary()

# %% tags=["hide-input", "remove-stderr"]
train_idx, test_idx = split_tracks(traj, 0.2, seed=seed)
z_variants = {"with z": traj, "without z": flat} if "z" in traj.dims else {"without z": flat}
t0 = time.perf_counter()
split_results = classification.train_and_evaluate_all(z_variants, networks, train_idx, test_idx, schedule, window,
                                         seed=seed, scaler="report", per_class_history=["B"],
                                         n_jobs=n_jobs, progress=True)  # networks at once
for name, result in split_results[list(z_variants)[0]].items():
    with atomic_path(art / f"classifier_{name}.keras") as tmp:  # never a half-written model
        result.model.save(tmp)
wall["table2"] = time.perf_counter() - t0

# %% [markdown]
# ### Accuracy on one split (the report's Table 2)
#
# Accuracy per test window (overall and per condition, the report's columns), balanced
# accuracy (the mean of the per-condition accuracies, which a classifier cannot raise by
# favouring the largest condition), and balanced accuracy per track (the window probabilities
# of each test track averaged into one decision).

# %% tags=["hide-input"]
keys = ["overall", *names, "balanced", "per_track", "per_track_balanced"]
table2 = {z: {n: {k: r.metrics[k] for k in keys} | {"epochs": r.epochs} for n, r in res.items()}
          for z, res in split_results.items()}
for z, t in table2.items():
    display(Markdown(f"**{z.capitalize()}**" + (" (the report's setting)" if z == "with z" else "")))
    display(tables.show(classification.table2_frame(t, names, show_report=info.report_kind and z == "with z",
                                       ours_label=f"ours, {z}"), digits=2,
                        missing="not reported (the report's columns are per window)"))

# %% tags=["remove-input"]
lines = [findings.table2_sentence(table2[list(table2)[0]], classification.REPORT_TABLE2 if info.report_kind else None)]
if len(table2) == 2:
    lines.append(findings.z_shortcut_sentence(table2["with z"], table2["without z"]))
display(Markdown("\n".join(f"- {s}" for s in lines)))

# %% [markdown]
# ### What the network learns first
#
# The report saw its networks learn Collagen first and separate Plastic from Fibronectin only
# later. Accuracy per condition on the training windows of network B, epoch by epoch (epoch 0
# is the untrained network), in the report's setting.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-per-class-training", "caption": "The report's Figure 6, recomputed: accuracy per condition on the training windows of network B after every epoch (the report's setting: with z where the data has z)."}}
z6 = list(split_results)[0]
if "B" in split_results[z6]:
    per_class = np.asarray(split_results[z6]["B"].history["per_class"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for c, name in enumerate(names):
        ax.plot(np.arange(len(per_class)), per_class[:, c], color=palette[name], label=name)
    ax.set(xlabel="epoch [passes over the training windows]", ylabel="training accuracy [fraction]",
           ylim=(0, 1.02), title=f"Network B, per-condition training accuracy, {z6}")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(frameon=False)
    plt.show()

# %% [markdown]
# ### How long must a window be?
#
# The networks were trained on windows of one length but accept any length. We cut the test
# tracks into non-overlapping windows of other lengths and score balanced accuracy, without z.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-window-length", "caption": "The report's Figure 7, recomputed without z for every network: test balanced accuracy against the length of the test windows; dotted: the training window length."}}
acc_by_length = {n: classification.accuracy_by_window_length(r, window_lengths)
                 for n, r in split_results["without z"].items()}
fig, ax = plt.subplots(figsize=(6, 3.5))
for n, accs in acc_by_length.items():
    ax.plot(np.asarray(window_lengths) * traj.dt, accs, marker="o", label=f"network {n}")
ax.axvline(window * traj.dt, color="grey", ls=":", lw=1)
ax.axhline(1 / len(names), color="grey", lw=0.8)
ax.set(xlabel=f"window length [{info.time_unit}]", ylabel="test balanced accuracy [fraction]",
       ylim=(0, 1.02), title="Test balanced accuracy by window length, without z")
ax.legend(frameon=False)
plt.show()

# %% tags=["remove-input"]
display(Markdown(findings.window_length_sentence(window_lengths, acc_by_length, traj.dt, info.time_unit,
                                          window)))

# %% [markdown]
# ## Every model on the same folds
#
# One split tests on a few dozen tracks, and window accuracy rewards a classifier for
# favouring the largest condition. From here on:
#
# - **Folds.** Stratified k-fold grouped by cell (`StratifiedGroupKFold` {cite}`pedregosa2011`:
#   no cell has windows on both sides), repeated `cv_repeats` times with different shuffles
#   (once in the full profile, which must fit its time budget), and, where the data
#   has replicates (donors, movies), also leaving one replicate out — then the primary
#   protocol, since a lab applies a classifier to a new experiment. Every model sees the same
#   folds, without z.
# - **Score.** Balanced accuracy per track (each test cell's window probabilities averaged
#   into one decision) is the headline; balanced accuracy per window and macro-F1 beside it.
# - **Intervals.** The 95 % interval of a mean over folds uses the corrected resampled t of
#   Nadeau & Bengio, with each fold's own numbers of test and training cells: the folds share
#   training data (k-fold as well as one replicate left out in turn), so the naive t interval
#   is too narrow. With fewer than three folds, or folds that do not vary, no interval exists
#   and nothing is claimed. Comparisons are paired per fold; the p values of all pairs of
#   models of one protocol are adjusted by Holm's method (per track and per window
#   separately), and a model is said to beat another only when the interval of the
#   difference excludes 0 *and* the adjusted p is below 0.05. The tables show both p values,
#   the unadjusted one and the adjusted one ("p (Holm)") a claim rests on.
# - **Seeds.** Each network is trained with every seed in `seeds` on every fold and the
#   seeds' probabilities are averaged (a seed ensemble); the peers use the first seed. Folds
#   are trained `n_jobs` at a time in worker processes, with the same seeds and the same
#   results as in one process (the test suite checks).
# - **Inputs.** No model may read the direction of motion: a movie's drift or a chamber's
#   orientation would otherwise pass for the condition. Every model reads inputs that do not
#   change when a whole window is rotated — the networks and MiniRocket the log speed and the
#   turning angle into each step, the forest its speeds, angles and lengths. Only a dataset
#   whose config says `direction: signal` (the direction carries the condition, e.g. a
#   gradient along the same axis in every movie) is also scored on the models' own inputs,
#   shown beside. Network velocities are divided by their standard deviation on the training
#   tracks (the report's division by the largest component is ruled by one tracking jump on
#   real tracks).
#
# The peers: a class-balanced random forest on the motility measures a cell biologist computes
# per window (celltrackR's per-track measures: speeds, straightness, displacement and outreach
# ratios, turning, autocorrelation, radius of gyration, asphericity, MSD exponent) and aeon's
# MiniRocket (1,000 random convolution kernels, a class-balanced ridge classifier whose
# scores are calibrated into probabilities; Dempster, Schmidt & Webb, KDD 2021). Two ensembles
# average the window probabilities of our network with those of a peer.
#
# ### Our network, and how its design was chosen
#
# A cell on a dish has no preferred direction and no handedness: the network reads the log
# speed and the turning angle into each step (computed inside the network), every training
# window is mirrored at random, and one convolution layer (32 filters of 5 steps) feeds one
# LSTM layer of 32 units. This design was fixed on the synthetic stand-in before the folds
# below were scored. How a design is to be chosen is recorded in
# `benchmarks/bench_classify_ablation.py --select`: it ranks candidate designs (among them
# one that reads speed and turning at 1, 2 and 4 steps) on the synthetic stand-in and, on the
# real leukocytes, only on inner folds of the training donors, so that the donor a design is
# scored on never helps to choose it. Whether the design wins is decided by the tables below,
# not assumed.

# %%
ours_inputs = classification.input_candidate("ours", "invariant").network
classification.build_classifier(ours_inputs, len(flat.dims), len(names)).summary()

# %% tags=["hide-input", "remove-stderr"]
direction = getattr(info, "direction", "artefact")  # "signal": the direction carries the condition
input_kinds = ["invariant", "as-is"] if direction == "signal" else ["invariant"]
folds = classification.grouped_folds(flat, window, n_splits=cv_folds, n_repeats=cv_repeats, seed=seed)
cv_schedule = classification.fast_schedule(cv_batch_size, max_epochs)  # larger batches: cheaper epochs on a CPU
protocols = {"grouped": folds}
if flat.replicates is not None and len(set(flat.replicates)) > 1:
    protocols = {"replicate": classification.replicate_folds(flat), **protocols}  # the primary protocol first
evaluation = {}
for kind in input_kinds:
    for proto, proto_folds in protocols.items():
        key = proto if kind == "invariant" else f"{proto}-as-is"
        t0 = time.perf_counter()
        evaluation[key] = classification.evaluate_models(flat, proto_folds, cv_models, window=window,
                                            seeds=tuple(seeds), schedule=cv_schedule, progress=True,
                                            n_jobs=n_jobs, inputs=kind, report=None)
        wall[key] = time.perf_counter() - t0

# %% tags=["remove-cell"]
primary = next(iter(evaluation.values()))  # leave one replicate out where there are replicates
fig, ax = plt.subplots(figsize=(9, 0.45 * len(cv_models) + 1.4))
scoreplots.score_dots(ax, {findings.protocol_words(r, info.replicate_name): r for r in evaluation.values()},
                      cv_models, findings.label, chance=1 / len(names))
fig.tight_layout()
glue("classification-answer", fig, display=False)
plt.close(fig)
glue("classification-answer-text", Markdown(" ".join(
    [findings.headline_sentence(primary, info.replicate_name),
     findings.win_sentence(primary, "ours", findings.PEERS, info.replicate_name)])), display=False)

# %% [markdown]
# ### One table per protocol
#
# Mean over folds and 95 % interval of each score; recall per condition (per track, mean
# over folds); Brier score of the per-track probabilities; training and prediction seconds.

# %% tags=["hide-input"]
for proto, res in evaluation.items():
    display(Markdown(f"**{findings.protocol_words(res, info.replicate_name).capitalize()}**"))
    display(tables.show(classification.evaluation_frame(res), index="model"))

# %% [markdown]
# ### Paired differences: our network against each model
#
# Balanced accuracy of our network minus that of each other model, paired by fold, per track
# (the headline) and per window (which still separates models when whole tracks are almost
# all classified correctly). "p (unadjusted)" is the p value of one difference on its own;
# "p (Holm)" is adjusted over every pair of models of the protocol, and only it decides
# whether a difference is claimed in the sentences below the tables.

# %% tags=["hide-input"]
for proto, res in evaluation.items():
    display(Markdown(f"**{findings.protocol_words(res, info.replicate_name).capitalize()}**"))
    display(tables.show(classification.paired_frame(res, "ours"), index="ours minus"))

# %% tags=["remove-input"]
lines = []
for proto, res in evaluation.items():
    if res is not primary:  # the primary protocol's headline opens the chapter
        lines += [findings.headline_sentence(res, info.replicate_name),
                  findings.win_sentence(res, "ours", findings.PEERS, info.replicate_name)]
    lines.append(findings.window_sentence(res))
    if "report-best" in res.models:
        lines.append(findings.cap(findings.comparison(res, "ours", "report-best")) + ".")
display(Markdown("\n".join(f"- {s}" for s in lines)))

# %% [markdown]
# ## Where the errors are, and how far to trust a probability
#
# Per-track confusion matrices summed over the folds (grouped by cell), rows normalised to 1,
# for the two best models; then the reliability of their per-track probabilities: among the
# tracks a model gives probability $p$ for its chosen condition, a fraction $p$ should be
# right.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-confusion", "caption": "Per-track confusion matrices summed over the folds grouped by cell, without z; rows: true condition (normalised to 1), columns: predicted condition."}}
res = evaluation["grouped"]
best_two = findings.ranking(res.models)[:2]
fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.8), sharey=True)
for ax, model in zip(axes, best_two):
    cm = np.asarray(res.models[model].confusion, float)
    frac = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    im = ax.imshow(frac, vmin=0, vmax=1, cmap="Blues")
    for (i, j), v in np.ndenumerate(frac):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="white" if v > 0.6 else "black")
    ax.set(xticks=range(len(names)), xticklabels=names, yticks=range(len(names)), yticklabels=names,
           xlabel="predicted condition", title=findings.label(model))
    ax.tick_params(axis="x", labelrotation=30)
axes[0].set_ylabel("true condition")
fig.colorbar(im, ax=axes, shrink=0.8, label="fraction of the condition's tracks")
plt.show()

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-reliability", "caption": "Reliability of the per-track probabilities of the two best models (folds grouped by cell, all folds pooled): fraction of tracks classified correctly against the mean probability of the chosen condition, per bin of that probability (numbers: tracks in the bin; empty bins left out); the diagonal is perfect calibration."}}
fig, ax = plt.subplots(figsize=(4.5, 4))
for model in best_two:
    scoreplots.reliability(ax, res.models[model].reliability,
                           f"{findings.label(model)} (Brier {res.models[model].brier:.2f})")
ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
ax.set(xlabel="probability of the chosen condition", ylabel="fraction correct", xlim=(0, 1),
       ylim=(0, 1.02), title="Reliability per track")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% tags=["remove-input"]
display(Markdown("\n".join(f"- {s}" for s in [
    *(findings.recall_sentence(res, m) for m in best_two),
    findings.calibration_sentence(res, list(res.models))])))

# %% [markdown]
# ## What the task measures on the stand-in
#
# In the simulator the conditions differ in how their cells move *and* in how they are seen:
# Collagen's positions carry white tracking noise, the dishes' noise is correlated over
# 30 min (both 2 µm r.m.s.). A classifier is free to use either. To separate them we show the
# **same cells** (same motion at every step, same tracks, same folds) through one tracking
# error for every condition (`shared_noise`: white, 2 µm r.m.s.; `simulate_dataset(...,
# noise_override=...)`) and score the two fast peers again. Where the score drops, part of
# what they learned was the noise model, not the motion. (Synthetic stand-in only: real data
# has one noise model, whatever the tracker made of it.) The p values of the table are
# adjusted by Holm's method over its rows (per track and per window separately), and a drop
# or a rise is claimed only when the interval excludes 0 and the adjusted p is below 0.05.

# %% tags=["hide-input"]
noise_rows = []
if is_synthetic(dataset) and noise_models:
    t0 = time.perf_counter()
    shared = to_trajectories(validate_tracks(simulate_dataset(seed=0, noise_override=tuple(shared_noise)),
                                             source="synthetic, one noise model"), interval)
    shared = shared.subset(keep) if keep is not None else shared
    shared_flat = shared.drop_z()
    if list(shared_flat.track_ids) != list(flat.track_ids):
        raise RuntimeError("the noise ablation must see the same tracks in the same order")
    evaluation_shared = classification.evaluate_models(shared_flat, folds, noise_models, window=window,
                                          seeds=tuple(seeds[:1]), report=None, n_jobs=n_jobs)
    noise_rows = classification.compare_evaluations(evaluation["grouped"], evaluation_shared, noise_models)
    wall["noise_ablation"] = time.perf_counter() - t0
    claim_words = {1: "drop", -1: "rise", 0: "none claimed"}
    display(tables.show(pd.DataFrame(noise_rows).assign(
        model=lambda d: d["model"].map(findings.label), claim=lambda d: d["claim"].map(claim_words))[
        ["model", "per", "a", "b", "diff", "lower", "upper", "p", "p_holm", "claim", "reason"]], headers={
        "a": "own noise models", "b": "one noise model", "diff": "own minus one",
        "lower": "95 % interval, lower", "upper": "95 % interval, upper", "per": "balanced accuracy per",
        "p": "p (unadjusted)", "p_holm": "p (Holm)", "claim": "change claimed"},
        digits=3, missing="no interval (too few folds)"))
else:
    print("the noise ablation needs the synthetic stand-in: skipped")

# %% tags=["remove-input"]
if noise_rows:
    display(Markdown(findings.noise_ablation_sentence(noise_rows)))

# %% [markdown]
# ## Save models and metrics
#
# The networks of Table 2 (`classifier_<name>.keras`, inputs: velocities divided by the
# training scale) and every number of this chapter go to the artifacts folder; the keys of
# `classification_metrics.json` are documented in `cellmotion.classification`.

# %% tags=["hide-input"]
wall["chapter"] = time.perf_counter() - t_chapter
metrics = classification.chapter_metrics(
    dataset=str(dataset), synthetic=info.synthetic, profile=profile, seed=seed, conditions=names,
    window=window, schedule=schedule, table2=table2, report_kind=info.report_kind,
    window_lengths=window_lengths, acc_by_length=acc_by_length, evaluation=evaluation,
    cv_folds=cv_folds, cv_repeats=cv_repeats, wall=wall,
    noise_ablation={"shared_noise": list(shared_noise), "rows": noise_rows} if noise_rows else None)
_ = classification.save_json(metrics, art / "classification_metrics.json")

# %% [markdown]
# ## How to read these numbers
#
# A window classifier that is right 90 % of the time can still be useless
# for the smallest condition: balanced accuracy gives every condition the same weight, and
# scoring per track answers the question a biologist asks (which condition was this cell
# in?). An interval that contains 0 means the data cannot rank the two models, however
# different their means look. With z, a 2D condition is given away by a z that never changes,
# so every comparison is made without it.

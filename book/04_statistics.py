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
# # Statistics: persistence and speed of original and generated cells
#
# Pictures of tracks only go so far. The report {cite}`rieke2016` therefore compared original
# and generated trajectories with the superstatistical analysis of {cite:t}`metzner2015`:
# every cell is described, at every time step, by its *persistence* and its *cell speed*, both
# free to drift; bayesloop {cite}`mark2016bayesloop,mark2018` infers the two at every step,
# and averaging the posteriors over time and cells gives one density per condition. The report
# found the generated densities at the right place but "much narrower". This chapter asks how
# close the generated densities are to those of real cells the networks never saw, measured
# against how close two samples of real cells are, for the report's sampler and for the
# corrected one.
#
# ## The answer in one figure
#
# ```{glue:figure} stat-answer-figure
# :name: fig-stat-answer
#
# How much the persistence-and-speed density of generated tracks overlaps that of held-out
# cells (Bhattacharyya coefficient, 1 = identical; colour, filled: corrected sampler, hollow:
# the report's), beside the overlap of two samples of real training cells with the same
# held-out cells at equal numbers of tracks (grey squares), per condition, with 95 % intervals
# from a bootstrap over cells.
# ```
#
# ```{glue:md} stat-answer-text
# :format: myst
# ```
#
# Before the comparison, the chapter checks that the analysis recovers known parameters, fits
# 2D conditions on x and y only, and derives its speed grid from the tracks. Which tracks this
# build analyses (by default the book's synthetic stand-in, not real cells) is said in the box
# under the parameters; the report's own results are quoted as the report's.
#
# ## Parameters
#
# Papermill sets these when the book is built (`python -m cellmotion.build`). To re-execute
# this chapter with other parameters, run it with papermill, e.g. `-p profile smoke -p n_grid
# 100`, or download the executed notebook with the button at the top of the page.

# %% tags=["parameters", "hide-input"]
dataset = "synthetic"  # "synthetic" or a tidy CSV path
profile = "full"  # "full" or "smoke"
seed = 0  # seed of the track subsets and the recovery simulation
artifacts = None  # results folder; None: a scratch folder (the built book is never changed)
interval = None  # sampling interval of the analysis [min]; None: the dataset's (the report: 5)
n_grid = 200  # grid points per parameter (the report: 200 x 200)
speed_max = None  # upper end of the speed grid [dataset's speed unit]; None: derived from the tracks
                  # (the report: 1.5 µm/min, which fits only its kind of cells)
sigma = 0.03  # s.d. of the Gaussian random walks per step (the report: 0.03)
log10_pmin = -7.0  # regime-switch floor (the report: -7)
max_original_per_condition = 0  # 0: every original track (the report: all 311)
max_positions = 70_000  # positions used at most, whole cells from every condition (the generation chapter's; None: all; lifted on a Dask cluster; cellmotion.budget)
max_generated_per_condition = 40  # generated tracks fitted per condition and sampler (0: all; lifted on a Dask cluster).
                                  # They are the generator's, not the user's data: this bounds their fits' cost whatever the dataset's size
flat_z_condition = "Plastic"  # 2D condition for the flat-z demonstration
flat_z_tracks = 30  # tracks of that condition fitted with z kept
n_jobs = 0  # parallel fits (0: all cores)
refit = False  # True: ignore saved posteriors
test_fraction = 0.2  # held-out share of the generation chapter's split (same seed): the real-vs-real reference
n_boot = 1000  # bootstrap resamples of tracks for every interval
sensitivity_sigmas = [0.01, 0.03, 0.1]  # random-walk s.d.s of the sensitivity check
sensitivity_tracks = 8  # original tracks per condition refitted for each of them
sensitivity_grid = 50  # grid points per parameter of the sensitivity fits (coarse, to stay cheap)

# %% tags=["remove-input"]
from IPython.display import HTML, display

from cellmotion.datasets import analysis_interval, dataset_info
from cellmotion.summary import data_admonition

interval = interval or analysis_interval(dataset)
info = dataset_info(dataset)
display(HTML(data_admonition(info)))

# %% tags=["remove-input"]
import json
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from dataclasses import replace
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from myst_nb import glue

from cellmotion import budget, figures, tables
from cellmotion import superstats
from cellmotion.datasets import is_synthetic, load_dataset
from cellmotion.contract import validate_tracks
from cellmotion.findings import statistics as findings
from cellmotion.paths import write_json
from cellmotion.preprocess import split_tracks, to_trajectories
from cellmotion.profiles import chapter_folders, find_artifact
from cellmotion.report import CALIBRATION_TARGETS, SETTINGS_ORIGIN
from cellmotion.synthetic.oracle import analysis_parameters, true_parameters_for

# targeted filters only: bayesloop's numpy warnings at the open grid's edges
warnings.filterwarnings("ignore", category=RuntimeWarning, module="bayesloop")
warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")  # no widgets in the book
warnings.filterwarnings("ignore", category=DeprecationWarning, module="bayesloop")
figures.setup_style()
art, read_from = chapter_folders(artifacts, dataset, profile)
unit = info.speed_unit  # µm/min, or px/frame for uncalibrated data
# the report's grid, for the recovery check on simulated tracks of known speed (0.3-0.7 µm/min);
# the tracks of the dataset get a grid derived from their own speeds further down
model = superstats.SuperstatModel(n_persistence=n_grid, n_speed=n_grid, speed_range=(0.0, 1.5),
                                  sigma_persistence=sigma, sigma_speed=sigma, log10_pmin=log10_pmin)
jobs = n_jobs if n_jobs > 0 else -1
cap = lambda n: n if n and n > 0 else None  # 0 = no cap
bar = {"progress_interval": 30.0}  # few progress-bar updates on the console
t_chapter = time.perf_counter()
SAMPLER = {"fixed": "corrected", "original": "report's"}

# %% [markdown]
# Where each setting comes from: the report's text, the original code that came with it
# (not stated in the text), or this book (ours).

# %% tags=["remove-input"]
settings = pd.DataFrame(
    [{"setting": k, "origin": v} for k, v in SETTINGS_ORIGIN.items()
     if any(w in k for w in ("bayesloop", "grid", "sigma", "regime"))]
    + [{"setting": f"grid here: {n_grid} x {n_grid}, speed "
                   + ("range from the tracks" if speed_max is None else f"0 to {speed_max} {unit}"),
        "origin": "ours (profile)"},
       {"setting": f"random-walk sigma here: {sigma}", "origin": "original code" if sigma == 0.03 else "ours"},
       {"setting": f"at most {max_generated_per_condition} generated tracks per condition", "origin": "ours"},
       {"setting": f"compared with the held-out {test_fraction:.0%} of cells", "origin": "ours"},
       {"setting": "reference: two halves of the training cells", "origin": "ours"},
       {"setting": f"bootstrap over cells, {n_boot} resamples, basic intervals", "origin": "ours"},
       {"setting": f"sensitivity: sigma in {sensitivity_sigmas}, {sensitivity_tracks} tracks, "
                   f"{sensitivity_grid} x {sensitivity_grid} grid", "origin": "ours"}])
tables.show(settings, headers={"setting": "Setting", "origin": "Where it comes from"})

# %% [markdown]
# ## The model
#
# Each velocity component follows a persistent random walk whose two parameters change over
# time {cite}`metzner2015`:
#
# $$ v_t = q_t\, v_{t-1} + c_t \sqrt{1 - q_t^2}\; n_t, \qquad n_t \sim \mathcal N(0, 1). $$
#
# $q_t$ is the persistence (the correlation of successive velocities; negative values mean
# back-and-forth motion) and $c_t$ the cell speed in µm/min (the stationary s.d. of one
# component; the report's note: $c_t = a_t/\sqrt{1-q_t^2}$ for the activity $a_t$). bayesloop's
# `ScaledAR1` observation model is exactly this process. Between steps both parameters move by a
# Gaussian random walk (s.d. 0.03) and, rarely, jump anywhere (regime switch,
# $\log_{10} p_\text{min} = -7$). The posterior is computed on a grid: persistence in (−1, 1),
# speed from 0 to a maximum, 200 × 200 points in the full profile. The report's maximum, 1.5 µm/min,
# fits its cancer cells; cells ten times faster would pile all their posterior mass on the grid's
# edge. So the speed range here is derived from the tracks (1.5 times the 99 % quantile of the
# tracks' speeds, in the dataset's units) and checked after the fits: where more than 1 % of a
# condition's posterior mass lies in the top 5 % of the range, the fits are redone on a grid
# twice as wide, and a condition that still piles there is withheld. The recovery check below
# uses the report's grid, which fits its simulated speeds (0.3–0.7 µm/min). The x, y (and z) components
# of one track are independent series that share $q_t$ and $c_t$.
#
# ## Does it find known parameters?
#
# Before reading anything into densities we check the method on tracks whose parameters we
# know: AR(1) velocities simulated with a constant persistence and speed, and with both
# drifting over the track. The test suite asserts the same claim (persistence within 0.1,
# speed within 15 %).

# %%
recovery, examples = {}, {}
for kind in ("constant", "drifting"):
    vels, q_true, c_true = superstats.known_parameter_tracks(
        kind, n_tracks=4, n_steps=288, dims=2, seed=seed)
    fits = superstats.fit_tracks(vels, model, n_jobs=jobs, desc=f"recovery ({kind})",
                                 **bar)
    recovery[kind] = superstats.recovery_errors(fits, q_true, c_true)
    examples[kind] = (fits[0], q_true[0], c_true[0])

# %% tags=["remove-input"]
tables.show(pd.DataFrame(recovery).T, index="Simulated parameters", digits=3, headers={
    "mae_persistence": "Persistence: mean abs. error per step", "mre_speed": "Speed: mean rel. error per step",
    "err_mean_persistence": "Persistence: worst track, error of its mean",
    "relerr_mean_speed": "Speed: worst track, rel. error of its mean"})

# %% [markdown]
# The errors are those of the posterior mean at every step, and of each track's time
# average (its worst track). The drifting example, step by step, in {numref}`fig-recovery`.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-recovery", "caption": "Recovery on a simulated track whose persistence and speed drift: truth (black, dashed) and posterior mean ± 1 s.d. (colour) against time [min]."}}
fit, q_true, c_true = examples["drifting"]
t_min = (np.arange(len(fit.mean_persistence)) + 1) * interval
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for ax, m, s, truth, name in [(axes[0], fit.mean_persistence, fit.sd_persistence, q_true, "persistence q"),
                              (axes[1], fit.mean_speed, fit.sd_speed, c_true, "cell speed c [µm/min]")]:
    ax.fill_between(t_min, m - s, m + s, color="C0", alpha=0.3, lw=0)
    ax.plot(t_min, m, color="C0", label="posterior mean")
    ax.plot(t_min, truth[1:], color="k", ls="--", label="truth")
    ax.set_xlabel("time [min]")
    ax.set_ylabel(name)
axes[0].legend(frameon=False)
fig.tight_layout()

# %% [markdown]
# ## The original trajectories
#
# We load the tracks as in the data chapter (where {numref}`fig-calibration` shows a quick
# per-track estimate of the same two parameters) and resample them to the analysis interval,
# with the generation chapter's split into training and held-out cells (same seed). The 2D
# conditions (z never changes) are fitted on x and y only; why this matters is shown further
# down. The generated tracks of the generation chapter are fitted in the same loop, on the
# same grid. One bayesloop study per track, run in parallel; the posteriors are saved in the
# artifacts folder (one file per set and speed grid), so re-running the figures does not
# refit.

# %%
tracks = load_dataset(dataset)
synthetic = is_synthetic(dataset)
traj_data = to_trajectories(tracks, interval=interval)
# the generation chapter's tracks of a large dataset (same cap, same seed), then its split
in_budget = budget.within_budget(traj_data, budget.cap(max_positions), seed)
traj_all = traj_data.subset(in_budget)
# the generation chapter's split (same seed); each part capped separately
train_all, test_all = split_tracks(traj_all, test_fraction=test_fraction,
                                   seed=seed)
keep = np.concatenate([np.asarray(part)[superstats.subsample_per_condition(
    traj_all.conditions[part], cap(max_original_per_condition), seed)]
    for part in (train_all, test_all)])
traj = traj_all.subset(np.sort(keep))
heldout_ids = set(map(str, traj_all.track_ids[test_all]))

# %% tags=["remove-input"]
conditions = list(traj.condition_names)
palette = figures.condition_palette(conditions)
gen_traj, missing = {}, []
gen_cap = budget.cap(cap(max_generated_per_condition))  # None: all of them (0, or on a Dask cluster)
for sampler in ("fixed", "original"):  # the generation chapter's tracks
    path = find_artifact(f"generated_{sampler}.csv", read_from)
    if not path.exists():
        missing.append(sampler)
        continue
    g = to_trajectories(validate_tracks(pd.read_csv(path), source=str(path)), interval=interval)
    g = replace(g, flat_z=[c for c in traj.flat_z])  # 2D in the data = fitted on x, y
    gen_traj[sampler] = g.subset(superstats.subsample_per_condition(g.conditions, gen_cap, seed))
if missing:
    display(Markdown(f"No generated tracks of the {' and '.join(SAMPLER[s] for s in missing)} sampler were "
                     "found: run the generation chapter first. The comparison below leaves them out."))
derived_grid = speed_max is None
speed_range = (superstats.speed_range_for([traj.modelled_velocities(i) for i in range(len(traj))]) if derived_grid
               else (0.0, float(speed_max)))


def fit_all(m):
    """Original and generated tracks on one grid (saved posteriors are reused when they match)."""
    tag = f"speed{m.speed_range[1]:g}"  # one saved file per grid: a widened refit never overwrites
    out = [superstats.load_or_fit(art / f"superstats_original_{tag}.npz", traj, m, refit=refit, n_jobs=jobs, **bar,
                                  desc="original tracks", on_error="skip")]
    return out + [superstats.load_or_fit(art / f"superstats_generated_{s}_{tag}.npz", g, m, refit=refit, n_jobs=jobs,
                                         **bar, desc=f"generated ({s})", on_error="skip") for s, g in gen_traj.items()]

# %%
# the grid is widened while posterior mass piles at its top edge
fitted, model, grid_check = superstats.fit_on_fitting_grid(
    fit_all, replace(model, speed_range=speed_range))
original, generated = fitted[0], dict(zip(gen_traj, fitted[1:]))
withheld = grid_check.attrs["withheld"]

# %% tags=["remove-input"]
set_names = ["original tracks"] + [f"generated, {SAMPLER[s]} sampler" for s in gen_traj]
display(Markdown(findings.grid_sentence(grid_check.to_dict("records"), model.speed_range, derived_grid, unit=unit,
                                        attempts=grid_check.attrs["attempts"], withheld=withheld,
                                        history=grid_check.attrs["history"], names=set_names)))
fitted_rows = []
for cond in conditions:
    row = {"condition": cond, "dims": "x, y" if cond in traj.flat_z else ", ".join(traj.modelled_dims(cond)),
           "n_original": int((original.conditions == cond).sum())}
    row.update({f"gen_{s}": f"{int((r.conditions == cond).sum())} of {int((gen_traj[s].conditions == cond).sum())}"
                for s, r in generated.items()})
    fitted_rows.append(row)
failed = [str(t) for res in [original, *generated.values()] for t in res.meta["failed"]]
if failed:  # a track whose posterior vanished on the grid
    display(Markdown(f"Left out, not describable on the grid (raise `speed_max`?): {', '.join(failed)}."))
display(Markdown(budget.budget_sentence(traj_data, in_budget, budget.cap(max_positions))))
tables.show(pd.DataFrame(fitted_rows), caption="Tracks fitted per condition (generated: fitted of those written, "
            + (f"at most {gen_cap} per condition and sampler)" if gen_cap else "all of them)"),
            headers={"condition": "Condition", "dims": "Fitted on", "n_original": "Original tracks",
                     **{f"gen_{s}": f"Generated, {SAMPLER[s]}" for s in generated}})

# %% [markdown]
# ## One cell over time
#
# What the analysis sees in a single cell ({numref}`fig-example-track`): the posterior mean
# persistence and speed at every step (± 1 posterior s.d.). The model lets both drift; the
# band shows how well each step pins them down.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-example-track", "caption": "Posterior mean persistence and cell speed over time [min] for one original track per condition (band: ± 1 posterior s.d.)."}}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for cond in conditions:
    i = int(np.flatnonzero(original.conditions == cond)[0])
    seq = original.sequences(i)
    t_min = seq["step"] * interval
    for ax, col in zip(axes, ["persistence", "speed"]):
        ax.fill_between(t_min, seq[col] - seq[col + "_sd"], seq[col] + seq[col + "_sd"],
                        color=palette[cond], alpha=0.2, lw=0)
        ax.plot(t_min, seq[col], color=palette[cond], label=f"{cond} ({original.track_ids[i]})")
axes[0].set_ylabel("persistence q")
axes[1].set_ylabel(f"cell speed c [{unit}]")
for ax in axes:
    ax.set_xlabel("time [min]")
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=len(conditions),
           frameon=False, fontsize=8)
fig.tight_layout(rect=(0, 0.08, 1, 1))

# %% [markdown]
# ## Does the fit find the simulator's parameters?
#
# The recovery check above fitted clean AR(1) velocities. The tracks of the synthetic stand-in
# are harder, as real tracks are: positions carry tracking noise (white for Collagen,
# correlated over 30 min on the dishes), and only every k-th position is kept. Because the
# simulator drew every cell's persistence and speed at every native step, we can put the
# fitted values beside the truth for the very tracks fitted above. The truth is stated at the
# analysis interval: the analysed velocity is the mean of k native velocities, whose lag-1
# correlation and s.d. follow from the native q and c
# (`cellmotion.synthetic.oracle.analysis_parameters`; what a fit would find without tracking
# noise). Two things to expect: white noise on positions adds anti-correlated errors to
# successive velocities (it pulls the persistence down and the speed up), and the random-walk
# prior smooths fast changes. On any dataset other than the simulator's own there is no truth
# and the section is skipped.

# %%
truth_rows, true_params = pd.DataFrame(), None
found = true_parameters_for(tracks) if synthetic else None
if found is not None:
    params, sim = found
    steps_per = {c: int(round(interval / sim[str(c)].dt))
                 for c in set(original.conditions)}
    true_params = {str(t): analysis_parameters(*params[str(t)], steps_per[c])
                   for t, c in zip(original.track_ids, original.conditions)}
    truth_rows = superstats.recovery_against_truth(original, true_params)

# %% tags=["remove-input"]
if len(truth_rows):
    steps = (model.persistence_grid[1] - model.persistence_grid[0], model.speed_grid[1] - model.speed_grid[0])
    shown = truth_rows.set_index("condition").T.astype(object)
    for k in ("tracks", "steps"):  # counts stay whole numbers
        if k in shown.index:
            shown.loc[k] = [int(v) for v in shown.loc[k]]
    display(tables.show(shown, index="", digits=3))
    rows_ = truth_rows.to_dict("records")  # what "level with" means is said once, in the last
    display(Markdown("\n".join("- " + findings.truth_sentence(r, unit=unit, grid_steps=steps,
                                                              explain=k == len(rows_) - 1)
                               for k, r in enumerate(rows_))))
else:
    display(Markdown("No true parameters for these tracks (not the simulator's own): nothing to compare."))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-truth", "caption": "Synthetic stand-in only. Marginal densities of persistence (left) and cell speed (right) per condition: the fitted density (solid line, the average of the tracks' time-averaged posteriors) against the histogram of the true values at the analysis interval (dashed steps), for the same tracks."}}
if len(truth_rows):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for cond in conditions:
        d = original.condition_density(cond)
        ids = [str(t) for t in original.track_ids[original.conditions == cond] if str(t) in true_params]
        for ax, grid, marg, k in [(axes[0], model.persistence_grid, d.sum(axis=1), 0),
                                  (axes[1], model.speed_grid, d.sum(axis=0), 1)]:
            step = grid[1] - grid[0]
            hist = superstats.grid_histogram(np.concatenate([true_params[t][k][1:] for t in ids]), grid)
            ax.plot(grid, marg / step, color=palette[cond], label=f"{cond}: fitted")
            ax.step(grid, hist / step, where="mid", color=palette[cond], ls="--", lw=1,
                    label=f"{cond}: true")
    axes[0].set(xlabel="persistence q", ylabel="density")
    axes[1].set(xlabel=f"cell speed c [{unit}]", ylabel=f"density [1/({unit})]")
    axes[1].legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.tight_layout()

# %% [markdown]
# ## What a flat z series does to the fit
#
# On the dishes the tracked z is constant, so its velocity is exactly zero at every step. For
# the AR(1) likelihood a zero series is perfectly predicted: its density
# $1/\sqrt{2\pi c^2(1-q^2)}$ grows without bound as the step noise $c\sqrt{1-q^2}$ shrinks.
# One might expect it to drag the fit towards $|q| \to 1$ (a natural guess). We fit one
# 2D condition twice, on x, y (as everywhere in this chapter) and with the zero z kept, and
# look ({numref}`fig-flat-z`).

# %%
flat = traj.flat_z
cond_z = flat_z_condition if flat_z_condition in flat else (flat or [None])[0]
flat_z_summary = None
if cond_z is not None:
    idx = np.flatnonzero(traj.conditions == cond_z)[:flat_z_tracks]
    sub = traj.subset(idx)
    with_z = superstats.load_or_fit(art / "superstats_flat_z.npz", sub, model,
                                    drop_flat_z=False, refit=refit, n_jobs=jobs,
                                    desc=f"{cond_z} with z", **bar)
    same = np.isin(original.track_ids, sub.track_ids)
    xy_only = original.densities[same].mean(axis=0)
    flat_z_summary = pd.DataFrame({
        "x, y only": superstats.density_summary(xy_only, model),
        "x, y, z = 0": superstats.density_summary(with_z.densities.mean(axis=0), model)})

# %% tags=["remove-input"]
SUMMARY_WORDS = {"peak_persistence": "peak persistence", "peak_speed": f"peak speed [{unit}]",
                 "mean_persistence": "mean persistence", "sd_persistence": "s.d. of persistence",
                 "mean_speed": f"mean speed [{unit}]", "sd_speed": f"s.d. of speed [{unit}]",
                 "hdr50_area": f"area of the 50 % region [{unit}]"}
if flat_z_summary is None:
    display(Markdown("No 2D condition in this dataset: nothing to show."))
else:
    display(tables.show(flat_z_summary.rename(index=SUMMARY_WORDS), index=f"{cond_z}, {len(idx)} tracks",
                        headers={"x, y only": "fitted on x, y", "x, y, z = 0": "fitted on x, y and z = 0"},
                        digits=3))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-flat-z", "caption": "Density of persistence and cell speed of one 2D condition, fitted on x, y only (left) and with the constant z kept (right). Lines: 10/25/50 % highest-density regions."}}
if cond_z is not None:
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    figures.plot_density(axes[0], xy_only, model, color=palette[cond_z], speed_unit=unit)
    figures.plot_density(axes[1], with_z.densities.mean(axis=0), model, color=palette[cond_z], speed_unit=unit)
    axes[0].set_title(f"{cond_z}: x, y ({len(idx)} tracks)")
    axes[1].set_title(f"{cond_z}: x, y, z = 0")
    axes[1].label_outer()
    fig.tight_layout()

# %% [markdown]
# The zero series acts like extra steps of a cell that did not move. It carries information
# only on the step noise $\sigma = c\sqrt{1-q^2}$, not on how successive velocities are
# correlated; that correlation, and with it $q$, is still fixed by x and y. Given $q$, the
# maximum-likelihood step variance becomes the x-y residual sum of squares divided by three
# components instead of two, so the fitted **speed drops by a factor $\sqrt{2/3}$ (about
# −18 %)** while the **persistence barely moves** (its posterior only becomes over-confident:
# the x-y likelihood of $q$ is raised to the power 3/2). The test suite asserts both. On the
# report's data a flat z would thus have lowered the speeds of the 2D conditions by about a
# fifth; it does not explain a high Fibronectin persistence.
#
# ## Densities of original and generated trajectories
#
# The generation chapter ({numref}`fig-generated`) wrote two sets of new trajectories: one from
# the corrected sampler (draw one mixture component by its weight, then sample it) and one from
# the report's sampler (a weighted sum of one draw from every component). They were fitted with
# the originals above, on the same grid, with the same 2D conditions fitted on x, y; to keep
# the run time down at most `max_generated_per_condition` tracks per condition and sampler
# (a seeded random subset; all of them on a Dask cluster). {numref}`fig-densities` shows, for every condition, the density of
# persistence and speed, averaged over the time steps of each track and then over the tracks,
# with the 10, 25 and 50 % highest-density (credible) regions; {numref}`fig-densities-all`
# puts all conditions in one plot.

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-densities", "caption": "Densities of persistence and cell speed of original and generated trajectories per condition (columns: original, corrected sampler, the report's sampler); black lines: 10/25/50 % highest-density regions. The speed axis ends where the fitting grid ends; the sentence below says whether any density is cut there (cf. the report's Figure 10)."}}
columns = [("original", original)] + [(f"generated, {SAMPLER[s]} sampler", r) for s, r in generated.items()]
fig, axes = plt.subplots(len(conditions), len(columns), figsize=(3.6 * len(columns), 3.1 * len(conditions)),
                         squeeze=False, sharex=True, sharey=True)
for i, cond in enumerate(conditions):
    for j, (name, res) in enumerate(columns):
        ax = axes[i, j]
        if cond in set(res.conditions):
            figures.plot_density(ax, res.condition_density(cond), model, color=palette[cond], speed_unit=unit)
        ax.set_title(f"{cond}, {name}", fontsize=9)
        ax.label_outer()
fig.tight_layout()

# %% tags=["remove-input"]
fitted_sets = [original, *generated.values()]
edge_rows = [{**r, "hdr_at_edge": figures.region_reaches_top(fitted_sets[r.get("result", 0)].condition_density(
                  r["condition"]))} for r in grid_check.to_dict("records")]
clipped = findings.clipped_sentence(edge_rows, set_names, model.speed_range[1], unit=unit)
display(Markdown(clipped))

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-densities-all", "caption": "All conditions together: original densities (shaded, black contours) and generated densities (coloured contours: solid corrected sampler, dashed the report's sampler); persistence against cell speed. The legend sits beside the plot."}}
fig, ax = plt.subplots(figsize=(8.5, 5))
handles = []
for cond in conditions:
    figures.plot_density(ax, original.condition_density(cond), model, color=palette[cond], contour_color="k",
                         speed_unit=unit)
    handles.append(Line2D([], [], color=palette[cond], lw=6, label=f"{cond} original"))
    for s, style in (("fixed", "solid"), ("original", "dashed")):
        if s in generated and cond in set(generated[s].conditions):
            figures.plot_density(ax, generated[s].condition_density(cond), model, fill=False,
                                 contour_color=[palette[cond]], linestyles=style, speed_unit=unit)
handles += [Line2D([], [], color="0.3", ls="-", label="generated, corrected sampler"),
            Line2D([], [], color="0.3", ls="--", label="generated, report's sampler")]
ax.legend(handles=handles, frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
fig.tight_layout()

# %% [markdown]
# ## How close are the generated densities, against a real reference?
#
# Looking is not measuring, and a number needs a reference. Two samples of *real* cells of
# one condition do not have identical densities either: fewer tracks give noisier densities
# and lower overlaps by chance alone. So every comparison has two sides:
#
# - **generated vs held-out**: the generated tracks of a sampler against the generation
#   chapter's held-out cells, which no network saw. (The generated tracks were seeded with
#   the first steps of *training* tracks; comparing them with the training tracks would
#   reward memorisation.)
# - **real vs held-out** (the reference): the training cells are split in two disjoint
#   halves (by cell, seeded); each half is compared with the same held-out cells and the two
#   values are averaged.
# - Both use the same number of tracks (as many as the smaller of the generated set and the
#   halves, seeded subsets) against the same held-out tracks, so their small-sample bias is
#   the same and cancels in the difference, generated minus reference.
#
# Measures: the overlap of the two densities, the Bhattacharyya coefficient
# $BC = \sum \sqrt{p\,g}$ (1 = identical, 0 = disjoint; the Hellinger distance
# $\sqrt{1 - BC}$ is kept in the metrics file), and the ratio of marginal s.d.s of persistence
# and speed (other / held-out, below 1: narrower). Intervals: one bootstrap that resamples
# **cells** (the pieces of a track cut at a gap together) of all four samples jointly in every
# draw (`n_boot` resamples). An overlap averaged from few tracks is biased low and the
# bootstrap is biased the same way, so the percentile interval would sit below the truth;
# every estimate here is bias-corrected ($2\hat\theta$ minus the bootstrap median) with the
# basic interval $[2\hat\theta - q_{97.5}, 2\hat\theta - q_{2.5}]$, whose coverage of the
# large-sample overlap the test suite measures on simulated track densities (88–93 % for a
# nominal 95 % with 40 tracks per condition, where the percentile interval covers 27–69 %;
# `tests/test_overlap_coverage.py`): close to nominal, slightly short, so read an interval
# that barely excludes 0 with care. The densities compared must share the grid (checked).
# The overlaps are {numref}`fig-stat-answer` at the top of the page; the spreads are
# {numref}`fig-stat-spread`, and the table gives every difference with its interval.

# %%
for res in generated.values():  # compared densities share the grid
    superstats.check_same_grid(original.model, res.model)
is_heldout = np.array([str(t) in heldout_ids for t in original.track_ids])
train_pos, heldout_pos = np.flatnonzero(~is_heldout), np.flatnonzero(is_heldout)
t0 = time.perf_counter()
frames = [superstats.compare_with_reference(original, res, train_pos, heldout_pos,
                                            n_boot=n_boot, seed=seed, sampler=s)
          for s, res in generated.items()]
reference = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=["condition"]))
reference = reference[~reference["condition"].isin(withheld)]  # cut by the grid
bootstrap_s = time.perf_counter() - t0

# %% tags=["remove-cell"]
comparison = pd.concat([superstats.compare(original, r, sampler=s) for s, r in generated.items()],
                       ignore_index=True) if generated else pd.DataFrame()
if withheld and len(comparison):
    comparison = comparison[~comparison["condition"].isin(withheld)].reset_index(drop=True)
reference = reference.reset_index(drop=True)
ref_rows = reference.to_dict("records")
if ref_rows:  # the chapter's answer figure, shown at the top of the page
    fig = figures.plot_reference_comparison(ref_rows, ("bhattacharyya",), conditions, palette)
else:
    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.text(0.5, 0.5, "no generated trajectories found: run the generation chapter first", ha="center")
    ax.set_axis_off()
glue("stat-answer-figure", fig, display=False)
plt.close(fig)

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-stat-spread", "caption": "Spread of the generated densities: s.d. of persistence (left) and of cell speed (right) of generated tracks over that of held-out cells (colour; filled: corrected sampler, hollow: the report's), beside the same ratio for two samples of real training cells (grey squares), with 95 % intervals over cells. Below 1: narrower than the held-out cells."}}
if ref_rows:
    fig = figures.plot_reference_comparison(ref_rows, ("sd_ratio_persistence", "sd_ratio_speed"), conditions, palette)

# %% tags=["remove-input"]
if ref_rows:
    wide = []
    for (cond, s), g in reference.groupby(["condition", "sampler"], sort=False):
        m = {r["measure"]: r for r in g.to_dict("records")}
        bc = m["bhattacharyya"]
        wide.append({"condition": cond, "sampler": SAMPLER.get(s, s), "n": f"{bc['n_tracks']} / {bc['n_heldout']}",
                     **{k: findings.interval_text(m[k]["difference"], m[k]["diff_lower"], m[k]["diff_upper"])
                        for k in ("bhattacharyya", "sd_ratio_persistence", "sd_ratio_speed") if k in m}})
    wide, each = pd.DataFrame(wide), ""
    if wide["n"].nunique() == 1:  # one size for every row: said once, in the caption
        each = f" ({wide.pop('n').iloc[0]} tracks each / held-out)"
    display(tables.show(wide,
                        caption="Generated minus two real samples, each against the held-out cells"
                        f"{each}: estimate [95 % interval]; a difference counts only where its interval "
                        "excludes 0", headers={
        "condition": "Condition", "sampler": "Sampler", "n": "Tracks / held-out", "bhattacharyya": "Overlap",
        "sd_ratio_persistence": "s.d. ratio, q", "sd_ratio_speed": "s.d. ratio, c"}))

# %% [markdown]
# ## How different are the conditions?
#
# The same overlap between the conditions' original densities, bias-corrected, with basic
# bootstrap intervals over cells: the scale on which a generated-vs-real overlap is small or
# large.

# %%
between = superstats.condition_overlaps(original, n_boot=n_boot, seed=seed)
if withheld:  # densities cut by the grid are not compared
    pair = between[["condition_a", "condition_b"]]
    between = between[~pair.isin(withheld).any(axis=1)]

# %% tags=["remove-input"]
if len(between) == 0:
    display(Markdown("Only one condition: nothing to compare."))
else:
    display(tables.show(between.assign(ci=[findings.interval_text(b, lo, hi) for b, lo, hi in
                               zip(between["bhattacharyya"], between["lower"], between["upper"])])
            [["condition_a", "condition_b", "n_a", "n_b", "ci", "plug_in"]],
            headers={"condition_a": "Condition", "condition_b": "Other condition", "n_a": "Tracks",
                     "n_b": "Other's tracks", "ci": "Overlap, bias-corrected [95 % interval]",
                     "plug_in": "Overlap of the averaged densities (uncorrected)"}, digits=2))

# %% [markdown]
# ## Calibration: where do the densities peak?
#
# The peaks of the original densities beside what the data were built to show. For the
# synthetic stand-in, the simulator's inputs (median persistence per native step, and that
# persistence raised to the number of native steps per analysis interval, which ignores
# tracking noise and averaging; median cell speed) and the report's Figure 10 peaks, read
# off the report's figure (`cellmotion.report.CALIBRATION_TARGETS`). The report's numbers are
# shown only for the dataset that stands in for the report's data.

# %% tags=["remove-input"]
calib = []
sim_models = {}
if synthetic:
    from cellmotion.synthetic.simulator import DEFAULT_CONDITIONS
    sim_models = {m.name: m for m in DEFAULT_CONDITIONS}
for cond in [c for c in conditions if c not in withheld]:
    peak = superstats.density_summary(original.condition_density(cond), model)
    row = {"condition": cond, "bayesloop peak q (ours)": peak["peak_persistence"],
           f"bayesloop peak c [{unit}] (ours)": peak["peak_speed"]}
    m = sim_models.get(cond)
    if m is not None:
        row.update({"simulator native step [min]": m.dt, "simulator median q per native step": m.persistence,
                    f"simulator q per {interval:g} min (q^(interval/step))": m.persistence ** (interval / m.dt),
                    f"simulator median c [{unit}]": m.speed})
    if info.report_kind and cond in CALIBRATION_TARGETS:
        row.update({"report Fig. 10 peak q (report)": CALIBRATION_TARGETS[cond]["persistence"],
                    f"report Fig. 10 peak c [{unit}] (report)": CALIBRATION_TARGETS[cond]["speed"]})
    calib.append(row)
calibration = pd.DataFrame(calib)
tables.show(calibration.set_index("condition").T, index="", digits=2)

# %% [markdown]
# ## How much do the densities depend on the random walk's σ?
#
# The s.d. of the parameters' random walk per step (0.03 in the original code) sets how fast
# persistence and speed may drift: small values smooth the per-step estimates over long
# stretches (narrower time-averaged densities), large values let them follow every wiggle.
# We refit a seeded subset of original tracks (`sensitivity_tracks` per condition) on a coarse
# grid with three values and compare each density with the one at the chapter's σ
# ({numref}`fig-sigma-sensitivity`).

# %%
sens_idx = superstats.subsample_per_condition(traj.conditions, sensitivity_tracks, seed)
sens_model = replace(model, n_persistence=sensitivity_grid,
                     n_speed=sensitivity_grid)
t0 = time.perf_counter()
sensitivity, sens_dens = superstats.sigma_sensitivity(
    [traj.modelled_velocities(i) for i in sens_idx], traj.conditions[sens_idx],
    sens_model, sigmas=sensitivity_sigmas, n_jobs=jobs, progress=False)
sensitivity_s = time.perf_counter() - t0

# %% tags=["hide-input"] mystnb={"figure": {"name": "fig-sigma-sensitivity", "caption": "Densities of persistence and cell speed of a subset of original tracks, refitted with three s.d.s of the parameters' random walk (columns); coarse grid."}}
sig_list = sorted(sens_dens)
fig, axes = plt.subplots(len(conditions), len(sig_list), figsize=(3.2 * len(sig_list), 2.8 * len(conditions)),
                         squeeze=False, sharex=True, sharey=True)
for i, cond in enumerate(conditions):
    for j, sg in enumerate(sig_list):
        if cond in sens_dens[sg]:
            figures.plot_density(axes[i, j], sens_dens[sg][cond], sens_model, color=palette[cond], speed_unit=unit)
        axes[i, j].set_title(f"{cond}, σ = {sg:g}", fontsize=9)
        axes[i, j].label_outer()
fig.tight_layout()

# %% tags=["remove-input"]
display(Markdown(findings.sensitivity_sentence(sensitivity.to_dict("records"), float(sigma))))
tables.show(sensitivity[["sigma", "condition", "n_tracks", "peak_persistence", "peak_speed", "sd_persistence",
                         "sd_speed", "bc_vs_reference"]],
            headers={"sigma": "Random-walk σ", "condition": "Condition", "n_tracks": "Tracks",
                     "peak_persistence": "Peak persistence", "peak_speed": f"Peak speed [{unit}]",
                     "sd_persistence": "s.d. of persistence", "sd_speed": f"s.d. of speed [{unit}]",
                     "bc_vs_reference": f"Overlap with σ = {sigma:g}"}, digits=2)

# %% [markdown]
# ## Why were the report's generated densities "much narrower"?
#
# A hypothesis: because of its sampler, not because the network cannot learn the spread
# between cells. Adding one draw from every mixture component, weighted, keeps the predicted
# mean $\bar\mu = \sum_k w_k\mu_k$ but shrinks the step noise from the mixture's variance
# $\sum_k w_k(\sigma_k^2 + \mu_k^2) - \bar\mu^2$ to $\sum_k w_k^2\sigma_k^2$ (the generation
# chapter checks both formulas by sampling). How much of a generated cell's motion that
# removes depends on how much of it is noise rather than the predictable part $q\,v_{t-1}$,
# so the effect should be largest for weakly persistent conditions. A narrowing with the
# corrected sampler too would be the network's own share (generated cells more alike than
# real ones); the report guessed that "a more complex network could learn more of this
# variation", which the held-out likelihoods of the generation chapter
# ({numref}`fig-gen-answer`) test. This run's evidence is the spread of
# {numref}`fig-stat-spread`, summed up in the answer at the top of the page: only a difference
# whose interval excludes 0 counts, and with few tracks "no difference" means "not measurable
# here", not "equal".

# %% tags=["remove-cell"]
# the answer at the top of the page: computed from this run's tables, nothing typed in
lead = "the book's synthetic stand-in (simulated tracks, not real cells)" if synthetic else info.title
parts = {"Overlap.": findings.overlap_answer(ref_rows, lead),
         "Spread.": findings.spread_answer(ref_rows) if ref_rows else "",
         "Scale.": findings.scale_sentence(between.to_dict("records"), ref_rows)}
answer = " ".join(text for text in parts.values() if text)
glue("stat-answer-text", Markdown("\n\n".join(f"**{head}** {text}" for head, text in parts.items() if text)),
     display=False)

# %% tags=["remove-cell"]
# everything above, for later chapters and the appendix (keys documented in cellmotion.superstats)
def records(df):
    return json.loads(df.to_json(orient="records")) if len(df) else []


metrics = {
    "dataset": "synthetic" if synthetic else str(dataset), "profile": profile,
    "model": model.to_dict(),
    "grid": {"derived": derived_grid, "speed_range": list(model.speed_range),
             "fits_run": grid_check.attrs["attempts"], "withheld": withheld,
             "too_narrow": grid_check.attrs["history"], "edge_check": records(grid_check)},
    "comparison": records(comparison),
    "reference_comparison": records(reference), "condition_overlaps": records(between),
    "calibration": records(calibration), "sigma_sensitivity": records(sensitivity),
    "n_boot": n_boot, "test_fraction": test_fraction, "speed_unit": unit,
    "original": {c: superstats.density_summary(original.condition_density(c), model) for c in conditions
                 if c not in withheld},
    "flat_z": None if flat_z_summary is None else {
        "condition": cond_z, "n_tracks": int(len(idx)),
        **{k: v for k, v in json.loads(flat_z_summary.to_json()).items()}},
    "recovery": recovery, "recovery_against_truth": records(truth_rows),
    "timing": {"original_wall_s": original.wall_seconds,
               "original_s_per_track": float(original.seconds.mean()),
               "generated_s_per_track": {s: float(r.seconds.mean()) for s, r in generated.items()},
               "n_original": len(original), "n_generated": {s: len(r) for s, r in generated.items()},
               "max_generated_per_condition": max_generated_per_condition,
               "n_jobs": jobs, "bootstrap_s": bootstrap_s, "sensitivity_s": sensitivity_s,
               "chapter_wall_s": time.perf_counter() - t_chapter},
    "answer": answer,
    "clipped_densities": clipped,
}
_ = write_json(art / "statistics_metrics.json", metrics)

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
# # LSTM networks for biological cell movement
#
# This book rebuilds, re-executes and extends the project report *Applying LSTM neural networks
# to biological cell movement* {cite}`rieke2016`. The report took 311 three-dimensional
# trajectories of migrating MDA-MB-231 breast carcinoma cells in three environments — a 3D
# collagen network, a plastic dish, and a fibronectin-coated dish — and used long short-term
# memory networks {cite}`hochreiter1997` for two tasks:
#
# 1. **classifying** a trajectory by its environment (about 95 % test accuracy in the report), and
# 2. **generating** new trajectories with an LSTM whose output is a mixture density network
#    {cite}`bishop1994,graves2013`,
#
# then compared original and generated trajectories with the superstatistical random-walk
# analysis of {cite:t}`metzner2015`, using bayesloop {cite}`mark2016bayesloop`.
#
# ```{admonition} The default data is synthetic
# :class: warning
# The report's trajectories were never published. Every number in this book that is not
# explicitly quoted from the report was computed on a **synthetic stand-in** that the package
# generates with a fixed seed: the superstatistical persistent random walk of
# {cite:t}`metzner2015`, calibrated to the report's Table 1 and Figure 10. Our numbers are
# therefore *not* a replication of the report's measurements; they show what the methods do on
# data with known properties. Point the book at your own tracks to get numbers about real cells.
# ```

# %% tags=["parameters", "remove-cell"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/synthetic-full"

# %% [markdown]
# ## Headline numbers
#
# Every number of ours below is read from the metrics files that the chapters wrote when this
# book was built (nothing is typed in); the report's numbers are quoted from its text. The
# report held out no data for generation and compared densities only by eye, so several of
# our measurements have no counterpart there.

# %% tags=["remove-input"]
import json

from IPython.display import HTML, display

from cellmotion.paths import project_path
from cellmotion.summary import headline_table

art = project_path(artifacts)
about = json.loads((art / "data_summary.json").read_text())
print(f"dataset: {'synthetic stand-in (seeded)' if about['synthetic'] else about['dataset']}; "
      f"profile: {profile}; conditions: {', '.join(about['conditions'])}")
table = headline_table(art)
display(HTML(table.to_html(classes="summary-table")))

# %% [markdown]
# ## The chapters
# - {doc}`01_data` — the data contract, the synthetic default dataset and its calibration, the
#   report's preprocessing (resampling to 5 min, velocities, normalisation, windows).
# - {doc}`02_classification` — the report's networks A–D, its Table 2 and Figures 6–7, then
#   cross-validation, the z shortcut, a motility-feature baseline and a better network.
# - {doc}`03_generation` — the LSTM mixture density network, the original code's sampling flaw
#   and its fix, held-out likelihoods and distances between real and generated tracks.
# - {doc}`04_statistics` — the superstatistical comparison of Figure 10, validated on tracks
#   with known parameters, quantified, and run in parallel.
# - {doc}`05_own_data` — the same book on your own tracks: input formats, a worked example,
#   and what is refused.
# - {doc}`appendix_benchmarks` — how long every chapter takes, and on which machine.
#
# ## Re-running the book
#
# ```bash
# make book                  # install, generate the default data, execute every chapter, render HTML
# make book PROFILE=smoke    # the same pipeline with small parameters, a few minutes
# make test                  # the test suite (executes every chapter in the smoke profile)
# ```
#
# Each chapter is a Jupytext text file in `book/` that papermill executes with parameters
# (`dataset`, `profile`, `seed`, `artifacts` and the chapter's own knobs); see the chapter's
# *Parameters* section.

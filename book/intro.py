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
# Which data this build is about is said in the box below: the synthetic stand-in of the
# report's data (the default), or the tracks the book was pointed at. Whatever the build's
# data, the chapter {doc}`06_real_cells` runs the same methods on real, published leukocyte
# tracks.

# %% tags=["parameters", "remove-cell"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/synthetic-full"

# %% tags=["remove-input"]
import json

from IPython.display import HTML, display

from cellmotion.datasets import dataset_info
from cellmotion.paths import project_path
from cellmotion.summary import data_admonition, headline_table

info = dataset_info(dataset)
display(HTML(data_admonition(info)))

# %% [markdown]
# ## Headline numbers
#
# Every number below is read from the metrics files that the chapters wrote when this book was
# built (nothing is typed in). The column *ours* is the build's dataset; the column *real
# cells* is the chapter on the bundled leukocytes, whatever the build's dataset (a dash marks
# a quantity measured on the other data only). The report's numbers, quoted from its text,
# are shown only when the book is built on the stand-in of the report's data; the report held
# out no data for generation and compared densities only by eye, so several of our
# measurements have no counterpart there.

# %% tags=["remove-input"]
art = project_path(artifacts)
about = json.loads((art / "data_summary.json").read_text())
print(f"dataset: {'synthetic stand-in (seeded)' if info.report_kind else info.title}; "
      f"profile: {profile}; conditions: {', '.join(about['conditions'])}")
table = headline_table(art, report=info.report_kind)
display(HTML(table.to_html(classes="summary-table")))

# %% [markdown]
# ## The chapters
#
# What each chapter does; where a line names a result, it is this build's (read from its
# metrics files by `cellmotion.findings.intro`).

# %% tags=["remove-input"]
from IPython.display import Markdown

from cellmotion.findings.intro import chapter_list

clf_path = art / "classification_metrics.json"
display(Markdown(chapter_list(json.loads(clf_path.read_text()) if clf_path.exists() else None)))

# %% [markdown]
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

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
# memory networks {cite}`hochreiter1997` for two tasks: **classifying** a trajectory by its
# environment, and **generating** new trajectories with an LSTM whose output is a mixture
# density network {cite}`bishop1994,graves2013`, compared with the originals by the
# superstatistical random-walk analysis of {cite:t}`metzner2015` (with bayesloop
# {cite}`mark2016bayesloop`). Whatever the build's data, the chapter {doc}`06_real_cells` runs
# the same methods on real, published leukocyte tracks.

# %% tags=["parameters", "remove-cell"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/synthetic-full"

# %% tags=["remove-input"]
import re

from IPython.display import HTML, Markdown, display

from cellmotion import tables
from cellmotion.datasets import dataset_info
from cellmotion.findings.intro import answer_sentences, chapter_list
from cellmotion.paths import project_path
from cellmotion.summary import answer_facts, answer_table, classification_evaluations, data_admonition

info = dataset_info(dataset)
art = project_path(artifacts)


def keep_together(text: str) -> str:
    """A number stays on one line with its unit and its interval (non-breaking spaces)."""
    text = re.sub(r"(\d) (%|nats/step)", "\\1\u00a0\\2", text)
    return re.sub(r"\((\S+) to (\S+)", "(\\1\u00a0to\u00a0\\2", text)


display(HTML(data_admonition(info)))

# %% [markdown]
# ## The report's questions, answered

# %% tags=["remove-input"]
facts = answer_facts(art)
summary = answer_table(art, report=info.report_kind, facts=facts).map(keep_together)
headers = {"question": "The report's question", "report": "The report's answer",
           "ours": "Ours: synthetic stand-in" if info.report_kind else f"Ours: {info.title}",
           "real": "Ours: real leukocytes"}
box = tables.html_table(summary, headers=headers)  # cells of a few words wrap; numbers do not
box = box.replace("white-space: nowrap", "white-space: normal").replace("text-align: right", "text-align: left")
display(HTML(f'<div id="summary">{box}</div>'))

# %% tags=["remove-input"] mystnb={"markdown_format": "myst"}
data_words = "the synthetic stand-in" if info.report_kind else f"the dataset “{info.title}”"
text = " ".join(answer_sentences(facts["ours"], facts["real"], data=data_words))
if profile != "full":
    text += (f" This build ran the *{profile}* profile (small networks, few epochs and folds): "
             "its numbers show that the book runs, not what the methods can do.")
display(Markdown(keep_together(text)))

# %% [markdown]
# What each row measures, and where it is shown:
#
# - **Environment**: per-track balanced accuracy of the best classifier, with its 95 % interval
#   over folds grouped by cell (on the real cells: one donor left out in turn); the report's
#   number is the accuracy of its best networks on 30-step windows of one 80/20 split. Every
#   classifier on the stand-in: {numref}`fig-classification-answer` (errors per condition:
#   {numref}`fig-confusion`); on the real cells: {numref}`fig-real-answer`.
# - **Held-out steps**: negative log-likelihood per step of tracks no network saw, the LSTM
#   mixture density network against one persistent random walk (AR(1)) and independent Gaussian
#   velocities, with 95 % intervals over held-out cells; the range is the difference to the
#   better of the two (above 0: the network is worse): {numref}`fig-gen-answer` and, for the
#   real cells, {numref}`fig-real-nll`.
# - **Persistence–speed statistics**: overlap (Bhattacharyya) of the densities of generated and
#   held-out tracks, beside real training tracks in equal numbers, with intervals over cells:
#   {numref}`fig-stat-answer`; the densities themselves: {numref}`fig-densities`.

# %% [markdown]
# ## The chapters

# %% tags=["remove-input"] mystnb={"markdown_format": "myst"}
display(Markdown(chapter_list(classification_evaluations(art).get("grouped"))))

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

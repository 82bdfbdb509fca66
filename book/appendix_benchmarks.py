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
# # Appendix: how long the book takes
#
# A book that takes long to build is rebuilt rarely. This page shows the latest run of the
# benchmark suite, `benchmarks/run.py` (`.venv/bin/python benchmarks/run.py --full`), with the
# machine it ran on. The suite times every chapter of the smoke profile alone (with the peak
# memory of its largest process), the whole book's first build in the full profile as
# `make book` runs it (from an empty results folder, up to three chapters side by side wherever
# one does not read the other, HTML included; each chapter's own time is shown beside the
# total, and since chapters overlap, their sum exceeds it), a rebuild with nothing changed, and the
# component benchmarks of the classification, generation and statistics chapters. The record
# is `benchmarks/latest.json`, committed with the code it measured; re-run the suite to
# refresh it.
#
# Targets on a 2-core CPU: the full profile under 20 minutes end to end (installation
# excluded), the smoke profile under 3 minutes, a rebuild with nothing changed under 30 seconds.
#
# Machines of the same kind differ in speed, on this project's by up to 1.8x. So the suite
# also runs a *probe* (`cellmotion.probe`): a fixed few seconds of the book's own kind of
# compute, one epoch of a small Keras LSTM classifier on fixed windows and one bayesloop fit of
# one fixed track. Every time below is shown in seconds and as a multiple of the probe
# ("x probe"), which is what carries over to another machine. A chapter's CPU time is the
# user and system time of all its processes (its kernel and the kernel's workers): the work
# it does, which does not change when chapters share the cores, while its wall time does.
# On two cores the whole book can take no less than half its chapters' CPU time.

# %% tags=["parameters", "hide-input"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/synthetic-full"
record_file = "benchmarks/latest.json"  # benchmark record to show
scale_file = "benchmarks/scale.json"  # growth with the data (benchmarks/bench_scale.py)

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cellmotion import figures, tables
from cellmotion.paths import project_path

figures.setup_style()
path = project_path(record_file, create=False)
if path.exists():
    record = json.loads(path.read_text())
    print(f"measured {record['date']} on {record['machine']['cpu']}, {record['machine']['cores']} cores, "
          f"{record['machine']['memory']}, Python {record['machine']['python']}")
    if record.get("note"):
        print("note:", record["note"])
    if record.get("probe"):
        print(f"probe: {record['probe']['seconds']:.2f} s (mean of a run before and after the "
              "measurements)")
    else:
        print("this record has no probe (it predates it): times are in seconds only")
else:  # a fresh checkout without a record: say so instead of inventing numbers
    record = {"rows": [], "components": []}
    print(f"no benchmark record at {path}: run `.venv/bin/python benchmarks/run.py --full` to make one")

# %% [markdown]
# ## Chapters and rebuilds

# %%
unit = (record.get("probe") or {}).get("seconds")
rows = pd.DataFrame(record["rows"], columns=["what", "seconds", "cpu_seconds", "peak_rss_mib"]).rename(
    columns={"what": "measurement", "seconds": "wall time [s]", "cpu_seconds": "CPU time [s]",
             "peak_rss_mib": "peak memory [MiB]"})
if unit:
    rows.insert(2, "x probe", (rows["wall time [s]"] / unit).round(1))
if rows["CPU time [s]"].isna().all():
    rows = rows.drop(columns="CPU time [s]")  # a record from before CPU time was measured
tables.show(rows, digits={"wall time [s]": 1, "x probe": 1, "CPU time [s]": 0, "peak memory [MiB]": 0},
            missing="not measured (the rebuild's memory is that of the runner, not a chapter; CPU time of chapters only)")

# %% mystnb={"figure": {"name": "fig-bench-chapters", "caption": "Wall time of every chapter [s] in each profile, from the latest benchmark record."}}
per_chapter = rows[rows["measurement"].str.startswith("chapter ")].copy()
assert len(per_chapter) or not path.exists(), "the benchmark record has no chapter timings"
per_chapter["chapter"] = per_chapter["measurement"].str.extract(r"chapter (\S+)")[0]
per_chapter["profile"] = per_chapter["measurement"].str.extract(r"\((\w+)\)")[0]
if len(per_chapter):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    pivot = per_chapter.pivot(index="chapter", columns="profile", values="wall time [s]")
    pivot.plot.barh(ax=ax)
    ax.set(xlabel="wall time [s]", ylabel="")
    fig.tight_layout()

# %% [markdown]
# ## Component benchmarks
#
# What each component benchmark printed (the last lines), and how long it ran.

# %%
for comp in record.get("components", []):
    took = ("failed" if comp.get("seconds") is None
            else f"{comp['seconds']:.0f} s" + (f" = {comp['seconds'] / unit:.0f} x probe" if unit else "")
            + f", peak {comp['peak_rss_mib']} MiB")
    print(f"== {comp['script']}  ({took})")
    print("\n".join(comp["output"]))
    print()

# %% [markdown]
# ## How the time grows with the data
#
# A screen has thousands of tracks, not the report's 311. `benchmarks/bench_scale.py` builds
# the chapters on synthetic screens (`cellmotion.synthetic.screen`: four conditions, 100 to 500
# frames of 5 min per track, some frames missing) of growing size, times each chapter and
# fits its growth exponent $b$ in $t = a \cdot n^b$ by least squares in log-log space, with $n$
# the dataset's positions at the analysis interval (and, for comparison, its number of
# tracks). The fitted laws are the cost model from which `python -m cellmotion.build` prints
# its time estimate before it executes anything, scaled by the probe of the machine at hand.
# A chapter that caps the tracks or positions it works on has a flat curve once the data
# exceed the cap, and its exponent then describes the capped book, not the method: in the full
# profile the classification, generation and statistics chapters work on at most
# `max_positions` positions of the user's tracks (70,000, the size of the default dataset;
# lifted on a Dask cluster), and the real-cell chapter reads its own dataset whatever the
# screen. The last column lists the caps in force.

# %%
scale_path = project_path(scale_file, create=False)
scale = json.loads(scale_path.read_text()) if scale_path.exists() else {"runs": {}}
if not scale["runs"]:
    print(f"no scale record at {scale_path}: run `.venv/bin/python benchmarks/bench_scale.py` to make one")
curves = []
for prof, run in scale["runs"].items():
    print(f"{prof} profile: measured on {run['machine']['cpu']}, {run['machine']['cores']} cores")
    for stem, ch in run["chapters"].items():
        for pt in ch["points"]:
            curves.append({"profile": prof, "chapter": stem, "tracks requested": pt["n_tracks"],
                           "tracks": pt["tracks"], "positions": pt["positions"],
                           "seconds": pt.get("seconds", np.nan),
                           "x probe": pt.get("seconds", np.nan) / pt.get("probe_s", ch["probe_s"]),
                           "peak memory [MiB]": pt.get("peak_rss_mib"),
                           "b (positions)": (ch["fit"] or {}).get("b", np.nan),
                           "b (tracks)": (ch["fit"] or {}).get("b_tracks", np.nan),
                           "capped": ", ".join(f"{k}={v}" for k, v in ch.get("caps", {}).items())})
curves = pd.DataFrame(curves)
if len(curves):
    # each time also as a multiple of the probe measured in the same run (machines differ)
    curves["time"] = [f"{s:.0f} s = {x:.0f}× probe" if np.isfinite(s) else np.nan
                      for s, x in zip(curves["seconds"], curves["x probe"])]
    table = curves.pivot_table(index=["profile", "chapter"], columns="tracks requested",
                               values="time", aggfunc="first")
    table.columns = [f"{c} tracks" for c in table.columns]
    exps = curves.groupby(["profile", "chapter"])[["b (positions)", "b (tracks)"]].first().round(2)
    peak = curves.groupby(["profile", "chapter"])["peak memory [MiB]"].max().rename(
        "peak memory, highest at any size [MiB]")
    caps = curves.groupby(["profile", "chapter"])["capped"].first()
    display_table = table.join(exps).join(peak).join(caps)
else:
    display_table = pd.DataFrame()
tables.show(display_table, digits=2,
            missing="not measured at that size (the benchmark stopped, or the chapter was not run)")

# %%
for (prof, n), g in (curves.groupby(["profile", "tracks requested"]) if len(curves) else []):
    g = g.dropna(subset=["seconds"])
    if len(g) > 1:  # which of the chapters measured at this size takes longest
        top = g.loc[g["seconds"].idxmax()]
        print(f"{prof}, {n} tracks: {top['chapter']} takes longest, {top['seconds']:.0f} s of the "
              f"{g['seconds'].sum():.0f} s of the {len(g)} chapters measured "
              f"({top['seconds'] / g['seconds'].sum():.0%})")

# %% mystnb={"figure": {"name": "fig-bench-scale", "caption": "Wall time of each chapter against the dataset's positions (log-log), per profile, from the latest scale benchmark; the legend gives each chapter's fitted growth exponent b."}}
if len(curves):
    profs = list(dict.fromkeys(curves["profile"]))
    fig, axes = plt.subplots(1, len(profs), figsize=(5 * len(profs), 3.8), squeeze=False)
    for ax, prof in zip(axes[0], profs):
        for stem, g in curves[curves["profile"] == prof].groupby("chapter", sort=False):
            g = g.dropna(subset=["seconds"]).sort_values("positions")
            b = g["b (positions)"].iloc[0] if len(g) else np.nan
            label = f"{stem} (b = {b:.2f})" if np.isfinite(b) else stem
            ax.plot(g["positions"], g["seconds"], "o-", label=label)
        ax.set(xscale="log", yscale="log", xlabel="positions in the dataset", ylabel="wall time [s]",
               title=f"{prof} profile")
        ax.legend(fontsize=7)
    fig.tight_layout()

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
# machine it ran on. The suite times every chapter in the smoke and full profiles, a rebuild
# with nothing changed, the peak memory of each chapter's kernel, and the component benchmarks
# of the classification, generation and statistics chapters. The record is
# `benchmarks/latest.json`, committed with the code it measured; re-run the suite to refresh it.
#
# Targets on a 2-core CPU: the full profile under 20 minutes end to end (installation
# excluded), the smoke profile under 3 minutes, a rebuild with nothing changed under 30 seconds.

# %% tags=["parameters"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/synthetic-full"
record_file = "benchmarks/latest.json"  # benchmark record to show

# %%
import json

import matplotlib.pyplot as plt
import pandas as pd

from cellmotion import figures
from cellmotion.paths import project_path

figures.setup_style()
path = project_path(record_file, create=False)
if path.exists():
    record = json.loads(path.read_text())
    print(f"measured {record['date']} on {record['machine']['cpu']}, {record['machine']['cores']} cores, "
          f"{record['machine']['memory']}, Python {record['machine']['python']}")
    if record.get("note"):
        print("note:", record["note"])
else:  # a fresh checkout without a record: say so instead of inventing numbers
    record = {"rows": [], "components": []}
    print(f"no benchmark record at {path}: run `.venv/bin/python benchmarks/run.py --full` to make one")

# %% [markdown]
# ## Chapters and rebuilds

# %%
rows = pd.DataFrame(record["rows"], columns=["what", "seconds", "peak_rss_mib"]).rename(columns={"what": "measurement", "seconds": "wall time [s]",
                                                     "peak_rss_mib": "peak memory [MiB]"})
rows.set_index("measurement")

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
            else f"{comp['seconds']:.0f} s, peak {comp['peak_rss_mib']} MiB")
    print(f"== {comp['script']}  ({took})")
    print("\n".join(comp["output"]))
    print()

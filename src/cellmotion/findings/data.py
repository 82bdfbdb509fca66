"""Sentences about the data a chapter was built on: branching tracks, real exports read."""

from __future__ import annotations

import pandas as pd

#: What each branch policy does, in words.
POLICY_WORDS = {
    "split": "cut into {pieces} unbranched pieces, each lineage kept as one cell in every split",
    "longest": "reduced to their longest path ({pieces} tracks)",
    "refuse": "refused",
}


def branches_sentence(counts: pd.DataFrame | None, policy: str = "split") -> str:
    """How many tracks branched (cell divisions, merges) and what was done with them.

    ``counts`` is the per-condition table of :func:`cellmotion.datasets.load_dataset`
    (``return_counts=True``); its ``branching tracks`` and ``pieces from branching tracks``
    columns exist for tracker exports. Without them (tidy tables, the synthetic data) the
    sentence says that the input holds no lineage.
    """
    if counts is None or "branching tracks" not in counts.columns:
        return "The input has no lineage information, so no track can branch."
    n = int(counts["branching tracks"].sum())
    if n == 0:
        return "No track branches (no cell division or merge in the tracker's links)."
    pieces = int(counts["pieces from branching tracks"].sum())
    per = [f"{c}: {int(v)}" for c, v in counts["branching tracks"].items() if v]
    what = POLICY_WORDS.get(policy, policy).format(pieces=pieces)
    return (f"{n} track{'s' if n != 1 else ''} branch{'es' if n == 1 else ''} (a cell division "
            f"or two cells merging; {', '.join(per)}) and {'was' if n == 1 else 'were'} {what} "
            f"(branches: {policy}).")


def export_sentence(table: pd.DataFrame, name: str, tracker: str) -> str:
    """What was read from one tracker export: tracks, positions, units, time step, branches.

    ``table`` is a reader's result (:mod:`cellmotion.io`), whose ``attrs`` give the units of
    the table (``length_unit``, ``time_unit``) and the branch report.
    """
    lu = table.attrs.get("length_unit", "µm")
    tu = table.attrs.get("time_unit", "min")
    steps = table.groupby("track_id", sort=False)["t"].diff().dropna()
    step = float(steps.median()) if len(steps) else float("nan")
    unit = f"frame{'s' if step != 1 else ''}" if tu == "frame" else tu
    if tu == "min" and step < 1:  # seconds read better than fractions of a minute
        step, unit = round(step * 60.0, 6), "s"
    rep = table.attrs.get("branches") or {}
    branch = ""
    if rep.get("branching"):
        branch = (f"; {rep['branching']} track(s) branch and became {rep['pieces']} pieces "
                  f"(branches: {rep.get('policy', 'split')})")
    return (f"{name} ({tracker}): {table['track_id'].nunique()} tracks, {len(table):,} positions, "
            f"positions in {lu}, one step every {step:g} {unit}{branch}.")

"""The book's headline numbers: the report's, ours and the real cells', read from the metrics files.

Every chapter writes a metrics JSON into the artifacts folder; :func:`headline_table` reads
them and returns one table (quantity, the report's value, ours, the real leukocytes'). Nothing
is typed in: a number that a chapter did not produce raises an error instead of leaving a gap.
The report's column appears only for the synthetic stand-in of the report's data
(``DatasetInfo.report_kind``); the real-cells column holds the chapter *Real cells*
(``real_cells_metrics.json``, always the bundled leukocytes), with :data:`NOT_HERE` where a
quantity was measured on one data set only. :func:`data_admonition` says which data a chapter
was built on, for the chapters' opening boxes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from .findings.real_cells import headline as real_cells_headline

NOT_REPORTED = "not measured in the report"
#: A cell of the table whose quantity belongs to the other data set's rows.
NOT_HERE = "—"
#: Column names of the headline table.
REPORT, OURS, REAL = "report", "ours", "real cells (leukocytes)"


def _load(art: Path, name: str) -> dict:
    path = Path(art) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: execute the chapter that writes it first")
    return json.loads(path.read_text())


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _interval(s: dict) -> str:
    import math

    finite = [v is not None and math.isfinite(v) for v in (s.get("lower"), s.get("upper"))]
    if not all(finite):  # too few folds or no spread (JSON writes the missing bound as null)
        return f"{100 * s['mean']:.0f} % (no interval: {s.get('reason') or 'too few folds'})"
    return f"{100 * s['mean']:.0f} % [{100 * s['lower']:.0f}, {100 * s['upper']:.0f}]"


def classification_rows(m: dict) -> list[dict]:
    """Table 2 (overall accuracy, the report's replication, with z) for every network, and
    per-track balanced accuracy with its 95 % interval for every model of the grouped folds
    (without z)."""
    rows = []
    report = m.get("table2_report", {})
    for net, ours in m["table2_ours"].items():
        rep = report.get(net, {})
        rows.append({"chapter": "classification",
                     "quantity": f"network {net}: test accuracy on one 80/20 split, overall "
                                 f"({m.get('table2_setting', 'with_z').replace('_', ' ')})",
                     "report": _pct(rep["overall"]) if "overall" in rep else NOT_REPORTED,
                     "ours": _pct(ours["overall"])})
    ev = m["evaluation"]["grouped"]
    for name, res in ev["models"].items():
        rows.append({"chapter": "classification",
                     "quantity": f"{name}: per-track balanced accuracy [95 % interval], "
                                 f"{ev['n_folds']} folds grouped by cell, without z",
                     "report": NOT_REPORTED, "ours": _interval(res["per_track_bacc"])})
    return rows


def _ci2(est, lo, hi, digits=2) -> str:
    """``est [lo, hi]``, or ``est (no interval)``."""
    if all(isinstance(x, (int, float)) and x == x for x in (lo, hi)):
        return f"{est:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
    return f"{est:.{digits}f} (no interval)"


def generation_rows(m: dict) -> list[dict]:
    """Held-out likelihoods per condition, the share of the gap to the ceiling the network
    closes (stand-in only, with its interval over held-out cells) and the sampler comparison of
    step speeds (against the held-out tracks)."""
    rows = []
    for r in m["heldout_nll"]:
        rows.append({"chapter": "generation",
                     "quantity": f"{r['condition']}: held-out NLL per step [nats], LSTM-MDN / AR(1) / Gaussian",
                     "report": NOT_REPORTED,
                     "ours": f"{r['lstm_mdn']:.2f} / {r['ar1']:.2f} / {r['gaussian_iid']:.2f}"})
    for r in m.get("gap_closed") or []:
        if r.get("share") is None or r["share"] != r["share"]:
            continue
        rows.append({"chapter": "generation",
                     "quantity": f"{r['condition']}: share of the gap from the shared AR(1) to the "
                                 "true-parameter ceiling that the LSTM-MDN closes [95 % interval over held-out cells]",
                     "report": NOT_REPORTED,
                     "ours": _ci2(100 * r["share"], 100 * r["lower"] if r["lower"] is not None else float("nan"),
                                  100 * r["upper"] if r["upper"] is not None else float("nan"), 0) + " %"})
    d = pd.DataFrame(m["distances"])
    speed = d[d["measure"] == "step_speed"]
    for cond, g in speed.groupby("condition", sort=False):
        w = g.set_index("sampler")["wasserstein"]
        rows.append({"chapter": "generation",
                     "quantity": f"{cond}: Wasserstein distance of step speeds to the held-out tracks "
                                 f"[{m.get('speed_unit', 'µm/min')}], fixed / original sampler / as many training tracks",
                     "report": "“optical comparison” only",
                     "ours": f"{w.get('fixed', float('nan')):.3f} / {w.get('original', float('nan')):.3f} / "
                             f"{w.get('training-real', float('nan')):.3f}"})
    return rows


def statistics_rows(m: dict) -> list[dict]:
    """Overlap with the held-out densities and relative spread of the generated densities,
    beside real training tracks at equal numbers (bias-corrected, 95 % intervals over cells)."""
    rows = []
    ref = pd.DataFrame(m.get("reference_comparison") or [])
    if ref.empty:
        return rows
    for (cond, measure), g in ref[ref["measure"].isin(["bhattacharyya", "sd_ratio_persistence"])].groupby(
            ["condition", "measure"], sort=False):
        g = g.set_index("sampler")
        what = ("overlap with the held-out densities (Bhattacharyya)" if measure == "bhattacharyya"
                else "spread of persistence, generated / held-out")
        parts = [f"{s} {_ci2(g.loc[s, 'other'], g.loc[s, 'other_lower'], g.loc[s, 'other_upper'])}"
                 for s in ("fixed", "original") if s in g.index]
        first = g.iloc[0]
        parts.append(f"real {_ci2(first['reference'], first['reference_lower'], first['reference_upper'])}")
        rows.append({"chapter": "statistics",
                     "quantity": f"{cond}: {what}, {int(first['n_tracks'])} tracks each, "
                                 "fixed / original sampler / real training tracks",
                     "report": ("peaks in the same place, generated “much narrower”" if measure == "bhattacharyya"
                                else "< 1 (narrower)"),
                     "ours": "; ".join(parts)})
    return rows


def real_cells_rows(m: dict) -> list[dict]:
    """The chapter *Real cells*' headline numbers as rows with the real-cells column filled."""
    return [{"chapter": "real cells", "quantity": r["quantity"], "report": NOT_REPORTED,
             "ours": NOT_HERE, "real": r["value"]} for r in real_cells_headline(m)]


def headline_table(artifacts, report: bool = True, real_cells: bool = True) -> pd.DataFrame:
    """All headline numbers of the book from the metrics files in ``artifacts``.

    Columns: the report's value (only with ``report``: the build's data is the stand-in of the
    report's), ours (the build's dataset) and, with ``real_cells``, the real leukocytes'
    (``real_cells_metrics.json``; rows of the other chapters hold :data:`NOT_HERE` there).
    """
    art = Path(artifacts)
    rows = (classification_rows(_load(art, "classification_metrics.json"))
            + generation_rows(_load(art, "generation_metrics.json"))
            + statistics_rows(_load(art, "statistics_metrics.json")))
    for r in rows:
        r["real"] = NOT_HERE
    if real_cells:
        rows += real_cells_rows(_load(art, "real_cells_metrics.json"))
    table = pd.DataFrame(rows)
    values = ["report", "ours", "real"]
    if table.empty or table[values].isin(["", "nan"]).any().any() \
            or table[values].apply(lambda c: c.str.contains("nan")).any().any():
        raise ValueError("a headline number is missing: check the chapters' metrics files")
    table = table.rename(columns={"report": REPORT, "ours": OURS, "real": REAL})
    if not report:
        table = table.drop(columns=REPORT)
    if not real_cells:
        table = table.drop(columns=REAL)
    return table.set_index(["chapter", "quantity"])


def data_admonition(info) -> str:
    """An HTML admonition (rendered as a box in the book) saying which data a chapter is about.

    ``info`` is a :class:`cellmotion.datasets.DatasetInfo`. For the synthetic stand-in of the
    report's data it warns that every number is synthetic; for any other dataset it names the
    data, its source and licence, and its units (pixels and frames for uncalibrated data).
    """
    e = html.escape
    if info.report_kind:
        title, kind = "The default data is synthetic", "warning"
        body = ("The report's trajectories were never published. Every number in this book that "
                "is not explicitly quoted from the report was computed on a <b>synthetic "
                "stand-in</b> generated by the package with a fixed seed (the superstatistical "
                "persistent random walk of Metzner et al. 2015, calibrated to the report's "
                "Table 1 and Figure 10). These numbers are <i>not</i> a replication of the "
                "report's measurements; they show what the methods do on data with known "
                "properties.")
    else:
        kind = "warning" if info.synthetic else "note"
        title = f"This book was built on: {info.title}"
        parts = [e(info.description) if info.description else ""]
        if info.synthetic:
            parts.append("These tracks are <b>synthetic</b> (generated by the package): their "
                         "numbers say nothing about real cells.")
        if info.source:
            parts.append(f"Source: {e(info.source)}.")
        if info.licence:
            parts.append(f"Licence: {e(info.licence)}.")
        if info.calibrated:
            parts.append("Positions are in µm, times in minutes, speeds in µm/min.")
        else:
            parts.append(f"The data is not calibrated: positions stay in <b>{e(info.length_unit)}</b>, "
                         f"times in <b>{e(info.time_unit)}s</b> and speeds in "
                         f"<b>{e(info.speed_unit)}</b>.")
        parts.append("The report's numbers were measured on other cells and are not set beside "
                     "these.")
        body = " ".join(p for p in parts if p)
    return (f'<div class="admonition {kind}"><p class="admonition-title">{e(title)}</p>'
            f"<p>{body}</p></div>")

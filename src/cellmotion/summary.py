"""The book's headline numbers: the report's and ours, side by side, read from the metrics files.

Every chapter writes a metrics JSON into the artifacts folder; :func:`headline_table` reads
them and returns one table (quantity, the report's value, ours). Nothing is typed in: a
number of ours that a chapter did not produce raises an error instead of leaving a gap.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

NOT_REPORTED = "not measured in the report"


def _load(art: Path, name: str) -> dict:
    path = Path(art) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: execute the chapter that writes it first")
    return json.loads(path.read_text())


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _pm(summary: dict) -> str:
    return f"{100 * summary['mean']:.0f} ± {100 * summary['std']:.0f} %"


def classification_rows(m: dict) -> list[dict]:
    """Table 2 (overall and per condition) for every network, plus cross-validated rows."""
    rows = []
    report = m.get("table2_report", {})
    for net, ours in m["table2_ours"].items():
        rep = report.get(net, {})
        rows.append({"chapter": "classification", "quantity": f"network {net}: test accuracy, overall",
                     "report": _pct(rep["overall"]) if "overall" in rep else NOT_REPORTED,
                     "ours": _pct(ours["overall"])})
    cv = m["cv"]["results"]
    for net, res in cv.items():
        label = {"baseline": f"baseline ({m['baseline']['name']})",
                 "own": f"our network ({m['own']['name']})"}.get(net, f"network {net}")
        variants = [k for k in ("with_z", "without_z") if k in res]  # 2D data has no z variant
        rows.append({"chapter": "classification",
                     "quantity": f"{label}: cross-validated accuracy, "
                                 + " / ".join(v.replace("_", " ") for v in variants),
                     "report": NOT_REPORTED,
                     "ours": " / ".join(_pm(res[v]["overall"]) for v in variants)})
    return rows


def generation_rows(m: dict) -> list[dict]:
    """Held-out likelihoods per condition and the sampler comparison of step speeds."""
    rows = []
    for r in m["heldout_nll"]:
        rows.append({"chapter": "generation",
                     "quantity": f"{r['condition']}: held-out NLL per step [nats], LSTM-MDN / AR(1) / Gaussian",
                     "report": NOT_REPORTED,
                     "ours": f"{r['lstm_mdn']:.2f} / {r['ar1']:.2f} / {r['gaussian_iid']:.2f}"})
    d = pd.DataFrame(m["distances"])
    speed = d[d["measure"] == "step_speed"]
    for cond, g in speed.groupby("condition", sort=False):
        w = g.set_index("sampler")["wasserstein"]
        rows.append({"chapter": "generation",
                     "quantity": f"{cond}: Wasserstein distance of step speeds [µm/min], fixed / original sampler",
                     "report": "“optical comparison” only",
                     "ours": f"{w.get('fixed', float('nan')):.3f} / {w.get('original', float('nan')):.3f}"})
    return rows


def statistics_rows(m: dict) -> list[dict]:
    """Overlap of original and generated parameter densities, and their relative spread."""
    rows = []
    comp = pd.DataFrame(m["comparison"])
    for cond, g in comp.groupby("condition", sort=False):
        g = g.set_index("sampler")
        bc = g["bhattacharyya"]
        sd = g["sd_ratio_persistence"]
        rows.append({"chapter": "statistics",
                     "quantity": f"{cond}: overlap of original and generated densities (Bhattacharyya), fixed / original sampler",
                     "report": "peaks in the same place, generated “much narrower”",
                     "ours": f"{bc.get('fixed', float('nan')):.2f} / {bc.get('original', float('nan')):.2f}"})
        rows.append({"chapter": "statistics",
                     "quantity": f"{cond}: spread of persistence, generated / original, fixed / original sampler",
                     "report": "< 1 (narrower)",
                     "ours": f"{sd.get('fixed', float('nan')):.2f} / {sd.get('original', float('nan')):.2f}"})
    return rows


def headline_table(artifacts) -> pd.DataFrame:
    """All headline numbers of the book from the metrics files in ``artifacts``."""
    art = Path(artifacts)
    rows = (classification_rows(_load(art, "classification_metrics.json"))
            + generation_rows(_load(art, "generation_metrics.json"))
            + statistics_rows(_load(art, "statistics_metrics.json")))
    table = pd.DataFrame(rows)
    if table.empty or table[["report", "ours"]].isin(["", "nan"]).any().any() \
            or table["ours"].str.contains("nan").any():
        raise ValueError("a headline number is missing: check the chapters' metrics files")
    return table.set_index(["chapter", "quantity"])

"""The book's answers and headline numbers: the report's, ours and the real cells', read from
the metrics files.

:func:`answer_table` is the introduction's summary: one row per question of the report (which
environment, from a track? does the generator predict held-out steps better than simple random
walks? do generated tracks have the real tracks' persistence–speed statistics?), with the
report's answer, ours on the build's data and ours on the real leukocytes (the chapter *Real
cells*, ``real_cells_metrics.json``). Its cells are a number with its interval or a few words,
written by :mod:`cellmotion.findings.intro` from the metrics; a question a chapter did not
measure says why in its cell. Nothing is typed in except the report's own answers, quoted.

:func:`headline_table` lists every headline number of the chapters (quantity, the report's
value, ours, the real leukocytes'), raising an error where a number is missing; the book no
longer shows it (each chapter shows its own numbers), but it checks that the metrics files keep
the keys the chapters promise (``tests/test_classify.py``, ``tests/test_summary_rows.py``).
:func:`data_admonition` says which data a chapter was built on, for the chapters' opening boxes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from .findings import intro as intro_findings
from .findings.real_cells import headline as real_cells_headline
from .results import Evaluation, Score, evaluations_from_dict

NOT_REPORTED = "not measured in the report"
#: A cell of the table whose quantity belongs to the other data set's rows.
NOT_HERE = "—"
#: Column names of the headline table.
REPORT, OURS, REAL = "report", "ours", "real cells (leukocytes)"


def _load(art: Path, name: str) -> dict:
    """The content of the metrics file ``name`` in ``art`` (an error naming it if missing)."""
    path = Path(art) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: execute the chapter that writes it first")
    return json.loads(path.read_text())


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _interval(s: Score) -> str:
    import math

    if not (math.isfinite(s.lower) and math.isfinite(s.upper)):  # too few folds or no spread
        return f"{100 * s.mean:.0f} % (no interval: {s.reason or 'too few folds'})"
    return f"{100 * s.mean:.0f} % [{100 * s.lower:.0f}, {100 * s.upper:.0f}]"


def classification_rows(m: dict) -> list[dict]:
    """Table 2 (overall accuracy, the report's replication, with z) for every network, and
    per-track balanced accuracy with its 95 % interval for every model of the grouped folds
    (without z).

    Parameters
    ----------
    m : dict
        The content of ``classification_metrics.json``; the grouped folds' result is read with
        :meth:`cellmotion.results.Evaluation.from_dict`.

    Returns
    -------
    list of dict
        ``{chapter, quantity, report, ours}`` per row.
    """
    rows = []
    report = m.get("table2_report", {})
    for net, ours in m["table2_ours"].items():
        rep = report.get(net, {})
        rows.append({"chapter": "classification",
                     "quantity": f"network {net}: test accuracy on one 80/20 split, overall "
                                 f"({m.get('table2_setting', 'with_z').replace('_', ' ')})",
                     "report": _pct(rep["overall"]) if "overall" in rep else NOT_REPORTED,
                     "ours": _pct(ours["overall"])})
    grouped = Evaluation.from_dict(m["evaluation"]["grouped"])
    for name, res in grouped.models.items():
        rows.append({"chapter": "classification",
                     "quantity": f"{name}: per-track balanced accuracy [95 % interval], "
                                 f"{grouped.n_folds} folds grouped by cell, without z",
                     "report": NOT_REPORTED, "ours": _interval(res.per_track_bacc)})
    return rows


def _ci2(est, lo, hi, digits=2) -> str:
    """``est [lo, hi]``, or ``est (no interval)``."""
    if all(isinstance(x, (int, float)) and x == x for x in (lo, hi)):
        return f"{est:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
    return f"{est:.{digits}f} (no interval)"


def generation_rows(m: dict) -> list[dict]:
    """Held-out likelihoods per condition, the share of the gap to the ceiling the network
    closes (stand-in only, with its interval over held-out cells) and the sampler comparison of
    step speeds (against the held-out tracks).

    Parameters
    ----------
    m : dict
        The content of ``generation_metrics.json``.

    Returns
    -------
    list of dict
        ``{chapter, quantity, report, ours}`` per row.
    """
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
    beside real training tracks at equal numbers (bias-corrected, 95 % intervals over cells).

    Parameters
    ----------
    m : dict
        The content of ``statistics_metrics.json``.

    Returns
    -------
    list of dict
        ``{chapter, quantity, report, ours}`` per row (none without reference comparisons).
    """
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
    """The chapter *Real cells*' headline numbers as rows with the real-cells column filled.

    Parameters
    ----------
    m : dict
        The content of ``real_cells_metrics.json``
        (:func:`cellmotion.findings.real_cells.headline` reads it).

    Returns
    -------
    list of dict
        ``{chapter, quantity, report, ours, real}`` per row.
    """
    return [{"chapter": "real cells", "quantity": r["quantity"], "report": NOT_REPORTED,
             "ours": NOT_HERE, "real": r["value"]} for r in real_cells_headline(m)]


def headline_table(artifacts, report: bool = True, real_cells: bool = True) -> pd.DataFrame:
    """All headline numbers of the book from the metrics files in ``artifacts``.

    Parameters
    ----------
    artifacts : path
        The artifacts folder.
    report : bool
        Keep the report's column (only where the build's data is the stand-in of the report's).
    real_cells : bool
        Add the real leukocytes' rows and column (``real_cells_metrics.json``; rows of the other
        chapters hold :data:`NOT_HERE` there).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(chapter, quantity)``; columns the report's value, ours (the build's
        dataset) and the real leukocytes'.

    Raises
    ------
    FileNotFoundError
        When a metrics file is missing.
    ValueError
        When a headline number is missing.
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


#: The report's questions, in the order of the book (key, as the summary table asks it).
QUESTIONS = {
    "environment": "Which environment, from a track?",
    "prediction": "Does the generator predict held-out steps better than simple random walks?",
    "statistics": "Do generated tracks have the real tracks' persistence–speed statistics?",
}
#: The report's own answers where its metrics file holds none (quoted from its section 5).
REPORT_ANSWERS = {
    "prediction": "not tested: “no test data was held out”",
    "statistics": "peaks in the same areas, densities “much narrower” (by eye)",
}
#: Why a cell holds no result.
NOT_RUN = "not run in this build"
NOT_MEASURED_REAL = "not measured on these cells"


def _maybe(art: Path, name: str) -> dict | None:
    path = Path(art) / name
    return json.loads(path.read_text()) if path.exists() else None


def classification_evaluations(artifacts) -> dict:
    """The results of the chapter *Classifying trajectories*, read from its metrics file.

    Parameters
    ----------
    artifacts : path
        The artifacts folder.

    Returns
    -------
    dict
        ``{protocol: Evaluation}`` (:meth:`cellmotion.results.Evaluation.from_dict` of the
        ``evaluation`` of ``classification_metrics.json``, the primary protocol first); empty
        where the chapter has not run.
    """
    clf = _maybe(Path(artifacts), "classification_metrics.json")
    return evaluations_from_dict((clf or {}).get("evaluation"))


def report_environment(table2_report: dict | None) -> str:
    """The report's best overall test accuracy (its Table 2) and which networks reached it.

    Parameters
    ----------
    table2_report : dict or None
        The report's Table 2 (``table2_report`` of ``classification_metrics.json``).

    Returns
    -------
    str
        ``"—"`` without a table.
    """
    if not table2_report:
        return "—"
    best = max(r["overall"] for r in table2_report.values())
    nets = [n for n, r in table2_report.items() if r["overall"] == best]
    return (f"{100 * best:.0f} % test accuracy (network{'s' if len(nets) > 1 else ''} "
            f"{' and '.join(nets)}, one 80/20 split)")


def answer_facts(artifacts) -> dict:
    """The facts behind :func:`answer_table` and the introduction's sentences.

    The classification results are read with :meth:`cellmotion.results.Evaluation.from_dict`
    (the primary protocol: the first of the chapter, or the real cells' ``primary``); facts
    come from :mod:`cellmotion.findings.intro`.

    Parameters
    ----------
    artifacts : path
        The artifacts folder (missing metrics files count as chapters not run).

    Returns
    -------
    dict
        ``{"ours": {question: facts or None}, "real": {...} or None, "report": {question:
        str}, "why": {"ours": {question: str}, "real": {question: str}}}`` (``None`` where not
        measured, with the reason in ``why``).
    """
    art = Path(artifacts)
    clf = _maybe(art, "classification_metrics.json")
    gen = _maybe(art, "generation_metrics.json")
    stats = _maybe(art, "statistics_metrics.json")
    real = _maybe(art, "real_cells_metrics.json")
    evaluations = evaluations_from_dict((clf or {}).get("evaluation"))
    # the chapter's primary protocol comes first (one replicate left out, where there are any)
    primary_ours = next(iter(evaluations.values()), None)
    ours = {"environment": intro_findings.environment_facts(primary_ours),
            "prediction": intro_findings.prediction_facts((gen or {}).get("heldout_nll_table")),
            "statistics": intro_findings.statistics_facts((stats or {}).get("reference_comparison"))}
    why_ours = {k: NOT_RUN if m is None else "not measured in this build"
                for k, m in (("environment", clf), ("prediction", gen), ("statistics", stats))}
    real_facts = None
    why_real = {k: NOT_RUN for k in QUESTIONS}
    if real is not None:
        cls = real.get("classification") or {}
        primary = cls.get(cls.get("primary") or "", None) or cls.get("grouped")
        primary = Evaluation.from_dict(primary) if primary else None
        real_facts = {"environment": intro_findings.environment_facts(primary),
                      "prediction": intro_findings.prediction_facts(real.get("generation")),
                      "statistics": intro_findings.statistics_facts((real.get("superstats") or {}).get("reference_comparison"))}
        why_real = {k: NOT_MEASURED_REAL for k in QUESTIONS}
    report = {"environment": report_environment((clf or {}).get("table2_report")), **REPORT_ANSWERS}
    return {"ours": ours, "real": real_facts, "report": report,
            "why": {"ours": why_ours, "real": why_real}}


def answer_table(artifacts, report: bool = True, real_cells: bool = True,
                 facts: dict | None = None) -> pd.DataFrame:
    """One row per question of the report: the report's answer, ours, the real leukocytes'.

    Every cell is short: a number with its interval, or a few words; a question not measured
    says why.

    Parameters
    ----------
    artifacts : path
        The artifacts folder.
    report : bool
        Keep the report's column (the build's data is the stand-in of the report's).
    real_cells : bool
        Keep the real leukocytes' column.
    facts : dict, optional
        :func:`answer_facts` (read from ``artifacts`` when not given).

    Returns
    -------
    pandas.DataFrame
        Columns ``question, report, ours, real``.
    """
    f = facts or answer_facts(artifacts)
    cells = {"environment": intro_findings.environment_cell, "prediction": intro_findings.prediction_cell,
             "statistics": intro_findings.statistics_cell}
    rows = []
    for key, question in QUESTIONS.items():
        row = {"question": question, "report": f["report"][key],
               "ours": cells[key](f["ours"][key], f["why"]["ours"][key]),
               "real": cells[key]((f["real"] or {}).get(key), f["why"]["real"][key])}
        rows.append(row)
    table = pd.DataFrame(rows)
    if not report:
        table = table.drop(columns="report")
    if not real_cells:
        table = table.drop(columns="real")
    return table


def data_admonition(info) -> str:
    """An HTML admonition (rendered as a box in the book) saying which data a chapter is about.

    For the synthetic stand-in of the report's data it warns that every number is synthetic;
    for any other dataset it names the data, its source and licence, and its units (pixels and
    frames for uncalibrated data).

    Parameters
    ----------
    info : cellmotion.datasets.DatasetInfo
        The dataset.

    Returns
    -------
    str
        HTML.
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

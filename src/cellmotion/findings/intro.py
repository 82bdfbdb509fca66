"""Sentences of the introduction, computed from the chapters' metrics files.

The chapter list says what each chapter does; where it names a result (how our own network
compares with the others) the words come from :func:`network_sentence`, so the introduction
never promises "a better network" that the run did not measure.
"""

from __future__ import annotations

from ..results import Evaluation
from .classification import claim, label
from .numbers import finite as _finite


def _names(models: list) -> str:
    """``["forest", "minirocket"]`` -> ``"the motility-feature forest and MiniRocket"``."""
    names = [label(m) for m in models]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def network_sentence(grouped: Evaluation | None, model: str = "ours") -> str:
    """How our network compares with every other model of the grouped folds, in words.

    ``grouped``: the result of the folds grouped by cell (``evaluation.grouped`` of
    ``classification_metrics.json``, read with :meth:`cellmotion.results.Evaluation.from_dict`;
    ``None`` where the chapter did not run); the paired differences of per-track balanced
    accuracy are read from ``grouped.paired[model]`` (ensembles that contain ``model`` are
    left out). Each is judged by :func:`cellmotion.findings.classification.claim`, the rule of
    the chapters: a model is "scored higher than" only where the 95 % interval of the
    difference lies above 0 *and* its Holm-adjusted p (``p_holm``, adjusted over every pair of
    models of the table, as stored by the chapter) is below 0.05, "scored lower" likewise;
    every other comparison is "cannot be told apart" (an interval that contains 0, none at
    all, or one that does not survive the adjustment). Models are named as the chapters name
    them (:func:`cellmotion.findings.classification.label`).
    """
    paired = (grouped.paired if grouped is not None else {}).get(model) or {}
    paired = {k: v for k, v in paired.items() if model not in str(k).split("+")}
    if not paired:
        return "our own network (not compared in this build)"
    above, below, neither = [], [], []
    for other, d in paired.items():
        c = claim(d)
        (above if c > 0 else below if c < 0 else neither).append(other)
    parts = []
    if above:
        parts.append(f"scores higher than {_names(above)}")
    if below:
        parts.append(f"scores lower than {_names(below)}")
    if neither:
        parts.append(f"cannot be told apart from {_names(neither)}")
    adjusted = any(d.p_holm is not None for d in paired.values())
    how = ("95 % intervals over folds grouped by cell, p values adjusted by Holm's method over "
           "the pairs of models" if adjusted else "95 % intervals over folds grouped by cell")
    return "our own network, which in this build " + "; ".join(parts) + f" (per-track balanced accuracy, {how})"


def chapter_list(grouped: Evaluation | None = None) -> str:
    """The introduction's list of chapters (Markdown), with the classification result in words.

    Parameters
    ----------
    grouped : Evaluation, optional
        The result of the folds grouped by cell, for :func:`network_sentence`.

    Returns
    -------
    str
        One Markdown bullet per chapter, each a ``{doc}`` link and what the chapter covers.
    """
    return "\n".join([
        "- {doc}`01_data` — the data contract, the build's dataset (by default the synthetic stand-in "
        "and its calibration), outlier steps, and the report's preprocessing (resampling, velocities, "
        "normalisation, windows).",
        "- {doc}`02_classification` — the report's networks A–D, its Table 2 and Figures 6–7, then "
        "cross-validation, the z shortcut, a motility-feature baseline and "
        + network_sentence(grouped) + ".",
        "- {doc}`03_generation` — the LSTM mixture density network, the original code's sampling flaw "
        "and its fix, held-out likelihoods against baselines and (on the stand-in) the true-parameter "
        "ceiling, and distances between generated and held-out tracks.",
        "- {doc}`04_statistics` — the superstatistical comparison of Figure 10 on a grid fitted to the "
        "data, validated on tracks with known parameters, with bias-corrected overlaps and intervals "
        "over cells.",
        "- {doc}`06_real_cells` — real leukocytes under three chemoattractants and a control, four "
        "donors: classification grouped by cell and by donor, held-out likelihoods of the generator, "
        "and superstatistical densities, in pixels and frames.",
        "- {doc}`05_own_data` — the same book on your own tracks: input formats, a worked example, "
        "and what is refused.",
        "- {doc}`appendix_benchmarks` — how long every chapter takes, and on which machine.",
    ])


# ----------------------------------------------------------------------------- the answers
# The introduction answers the report's three questions, for the build's data and for the real
# leukocytes. Each ``*_facts`` function turns a chapter's metrics into a small dict (or ``None``
# where the chapter did not measure it); ``summary.answer_table`` writes the cells from these
# facts and :func:`answer_sentences` the sentences, so table and text say the same thing
# differently and never disagree.

#: The simple random walks the generator has to beat (held-out likelihood rows' ``model``).
SIMPLE_WALKS = ("ar1", "ar1_shared", "gaussian_iid")
#: Short names of the classifiers, for table cells.
SHORT_LABELS = {"report-best": "the report's network B", "ours": "our network",
                "forest": "motility-feature forest", "minirocket": "MiniRocket",
                "multirocket": "MultiRocket"}


def _short(model: str) -> str:
    return SHORT_LABELS.get(model, str(model).replace("+", " + "))


def environment_facts(result: Evaluation | None) -> dict | None:
    """The best classifier of one protocol: ``{model, name, mean, lower, upper, n_conditions}``.

    ``result``: a :class:`cellmotion.results.Evaluation` (or ``None``); the best model is the
    one with the highest mean per-track balanced accuracy. ``lower``/``upper`` are ``None``
    where its score has no interval.
    """
    models = result.models if result is not None else {}
    if not models:
        return None
    best = max(models, key=lambda m: models[m].per_track_bacc.mean)
    s = models[best].per_track_bacc
    lo, hi = s.lower, s.upper
    ok = _finite(lo, hi) and lo < hi
    return {"model": best, "name": _short(best), "mean": float(s.mean),
            "lower": max(0.0, float(lo)) if ok else None, "upper": min(1.0, float(hi)) if ok else None,
            "n_conditions": len(result.conditions) or None}


def prediction_facts(rows: list | None, simple=SIMPLE_WALKS) -> dict | None:
    """Per condition, the LSTM-MDN's held-out NLL against the simple random walks.

    ``rows``: held-out likelihood rows ``{condition, model, nll, diff_vs_mdn, lower, upper}``
    (``diff_vs_mdn`` = the LSTM-MDN's NLL minus the model's, so below 0 the LSTM-MDN predicts
    better). A condition is *better* when every simple walk's interval lies below 0, *worse*
    when any lies above 0, else *undecided*. ``diff`` is the difference to the best simple walk
    (lowest NLL). Returns ``{conditions: [...], better, worse, undecided: [names],
    diff_min, diff_max}`` or ``None`` without rows.
    """
    rows = [r for r in rows or [] if r.get("model") in simple and r.get("diff_vs_mdn") is not None]
    if not rows:
        return None
    out = {"better": [], "worse": [], "undecided": [], "diffs": {}}
    conds = list(dict.fromkeys(r["condition"] for r in rows))
    for c in conds:
        base = [r for r in rows if r["condition"] == c]
        if all(_finite(r["lower"], r["upper"]) and r["upper"] < 0 for r in base):
            out["better"].append(c)
        elif any(_finite(r["lower"], r["upper"]) and r["lower"] > 0 for r in base):
            out["worse"].append(c)
        else:
            out["undecided"].append(c)
        out["diffs"][c] = float(min(base, key=lambda r: r["nll"])["diff_vs_mdn"])
    out["conditions"] = conds
    out["diff_min"], out["diff_max"] = min(out["diffs"].values()), max(out["diffs"].values())
    return out


def statistics_facts(rows: list | None, sampler: str = "fixed") -> dict | None:
    """Per condition, whether generated tracks' persistence–speed densities overlap the
    held-out tracks' as well as real training tracks' do (equal numbers of tracks).

    ``rows``: reference comparisons (``cellmotion.superstats.compare_with_reference``) with
    ``measure == "bhattacharyya"``: ``other`` is the generated overlap, ``reference`` the real
    one, ``diff_lower``/``diff_upper`` the interval of their difference. *less* where it lies
    below 0, *more* above, else *undecided*. Returns ``{conditions, less, more, undecided,
    generated: (min, max), real: (min, max)}`` or ``None``.
    """
    rows = [r for r in rows or [] if r.get("measure") == "bhattacharyya" and r.get("sampler") == sampler]
    if not rows:
        return None
    out = {"less": [], "more": [], "undecided": [], "conditions": [r["condition"] for r in rows]}
    for r in rows:
        lo, hi = r.get("diff_lower"), r.get("diff_upper")
        key = ("less" if _finite(lo, hi) and hi < 0 else "more" if _finite(lo, hi) and lo > 0
               else "undecided")
        out[key].append(r["condition"])
    gen = [float(r["other"]) for r in rows]
    real = [float(r["reference"]) for r in rows]
    out["generated"], out["real"] = (min(gen), max(gen)), (min(real), max(real))
    return out


def _count(names: list, total: int) -> str:
    return f"all {total}" if len(names) == total and total > 1 else f"{len(names)} of {total}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def environment_cell(f: dict | None, why: str) -> str:
    """``"97 % (93–100 %), motility-feature forest"``; ``why`` where there is no result."""
    if f is None:
        return why
    iv = (f"({100 * f['lower']:.0f}–{100 * f['upper']:.0f} %)" if f["lower"] is not None
          else "(no interval)")
    level = 1 / f["n_conditions"] if f.get("n_conditions") else None
    at_chance = f["lower"] is not None and level is not None and f["lower"] <= level
    return f"{_pct(f['mean'])} {iv}, {f['name']}" + (f"; chance {_pct(level)}: not above it" if at_chance else "")


def prediction_cell(f: dict | None, why: str) -> str:
    """``"no: worse in all 3 conditions (+0.13 to +2.54 nats/step)"``."""
    if f is None:
        return why
    n = len(f["conditions"])
    rng = (f"{f['diff_min']:+.2f} nats/step" if abs(f["diff_max"] - f["diff_min"]) < 0.005
           else f"{f['diff_min']:+.2f} to {f['diff_max']:+.2f} nats/step")
    if len(f["better"]) == n:
        return f"yes: better in {_count(f['better'], n)} conditions ({rng})"
    if len(f["worse"]) == n:
        return f"no: worse in {_count(f['worse'], n)} conditions ({rng})"
    parts = [f"{len(f[k])} {w}" for k, w in (("better", "better"), ("worse", "worse"),
                                             ("undecided", "undecided")) if f[k]]
    return f"{', '.join(parts)} of {n} conditions ({rng})"


def statistics_cell(f: dict | None, why: str) -> str:
    """``"no: less overlap than real tracks in all 3 conditions (0.00–0.68 vs 0.87–1.00)"``."""
    if f is None:
        return why
    n = len(f["conditions"])
    g, r = f["generated"], f["real"]
    nums = f"overlap {g[0]:.2f}–{g[1]:.2f} vs {r[0]:.2f}–{r[1]:.2f}"
    if len(f["less"]) == n:
        return f"no: less overlap than real tracks in {_count(f['less'], n)} conditions ({nums})"
    if len(f["undecided"]) == n:
        return f"no difference from real tracks can be claimed ({nums})"
    parts = [f"{len(f[k])} {w}" for k, w in (("less", "less overlap"), ("more", "more overlap"),
                                             ("undecided", "undecided")) if f[k]]
    return f"{', '.join(parts)} of {n} conditions ({nums})"


def answer_sentences(ours: dict, real: dict | None = None, data: str = "the synthetic stand-in",
                     real_data: str = "the real leukocytes") -> list:
    """Two or three sentences that answer the report's questions (Markdown).

    Parameters
    ----------
    ours : dict
        ``{"environment": facts, "prediction": facts, "statistics": facts}`` for the build's
        dataset, from :func:`environment_facts`, :func:`prediction_facts` and
        :func:`statistics_facts` (``None`` for a question not measured).
    real : dict, optional
        The same for the real cells; ``None`` without a real-cells chapter (``statistics`` is
        not read from it).
    data, real_data : str
        What the two datasets are called.

    Returns
    -------
    list of str
        One sentence per question answered: the environment (best per-track balanced
        accuracy with its interval and chance), the prediction (the LSTM-MDN against the
        simple random walks) and, for ``ours``, the persistence–speed overlaps of generated
        tracks.
    """
    real = real or {}
    out = []
    e, er = ours.get("environment"), real.get("environment")
    if e or er:
        parts = []
        for f, where in ((e, data), (er, real_data)):
            if f is None:
                continue
            chance = f"; chance {_pct(1 / f['n_conditions'])}" if f.get("n_conditions") else ""
            iv = (f", 95 % interval {100 * f['lower']:.0f}–{100 * f['upper']:.0f} %"
                  if f["lower"] is not None else ", without an interval")
            # is the environment recognised at all? only when the interval lies above chance
            level = 1 / f["n_conditions"] if f.get("n_conditions") else None
            if f["lower"] is None:
                verdict = ""  # "without an interval" above says it: nothing is claimed
            elif level is not None and f["lower"] <= level:
                verdict = ": not told apart from chance"
            else:
                verdict = ""
            parts.append(f"{_pct(f['mean'])} on {where} ({f['name']}{iv}{chance}){verdict}")
        out.append("The best classifier's per-track balanced accuracy, telling a track's environment "
                   "from its motion, is " + " and ".join(parts) + ".")
    p, pr = ours.get("prediction"), real.get("prediction")
    if p or pr:
        kinds, parts = set(), []
        for f, where in ((p, data), (pr, real_data)):
            if f is None:
                continue
            n = len(f["conditions"])
            for kind in ("worse", "better"):
                if len(f[kind]) == n:
                    kinds.add(kind)
                    parts.append((kind, f"in {_count(f[kind], n)} conditions of {where}"))
                    break
            else:
                kinds.add("mixed")
                parts.append(("mixed", f"better in {len(f['better'])}, worse in {len(f['worse'])} "
                                       f"and undecided in {len(f['undecided'])} of the {n} "
                                       f"conditions of {where}"))
        words = {"worse": "worse than a simple random walk",
                 "better": "better than every simple random walk", "mixed": ""}
        if len(kinds) == 1 and "mixed" not in kinds:
            text = words[kinds.pop()] + " " + " and ".join(t for _, t in parts)
        else:
            text = "; ".join((words[k] + " " + t).strip() for k, t in parts)
        out.append("The LSTM mixture density network predicts held-out steps " + text
                   + " (negative log-likelihood per step; a difference counts only when its 95 % "
                     "interval over held-out cells excludes 0).")
    s = ours.get("statistics")
    if s:
        n = len(s["conditions"])
        if len(s["less"]) == n:
            verdict = f"less than real training tracks' do, in {_count(s['less'], n)} conditions"
        else:
            verdict = (f"less than real training tracks' do in {len(s['less'])}, more in "
                       f"{len(s['more'])} and with no claimable difference in "
                       f"{len(s['undecided'])} of {n} conditions")
        out.append(f"On {data}, the persistence–speed densities of generated tracks overlap those "
                   f"of held-out tracks {verdict}" + ("" if real.get("statistics") else
                                                      "; on the real cells this is not measured") + ".")
    return out

"""Sentences of the generation chapter, each computed from a small dict of metrics.

Nothing here judges by a threshold picked by hand: a difference is called a win only when its
interval excludes 0, and otherwise "no difference can be claimed". Numbers are rounded for
reading; the tables beside the sentences hold them in full.
"""

from __future__ import annotations

import math

from .numbers import finite as _finite
from .numbers import fmt as _f

#: How the likelihood table names its models in sentences.
MODEL_NAMES = {
    "lstm_mdn": "the LSTM-MDN",
    "ar1_shared": "one persistent random walk shared by all cells (AR(1))",
    "gaussian_iid": "independent Gaussian velocities",
    "superstatistical": "the superstatistical random walk (each cell its own drifting persistence and speed)",
    "true_parameters": "the simulator with each cell's true parameters (the ceiling)",
}


def difference_sentence(name_a: str, name_b: str, diff: float, lower: float, upper: float, *,
                        unit: str = "nats per held-out step", confidence: float = 0.95,
                        digits: int = 3) -> str:
    """A sentence about a difference of NLLs, ``A - B`` (lower NLL is better).

    Interval below 0: A wins, by ``-diff``; above 0: B wins, by ``diff``; an interval holding
    0 (or no interval): no difference can be claimed. The interval is always quoted.
    """
    pct = f"{100 * confidence:g} %"
    if not _finite(diff):
        return f"{name_a} and {name_b} could not be compared (no shared tracks)."
    if not _finite(lower, upper):
        return (f"{name_a} minus {name_b}: {_f(diff, digits)} {unit}, without an interval "
                f"(too few tracks), so no difference can be claimed.")
    if upper < 0:
        return (f"{name_a} wins over {name_b}: lower NLL by {_f(-diff, digits)} {unit} "
                f"({pct} interval {_f(-upper, digits)} to {_f(-lower, digits)}).")
    if lower > 0:
        return (f"{name_b} wins over {name_a}: lower NLL by {_f(diff, digits)} {unit} "
                f"({pct} interval {_f(lower, digits)} to {_f(upper, digits)}).")
    return (f"no difference can be claimed between {name_a} and {name_b}: {name_a} minus "
            f"{name_b} is {_f(diff, digits)} {unit} ({pct} interval {_f(lower, digits)} to "
            f"{_f(upper, digits)}, which contains 0).")


def nll_findings(rows, *, unit: str = "nats per held-out step") -> str:
    """Markdown bullets, one per condition and baseline, from the held-out NLL table.

    ``rows``: records with ``condition, model, n_tracks, nll, diff_vs_mdn, lower, upper``
    (:func:`cellmotion.generation.heldout_nll_table`, as ``DataFrame.to_dict('records')``).
    """
    lines = []
    for r in rows:
        if r["model"] in ("lstm_mdn", "true_parameters"):  # the ceiling has its own sentence
            continue
        name = MODEL_NAMES.get(r["model"], r["model"])
        s = difference_sentence("the LSTM-MDN", name, r["diff_vs_mdn"], r["lower"], r["upper"],
                                unit=unit)
        lines.append(f"- **{r['condition']}** ({r['n_tracks']} held-out tracks): {s[0].upper() + s[1:]}")
    return "\n".join(lines)


def seed_sentence(condition: str, n_generated: int, n_distinct: int, n_pool: int) -> str:
    """How many distinct training cells seeded a condition's generated tracks."""
    per = n_generated / max(n_distinct, 1)
    tail = ("every training cell seeded at least one track" if n_distinct == n_pool
            else f"{n_pool - n_distinct} of the {n_pool} training cells seeded none "
                 f"(fewer tracks were generated than there are cells)")
    return (f"{condition}: {n_generated} generated tracks seeded by {n_distinct} distinct training "
            f"cells ({per:.1f} tracks per cell on average); {tail}.")


def ceiling_sentence(rows=None, reason: str = "", digits: int = 2) -> str:
    """How far the LSTM-MDN gets from the shared AR(1) towards the simulator's own likelihood.

    ``rows``: held-out NLL table records (:func:`nll_findings`); conditions with a
    ``true_parameters`` row (the ceiling on synthetic data) and an ``ar1_shared`` row get the
    share of the gap between AR(1) and ceiling that the MDN closes. Without such rows the
    sentence says no ceiling was computed and why (``reason``).
    """
    by = {}
    for r in rows or []:
        by.setdefault(r["condition"], {})[r["model"]] = r["nll"]
    parts = []
    for cond, m in by.items():
        if not all(_finite(m.get(k)) for k in ("true_parameters", "ar1_shared", "lstm_mdn")):
            continue
        gap = m["ar1_shared"] - m["true_parameters"]
        if gap <= 0:
            parts.append(f"{cond}: the shared AR(1) is already at the ceiling "
                         f"({_f(m['ar1_shared'], 3)} vs {_f(m['true_parameters'], 3)})")
            continue
        share = (m["ar1_shared"] - m["lstm_mdn"]) / gap
        where = (f"which closes {share:.0%} of the gap between them" if share >= 0 else
                 "further from the ceiling than the AR(1)")
        parts.append(f"{cond}: the ceiling is {_f(m['true_parameters'], 3)}, the shared AR(1) "
                     f"{_f(m['ar1_shared'], 3)}, the LSTM-MDN {_f(m['lstm_mdn'], 3)}, {where}")
    if not parts:
        return ("No ceiling is reported: the simulator's own likelihood with the true parameters "
                f"was not computed ({reason or 'not available for this dataset'}).")
    return ("The simulator's own likelihood with each cell's true parameters is the ceiling no "
            "model can beat in expectation (nats per step). " + "; ".join(parts) + ".")


def sampler_sentence(condition: str, measure: str, ks: dict, digits: int = 2) -> str:
    """KS distances of one measure to the real tracks, per sampler, next to two real samples.

    ``ks``: ``{sampler: KS statistic}`` with ``heldout-real`` for the held-out vs training
    real tracks. States the numbers; orders them without calling any of them good.
    """
    parts = [f"{k} {_f(v, digits)}" for k, v in ks.items() if k != "heldout-real" and _finite(v)]
    ref = ks.get("heldout-real")
    ref_s = (f"; two real samples (held-out vs training) differ by {_f(ref, digits)}"
             if _finite(ref) else "")
    return (f"{condition}, {measure.replace('_', ' ')}: KS distance to the real tracks "
            + ", ".join(parts) + ref_s + ".")


def drift_sentence(condition: str, drift: dict, n_tracks: int | None = None, digits: int = 2) -> str:
    """Drift index of real and generated tracks, with the chance level ``1/sqrt(n)``."""
    parts = [f"{k} {_f(v, digits)}" for k, v in drift.items() if _finite(v)]
    chance = (f" (tracks in random directions give about {_f(1 / math.sqrt(n_tracks), digits)} "
              f"by chance with {n_tracks} generated tracks)" if n_tracks else "")
    return f"{condition}, drift index: " + ", ".join(parts) + chance + "."

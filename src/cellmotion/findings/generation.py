"""Sentences of the generation chapter, each computed from a small dict of metrics.

Nothing here judges by a threshold picked by hand: a difference is called a win only when its
interval excludes 0, and otherwise "no difference can be claimed". Numbers are rounded for
reading; the tables beside the sentences hold them in full.
"""

from __future__ import annotations

import math

from .numbers import finite as _finite
from .numbers import fmt as _fmt

#: The minus sign of every number in a sentence (U+2212), never a hyphen.
MINUS = "\u2212"


def _f(x, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals and a true minus sign."""
    return _fmt(x, digits).replace("-", MINUS)


def _pct(x) -> str:
    """A share as a whole percentage with a true minus sign (``-0.74`` -> ``"−74%"``)."""
    return f"{x:.0%}".replace("-", MINUS)

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


def ceiling_sentence(gap_rows=None, reason: str = "", digits: int = 2) -> str:
    """How far the LSTM-MDN gets from the shared AR(1) towards the simulator's own likelihood.

    ``gap_rows``: :func:`cellmotion.generation.gap_closed` (synthetic stand-in only): per
    condition the ceiling, the AR(1) and the MDN (nats per step) and the share of the gap
    between AR(1) and ceiling that the MDN closes, with its 95 % interval over held-out
    cells. The share is quoted with its interval; "closes" is said only where the interval
    lies above 0, "further from the ceiling" only where it lies below. Without rows the
    sentence says no ceiling was computed and why (``reason``).
    """
    parts = []
    for r in gap_rows or []:
        head = (f"{r['condition']}: the ceiling is {_f(r['ceiling'], 3)}, the shared AR(1) "
                f"{_f(r['ar1_shared'], 3)}, the LSTM-MDN {_f(r['lstm_mdn'], 3)}")
        if not _finite(r.get("share")):
            parts.append(head + ", so the AR(1) is already at the ceiling")
            continue
        share = _pct(r["share"])
        if not _finite(r.get("lower"), r.get("upper")):
            parts.append(head + f"; it closes {share} of the gap between them, without an interval "
                                f"({r['n_tracks']} held-out tracks), so no claim is made")
            continue
        ci = f"95 % interval {_pct(r['lower'])} to {_pct(r['upper'])} over {r['n_tracks']} held-out tracks"
        if r["lower"] > 0:
            parts.append(head + f", which closes {share} of the gap between them ({ci})")
        elif r["upper"] < 0:
            parts.append(head + f", further from the ceiling than the AR(1) ({share} of the gap; {ci})")
        else:
            parts.append(head + f"; the share of the gap it closes, {share} ({ci}), contains 0, so "
                                "no gain over the AR(1) can be claimed")
    if not parts:
        return ("No ceiling is reported: the simulator's own likelihood with the true parameters "
                f"was not computed ({reason or 'not available for this dataset'}).")
    return ("The simulator's own likelihood with each cell's true parameters is the ceiling no "
            "model can beat in expectation (nats per step); it is the only bound in the table. "
            + "; ".join(parts) + ".")


def sampler_sentence(condition: str, measure: str, ks: dict, digits: int = 2) -> str:
    """KS distances of one measure to the held-out tracks, per sampler, next to two real samples.

    ``ks``: ``{sampler: KS statistic}``, every one against the held-out tracks (which no
    network saw), with ``training-real`` for as many training tracks as generated ones.
    States the numbers; orders them without calling any of them good (a single split gives
    no interval).
    """
    ref_key = "training-real"
    parts = [f"{k} {_f(v, digits)}" for k, v in ks.items() if k != ref_key and _finite(v)]
    ref = ks.get(ref_key)
    ref_s = (f"; as many training tracks differ from them by {_f(ref, digits)}"
             if _finite(ref) else "")
    return (f"{condition}, {measure.replace('_', ' ')}: KS distance to the held-out tracks "
            + ", ".join(parts) + ref_s + ".")


def drift_sentence(condition: str, drift: dict, n_tracks: int | None = None, digits: int = 2) -> str:
    """Drift index of real and generated tracks, with the chance level ``1/sqrt(n)``."""
    parts = [f"{k} {_f(v, digits)}" for k, v in drift.items() if _finite(v)]
    chance = (f" (tracks in random directions give about {_f(1 / math.sqrt(n_tracks), digits)} "
              f"by chance with {n_tracks} generated tracks)" if n_tracks else "")
    return f"{condition}, drift index: " + ", ".join(parts) + chance + "."


# ------------------------------------------------------------------ the chapter's answer
#: Short model names for the answer figure and the compact table.
SHORT_NAMES = {
    "lstm_mdn": "LSTM-MDN",
    "ar1_shared": "shared AR(1)",
    "gaussian_iid": "independent Gaussian",
    "superstatistical": "superstatistical",
    "true_parameters": "ceiling (true parameters)",
}


#: How the answer sentence names the baselines.
ANSWER_NAMES = {
    "ar1_shared": "the shared persistent random walk (AR(1))",
    "gaussian_iid": "independent Gaussian velocities",
    "superstatistical": "the superstatistical random walk",
}


def data_phrase(synthetic: bool, title: str = "") -> str:
    """How a sentence names the tracks it is about: the synthetic stand-in is always called so.

    Parameters
    ----------
    synthetic : bool
        Whether the tracks are simulated.
    title : str
        The dataset's title, used for real data.

    Returns
    -------
    str
        A noun phrase: the synthetic stand-in's fixed name, else ``title`` (or "the tracks of
        this build" without one).
    """
    if synthetic:
        return "the book's synthetic stand-in (simulated tracks, not real cells)"
    return title or "the tracks of this build"


def join_words(items) -> str:
    """``["A"]`` -> ``"A"``; ``["A", "B"]`` -> ``"A and B"``; three or more with commas."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def verdict(diff, lower, upper) -> str:
    """``"mdn"`` (interval of MDN minus baseline below 0), ``"baseline"`` (above 0) or
    ``"undecided"`` (interval holds 0, or no interval)."""
    if not _finite(diff, lower, upper) or lower <= 0 <= upper:
        return "undecided"
    return "mdn" if upper < 0 else "baseline"


def nll_answer(rows, data: str = "") -> str:
    """One sentence: the LSTM-MDN against every baseline, over the conditions.

    For each baseline the conditions are grouped by the verdict of their interval
    (:func:`verdict`); the ceiling (``true_parameters``) is left to :func:`ceiling_answer`.

    Parameters
    ----------
    rows : list of dict
        The held-out NLL table as records (``condition``, ``model``, ``diff_vs_mdn``,
        ``lower``, ``upper``; :func:`cellmotion.generation.heldout_nll_table`).
    data : str
        What the tracks are called (:func:`data_phrase`); empty leaves it out.

    Returns
    -------
    str
        The sentence (beats / loses to / cannot be told apart from each baseline, and where),
        or that no baseline was scored.
    """
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    baselines = list(dict.fromkeys(r["model"] for r in rows
                                   if r["model"] not in ("lstm_mdn", "true_parameters")))
    if not baselines:
        return "No baseline was scored on the held-out tracks."
    words = {"mdn": "beats {b}", "baseline": "loses to {b}", "undecided": "cannot be told apart from {b}"}
    parts = []
    for b in baselines:
        groups = {}
        for r in rows:
            if r["model"] == b:
                groups.setdefault(verdict(r["diff_vs_mdn"], r["lower"], r["upper"]), []).append(r["condition"])
        name = ANSWER_NAMES.get(b, b)
        clauses = []
        for key in ("mdn", "baseline", "undecided"):
            conds = groups.get(key, [])
            if not conds:
                continue
            where = (f"in all {len(conds)} conditions" if len(conds) == len(conditions) and len(conds) > 1
                     else f"in {join_words(conds)}")
            clauses.append(words[key].format(b=name if not clauses else "it") + " " + where)
        parts.append(join_words(clauses))
    where = f"On the held-out cells of {data}, the" if data else "On held-out cells the"
    return (f"{where} LSTM-MDN " + "; ".join(parts) + " (NLL per step; a verdict only where the "
            "95 % interval over held-out cells excludes 0).")


def ceiling_answer(gap_rows=None, reason: str = "") -> str:
    """One sentence: the share of the gap from the shared AR(1) to the ceiling the LSTM-MDN closes.

    Parameters
    ----------
    gap_rows : list of dict, optional
        :func:`cellmotion.generation.gap_closed` (``condition``, ``share``, ``lower``,
        ``upper``).
    reason : str
        Why there is no ceiling, said when there are no rows.

    Returns
    -------
    str
        The share per condition with its 95 % interval (percent), or why no ceiling is
        computed.
    """
    parts = []
    for r in gap_rows or []:
        if not _finite(r.get("share")):
            parts.append(f"{r['condition']}: the AR(1) is already at the ceiling")
        elif _finite(r.get("lower"), r.get("upper")):
            parts.append(f"{r['condition']} {_pct(r['share'])} [{_pct(r['lower'])}, {_pct(r['upper'])}]")
        else:
            parts.append(f"{r['condition']} {_pct(r['share'])} (no interval)")
    if not parts:
        return f"No ceiling is computed ({reason or 'not available for this dataset'})."
    return ("Of the gap between the shared AR(1) and the ceiling (the simulator's own likelihood with "
            "each cell's true parameters), the LSTM-MDN closes " + "; ".join(parts)
            + " (95 % intervals; a share below 0 is further from the ceiling than the AR(1)).")


def sampler_answer(ks_rows, measure: str = "step_speed", digits: int = 2,
                   samplers=("fixed", "original", "training-real")) -> str:
    """One sentence: KS distances of one measure to the held-out tracks, per sampler.

    Each sampler's distances are given as a range over conditions, beside two real samples
    (``training-real``). Descriptive: one split, no interval, so nothing is called better.

    Parameters
    ----------
    ks_rows : list of dict
        Records with ``condition``, ``sampler``, ``measure`` and ``ks``
        (:func:`cellmotion.generation.distance_rows`).
    measure : str
        The measure (``step_speed``, ``turning_angle``, ...).
    digits : int
        Decimals shown.
    samplers : tuple of str
        Samplers included.

    Returns
    -------
    str
        The sentence, or that no distances of ``measure`` were computed.
    """
    by = {}
    for r in ks_rows:
        if r["measure"] == measure and r["sampler"] in samplers and _finite(r.get("ks")):
            by.setdefault(r["sampler"], []).append(float(r["ks"]))
    if not by:
        return f"No {measure.replace('_', ' ')} distances were computed."

    def span(v):
        lo, hi = min(v), max(v)
        return _f(lo, digits) if _fmt(lo, digits) == _fmt(hi, digits) else f"{_f(lo, digits)}–{_f(hi, digits)}"

    names = {"fixed": "the corrected sampler", "original": "the report's sampler",
             "fixed+rotations": "the corrected sampler trained on rotated copies"}
    parts = [f"{span(v)} with {names.get(s, s)}" for s, v in by.items() if s != "training-real"]
    ref = (f"; two real samples of as many tracks differ by {span(by['training-real'])}"
           if "training-real" in by else "")
    n = len(next(iter(by.values())))
    over = ", across conditions," if n > 1 else ""
    return (f"{measure.replace('_', ' ').capitalize()}s of generated tracks differ from those of the "
            f"held-out cells{over} by a KS distance of " + join_words(parts) + ref
            + " (one split, no interval: a description, not a verdict).")

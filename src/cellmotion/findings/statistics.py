"""Sentences of the statistics chapter, each computed from a small dict of metrics.

Generated densities are judged against a second *real* sample with as many tracks (held-out
originals against training originals): a generated density is called less overlapping,
narrower or wider only when the interval of its difference from that reference excludes 0.
No hand-picked thresholds.
"""

from __future__ import annotations

from .numbers import finite as _finite
from .numbers import fmt as _f

MEASURE_WORDS = {"bhattacharyya": "overlap (Bhattacharyya)", "hellinger": "Hellinger distance",
                 "sd_ratio_persistence": "s.d. ratio of persistence",
                 "sd_ratio_speed": "s.d. ratio of speed"}


def _ci(est, lo, hi, digits=2):
    if _finite(lo, hi):
        return f"{_f(est, digits)} [{_f(lo, digits)}, {_f(hi, digits)}]"
    return f"{_f(est, digits)} (no interval)"


def reference_sentence(row: dict, digits: int = 2) -> str:
    """One comparison of :func:`cellmotion.superstats.compare_with_reference`, in words.

    ``row``: ``condition, sampler, measure, n_tracks, other, other_lower, other_upper,
    reference, reference_lower, reference_upper, difference, diff_lower, diff_upper``.
    """
    what = MEASURE_WORDS.get(row["measure"], row["measure"])
    head = (f"{row['condition']}, {row['sampler']} sampler, {what} with {row['n_tracks']} tracks "
            f"each: generated {_ci(row['other'], row['other_lower'], row['other_upper'], digits)}, "
            f"second real sample {_ci(row['reference'], row['reference_lower'], row['reference_upper'], digits)}")
    lo, hi = row.get("diff_lower"), row.get("diff_upper")
    if not _finite(lo, hi):
        return head + "; too few tracks for an interval, so no difference can be claimed."
    diff = _ci(row["difference"], lo, hi, digits)
    if lo <= 0 <= hi:
        return head + f"; difference {diff} contains 0: no difference from real-vs-real can be claimed."
    m = row["measure"]
    if m == "bhattacharyya":
        word = "overlaps the real tracks less than" if hi < 0 else "overlaps the real tracks more than"
    elif m == "hellinger":
        word = "is farther from the real tracks than" if lo > 0 else "is closer to the real tracks than"
    else:
        word = "is narrower than" if hi < 0 else "is wider than"
    return head + f"; difference {diff}: the generated density {word} a second real sample."


def spread_verdict(row: dict) -> str:
    """``"narrower"``, ``"wider"`` or ``"no difference"`` for an s.d.-ratio row (interval of the
    difference from the real-vs-real reference)."""
    lo, hi = row.get("diff_lower"), row.get("diff_upper")
    if not _finite(lo, hi) or lo <= 0 <= hi:
        return "no difference"
    return "narrower" if hi < 0 else "wider"


def narrow_density_hypothesis(rows) -> str:
    """The report's "much narrower" generated densities, stated as a hypothesis with evidence.

    Hypothesis: the report's sampler (a weighted sum of one draw from every component)
    narrows the densities; the network itself does not. ``rows``: s.d.-ratio rows of
    :func:`cellmotion.superstats.compare_with_reference` for the ``original`` and ``fixed``
    samplers. Evidence *for*: the report's sampler narrower than real-vs-real where the
    corrected one is not. Evidence *against*: the corrected sampler narrower too (the network
    then narrows by itself), or the report's sampler not narrower.
    """
    rows = [r for r in rows if str(r["measure"]).startswith("sd_ratio")]
    if not rows:
        return "No generated densities were compared, so the hypothesis is not tested here."
    key = lambda r: f"{r['condition']} ({r['measure'].replace('sd_ratio_', '')})"
    by = {}
    for r in rows:
        by.setdefault(r["sampler"], {})[key(r)] = spread_verdict(r)
    orig, fixed = by.get("original", {}), by.get("fixed", {})
    pro = [k for k, v in orig.items() if v == "narrower" and fixed.get(k) != "narrower"]
    con_fixed = [k for k, v in fixed.items() if v == "narrower"]
    con_orig = [k for k, v in orig.items() if v != "narrower"]
    lines = ["**Hypothesis.** The report's generated densities were narrow because of its sampler "
             "(a weighted sum of one draw from every mixture component keeps the mean and shrinks "
             "the variance), not because the network cannot learn the spread between cells."]
    lines.append("- *For:* " + (f"the report's sampler is narrower than a second real sample where "
                                f"the corrected one is not in {', '.join(pro)}." if pro else
                                "no case in this run where only the report's sampler is narrower."))
    against = []
    if con_fixed:
        against.append(f"the corrected sampler is narrower than a second real sample too in "
                       f"{', '.join(con_fixed)} (there the network narrows by itself)")
    if con_orig:
        against.append(f"the report's sampler is not measurably narrower in {', '.join(con_orig)}")
    lines.append("- *Against:* " + ("; ".join(against) + "." if against else
                                    "nothing in this run."))
    lines.append("- Intervals come from resampling tracks; with few tracks they are wide, and "
                 "\"no difference\" then means \"not measurable here\", not \"equal\".")
    return "\n".join(lines)


def calibration_sentence(condition: str, measured: dict, target: dict | None = None,
                         digits: int = 2) -> str:
    """Peak of the fitted density next to the report's Figure 10 (when given).

    ``measured``/``target``: ``{"persistence": q, "speed": c}``.
    """
    s = (f"{condition}: density peak at persistence {_f(measured['persistence'], digits)}, "
         f"speed {_f(measured['speed'], digits)}")
    if target:
        s += (f"; the report's Figure 10 peaks at {_f(target['persistence'], digits)} and "
              f"{_f(target['speed'], digits)} (differences "
              f"{measured['persistence'] - target['persistence']:+.{digits}f} and "
              f"{measured['speed'] - target['speed']:+.{digits}f})")
    return s + "."


def sensitivity_sentence(rows, reference_sigma: float, digits: int = 2) -> str:
    """How far the densities move when the random-walk s.d. changes.

    ``rows``: records ``sigma, condition, peak_persistence, peak_speed, bc_vs_reference``
    (:func:`cellmotion.superstats.sigma_sensitivity`).
    """
    rows = list(rows)
    if not rows:
        return "No sensitivity fits were run."
    ref = {r["condition"]: r for r in rows if r["sigma"] == reference_sigma}
    others = [r for r in rows if r["sigma"] != reference_sigma and r["condition"] in ref]
    if not others:
        return "Only the reference s.d. was fitted."
    dq = max(abs(r["peak_persistence"] - ref[r["condition"]]["peak_persistence"]) for r in others)
    dc = max(abs(r["peak_speed"] - ref[r["condition"]]["peak_speed"]) for r in others)
    bc = min(r["bc_vs_reference"] for r in others)
    sig = ", ".join(sorted({f"{r['sigma']:g}" for r in others}))
    return (f"Refitting with random-walk s.d. {sig} instead of {reference_sigma:g} moves the "
            f"density peaks by at most {_f(dq, digits)} in persistence and {_f(dc, digits)} in "
            f"speed; the lowest overlap with the reference density is {_f(bc, digits)}.")


def truth_sentence(row: dict, unit: str = "µm/min", digits: int = 2) -> str:
    """What the fit finds against the simulator's own parameters, for one condition.

    ``row``: a record of :func:`cellmotion.superstats.recovery_against_truth`. States the
    mean fitted and true values, the bias and the per-step correlation; the direction of the
    bias is named, its size left to the reader.
    """
    def direction(bias, tol):
        return "above" if bias > tol else "below" if bias < -tol else "level with"

    bq, bc = row["bias q"], row["relative bias c"]
    rq = f"; per-step r = {_f(row['r q (per step)'], digits)}" if _finite(row.get("r q (per step)")) else ""
    rc = f"; per-step r = {_f(row['r c (per step)'], digits)}" if _finite(row.get("r c (per step)")) else ""
    return (f"{row['condition']} ({row['tracks']} tracks): the fitted persistence is "
            f"{direction(bq, 0.005)} the truth on average ({_f(row['fitted mean q'], digits)} vs "
            f"{_f(row['true mean q'], digits)}, bias {bq:+.{digits}f}{rq}); the fitted speed is "
            f"{direction(bc, 0.005)} it ({_f(row['fitted mean c'], digits)} vs "
            f"{_f(row['true mean c'], digits)} {unit}, {bc:+.0%}{rc}).")

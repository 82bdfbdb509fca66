"""Sentences of the statistics chapter, each computed from a small dict of metrics.

Generated densities are compared with the held-out originals, which no network saw, beside
the same comparison for real training tracks at equal numbers (two disjoint halves of the
training tracks, each against the held-out ones): a generated density is called less
overlapping, narrower or wider only when the interval of its difference from that reference
excludes 0. The only tolerance, in :func:`truth_sentence`, is the grid's resolution, and the
sentence says so.
"""

from __future__ import annotations

from .numbers import finite as _finite
from .numbers import fmt as _fmt

#: The minus sign of every number in a sentence (U+2212), never a hyphen.
MINUS = "\u2212"


def _f(x, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals and a true minus sign."""
    return _fmt(x, digits).replace("-", MINUS)


def _signed(x, digits: int = 2) -> str:
    """``x`` with an explicit sign, ``+0.05`` or ``−0.05``."""
    return f"{x:+.{digits}f}".replace("-", MINUS)

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
    n_b = row.get("n_heldout", row.get("n_real"))
    head = (f"{row['condition']}, {row['sampler']} sampler, {what} against {n_b} held-out tracks, "
            f"{row['n_tracks']} tracks each: generated "
            f"{_ci(row['other'], row['other_lower'], row['other_upper'], digits)}, "
            f"real training tracks {_ci(row['reference'], row['reference_lower'], row['reference_upper'], digits)}")
    lo, hi = row.get("diff_lower"), row.get("diff_upper")
    if not _finite(lo, hi):
        return head + "; too few tracks for an interval, so no difference can be claimed."
    diff = _ci(row["difference"], lo, hi, digits)
    if lo <= 0 <= hi:
        return head + f"; difference {diff} contains 0: no difference from real-vs-real can be claimed."
    m = row["measure"]
    if m == "bhattacharyya":
        word = "overlaps the held-out tracks less than" if hi < 0 else "overlaps the held-out tracks more than"
    elif m == "hellinger":
        word = ("is farther from the held-out tracks than real tracks are" if lo > 0
                else "is closer to the held-out tracks than real tracks are")
        return head + f"; difference {diff}: the generated density {word}."
    else:
        word = "is narrower than real tracks' density is" if hi < 0 else "is wider than real tracks' density is"
        return head + f"; difference {diff}: the generated density {word}."
    return head + f"; difference {diff}: the generated density {word} real tracks do."


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
    samplers. Only measured differences count as evidence: *for*, the report's sampler
    measurably narrower than real tracks (interval of the difference below 0) where the
    corrected one is not measurably narrower; *against*, the corrected sampler measurably
    narrower (the network narrows by itself), or the report's sampler measurably wider. An
    interval that contains 0 is no evidence either way and is listed as undecided.
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
    con_orig = [k for k, v in orig.items() if v == "wider"]
    undecided = [k for k, v in orig.items() if v == "no difference"]
    lines = ["**Hypothesis.** The report's generated densities were narrow because of its sampler "
             "(a weighted sum of one draw from every mixture component keeps the mean and shrinks "
             "the variance), not because the network cannot learn the spread between cells."]
    lines.append("- *For:* " + (f"the report's sampler is measurably narrower than real tracks where "
                                f"the corrected one is not in {', '.join(pro)}." if pro else
                                "no case in this run where the report's sampler is measurably narrower "
                                "and the corrected one is not."))
    against = []
    if con_fixed:
        against.append(f"the corrected sampler is measurably narrower than real tracks too in "
                       f"{', '.join(con_fixed)} (there the network narrows by itself)")
    if con_orig:
        against.append(f"the report's sampler is measurably wider in {', '.join(con_orig)}")
    lines.append("- *Against:* " + ("; ".join(against) + "." if against else
                                    "no measured difference in this run."))
    if undecided:
        lines.append(f"- *Undecided:* {', '.join(undecided)}: the interval of the report's sampler "
                     "contains 0, which is no evidence either way.")
    lines.append("- Intervals come from resampling cells; with few tracks they are wide, and "
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
              f"{_signed(measured['persistence'] - target['persistence'], digits)} and "
              f"{_signed(measured['speed'] - target['speed'], digits)})")
    return s + "."


def sensitivity_sentence(rows, reference_sigma: float, digits: int = 2) -> str:
    """How far the densities move when the random-walk s.d. changes.

    Parameters
    ----------
    rows : iterable of dict
        Records ``sigma``, ``condition``, ``peak_persistence``, ``peak_speed``,
        ``bc_vs_reference`` (:func:`cellmotion.superstats.sigma_sensitivity`).
    reference_sigma : float
        The s.d. of the chapter's own fits; other values are compared with it.
    digits : int
        Decimals shown.

    Returns
    -------
    str
        The largest shift of the density peaks (persistence, speed) and the lowest overlap
        with the reference density over the other s.d. values; or that no (other) fits ran.
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


#: What "level with" means in :func:`truth_sentence`.
LEVEL_NOTE = "\"level with\" means within half a grid step, the grid's resolution"


def truth_sentence(row: dict, unit: str = "µm/min", digits: int = 2,
                   grid_steps: tuple | None = None, explain: bool = True) -> str:
    """What the fit finds against the simulator's own parameters, for one condition.

    States the mean fitted and true values, the bias and the per-step correlation.

    Parameters
    ----------
    row : dict
        A record of :func:`cellmotion.superstats.recovery_against_truth`.
    unit : str
        Unit of speeds.
    digits : int
        Decimals shown.
    grid_steps : tuple of float, optional
        The spacing of the persistence and speed grids. A bias within half a grid step (the
        grid's resolution: a posterior mean cannot be placed more finely than its grid) is
        called "level with" the truth, and the sentence says so. Without it only the sign of
        the bias is named.
    explain : bool
        False leaves out the note on what "level with" means (for all but one of several
        sentences on a page: :data:`LEVEL_NOTE` is said once).

    Returns
    -------
    str
        One sentence on persistence and speed: above, below or level with the truth, fitted
        vs true means, bias (relative for speed) and per-step correlation where finite.
    """
    tq = tc = 0.0
    if grid_steps is not None:
        tq = grid_steps[0] / 2
        tc = grid_steps[1] / 2 / row["true mean c"] if _finite(row.get("true mean c")) and row["true mean c"] else 0.0

    def direction(bias, tol):
        return "above" if bias > tol else "below" if bias < -tol else "level with"

    bq, bc = row["bias q"], row["relative bias c"]
    rq = f"; per-step r = {_f(row['r q (per step)'], digits)}" if _finite(row.get("r q (per step)")) else ""
    rc = f"; per-step r = {_f(row['r c (per step)'], digits)}" if _finite(row.get("r c (per step)")) else ""
    note = f" ({LEVEL_NOTE})" if grid_steps is not None and explain else ""
    return (f"{row['condition']} ({row['tracks']} tracks): the fitted persistence is "
            f"{direction(bq, tq)} the truth on average ({_f(row['fitted mean q'], digits)} vs "
            f"{_f(row['true mean q'], digits)}, bias {_signed(bq, digits)}{rq}); the fitted speed is "
            f"{direction(bc, tc)} it ({_f(row['fitted mean c'], digits)} vs "
            f"{_f(row['true mean c'], digits)} {unit}, {f'{bc:+.0%}'.replace('-', MINUS)}{rc}){note}.")


def grid_sentence(check_rows, speed_range, derived: bool, unit: str = "µm/min",
                  attempts: int = 1, withheld=(), history=(), names=None) -> str:
    """Which speed grid the fits used, why, and whether the posteriors fit inside it.

    Parameters
    ----------
    check_rows : iterable of dict
        Records of :func:`cellmotion.superstats.grid_edge_check` (``edge_mass`` is read).
    speed_range : tuple of float
        ``(0, speed max)`` of the grid.
    derived : bool
        The grid came from the data (:func:`cellmotion.superstats.speed_range_for`) rather
        than being given.
    unit : str
        Unit of speeds.
    attempts : int
        Fits run (more than one: the grid was widened).
    withheld : iterable of str
        Conditions whose mass still piles at the edge.
    history : iterable of dict
        The grids that were too narrow (``check.attrs["history"]`` of
        :func:`cellmotion.superstats.fit_on_fitting_grid`: ``speed_max`` and ``piled``, a list
        of ``(result position, condition)``).
    names : list of str, optional
        The fitted sets by position (e.g. ``["original", "fixed"]``), to say what piled.

    Returns
    -------
    str
        Sentences: the grid and its origin, any widening and what piled, the largest share
        of posterior mass in the top band, and either that every posterior lies inside the
        grid or which conditions are withheld.
    """
    from ..superstats.fit import EDGE_BAND, EDGE_MASS_MAX, SPEED_HEADROOM, SPEED_QUANTILE

    rows = list(check_rows)
    origin = (f"derived from the tracks ({SPEED_HEADROOM:g} times the {SPEED_QUANTILE:.0%} quantile "
              "of the tracks' speeds, the root mean square of their velocity components)"
              if derived else "as given")
    s = f"Speed grid 0 to {speed_range[1]:g} {unit}, {origin}"
    if attempts > 1:
        s += f", widened {attempts - 1} time(s) because posterior mass piled at its top edge"
        what = []
        for h in history:
            sets = ", ".join(f"{c} ({names[k] if names and k < len(names) else k})" for k, c in h["piled"])
            what.append(f"at {h['speed_max']:g} {unit}: {sets}")
        if what:
            s += " (" + "; ".join(what) + ")"
    worst = max((r["edge_mass"] for r in rows), default=float("nan"))
    share = "less than 0.1%" if worst < 0.001 else f"at most {worst:.1%}"
    s += (f". The top {EDGE_BAND:.0%} of the speed range holds {share} of any "
          f"condition's posterior mass (a fit is refused there above {EDGE_MASS_MAX:.0%}: mass "
          "cut off by the edge would pile up there)")
    if withheld:
        return (s + f". Still piling at the edge: {', '.join(map(str, withheld))}; their peaks and "
                "overlaps are withheld, because the grid cuts their posteriors.")
    return s + "; every posterior lies inside the grid."


# ------------------------------------------------------------------ the chapter's answer
SAMPLER_WORDS = {"fixed": "the corrected sampler", "original": "the report's sampler"}


def join_words(items) -> str:
    """``["A"]`` -> ``"A"``; ``["A", "B"]`` -> ``"A and B"``; three or more with commas."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def interval_text(est, lower, upper, digits: int = 2) -> str:
    """An estimate with its interval for a table cell (one line).

    Parameters
    ----------
    est, lower, upper : float
        Estimate and interval bounds.
    digits : int
        Decimals shown.

    Returns
    -------
    str
        ``"−0.85 [−1.00, −0.70]"`` (true minus signs); ``"—"`` without a finite estimate.
    """
    if not _finite(est):
        return "—"
    return _ci(est, lower, upper, digits)


def overlap_verdict(row: dict) -> str:
    """``"less"``, ``"more"`` or ``"no difference"``: the generated overlap against the
    real-vs-real reference, by the interval of their difference alone."""
    lo, hi = row.get("diff_lower"), row.get("diff_upper")
    if not _finite(lo, hi) or lo <= 0 <= hi:
        return "no difference"
    return "less" if hi < 0 else "more"


def _in(conds, all_conds) -> str:
    if len(conds) == len(all_conds) and len(conds) > 1:
        return f"in all {len(conds)} conditions"
    return f"in {join_words(conds)}"


def overlap_answer(rows, data: str = "") -> str:
    """One sentence: per sampler, how the generated density overlaps the held-out cells.

    It names the conditions where it overlaps them less (or more) than two real samples do,
    and those where no difference can be claimed; samplers with the same verdicts
    everywhere share a clause.

    Parameters
    ----------
    rows : iterable of dict
        Records of :func:`cellmotion.superstats.compare_with_reference`; only the
        ``bhattacharyya`` rows are read (verdicts by :func:`overlap_verdict`).
    data : str
        What the tracks are called; empty leaves it out.

    Returns
    -------
    str
        The sentence, or that no generated densities were compared.
    """
    rows = [r for r in rows if r["measure"] == "bhattacharyya"]
    if not rows:
        return "No generated densities were compared."
    conds = list(dict.fromkeys(r["condition"] for r in rows))
    words = {"less": "overlap the held-out cells less than two real samples do",
             "more": "overlap the held-out cells more than two real samples do",
             "no difference": "cannot be told apart from two real samples"}
    verdicts = {}
    for r in rows:
        verdicts.setdefault(r["sampler"], {})[r["condition"]] = overlap_verdict(r)
    samplers = list(verdicts)
    same = len(samplers) > 1 and all(verdicts[s] == verdicts[samplers[0]] for s in samplers)
    groups_of = [("both samplers" if len(samplers) == 2 else "every sampler", verdicts[samplers[0]])] if same \
        else [(SAMPLER_WORDS.get(s, s), verdicts[s]) for s in samplers]
    parts = []
    for k, (who, v) in enumerate(groups_of):
        groups = {}
        for c in conds:
            if c in v:
                groups.setdefault(v[c], []).append(c)
        clauses = [words[g] + " " + _in(groups[g], conds)
                   for g in ("less", "more", "no difference") if groups.get(g)]
        parts.append(("tracks from " if k == 0 else "those of ") + who + " " + join_words(clauses))
    lead = f"On {data}, the" if data else "The"
    return (f"{lead} persistence-and-speed densities of " + "; ".join(parts)
            + " (Bhattacharyya overlap at equal numbers of tracks; a verdict only where the 95 % "
            "interval of the difference over cells excludes 0).")


def _where(keys) -> str:
    """``[("A", "speed"), ("A", "persistence"), ("B", "speed")]`` ->
    ``"A (speed and persistence) and B (speed)"``."""
    by = {}
    for cond, measure in keys:
        by.setdefault(cond, []).append(measure)
    return join_words(f"{c} ({join_words(m)})" for c, m in by.items())


def spread_answer(rows) -> str:
    """The report's "much narrower" generated densities, measured.

    Says where each sampler's densities are measurably narrower (or wider) than real tracks'
    (judged by :func:`spread_verdict`), and whose narrowing it is: the sampler's where only
    the report's sampler is narrower, the network's own where the corrected sampler is
    narrower too.

    Parameters
    ----------
    rows : iterable of dict
        Records of :func:`cellmotion.superstats.compare_with_reference`; only the
        ``sd_ratio_*`` rows are read.

    Returns
    -------
    str
        One to three sentences, ending with how many s.d. ratios cannot be told apart from
        real-vs-real; or that no spreads were compared.
    """
    rows = [r for r in rows if str(r["measure"]).startswith("sd_ratio")]
    if not rows:
        return "No spreads were compared, so the report's narrow densities are not tested here."
    by = {}
    for r in rows:
        by.setdefault(r["sampler"], {})[(r["condition"], r["measure"].replace("sd_ratio_", ""))] = spread_verdict(r)
    clauses = []
    for sampler, verdicts in by.items():
        narrow = [k for k, v in verdicts.items() if v == "narrower"]
        wide = [k for k, v in verdicts.items() if v == "wider"]
        bits = ([f"narrower in {_where(narrow)}"] if narrow else []) + \
               ([f"wider in {_where(wide)}"] if wide else [])
        clauses.append(f"{SAMPLER_WORDS.get(sampler, sampler)} is measurably " +
                       (" and ".join(bits) if bits else "neither narrower nor wider anywhere"))
    orig, fixed = by.get("original", {}), by.get("fixed", {})
    own = [k for k, v in orig.items() if v == "narrower" and fixed.get(k) != "narrower"]
    net = [k for k, v in fixed.items() if v == "narrower"]
    whose = []
    if own:
        whose.append(f"the narrowing is the report's sampler's alone in {_where(own)}")
    if net:
        whose.append(f"the network's own in {_where(net)}")
    n_und = sum(v == "no difference" for verdicts in by.values() for v in verdicts.values())
    n_all = sum(len(v) for v in by.values())
    s = ("Against real tracks, in the spread (s.d.) of persistence and speed, "
         + "; ".join(clauses) + ".")
    if whose:
        s += " So " + "; ".join(whose) + "."
    return s + (f" The other {n_und} of {n_all} s.d. ratios cannot be told apart from real-vs-real."
                if n_und else "")


def scale_sentence(between_rows, reference_rows, digits: int = 2) -> str:
    """The scale of an overlap: two different conditions beside two real samples of one condition.

    Parameters
    ----------
    between_rows : iterable of dict
        Records of :func:`cellmotion.superstats.condition_overlaps` (``bhattacharyya``).
    reference_rows : iterable of dict
        Records of :func:`cellmotion.superstats.compare_with_reference`; the ``reference`` of
        the ``bhattacharyya`` rows is read.
    digits : int
        Decimals shown.

    Returns
    -------
    str
        One sentence with the range of each kind of overlap; empty when neither has a finite
        value.
    """
    between = [float(r["bhattacharyya"]) for r in between_rows if _finite(r.get("bhattacharyya"))]
    same = [float(r["reference"]) for r in reference_rows
            if r["measure"] == "bhattacharyya" and _finite(r.get("reference"))]

    def span(v):
        lo, hi = min(v), max(v)
        return _f(lo, digits) if _fmt(lo, digits) == _fmt(hi, digits) else f"{_f(lo, digits)} to {_f(hi, digits)}"

    parts = []
    if between:
        parts.append(f"the densities of two different conditions overlap by {span(between)}")
    if same:
        parts.append(f"two real samples of one condition by {span(same)}")
    if not parts:
        return ""
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + " (bias-corrected Bhattacharyya overlaps; 1 = identical)."


def clipped_sentence(check_rows, names, speed_max: float, unit: str = "µm/min") -> str:
    """Whether any density is cut by the top of the speed grid (and so clipped in the panels).

    A density is called cut where its 50 % region reaches the top row, or where at least one
    of its tracks puts more than the package's edge limit of its own posterior mass into the
    top band of the speed range (``tracks_at_edge``) though the condition as a whole stays
    under it (a condition above it is withheld, and :func:`grid_sentence` says so).

    Parameters
    ----------
    check_rows : iterable of dict
        Records of :func:`cellmotion.superstats.grid_edge_check` of the final grid, with
        ``result`` (position of the fitted set, named by ``names``) and optionally
        ``hdr_at_edge`` (the density's 50 % highest-density region reaches the grid's top row,
        :func:`cellmotion.figures.region_reaches_top`).
    names : list of str
        The fitted sets by position.
    speed_max : float
        Top of the speed grid.
    unit : str
        Unit of speeds.

    Returns
    -------
    str
        Sentences: where the grid ends and either that no density is cut, or which are
        (condition, set and why) and whether the panels show the clipping.
    """
    from ..superstats.fit import EDGE_BAND, EDGE_MASS_MAX

    hits = []
    for r in check_rows:
        if r.get("piled") or not (r.get("tracks_at_edge") or r.get("hdr_at_edge")):
            continue
        k = r.get("result", 0)
        name = names[k] if names and k < len(names) else str(k)
        mass = "less than 0.1%" if r["edge_mass"] < 0.001 else f"{r['edge_mass']:.1%}"
        why = []
        if r.get("hdr_at_edge"):
            why.append("its 50 % region reaches the top of the grid")
        if r.get("tracks_at_edge"):
            why.append(f"{r['tracks_at_edge']} of {r['n_tracks']} tracks put more than {EDGE_MASS_MAX:.0%} "
                       f"of their posterior mass into the top {EDGE_BAND:.0%} of the range")
        hits.append(f"{r['condition']}, {name} ({' and '.join(why)}; the condition as a whole: {mass})")
    grid = f"The speed grid, and with it every panel, ends at {speed_max:g} {unit}"
    shown = any(r.get("hdr_at_edge") and not r.get("piled") for r in check_rows)
    if not hits:
        return (f"{grid}; no density's 50 % region reaches it and no fitted track puts more than "
                f"{EDGE_MASS_MAX:.0%} of its posterior mass into the top {EDGE_BAND:.0%} of that range, "
                "so no density is cut off there.")
    return (f"{grid}, and it cuts into some densities: " + "; ".join(hits) + ". "
            + ("The panels show those whose 50 % region reaches the edge clipped there. " if shown else
               "A tail this thin is not visible in the panels. ")
            + f"These fits are kept because no condition as a whole has more than "
            f"{EDGE_MASS_MAX:.0%} of its mass in that band.")

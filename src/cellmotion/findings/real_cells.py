"""The sentences of the chapter *Real cells*, computed from its results (never typed in).

Every function takes the chapter's results and returns a number, a table or a sentence, so
the chapter's words follow its numbers and can be tested on small made-up inputs
(``tests/test_real_data.py``, ``tests/test_real_cells_findings.py``);
:func:`real_cells_metrics` assembles ``real_cells_metrics.json`` and :func:`headline` reads it
back.

Shapes used here
----------------
A *score* is a :class:`cellmotion.results.Score` (a mean over folds in [0, 1], or a paired
difference, with its 95 % interval). A classification *result* is a
:class:`cellmotion.results.Evaluation` (what ``cellmotion.classification.evaluate_models``
returns): ``result.models[name].per_track_bacc`` is a score and ``result.paired[a][b]`` is
``a - b``. The cost of a new donor is ``{model: DonorCost}``
(``cellmotion.classification.new_donor_cost``). Held-out likelihood rows are dicts with ``condition,
model, nll, diff_vs_mdn, lower, upper`` (``diff_vs_mdn`` = the LSTM-MDN's NLL minus the
model's, as ``cellmotion.generation.heldout_nll_table`` gives it, so an interval below 0 means
the LSTM-MDN predicts the held-out steps better). Overlap rows are dicts with ``condition_a,
condition_b, bhattacharyya, lower, upper`` (``cellmotion.superstats.condition_overlaps``).
"""

from __future__ import annotations

import math

from ..results import Evaluation, Score
from .classification import (PEERS, claim, has_interval, label, paired, pct, ranking,  # noqa: F401
                             row_difference, with_interval)
# (shared with chapter 2: one way to name a classifier and to write a score with its interval)


def _join(items) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def points(s: Score, digits: int = 0) -> str:
    """A difference of scores in percentage points with its interval (clipped to ±100), or
    the reason why it has none.

    Parameters
    ----------
    s : Score
        A paired difference of scores.
    digits : int
        Decimals of the points.

    Returns
    -------
    str
        Signed numbers with a true minus sign (U+2212).
    """
    def f(x):  # signed, with a true minus sign (U+2212)
        return f"{x:+.{digits}f}".replace("-", "\u2212")

    if not has_interval(s):
        why = s.reason or "too few folds or no spread over the folds"
        return f"{f(100 * s.mean)} points (no interval: {why})"
    lo, hi = max(-1.0, s.lower), min(1.0, s.upper)
    return f"{f(100 * s.mean)} points (95 % interval {f(100 * lo)} to {f(100 * hi)})"


def p_text(p: float) -> str:
    """A p value as a table or a sentence shows it: ``"<0.001"`` below 0.001, three decimals
    below 0.01, else two; ``"—"`` where there is none.

    Parameters
    ----------
    p : float
        A p value in [0, 1] (NaN or None: none).

    Returns
    -------
    str
    """
    if p is None or not math.isfinite(p):
        return "\u2014"
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def _holm(d: Score) -> str:
    """``"Holm-adjusted p = 0.03"`` (``"p < 0.001"``), or ``""`` where none is stored."""
    q = d.p_holm
    if q is None or not math.isfinite(q) or not has_interval(d):
        return ""
    t = p_text(q)
    return f"Holm-adjusted p {'< 0.001' if t.startswith('<') else '= ' + t}"


def _evidence(d: Score, bare: bool = False) -> str:
    """A paired difference in points with its interval and, where stored, its Holm-adjusted p:
    ``"+14 points (95 % interval +7 to +21; Holm-adjusted p = 0.004)"`` (``bare``: without the
    parentheses, the parts joined by ``"; "``)."""
    text = points(d)
    head, _, rest = text.partition(" (")
    parts = [head, rest[:-1]] + ([_holm(d)] if _holm(d) else [])
    return "; ".join(parts) if bare else f"{head} ({'; '.join(parts[1:])})"


# ----------------------------------------------------------------------------- the data
def counts_sentence(read: int, pieces: int, used: int, cells_used: int, windows: int,
                    window_length: int) -> str:
    """What gap splitting and the window length leave of the tracks read.

    Parameters
    ----------
    read : int
        Tracks read.
    pieces : int
        Pieces after cutting at missing frames.
    used : int
        Pieces long enough for the analysis.
    cells_used : int
        Cells those pieces come from.
    windows : int
        Windows they give.
    window_length : int
        Window length in steps.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When the counts contradict each other.
    """
    if not 0 <= used <= pieces or read > pieces or read <= 0:
        raise ValueError("expected 0 <= used <= pieces and 0 < read <= pieces")
    return (f"Of the {read:,} tracks read, cutting at missing frames gives {pieces:,} pieces; "
            f"{used:,} of them ({pct(used / pieces)} of the pieces, from {cells_used:,} cells) "
            f"are long enough for the analysis and give {windows:,} windows of "
            f"{window_length} steps.")


# ----------------------------------------------------------------------------- classification
def winner_sentence(result: Evaluation, protocol: str, metric: str = "per_track_bacc") -> str:
    """Which classifier scores highest under one protocol, and whether its lead is real.

    The leader is tested against every other model, with the table's criterion
    (:func:`cellmotion.findings.classification.claim`: the paired interval exists, excludes 0
    and, where stored, its Holm-adjusted p over every pair of models of the table is below
    0.05). A winner is claimed only when the leader beats every other model so; otherwise the
    sentence names the models it cannot be told apart from (and why), and those it does beat.
    Differences are in percentage points throughout.

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    protocol : str
        The protocol in words (``"folds grouped by cell"``).
    metric : str
        The score that ranks the models.

    Returns
    -------
    str
    """
    models = result.models
    order = ranking(models, metric)
    best = order[0]
    k = len(result.conditions) or None
    chance = f"chance {pct(1 / k)}" if k else ""
    head = (f"With {protocol}, {label(best)} has the highest per-track balanced accuracy: "
            f"{with_interval(getattr(models[best], metric), extra=chance)}")
    if len(order) < 2:
        return head + "."
    others = order[1:]
    diffs = {m: paired(result, best, m) for m in others}
    beaten = [m for m in others if claim(diffs[m]) > 0]
    level = [m for m in others if m not in beaten]
    if not level:
        if len(others) == 1:
            return head + f". It beats {label(others[0])}, the runner-up, by {_evidence(diffs[others[0]])}."
        return (head + ". It beats every other model (paired interval above 0 after Holm's "
                "adjustment for the comparisons of the table): "
                + "; ".join(f"{label(m)}{', the runner-up,' if m == others[0] else ''} by "
                            f"{_evidence(diffs[m])}" for m in others) + ".")

    def why(d: Score) -> str:
        if not has_interval(d):
            return "cannot be judged without an interval"
        if d.lower > 0:
            return "does not survive Holm's adjustment for the comparisons of the table"
        if d.upper < 0:
            return "is reversed in the paired comparison"
        return "is within the noise"

    text = head + ". Its lead over " + "; over ".join(
        f"{label(m)}, {_evidence(diffs[m])}, {why(diffs[m])}" for m in level)
    text += ": no winner can be claimed."
    if beaten:
        text += " It does beat " + _join([f"{label(m)} by {_evidence(diffs[m])}" for m in beaten]) + "."
    return text


def ours_sentence(result: Evaluation, protocol: str, ours: str = "ours", peers=PEERS) -> str:
    """Our network against each peer under one protocol, with the criterion of the table and of
    :func:`winner_sentence` (:func:`cellmotion.findings.classification.claim`), in percentage
    points.

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    protocol : str
        The protocol in words.
    ours : str
        Our model.
    peers : tuple of str
        The peers (those present count).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        Without ``ours`` or a peer in the result.
    """
    present = [p for p in peers if p in result.models and p != ours]
    if ours not in result.models or not present:
        raise KeyError(f"need '{ours}' and at least one peer in the result")
    verbs = {1: "beats", -1: "is beaten by", 0: "cannot be told apart from"}
    groups = {1: [], -1: [], 0: []}
    for p in present:
        d = paired(result, ours, p)
        groups[claim(d)].append(f"{label(p)} ({_evidence(d, bare=True)})")
    said = [f"{verbs[key]} {_join(groups[key])}" for key in (1, -1, 0) if groups[key]]
    return (f"With {protocol}, {label(ours)} " + "; it ".join(said) + f". Differences are "
            f"{label(ours)} minus the peer in per-track balanced accuracy; one counts only when "
            "its 95 % interval excludes 0 and its Holm-adjusted p is below 0.05, as in the table.")


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


#: Where a model of the comparison is published (shown beside its description).
CITATIONS = {"minirocket": "Dempster, Schmidt & Webb 2021", "multirocket": "Tan et al. 2022"}


def protocol_text(descriptions: dict, conditions, n_donors: int, window_length: int,
                  replicate_name: str = "donor") -> str:
    """The classifiers compared and the chance level, from the models run and the data.

    Parameters
    ----------
    descriptions : dict
        ``{model: what it reads and is}`` in the order compared (e.g.
        ``cellmotion.classification.input_candidate(m, "invariant").describe()``).
    conditions : list of str
        The conditions (classes).
    n_donors : int
        Donors (replicates), one fold each in the primary protocol.
    window_length : int
        Steps per window.
    replicate_name : str
        What a replicate is called.

    Returns
    -------
    str
        Markdown: one paragraph on the models and the score, one on the donor folds and why
        their interval is not a bootstrap over donors.

    Raises
    ------
    ValueError
        Without a model or a condition.
    """
    k = len(list(conditions))
    if not descriptions or k == 0:
        raise ValueError("need at least one model and one condition")
    n = len(descriptions)
    items = []
    for m, d in descriptions.items():
        cite = f" ({CITATIONS[m]})" if m in CITATIONS else ""
        core = label(m).removeprefix("the ")
        items.append(f"- {d}{cite}" if core in d else f"- {label(m)}: {d}{cite}")
    noun = "classifier reads" if n == 1 else "classifiers read"
    verb = "names" if n == 1 else "name"
    text = (f"{_count(n).capitalize()} {noun} windows of {window_length} steps and {verb} the "
            "condition:\n\n" + "\n".join(items) + "\n\nA track's prediction averages its windows' "
            f"probabilities, and the score is the **per-track balanced accuracy** (mean recall over "
            f"the {_count(k)} conditions, so chance is {pct(1 / k)} however unbalanced the "
            "conditions are).")
    r = replicate_name
    if n_donors >= 2:
        resamples = math.comb(2 * n_donors - 1, n_donors)
        shared = n_donors - 2
        share = (f"any two {r} folds share {_count(shared)} of their {_count(n_donors - 1)} "
                 f"training {r}s, so their scores are correlated like those of k-fold "
                 "cross-validation, and the Nadeau–Bengio correction of the interval" if shared
                 else "the Nadeau–Bengio correction of the interval")
        text += (f"\n\nThe primary protocol trains on {_count(n_donors - 1)} {r}"
                 f"{'s' if n_donors > 2 else ''} and tests on the one left out, in turn for each of "
                 f"the {_count(n_donors)} {r}s; {share} takes each fold's own "
                 f"numbers of test and training cells. A bootstrap over {r}s was not used: with "
                 f"{_count(n_donors)} {r}s it has only {resamples:,} distinct resamples and its "
                 "percentile interval is too narrow.")
    return text


def own_inputs_sentence(as_is: dict, invariant: dict) -> str:
    """What each model of the drift comparison reads as its own inputs, against the book's
    rotation-invariant ones.

    Parameters
    ----------
    as_is, invariant : dict
        ``{model: description}`` with its own inputs and with rotation-invariant ones
        (``cellmotion.classification.input_candidate(m, inputs).describe()``).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without a model.
    """
    if not as_is:
        raise ValueError("no model")
    parts = []
    for m, own in as_is.items():
        same = invariant.get(m) == own
        parts.append(f"{label(m)} as {own}"
                     + (" (rotation-invariant already, so for it only the drift differs)" if same
                        else f" (rotation-invariant version: {invariant.get(m, 'none')})"))
    return "Each peer here with its own inputs: " + "; ".join(parts) + "."


def new_donor_sentence(cost: dict) -> str:
    """The cost of a new donor, largest and smallest over the models.

    Parameters
    ----------
    cost : dict
        ``{model: DonorCost}`` (:func:`cellmotion.classification.new_donor_cost`: per model,
        the paired per-donor difference "donor's cells scored with other cells of the donor
        in training" minus "donor held out", with a corrected interval over donors and
        ``p_holm`` over models).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without a model.
    """
    if not cost:
        raise ValueError("no model was evaluated under both protocols")
    order = sorted(cost, key=lambda m: -cost[m].mean)
    hi, lo = order[0], order[-1]
    real = [m for m in order if claim(cost[m]) > 0]
    n = len(next(iter(cost.values())).donors) or None
    unit = f", paired over {n} donors" if n else ""
    text = (f"A donor the classifier has never seen costs {label(hi)} {_evidence(cost[hi])} of "
            f"per-track balanced accuracy")
    if lo != hi:
        text += f" and {label(lo)} {_evidence(cost[lo])}"
    text += (f" (the same cells scored when other cells of their donor were in training minus "
             f"when their donor was held out{unit})")
    if real:
        text += (f". The drop is clear (interval above 0 after Holm's adjustment over the models) "
                 f"for {_join([label(m) for m in real])}, so part of what was learnt with folds "
                 "grouped by cell is the donor, not the chemoattractant.")
    else:
        text += (". No drop is clear (no interval excludes 0 after Holm's adjustment over the "
                 "models), so these data cannot show that what was learnt fails on new donors.")
    return text


def selection_sentence(record: dict | None, ours: str = "ours",
                       halfwidth: float | None = None) -> str:
    """How our network's design was chosen, in words, from the selection benchmark's record.

    Parameters
    ----------
    record : dict or None
        The content of ``benchmarks/selection.json``, written by
        ``benchmarks/bench_classify_ablation.py --select``: ``candidates`` (model names),
        ``synthetic`` (``{model: per-track balanced accuracy}`` on the synthetic stand-in),
        ``outer`` (``{donor: {"inner": {model: score}, "chosen": model, "outer_score": float}}``,
        one entry per held-out donor), ``design`` (the design chosen most often),
        ``nested_score`` (mean outer score of the procedure), ``seeds``, ``max_epochs``,
        ``date`` and ``command``. ``None`` where no record exists.
    ours : str
        The model the chapter calls our network.
    halfwidth : float, optional
        Half-width of the 95 % interval of ``ours``'s per-track balanced accuracy in the
        chapter (leave one donor out), to set the candidates' spread beside it.

    Returns
    -------
    str
        Which design each held-out donor's inner folds picked, the overall choice, what the
        procedure scores on held-out donors, how far apart the candidates' inner scores were,
        and whether the choice is the design the chapter calls ``ours``.
    """
    if not record or not record.get("outer"):
        return ("No record says how our network's design was chosen: "
                "`benchmarks/bench_classify_ablation.py --select` writes one "
                "(`benchmarks/selection.json`).")
    outer = record["outer"]
    picks = [o["chosen"] for o in outer.values()]
    counts = {m: picks.count(m) for m in dict.fromkeys(picks)}
    spread = [max(o["inner"].values()) - min(o["inner"].values()) for o in outer.values()]
    design = record["design"]
    epochs = record.get("max_epochs")
    n_seeds = len(record.get('seeds', []))
    how = (f"{n_seeds} seed{'s' if n_seeds != 1 else ''}" + (f", at most {epochs} epochs" if epochs else "")
           + f", {record.get('date', 'undated')}")
    text = (f"How our network's design was chosen, without ever seeing the donor it is scored on "
            f"(`{record.get('command', 'bench_classify_ablation.py --select')}`; {how}): for each "
            f"held-out donor, the {len(record['candidates'])} candidate designs were ranked by "
            f"leaving out each of the other donors in turn, and the inner folds picked "
            + _join(f"{label(m)} {k} time{'s' if k > 1 else ''}" for m, k in counts.items())
            + f" out of {len(outer)}. The procedure therefore chooses {label(design)}; on the "
            f"held-out donors it scores {pct(record['nested_score'])} per track. The candidates' "
            f"best and worst inner scores lay {100 * min(spread):.0f} to {100 * max(spread):.0f} "
            "percentage points apart")
    if halfwidth is not None and halfwidth == halfwidth:
        where = ("less than" if max(spread) < halfwidth else "more than" if min(spread) > halfwidth
                 else "on either side of")
        text += (f", {where} the half-width of {label(ours)}'s interval above "
                 f"({100 * halfwidth:.0f} points)")
    text += "."
    if design != ours:
        text += (f" This is not the design the chapter calls {label(ours)}: the book scores "
                 f"{label(ours)} as specified and says so here, rather than switching designs "
                 "after seeing these donors.")
    else:
        text += f" It is the design the chapter calls {label(ours)}."
    return text


def artefact_sentence(rows_by_protocol: dict) -> str:
    """How much of the peers' score was the movie: per protocol and peer, the score with each
    movie's drift and direction available minus with drift removed and rotation-invariant
    inputs, on the same folds. A change is named only when its interval exists and excludes 0.

    Parameters
    ----------
    rows_by_protocol : dict
        ``{protocol in words: rows}``, rows of
        :func:`cellmotion.classification.compare_evaluations` (``a`` = drift kept and inputs
        as they are, ``b`` = the book's protocol; per-track rows are used).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without a per-track row.
    """
    parts = []
    for protocol, rows in rows_by_protocol.items():
        clauses = []
        for r in rows:
            if r.get("per", "track") != "track":
                continue
            d = row_difference(r)
            c = claim(d)
            word = ("the movie was worth" if c > 0 else "the movie cost" if c < 0
                    else "no difference can be claimed:")
            clauses.append(f"{label(r['model'])} {pct(r['a'])} with the movie's drift and direction "
                           f"against {pct(r['b'])} without ({word} {_evidence(d)})")
        if clauses:
            parts.append(f"with {protocol}, " + "; ".join(clauses))
    if not parts:
        raise ValueError("no per-track rows")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ----------------------------------------------------------------------------- generation
def _is_mdn(model) -> bool:
    return "mdn" in str(model).lower()


def nll_sentence(rows: list, unit: str) -> str:
    """Per condition, whether the LSTM-MDN predicts held-out steps better than every baseline.

    Parameters
    ----------
    rows : list of dict
        Held-out likelihood rows (module docstring).
    unit : str
        Velocity unit.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without a baseline row.
    """
    conds = list(dict.fromkeys(r["condition"] for r in rows))
    better, worse, unclear = [], [], []
    for c in conds:
        base = [r for r in rows if r["condition"] == c and not _is_mdn(r["model"])]
        if not base:
            continue
        if all(r["upper"] < 0 for r in base):
            better.append(c)
        elif any(r["lower"] > 0 for r in base):
            worse.append(c)
        else:
            unclear.append(c)
    parts = []
    if better:
        parts.append(f"the LSTM-MDN predicts held-out steps better than every baseline for "
                     f"{_join(better)}")
    if worse:
        parts.append(f"a baseline predicts held-out steps better than the LSTM-MDN for "
                     f"{_join(worse)}")
    if unclear:
        parts.append(f"no difference to the best baseline can be claimed for {_join(unclear)}")
    if not parts:
        raise ValueError("no baseline rows")
    text = "; ".join(parts)
    return (text[0].upper() + text[1:] + f" (negative log-likelihood per step, velocities in "
            f"{unit}; a difference counts only when its 95 % interval excludes 0).")


# ----------------------------------------------------------------------------- superstatistics
def overlap_sentence(rows: list) -> str:
    """The most and least similar pair of conditions by their superstatistical densities.

    Parameters
    ----------
    rows : list of dict
        Overlap rows (module docstring).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without a pair of conditions.
    """
    if not rows:
        raise ValueError("no pairs of conditions")
    order = sorted(rows, key=lambda r: -r["bhattacharyya"])
    top, low = order[0], order[-1]

    def f(r):
        return (f"{r['condition_a']} and {r['condition_b']} (overlap {r['bhattacharyya']:.2f}, 95 % interval "
                f"{r['lower']:.2f}–{r['upper']:.2f})")

    text = f"The most similar persistence-speed densities are those of {f(top)}"
    if low is not top:
        text += f", the most distinct those of {f(low)}"
        if low["upper"] < top["lower"]:
            text += "; the two intervals do not overlap"
        else:
            text += "; the two intervals overlap, so even this ranking is uncertain"
    return text + "."


def headline(metrics: dict) -> list:
    """Rows of the real-cells column of the introduction's table.

    Parameters
    ----------
    metrics : dict
        The content of ``real_cells_metrics.json`` (:func:`real_cells_metrics`); its
        classification results are read with :meth:`cellmotion.results.Evaluation.from_dict`.

    Returns
    -------
    list of dict
        ``{quantity, value}`` per headline number.
    """
    rows = []
    c = metrics["counts"]["total"]
    rows.append({"quantity": "tracks read / pieces after gap split / used (cells)",
                 "value": f"{c['tracks read']:,} / {c['pieces']:,} / {c['used']:,} "
                          f"({c['cells used']:,})"})
    cls = metrics.get("classification") or {}
    results = {k: Evaluation.from_dict(cls[k]) for k in ("grouped", "donor") if k in cls}
    for key, words in (("grouped", "folds grouped by cell"), ("donor", "leave one donor out")):
        if key not in results:
            continue
        models = results[key].models
        best = ranking(models)[0]
        rows.append({"quantity": f"best classifier, per-track balanced accuracy, {words}",
                     "value": f"{label(best)}: {with_interval(models[best].per_track_bacc)}"})
    for r in metrics.get("generation", []):
        if _is_mdn(r["model"]):
            continue
        rows.append({"quantity": f"{r['condition']}: held-out NLL per step, LSTM-MDN minus "
                                 f"{r.get('label', r['model'])} [nats]",
                     "value": f"{r['diff_vs_mdn']:+.2f} ({r['lower']:+.2f} to {r['upper']:+.2f})"
                              .replace("-", "\u2212")})
    ov = metrics.get("superstats", {}).get("overlaps", [])
    if ov:
        top = max(ov, key=lambda r: r["bhattacharyya"])
        low = min(ov, key=lambda r: r["bhattacharyya"])
        rows.append({"quantity": "superstatistics: most / least similar conditions (Bhattacharyya)",
                     "value": f"{top['condition_a']}–{top['condition_b']} {top['bhattacharyya']:.2f} / "
                              f"{low['condition_a']}–{low['condition_b']} "
                              f"{low['bhattacharyya']:.2f}"})
    return rows


# ----------------------------------------------------------------------------- the metrics file
def real_cells_metrics(*, info, profile: str, seed: int, conditions, totals: dict, per_donor: dict,
                       classification: dict, cost: dict, artefact: dict, artefact_rows: dict,
                       artefact_models, settings: dict, ours_lines, drift_rows: list,
                       drift_words: str, nll_rows: list, generation_epochs: dict,
                       superstats: dict, wall: dict) -> dict:
    """The content of ``real_cells_metrics.json``, with the chapter's sentences.

    Parameters
    ----------
    info : cellmotion.datasets.DatasetInfo
        The dataset (its name, units, interval and window length are stored).
    profile : str
        The build profile.
    seed : int
        The chapter's seed.
    conditions : list of str
        Condition names in label order.
    totals : dict
        ``{"tracks read", "pieces", "used", "cells used", "windows"}``.
    per_donor : dict
        ``{"<condition>|<donor>": counts}``.
    classification : dict
        ``{"donor": Evaluation, "grouped": Evaluation}``
        (``cellmotion.classification.evaluate_models``), the primary protocol first.
    cost : dict
        ``{model: DonorCost}`` (``cellmotion.classification.new_donor_cost``).
    artefact : dict
        ``{protocol: {(version, inputs): Evaluation}}``
        (``cellmotion.classification.evaluate_variants``).
    artefact_rows : dict
        ``{protocol in words: rows}`` of ``cellmotion.classification.compare_evaluations``.
    artefact_models : list of str
        The models of the artefact comparison.
    settings : dict
        How the classifiers were run (models, folds, seeds, schedule, ...).
    ours_lines : list of str
        Our network against the peers, one sentence per protocol (may be empty).
    drift_rows : list of dict
        Each movie's drift (``cellmotion.drift.movie_drift_table``).
    drift_words : str
        The drift in words.
    nll_rows : list of dict
        Held-out likelihood rows.
    generation_epochs : dict
        ``{condition: epochs run}`` of the generators.
    superstats : dict
        ``{"model", "n_fitted", "failed", "overlaps", "peaks", "grid_check", "grid_fits_run",
        "withheld"}``.
    wall : dict
        ``{step: seconds}``.

    Returns
    -------
    dict
        Plain JSON values: ``dataset``, ``profile``, ``seed``, ``units``, ``interval``,
        ``window_length``, ``conditions``, ``counts``, ``classification`` (``donor`` and
        ``grouped`` as :meth:`~cellmotion.results.Evaluation.to_dict`, ``new_donor_cost``,
        ``primary``, ``artefact`` and ``settings``), ``drift``, ``generation``,
        ``generation_epochs``, ``superstats``, ``findings`` (the sentences) and
        ``wall_time_s``.
    """
    units = {"length": info.length_unit, "time": info.time_unit, "speed": info.speed_unit}
    overlaps = superstats["overlaps"]
    return {
        "dataset": info.name, "profile": profile, "seed": seed, "units": units,
        "interval": info.interval, "window_length": info.window_length,
        "conditions": conditions,
        "counts": {"total": totals, "per_condition_and_donor": per_donor},
        "classification": {
            **{p: result.to_dict() for p, result in classification.items()},
            "new_donor_cost": {m: c.to_dict() for m, c in cost.items()}, "primary": "donor",
            "artefact": {"rows": artefact_rows,
                         "scores": {p: {"|".join(v): {m: r.models[m].per_track_bacc.to_dict()
                                                       for m in artefact_models}
                                        for v, r in by.items()}
                                    for p, by in artefact.items()}},
            "settings": settings},
        "drift": drift_rows,
        "generation": nll_rows,
        "generation_epochs": generation_epochs,
        "superstats": superstats,
        "findings": {"counts": counts_sentence(totals["tracks read"], totals["pieces"], totals["used"],
                                               totals["cells used"], totals["windows"],
                                               info.window_length),
                     "drift": drift_words,
                     "classification_donor": winner_sentence(classification["donor"], "a new donor"),
                     "classification_grouped": winner_sentence(classification["grouped"],
                                                               "folds grouped by cell"),
                     **({"ours_vs_peers": " ".join(ours_lines)} if ours_lines else {}),
                     "new_donor": new_donor_sentence(cost),
                     "artefact": artefact_sentence(artefact_rows),
                     "generation": nll_sentence(nll_rows, units["speed"]),
                     "superstats": overlap_sentence(overlaps)},
        "wall_time_s": wall,
    }

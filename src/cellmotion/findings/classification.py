"""The sentences of the chapter *Classifying trajectories*, computed from its results.

Every function takes the chapter's results and returns a number or a sentence, so the
chapter's words follow its numbers and are unit-tested on small made-up inputs
(``tests/test_findings_classification.py``).

Shapes used here
----------------
A *score* is a :class:`cellmotion.results.Score` (a mean over folds in [0, 1], or a paired
difference, with its 95 % interval). A *result* is a :class:`cellmotion.results.Evaluation`
(what ``cellmotion.classification.evaluate_models`` returns, or
:meth:`~cellmotion.results.Evaluation.from_dict` of a metrics file): ``result.models[name]``
holds ``per_track_bacc``, ``per_window_bacc``, ``recall``, ``brier``, ...;
``result.paired[a][b]`` is ``a - b``. Rows of ``cellmotion.classification.compare_evaluations``
stay dicts (:func:`row_difference` reads their difference as a score). A Table 2 is
``{network: {"overall": acc, "<condition>": acc, "balanced": bacc, ...}}``.
"""

from __future__ import annotations

import math

from ..evaluation import verdict
from ..results import Evaluation, Score, to_float

#: How the chapter names the classifiers.
MODEL_LABELS = {
    "report-best": "the report's network B", "ours": "our network",
    "forest": "the motility-feature forest", "minirocket": "MiniRocket",
    "ours-velocity": "our network on velocities only",
    "ours-invariant": "our network on speed and turning angle only",
    "ours-no-augment": "our network without rotation and reflection",
    "ours-no-conv": "our network without its convolution layer",
    "ours-overlap": "our network trained on overlapping windows (stride 10 steps)",
    "ours-multiscale": "our network on speed and turning at 1, 2 and 4 steps",
    "minirocket-both": "MiniRocket on velocities, speed and turning angle",
    "multirocket": "MultiRocket",
    "ours+forest": "our network averaged with the forest",
    "ours+minirocket": "our network averaged with MiniRocket",
    "ours+forest+minirocket": "our network averaged with the forest and MiniRocket",
}
#: The field's peers our network is measured against (those present in a result count).
PEERS = ("forest", "minirocket", "multirocket")


def label(name: str) -> str:
    """Display name of a classifier.

    Parameters
    ----------
    name : str
        A model of ``cellmotion.classification.MODELS``.

    Returns
    -------
    str
        Its name in the chapter's words (``name`` itself where none is defined).
    """
    return MODEL_LABELS.get(name, name)


def cap(text: str) -> str:
    """``text`` with its first letter in upper case (the rest untouched, unlike ``capitalize``).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return text[:1].upper() + text[1:]


def pct(x: float, digits: int = 0) -> str:
    """``0.623`` -> ``"62 %"``.

    Parameters
    ----------
    x : float
        A fraction.
    digits : int
        Decimals of the percentage.

    Returns
    -------
    str
    """
    return f"{100 * x:.{digits}f} %"


def row_difference(row: dict) -> Score:
    """The paired difference of a row of ``cellmotion.classification.compare_evaluations``.

    Parameters
    ----------
    row : dict
        ``{diff, lower, upper[, p][, p_holm][, reason]}`` (bounds may be ``None``, as read
        from JSON).

    Returns
    -------
    Score
        ``mean`` = ``diff``; ``p_holm`` (Holm-adjusted over the rows of the row's table) where
        the row has it, so that :func:`claim` applies the same adjustment as to the paired
        tables.
    """
    return Score(to_float(row["diff"]), to_float(row.get("lower")), to_float(row.get("upper")),
                 to_float(row.get("p")), reason=row.get("reason") or "",
                 p_holm=to_float(row["p_holm"]) if "p_holm" in row else None)


def has_interval(s: Score) -> bool:
    """Whether a score carries an interval (finite bounds that differ): without one (too few
    folds, zero spread over the folds) nothing may be claimed from it.

    Parameters
    ----------
    s : Score
        A score or a paired difference.

    Returns
    -------
    bool
    """
    return s.has_interval


def with_interval(s: Score, digits: int = 0, extra: str = "") -> str:
    """A score ``.62`` with bounds ``.58``, ``.66`` -> ``"62 % (95 % interval 58–66 %)"``.

    A score lies in [0, 1], so the interval is shown clipped to 0–100 % (a t interval over few
    folds can reach beyond). Without an interval (:func:`has_interval`) the parentheses say
    so, with the score's ``reason`` where given.

    Parameters
    ----------
    s : Score
        A score in [0, 1].
    digits : int
        Decimals of the percentages.
    extra : str
        Appended inside the parentheses.

    Returns
    -------
    str
    """
    f = f"{{:.{digits}f}}"
    more = f"; {extra}" if extra else ""
    if not has_interval(s):
        why = s.reason or "too few folds or no spread over the folds"
        return f"{f.format(100 * s.mean)} % (no interval: {why}{more})"
    lo, hi = max(0.0, s.lower), min(1.0, s.upper)
    return (f"{f.format(100 * s.mean)} % (95 % interval {f.format(100 * lo)}–"
            f"{f.format(100 * hi)} %{more})")


def claim(d: Score, alpha: float = 0.05) -> int:
    """Whether a paired difference ``a - b`` shows ``a`` better or worse.

    The interval must exist and exclude 0, and where a Holm-adjusted p (``p_holm``,
    :func:`cellmotion.classification.holm_adjust`) is stored it must be below ``alpha`` too.

    Parameters
    ----------
    d : Score
        The paired difference ``a - b``.
    alpha : float
        Level for the adjusted p.

    Returns
    -------
    int
        +1 when ``a`` is better, -1 when worse, 0 when nothing can be claimed.
    """
    if not has_interval(d):
        return 0
    q = d.p_holm
    if q is not None and math.isfinite(q) and not q < alpha:
        return 0
    return 1 if d.lower > 0 else -1 if d.upper < 0 else 0


def protocol_words(result: Evaluation, replicate_name: str = "replicate") -> str:
    """``"cross-validation grouped by cell (10 folds)"`` or ``"one donor left out in turn
    (4 folds)"``, from the result's protocol; a result scored on the models' own inputs
    (``inputs == "as-is"``, not rotation-invariant) says so.

    Parameters
    ----------
    result : Evaluation
        Reads ``n_folds``, ``protocol`` and ``inputs``.
    replicate_name : str
        What a replicate is called (``"donor"``, ``"movie"``).

    Returns
    -------
    str
    """
    j = result.n_folds
    extra = (", every model on its own inputs (the direction of motion readable)"
             if result.inputs == "as-is" else "")
    if result.protocol == "replicate":
        return f"one {replicate_name} left out in turn ({j} folds{extra})"
    return f"cross-validation grouped by cell ({j} folds{extra})"


def ranking(models: dict, metric: str = "per_track_bacc") -> list:
    """Model names ordered by the mean of ``metric``, best first (ties keep input order).

    Parameters
    ----------
    models : dict
        ``{name: ModelScores}`` (``Evaluation.models``).
    metric : str
        A score of :class:`cellmotion.results.ModelScores`.

    Returns
    -------
    list of str
    """
    return sorted(models, key=lambda m: -getattr(models[m], metric).mean)


def paired(result: Evaluation, a: str, b: str) -> Score:
    """``a - b`` per track, flipping a stored ``b - a`` when only that is stored.

    Parameters
    ----------
    result : Evaluation
        Reads ``paired``.
    a, b : str
        Model names.

    Returns
    -------
    Score

    Raises
    ------
    KeyError
        When the two were not compared.
    """
    return result.difference(a, b, "track")


def comparison(result: Evaluation, a: str, b: str, per: str = "track") -> str:
    """One verdict on ``a - b`` in balanced accuracy per ``per``, worded from its paired
    interval.

    Parameters
    ----------
    result : Evaluation
        Reads ``paired`` (per track) or ``paired_window``.
    a, b : str
        Model names.
    per : str
        ``"track"`` or ``"window"``.

    Returns
    -------
    str
    """
    d = result.difference(a, b, per)
    return verdict(d.lower, d.upper, label(a), label(b), f"per-{per} balanced accuracy",
                   estimate=d.mean, reason=d.reason, p_adjusted=d.p_holm)


def window_sentence(result: Evaluation, ours: str = "ours", peers=PEERS) -> str:
    """Our network against the peers on balanced accuracy per window (where per-track scores
    are at their ceiling, the windows still separate the models).

    Parameters
    ----------
    result : Evaluation
        Needs ``paired_window``.
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
        Without per-window differences or a peer.
    """
    present = [p for p in peers if p in result.models and p != ours]
    if not present or not result.paired_window:
        raise KeyError("need per-window paired differences against at least one peer")
    return "Per window: " + "; ".join(comparison(result, ours, p, "window") for p in present) + "."


def headline_sentence(result: Evaluation, replicate_name: str = "replicate") -> str:
    """The best model by per-track balanced accuracy, with its interval, chance level and
    whether its lead over the runner-up is real (paired interval above 0).

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    replicate_name : str
        What a replicate is called.

    Returns
    -------
    str
    """
    models = result.models
    order = ranking(models)
    best = order[0]
    k = len(result.conditions)
    text = (f"With {protocol_words(result, replicate_name)}, {label(best)} has the highest "
            f"per-track balanced accuracy, {with_interval(models[best].per_track_bacc)}"
            + (f" (chance: {pct(1 / k)})" if k else ""))
    if len(order) < 2:
        return text + "."
    d = paired(result, best, order[1])
    if claim(d) > 0:
        return text + f"; its lead over {label(order[1])}, the runner-up, is real: {comparison(result, best, order[1])}."
    if not has_interval(d):
        return (text + f"; whether it leads {label(order[1])} cannot be said: "
                f"{comparison(result, best, order[1])}.")
    return (text + f"; its lead over {label(order[1])} is within the noise: "
            f"{comparison(result, best, order[1])}.")


def win_verdict(result: Evaluation, ours: str = "ours", peers=PEERS) -> dict:
    """Whether ``ours`` wins: its paired interval lies above 0 against every peer present.

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    ours : str
        Our model.
    peers : tuple of str
        The peers (those present count).

    Returns
    -------
    dict
        ``{"wins": bool, "beats": [...], "loses_to": [...], "level": [...]}``.

    Raises
    ------
    KeyError
        Without ``ours`` or a peer in the result.
    """
    present = [p for p in peers if p in result.models and p != ours]
    if ours not in result.models or not present:
        raise KeyError(f"need '{ours}' and at least one peer in the result")
    beats = [p for p in present if claim(paired(result, ours, p)) > 0]
    loses = [p for p in present if claim(paired(result, ours, p)) < 0]
    level = [p for p in present if p not in beats and p not in loses]
    return {"wins": len(beats) == len(present), "beats": beats, "loses_to": loses, "level": level}


def win_sentence(result: Evaluation, ours: str = "ours", peers=PEERS,
                 replicate_name: str = "replicate") -> str:
    """Whether ``ours`` beats every peer under one protocol, said with the numbers.

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    ours : str
        Our model.
    peers : tuple of str
        The peers (those present count).
    replicate_name : str
        What a replicate is called.

    Returns
    -------
    str
    """
    v = win_verdict(result, ours, peers)
    proto = protocol_words(result, replicate_name)
    parts = "; ".join(comparison(result, ours, p) for p in [*v["beats"], *v["level"], *v["loses_to"]])
    if v["wins"]:
        return f"With {proto}, {label(ours)} beats every peer: {parts}."
    return f"With {proto}, {label(ours)} does not beat every peer: {parts}."


def hardest_condition(result: Evaluation, model: str) -> tuple:
    """The condition a model recognises worst (per track).

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    model : str
        A model of ``result``.

    Returns
    -------
    tuple
        ``(condition, recall)``.
    """
    rec = result.models[model].recall
    c = min(rec, key=lambda k: rec[k])
    return c, rec[c]


def recall_sentence(result: Evaluation, model: str) -> str:
    """The best and worst recognised conditions of a model (per-track recall).

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    model : str
        A model of ``result``.

    Returns
    -------
    str
    """
    rec = result.models[model].recall
    worst = min(rec, key=lambda k: rec[k])
    best = max(rec, key=lambda k: rec[k])
    if rec[best] == rec[worst]:
        return f"{cap(label(model))} recognises every condition equally well (recall {pct(rec[best])})."
    return (f"{cap(label(model))} recognises {best} best "
            f"(recall {pct(rec[best])} of its cells) and {worst} worst ({pct(rec[worst])}).")


def calibration_sentence(result: Evaluation, models) -> str:
    """Brier scores (per track) of some models, best first, and the one a uniform guess gets.

    Parameters
    ----------
    result : Evaluation
        One protocol's result.
    models : list of str
        Models of ``result``.

    Returns
    -------
    str
    """
    k = len(result.conditions)
    ms = sorted(models, key=lambda m: result.models[m].brier)
    listed = ", ".join(f"{label(m)} {result.models[m].brier:.2f}" for m in ms)
    return (f"Brier score per track (0 is perfect, a uniform guess scores {1 - 1 / k:.2f}; lower is "
            f"better): {listed}.")


def z_shortcut_sentence(with_z: dict, without_z: dict, metric: str = "balanced") -> str:
    """How much the networks of Table 2 lose when z is removed (80/20 split).

    Parameters
    ----------
    with_z, without_z : dict
        Table 2 with and without z (``{network: {metric: value}}``).
    metric : str
        The score compared.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When no network was trained both ways.
    """
    nets = [n for n in with_z if n in without_z]
    if not nets:
        raise ValueError("no network was trained both with and without z")
    drops = {n: with_z[n][metric] - without_z[n][metric] for n in nets}
    listed = ", ".join(f"{n} {100 * d:+.0f}" for n, d in drops.items())
    worst = max(drops, key=drops.get)
    text = (f"Removing z changes the balanced accuracy of the networks on the same 80/20 split by "
            f"(with z minus without, percentage points) {listed}")
    if drops[worst] > 0.05:
        return text + (f": with z, part of the success is the flat z of the 2D conditions "
                       f"(largest for network {worst}); every comparison below is without z.")
    return text + ": z is not what the networks rely on here; every comparison below is without z anyway."


def table2_sentence(ours: dict, report: dict | None = None, metric: str = "overall") -> str:
    """The range of our Table 2 accuracies, and the report's range when ``report`` is given
    (only for the report's kind of data).

    Parameters
    ----------
    ours : dict
        Our Table 2 (``{network: {metric: value}}``).
    report : dict, optional
        The report's Table 2.
    metric : str
        The score quoted.

    Returns
    -------
    str
    """
    vals = [m[metric] for m in ours.values()]
    text = (f"On one 80/20 split the networks reach {min(vals):.2f}–{max(vals):.2f} "
            f"{'accuracy' if metric == 'overall' else metric.replace('_', ' ')}")
    if report:
        rv = [r["overall"] for r in report.values()]
        text += f" (the report: {min(rv):.2f}–{max(rv):.2f} on its real data)"
    return text + "."


def window_length_sentence(lengths, accs: dict, dt: float, time_unit: str = "min",
                           trained: int = 30) -> str:
    """Which window length gives each network its best test accuracy (Figure 7).

    Parameters
    ----------
    lengths : list of int
        Test-window lengths in steps.
    accs : dict
        ``{network: [accuracy per length]}`` (NaN or ``None`` where a length has no window).
    dt : float
        Time step.
    time_unit : str
        Its unit.
    trained : int
        Window length the networks were trained on.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without any accuracy.
    """
    parts = []
    for net, a in accs.items():
        ok = [(n, x) for n, x in zip(lengths, a) if x is not None and x == x]
        if not ok:
            continue
        n, x = max(ok, key=lambda t: t[1])
        parts.append(f"{net} {x:.2f} at {n} steps (a {n * dt:g}-{time_unit} window)")
    if not parts:
        raise ValueError("no accuracies")
    return ("Best balanced accuracy by test-window length (trained on "
            f"{trained} steps): " + ", ".join(parts) + ".")


def ablation_sentence(result: Evaluation, base: str = "ours") -> str:
    """Which single changes of ``base`` help or hurt (paired per-track interval excludes 0).

    Parameters
    ----------
    result : Evaluation
        A result with ablations of ``base`` (models whose name starts with it).
    base : str
        The model the ablations change.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Without an ablation in the result.
    """
    changed = [m for m in result.models if m != base and m.startswith(base)]
    if not changed:
        raise ValueError(f"no ablation of '{base}' in the result")
    better = [m for m in changed if claim(paired(result, m, base)) > 0]
    worse = [m for m in changed if claim(paired(result, m, base)) < 0]
    text = []
    if better:
        text.append("better than " + label(base) + ": " + ", ".join(label(m) for m in better))
    if worse:
        text.append("worse: " + ", ".join(label(m) for m in worse))
    level = [m for m in changed if m not in better and m not in worse]
    if level:
        text.append("no difference can be claimed for " + ", ".join(label(m) for m in level))
    return "Ablations (paired 95 % intervals): " + "; ".join(text) + "."


def noise_ablation_sentence(rows, a_name: str = "its own noise models",
                            b_name: str = "one noise model for every condition") -> str:
    """What changes when the same cells are seen through another tracking error.

    One clause per model and score; a drop or a rise is named only when :func:`claim` allows
    it: the interval of the paired difference excludes 0 *and*, where the row carries one,
    the p value adjusted by Holm's method over the rows of the table (``p_holm``,
    :func:`cellmotion.classification.compare_evaluations`) is below 0.05. An interval that
    excludes 0 whose adjusted p is not below 0.05 is said to be so; an interval of zero width,
    from folds that all agree or too few folds, claims nothing.

    Parameters
    ----------
    rows : list of dict
        :func:`cellmotion.classification.compare_evaluations` (``a`` minus ``b``).
    a_name, b_name : str
        What ``a`` and ``b`` are, in words.

    Returns
    -------
    str
        Empty without rows.
    """
    parts = []
    for r in rows:
        d = row_difference(r)
        c = claim(d)
        adjusted = d.p_holm is not None and math.isfinite(d.p_holm)
        if not has_interval(d):  # no spread over the folds, or too few folds: no interval
            what = f"no interval ({d.reason or 'the folds do not vary'}), so no change is claimed"
        elif c > 0:
            what = "drops"
        elif c < 0:
            what = "rises"
        elif (d.lower > 0 or d.upper < 0) and adjusted:
            what = (f"no change can be claimed after Holm's adjustment over the table's "
                    f"{r['per']} rows, adjusted p = {d.p_holm:.2f}")
        else:
            what = "shows no change that can be claimed"
        iv = (f", 95 % interval {100 * d.lower:+.0f} to {100 * d.upper:+.0f}"
              if has_interval(d) else "")
        if c and adjusted:
            iv += (", Holm-adjusted p < 0.001" if d.p_holm < 0.001
                   else f", Holm-adjusted p = {d.p_holm:.3f}")
        parts.append(f"{label(r['model'])}, per {r['per']}: {pct(r['a'])} with {a_name}, "
                     f"{pct(r['b'])} with {b_name} ({what}: difference {100 * r['diff']:+.0f} "
                     f"points{iv})")
    return cap("; ".join(parts)) + "." if parts else ""


def schedule_sentence(schedule) -> str:
    """How the networks are trained, in words (instead of the schedule's repr).

    Parameters
    ----------
    schedule : Schedule
        Anything with the fields of ``cellmotion.models.networks.Schedule`` (``batch_size``,
        ``learning_rate``, ``max_epochs``, ``patience``, ``val_fraction``, ``clipnorm``).

    Returns
    -------
    str
    """
    text = (f"Batches of {schedule.batch_size} windows, RMSprop with learning rate "
            f"{schedule.learning_rate:g}")
    if schedule.clipnorm:
        text += f", gradient norm clipped at {schedule.clipnorm:g}"
    text += f", at most {schedule.max_epochs} epochs"
    if schedule.patience and schedule.val_fraction:
        text += (f"; training stops when the validation loss ({100 * schedule.val_fraction:.0f} % "
                 f"of the training cells held out) has not improved for {schedule.patience} "
                 "epochs, and the best weights are kept")
    else:
        text += ", all of them trained (no early stopping)"
    return text + "."

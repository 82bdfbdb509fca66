"""Sentences about the data a chapter was built on: branching tracks, real exports read."""

from __future__ import annotations

import pandas as pd

#: What each branch policy does, in words.
POLICY_WORDS = {
    "split": "cut into {pieces} unbranched pieces, each lineage kept as one cell in every split",
    "longest": "reduced to their longest path ({pieces} tracks)",
    "refuse": "refused",
}


def branches_sentence(counts: pd.DataFrame | None, policy: str = "split") -> str:
    """How many tracks branched (cell divisions, merges) and what was done with them.

    Parameters
    ----------
    counts : pandas.DataFrame or None
        The per-condition table of :func:`cellmotion.datasets.load_dataset`
        (``return_counts=True``); its ``branching tracks`` and ``pieces from branching tracks``
        columns exist for tracker exports.
    policy : str
        The config's branch policy (``split``, ``longest`` or ``refuse``).

    Returns
    -------
    str
        One sentence: the number of branching tracks per condition and what the policy made
        of them; without those columns (tidy tables, the synthetic data) that the input holds
        no lineage.
    """
    if counts is None or "branching tracks" not in counts.columns:
        return "The input has no lineage information, so no track can branch."
    n = int(counts["branching tracks"].sum())
    if n == 0:
        return "No track branches (no cell division or merge in the tracker's links)."
    pieces = int(counts["pieces from branching tracks"].sum())
    per = [f"{c}: {int(v)}" for c, v in counts["branching tracks"].items() if v]
    what = POLICY_WORDS.get(policy, policy).format(pieces=pieces)
    return (f"{n} track{'s' if n != 1 else ''} branch{'es' if n == 1 else ''} (a cell division "
            f"or two cells merging; {', '.join(per)}) and {'was' if n == 1 else 'were'} {what} "
            f"(branches: {policy}).")


def export_sentence(table: pd.DataFrame, name: str, tracker: str) -> str:
    """What was read from one tracker export: tracks, positions, units, time step, branches.

    Parameters
    ----------
    table : pandas.DataFrame
        A reader's result (:mod:`cellmotion.io`), whose ``attrs`` give the units of the table
        (``length_unit``, ``time_unit``) and the branch report (``branches``).
    name : str
        What the file is called in the sentence.
    tracker : str
        The tracker that wrote it.

    Returns
    -------
    str
        One sentence: ``<name> (<tracker>): <n> tracks, <m> positions, positions in <unit>,
        one step every <median step> <unit>`` and, if any, the branching tracks and pieces.
    """
    lu = table.attrs.get("length_unit", "µm")
    tu = table.attrs.get("time_unit", "min")
    steps = table.groupby("track_id", sort=False)["t"].diff().dropna()
    step = float(steps.median()) if len(steps) else float("nan")
    unit = f"frame{'s' if step != 1 else ''}" if tu == "frame" else tu
    if tu == "min" and step < 1:  # seconds read better than fractions of a minute
        step, unit = round(step * 60.0, 6), "s"
    rep = table.attrs.get("branches") or {}
    branch = ""
    if rep.get("branching"):
        branch = (f"; {rep['branching']} track(s) branch and became {rep['pieces']} pieces "
                  f"(branches: {rep.get('policy', 'split')})")
    return (f"{name} ({tracker}): {table['track_id'].nunique()} tracks, {len(table):,} positions, "
            f"positions in {lu}, one step every {step:g} {unit}{branch}.")


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def glance_sentences(per_track: pd.DataFrame, table1: pd.DataFrame, data: str, speed_unit: str,
                     interval: str) -> list:
    """The data chapter's answer: tracks per condition, the fastest and most persistent.

    Parameters
    ----------
    per_track : pandas.DataFrame
        :func:`cellmotion.motility.track_table` (``condition``, ``persistence``, ``speed`` per
        track, at the analysis interval).
    table1 : pandas.DataFrame
        :func:`cellmotion.contract.summarize` (``trajectories`` and ``dimensions`` per
        condition).
    data : str
        What the data is called ("the synthetic stand-in").
    speed_unit : str
        Unit of the speeds ("µm/min").
    interval : str
        The analysis interval in words ("5 min").

    Returns
    -------
    list of str
        Two Markdown sentences: the tracks per condition, then the conditions with the highest
        and lowest median cell speed and median persistence (conditions equal at two decimals
        named together; one condition's medians when there is only one).

    Raises
    ------
    ValueError
        No tracks.
    """
    if per_track.empty or table1.empty:
        raise ValueError("no tracks")
    conds = list(table1.index)
    dims = set(table1["dimensions"])
    counts = [f"{c} {int(table1.loc[c, 'trajectories']):,}"
              + (f" ({table1.loc[c, 'dimensions']})" if len(dims) > 1 else "") for c in conds]
    total = int(table1["trajectories"].sum())
    first = (f"{data[:1].upper() + data[1:]} holds {total:,} tracks in {len(conds)} conditions"
             f"{' (all ' + dims.pop() + ')' if len(dims) == 1 else ''}: {_join(counts)}.")
    med = per_track.groupby("condition", sort=False)[["speed", "persistence"]].median()
    if len(med) < 2:
        c = med.index[0]
        return [first, (f"At the analysis interval of {interval}, the median cell speed is "
                        f"{med.loc[c, 'speed']:.2f} {speed_unit} and the median persistence "
                        f"(lag-1 velocity autocorrelation) {med.loc[c, 'persistence']:.2f}.")]
    shown = med.round(2)  # conditions equal at the precision shown are named together

    def ends(col):
        top = [c for c in shown.index if shown.loc[c, col] == shown[col].max()]
        low = [c for c in shown.index if shown.loc[c, col] == shown[col].min()]
        return _join(top), shown[col].max(), _join(low), shown[col].min()

    fast, v_fast, slow, v_slow = ends("speed")
    pers, q_pers, loose, q_loose = ends("persistence")
    if fast == slow:
        speed = f"cells of every condition have the same median cell speed ({v_fast:.2f} {speed_unit})"
    else:
        speed = (f"{fast} cells are the fastest (median cell speed {v_fast:.2f} {speed_unit}) and "
                 f"{slow} cells the slowest ({v_slow:.2f} {speed_unit})")
    if pers == loose:
        persistence = (f"every condition has the same median lag-1 velocity autocorrelation "
                       f"({q_pers:.2f})")
    else:
        persistence = (f"{pers} cells are the most persistent (median lag-1 velocity "
                       f"autocorrelation {q_pers:.2f}) and {loose} cells the least ({q_loose:.2f})")
    return [first, f"At the analysis interval of {interval}, {speed}; {persistence}."]


def own_data_sentences(counts: pd.DataFrame, policies: dict, *, files: int, tracker: str,
                       source_units: str, interval: float, min_steps: int, gaps: str,
                       max_gap: int | None, refused: int) -> list:
    """The answer of the chapter *Your own data*, for its worked example.

    Parameters
    ----------
    counts : pandas.DataFrame
        The per-condition counts of ``load_dataset(..., return_counts=True)`` (``tracks read``,
        ``used``, and from gap handling ``tracks after gap handling``, ``gaps``,
        ``frames interpolated``).
    policies : dict
        ``{policy: {"tracks": n, "used": m}}`` summed over conditions, for each gap policy
        tried.
    files : int
        Exports read.
    tracker : str
        Their kind.
    source_units : str
        The files' units in words ("pixels and frames").
    interval : float
        The analysis interval [min].
    min_steps : int
        Steps of the shortest usable track.
    gaps : str
        The config's gap policy.
    max_gap : int or None
        The config's longest interpolated gap (frames).
    refused : int
        Kinds of broken input refused.

    Returns
    -------
    list of str
        Markdown sentences: what was read and used; when other gap policies were tried, what
        each gives beside the config's; and how many kinds of broken input are refused.
    """
    read, used = int(counts["tracks read"].sum()), int(counts["used"].sum())
    after = int(counts["tracks after gap handling"].sum()) if "tracks after gap handling" in counts else read
    first = (f"The {files} {tracker} export{'s' if files != 1 else ''} of the worked example, in "
             f"{source_units}, became one "
             f"table in micrometres and minutes: {read:,} tracks read, {after:,} after gap handling, "
             f"of which {used:,} ({100 * used / after:.0f} %) last the {min_steps} steps of "
             f"{interval:g} min one analysis window needs and are used.")
    out = [first]
    others = {p: v for p, v in policies.items() if p != gaps}
    if gaps in policies and others:
        n_gaps = int(counts["gaps"].sum()) if "gaps" in counts else None
        filled = int(counts["frames interpolated"].sum()) if "frames interpolated" in counts else None
        what = (f"interpolating gaps of up to {max_gap} frames" if gaps == "interpolate"
                else "splitting tracks at every gap")
        detail = (f" ({n_gaps} gaps, {filled} frames filled)" if gaps == "interpolate"
                  and n_gaps is not None and filled is not None else "")
        alt = "; ".join(f"`gaps: {p}` would give {int(v['tracks']):,} tracks and keep {int(v['used']):,}"
                        for p, v in others.items())
        mine = policies[gaps]
        out.append(f"The config's choice, {what}{detail}, gives {int(mine['tracks']):,} tracks "
                   f"and keeps {int(mine['used']):,} usable; {alt}.")
    out.append(f"{refused} kinds of broken input are refused before any chapter runs, each with "
               "one message that names the file, column, key or track at fault.")
    return out

"""Branching tracks: cell divisions (splits) and touching cells (merges) in a tracker's output.

A tracker that allows splitting and merging (TrackMate's LAP tracker, trackers that write a
``parent`` column) links one spot to two in the next frames at a division, and two spots to
one at a merge. Such a *branching* track is not one trajectory: it has two positions at one
time. A config chooses what to do with it (``branches:``):

``split`` (default)
    cut the track into its unbranched segments (the mother up to the division, each
    daughter from it), each its own piece ``<track>~1``, ``<track>~2``, ... ordered by start
    time. A piece of a single position (a branch seen once) is left out and counted. The
    pieces of one tracker track stay one cell
    (:func:`cellmotion.contract.cell_ids`), so a lineage never straddles a training and a
    test set.
``longest``
    keep the longest path through the track (most positions; the mother and one daughter)
    as the track, and leave the other branches out.
``refuse``
    refuse the file, naming every branching track (how many, and the first few).

The functions here take spots and the links between them, and nothing about the file they
came from; the readers build both and name the track in their own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..contract import DataError

BRANCH_POLICIES = ("split", "refuse", "longest")
#: How many branching tracks a refusal names before "and N more".
NAMED_IN_REFUSAL = 5


@dataclass
class BranchReport:
    """What branch handling did to one file: the branching tracks and the pieces made."""

    policy: str = "split"
    branching: list = field(default_factory=list)  # track labels, in file order
    pieces: int = 0  # pieces (split) or kept paths (longest) made from branching tracks
    positions_left_out: int = 0  # spots off the longest path, or one-position pieces

    @property
    def n_branching(self) -> int:
        return len(self.branching)

    def as_dict(self) -> dict:
        return {"policy": self.policy, "branching": self.n_branching, "pieces": self.pieces,
                "positions_left_out": self.positions_left_out}


def check_policy(policy: str, source: str = "input") -> str:
    """``policy`` when it is one of :data:`BRANCH_POLICIES`; a :class:`DataError` otherwise."""
    if policy not in BRANCH_POLICIES:
        from ..contract import suggest

        raise DataError(f"{source}: unknown branch policy 'branches: {policy}'"
                        f"{suggest(str(policy), BRANCH_POLICIES)}; use one of "
                        f"{', '.join(BRANCH_POLICIES)}.")
    return policy


def refusal(labels, source: str, what: str = "track") -> DataError:
    """The refusal for ``branches: refuse``: how many tracks branch, and the first few."""
    labels = list(labels)
    shown = ", ".join(labels[:NAMED_IN_REFUSAL])
    more = f" and {len(labels) - NAMED_IN_REFUSAL} more" if len(labels) > NAMED_IN_REFUSAL else ""
    return DataError(
        f"{source}: {len(labels)} {what}(s) branch (a cell division or two cells merging: two "
        f"positions at one time): {shown}{more}. Set 'branches: split' to cut them into "
        "unbranched pieces (kept as one cell), or 'branches: longest' to keep each one's "
        "longest path.")


def _segments(order: list, succ: dict, pred: dict) -> list[list]:
    """Maximal unbranched chains of a time-ordered graph (nodes in ``order``)."""
    done, out = set(), []
    for n in order:
        if n in done:  # nodes come in time order: a chain's start is met before its rest
            continue
        chain = [n]
        done.add(n)
        cur = n
        while len(succ.get(cur, [])) == 1 and len(pred.get(succ[cur][0], [])) == 1:
            cur = succ[cur][0]
            chain.append(cur)
            done.add(cur)
        out.append(chain)
    return out


def _longest_path(order: list, succ: dict) -> list:
    """The path with the most nodes in a time-ordered graph; ties go to the earliest start."""
    rank = {n: r for r, n in enumerate(order)}
    best_len, best_next = {}, {}
    for n in reversed(order):
        nxt = succ.get(n, [])
        if nxt:
            m = max(nxt, key=lambda s: (best_len[s], -rank[s]))
            best_len[n], best_next[n] = best_len[m] + 1, m
        else:
            best_len[n], best_next[n] = 1, None
    start = max(order, key=lambda s: (best_len[s], -rank[s]))
    path = [start]
    while best_next[path[-1]] is not None:
        path.append(best_next[path[-1]])
    return path


def resolve(track: np.ndarray, time: np.ndarray, key: np.ndarray, edges, policy: str,
            labels: dict | None = None, source: str = "input",
            what: str = "track") -> tuple[np.ndarray, BranchReport]:
    """New track ids for spots linked by ``edges``, with branching tracks handled by ``policy``.

    Parameters
    ----------
    track : the track id of each spot (strings).
    time : the time (or frame) of each spot.
    key : a sort key of each spot (a sequence; tuples allowed) that does not depend on the
        order of the file (spot ID), so that pieces are numbered the same whatever order the
        file lists them in.
    edges : pairs ``(i, j)`` of spot indices linked by the tracker, in any direction and
        order; links between spots of different tracks are ignored.
    policy : ``split``, ``longest`` or ``refuse`` (see the module docstring).
    labels : how to name a track in a refusal (``{track id: label}``); the id by default.
    source, what : the file, and what a track is called in it, for the refusal.

    Returns the new track id of every spot (``None`` for a spot left out by ``longest``) and
    a :class:`BranchReport`. Tracks without a branch keep their id and every spot.
    """
    check_policy(policy, source)
    track = np.asarray(track, dtype=object)
    time = np.asarray(time, dtype=float)
    key = list(key)
    n = len(track)
    succ: dict = {}
    pred: dict = {}
    for a, b in edges:
        if track[a] != track[b] or time[a] == time[b]:
            continue
        a, b = (a, b) if time[a] < time[b] else (b, a)  # orient by time, never by file order
        if b not in succ.setdefault(a, []):
            succ[a].append(b)
            pred.setdefault(b, []).append(a)
    out = track.copy()
    report = BranchReport(policy=policy)
    members: dict = {}
    for i in range(n):
        members.setdefault(track[i], []).append(i)
    for tid, idx in members.items():
        t = time[idx]
        branched = any(len(succ.get(i, [])) > 1 or len(pred.get(i, [])) > 1 for i in idx) \
            or len(np.unique(t)) < len(t)
        if not branched:
            continue
        report.branching.append((labels or {}).get(tid, f"'{tid}'"))
        if policy == "refuse":
            continue
        order = sorted(idx, key=lambda i: (time[i], key[i]))
        for i in order:  # each node's links in a fixed order
            if i in succ:
                succ[i].sort(key=lambda j: (time[j], key[j]))
            if i in pred:
                pred[i].sort(key=lambda j: (time[j], key[j]))
        if policy == "split":
            chains = _segments(order, succ, pred)
            k = 0
            for chain in chains:
                if len(chain) < 2:  # a branch of one position gives no step
                    out[chain[0]] = None
                    report.positions_left_out += 1
                    continue
                k += 1
                for i in chain:
                    out[i] = f"{tid}~{k}"
            report.pieces += k
        else:
            path = set(_longest_path(order, succ))
            for i in idx:
                if i not in path:
                    out[i] = None
            report.pieces += 1
            report.positions_left_out += len(idx) - len(path)
    if policy == "refuse" and report.branching:
        raise refusal(report.branching, source, what)
    return out, report


def link_by_nearest(track: np.ndarray, time: np.ndarray, xyz: np.ndarray,
                    key: np.ndarray) -> list[tuple[int, int]]:
    """Links between the spots of each track when a table gives no links (a spot table).

    Within a track, consecutive observed times are linked one to one where both have the
    same number of spots (nearest positions, by an optimal assignment); where the number
    changes (a division or merge), every spot before is linked to every spot after, which
    marks the branch point so that :func:`resolve` cuts there. Tracks with one spot per time
    get the chain of their spots in time order.
    """
    from scipy.optimize import linear_sum_assignment

    track = np.asarray(track, dtype=object)
    time = np.asarray(time, dtype=float)
    edges = []
    groups: dict = {}
    for i, tid in enumerate(track):
        groups.setdefault(tid, []).append(i)
    for idx in groups.values():
        by_time: dict = {}
        for i in sorted(idx, key=lambda i: (time[i], key[i])):
            by_time.setdefault(time[i], []).append(i)
        times = sorted(by_time)
        for t0, t1 in zip(times[:-1], times[1:]):
            a, b = by_time[t0], by_time[t1]
            if len(a) == len(b):
                if len(a) == 1:
                    edges.append((a[0], b[0]))
                    continue
                cost = np.linalg.norm(xyz[a][:, None, :] - xyz[b][None, :, :], axis=-1)
                rows, cols = linear_sum_assignment(cost)
                edges.extend((a[r], b[c]) for r, c in zip(rows, cols))
            else:
                edges.extend((i, j) for i in a for j in b)
    return edges

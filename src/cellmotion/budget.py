"""How much of a large dataset a chapter works on: a cap in positions, lifted on a cluster.

The report's dataset had 311 tracks; the book's stand-in for it has 67,985 positions at the
5-minute analysis interval, and the default book is built for that size (its full profile
takes about 20 minutes on two cores). A user's screen can hold ten or a hundred times as many
positions, and every chapter's cost grows with them (``benchmarks/bench_scale.py``). So the
chapters that train networks or fit bayesloop (classification, generation, statistics) work on
at most :data:`MAX_POSITIONS` positions of the user's tracks, drawn at random but never
splitting a cell, and in the same proportion from every condition and replicate
(:func:`within_budget`). Why this size: it is the size for which the book's protocol was
designed and at which its intervals are a few percentage points wide (on the default data the
per-track balanced accuracies of chapter 2 carry 95 % intervals of about ±2 points); more
tracks narrow them further at a cost that grows linearly. Each chapter says how many of the
user's tracks and positions its numbers use (:func:`budget_sentence`). The generation and
statistics chapters must draw the same tracks (the statistics chapter compares with the
generation chapter's held-out cells), so they share the cap and the seed.

The default dataset is below the cap, so the default book uses every track, as the report
did. With a Dask cluster configured (:mod:`cellmotion.cluster`) the cap is lifted unless the
chapter is told to keep it (:func:`cap`): the cluster is there to take the whole dataset.
"""

from __future__ import annotations

import numpy as np

from . import cluster

#: Positions a chapter works on at most (just above the default dataset's 67,985).
MAX_POSITIONS = 70_000


def cap(max_positions: int | None, lift_on_cluster: bool = True) -> int | None:
    """The cap in force: ``max_positions``, or ``None`` (no cap) on a Dask cluster.

    Parameters
    ----------
    max_positions : int or None
        The chapter's parameter (``None``: every track).
    lift_on_cluster : bool
        Lift the cap when a Dask scheduler is configured (:func:`cellmotion.cluster.scheduler_address`).

    Returns
    -------
    int or None
        The number of positions to work on at most; ``None`` for all.
    """
    if max_positions is None or (lift_on_cluster and cluster.scheduler_address() is not None):
        return None
    if int(max_positions) < 1:
        raise ValueError(f"max_positions must be at least 1 (or None for all), not {max_positions}")
    return int(max_positions)


def positions_per_track(traj) -> np.ndarray:
    """Positions of every track of a :class:`cellmotion.preprocess.Trajectories` (steps + 1).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories

    Returns
    -------
    numpy.ndarray
        One integer per track.
    """
    return np.array([len(v) + 1 for v in traj.velocities], dtype=int)


def within_budget(traj, max_positions: int | None, seed: int = 0) -> np.ndarray:
    """Indices of the tracks a chapter keeps under a cap of ``max_positions`` positions.

    Every stratum (condition, and replicate where the data have them) keeps the same share
    ``max_positions / all positions`` of its positions: its cells are shuffled (seeded) and
    taken whole, every piece of one cell together, while the stratum stays within its share;
    each stratum keeps at least one cell. Without a cap, or when the data are within it,
    every track is kept.

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        The tracks at the analysis interval.
    max_positions : int or None
        The cap (:func:`cap`); ``None`` keeps everything.
    seed : int
        Seed of the draw; the same arguments always keep the same tracks.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the kept tracks.
    """
    n = positions_per_track(traj)
    if max_positions is None or n.sum() <= max_positions:
        return np.arange(len(n))
    share = max_positions / n.sum()
    cells = np.asarray(traj.cells).astype(str)
    reps = (np.asarray(traj.replicates).astype(str) if traj.replicates is not None
            else np.full(len(n), ""))
    strata = np.char.add(np.char.add(np.asarray(traj.labels).astype(str), "|"), reps)
    rng = np.random.default_rng(seed)
    keep = []
    for stratum in dict.fromkeys(strata.tolist()):
        members = np.flatnonzero(strata == stratum)
        cell_ids = list(dict.fromkeys(cells[members].tolist()))
        order = rng.permutation(len(cell_ids))
        allowance, used = share * n[members].sum(), 0
        for k, j in enumerate(order):
            tracks = members[cells[members] == cell_ids[j]]
            if k > 0 and used + n[tracks].sum() > allowance:
                continue  # a smaller cell further on may still fit
            keep.extend(tracks.tolist())
            used += int(n[tracks].sum())
    return np.sort(np.asarray(keep, dtype=int))


def budget_sentence(traj, keep, max_positions: int | None, parameter: str = "max_positions") -> str:
    """What share of the dataset a chapter's numbers use, in words (Markdown).

    Parameters
    ----------
    traj : cellmotion.preprocess.Trajectories
        All tracks of the dataset at the analysis interval.
    keep : array-like of int
        The kept tracks (:func:`within_budget`).
    max_positions : int or None
        The cap in force (:func:`cap`).
    parameter : str
        The chapter parameter that sets the cap, named in the sentence.

    Returns
    -------
    str
        "Every track ..." when nothing was left out; otherwise how many tracks, cells and
        positions of how many are used, the cap and how to lift it.
    """
    n = positions_per_track(traj)
    keep = np.asarray(keep, dtype=int)
    cells_all = len(set(np.asarray(traj.cells).astype(str)))
    if len(keep) == len(n):
        why = ("no cap" if max_positions is None
               else f"within the cap of {max_positions:,} positions, `{parameter}`")
        return f"Every track is used: {len(n):,} tracks of {cells_all:,} cells, {n.sum():,} positions ({why})."
    cells_kept = len(set(np.asarray(traj.cells).astype(str)[keep]))
    return (f"The numbers below use {len(keep):,} of the dataset's {len(n):,} tracks ({cells_kept:,} of "
            f"{cells_all:,} cells; {n[keep].sum():,} of {n.sum():,} positions, "
            f"{n[keep].sum() / n.sum():.0%}), drawn at random with whole cells and the same share "
            f"of every condition{' and replicate' if traj.replicates is not None else ''}: the "
            f"chapter's cap of {max_positions:,} positions (`{parameter}`) keeps its cost at the "
            "size of the report's dataset, where its intervals are a few points wide. Set "
            f"`{parameter}` to `None`, or build with a Dask cluster, to use every track.")

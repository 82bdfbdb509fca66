"""Synthetic "screens": many tracks of four conditions, of uneven length and with gaps.

The default dataset has the report's shape (311 long tracks, three conditions). A screen has
more tracks, shorter and of uneven length, and trackers lose cells for a frame or two. For
measuring how the book's cost grows with the number of tracks
(``benchmarks/bench_scale.py``), :func:`simulate_screen` draws such a dataset from the
simulator's calibrated condition models (:mod:`cellmotion.synthetic.simulator`, plus a fourth,
intermediate 2D condition), and :func:`write_screen` writes it as a tidy CSV with a dataset
config (:mod:`cellmotion.config`) that the build reads like any user's data.

Every track is simulated at its condition's native interval and kept every
``interval / dt``-th position, so the exported frames are ``interval`` minutes apart and
the motion is the calibrated one; its number of positions is drawn uniformly between
``min_positions`` and ``max_positions``. In a share ``gap_fraction`` of the tracks one to
``max_gap`` consecutive frames are missing (the config fills them on a straight line), and in
a share ``long_gap_fraction`` ``max_gap + 1`` to ``2 max_gap + 2`` frames are missing (the
track is split there into two pieces of one cell).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import atomic_path
from .simulator import DEFAULT_CONDITIONS, ConditionModel, simulate_track

#: A fourth condition between Plastic and Fibronectin (2D, native interval 1 min).
LAMININ = ConditionModel("Laminin", 0, 0, 1.0, 2, persistence=0.93, persistence_spread=0.35,
                         speed=0.45, speed_spread=0.35, drift=0.25, drift_time=60.0,
                         noise=2.0, noise_time=30.0)


def screen_models() -> tuple[ConditionModel, ...]:
    """The screen's four condition models: the default three and :data:`LAMININ`.

    Returns
    -------
    tuple of ConditionModel
        Collagen (3D), Plastic, Fibronectin and Laminin (2D); track counts and lengths are
        set per track by :func:`simulate_screen`.
    """
    return tuple(DEFAULT_CONDITIONS) + (LAMININ,)


def simulate_screen(n_tracks: int, seed: int = 0, *, interval: float = 5.0,
                    min_positions: int = 100, max_positions: int = 500,
                    gap_fraction: float = 0.2, long_gap_fraction: float = 0.05,
                    max_gap: int = 2, progress: bool = False) -> pd.DataFrame:
    """Tidy table of a synthetic screen of ``n_tracks`` tracks in four conditions.

    Parameters
    ----------
    n_tracks : int
        Tracks in all (split evenly over the conditions, at least two each).
    seed : int
        Seed; the same arguments always give the same table.
    interval : float
        Minutes between exported frames; every condition's native interval must divide it.
    min_positions, max_positions : int
        Range of the number of frames per track (uniform, inclusive), before gaps.
    gap_fraction : float
        Share of tracks missing 1 to ``max_gap`` consecutive frames.
    long_gap_fraction : float
        Share of tracks missing ``max_gap + 1`` to ``2 * max_gap + 2`` consecutive frames.
    max_gap : int
        The longest gap the dataset's config fills (:func:`write_screen`).
    progress : bool
        Show a progress bar on the console (:mod:`cellmotion.console`).

    Returns
    -------
    pandas.DataFrame
        ``track_id`` (``<Condition>_<nnnnn>``), ``condition``, ``t`` [min], ``x``, ``y``,
        ``z`` [µm] (z = 0 in 2D).
    """
    if min_positions < 2 or max_positions < min_positions:
        raise ValueError("need 2 <= min_positions <= max_positions")
    models = screen_models()
    per = [max(2, n_tracks // len(models) + (k < n_tracks % len(models))) for k in range(len(models))]
    rng = np.random.default_rng(seed)
    jobs = []
    for m, n in zip(models, per):
        step = interval / m.dt
        if abs(step - round(step)) > 1e-9:
            raise ValueError(f"{m.name}: native interval {m.dt} min does not divide {interval} min")
        jobs += [(m, int(round(step)), i) for i in range(n)]
    iterator = jobs
    if progress:
        from ..console import progress as console_progress
        iterator = console_progress(jobs, desc="simulating the screen")
    frames = []
    for m, step, i in iterator:
        n_pos = int(rng.integers(min_positions, max_positions + 1))
        native = replace(m, n_tracks=1, n_positions=(n_pos - 1) * step + 1)
        pos = simulate_track(native, rng)[::step]
        t = np.arange(n_pos) * interval
        keep = np.ones(n_pos, bool)
        u = rng.random()
        if u < gap_fraction + long_gap_fraction:
            length = (rng.integers(1, max_gap + 1) if u < gap_fraction
                      else rng.integers(max_gap + 1, 2 * max_gap + 3))
            start = int(rng.integers(1, max(2, n_pos - length - 1)))
            keep[start:start + length] = False
        frames.append(pd.DataFrame({"track_id": f"{m.name}_{i:05d}", "condition": m.name,
                                    "t": t[keep], "x": pos[keep, 0], "y": pos[keep, 1],
                                    "z": pos[keep, 2]}))
    return pd.concat(frames, ignore_index=True)


CONFIG = """# A synthetic screen for the scale benchmark (benchmarks/bench_scale.py), written by
# cellmotion.synthetic.screen: {n_tracks} tracks of four conditions, {min_positions} to
# {max_positions} frames of {interval:g} min each, some frames missing.
name: {name}
title: "Synthetic screen: {n_tracks} tracks, four conditions"
description: >-
  Superstatistical persistent random walks (cellmotion.synthetic) of {n_tracks} cells in four
  conditions, {min_positions} to {max_positions} frames every {interval:g} min, with gaps.
source: "generated by cellmotion.synthetic.screen (seed {seed})"
format: tidy
file: tracks.csv
units: {{length: um, time: min}}
gaps: interpolate           # fill up to max_gap missing frames; longer gaps split the track
max_gap: {max_gap}
interval: {interval:g}
"""


def write_screen(folder, n_tracks: int, seed: int = 0, **kwargs) -> Path:
    """Write a screen (:func:`simulate_screen`) as ``tracks.csv`` and ``config.yml``.

    Nothing is written when the folder already holds the same screen (same arguments), so a
    benchmark run again reuses its datasets.

    Parameters
    ----------
    folder : path-like
        Output folder (made if absent).
    n_tracks : int
        Tracks in all.
    seed : int
        Seed of the screen.
    **kwargs
        Further arguments of :func:`simulate_screen` (not ``progress``, which is on).

    Returns
    -------
    pathlib.Path
        The config, for ``python -m cellmotion.build --dataset <config>``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    opts = {"interval": 5.0, "min_positions": 100, "max_positions": 500, "max_gap": 2, **kwargs}
    text = CONFIG.format(name=f"screen-{n_tracks}", n_tracks=n_tracks, seed=seed, **opts)
    text += f"# arguments: {sorted(kwargs.items())}\n"
    config, csv = folder / "config.yml", folder / "tracks.csv"
    if config.exists() and csv.exists() and config.read_text() == text:
        return config
    df = simulate_screen(n_tracks, seed=seed, progress=True, **kwargs)
    with atomic_path(csv) as tmp:
        df.to_csv(tmp, index=False, float_format="%.4f")
    with atomic_path(config) as tmp:
        tmp.write_text(text)
    return config

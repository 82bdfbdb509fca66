"""Comparing persistence/speed densities: overlaps, credible regions and summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fit import SuperstatModel, SuperstatResult


def hdr_levels(density, masses=(0.1, 0.25, 0.5)) -> np.ndarray:
    """Density thresholds of the highest-density regions holding ``masses`` of probability.

    The region ``density >= level`` is the smallest set of grid cells with at least that
    mass (the report's 10/25/50 % credible-region contours). Returned in the order of
    ``masses``.
    """
    d = np.sort(np.asarray(density, dtype=float).ravel())[::-1]
    d = d / d.sum()
    cum = np.cumsum(d)
    idx = np.minimum(np.searchsorted(cum, np.asarray(masses, dtype=float)), len(d) - 1)
    return d[idx] * np.asarray(density, dtype=float).sum()


def bhattacharyya(p, q) -> float:
    """Bhattacharyya coefficient sum(sqrt(p q)) of two densities on the same grid (1 = identical).

    Densities of different shape are refused (they cannot share a grid).
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"densities on different grids cannot be compared: {p.shape} vs {q.shape}")
    return float(np.sum(np.sqrt((p / p.sum()) * (q / q.sum()))))


def hellinger(p, q) -> float:
    """Hellinger distance sqrt(1 - BC) between two densities on the same grid (0 = identical)."""
    return float(np.sqrt(max(0.0, 1.0 - bhattacharyya(p, q))))


def density_summary(density, model: SuperstatModel) -> dict:
    """Peak, marginal means and s.d.s, and 50 % HDR area of a grid density.

    Parameters
    ----------
    density : array-like
        Density on ``model``'s grid, ``(n_persistence, n_speed)``; normalised here.
    model : SuperstatModel
        The grid.

    Returns
    -------
    dict
        ``peak_persistence`` and ``peak_speed`` (grid values at the density's maximum),
        ``mean_persistence``, ``sd_persistence``, ``mean_speed`` and ``sd_speed`` (moments of the
        marginals; speeds in µm/min, or the data's speed unit) and ``hdr50_area`` (area of the
        50 % highest-density region, in persistence × speed units).
    """
    d = np.asarray(density, dtype=float)
    d = d / d.sum()
    q, c = model.persistence_grid, model.speed_grid
    iq, ic = np.unravel_index(np.argmax(d), d.shape)
    pq, pc = d.sum(axis=1), d.sum(axis=0)
    mq, mc = float(pq @ q), float(pc @ c)
    cell = (q[1] - q[0]) * (c[1] - c[0])
    level = hdr_levels(d, (0.5,))[0]
    return {"peak_persistence": float(q[iq]), "peak_speed": float(c[ic]),
            "mean_persistence": mq, "sd_persistence": float(np.sqrt(max(pq @ q**2 - mq**2, 0))),
            "mean_speed": mc, "sd_speed": float(np.sqrt(max(pc @ c**2 - mc**2, 0))),
            "hdr50_area": float((d >= level).sum() * cell)}


def check_same_grid(a: SuperstatModel, b: SuperstatModel) -> None:
    """Raise ``ValueError`` unless two fits share the persistence and speed grid.

    Parameters
    ----------
    a, b : SuperstatModel
        The settings of the two fits.

    Raises
    ------
    ValueError
        The grids differ in size or values (the message gives both).
    """
    if (a.persistence_grid.shape != b.persistence_grid.shape
            or a.speed_grid.shape != b.speed_grid.shape
            or not np.allclose(a.persistence_grid, b.persistence_grid)
            or not np.allclose(a.speed_grid, b.speed_grid)):
        raise ValueError("the densities were fitted on different grids; refit them on one grid "
                         f"({a.n_persistence}x{a.n_speed} {a.speed_range} vs "
                         f"{b.n_persistence}x{b.n_speed} {b.speed_range})")


def compare(original: SuperstatResult, generated: SuperstatResult, sampler: str = "") -> pd.DataFrame:
    """Per condition: overlap (Bhattacharyya, Hellinger) and peak/spread of both densities.

    Plug-in values of the averaged densities, without intervals (see
    :func:`compare_with_reference` for those).

    Parameters
    ----------
    original : SuperstatResult
        Fits of the real tracks.
    generated : SuperstatResult
        Fits of the other (generated) tracks, on the same grid.
    sampler : str
        Written into the ``sampler`` column.

    Returns
    -------
    pandas.DataFrame
        One row per condition of ``original`` that ``generated`` has: ``condition``,
        ``sampler``, ``bhattacharyya``, ``hellinger``, ``n_original``, ``n_generated``, the
        :func:`density_summary` of each density prefixed ``orig_`` and ``gen_``, and
        ``sd_ratio_persistence``/``sd_ratio_speed`` (generated over original s.d.).

    Raises
    ------
    ValueError
        The fits are on different grids.
    """
    check_same_grid(original.model, generated.model)
    rows = []
    for cond in original.condition_names:
        if cond not in set(generated.conditions):
            continue
        p = original.condition_density(cond)
        g = generated.condition_density(cond)
        so, sg = density_summary(p, original.model), density_summary(g, generated.model)
        row = {"condition": cond, "sampler": sampler, "bhattacharyya": bhattacharyya(p, g),
               "hellinger": hellinger(p, g),
               "n_original": int((original.conditions == cond).sum()),
               "n_generated": int((generated.conditions == cond).sum())}
        row.update({f"orig_{k}": v for k, v in so.items()})
        row.update({f"gen_{k}": v for k, v in sg.items()})
        row["sd_ratio_persistence"] = sg["sd_persistence"] / so["sd_persistence"]
        row["sd_ratio_speed"] = sg["sd_speed"] / so["sd_speed"]
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- with intervals
def _marginal_sds(d, model: SuperstatModel):
    """Marginal s.d. of persistence and speed of grid densities ``(..., nq, nc)`` (any scale)."""
    q, c = model.persistence_grid, model.speed_grid
    pq, pc = d.sum(axis=-1), d.sum(axis=-2)
    total = pq.sum(axis=-1, keepdims=True)
    pq, pc = pq / total, pc / total
    mq, mc = pq @ q, pc @ c
    return (np.sqrt(np.maximum(pq @ q**2 - mq**2, 0)), np.sqrt(np.maximum(pc @ c**2 - mc**2, 0)))


def _bc_rows(p, q):
    """Bhattacharyya coefficients of matching rows of flattened, unnormalised densities."""
    return np.sum(np.sqrt(p * q), axis=-1) / np.sqrt(p.sum(axis=-1) * q.sum(axis=-1))


def _cell_members(cells, n):
    """Row indices of every cell: ``cells`` names the cell of each of ``n`` rows (``None``: each
    row its own cell). Pieces of one track cut at gaps (``<id>~n``) are one cell."""
    if cells is None:
        return [np.array([i]) for i in range(n)]
    from ..contract import cell_ids

    ids = cell_ids(np.asarray(cells, dtype=object))
    if len(ids) != n:
        raise ValueError(f"need one cell id per track: {len(ids)} ids for {n} tracks")
    _, inv = np.unique(ids.astype(str), return_inverse=True)
    return [np.flatnonzero(inv == g) for g in range(inv.max() + 1)] if n else []


def bootstrap_track_densities(groups, n_boot: int = 1000, seed: int = 0, chunk: int = 100,
                              cells=None):
    """Condition densities of resampled cells: the one bootstrap of this module.

    ``groups``: list of ``(n_i, nq, nc)`` stacks of track densities; ``cells`` (optional): for
    each group the cell id of each track (a track cut at gaps into ``<id>~1``, ``<id>~2`` is
    one cell, :func:`cellmotion.contract.cell_ids`); without it every track is its own cell.
    Every resample draws each group's *cells* with replacement, independently, and averages
    the tracks of the drawn cells (equal weight per track, as
    :meth:`SuperstatResult.condition_density`), so the pieces of one cell are never
    separated. Yields, chunk by chunk, a list with one ``(b, nq * nc)`` array of resampled
    (unnormalised) densities per group.
    """
    rng = np.random.default_rng(seed)
    flat = [np.asarray(g, dtype=np.float32).reshape(len(g), -1) for g in groups]  # float32: 2x faster
    cells = [None] * len(flat) if cells is None else list(cells)
    members = [_cell_members(c, len(g)) for c, g in zip(cells, flat)]
    # one (n_cells, n_tracks) indicator per group: drawn-cell counts -> track weights
    owner = []
    for mem, g in zip(members, flat):
        m = np.zeros((len(mem), len(g)), np.float32)
        for k, rows in enumerate(mem):
            m[k, rows] = 1.0
        owner.append(m)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        out = []
        for g, own in zip(flat, owner):
            k = len(own)
            pick = rng.integers(0, k, size=(b, k))
            counts = np.stack([np.bincount(row, minlength=k) for row in pick]).astype(np.float32)
            w = counts @ own
            out.append((w / w.sum(axis=1, keepdims=True)) @ g)
        yield out
        done += b


def _interval(values, confidence):
    """Percentile interval of bootstrap values (NaN, NaN when none is finite)."""
    a = (1 - confidence) / 2
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return np.nan, np.nan
    lo, hi = np.quantile(v, [a, 1 - a])
    return float(lo), float(hi)


def basic_interval(estimate: float, boot, confidence: float = 0.95, bounds=(-np.inf, np.inf)):
    """Bias-corrected estimate and *basic* (reverse-percentile) bootstrap interval.

    An overlap of condition densities averaged from few tracks is biased low (a mean of n
    track densities is bumpier than the condition's density, and the square root in the
    Bhattacharyya coefficient turns bumps into lost overlap), and a resampled mean is
    bumpier still: the bootstrap values lie below the estimate by about as much as the
    estimate lies below the truth. The percentile interval therefore sits on the wrong side
    (coverage 27 % and 69 % in ``tests/test_overlap_coverage.py``). The basic interval
    reflects the bootstrap distribution about the estimate,
    ``[2 est - q_hi, 2 est - q_lo]``, and the bias-corrected estimate is ``2 est -
    median(boot)`` (the median, not the mean: a ratio of s.d.s has a heavy bootstrap tail);
    their coverage of the large-sample overlap is measured in that test (88-93 % for a
    nominal 95 % with 40 tracks per condition: a first-order correction, it removes about
    half the bias). Returns ``(corrected, lower, upper)`` clipped to ``bounds``;
    ``(estimate, nan, nan)`` without finite bootstrap values.
    """
    v = np.asarray(boot, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return float(estimate), np.nan, np.nan
    lo, hi = _interval(v, confidence)
    clip = lambda x: float(np.clip(x, *bounds))
    return clip(2 * estimate - np.median(v)), clip(2 * estimate - hi), clip(2 * estimate - lo)


#: Range of every measure, for clipping intervals.
MEASURE_BOUNDS = {"bhattacharyya": (0.0, 1.0), "hellinger": (0.0, 1.0),
                  "sd_ratio_persistence": (0.0, np.inf), "sd_ratio_speed": (0.0, np.inf)}


def _stats(real, other, model):
    """BC, Hellinger and s.d. ratios (other / real) of flattened density rows."""
    shape = (-1, model.n_persistence, model.n_speed)
    bc = _bc_rows(real, other)
    sq_r, sc_r = _marginal_sds(real.reshape(shape), model)
    sq_o, sc_o = _marginal_sds(other.reshape(shape), model)
    return {"bhattacharyya": bc, "hellinger": np.sqrt(np.maximum(0, 1 - bc)),
            "sd_ratio_persistence": sq_o / sq_r, "sd_ratio_speed": sc_o / sc_r}


def training_halves(cells, seed: int = 0):
    """Two disjoint halves of a set of tracks, split by cell (seeded): ``(first, second)``
    positions. Pieces of one cell (``<id>~n``) stay in one half."""
    members = _cell_members(cells, len(cells))
    order = np.random.default_rng(seed).permutation(len(members))
    half = len(members) // 2
    pick = lambda part: (np.sort(np.concatenate([members[k] for k in part])) if len(part)
                         else np.zeros(0, int))
    return pick(order[:half]), pick(order[half:])


def compare_with_reference(original: SuperstatResult, other: SuperstatResult, training_idx,
                           heldout_idx, n_boot: int = 1000, seed: int = 0, *,
                           sampler: str = "", confidence: float = 0.95) -> pd.DataFrame:
    """Generated-vs-held-out beside real-vs-held-out, like for like, with intervals.

    The generated tracks G come from networks trained on the training tracks A and seeded
    with their first steps, so they are compared with the **held-out** tracks B, which the
    networks never saw. The real-vs-real reference takes two disjoint halves of the
    training tracks, A1 and A2 (split by cell, :func:`training_halves`), and compares each
    with the same B; its value is the mean of the two. Per condition ``n = min(#G, #A1,
    #A2)`` tracks of G, A1 and A2 are used (seeded subsets), so generated and reference
    have the same numbers of tracks and their small-sample bias cancels in the difference.
    Intervals: one joint bootstrap over cells (B, G, A1 and A2 resampled in the same draw,
    pieces of one cell together, :func:`bootstrap_track_densities`), bias-corrected
    estimates and basic intervals (:func:`basic_interval`).

    Parameters
    ----------
    original : SuperstatResult
        Fits of the real tracks (training and held-out).
    other : SuperstatResult
        Fits of the generated tracks, on the same grid.
    training_idx, heldout_idx : array-like of int
        Positions in ``original`` of the training and held-out tracks.
    n_boot : int
        Bootstrap resamples (none with fewer than two tracks on either side).
    seed : int
        Seed of the halves, subsets and bootstrap.
    sampler : str
        Written into the ``sampler`` column.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per condition and measure, columns ``condition``, ``sampler``, ``measure``
        (``bhattacharyya``, ``hellinger``, ``sd_ratio_persistence`` and ``sd_ratio_speed``:
        other / held-out s.d., < 1: narrower), ``n_tracks`` (n), ``n_heldout``, ``other`` with
        ``other_lower``/``other_upper`` (generated vs held-out), ``reference`` with
        ``reference_lower``/``reference_upper`` (real vs held-out), and ``difference`` (generated
        minus reference) with ``diff_lower``/``diff_upper``. Bounds are NaN without a bootstrap.

    Raises
    ------
    ValueError
        The fits are on different grids.
    """
    check_same_grid(original.model, other.model)
    model = original.model
    rng = np.random.default_rng(seed)
    ia, ib = np.asarray(training_idx, int), np.asarray(heldout_idx, int)
    ids = np.asarray(original.track_ids, dtype=object)
    rows = []
    for cond in original.condition_names:
        a_pos = ia[original.conditions[ia] == cond]
        b_pos = ib[original.conditions[ib] == cond]
        h1, h2 = (a_pos[h] for h in training_halves(ids[a_pos], seed))
        G = other.densities[other.conditions == cond]
        n = min(len(G), len(h1), len(h2))
        if n < 1 or len(b_pos) < 1:
            continue
        # subsets of n tracks: whole cells in a seeded order, the last one cut if needed
        p1, p2 = (h[_first_tracks_by_cell(ids[h], n, rng)] for h in (h1, h2))
        G = G[np.sort(rng.choice(len(G), n, replace=False))]
        B, A1, A2 = (original.densities[p] for p in (b_pos, p1, p2))
        cells = [ids[b_pos], None, ids[p1], ids[p2]]
        flat = [x.astype(float).mean(axis=0).reshape(1, -1) for x in (B, G, A1, A2)]
        est_o = _stats(flat[0], flat[1], model)
        est_1, est_2 = _stats(flat[0], flat[2], model), _stats(flat[0], flat[3], model)
        est_r = {k: (est_1[k] + est_2[k]) / 2 for k in est_o}
        boot_o, boot_r = {k: [] for k in est_o}, {k: [] for k in est_r}
        if n >= 2 and len(b_pos) >= 2:
            for b_, g_, a1_, a2_ in bootstrap_track_densities([B, G, A1, A2], n_boot, seed,
                                                              cells=cells):
                so, s1, s2 = _stats(b_, g_, model), _stats(b_, a1_, model), _stats(b_, a2_, model)
                for k in so:
                    boot_o[k].append(so[k])
                    boot_r[k].append((s1[k] + s2[k]) / 2)
        for k in est_o:
            bo = np.concatenate(boot_o[k]) if boot_o[k] else np.array([np.nan])
            br = np.concatenate(boot_r[k]) if boot_r[k] else np.array([np.nan])
            eo, er = float(est_o[k][0]), float(est_r[k][0])
            o, ol, oh = basic_interval(eo, bo, confidence, MEASURE_BOUNDS[k])
            r, rl, rh = basic_interval(er, br, confidence, MEASURE_BOUNDS[k])
            lo_b, hi_b = MEASURE_BOUNDS[k]
            d, dl, dh = basic_interval(eo - er, bo - br, confidence, (lo_b - hi_b, hi_b - lo_b))
            rows.append({"condition": cond, "sampler": sampler, "measure": k, "n_tracks": int(n),
                         "n_heldout": int(len(b_pos)), "other": o, "other_lower": ol,
                         "other_upper": oh, "reference": r, "reference_lower": rl,
                         "reference_upper": rh, "difference": d, "diff_lower": dl, "diff_upper": dh})
    return pd.DataFrame(rows)


def _first_tracks_by_cell(ids, n, rng):
    """Positions of ``n`` tracks taken cell by cell in a seeded order (sorted)."""
    members = _cell_members(ids, len(ids))
    order = rng.permutation(len(members))
    picked = np.concatenate([members[k] for k in order])[:n] if members else np.zeros(0, int)
    return np.sort(picked)


def condition_overlaps(result: SuperstatResult, n_boot: int = 1000, seed: int = 0,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Pairwise Bhattacharyya overlaps between the conditions' densities, with intervals.

    Parameters
    ----------
    result : SuperstatResult
        Fits of every condition's tracks.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per pair of conditions, columns ``condition_a``, ``condition_b``, ``n_a``,
        ``n_b`` (tracks), ``bhattacharyya`` (the bias-corrected estimate), ``plug_in`` (the
        overlap of the two averaged densities, biased low with few tracks), ``lower`` and
        ``upper`` (basic bootstrap interval over cells, both conditions resampled, pieces of one
        cell together; :func:`basic_interval`, whose coverage ``tests/test_overlap_coverage.py``
        measures; NaN with fewer than two tracks on a side).
    """
    names = result.condition_names
    ids = np.asarray(result.track_ids, dtype=object)
    rows = []
    for i, ca in enumerate(names):
        for cb in names[i + 1:]:
            sa, sb = result.conditions == ca, result.conditions == cb
            A, B = result.densities[sa], result.densities[sb]
            est = bhattacharyya(A.astype(float).mean(axis=0), B.astype(float).mean(axis=0))
            boot = [_bc_rows(a_, b_) for a_, b_ in
                    bootstrap_track_densities([A, B], n_boot, seed, cells=[ids[sa], ids[sb]])]
            corr, lo, hi = (basic_interval(est, np.concatenate(boot), confidence, (0.0, 1.0))
                            if boot and min(len(A), len(B)) >= 2 else (est, np.nan, np.nan))
            rows.append({"condition_a": ca, "condition_b": cb, "n_a": int(len(A)), "n_b": int(len(B)),
                         "bhattacharyya": corr, "plug_in": est, "lower": lo, "upper": hi})
    return pd.DataFrame(rows, columns=["condition_a", "condition_b", "n_a", "n_b", "bhattacharyya",
                                       "plug_in", "lower", "upper"])


def evidence_nll(result: SuperstatResult) -> dict:
    """``{track_id: NLL in nats}`` of every fitted track: minus bayesloop's log-evidence.

    bayesloop's ScaledAR1 scores velocity pairs, so the evidence is ``p(v_2..v_T | v_1)``: the
    same steps, in the same units, as the generator's held-out NLL.
    """
    return {str(t): float(-e * np.log(10.0)) for t, e in zip(result.track_ids, result.log10_evidence)}


def sigma_sensitivity(velocities, conditions, model: SuperstatModel, sigmas=(0.01, 0.03, 0.1), *,
                      n_jobs: int = -1, **fit_kwargs):
    """Refit the same tracks with other random-walk s.d.s (both parameters) and compare.

    Tracks that cannot be fitted are skipped.

    Parameters
    ----------
    velocities : sequence of array-like
        Velocity tracks ``(T_i, d)``.
    conditions : array-like of str
        The condition of each track.
    model : SuperstatModel
        The reference settings; its ``sigma_persistence`` is the reference s.d. (fitted too
        if not in ``sigmas``).
    sigmas : iterable of float
        S.d.s to try, each used for persistence and speed.
    n_jobs : int
        Parallel fits (:func:`cellmotion.superstats.fit_tracks`).
    **fit_kwargs
        Passed on to :func:`cellmotion.superstats.fit_tracks`.

    Returns
    -------
    table : pandas.DataFrame
        One row per ``sigma`` and ``condition``: ``n_tracks``, the :func:`density_summary`
        keys and ``bc_vs_reference`` (Bhattacharyya overlap with the density at the reference
        s.d.).
    densities : dict
        ``{sigma: {condition: density}}``, each density normalised to sum 1.
    """
    from dataclasses import replace

    from .fit import fit_tracks

    conditions = np.asarray(conditions, dtype=object)
    ref = float(model.sigma_persistence)
    grid = sorted(set(float(s) for s in sigmas) | {ref})
    dens = {}
    for s in grid:
        m = replace(model, sigma_persistence=s, sigma_speed=s)
        fits = fit_tracks(velocities, m, n_jobs=n_jobs, on_error="skip", **fit_kwargs)
        dens[s] = {}
        for cond in dict.fromkeys(conditions.tolist()):
            ds = [f.density for f, c in zip(fits, conditions) if c == cond and f is not None]
            if ds:
                d = np.mean(ds, axis=0).astype(float)
                dens[s][cond] = d / d.sum()
    rows = []
    for s in grid:
        for cond, d in dens[s].items():
            row = {"sigma": s, "condition": cond,
                   "n_tracks": int(sum(1 for c in conditions if c == cond))}
            row.update(density_summary(d, model))
            r = dens[ref].get(cond)
            row["bc_vs_reference"] = bhattacharyya(d, r) if r is not None else np.nan
            rows.append(row)
    return pd.DataFrame(rows), dens

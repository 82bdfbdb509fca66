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
    """Peak, marginal mean and s.d. (speeds in µm/min) and 50 % HDR area of a grid density."""
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
    """Raise ``ValueError`` unless two fits share the persistence and speed grid."""
    if (a.persistence_grid.shape != b.persistence_grid.shape
            or a.speed_grid.shape != b.speed_grid.shape
            or not np.allclose(a.persistence_grid, b.persistence_grid)
            or not np.allclose(a.speed_grid, b.speed_grid)):
        raise ValueError("the densities were fitted on different grids; refit them on one grid "
                         f"({a.n_persistence}x{a.n_speed} {a.speed_range} vs "
                         f"{b.n_persistence}x{b.n_speed} {b.speed_range})")


def compare(original: SuperstatResult, generated: SuperstatResult, sampler: str = "") -> pd.DataFrame:
    """Per condition: overlap (Bhattacharyya, Hellinger) and peak/spread of both densities."""
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


def bootstrap_track_densities(groups, n_boot: int = 1000, seed: int = 0, chunk: int = 100):
    """Condition densities of resampled tracks: the one bootstrap of this module.

    ``groups``: list of ``(n_i, nq, nc)`` stacks of track densities. Every resample draws each
    group's tracks with replacement, independently, and averages them (equal weight per
    track, as :meth:`SuperstatResult.condition_density`). Yields, chunk by chunk, a list with
    one ``(b, nq * nc)`` array of resampled (unnormalised) densities per group.
    """
    rng = np.random.default_rng(seed)
    flat = [np.asarray(g, dtype=np.float32).reshape(len(g), -1) for g in groups]  # float32: 2x faster
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        out = []
        for g in flat:
            n = len(g)
            pick = rng.integers(0, n, size=(b, n))
            w = np.stack([np.bincount(row, minlength=n) for row in pick]).astype(np.float32) / n
            out.append(w @ g)
        yield out
        done += b


def _interval(values, confidence):
    a = (1 - confidence) / 2
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return np.nan, np.nan
    lo, hi = np.quantile(v, [a, 1 - a])
    return float(lo), float(hi)


def _stats(real, other, model):
    """BC, Hellinger and s.d. ratios (other / real) of flattened density rows."""
    shape = (-1, model.n_persistence, model.n_speed)
    bc = _bc_rows(real, other)
    sq_r, sc_r = _marginal_sds(real.reshape(shape), model)
    sq_o, sc_o = _marginal_sds(other.reshape(shape), model)
    return {"bhattacharyya": bc, "hellinger": np.sqrt(np.maximum(0, 1 - bc)),
            "sd_ratio_persistence": sq_o / sq_r, "sd_ratio_speed": sc_o / sc_r}


def compare_with_reference(original: SuperstatResult, other: SuperstatResult, reference_idx_a,
                           reference_idx_b, n_boot: int = 1000, seed: int = 0, *,
                           sampler: str = "", confidence: float = 0.95) -> pd.DataFrame:
    """Generated-vs-real beside real-vs-real, at equal numbers of tracks, with intervals.

    ``reference_idx_a``: positions (in ``original``) of the real tracks compared against,
    e.g. the training tracks; ``reference_idx_b``: positions of the second real sample, e.g.
    the held-out tracks. Per condition ``n = min(#other, #b)`` tracks of ``other`` and of
    the second real sample (seeded subsets) are compared with the ``a`` tracks, so both
    comparisons have the same number of tracks. Measures: ``bhattacharyya``, ``hellinger``,
    ``sd_ratio_persistence`` and ``sd_ratio_speed`` (other / real s.d., < 1: narrower).
    Intervals: percentile bootstrap over tracks (all three samples resampled,
    :func:`bootstrap_track_densities`); ``difference`` = other minus reference. Columns
    ``condition, sampler, measure, n_tracks, n_real, other, other_lower, other_upper,
    reference, reference_lower, reference_upper, difference, diff_lower, diff_upper``.
    """
    check_same_grid(original.model, other.model)
    model = original.model
    rng = np.random.default_rng(seed)
    ia, ib = np.asarray(reference_idx_a, int), np.asarray(reference_idx_b, int)
    rows = []
    for cond in original.condition_names:
        A = original.densities[ia[original.conditions[ia] == cond]]
        B = original.densities[ib[original.conditions[ib] == cond]]
        G = other.densities[other.conditions == cond]
        n = min(len(B), len(G))
        if n < 1 or len(A) < 1:
            continue
        B = B[np.sort(rng.choice(len(B), n, replace=False))]
        G = G[np.sort(rng.choice(len(G), n, replace=False))]
        flat = [x.astype(float).mean(axis=0).reshape(1, -1) for x in (A, G, B)]
        est_o, est_r = _stats(flat[0], flat[1], model), _stats(flat[0], flat[2], model)
        boot_o, boot_r = {k: [] for k in est_o}, {k: [] for k in est_r}
        if n >= 2:
            for a_, g_, b_ in bootstrap_track_densities([A, G, B], n_boot, seed):
                so, sr = _stats(a_, g_, model), _stats(a_, b_, model)
                for k in so:
                    boot_o[k].append(so[k])
                    boot_r[k].append(sr[k])
        for k in est_o:
            bo = np.concatenate(boot_o[k]) if boot_o[k] else np.array([np.nan])
            br = np.concatenate(boot_r[k]) if boot_r[k] else np.array([np.nan])
            ol, oh = _interval(bo, confidence)
            rl, rh = _interval(br, confidence)
            dl, dh = _interval(bo - br, confidence)
            rows.append({"condition": cond, "sampler": sampler, "measure": k, "n_tracks": int(n),
                         "n_real": int(len(A)), "other": float(est_o[k][0]), "other_lower": ol,
                         "other_upper": oh, "reference": float(est_r[k][0]), "reference_lower": rl,
                         "reference_upper": rh, "difference": float(est_o[k][0] - est_r[k][0]),
                         "diff_lower": dl, "diff_upper": dh})
    return pd.DataFrame(rows)


def condition_overlaps(result: SuperstatResult, n_boot: int = 1000, seed: int = 0,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Pairwise Bhattacharyya overlaps between the conditions' densities, with intervals.

    One row per pair ``condition_a, condition_b, n_a, n_b, bhattacharyya, lower, upper``;
    the interval is a percentile bootstrap over tracks (both conditions resampled).
    """
    names = result.condition_names
    rows = []
    for i, ca in enumerate(names):
        for cb in names[i + 1:]:
            A = result.densities[result.conditions == ca]
            B = result.densities[result.conditions == cb]
            est = bhattacharyya(A.astype(float).mean(axis=0), B.astype(float).mean(axis=0))
            boot = [_bc_rows(a_, b_) for a_, b_ in bootstrap_track_densities([A, B], n_boot, seed)]
            lo, hi = _interval(np.concatenate(boot), confidence) if boot else (np.nan, np.nan)
            rows.append({"condition_a": ca, "condition_b": cb, "n_a": int(len(A)), "n_b": int(len(B)),
                         "bhattacharyya": est, "lower": lo, "upper": hi})
    return pd.DataFrame(rows, columns=["condition_a", "condition_b", "n_a", "n_b", "bhattacharyya",
                                       "lower", "upper"])


def evidence_nll(result: SuperstatResult) -> dict:
    """``{track_id: NLL in nats}`` of every fitted track: minus bayesloop's log-evidence.

    bayesloop's ScaledAR1 scores velocity pairs, so the evidence is ``p(v_2..v_T | v_1)``: the
    same steps, in the same units, as the generator's held-out NLL.
    """
    return {str(t): float(-e * np.log(10.0)) for t, e in zip(result.track_ids, result.log10_evidence)}


def sigma_sensitivity(velocities, conditions, model: SuperstatModel, sigmas=(0.01, 0.03, 0.1), *,
                      n_jobs: int = -1, **fit_kwargs):
    """Refit the same tracks with other random-walk s.d.s (both parameters) and compare.

    ``velocities``: list of ``(T_i, d)`` arrays, ``conditions`` one name per track. Returns
    ``(table, densities)``: one row per ``sigma, condition`` with the summary of
    :func:`density_summary` and ``bc_vs_reference``, the overlap with the density at
    ``model.sigma_persistence`` (fitted too if not in ``sigmas``); ``densities`` maps
    ``sigma -> {condition: density}``. Tracks that cannot be fitted are skipped.
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

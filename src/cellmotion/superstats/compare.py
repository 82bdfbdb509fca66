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
    """Bhattacharyya coefficient sum(sqrt(p q)) of two densities on the same grid (1 = identical)."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
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


def compare(original: SuperstatResult, generated: SuperstatResult, sampler: str = "") -> pd.DataFrame:
    """Per condition: overlap (Bhattacharyya, Hellinger) and peak/spread of both densities."""
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

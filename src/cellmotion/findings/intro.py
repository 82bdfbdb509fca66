"""Sentences of the introduction, computed from the chapters' metrics files.

The chapter list says what each chapter does; where it names a result (how our own network
compares with the others) the words come from :func:`network_sentence`, so the introduction
never promises "a better network" that the run did not measure.
"""

from __future__ import annotations

from .numbers import finite as _finite


def network_sentence(classification: dict | None, model: str = "ours") -> str:
    """How our network compares with every other model of the grouped folds, in words.

    ``classification``: the content of ``classification_metrics.json``; the paired intervals
    of per-track balanced accuracy are read from ``evaluation.grouped.paired[model]``
    (``{other: {mean, lower, upper}}``; ensembles that contain ``model`` are left out). A
    model is "beaten" only where the 95 % interval of the difference lies above 0, "ahead"
    only where it lies below; every other comparison is "no difference can be claimed"
    (an interval that contains 0 or none at all).
    """
    grouped = (((classification or {}).get("evaluation") or {}).get("grouped") or {})
    paired = (grouped.get("paired") or {}).get(model) or {}
    paired = {k: v for k, v in paired.items() if model not in str(k).split("+")}
    if not paired:
        return "our own network (not compared in this build)"
    above, below, neither = [], [], []
    for other, iv in paired.items():
        lo, hi = (iv or {}).get("lower"), (iv or {}).get("upper")
        if _finite(lo, hi) and lo > 0:
            above.append(other)
        elif _finite(lo, hi) and hi < 0:
            below.append(other)
        else:
            neither.append(other)
    parts = []
    if above:
        parts.append(f"scores higher than {', '.join(above)}")
    if below:
        parts.append(f"scores lower than {', '.join(below)}")
    if neither:
        parts.append(f"cannot be told apart from {', '.join(neither)}")
    return ("our own network, which in this build " + "; ".join(parts)
            + " (per-track balanced accuracy, 95 % intervals over folds grouped by cell)")


def chapter_list(classification: dict | None = None) -> str:
    """The introduction's list of chapters (Markdown), with the classification result in words."""
    return "\n".join([
        "- {doc}`01_data` — the data contract, the build's dataset (by default the synthetic stand-in "
        "and its calibration), outlier steps, and the report's preprocessing (resampling, velocities, "
        "normalisation, windows).",
        "- {doc}`02_classification` — the report's networks A–D, its Table 2 and Figures 6–7, then "
        "cross-validation, the z shortcut, a motility-feature baseline and "
        + network_sentence(classification) + ".",
        "- {doc}`03_generation` — the LSTM mixture density network, the original code's sampling flaw "
        "and its fix, held-out likelihoods against baselines and (on the stand-in) the true-parameter "
        "ceiling, and distances between generated and held-out tracks.",
        "- {doc}`04_statistics` — the superstatistical comparison of Figure 10 on a grid fitted to the "
        "data, validated on tracks with known parameters, with bias-corrected overlaps and intervals "
        "over cells.",
        "- {doc}`06_real_cells` — real leukocytes under three chemoattractants and a control, four "
        "donors: classification grouped by cell and by donor, held-out likelihoods of the generator, "
        "and superstatistical densities, in pixels and frames.",
        "- {doc}`05_own_data` — the same book on your own tracks: input formats, a worked example, "
        "and what is refused.",
        "- {doc}`appendix_benchmarks` — how long every chapter takes, and on which machine.",
    ])

"""Cells, not pieces, in the generation chapter: a track cut at gaps (``<id>~1``, ``<id>~2``)
is one cell in the early-stopping split and in every bootstrap over held-out tracks."""

import numpy as np
import pandas as pd

from cellmotion import generation as G


def _cut_ids(n_cells=12, pieces=3):
    return np.array([f"cell{k}~{p}" for k in range(n_cells) for p in range(1, pieces + 1)], dtype=object)


def test_no_validation_set_separates_the_pieces_of_one_cell():
    ids = _cut_ids()
    cell = np.array([i.split("~")[0] for i in ids])
    for seed in range(20):
        val, fit = G.validation_split(len(ids), ids, 0.2, seed)
        assert len(val) and len(fit) and len(val) + len(fit) == len(ids)
        assert not set(cell[val]) & set(cell[fit])
        assert len(set(cell[val])) == round(0.2 * 12)  # a fifth of the cells, not of the pieces
    # fewer than 5 cells: no validation set, however many pieces
    val, fit = G.validation_split(12, _cut_ids(4, 3), 0.2, 0)
    assert len(val) == 0 and len(fit) == 12


def test_heldout_nll_intervals_resample_cells():
    """Cutting every held-out cell into two identical pieces changes nothing: the per-step
    difference is a ratio of sums, and whole cells are resampled, so estimate and interval
    are those of the uncut cells (resampling pieces would narrow the interval)."""
    rng = np.random.default_rng(0)
    whole, cut = [], []
    for k in range(15):
        nll = {"lstm_mdn": rng.normal(100, 10), "ar1_shared": rng.normal(104, 10)}
        for model, v in nll.items():
            whole.append({"condition": "A", "track_id": f"c{k}", "steps": 40, "model": model, "nll_sum": v})
            for p in (1, 2):
                cut.append({"condition": "A", "track_id": f"c{k}~{p}", "steps": 20, "model": model,
                            "nll_sum": v / 2})
    a = G.nll_table_from_tracks(pd.DataFrame(whole), n_boot=300, seed=1).set_index("model")
    b = G.nll_table_from_tracks(pd.DataFrame(cut), n_boot=300, seed=1).set_index("model")
    for col in ("nll", "diff_vs_mdn", "lower", "upper"):
        assert np.isclose(a.loc["ar1_shared", col], b.loc["ar1_shared", col])

"""The positions cap of large datasets: whole cells, the same share of every stratum, lifted on a cluster."""

import numpy as np
import pytest

from cellmotion import budget, cluster
from cellmotion.preprocess import Trajectories


def _tracks(n_cells=120, seed=0, replicates=True):
    """Made-up tracks: three conditions, two replicates, cells of one to three pieces of
    uneven length (20 to 400 steps)."""
    rng = np.random.default_rng(seed)
    ids, conds, vels, reps = [], [], [], []
    for c in range(n_cells):
        cond = ("A", "B", "C")[c % 3]
        for piece in range(1 + c % 3):
            ids.append(f"cell{c}" + (f"_p{piece}" if c % 3 else ""))
            conds.append(cond)
            vels.append(rng.normal(size=(int(rng.integers(20, 400)), 2)))
            reps.append(f"r{(c // 3) % 2}")
    names = ["A", "B", "C"]
    return Trajectories(track_ids=np.array(ids), conditions=np.array(conds), condition_names=names,
                        labels=np.array([names.index(c) for c in conds]), velocities=vels,
                        starts=[np.zeros(2)] * len(vels), dt=5.0, dims=["x", "y"],
                        replicates=np.array(reps) if replicates else None)


def test_data_within_the_cap_keep_every_track():
    traj = _tracks()
    total = budget.positions_per_track(traj).sum()
    assert np.array_equal(budget.within_budget(traj, int(total)), np.arange(len(traj)))
    assert np.array_equal(budget.within_budget(traj, None), np.arange(len(traj)))
    assert budget.budget_sentence(traj, np.arange(len(traj)), int(total)).startswith("Every track is used")


@pytest.mark.parametrize("replicates", [True, False])
def test_a_cap_keeps_whole_cells_and_the_same_share_of_every_stratum(replicates):
    traj = _tracks(replicates=replicates)
    n = budget.positions_per_track(traj)
    limit = int(n.sum() * 0.3)
    keep = budget.within_budget(traj, limit, seed=1)
    kept = np.zeros(len(traj), bool)
    kept[keep] = True
    # whole cells: every piece of a cell in or out together
    for cell in set(traj.cells):
        pieces = kept[traj.cells == cell]
        assert pieces.all() or not pieces.any(), cell
    # within the cap (each stratum stays within its share; it may keep its first cell whole)
    assert n[kept].sum() <= limit + 6 * n.max()
    assert n[kept].sum() >= 0.8 * limit
    # the same share of every condition's positions
    for c in range(3):
        share = n[kept & (traj.labels == c)].sum() / n[traj.labels == c].sum()
        assert share == pytest.approx(0.3, abs=0.08), (c, share)
    # seeded: the same draw again, another with another seed
    assert np.array_equal(keep, budget.within_budget(traj, limit, seed=1))
    assert not np.array_equal(keep, budget.within_budget(traj, limit, seed=2))
    words = budget.budget_sentence(traj, keep, limit)
    assert f"{len(keep):,} of the dataset's {len(traj):,} tracks" in words and "`None`" in words


def test_the_cap_is_lifted_on_a_cluster_unless_kept(monkeypatch):
    monkeypatch.delenv(cluster.CLUSTER_ENV, raising=False)
    monkeypatch.delenv(cluster.DASK_ENV, raising=False)
    assert budget.cap(100_000) == 100_000 and budget.cap(None) is None
    monkeypatch.setenv(cluster.DASK_ENV, "tcp://127.0.0.1:8786")
    assert budget.cap(100_000) is None
    assert budget.cap(100_000, lift_on_cluster=False) == 100_000
    with pytest.raises(ValueError, match="at least 1"):
        budget.cap(0, lift_on_cluster=False)


def test_the_chapters_share_one_cap():
    """Chapters 2, 3 and 4 cap at the package's number; 3 and 4 must draw the same tracks."""
    import ast

    from cellmotion.paths import project_root

    for stem in ("02_classification", "03_generation", "04_statistics"):
        tree = ast.parse((project_root() / "book" / f"{stem}.py").read_text())
        values = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", None) == "max_positions" for t in node.targets)]
        assert values == [budget.MAX_POSITIONS], stem

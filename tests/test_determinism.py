"""One seed gives the same data and, on CPU, the same metrics (the split: test_preprocess)."""

import json

import pytest

from cellmotion.synthetic.simulator import ensure_default_dataset, simulate_dataset


def test_default_dataset_is_byte_identical(tmp_path):
    a = ensure_default_dataset(tmp_path / "a" / "tracks.csv", seed=0)
    b = ensure_default_dataset(tmp_path / "b" / "tracks.csv", seed=0)
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_bytes()) > 1_000_000


def test_other_seed_other_dataset():
    assert not simulate_dataset(seed=0, scale=0.05).equals(simulate_dataset(seed=1, scale=0.05))


def _without_timings(obj):
    """Metrics with every wall-time entry removed (those differ from run to run)."""
    if isinstance(obj, dict):
        return {k: _without_timings(v) for k, v in obj.items()
                if not any(w in k.lower() for w in ("wall", "time", "seconds"))}
    if isinstance(obj, list):
        return [_without_timings(v) for v in obj]
    return obj


@pytest.mark.book
def test_classification_chapter_gives_identical_metrics_twice(tmp_path):
    from cellmotion.build import run

    metrics = []
    for name in ("first", "second"):
        art = tmp_path / name
        run(profile="smoke", chapters=["02_classification"], artifacts=str(art), html=False)
        metrics.append(_without_timings(json.loads((art / "classification_metrics.json").read_text())))
    assert metrics[0] == metrics[1]
    assert metrics[0]["table2_ours"], "no accuracies to compare"

"""The build's time estimate: power laws fitted in log-log space, scaled by the probe.

The cost model is checked on small synthetic cost tables (exact power laws, so the fit must
give the exponent back), and the runner on a throw-away two-chapter project with a stored
cost model and a probe that is not run (its result is given), so these tests take seconds.
"""

import json

import numpy as np
import pandas as pd
import pytest

from cellmotion import build, probe
from conftest import tiny_book

CHAPTER = '''# %% tags=["parameters"]
dataset = "synthetic"
profile = "full"
seed = 0
artifacts = "artifacts/x"

# %%
x = 1
'''


def test_the_exponent_and_prefactor_of_an_exact_power_law_are_recovered():
    sizes = np.array([250, 1000, 4000, 16000])
    for a, b in [(0.02, 1.0), (3.0, 0.5), (1e-4, 1.7), (40.0, 0.0)]:
        law = probe.fit_power_law(sizes, a * sizes**b)
        assert law["b"] == pytest.approx(b, abs=1e-9)
        assert law["a"] == pytest.approx(a, rel=1e-9)
        assert law["r2"] == pytest.approx(1.0)
        assert law["n"] == 4


def test_noisy_times_give_an_exponent_near_the_true_one_and_a_lower_r2():
    rng = np.random.default_rng(0)
    sizes = np.geomspace(100, 10000, 12)
    law = probe.fit_power_law(sizes, 0.5 * sizes**1.2 * np.exp(rng.normal(0, 0.05, len(sizes))))
    assert abs(law["b"] - 1.2) < 0.05
    assert 0.9 < law["r2"] < 1.0


def test_a_power_law_needs_two_distinct_positive_sizes():
    with pytest.raises(ValueError):
        probe.fit_power_law([1000], [10.0])
    with pytest.raises(ValueError):
        probe.fit_power_law([1000, 1000], [10.0, 11.0])
    with pytest.raises(ValueError):
        probe.fit_power_law([100, 1000], [0.0, 11.0])


def test_the_estimate_scales_with_the_probe_ratio_and_the_size():
    law = {"a": 0.01, "b": 1.5}
    base = probe.estimate_seconds(law, 10000)
    assert base == pytest.approx(0.01 * 10000**1.5)
    # a machine that runs the probe in twice the time takes twice as long
    assert probe.estimate_seconds(law, 10000, probe_seconds=6.0, reference_probe=3.0) == pytest.approx(2 * base)
    assert probe.estimate_seconds(law, 10000, probe_seconds=1.5, reference_probe=3.0) == pytest.approx(base / 2)
    # four times the data: 4 ** b times the time
    assert probe.estimate_seconds(law, 40000) == pytest.approx(4**1.5 * base)
    # no probe measured: the measured machine's speed
    assert probe.estimate_seconds(law, 10000, probe_seconds=None, reference_probe=3.0) == pytest.approx(base)


def _table_model(profile="smoke", probe_seconds=2.0):
    """A cost model fitted from a synthetic table: chapter a grows linearly, b as n^2."""
    sizes = [1000, 4000, 16000]
    laws = {"a": probe.fit_power_law(sizes, [0.01 * n for n in sizes]),
            "b": probe.fit_power_law(sizes, [1e-6 * n**2 for n in sizes])}
    for law in laws.values():
        law["sizes"] = sizes
    return probe.update_cost_model(None, profile, probe_seconds, laws, measured="2026-12-02")


def test_chapter_estimates_follow_the_fitted_table_and_say_none_where_nothing_was_measured():
    model = _table_model()
    size = {"tracks": 100, "positions": 8000}
    est = probe.chapter_estimates(model, "smoke", ["a", "b", "c"], size, probe_seconds=2.0)
    assert est["a"] == pytest.approx(80.0)
    assert est["b"] == pytest.approx(64.0)
    assert est["c"] is None
    slow = probe.chapter_estimates(model, "smoke", ["a", "b"], size, probe_seconds=3.0)
    assert slow["a"] == pytest.approx(1.5 * est["a"]) and slow["b"] == pytest.approx(1.5 * est["b"])
    assert probe.chapter_estimates(model, "full", ["a"], size) == {"a": None}
    assert probe.chapter_estimates(None, "smoke", ["a"], size) == {"a": None}


def test_laws_kept_from_an_earlier_probe_are_rescaled_to_the_new_one():
    model = _table_model(probe_seconds=2.0)
    size = {"positions": 8000}
    before = probe.chapter_estimates(model, "smoke", ["a"], size, probe_seconds=2.0)["a"]
    # chapter b measured again on a machine twice as slow: chapter a's law must still give the
    # same estimate for the same machine
    new = probe.update_cost_model(model, "smoke", 4.0, {"b": {"a": 1.0, "b": 1.0}}, measured="later")
    assert new["profiles"]["smoke"]["probe_seconds"] == 4.0
    assert probe.chapter_estimates(new, "smoke", ["a"], size, probe_seconds=2.0)["a"] == pytest.approx(before)
    assert model["profiles"]["smoke"]["probe_seconds"] == 2.0  # the input is not changed


def test_dataset_size_counts_positions_at_the_analysis_interval():
    df = pd.DataFrame({"track_id": ["a"] * 11 + ["b"] * 3,
                       "t": list(np.arange(11) * 1.0) + [0.0, 5.0, 12.0]})
    # a: 10 min at 5 min -> 3 positions; b: 12 min -> 3 positions
    assert probe.dataset_size(df, 5.0) == {"tracks": 2, "positions": 6}


@pytest.fixture
def project(tmp_path, monkeypatch):
    return tiny_book(tmp_path, {"a": CHAPTER, "b": CHAPTER}, monkeypatch)


def test_the_build_says_no_estimate_without_a_cost_model(project, capsys):
    report = build.run(profile="smoke", dataset="data.csv", artifacts="artifacts/x", html=False,
                       estimate=True, progress=True)
    out = capsys.readouterr().out
    assert "no estimate" in out
    assert report["estimates"] == {"a": None, "b": None}
    assert "(no estimate)" in build.summary_table(report)


def test_the_build_prints_estimates_before_executing_and_actual_times_after(project, capsys, monkeypatch):
    (project / "benchmarks").mkdir()
    (project / "benchmarks" / "cost_model.json").write_text(json.dumps(_table_model()))
    calls = []

    def fake_probe(*args, **kwargs):
        calls.append(1)
        return {"seconds": 4.0}

    monkeypatch.setattr(probe, "measure_probe", fake_probe)
    report = build.run(profile="smoke", dataset="data.csv", artifacts="artifacts/x", html=False,
                       estimate=True, progress=True)
    out = capsys.readouterr().out
    # 6 tracks of 31 steps at 5 min: 192 positions; the probe took twice the reference
    assert calls == [1]
    assert report["estimates"]["a"] == pytest.approx(2 * 0.01 * 192)
    assert report["estimates"]["b"] == pytest.approx(2 * 1e-6 * 192**2)
    assert "6 tracks, 192 positions" in out and "probe 4.0 s here, 2.0 s when measured" in out
    assert out.index("time estimate") < out.index("a: executing")
    assert "extrapolated" in out  # 192 positions lie far below the measured 1,000-16,000
    table = build.summary_table(report)
    assert "estimated 4 s" in table and "total" in table
    # nothing to execute: no probe, no estimate
    again = build.run(profile="smoke", dataset="data.csv", artifacts="artifacts/x", html=False,
                      estimate=True, progress=True)
    assert again["executed"] == {} and "estimates" not in again and calls == [1]


def test_the_command_line_accepts_no_estimate(project, capsys, monkeypatch):
    (project / "benchmarks").mkdir()
    (project / "benchmarks" / "cost_model.json").write_text(json.dumps(_table_model()))
    monkeypatch.setattr(probe, "measure_probe", lambda *a, **k: pytest.fail("the probe ran"))
    build.main(["--profile", "smoke", "--dataset", "data.csv", "--artifacts", "artifacts/x",
                "--no-html", "--no-estimate"])
    out = capsys.readouterr().out
    assert "time estimate" not in out and "executed in" in out

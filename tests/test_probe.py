"""The probe (a fixed reference workload) and the synthetic screens of the scale benchmark."""

import numpy as np
import pytest

from cellmotion import probe
from cellmotion.datasets import analysis_interval, load_dataset
from cellmotion.synthetic.screen import simulate_screen, write_screen


def test_the_probe_works_on_fixed_data():
    X1, y1 = probe.probe_windows(n_per_class=20)
    X2, y2 = probe.probe_windows(n_per_class=20)
    assert X1.shape == (60, probe.PROBE_STEPS, 2) and X1.dtype == np.float32
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert sorted(set(y1.tolist())) == [0, 1, 2]
    assert np.array_equal(probe.probe_track(), probe.probe_track())
    assert probe.probe_track().shape == (probe.PROBE_TRACK_STEPS, 2)


def test_the_probe_times_one_epoch_and_one_fit_and_sums_them():
    res = probe.run_probe()
    assert res["keras_epoch_s"] > 0 and res["bayesloop_fit_s"] > 0
    assert res["seconds"] == pytest.approx(res["keras_epoch_s"] + res["bayesloop_fit_s"], abs=2e-3)
    assert res["windows"] == 3 * probe.PROBE_WINDOWS and res["track_steps"] == probe.PROBE_TRACK_STEPS
    # "a few seconds" of compute, even on a slow, shared 2-core machine
    assert res["seconds"] < 60


def test_a_screen_has_four_conditions_uneven_lengths_and_gaps():
    df = simulate_screen(80, seed=3, min_positions=100, max_positions=500, gap_fraction=0.3,
                         long_gap_fraction=0.1, max_gap=2)
    assert df["condition"].nunique() == 4
    assert df["track_id"].nunique() == 80
    per = df.groupby("track_id")
    span = per["t"].agg(lambda t: (t.max() - t.min()) / 5.0 + 1)
    assert span.min() >= 100 and span.max() <= 500 and span.std() > 50
    steps = per["t"].apply(lambda t: np.diff(np.sort(t.to_numpy())).max())
    assert (steps == 5.0).mean() > 0.5           # most tracks have every frame
    assert ((steps > 5.0) & (steps <= 15.0)).any()   # some miss one or two frames
    assert (steps > 15.0).any()                     # some miss more than max_gap
    again = simulate_screen(80, seed=3, min_positions=100, max_positions=500, gap_fraction=0.3,
                            long_gap_fraction=0.1, max_gap=2)
    assert df.equals(again)


def test_a_written_screen_loads_as_a_dataset_with_short_gaps_filled_and_long_ones_split(tmp_path):
    config = write_screen(tmp_path / "s", 40, seed=1, gap_fraction=0.3, long_gap_fraction=0.2)
    assert config.name == "config.yml"
    mtime = (tmp_path / "s" / "tracks.csv").stat().st_mtime_ns
    assert write_screen(tmp_path / "s", 40, seed=1, gap_fraction=0.3, long_gap_fraction=0.2) == config
    assert (tmp_path / "s" / "tracks.csv").stat().st_mtime_ns == mtime  # reused, not rewritten
    df, counts = load_dataset(str(config), return_counts=True)
    assert df["condition"].nunique() == 4
    assert df["track_id"].nunique() > 40  # long gaps split tracks into pieces
    size = probe.dataset_size(df, analysis_interval(str(config)))
    assert size["tracks"] == df["track_id"].nunique()
    assert 40 * 100 * 0.8 < size["positions"] < 40 * 500

"""Claims about movie drift (cellmotion.drift) and its place in loading a dataset."""

import numpy as np
import pandas as pd
import pytest

from cellmotion import drift as D
from cellmotion.contract import DataError
from cellmotion.datasets import dataset_info, load_dataset


def movie_table(n_movies=4, n_tracks=12, steps=40, seed=0, with_movie_column=False):
    """Random-walk tracks in movies = condition x replicate (two conditions, two donors),
    tracks starting at different times, one cell cut in two pieces."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(n_movies):
        cond, rep = ("A", "B")[m % 2], f"d{m // 2}"
        for k in range(n_tracks):
            t0 = int(rng.integers(0, 10))
            t = np.arange(t0, t0 + steps, dtype=float)
            xy = np.cumsum(rng.normal(size=(steps, 2)), axis=0) + rng.uniform(0, 500, 2)
            tid = f"{cond}/{rep}/{k}" + ("~1" if k == 0 else "")
            for i in range(steps):
                rows.append({"track_id": tid, "condition": cond, "t": t[i], "x": xy[i, 0],
                             "y": xy[i, 1], "replicate": rep})
    df = pd.DataFrame(rows)
    if with_movie_column:
        df["movie"] = df["condition"] + "-" + df["replicate"]
    return df


def add_drift(df, movie_velocity):
    out = df.copy()
    mid = D.movie_ids(df)
    for m, (vx, vy) in movie_velocity.items():
        sel = mid == m
        out.loc[sel, "x"] += vx * df.loc[sel, "t"]
        out.loc[sel, "y"] += vy * df.loc[sel, "t"]
    return out


def test_a_movie_is_condition_by_replicate_or_the_movie_column():
    df = movie_table()
    assert set(D.movie_ids(df)) == {"A/d0", "B/d0", "A/d1", "B/d1"}
    assert set(D.movie_ids(df.drop(columns="replicate"))) == {"A", "B"}
    assert set(D.movie_ids(movie_table(with_movie_column=True))) == {"A-d0", "B-d0", "A-d1", "B-d1"}
    assert not D.has_movies(df.drop(columns="replicate")) and D.has_movies(df)


def test_a_constant_drift_added_to_every_track_of_a_movie_is_removed_exactly():
    df = movie_table()
    drifted = add_drift(df, {"A/d0": (0.7, -0.3), "B/d1": (-2.0, 1.5)})
    a, b = D.subtract_movie_mean(df), D.subtract_movie_mean(drifted)
    np.testing.assert_allclose(b[["x", "y"]].to_numpy(), a[["x", "y"]].to_numpy(), atol=1e-9)
    v = D.movie_velocities(drifted)
    np.testing.assert_allclose(v.loc["B/d1"] - D.movie_velocities(df).loc["B/d1"], [-2.0, 1.5], atol=1e-12)


def test_after_subtraction_every_movie_has_mean_velocity_zero():
    df = add_drift(movie_table(seed=3), {"A/d0": (1.0, 1.0)})
    v = D.movie_velocities(D.subtract_movie_mean(df))
    np.testing.assert_allclose(v.to_numpy(), 0.0, atol=1e-12)


def test_condition_labels_enter_only_through_the_grouping_into_movies():
    df = movie_table(seed=1)
    renamed = df.assign(condition=df["condition"].map({"A": "B", "B": "A"}))  # same movies
    np.testing.assert_array_equal(D.subtract_movie_mean(df)[["x", "y"]].to_numpy(),
                                  D.subtract_movie_mean(renamed)[["x", "y"]].to_numpy())
    with_col = movie_table(seed=1, with_movie_column=True)
    shuffled = with_col.assign(condition=np.random.default_rng(0).permutation(with_col["condition"]))
    np.testing.assert_array_equal(D.subtract_movie_mean(with_col)[["x", "y"]].to_numpy(),
                                  D.subtract_movie_mean(shuffled)[["x", "y"]].to_numpy())


def test_cells_sharing_a_direction_give_a_resultant_length_far_above_chance():
    df = add_drift(movie_table(seed=2), {"A/d0": (3.0, 3.0)})  # strong drift at 45 degrees
    tab = D.movie_drift_table(df).set_index("movie")
    assert list(tab.columns[:3]) == ["condition", "replicate", "cells"]
    assert tab.loc["A/d0", "cells"] == 12
    assert tab.loc["A/d0", "R"] > 0.95 and tab.loc["A/d0", "R"] > tab.loc["A/d0", "R chance"]
    assert tab.loc["A/d0", "direction [deg]"] == pytest.approx(45.0, abs=5)
    assert tab.loc["A/d0", "drift speed"] == pytest.approx(np.hypot(3, 3), rel=0.1)
    assert tab.loc["A/d0", "Rayleigh p"] < 1e-4
    # the movies without drift stay near chance
    assert (tab.drop(index="A/d0")["R"] < 0.75).all()


def test_the_chance_reference_matches_uniform_directions():
    # for n uniform directions 2 n R^2 is about chi-square with 2 df: q95 of R ~ sqrt(3 / n)
    assert D.chance_resultant(200) == pytest.approx(np.sqrt(-np.log(0.05) / 200), rel=0.1)
    assert D.rayleigh_p(0.0, 50) == pytest.approx(1.0)
    assert D.rayleigh_p(0.5, 50) < 1e-4 < D.rayleigh_p(0.1, 50)


def _tidy_config(tmp_path, extra=""):
    df = add_drift(movie_table(n_tracks=6, steps=35, seed=4), {"A/d0": (2.0, 0.0), "B/d1": (0.0, -1.0)})
    df.to_csv(tmp_path / "tracks.csv", index=False)
    cfg = tmp_path / "config.yml"
    cfg.write_text("format: tidy\nfile: tracks.csv\nwindow_length: 20\ninterval: 1\n" + extra)
    return str(cfg)


def test_the_config_removes_each_movies_mean_velocity_when_loading(tmp_path):
    path = _tidy_config(tmp_path, "drift: subtract-movie-mean\n")
    assert dataset_info(path).drift == "subtract-movie-mean"
    assert dataset_info(path).direction == "artefact"
    clean = load_dataset(path)
    raw = load_dataset(path, drift="none")
    assert clean.attrs["drift"] == "subtract-movie-mean" and raw.attrs["drift"] == "none"
    np.testing.assert_allclose(D.movie_velocities(clean).to_numpy(), 0.0, atol=1e-9)
    assert D.movie_velocities(raw).loc["A/d0", "vx"] == pytest.approx(2.0, abs=0.5)
    # the default config keeps the tracks as they are, unless asked
    (tmp_path / "plain").mkdir()
    plain = _tidy_config(tmp_path / "plain", "")
    assert load_dataset(plain).attrs["drift"] == "none"


def test_a_movie_column_named_in_the_config_defines_the_movies(tmp_path):
    df = movie_table(n_tracks=6, steps=35, seed=5)
    df["field"] = df["condition"] + "-" + df["replicate"]
    df = add_drift(df, {"A/d1": (0.0, 2.0)})
    df.to_csv(tmp_path / "tracks.csv", index=False)
    (tmp_path / "config.yml").write_text("format: tidy\nfile: tracks.csv\nwindow_length: 20\ninterval: 1\n"
                                         "drift: subtract-movie-mean\nmovie: field\n")
    out = load_dataset(str(tmp_path / "config.yml"))
    assert set(D.movie_ids(out)) == {"A-d0", "B-d0", "A-d1", "B-d1"}
    np.testing.assert_allclose(D.movie_velocities(out).to_numpy(), 0.0, atol=1e-9)


@pytest.mark.parametrize("text, message", [("drift: remove\n", "unknown 'drift"),
                                           ("direction: gradient\n", "unknown 'direction")])
def test_unknown_drift_settings_are_refused(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        dataset_info(_tidy_config(tmp_path, text))


# ----------------------------------------------------------------------------- findings
from cellmotion.findings.drift import movie_drift_sentence, single_movie_sentence  # noqa: E402


def _rows(rs, chance=0.3):
    return [{"condition": "A", "replicate": f"d{i}", "R": r, "R chance": chance,
             "drift speed": 0.1 * (i + 1)} for i, r in enumerate(rs)]


def test_the_drift_sentence_counts_movies_above_chance_and_names_the_fastest():
    s = movie_drift_sentence(_rows([0.5, 0.1, 0.4]), "px/frame")
    assert "In 2 of 3 movies" in s and "0.10–0.50" in s and "0.300 px/frame (A d2)" in s
    assert "drift: none" in s


def test_the_drift_sentence_reports_the_movies_after_removal():
    s = movie_drift_sentence(_rows([0.5, 0.1]), "µm/min", "subtract-movie-mean",
                             rows_after=_rows([0.2, 0.35]))
    assert "removes each movie's mean velocity" in s
    assert "afterwards R is 0.20–0.35 and 1 of 2 movies stay above chance" in s


def test_a_dataset_without_movies_gets_one_line():
    s = single_movie_sentence(_rows([0.2, 0.9]), "µm/min")
    assert s.count(".") >= 1 and "0.10–0.20 µm/min" in s and "no movies" in s

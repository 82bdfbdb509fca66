"""The data contract: loaders produce the tidy table and refuse bad input clearly."""

import numpy as np
import pandas as pd
import pytest

from cellmotion.contract import DataError, convert_units, flat_z_conditions, summarize, validate_tracks
from cellmotion.io import load_report_layout, load_tidy_csv


def _tidy(n_tracks=2, n=5, conditions=("A", "B")):
    rows = []
    for c in conditions:
        for k in range(n_tracks):
            for t in range(n):
                rows.append({"track_id": f"{c}{k}", "condition": c, "t": t * 1.0,
                             "x": t * 2.0 + k, "y": -t * 1.0, "z": 0.0})
    return pd.DataFrame(rows)


def test_tidy_csv_round_trip_keeps_values(tmp_path):
    df = _tidy()
    p = tmp_path / "tracks.csv"
    df.to_csv(p, index=False)
    out = load_tidy_csv(p)
    assert list(out.columns) == ["track_id", "condition", "t", "x", "y", "z"]
    assert np.allclose(out["x"].to_numpy(), df["x"].to_numpy())
    assert out["track_id"].nunique() == 4


def test_column_mapping_and_units(tmp_path):
    df = _tidy().rename(columns={"track_id": "TRACK", "t": "frame", "x": "px", "y": "py"}).drop(columns="z")
    p = tmp_path / "other.csv"
    df.to_csv(p, index=False)
    out = load_tidy_csv(p, columns={"track_id": "TRACK", "t": "frame", "x": "px", "y": "py"},
                        length_unit="pixel", um_per_pixel=0.5, time_unit="frame", frame_interval=2.0)
    assert "z" not in out.columns
    # 2 px per frame at 0.5 µm/px and 2 min/frame is 0.5 µm/min
    g = out[out.track_id == "A0"]
    assert np.allclose(np.diff(g["x"]) / np.diff(g["t"]), 0.5)


def test_missing_column_is_named_with_a_suggestion(tmp_path):
    df = _tidy().rename(columns={"condition": "conditon"})
    p = tmp_path / "bad.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError, match=r"missing column.*'condition'.*did you mean 'conditon'"):
        load_tidy_csv(p)


def test_non_numeric_value_names_column_and_row():
    df = _tidy()
    df["x"] = df["x"].astype(object)
    df.loc[3, "x"] = "abc"
    with pytest.raises(DataError, match=r"column 'x'.*'abc'.*row 4"):
        validate_tracks(df)


def test_empty_file_refused(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(DataError, match="empty"):
        load_tidy_csv(p)


def test_duplicate_rows_refused():
    df = pd.concat([_tidy(), _tidy().iloc[[2]]], ignore_index=True)
    with pytest.raises(DataError, match="duplicate rows for track 'A0'"):
        validate_tracks(df)


def test_time_going_backwards_refused():
    df = _tidy()
    df.loc[[1, 2], "t"] = [2.0, 1.0]
    with pytest.raises(DataError, match="time goes backwards in track 'A0'"):
        validate_tracks(df)


def test_single_position_track_refused():
    df = pd.concat([_tidy(), pd.DataFrame([{"track_id": "lonely", "condition": "A", "t": 0.0,
                                            "x": 0.0, "y": 0.0, "z": 0.0}])], ignore_index=True)
    with pytest.raises(DataError, match="track 'lonely' has only one position"):
        validate_tracks(df)


def test_unknown_unit_refused():
    with pytest.raises(DataError, match="unknown length unit 'furlong'"):
        convert_units(_tidy(), length_unit="furlong")


def test_validation_does_not_modify_input():
    df = _tidy()
    before = df.copy()
    df["x"] = df["x"].astype(str)  # numbers as text, as some exports write them
    before = df.copy()
    out = validate_tracks(df)
    out.loc[0, "x"] = -1.0
    pd.testing.assert_frame_equal(df, before)
    assert out["x"].dtype == float


def test_report_layout(tmp_path):
    rng = np.random.default_rng(0)
    for cond, dims in (("Collagen", 3), ("Plastic", 3)):
        (tmp_path / cond).mkdir()
        for k in range(3):
            arr = rng.normal(size=(6, dims))
            if cond == "Plastic":
                arr[:, 2] = 0.0
            np.savetxt(tmp_path / cond / f"track{k}.txt", arr)
    df = load_report_layout(tmp_path, {"Collagen": 2.5, "Plastic": 1.0})
    assert set(df.condition) == {"Collagen", "Plastic"}
    assert df[df.condition == "Collagen"]["t"].max() == pytest.approx(12.5)
    assert flat_z_conditions(df) == ["Plastic"]
    assert summarize(df).loc["Collagen", "trajectories"] == 3


def test_report_layout_condition_without_tracks(tmp_path):
    (tmp_path / "Collagen").mkdir()
    (tmp_path / "Empty").mkdir()
    np.savetxt(tmp_path / "Collagen" / "a.txt", np.ones((3, 3)))
    with pytest.raises(DataError, match="condition 'Empty' has no track files"):
        load_report_layout(tmp_path, {"Collagen": 2.5, "Empty": 1.0})


def test_report_layout_bad_line_named(tmp_path):
    (tmp_path / "C").mkdir()
    (tmp_path / "C" / "a.txt").write_text("1 2 3\n4 x 6\n")
    with pytest.raises(DataError, match=r"a.txt, line 2: non-numeric"):
        load_report_layout(tmp_path, {"C": 1.0})

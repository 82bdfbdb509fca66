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


# --------------------------------------------------------------------------- own files' lines
def test_time_going_backwards_in_a_tidy_file_names_the_line_of_the_file(tmp_path):
    p = tmp_path / "tracks.csv"
    p.write_text("# exported by hand\ntrack_id,condition,t,x,y\nA0,A,0,0,0\nA0,A,2,1,0\n"
                 "A0,A,1,2,0\nA1,A,0,0,0\nA1,A,1,1,0\n")
    with pytest.raises(DataError, match=r"time goes backwards in track 'A0': t = 1 min comes "
                                         r"after t = 2 min \(line 5 of the file\)"):
        load_tidy_csv(p, skiprows=1)


def test_messages_of_a_tidy_file_in_frames_speak_in_frames(tmp_path):
    p = tmp_path / "tracks.csv"
    p.write_text("track_id,condition,t,x,y\nA0,A,0,0,0\nA0,A,1,1,0\nA0,A,1,2,0\n")
    with pytest.raises(DataError, match=r"duplicate rows for track 'A0' at t = 1 frame \(line 4"):
        load_tidy_csv(p, time_unit="frame", frame_interval=1.0)


def test_space_separated_file_without_header_reads_columns_by_position(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("1 7 24 1.5 2.5\n2 7 48 2.5 3.5\n1 8 24 0.0 0.0\n2 8 48 1.0 1.0\n")
    df = load_tidy_csv(p, {"track_id": 2, "t": 3, "x": 4, "y": 5}, header=False,
                       condition="T", time_unit="s")
    assert sorted(df["track_id"].unique()) == ["7", "8"]
    np.testing.assert_allclose(df.loc[df.track_id == "7", "t"], [0.4, 0.8])
    np.testing.assert_allclose(df.loc[df.track_id == "7", "x"], [1.5, 2.5])


def test_a_column_position_beyond_the_last_column_is_refused(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("1 7 24 1.5\n2 7 48 2.5\n")
    with pytest.raises(DataError, match=r"column 9 \(for y\) does not exist; the file has 4"):
        load_tidy_csv(p, {"track_id": 2, "t": 3, "x": 4, "y": 9}, header=False, condition="T")

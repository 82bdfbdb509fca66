"""Dataset configs describe tracks as trackers export them.

Claims: one tidy file per condition (the condition taken from the config key) and one file per
replicate; trackpy's and celltrackR's exports; read options for other exports (separator,
lines before the header, encoding); data without a calibration kept in pixels and frames and
described as such. Each loads through the one entry point, ``load_config_dataset``.
"""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cellmotion.config import read_config
from cellmotion.contract import REPLICATE, DataError
from cellmotion.datasets import dataset_info, load_config_dataset

FIX = Path(__file__).parent / "fixtures"


def _config(folder: Path, text: str, *files: str) -> Path:
    for f in files:
        shutil.copy(FIX / f, folder / f)
    (folder / "config.yml").write_text(text, encoding="utf-8")
    return folder / "config.yml"


def test_a_tidy_file_per_condition_takes_the_condition_from_the_config(tmp_path):
    shutil.copy(FIX / "tidy.csv", tmp_path / "b.csv")
    cfg = _config(tmp_path, "format: tidy\nconditions:\n  Control: {file: tidy.csv}\n"
                            "  Drug: {file: b.csv}\n", "tidy.csv")
    df, _ = load_config_dataset(cfg)
    raw = pd.read_csv(FIX / "tidy.csv")
    assert list(df["condition"].unique()) == ["Control", "Drug"]
    assert df["track_id"].nunique() == 2 * raw["track_id"].nunique()  # same ids, kept apart
    np.testing.assert_allclose(df.loc[df["condition"] == "Drug", "x"].to_numpy(),
                               raw.sort_values(["track_id", "t"])["x"].to_numpy())


def test_files_per_replicate_fill_the_replicate_column(tmp_path):
    shutil.copy(FIX / "tidy.csv", tmp_path / "a2.csv")
    cfg = _config(tmp_path, "format: tidy\nconditions:\n"
                            "  A: {files: {donor1: tidy.csv, donor2: a2.csv}}\n"
                            "  B: {file: tidy.csv, replicate: donor1}\n", "tidy.csv")
    df, _ = load_config_dataset(cfg)
    per_track = df.drop_duplicates("track_id")
    assert set(per_track.loc[per_track["condition"] == "A", REPLICATE]) == {"donor1", "donor2"}
    assert set(per_track.loc[per_track["condition"] == "B", REPLICATE]) == {"donor1"}
    # each movie numbers its tracks from the start: ids stay unique per replicate
    assert per_track["track_id"].is_unique
    assert all(t.startswith(f"{c}/{r}/") for t, c, r in per_track[["track_id", "condition", REPLICATE]].to_numpy())


def test_trackpy_exports_in_pixels_and_frames_are_converted(tmp_path):
    shutil.copy(FIX / "trackpy_tracks.csv", tmp_path / "b.csv")
    cfg = _config(tmp_path, "format: trackpy\nunits: {um_per_pixel: 0.5}\nconditions:\n"
                            "  A: {file: trackpy_tracks.csv, frame_interval: 2.0}\n"
                            "  B: {file: b.csv, frame_interval: 2.0}\n", "trackpy_tracks.csv")
    df, _ = load_config_dataset(cfg)
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0)
    first = raw[raw["particle"] == raw["particle"].min()].sort_values("frame")
    a = df[(df["condition"] == "A")]
    a = a[a["track_id"] == a["track_id"].iloc[0]]
    np.testing.assert_allclose(a["x"].to_numpy(), 0.5 * first["x"].to_numpy())
    np.testing.assert_allclose(a["t"].to_numpy(), 2.0 * first["frame"].to_numpy())


def test_celltrackr_exports_read_with_their_id_column(tmp_path):
    shutil.copy(FIX / "celltrackr_tracks.csv", tmp_path / "b.csv")
    cfg = _config(tmp_path, "format: celltrackr\nconditions:\n  A: {file: celltrackr_tracks.csv}\n"
                            "  B: {file: b.csv}\n", "celltrackr_tracks.csv")
    df, _ = load_config_dataset(cfg)
    raw = pd.read_csv(FIX / "celltrackr_tracks.csv", index_col=0)
    assert df["track_id"].nunique() == 2 * raw["id"].nunique()
    assert "z" in df.columns


def test_read_options_reach_the_reader(tmp_path):
    """An Imaris-like tab-separated export with three lines above its header loads only when the
    config says to skip them; a semicolon export with decimal commas needs no option at all."""
    cfg = _config(tmp_path, "format: tidy\nfile: tidy_imaris.tsv\nread: {skiprows: 3}\n",
                  "tidy_imaris.tsv")
    df, _ = load_config_dataset(cfg)
    ref = pd.read_csv(FIX / "tidy.csv")
    np.testing.assert_allclose(np.sort(df["x"].to_numpy()), np.sort(ref["x"].to_numpy()))
    cfg.write_text("format: tidy\nfile: tidy_imaris.tsv\n")
    with pytest.raises(DataError):
        load_config_dataset(cfg)
    cfg = _config(tmp_path, "format: tidy\nfile: tidy_semicolon.csv\n", "tidy_semicolon.csv")
    df, _ = load_config_dataset(cfg)
    np.testing.assert_allclose(np.sort(df["x"].to_numpy()), np.sort(ref["x"].to_numpy()))


def test_uncalibrated_data_stays_in_pixels_and_frames(tmp_path):
    raw = pd.read_csv(FIX / "tidy.csv").assign(t=lambda d: d["t"] * 3)
    raw.to_csv(tmp_path / "px.csv", index=False)
    cfg = _config(tmp_path, "name: px\nformat: tidy\nfile: px.csv\nunits: {calibrated: false}\n"
                            "interval: 3\n")
    df, _ = load_config_dataset(cfg)
    np.testing.assert_allclose(np.sort(df["x"].to_numpy()), np.sort(raw["x"].to_numpy()))
    np.testing.assert_allclose(np.sort(df["t"].to_numpy()), np.sort(raw["t"].to_numpy()))
    info = dataset_info(str(cfg))
    assert (info.length_unit, info.time_unit, info.speed_unit) == ("px", "frame", "px/frame")
    assert not info.calibrated and not info.report_kind


def test_uncalibrated_cannot_be_combined_with_a_pixel_size(tmp_path):
    cfg = _config(tmp_path, "format: tidy\nfile: tidy.csv\nunits: {calibrated: false, um_per_pixel: 0.5}\n",
                  "tidy.csv")
    with pytest.raises(DataError, match="calibrated: false.*um_per_pixel"):
        read_config(cfg)


def test_window_length_of_a_config_sets_the_minimum_track_length(tmp_path):
    cfg = _config(tmp_path, "format: tidy\nfile: tidy.csv\nwindow_length: 12\n", "tidy.csv")
    parsed = read_config(cfg)
    assert parsed.window_length == 12 and parsed.min_track_steps == 12
    assert dataset_info(str(cfg)).window_length == 12


# --------------------------------------------------------------------------- real exports, units
REAL = FIX / "real"


def _copy_real(folder: Path, *names: str) -> None:
    for n in names:
        shutil.copy(REAL / n, folder / n)


@pytest.mark.parametrize("read", ["", "read: {skiprows: 3}\n"])
def test_real_trackmate_7_spot_tables_load_with_a_three_line_config(tmp_path, read):
    """What the README says a user writes for an uncalibrated TrackMate 7 export; the
    suggested skiprows for the extra header rows changes nothing."""
    _copy_real(tmp_path, "trackmate-7_spots.csv.gz")
    shutil.copy(REAL / "trackmate-7_spots.csv.gz", tmp_path / "b.csv.gz")
    cfg = _config(tmp_path, "format: trackmate\nunits: {calibrated: false}\nconditions: {A: {file: "
                            "trackmate-7_spots.csv.gz}, B: {file: b.csv.gz}}\n" + read)
    df, report = load_config_dataset(cfg)
    assert report.loc["A", "tracks read"] == 73
    assert report.loc["A", "branching tracks"] == 0
    info = dataset_info(str(cfg))
    assert (info.length_unit, info.time_unit) == ("px", "frame")
    assert df.groupby("track_id")["t"].diff().min() >= 1.0  # frames, never a silent rescale


def test_uncalibrated_trackmate_xml_keeps_the_units_the_file_states(tmp_path):
    """calibrated: false with a file in microns and seconds: the file's units win (µm, min),
    nothing is scaled by a silent 1, and the dataset is described in those units."""
    shutil.copy(FIX / "trackmate_micron_sec.xml", tmp_path / "a.xml")
    shutil.copy(FIX / "trackmate_micron_sec.xml", tmp_path / "b.xml")
    cfg = _config(tmp_path, "format: trackmate-xml\nunits: {calibrated: false}\n"
                            "conditions: {A: {file: a.xml}, B: {file: b.xml}}\n")
    df, _ = load_config_dataset(cfg)
    a = df[df["track_id"] == "A/Track_0"]
    np.testing.assert_allclose(a["t"], [0.0, 0.5, 1.0, 1.5, 2.0])  # 30 s steps in minutes
    np.testing.assert_allclose(a["x"], [10.0, 12.0, 14.0, 16.0, 18.0])  # microns as written
    info = dataset_info(str(cfg))
    assert (info.length_unit, info.time_unit) == ("µm", "min") and info.calibrated


def test_uncalibrated_trackmate_xml_in_pixels_and_frames_stays_in_pixels_and_frames(tmp_path):
    shutil.copy(FIX / "trackmate_pixel_frame.xml", tmp_path / "a.xml")
    shutil.copy(FIX / "trackmate_pixel_frame.xml", tmp_path / "b.xml")
    cfg = _config(tmp_path, "format: trackmate-xml\nunits: {calibrated: false}\n"
                            "conditions: {A: {file: a.xml}, B: {file: b.xml}}\n")
    df, _ = load_config_dataset(cfg)
    assert set(np.diff(np.sort(df["t"].unique()))) == {1.0}
    info = dataset_info(str(cfg))
    assert (info.length_unit, info.time_unit) == ("px", "frame")


def test_uncalibrated_files_whose_own_units_disagree_are_refused(tmp_path):
    shutil.copy(FIX / "trackmate_micron_sec.xml", tmp_path / "a.xml")
    shutil.copy(FIX / "trackmate_pixel_frame.xml", tmp_path / "b.xml")
    cfg = _config(tmp_path, "format: trackmate-xml\nunits: {calibrated: false}\n"
                            "conditions: {A: {file: a.xml}, B: {file: b.xml}}\n")
    with pytest.raises(DataError, match=r"files disagree \(a\.xml: µm/min, b\.xml: px/frame\)"):
        load_config_dataset(cfg)


def test_celltrackr_own_text_files_load_with_a_three_line_config(tmp_path):
    shutil.copy(FIX / "celltrackr_headerless.txt", tmp_path / "b.txt")
    cfg = _config(tmp_path, "format: celltrackr\nread: {header: false}\n"
                            "columns: {track_id: 2, t: 3, x: 4, y: 5, z: 6}\nunits: {time: s}\n"
                            "conditions: {A: {file: celltrackr_headerless.txt}, B: {file: b.txt}}\n",
                  "celltrackr_headerless.txt")
    df, _ = load_config_dataset(cfg)
    assert df.groupby("condition")["track_id"].nunique().to_dict() == {"A": 3, "B": 3}
    assert "z" in df.columns


def test_branch_policy_of_a_config_reaches_the_reader_and_the_counts(tmp_path):
    for name in ("a.xml", "b.xml"):
        shutil.copy(REAL / "trackmate-6.0.3_splitting_trimmed.xml", tmp_path / name)
    base = ("format: trackmate-xml\nunits: {calibrated: false}\n"
            "conditions: {A: {file: a.xml}, B: {file: b.xml}}\n")
    cfg = _config(tmp_path, base)
    df, report = load_config_dataset(cfg)
    assert report["branching tracks"].to_dict() == {"A": 1, "B": 1}
    assert report["pieces from branching tracks"].to_dict() == {"A": 5, "B": 5}
    assert df.attrs["branches"] == {"policy": "split", "branching": 2, "pieces": 10}
    cfg.write_text(base + "branches: refuse\n")
    with pytest.raises(DataError, match=r"a\.xml: 1 track\(s\) branch"):
        load_config_dataset(cfg)
    cfg.write_text(base + "branches: longst\n")
    with pytest.raises(DataError, match=r"unknown branch policy 'branches: longst' \(did you mean "
                                         r"'longest'\?\)"):
        read_config(cfg)


def test_real_cellmia_tracking_export_loads_as_a_tidy_table_named_by_its_columns(tmp_path):
    """CELLMIA (the tracker of the bundled leukocytes) writes one tab-separated row per cell
    and time index, positions as image row and column (pixels); nothing states a frame
    interval, so the data stays in pixels and frames."""
    name = "cellmia_tracking_trimmed.txt"
    _copy_real(tmp_path, name)
    shutil.copy(REAL / name, tmp_path / "b.txt")
    cfg = _config(tmp_path, "format: tidy\nunits: {calibrated: false}\n"
                            "columns: {track_id: ID of track, t: time index, x: cell col, y: cell row}\n"
                            f"conditions: {{A: {{file: {name}}}, B: {{file: b.txt}}}}\n")
    raw = pd.read_csv(REAL / name, sep="\t")
    df, report = load_config_dataset(cfg)
    assert report.loc["A", "tracks read"] == raw["ID of track"].nunique() == 3
    missing = (raw.groupby("ID of track")["time index"].diff() > 1).sum()
    assert report.loc["A", "gaps"] == missing == 4  # time indices 18, 32, 34 and 20 skipped
    a = df[df["condition"] == "A"]
    assert a.groupby("track_id")["t"].diff().dropna().eq(1.0).all()  # frames, cut at gaps
    assert len(a) <= len(raw) and set(a["x"]) <= set(raw["cell col"])
    assert (dataset_info(str(cfg)).length_unit, dataset_info(str(cfg)).time_unit) == ("px", "frame")

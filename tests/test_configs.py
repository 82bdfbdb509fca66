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

"""Your own tracks: configs, TrackMate exports, gaps, short tracks, refusals, the whole book.

Claims: every supported input arrives as the same tidy table in µm and minutes; missing
frames are split or interpolated as the config says; tracks too short for a window are left
out and counted; each kind of bad input is refused with a message that names the problem,
before any chapter writes a result; and the four chapters run on the worked example.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cellmotion import build
from cellmotion.config import dataset_name, read_config
from cellmotion.datasets import analysis_interval, ensure_dataset, load_dataset
from cellmotion.contract import DataError
from cellmotion.curation import drop_short_tracks, handle_gaps
from cellmotion.io import load_trackmate_csv
from cellmotion.refusals import bad_input_cases
from cellmotion.synthetic.example import (EXAMPLE_CONDITIONS, UM_PER_PIXEL, ensure_example, example_file,
                                          write_trackmate_csv)
from cellmotion.paths import project_root

ROOT = project_root()
EXAMPLE = "data/example/config.yml"
EXAMPLE_NAMES = ["DMSO", "Blebbistatin", "Nocodazole", "Y-27632"]
CHAPTERS = ["01_data", "02_classification", "03_generation", "04_statistics"]


# --------------------------------------------------------------------------- refusals
EXPECTED = {
    "nothing (a valid dataset)": None,
    "misspelt column": r"missing column\(s\) 'condition' \(did you mean 'conditon'\?\)",
    "TrackMate tracks table instead of spots":
        r"a\.csv: not a TrackMate spot table.*'POSITION_X'.*TrackMate's tracks table: export the \*spots\*",
    "non-numeric value (decimal comma)":
        r"column 'x' has a non-numeric .*'12,5' in line 9 of the file \(track 'A0'\)",
    "duplicate (track, time) rows": r"duplicate rows for track 'A0' at t = 15 min",
    "TrackMate track that splits (a division), with 'branches: refuse'":
        r"a\.csv: 1 track\(s\) branch \(a cell division .*'A/0'\. Set 'branches: split'",
    "TrackMate spot table without a time unit":
        r"a\.csv: the file does not state the unit of POSITION_T.*units: \{time: s\}.*frame_interval",
    "a single condition": r"found 1 condition\(s\) \(A\).*at least 2",
    "a condition with no usable tracks": r"condition 'B' has 0 usable track\(s\) out of 3.*30 steps of 5 min",
    "time going backwards":
        r"time goes backwards in track 'A0': t = 50 min comes after t = 55 min \(line 13 of the file\)",
    "mixed 2D and 3D tracks": r"mixed 2D and 3D tracks: 3 track\(s\) have no z \(first: 'B0'\)",
    "unknown unit": r"unknown length unit 'inch'",
    "pixels without a pixel size":
        r"'pixel' needs a positive um_per_pixel \(config: units: \{um_per_pixel: \.\.\.\}\)",
    "misspelt config key": r"unknown key 'frame_intervall' in 'units' \(did you mean 'frame_interval'\?\)",
    "frame interval that does not fit the analysis interval":
        r"condition 'A': native interval 5 min does not divide the requested interval 12 min",
    "malformed TrackMate XML (file cut short)": r"a\.xml: malformed XML at line \d+, column \d+.*ends early",
    "TrackMate XML without tracks": r"a\.xml: the file has \d+ spot\(s\) but no tracks",
    "TrackMate XML in pixels without a pixel size": r"a\.xml: positions are in pixels.*um_per_pixel",
    "bytes the stated encoding cannot decode": r"tracks\.csv: cannot decode byte .* as utf-8",
}


def test_every_bad_input_case_has_an_expected_message():
    assert list(bad_input_cases()) == list(EXPECTED)


@pytest.mark.parametrize("case", list(EXPECTED))
def test_bad_input_is_refused_with_a_message_naming_the_problem(case, tmp_path):
    config = bad_input_cases()[case](tmp_path)
    if EXPECTED[case] is None:  # the base every case breaks in one way loads fine
        df = load_dataset(str(config))
        assert df["condition"].nunique() == 2 and df["track_id"].nunique() == 6
        return
    with pytest.raises(DataError, match=EXPECTED[case]):
        load_dataset(str(config))


def test_refused_dataset_writes_nothing_to_the_artifacts(tmp_path):
    config = bad_input_cases()["a condition with no usable tracks"](tmp_path)
    art = tmp_path / "artifacts"
    with pytest.raises((DataError, build.ChapterFailed, SystemExit), match="no usable|usable track"):
        build.run(profile="smoke", dataset=str(config), html=False, chapters=["01_data"],
                  artifacts=str(art))
    left = [p for p in art.rglob("*") if p.is_file() and "notebooks" not in p.relative_to(art).parts]
    assert left == []


# --------------------------------------------------------------------------- TrackMate
def _spots(rows):
    df = pd.DataFrame(rows, columns=["TRACK_ID", "POSITION_X", "POSITION_Y", "FRAME"])
    df["ID"] = np.arange(len(df))
    df["LABEL"] = "ID" + df["ID"].astype(str)
    df["QUALITY"] = 1.0
    df["POSITION_Z"] = 0.0
    df["POSITION_T"] = df["FRAME"] * 30.0  # seconds, at 30 s per frame
    df["RADIUS"] = 5.0
    df["VISIBILITY"] = 1
    df["MEAN_INTENSITY_CH1"] = 1.0
    df["TRACK_ID"] = df["TRACK_ID"].astype("Int64")
    return df


def test_trackmate_export_in_pixels_and_frames_becomes_um_and_minutes(tmp_path):
    # rows deliberately out of frame order, plus one spot in no track
    rows = [(3, 10.0, 0.0, 2), (3, 0.0, 0.0, 0), (3, 5.0, 0.0, 1), (None, 50.0, 50.0, 1),
            (7, 0.0, 0.0, 0), (7, 0.0, 4.0, 1)]
    path = write_trackmate_csv(_spots(rows), tmp_path / "spots.csv", "pixel", "frame")
    df = load_trackmate_csv(path, "Ctrl", um_per_pixel=0.5, frame_interval=2.0)
    assert list(df.columns) == ["track_id", "condition", "t", "x", "y"]  # flat z: 2D
    assert sorted(df["track_id"].unique()) == ["Ctrl/3", "Ctrl/7"]
    tr = df[df.track_id == "Ctrl/3"]
    assert tr["t"].tolist() == [0.0, 2.0, 4.0]
    assert np.allclose(tr["x"], [0.0, 2.5, 5.0])  # 5 px per frame = 2.5 µm per 2 min


def test_trackmate_time_and_length_units_come_from_its_unit_row(tmp_path):
    path = write_trackmate_csv(_spots([(0, 0.0, 0.0, 0), (0, 3.0, 0.0, 1), (0, 6.0, 0.0, 2)]),
                               tmp_path / "spots.csv", "micron", "sec")
    df = load_trackmate_csv(path, "Ctrl")  # no units given: the file says micron and sec
    assert df["t"].tolist() == [0.0, 0.5, 1.0]
    assert np.allclose(df["x"], [0.0, 3.0, 6.0])
    with pytest.raises(DataError, match="gives positions in 'um' but the length unit 'pixel'"):
        load_trackmate_csv(path, "Ctrl", length_unit="pixel", um_per_pixel=0.65)


# --------------------------------------------------------------------------- gaps, short tracks
def _gappy():
    t = np.array([0, 1, 2, 5, 6, 7, 20, 21, 22], float)  # 2 missing, then 12 missing frames
    return pd.DataFrame({"track_id": "a", "condition": "C", "t": t, "x": t * 2.0, "y": 0.0})


def test_split_at_gaps_leaves_no_step_longer_than_the_interval():
    out, report = handle_gaps(_gappy(), "split", intervals={"C": 1.0})
    assert sorted(out.track_id.unique()) == ["a~1", "a~2", "a~3"]
    assert out.groupby("track_id")["t"].diff().max() == 1.0
    assert report.loc["C", "gaps"] == 2 and report.loc["C", "tracks split at gaps"] == 1


def test_interpolation_fills_short_gaps_on_a_straight_line_and_splits_long_ones():
    out, report = handle_gaps(_gappy(), "interpolate", max_gap=3, intervals={"C": 1.0})
    assert sorted(out.track_id.unique()) == ["a~1", "a~2"]  # the 12-frame gap still splits
    first = out[out.track_id == "a~1"]
    assert first["t"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert np.allclose(first["x"], first["t"] * 2.0)  # constant velocity across the gap
    assert report.loc["C", "frames interpolated"] == 2



def test_gap_handling_keeps_measured_columns_and_leaves_filled_positions_unmeasured():
    df = _gappy().assign(quality=np.arange(9.0), replicate="r1")
    df = pd.concat([df, df.assign(track_id="b", t=np.arange(9.0))], ignore_index=True)  # b: no gap
    out, _ = handle_gaps(df, "interpolate", max_gap=3, intervals={"C": 1.0})
    assert out[out.track_id == "b"].reset_index(drop=True).equals(df[df.track_id == "b"].reset_index(drop=True))
    first = out[out.track_id == "a~1"]
    measured = first["t"].isin(df["t"][df.track_id == "a"])
    assert first.loc[measured, "quality"].tolist() == [0, 1, 2, 3, 4, 5]  # each row's own value
    assert first.loc[~measured, "quality"].isna().all() and (first["replicate"] == "r1").all()
    split, _ = handle_gaps(df, "split", intervals={"C": 1.0})
    assert split.loc[split.track_id == "a~3", "quality"].tolist() == [6, 7, 8]

def test_tracks_too_short_for_a_window_are_left_out_and_counted():
    rows = []
    for tid, n in (("long", 31), ("exact", 31), ("short", 30), ("other1", 40), ("other2", 40)):
        cond = "A" if tid in ("long", "exact", "short") else "B"
        for k in range(n):
            rows.append({"track_id": tid, "condition": cond, "t": 5.0 * k, "x": k, "y": 0.0})
    kept, counts = drop_short_tracks(pd.DataFrame(rows), min_steps=30, interval=5.0)
    assert set(kept.track_id) == {"long", "exact", "other1", "other2"}  # 30 steps kept, 29 not
    assert counts.loc["A"].tolist() == [3, 1, 2]


# --------------------------------------------------------------------------- configs
def test_tidy_config_maps_columns_renames_conditions_and_converts_per_condition(tmp_path):
    rows = []
    for cond, fi in (("ctl", 1.0), ("drug", 2.5)):
        for k in range(2):
            for f in range(int(160 / fi) + 1):
                rows.append({"Cell": f"{cond}{k}", "Treatment": cond, "Frame": f, "X": f, "Y": 0})
    pd.DataFrame(rows).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "my.yml").write_text(
        "format: tidy\nfile: t.csv\n"
        "columns: {track_id: Cell, condition: Treatment, t: Frame, x: X, y: Y}\n"
        "units: {length: pixel, um_per_pixel: 0.5, time: frame}\n"
        "conditions:\n  Drug: {value: drug, frame_interval: 2.5}\n  Control: {value: ctl, frame_interval: 1.0}\n")
    df = load_dataset(str(tmp_path / "my.yml"))
    assert list(dict.fromkeys(df.condition)) == ["Drug", "Control"]  # the config's order
    for cond, fi in (("Drug", 2.5), ("Control", 1.0)):
        g = df[df.track_id == df[df.condition == cond].track_id.iloc[0]]
        assert np.allclose(np.diff(g["t"]), fi)
        assert np.allclose(np.diff(g["x"]) / np.diff(g["t"]), 0.5 / fi)  # 1 px per frame


def test_report_layout_config(tmp_path):
    rng = np.random.default_rng(1)
    for cond in ("P", "Q"):
        (tmp_path / "tracks" / cond).mkdir(parents=True)
        for k in range(2):
            np.savetxt(tmp_path / "tracks" / cond / f"{k}.txt", rng.normal(size=(61, 2)))
    (tmp_path / "c.yaml").write_text("format: report\nfolder: tracks\n"
                                     "conditions: {Q: {frame_interval: 2.5}, P: {frame_interval: 2.5}}\n")
    df = load_dataset(str(tmp_path / "c.yaml"))
    assert list(dict.fromkeys(df.condition)) == ["Q", "P"] and "z" not in df.columns


# --------------------------------------------------------------------------- the worked example
def test_example_config_and_generator_agree():
    cfg = read_config(ROOT / EXAMPLE)
    assert list(cfg.conditions) == [m.name for m in EXAMPLE_CONDITIONS] == EXAMPLE_NAMES
    for m in EXAMPLE_CONDITIONS:
        assert cfg.conditions[m.name]["file"].name == example_file(m.name)
        assert cfg.conditions[m.name]["frame_interval"] == m.dt
    assert cfg.units["um_per_pixel"] == UM_PER_PIXEL
    assert dataset_name(EXAMPLE) == "example"
    assert analysis_interval(EXAMPLE) == 5.0 and analysis_interval("synthetic") == 5.0


def test_example_generator_is_seeded(tmp_path):
    a = ensure_example(tmp_path / "a")
    b = ensure_example(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_example_loads_as_2d_um_minutes_with_gaps_and_short_tracks():
    ensure_dataset(EXAMPLE)
    df, counts = load_dataset(EXAMPLE, return_counts=True)
    assert list(dict.fromkeys(df.condition)) == EXAMPLE_NAMES
    assert "z" not in df.columns
    steps = df.assign(dt=df.groupby("track_id")["t"].diff()).groupby("condition")["dt"].max()
    assert steps.to_dict() == {"DMSO": 1.0, "Blebbistatin": 1.0, "Nocodazole": 2.5, "Y-27632": 2.5}
    assert (counts["gaps"] > 0).all() and (counts["frames interpolated"] > 0).all()
    assert (counts["too short (left out)"] > 0).all() and (counts["used"] >= 10).all()
    assert counts["tracks split at gaps"].sum() > 0


# --------------------------------------------------------------------------- the whole book
@pytest.mark.book
def test_the_four_chapters_run_on_the_worked_example_and_name_its_conditions(tmp_path):
    """`make book DATA=data/example/config.yml` runs exactly this command (smoke, no HTML)."""
    art = tmp_path / "artifacts"
    proc = subprocess.run(
        [sys.executable, "-m", "cellmotion.build", "--profile", "smoke", "--dataset", EXAMPLE,
         "--artifacts", str(art), "--no-html", "--chapters", *CHAPTERS],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for stem in CHAPTERS:
        nb = nbformat.read(art / "notebooks" / f"{stem}.ipynb", as_version=4)
        text = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
        missing = [c for c in EXAMPLE_NAMES if c not in text]
        assert not missing, f"{stem}: outputs never name {missing}"
    for name in ("generated_fixed.csv", "generated_original.csv"):
        gen = pd.read_csv(art / name)
        assert set(gen["condition"]) == set(EXAMPLE_NAMES), name


def test_a_tidy_csv_is_split_at_missing_frames(tmp_path):
    rows = []
    for cond in ("A", "B"):
        for k in range(2):
            frames = [f for f in range(80) if not (cond == "A" and k == 0 and f in (40, 41))]
            rows += [{"track_id": f"{cond}{k}", "condition": cond, "t": 5.0 * f, "x": f, "y": 0}
                     for f in frames]
    pd.DataFrame(rows).to_csv(tmp_path / "t.csv", index=False)
    df, counts = load_dataset(str(tmp_path / "t.csv"), return_counts=True)
    assert {"A0~1", "A0~2"} <= set(df.track_id) and "A0" not in set(df.track_id)
    assert df.groupby("track_id")["t"].diff().max() == 5.0  # no velocity across the gap
    assert counts.loc["A", "tracks split at gaps"] == 1


def test_2d_trackmate_movie_next_to_a_3d_one_gets_z_zero(tmp_path):
    flat = _spots([(0, float(f), 0.0, f) for f in range(40)])
    deep = flat.assign(POSITION_Z=np.arange(40) * 0.5)
    write_trackmate_csv(flat, tmp_path / "flat.csv", "micron", "sec")
    write_trackmate_csv(deep, tmp_path / "deep.csv", "micron", "sec")
    (tmp_path / "c.yml").write_text(
        "format: trackmate\nmin_track_steps: 2\nconditions:\n  Dish: {file: flat.csv}\n  Gel: {file: deep.csv}\n")
    with pytest.raises(DataError, match="condition 'Dish' has 1 usable track"):
        load_dataset(str(tmp_path / "c.yml"))  # one track per condition cannot be split
    two = pd.concat([flat, flat.assign(TRACK_ID=1)])
    write_trackmate_csv(two, tmp_path / "flat.csv", "micron", "sec")
    write_trackmate_csv(pd.concat([deep, deep.assign(TRACK_ID=1)]), tmp_path / "deep.csv", "micron", "sec")
    df = load_dataset(str(tmp_path / "c.yml"))
    assert (df.loc[df.condition == "Dish", "z"] == 0).all()
    assert np.allclose(np.diff(df.loc[df.track_id == "Gel/0", "z"]), 0.5)
    assert df.loc[df.track_id == "Gel/0", "t"].diff().max() == pytest.approx(0.5)  # 30 s


def test_trackmate_xml_example_reads_the_same_tracks_as_its_csv_twin():
    """The worked example saved as TrackMate XML (spots, edges, tracks) gives the very table
    its spot-table CSV exports give: same conditions, times and positions in µm and min."""
    a = load_dataset(EXAMPLE)
    b = load_dataset("data/example/config-xml.yml")
    assert list(a["condition"].unique()) == list(b["condition"].unique()) == EXAMPLE_NAMES
    assert a["track_id"].nunique() == b["track_id"].nunique()
    np.testing.assert_allclose(a[["t", "x", "y"]].to_numpy(), b[["t", "x", "y"]].to_numpy(), atol=1e-3)



# --------------------------------------------------------------------------- dividing cells
def test_pieces_of_a_dividing_cell_never_straddle_training_and_test_sets():
    """A lineage cut into pieces (and the pieces cut again at gaps) is one cell: every seeded
    split puts all of its pieces on one side."""
    from cellmotion.preprocess import split_by_cell

    ids = np.array([f"c/{k}~{p}" for k in range(12) for p in (1, 2, 3)]
                   + ["c/0~2~1", "c/0~2~2", "c/5~1~1"])
    labels = np.zeros(len(ids), dtype=int)
    for seed in range(10):
        train, test = split_by_cell(ids, ["c"], labels, 0.3, seed)
        lineage = lambda i: ids[i].split("~")[0]  # noqa: E731
        assert not {lineage(i) for i in train} & {lineage(i) for i in test}


def test_branches_sentence_counts_the_branching_tracks_and_says_what_was_done():
    from cellmotion.findings.data import branches_sentence

    counts = pd.DataFrame({"branching tracks": [2, 0], "pieces from branching tracks": [7, 0]},
                          index=pd.Index(["A", "B"], name="condition"))
    assert branches_sentence(counts, "split") == (
        "2 tracks branch (a cell division or two cells merging; A: 2) and were cut into 7 "
        "unbranched pieces, each lineage kept as one cell in every split (branches: split).")
    one = counts.assign(**{"branching tracks": [1, 0], "pieces from branching tracks": [1, 0]})
    assert branches_sentence(one, "longest").startswith("1 track branches (")
    assert "reduced to their longest path (1 tracks)" in branches_sentence(one, "longest")
    assert branches_sentence(counts * 0, "split").startswith("No track branches")
    assert branches_sentence(pd.DataFrame({"used": [3]}), "split").startswith("The input has no")


def test_export_sentence_states_tracks_units_step_and_branches():
    from cellmotion.findings.data import export_sentence
    from cellmotion.io import load_trackmate_xml

    df = load_trackmate_xml(Path(__file__).parent / "fixtures" / "real"
                            / "trackmate-6.0.3_splitting_trimmed.xml", "m", calibrated=False)
    s = export_sentence(df, "f.xml", "TrackMate 6")
    assert s.startswith("f.xml (TrackMate 6): 7 tracks, 133 positions, positions in px, ")
    assert "one step every 1 s" in s  # the file's 1 s frames, not 0.0166667 min
    assert s.endswith("; 1 track(s) branch and became 5 pieces (branches: split).")


def test_too_short_message_of_uncalibrated_data_speaks_in_frames(tmp_path):
    rows = [{"track_id": f"{c}{k}", "condition": c, "t": float(t), "x": float(t), "y": 0.0}
            for c in "AB" for k in range(3) for t in range(10 if c == "A" else 4)]
    pd.DataFrame(rows).to_csv(tmp_path / "px.csv", index=False)
    (tmp_path / "config.yml").write_text("format: tidy\nfile: px.csv\nunits: {calibrated: false}\n"
                                         "interval: 1\nmin_track_steps: 5\n")
    with pytest.raises(DataError, match=r"condition 'B' has 0 usable track\(s\) out of 3; at least "
                                         r"2 need 5 steps of 1 frame \(5 frames\)"):
        load_dataset(str(tmp_path / "config.yml"))


def test_load_dataset_counts_and_describes_branching_tracks(tmp_path):
    real = Path(__file__).parent / "fixtures" / "real" / "trackmate-6.0.3_splitting_trimmed.xml"
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes(real.read_bytes())
    (tmp_path / "config.yml").write_text(
        "format: trackmate-xml\nunits: {calibrated: false}\ninterval: 0.0166666666667\n"
        "min_track_steps: 8\nconditions: {A: {file: a.xml}, B: {file: b.xml}}\n")
    df, counts = load_dataset(str(tmp_path / "config.yml"), return_counts=True)
    assert counts["branching tracks"].tolist() == [1, 1]
    assert df.attrs["branches"]["branching"] == 2

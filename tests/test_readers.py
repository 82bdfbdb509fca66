"""Readers of other programs' files: TrackMate XML, trackpy, celltrackR, and the text options
(gzip, encodings, separators, lines above the header) shared by every CSV reader.

Fixtures are in ``tests/fixtures``; each test states one claim and fails when it is false.
"""

import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cellmotion.contract import DataError, canonical_unit, cell_ids
from cellmotion.io.text import decode_file, read_table, read_text, sniff_separator
from cellmotion.io.trackmate_xml import load_trackmate_xml
from cellmotion.io.trackmate import load_trackmate_csv
from cellmotion.io.trackpy import load_celltrackr_csv, load_trackpy

FIX = Path(__file__).parent / "fixtures"
XML = FIX / "trackmate_micron_sec.xml"
XML_PX = FIX / "trackmate_pixel_frame.xml"


def _xml_variant(tmp_path, text, name="variant.xml", base=XML):
    """A copy of a fixture XML with ``text`` edits applied: a list of (old, new) pairs."""
    s = base.read_text(encoding="utf-8")
    for old, new in text:
        assert old in s, old
        s = s.replace(old, new)
    p = tmp_path / name
    p.write_text(s, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- TrackMate XML
def test_trackmate_xml_in_microns_and_seconds_gives_um_and_minutes_one_track_per_filtered_track():
    df = load_trackmate_xml(XML, "ctrl")
    assert list(df.columns) == ["track_id", "condition", "t", "x", "y"]  # z = 0 everywhere: 2D
    assert sorted(df["track_id"].unique()) == ["ctrl/Track_0", "ctrl/Track_1"]
    assert (df["condition"] == "ctrl").all()
    t0 = df[df.track_id == "ctrl/Track_0"]
    np.testing.assert_allclose(t0["t"], [0.0, 0.5, 1.0, 1.5, 2.0])  # 30 s frames
    np.testing.assert_allclose(t0["x"], [10.0, 12.0, 14.0, 16.0, 18.0])
    np.testing.assert_allclose(t0["y"], [20.0, 21.0, 22.0, 23.0, 24.0])
    t1 = df[df.track_id == "ctrl/Track_1"]  # a gap-closing edge skips frame 3
    np.testing.assert_allclose(t1["t"], [0.0, 0.5, 1.0, 2.0])
    np.testing.assert_allclose(t1["y"], [50.25, 53.25, 56.25, 62.25])
    assert df.attrs["tracks_in_file"] == 3 and df.attrs["tracks_filtered_out"] == 1


def test_trackmate_xml_filtered_out_track_and_lone_spot_are_not_read():
    df = load_trackmate_xml(XML, "ctrl")
    assert "ctrl/Track_2" not in set(df["track_id"])
    assert not np.isclose(df["x"], 300.0).any()  # Track_2 starts at x = 300 µm
    assert not np.isclose(df["x"], 250.0).any()  # spot 99 belongs to no track
    assert len(df) == 9


def test_trackmate_xml_without_filtered_tracks_reads_every_track(tmp_path):
    s = XML.read_text(encoding="utf-8")
    start, end = s.index("    <FilteredTracks>"), s.index("</FilteredTracks>\n") + len("</FilteredTracks>\n")
    p = tmp_path / "unfiltered.xml"
    p.write_text(s[:start] + s[end:], encoding="utf-8")
    df = load_trackmate_xml(p, "ctrl")
    assert df["track_id"].nunique() == 3


def test_trackmate_xml_condition_defaults_to_the_file_stem_and_replicate_fills_its_column():
    df = load_trackmate_xml(XML, replicate="movie1")
    assert set(df["condition"]) == {"trackmate_micron_sec"}
    assert df["track_id"].iloc[0] == "trackmate_micron_sec/Track_0"
    assert set(df["replicate"]) == {"movie1"}


def test_trackmate_xml_in_pixels_and_frames_is_scaled_by_pixel_size_and_frame_interval():
    df = load_trackmate_xml(XML_PX, "A", um_per_pixel=0.5, frame_interval=2.0)
    assert "z" in df.columns  # z changes: 3D
    t0 = df[df.track_id == "A/Track_0"]
    np.testing.assert_allclose(t0["t"], [0.0, 2.0, 4.0])
    np.testing.assert_allclose(t0["x"], [5.0, 5.5, 6.0])
    np.testing.assert_allclose(t0["z"], [1.0, 1.25, 1.5])


def test_trackmate_xml_in_pixels_without_pixel_size_is_refused():
    with pytest.raises(DataError, match=r"trackmate_pixel_frame\.xml.*pixels.*um_per_pixel"):
        load_trackmate_xml(XML_PX, "A", frame_interval=2.0)


def test_trackmate_xml_in_frames_without_frame_interval_is_refused():
    with pytest.raises(DataError, match=r"frame numbers.*frame_interval"):
        load_trackmate_xml(XML_PX, "A", um_per_pixel=0.5)


def test_trackmate_xml_pixel_size_for_a_calibrated_file_is_refused():
    with pytest.raises(DataError, match=r"already in micron.*leave um_per_pixel out"):
        load_trackmate_xml(XML, "ctrl", um_per_pixel=0.65)


def test_trackmate_xml_frame_interval_must_agree_with_the_file_times():
    agree = load_trackmate_xml(XML, "ctrl", frame_interval=0.5)  # 30 s = 0.5 min
    np.testing.assert_allclose(agree["t"], load_trackmate_xml(XML, "ctrl")["t"])
    with pytest.raises(DataError, match=r"frame_interval = 1 min disagrees.*frame 4 is at "
                                         r"POSITION_T = 120 sec \(2 min\)"):
        load_trackmate_xml(XML, "ctrl", frame_interval=1.0)


@pytest.mark.parametrize("unit, factor", [
    ("micron", 1.0), ("microns", 1.0), ("\u00b5m", 1.0), ("\u03bcm", 1.0), ("um", 1.0),
    ("micrometer", 1.0), ("micrometre", 1.0), ("micrometres", 1.0), ("nm", 1e-3), ("mm", 1e3)])
def test_trackmate_xml_length_unit_spellings_map_to_the_right_factor(tmp_path, unit, factor):
    p = _xml_variant(tmp_path, [('spatialunits="micron"', f'spatialunits="{unit}"')])
    df = load_trackmate_xml(p, "c")
    assert df["x"].iloc[0] == pytest.approx(10.0 * factor)


@pytest.mark.parametrize("unit, factor", [
    ("ms", 1 / 60000), ("s", 1 / 60), ("sec", 1 / 60), ("second", 1 / 60), ("seconds", 1 / 60),
    ("min", 1.0), ("minute", 1.0), ("minutes", 1.0), ("h", 60.0), ("hr", 60.0), ("hour", 60.0),
    ("hours", 60.0)])
def test_trackmate_xml_time_unit_spellings_map_to_the_right_factor(tmp_path, unit, factor):
    p = _xml_variant(tmp_path, [('timeunits="sec"', f'timeunits="{unit}"')])
    df = load_trackmate_xml(p, "c")
    assert df["t"].iloc[1] == pytest.approx(30.0 * factor)  # second spot: POSITION_T = 30


@pytest.mark.parametrize("spatial, temporal", [("pixels", "frames"), ("px", "frame")])
def test_trackmate_xml_pixel_and_frame_spellings_need_and_use_their_sizes(tmp_path, spatial,
                                                                           temporal):
    p = _xml_variant(tmp_path, [('spatialunits="pixel" timeunits="frame"',
                                 f'spatialunits="{spatial}" timeunits="{temporal}"')], base=XML_PX)
    df = load_trackmate_xml(p, "c", um_per_pixel=0.25, frame_interval=3.0)
    assert df["x"].iloc[0] == pytest.approx(2.5) and df["t"].iloc[1] == pytest.approx(3.0)


def test_trackmate_xml_unknown_unit_is_refused(tmp_path):
    p = _xml_variant(tmp_path, [('spatialunits="micron"', 'spatialunits="inch"')])
    with pytest.raises(DataError, match=r"unknown length unit 'inch'"):
        load_trackmate_xml(p, "c")


DIVISION = FIX / "trackmate_division_shuffled.xml"


def test_trackmate_xml_division_is_split_into_unbranched_pieces_of_one_cell():
    """Track_0 divides after frame 1 (spot 1 -> spots 2 and 5); its edges are listed out of
    time order. With the default policy it becomes the mother and two daughters, each in
    time order, and all three are the one cell Track_0."""
    df = load_trackmate_xml(DIVISION, "c")
    pieces = {tid: g for tid, g in df.groupby("track_id")}
    assert sorted(pieces) == ["c/Track_0~1", "c/Track_0~2", "c/Track_0~3", "c/Track_1"]
    np.testing.assert_allclose(pieces["c/Track_0~1"]["x"], [10.0, 12.0])  # the mother
    np.testing.assert_allclose(pieces["c/Track_0~2"]["x"], [14.0, 16.0, 18.0])
    np.testing.assert_allclose(pieces["c/Track_0~3"]["x"], [11.0, 9.0, 7.0])
    for g in pieces.values():
        assert (np.diff(g["t"].to_numpy()) > 0).all()
    assert set(cell_ids(df["track_id"])) == {"c/Track_0", "c/Track_1"}
    assert df.attrs["branches"] == {"policy": "split", "branching": 1, "pieces": 3,
                                    "positions_left_out": 0}


def test_pieces_cut_again_at_gaps_stay_one_cell():
    assert list(cell_ids(["c/7~2~1", "c/7~2", "c/7", "c/8~1"])) == ["c/7", "c/7", "c/7", "c/8"]


def test_trackmate_xml_longest_keeps_the_longest_path_through_a_division():
    df = load_trackmate_xml(DIVISION, "c", branches="longest")
    t0 = df[df["track_id"] == "c/Track_0"]
    assert len(t0) == 5 and (np.diff(t0["t"].to_numpy()) > 0).all()
    np.testing.assert_allclose(t0["x"].iloc[:2], [10.0, 12.0])
    assert df.attrs["branches"]["positions_left_out"] == 3


def test_trackmate_xml_refuse_names_every_branching_track(tmp_path):
    extra = ('<Track name="Track_2" TRACK_ID="2" NUMBER_SPOTS="3" NUMBER_SPLITS="0" '
             'NUMBER_MERGES="0">\n        <Edge SPOT_SOURCE_ID="21" SPOT_TARGET_ID="99" '
             'LINK_COST="-1.0" />')
    p = _xml_variant(tmp_path, [
        ('<Track name="Track_2" TRACK_ID="2" NUMBER_SPOTS="3" NUMBER_SPLITS="0" NUMBER_MERGES="0">',
         extra), ('<TrackID TRACK_ID="1" />', '<TrackID TRACK_ID="1" />\n      <TrackID TRACK_ID="2" />')],
        base=DIVISION)
    with pytest.raises(DataError, match=r"2 track\(s\) branch .*'Track_0' \(TRACK_ID 0\), "
                                         r"'Track_2' \(TRACK_ID 2\)\..*branches: split"):
        load_trackmate_xml(p, "c", branches="refuse")


def test_unknown_branch_policy_is_refused_with_a_suggestion():
    with pytest.raises(DataError, match=r"unknown branch policy 'branches: splitt' \(did you "
                                         r"mean 'split'\?\)"):
        load_trackmate_xml(DIVISION, "c", branches="splitt")


def _shuffled_edges(path: Path, out: Path, seed: int) -> Path:
    """A copy of a TrackMate XML with the edges of every track in a random order."""
    text = path.read_text(encoding="utf-8")
    rng = np.random.default_rng(seed)

    def shuffle(m):
        edges = re.findall(r"\s*<Edge [^>]*/>", m.group(2))
        order = rng.permutation(len(edges))
        if (order == np.arange(len(edges))).all():
            order = order[::-1]  # never the file's own order
        return m.group(1) + "".join(edges[i] for i in order) + m.group(3)

    out.write_text(re.sub(r"(<Track [^>]*>)(.*?)(\s*</Track>)", shuffle, text, flags=re.S),
                   encoding="utf-8")
    return out


XML_FIXTURES = [XML, XML_PX, DIVISION, FIX / "real" / "trackmate-3.7_FakeTracks.xml",
                FIX / "real" / "trackmate-6.0.3_splitting_trimmed.xml"]


@pytest.mark.parametrize("path", XML_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shuffling_the_edges_of_a_trackmate_xml_changes_nothing_in_the_table(path, seed, tmp_path):
    if not path.exists():
        pytest.skip(f"{path.name} not in the corpus")
    kw = {"um_per_pixel": 1.0, "frame_interval": 1.0} if path == XML_PX else {}
    kw = {"calibrated": False} if path.parent.name == "real" else kw
    ref = load_trackmate_xml(path, "c", **kw)
    got = load_trackmate_xml(_shuffled_edges(path, tmp_path / path.name, seed), "c", **kw)
    assert (tmp_path / path.name).read_text(encoding="utf-8") != path.read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(got, ref)


def test_trackmate_xml_repeated_track_names_fall_back_to_track_ids(tmp_path):
    p = _xml_variant(tmp_path, [('name="Track_1"', 'name="Track_0"')])
    df = load_trackmate_xml(p, "ctrl")
    assert sorted(df["track_id"].unique()) == ["ctrl/0", "ctrl/1"]


def test_malformed_xml_is_refused_naming_the_line():
    lines = (FIX / "trackmate_malformed.xml").read_text(encoding="utf-8").splitlines()
    assert lines[27].strip() == "</AllSpots>"  # where the unclosed <SpotsInFrame> shows up
    with pytest.raises(DataError, match=r"trackmate_malformed\.xml: malformed XML at line 28, "
                                         r"column \d+: mismatched tag"):
        load_trackmate_xml(FIX / "trackmate_malformed.xml", "ctrl")


def test_truncated_xml_is_refused_as_ending_early(tmp_path):
    p = tmp_path / "cut.xml"
    p.write_bytes(XML.read_bytes()[:1500])
    with pytest.raises(DataError, match=r"malformed XML at line \d+.*ends early"):
        load_trackmate_xml(p, "ctrl")


def test_empty_or_missing_xml_is_refused(tmp_path):
    p = tmp_path / "empty.xml"
    p.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.xml: the file is empty"):
        load_trackmate_xml(p, "c")
    with pytest.raises(DataError, match=r"gone\.xml: file not found"):
        load_trackmate_xml(tmp_path / "gone.xml", "c")


def test_xml_that_is_not_trackmate_is_refused(tmp_path):
    p = tmp_path / "drawing.xml"
    p.write_text('<?xml version="1.0"?>\n<svg><rect width="3"/></svg>\n')
    with pytest.raises(DataError, match=r"drawing\.xml: not a TrackMate file: the root element "
                                         r"is <svg>"):
        load_trackmate_xml(p, "c")
    p.write_text('<?xml version="1.0"?>\n<TrackMate version="7"><Settings/></TrackMate>\n')
    with pytest.raises(DataError, match=r"not a TrackMate session file: <TrackMate> has no "
                                         r"<Model>"):
        load_trackmate_xml(p, "c")


def test_trackmate_xml_without_tracks_is_refused():
    with pytest.raises(DataError, match=r"trackmate_no_tracks\.xml: the file has 5 spot\(s\) but "
                                         r"no tracks.*tracking step"):
        load_trackmate_xml(FIX / "trackmate_no_tracks.xml", "c")


def test_trackmate_xml_whose_filters_remove_every_track_is_refused(tmp_path):
    p = _xml_variant(tmp_path, [('      <TrackID TRACK_ID="0" />\n      <TrackID TRACK_ID="1" />\n',
                                 "")])
    with pytest.raises(DataError, match=r"none of the file's 3 tracks passes"):
        load_trackmate_xml(p, "c")


def test_trackmate_xml_with_undecodable_bytes_is_refused_naming_the_byte_offset(tmp_path):
    raw = XML.read_bytes().replace(b'name="Track_0"', b'name="Zelle \xb5"')  # cp1252 µ
    p = tmp_path / "edited.xml"
    p.write_bytes(raw)
    offset = raw.index(b"\xb5")
    with pytest.raises(DataError, match=rf"edited\.xml: cannot decode byte b'\\xb5' at byte "
                                        rf"offset {offset} .*as UTF-8"):
        load_trackmate_xml(p, "c")


def test_gzipped_trackmate_xml_reads_like_plain(tmp_path):
    p = tmp_path / "ctrl_movie1.xml.gz"
    p.write_bytes(gzip.compress(XML.read_bytes()))
    df = load_trackmate_xml(p)
    plain = load_trackmate_xml(XML, "ctrl_movie1")
    pd.testing.assert_frame_equal(df, plain)  # also: the stem drops .xml.gz


# --------------------------------------------------------------------------- trackpy
def test_trackpy_csv_is_scaled_from_pixels_and_frames_and_ignores_feature_columns():
    df = load_trackpy(FIX / "trackpy_tracks.csv", "ctrl", um_per_pixel=0.5, frame_interval=2.0)
    assert list(df.columns) == ["track_id", "condition", "t", "x", "y"]
    assert sorted(df["track_id"].unique()) == ["ctrl/0", "ctrl/1"]
    p0 = df[df.track_id == "ctrl/0"]
    np.testing.assert_allclose(p0["t"], [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_allclose(p0["x"], [50.125, 50.875, 51.625, 52.375])  # 100.25 px * 0.5
    np.testing.assert_allclose(p0["y"], [100.25, 100.0, 99.75, 99.5])


def test_trackpy_dataframe_with_frame_index_reads_like_its_csv():
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0)
    raw.index = pd.Index(raw["frame"].to_numpy(), name="frame")  # as trackpy.link returns it
    from_frame = load_trackpy(raw, "ctrl", um_per_pixel=0.5, frame_interval=2.0)
    from_csv = load_trackpy(FIX / "trackpy_tracks.csv", "ctrl", um_per_pixel=0.5,
                            frame_interval=2.0)
    pd.testing.assert_frame_equal(from_frame.reset_index(drop=True), from_csv, check_dtype=False)


def test_trackpy_csv_written_with_a_frame_index_reads_the_frame_once(tmp_path):
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0)
    raw.index = pd.Index(raw["frame"].to_numpy(), name="frame")
    p = tmp_path / "linked.csv"
    raw.to_csv(p)  # header: frame,y,x,...,frame,particle
    df = load_trackpy(p, "ctrl", um_per_pixel=1.0, frame_interval=1.0)
    assert len(df) == 8 and list(df["t"].iloc[:4]) == [0.0, 1.0, 2.0, 3.0]


def test_trackpy_table_without_condition_is_refused_asking_for_one():
    with pytest.raises(DataError, match=r"trackpy_tracks\.csv: the table has no 'condition' "
                                         r"column; give the condition"):
        load_trackpy(FIX / "trackpy_tracks.csv", um_per_pixel=0.5, frame_interval=2.0)


def test_trackpy_positions_in_pixels_need_a_pixel_size():
    with pytest.raises(DataError, match=r"um_per_pixel"):
        load_trackpy(FIX / "trackpy_tracks.csv", "ctrl", frame_interval=2.0)


def test_unlinked_trackpy_table_is_refused_pointing_to_link():
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0).drop(columns="particle")
    with pytest.raises(DataError, match=r"missing column\(s\) 'particle'.*trackpy\.link"):
        load_trackpy(raw, "ctrl", um_per_pixel=1.0, frame_interval=1.0)


def test_trackpy_table_with_condition_and_replicate_columns_keeps_tracks_of_movies_apart():
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0)
    two = pd.concat([raw.assign(replicate="m1"), raw.assign(replicate="m2", x=raw["x"] + 1000)])
    df = load_trackpy(two.assign(condition="ctrl"), um_per_pixel=1.0, frame_interval=1.0)
    assert sorted(df["track_id"].unique()) == ["ctrl/m1/0", "ctrl/m1/1", "ctrl/m2/0", "ctrl/m2/1"]
    assert set(df.loc[df.track_id == "ctrl/m2/0", "replicate"]) == {"m2"}


def test_trackpy_condition_argument_contradicting_the_table_is_refused():
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0).assign(condition="ctrl")
    with pytest.raises(DataError, match=r"has a 'condition' column \(ctrl\) and "
                                         r"condition='drug' was given"):
        load_trackpy(raw, "drug", um_per_pixel=1.0, frame_interval=1.0)


# --------------------------------------------------------------------------- celltrackR
def test_celltrackr_write_csv_export_reads_id_t_x_y_z():
    df = load_celltrackr_csv(FIX / "celltrackr_tracks.csv", "T", time_unit="s")
    assert list(df.columns) == ["track_id", "condition", "t", "x", "y", "z"]
    assert sorted(df["track_id"].unique()) == ["T/1", "T/2"]
    t1 = df[df.track_id == "T/1"]
    np.testing.assert_allclose(t1["t"], [0.0, 0.4, 0.8, 1.2])  # 24 s steps
    np.testing.assert_allclose(t1["x"], [10.0, 11.5, 13.0, 14.5])
    np.testing.assert_allclose(t1["z"], [5.0, 5.25, 5.5, 5.75])


def test_celltrackr_default_units_are_micrometres_and_minutes():
    df = load_celltrackr_csv(FIX / "celltrackr_tracks.csv", "T")
    np.testing.assert_allclose(df["t"].iloc[:4], [0.0, 24.0, 48.0, 72.0])
    assert df["x"].iloc[1] == 11.5


@pytest.mark.parametrize("unit", ["pixel", "pixels", "px"])
def test_celltrackr_pixel_spellings_scale_by_pixel_size(unit):
    df = load_celltrackr_csv(FIX / "celltrackr_tracks.csv", "T", length_unit=unit,
                             um_per_pixel=0.5)
    assert df["x"].iloc[1] == pytest.approx(5.75)


@pytest.mark.parametrize("unit", ["frame", "frames"])
def test_celltrackr_frame_spellings_scale_by_frame_interval(unit):
    df = load_celltrackr_csv(FIX / "celltrackr_tracks.csv", "T", time_unit=unit,
                             frame_interval=0.5)
    assert df["t"].iloc[1] == pytest.approx(12.0)


def test_celltrackr_timepoint_column_is_ignored(tmp_path):
    lines = (FIX / "celltrackr_tracks.csv").read_text().splitlines()
    out = ['"","id","timepoint","t","x","y","z"']
    for k, ln in enumerate(lines[1:]):
        f = ln.split(",")
        out.append(",".join(f[:2] + [f'"{k % 4 + 1}"'] + f[2:]))
    p = tmp_path / "with_timepoint.csv"
    p.write_text("\n".join(out) + "\n")
    pd.testing.assert_frame_equal(load_celltrackr_csv(p, "T"),
                                  load_celltrackr_csv(FIX / "celltrackr_tracks.csv", "T"),
                                  check_like=True, check_exact=False, obj="timepoint ignored")


def test_celltrackr_without_condition_is_refused():
    with pytest.raises(DataError, match=r"no 'condition' column; give the condition"):
        load_celltrackr_csv(FIX / "celltrackr_tracks.csv")


def test_celltrackr_tracks_of_four_dimensions_are_refused(tmp_path):
    p = tmp_path / "4d.csv"
    p.write_text('"","id","t","x1","x2","x3","x4"\n"1","1",0,1,2,3,4\n"2","1",1,1,2,3,5\n')
    with pytest.raises(DataError, match=r"4 spatial dimensions \(x1, x2, x3, x4\)"):
        load_celltrackr_csv(p, "T")


# --------------------------------------------------------------------------- text options
def _tidy_reference():
    return read_table(FIX / "tidy.csv")


def test_cp1252_export_reads_with_the_encoding_fallback_and_matches_its_utf8_twin():
    cp = read_table(FIX / "trackmate_spots_cp1252.csv", dtype=str, keep_default_na=False)
    utf = read_table(FIX / "trackmate_spots_utf8.csv", dtype=str, keep_default_na=False)
    assert (FIX / "trackmate_spots_cp1252.csv").read_bytes().count(b"\xb5") == 3
    assert cp.attrs["encoding"] == "cp1252" and utf.attrs["encoding"] == "utf-8"
    pd.testing.assert_frame_equal(cp, utf)
    assert cp.loc[2, "POSITION_X"] == "(\u00b5m)"
    assert canonical_unit(cp.loc[2, "POSITION_X"]) == "um"


def test_explicit_encoding_that_fails_is_refused_naming_file_and_byte_offset():
    path = FIX / "trackmate_spots_cp1252.csv"
    offset = path.read_bytes().index(b"\xb5")
    with pytest.raises(DataError, match=rf"trackmate_spots_cp1252\.csv: cannot decode byte "
                                        rf"b'\\xb5' at byte offset {offset} \(line 4\) as utf-8"):
        read_table(path, encoding="utf-8")
    assert read_table(path, encoding="cp1252").attrs["encoding"] == "cp1252"


def test_unknown_encoding_name_is_refused():
    with pytest.raises(DataError, match=r"unknown encoding 'utf-9'"):
        read_text(FIX / "tidy.csv", encoding="utf-9")


def test_utf16_excel_unicode_text_is_read(tmp_path):
    p = tmp_path / "unicode.txt"
    p.write_bytes((FIX / "tidy.csv").read_text().replace(",", "\t").encode("utf-16"))
    df = read_table(p)
    assert df.attrs["encoding"] == "utf-16" and df.attrs["sep"] == "\t"
    pd.testing.assert_frame_equal(df, _tidy_reference())


def test_gzip_reads_like_plain(tmp_path):
    gz = read_table(FIX / "tidy.csv.gz")
    assert gz.attrs["gzipped"] is True
    pd.testing.assert_frame_equal(gz, _tidy_reference())
    hidden = tmp_path / "tidy_no_suffix.csv"  # gzip content, no .gz in the name
    shutil.copy(FIX / "tidy.csv.gz", hidden)
    pd.testing.assert_frame_equal(read_table(hidden), _tidy_reference())


def test_gz_name_without_gzip_content_is_refused(tmp_path):
    p = tmp_path / "plain.csv.gz"
    shutil.copy(FIX / "tidy.csv", p)
    with pytest.raises(DataError, match=r"plain\.csv\.gz: the name ends in \.gz but the file is "
                                         r"not gzip-compressed"):
        read_table(p)


def test_damaged_gzip_is_refused(tmp_path):
    p = tmp_path / "cut.csv.gz"
    p.write_bytes((FIX / "tidy.csv.gz").read_bytes()[:40])
    with pytest.raises(DataError, match=r"cut\.csv\.gz: the gzip file is damaged or truncated"):
        read_table(p)


def test_semicolon_excel_export_with_decimal_comma_bom_and_crlf_gives_the_same_numbers():
    df = read_table(FIX / "tidy_semicolon.csv")
    assert df.attrs["sep"] == ";" and df.attrs["decimal"] == ","
    assert list(df.columns) == ["track_id", "condition", "t", "x", "y"]  # no BOM, no \r
    pd.testing.assert_frame_equal(df, _tidy_reference())


def test_tab_separated_file_with_three_lines_above_the_header_reads_with_skiprows():
    df = read_table(FIX / "tidy_imaris.tsv", skiprows=3)
    assert df.attrs["sep"] == "\t"
    pd.testing.assert_frame_equal(df, _tidy_reference())


def test_explicit_separator_is_used_as_given():
    df = read_table(FIX / "tidy_imaris.tsv", skiprows=3, sep=",")
    assert df.shape[1] == 1  # a tab file split at commas: one column


@pytest.mark.parametrize("lines, sep", [
    (["a,b,c", "1,2,3"], ","), (["a;b;c", "1,5;2,5;3"], ";"), (["a\tb\tc", "1,5\t2\t3"], "\t"),
    (['"x, y";b;c', '"1, 2";3;4'], ";"), (["single", "1"], ",")])
def test_separator_is_sniffed_from_header_and_rows(lines, sep):
    assert sniff_separator(lines) == sep


def test_ragged_row_is_refused_naming_the_file_line(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("junk\nmore junk\nt,x,y\n0,1,2\n1,2,3,4\n")
    with pytest.raises(DataError, match=r"ragged\.csv: cannot read the table \(comma-separated\)"
                                         r".*line 5"):
        read_table(p, skiprows=2)


def test_empty_and_missing_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("\r\n\n")
    with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
        read_table(empty)
    with pytest.raises(DataError, match=r"nothere\.csv: file not found"):
        read_table(tmp_path / "nothere.csv")


def test_crlf_line_ends_are_normalised():
    text = decode_file(FIX / "trackmate_spots_cp1252.csv")
    raw = (FIX / "trackmate_spots_cp1252.csv").read_bytes()
    assert b"\r\n" in raw and "\r" not in text.text
    assert text.text.count("\n") == raw.count(b"\r\n")
    assert re.match(r"LABEL,ID,TRACK_ID", text.text)


# --------------------------------------------------------------------------- real exports
# Files other programs wrote (tests/fixtures/real/README.md: source, commit, licence). Each
# test reads what the file itself states (its own XML attributes or unit row) with the standard
# library or plain pandas, and checks the loaded table against it.
REAL = FIX / "real"


def _xml_facts(path):
    """Tracks kept, spots per kept track, units and frame step as the XML states them."""
    from xml.etree import ElementTree as ET

    root = ET.parse(path).getroot()
    model = root.find("Model")
    kept = {e.get("TRACK_ID") for e in model.find("FilteredTracks")}
    tracks = {t.get("TRACK_ID"): t for t in model.find("AllTracks") if t.get("TRACK_ID") in kept}
    spots = {s.get("ID"): s for s in model.iter("Spot")}
    times = sorted({float(s.get("POSITION_T")) for s in spots.values()})
    frames = sorted({int(float(s.get("FRAME"))) for s in spots.values()})
    step = (times[-1] - times[0]) / (frames[-1] - frames[0])
    n_spots = {tid: len({x for e in t for x in (e.get("SPOT_SOURCE_ID"), e.get("SPOT_TARGET_ID"))})
               for tid, t in tracks.items()}
    return tracks, n_spots, model.get("spatialunits"), model.get("timeunits"), step


def test_real_trackmate_3_7_xml_with_edges_out_of_time_order_loads_as_the_file_says():
    path = REAL / "trackmate-3.7_FakeTracks.xml"
    tracks, n_spots, space, time, step = _xml_facts(path)
    assert (space, time) == ("pixel", "sec")
    df = load_trackmate_xml(path, "c", calibrated=False)  # no pixel size known: pixels stay
    assert df["track_id"].nunique() == len(tracks) == 2
    assert sorted(df.groupby("track_id").size()) == sorted(n_spots.values())
    assert df.attrs["length_unit"] == "px" and df.attrs["time_unit"] == "min"  # sec -> min
    dt = df.groupby("track_id")["t"].diff().dropna()
    np.testing.assert_allclose(dt, step / 60.0)  # every step one frame, in minutes
    raw_x = sorted(float(s) for s in re.findall(r'POSITION_X="([^"]+)"', path.read_text()))
    assert set(np.round(df["x"], 9)) <= set(np.round(raw_x, 9))  # pixels, not rescaled


def test_real_trackmate_3_7_xml_with_a_pixel_size_is_scaled_and_without_one_is_refused():
    path = REAL / "trackmate-3.7_FakeTracks.xml"
    px = load_trackmate_xml(path, "c", calibrated=False)
    um = load_trackmate_xml(path, "c", um_per_pixel=0.5)
    np.testing.assert_allclose(um["x"], 0.5 * px["x"])
    with pytest.raises(DataError, match=r"positions are in pixels.*units: \{um_per_pixel"):
        load_trackmate_xml(path, "c")


def test_real_trackmate_6_xml_with_two_divisions_splits_into_pieces_of_one_lineage():
    path = REAL / "trackmate-6.0.3_splitting_trimmed.xml"
    tracks, n_spots, space, time, step = _xml_facts(path)
    splits = {t.get("name"): int(t.get("NUMBER_SPLITS")) for t in tracks.values()}
    assert splits == {"Track_22": 2, "Track_23": 0, "Track_24": 0}
    df = load_trackmate_xml(path, "c", calibrated=False)
    assert len(df) == sum(n_spots.values()) == 133  # every spot of the three tracks, once
    cells = pd.Series(cell_ids(df["track_id"])).unique()
    assert sorted(cells) == ["c/Track_22", "c/Track_23", "c/Track_24"]
    pieces = df.loc[df["track_id"].str.startswith("c/Track_22"), "track_id"].unique()
    assert len(pieces) == 1 + 2 * splits["Track_22"]  # the mother, then two daughters per split
    assert df.attrs["branches"]["branching"] == 1 and df.attrs["branches"]["pieces"] == 5
    for _, g in df.groupby("track_id"):
        assert (np.diff(g["t"].to_numpy()) > 0).all()
    np.testing.assert_allclose(df.groupby("track_id")["t"].diff().dropna().min(), step / 60.0)
    longest = load_trackmate_xml(path, "c", calibrated=False, branches="longest")
    assert longest["track_id"].nunique() == 3
    with pytest.raises(DataError, match=r"1 track\(s\) branch .*'Track_22' \(TRACK_ID 0\)"):
        load_trackmate_xml(path, "c", calibrated=False, branches="refuse")


def _spot_table_facts(path):
    """Tracks, spots, unit row and frame step of a TrackMate 7 spot table, read plainly."""
    head = pd.read_csv(path, nrows=3, dtype=str, keep_default_na=False)
    units = dict(zip(head.columns, head.iloc[2]))
    rows = pd.read_csv(path, skiprows=[1, 2, 3])
    rows = rows[rows["TRACK_ID"].notna()]
    step = rows.sort_values("FRAME").groupby("TRACK_ID")["FRAME"].diff().median()
    return rows, units, step


def test_real_trackmate_7_spot_table_loads_in_the_units_of_its_unit_row():
    path = REAL / "trackmate-7_spots.csv.gz"
    rows, units, step = _spot_table_facts(path)
    assert (units["POSITION_X"], units["POSITION_T"]) == ("( )", "(frame)")  # no calibration
    df = load_trackmate_csv(path, "c", calibrated=False)
    assert df["track_id"].nunique() == rows["TRACK_ID"].nunique() == 73
    assert len(df) == len(rows)
    assert (df.attrs["length_unit"], df.attrs["time_unit"]) == ("px", "frame")
    assert df.groupby("track_id")["t"].diff().median() == step == 1.0
    first = rows[rows["TRACK_ID"] == rows["TRACK_ID"].min()].sort_values("FRAME")
    got = df[df["track_id"] == f"c/{int(rows['TRACK_ID'].min())}"]
    np.testing.assert_allclose(got["x"], first["POSITION_X"])  # pixels as written, time-ordered


@pytest.mark.parametrize("skiprows", [0, 1, 3, 4])
def test_real_trackmate_7_spot_table_loads_whatever_skiprows_a_user_gives(skiprows):
    path = REAL / "trackmate-7_spots.csv.gz"
    ref = load_trackmate_csv(path, "c", calibrated=False)
    got = load_trackmate_csv(path, "c", calibrated=False, skiprows=skiprows)
    pd.testing.assert_frame_equal(got, ref)


def test_real_trackmate_7_spot_table_without_calibration_names_the_keys_to_add():
    with pytest.raises(DataError, match=r"does not state the unit of POSITION_X.*units: \{length"
                                         r".*calibrated: false"):
        load_trackmate_csv(REAL / "trackmate-7_spots.csv.gz", "c")


@pytest.mark.parametrize("name, kind", [("trackmate-7_tracks-table_trimmed.csv", "tracks"),
                                        ("trackmate-7_edges-table_trimmed.csv", "edges")])
def test_real_trackmate_tracks_and_edges_tables_are_refused_as_the_wrong_table(name, kind):
    with pytest.raises(DataError, match=rf"not a TrackMate spot table.*This is TrackMate's {kind} "
                                        r"table: export the \*spots\* table"):
        load_trackmate_csv(REAL / name, "c", calibrated=False)


def test_a_table_that_is_neither_spots_nor_tracks_is_not_called_a_tracks_table(tmp_path):
    p = tmp_path / "other.csv"
    p.write_text("cell,time,px,py\n1,0,1.0,2.0\n1,1,1.5,2.5\n")
    with pytest.raises(DataError) as err:
        load_trackmate_csv(p, "c", calibrated=False)
    assert "tracks or edges table" not in str(err.value) and "tracks table" not in str(err.value)
    assert "TRACK_ID, POSITION_X" in str(err.value)


@pytest.mark.parametrize("seed", [0, 1])
def test_shuffling_the_rows_of_a_real_spot_table_changes_nothing_in_the_table(seed, tmp_path):
    path = REAL / "trackmate-7_spots.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    body = np.array(lines[4:], dtype=object)
    body = body[np.random.default_rng(seed).permutation(len(body))]
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join(lines[:4] + list(body)) + "\n")
    pd.testing.assert_frame_equal(load_trackmate_csv(shuffled, "c", calibrated=False),
                                  load_trackmate_csv(path, "c", calibrated=False),
                                  check_like=False, obj="shuffled spot rows")


@pytest.mark.parametrize("lines, expected", [
    (["1 1 24 90.8 65.3 -6416.8", "2 1 48 89.5 64.9 -6419.9"], r"\s+"),
    (["id  t   x", "1   0   1.5", "1   1   2.5"], r"\s+"),
    (["a,b c,d", "1,2 3,4"], ","),  # a comma table whose fields hold spaces stays comma
])
def test_runs_of_spaces_are_sniffed_only_when_no_other_separator_splits(lines, expected):
    assert sniff_separator(lines) == expected


# --------------------------------------------------------------------------- celltrackR text files
CTR_TXT = FIX / "celltrackr_headerless.txt"


def test_celltrackr_own_text_file_reads_by_position_ordered_by_time():
    lines = CTR_TXT.read_text().splitlines()
    df = load_celltrackr_csv(CTR_TXT, "T", header=False, time_unit="s",
                             columns={"track_id": 2, "t": 3, "x": 4, "y": 5, "z": 6})
    ids = {ln.split()[1] for ln in lines}
    assert df["track_id"].nunique() == len(ids) == 3
    assert len(df) == len(lines)
    np.testing.assert_allclose(df.groupby("track_id")["t"].diff().dropna(), 0.4)  # 24 s
    first = [ln.split() for ln in lines if ln.split()[1] == "1"]
    np.testing.assert_allclose(df.loc[df.track_id == "T/1", "x"], [float(f[3]) for f in first])


def test_celltrackr_text_file_rows_in_any_order_give_the_same_table(tmp_path):
    lines = CTR_TXT.read_text().splitlines()
    p = tmp_path / "shuffled.txt"
    p.write_text("\n".join(np.random.default_rng(0).permutation(lines)) + "\n")
    kw = dict(header=False, time_unit="s", columns={"track_id": 2, "t": 3, "x": 4, "y": 5, "z": 6})
    pd.testing.assert_frame_equal(load_celltrackr_csv(p, "T", **kw),
                                  load_celltrackr_csv(CTR_TXT, "T", **kw))


def test_celltrackr_file_without_header_and_without_columns_asks_for_positions():
    with pytest.raises(DataError, match=r"without a header needs its columns named by position"):
        load_celltrackr_csv(CTR_TXT, "T", header=False)


# --------------------------------------------------------------------------- trackpy lineages
def _lineage_table():
    """Particle 0 divides at frame 3 into particles 1 and 2 (parent column); 5 is alone."""
    rows = []
    for f in range(3):
        rows.append((0, f, 10.0 + f, 10.0, -1))
    for p, dx in ((1, 1.0), (2, -1.0)):
        for f in range(3, 7):
            rows.append((p, f, 12.0 + dx * (f - 2), 10.0 + dx, 0))
    for f in range(5):
        rows.append((5, f, 50.0, 50.0 + f, -1))
    return pd.DataFrame(rows, columns=["particle", "frame", "x", "y", "parent"])


def test_trackpy_parent_column_makes_one_cell_of_a_lineage_cut_at_the_division():
    df = load_trackpy(_lineage_table(), "c", um_per_pixel=1.0, frame_interval=1.0)
    assert sorted(df["track_id"].unique()) == ["c/0~1", "c/0~2", "c/0~3", "c/5"]
    assert sorted(set(cell_ids(df["track_id"]))) == ["c/0", "c/5"]
    assert df.attrs["branches"]["branching"] == 1
    longest = load_trackpy(_lineage_table(), "c", um_per_pixel=1.0, frame_interval=1.0,
                           branches="longest")
    assert longest.groupby("track_id").size().to_dict() == {"c/0": 7, "c/5": 5}
    with pytest.raises(DataError, match=r"1 lineage\(s\) branch .*'c/0'"):
        load_trackpy(_lineage_table(), "c", um_per_pixel=1.0, frame_interval=1.0,
                     branches="refuse")


def test_trackpy_rows_in_any_order_give_the_same_table():
    raw = pd.read_csv(FIX / "trackpy_tracks.csv", index_col=0)
    shuffled = raw.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(load_trackpy(shuffled, "c", um_per_pixel=1.0, frame_interval=1.0),
                                  load_trackpy(raw, "c", um_per_pixel=1.0, frame_interval=1.0))
    lin = _lineage_table()
    pd.testing.assert_frame_equal(
        load_trackpy(lin.sample(frac=1.0, random_state=1), "c", um_per_pixel=1.0,
                     frame_interval=1.0),
        load_trackpy(lin, "c", um_per_pixel=1.0, frame_interval=1.0))


# --------------------------------------------------------------------------- spot-table divisions
def test_a_division_in_a_spot_table_is_cut_where_the_number_of_spots_changes(tmp_path):
    """TrackMate's spot table has no links: track 4 has one spot per frame, then two (the
    daughters, one moving right and one left); the daughters are told apart by position."""
    rows = [(4, 10.0, 0.0, f) for f in range(3)]
    rows += [(4, 10.0 + 2 * k, 1.0, f) for k, f in enumerate(range(3, 7), start=1)]
    rows += [(4, 10.0 - 2 * k, -1.0, f) for k, f in enumerate(range(3, 7), start=1)]
    spots = pd.DataFrame(rows, columns=["TRACK_ID", "POSITION_X", "POSITION_Y", "FRAME"])
    spots = spots.sample(frac=1.0, random_state=2)  # any row order
    spots.insert(0, "ID", range(100, 100 + len(spots)))
    p = tmp_path / "spots.csv"
    spots.to_csv(p, index=False)
    df = load_trackmate_csv(p, "c", length_unit="um", frame_interval=1.0)
    pieces = {tid: g for tid, g in df.groupby("track_id")}
    assert sorted(pieces) == ["c/4~1", "c/4~2", "c/4~3"]
    xs = sorted(tuple(np.round(g["x"].to_numpy(), 6)) for g in pieces.values())
    assert xs == sorted([(10.0, 10.0, 10.0), (12.0, 14.0, 16.0, 18.0), (8.0, 6.0, 4.0, 2.0)])
    assert set(cell_ids(df["track_id"])) == {"c/4"}


@pytest.mark.parametrize("name, encoding", [("trackmate_spots_utf8.csv", "utf-8"),
                                            ("trackmate_spots_cp1252.csv", "cp1252")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shuffling_the_spot_rows_of_a_trackmate_fixture_changes_nothing(name, encoding, seed,
                                                                        tmp_path):
    lines = (FIX / name).read_bytes().decode(encoding).splitlines()
    head = next(k for k, ln in enumerate(lines) if ln.split(",")[0].startswith("ID"))
    body = list(np.random.default_rng(seed).permutation(lines[head:]))
    assert body != lines[head:]
    p = tmp_path / name
    p.write_bytes(("\n".join(lines[:head] + body) + "\n").encode(encoding))
    pd.testing.assert_frame_equal(load_trackmate_csv(p, "c"), load_trackmate_csv(FIX / name, "c"))

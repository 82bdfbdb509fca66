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

from cellmotion.contract import DataError, canonical_unit
from cellmotion.io.text import decode_file, read_table, read_text, sniff_separator
from cellmotion.io.trackmate_xml import load_trackmate_xml
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


def test_trackmate_xml_track_with_two_spots_in_one_frame_is_refused_naming_track_and_frame(tmp_path):
    split = ('        <Spot ID="5" name="ID5" VISIBILITY="1" RADIUS="5.0" QUALITY="40.0" '
             'POSITION_X="13.0" POSITION_Y="25.0" POSITION_Z="0.0" POSITION_T="60.0" FRAME="2" />\n'
             '      </SpotsInFrame>\n      <SpotsInFrame frame="3">')
    p = _xml_variant(tmp_path, [
        ('      </SpotsInFrame>\n      <SpotsInFrame frame="3">', split),
        ('<Edge SPOT_SOURCE_ID="0" SPOT_TARGET_ID="1" LINK_COST="-1.0" />',
         '<Edge SPOT_SOURCE_ID="0" SPOT_TARGET_ID="1" LINK_COST="-1.0" />\n'
         '        <Edge SPOT_SOURCE_ID="1" SPOT_TARGET_ID="5" LINK_COST="-1.0" />')])
    with pytest.raises(DataError, match=r"track 'Track_0' \(TRACK_ID 0\) has two spots in frame 2"
                                         r".*split or merge"):
        load_trackmate_xml(p, "ctrl")


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

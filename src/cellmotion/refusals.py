"""Bad input, refused: one small broken dataset per kind of input the loaders refuse.

:func:`bad_input_cases` builds them; :func:`refusal_table` runs the real loader
(:func:`cellmotion.datasets.load_dataset`) on each and collects the message a user gets. The
chapter "Your own data" shows the table, and every case is a test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import DataError
from .datasets import load_dataset
from .synthetic.example import SPOT_COLUMNS, write_trackmate_csv, write_trackmate_xml


def _valid_tidy(n_tracks: int = 3, n: int = 35, conditions=("A", "B"), z: bool = False) -> pd.DataFrame:
    """A small table every loader accepts: 5-min sampling, 34 steps per track."""
    rng = np.random.default_rng(0)
    rows = []
    for c in conditions:
        for k in range(n_tracks):
            xy = np.cumsum(rng.normal(0, 2, size=(n, 2)), axis=0)
            for t in range(n):
                row = {"track_id": f"{c}{k}", "condition": c, "t": 5.0 * t,
                       "x": round(xy[t, 0], 3), "y": round(xy[t, 1], 3)}
                if z:
                    row["z"] = 0.0
                rows.append(row)
    return pd.DataFrame(rows)


def _tidy_case(df: pd.DataFrame, extra: str = ""):
    def build(folder: Path) -> Path:
        df.to_csv(folder / "tracks.csv", index=False)
        (folder / "config.yml").write_text(f"format: tidy\nfile: tracks.csv\n{extra}")
        return folder / "config.yml"
    return build


def _trackmate_case(spots_a: pd.DataFrame, extra: str = ""):
    def build(folder: Path) -> Path:
        good = _valid_spots()
        write_trackmate_csv(spots_a, folder / "a.csv")
        write_trackmate_csv(good, folder / "b.csv")
        (folder / "config.yml").write_text(
            "format: trackmate\nunits: {um_per_pixel: 0.65}\nconditions:\n"
            "  A: {file: a.csv, frame_interval: 5.0}\n  B: {file: b.csv, frame_interval: 5.0}\n"
            + extra)
        return folder / "config.yml"
    return build


def _old_trackmate_case(spots_a: pd.DataFrame):
    """TrackMate spot tables as versions before 7 wrote them: the key row only, no unit row."""
    def build(folder: Path) -> Path:
        spots_a.to_csv(folder / "a.csv", index=False)
        _valid_spots().to_csv(folder / "b.csv", index=False)
        (folder / "config.yml").write_text(
            "format: trackmate\nunits: {length: pixel, um_per_pixel: 0.65}\nconditions:\n"
            "  A: {file: a.csv}\n  B: {file: b.csv}\n")
        return folder / "config.yml"
    return build


def _valid_spots() -> pd.DataFrame:
    df = _valid_tidy(conditions=("A",))
    spots = pd.DataFrame({"TRACK_ID": df["track_id"].str[1:].astype(int),
                          "POSITION_X": df["x"], "POSITION_Y": df["y"],
                          "FRAME": (df["t"] / 5).astype(int)})
    spots["ID"] = np.arange(len(spots))
    spots["LABEL"] = "ID" + spots["ID"].astype(str)
    spots["QUALITY"] = 10.0
    spots["POSITION_Z"] = 0.0
    spots["POSITION_T"] = spots["FRAME"].astype(float)
    spots["RADIUS"] = 8.0
    spots["VISIBILITY"] = 1
    spots["MEAN_INTENSITY_CH1"] = 100.0
    return spots[SPOT_COLUMNS]


def _xml_case(spatial_unit: str = "pixel", extra: str = "units: {um_per_pixel: 0.65}\n",
              damage=None, no_tracks: bool = False):
    """Two conditions saved as TrackMate XML; ``damage`` edits condition A's file text."""
    def build(folder: Path) -> Path:
        for name in ("a", "b"):
            spots = _valid_spots()
            if no_tracks and name == "a":
                spots = spots.assign(TRACK_ID=pd.NA)
            path = write_trackmate_xml(spots, folder / f"{name}.xml", spatial_unit=spatial_unit)
            if damage is not None and name == "a":
                path.write_text(damage(path.read_text()))
        (folder / "config.yml").write_text(
            "format: trackmate-xml\nconditions:\n  A: {file: a.xml, frame_interval: 5.0}\n"
            "  B: {file: b.xml, frame_interval: 5.0}\n" + extra)
        return folder / "config.yml"
    return build


def _encoded_case(encoding: str):
    """A tidy CSV written in Windows' cp1252 (a µ in a column name) read with ``encoding``."""
    def build(folder: Path) -> Path:
        df = _valid_tidy().rename(columns={"x": "x (µm)", "y": "y (µm)"})
        (folder / "tracks.csv").write_bytes(df.to_csv(index=False).encode("cp1252"))
        (folder / "config.yml").write_text(
            "format: tidy\nfile: tracks.csv\ncolumns: {x: x (µm), y: y (µm)}\n"
            f"read: {{encoding: {encoding}}}\n", encoding="utf-8")
        return folder / "config.yml"
    return build


def bad_input_cases() -> dict:
    """One small broken dataset per kind of refused input: ``{what is wrong: builder}``.

    A builder writes its files into a folder and returns the config path to load. The
    first entry, ``"nothing (a valid dataset)"``, is accepted: it shows that each refusal is
    caused by the one defect its case adds.
    """
    ok = _valid_tidy()
    cases = {"nothing (a valid dataset)": _tidy_case(ok)}
    cases["misspelt column"] = _tidy_case(ok.rename(columns={"condition": "conditon"}))
    cases["TrackMate tracks table instead of spots"] = _trackmate_case(
        _valid_spots().rename(columns={"POSITION_X": "TRACK_X_LOCATION",
                                       "POSITION_Y": "TRACK_Y_LOCATION"}))
    bad = ok.astype({"x": object})
    bad.loc[7, "x"] = "12,5"
    cases["non-numeric value (decimal comma)"] = _tidy_case(bad)
    cases["duplicate (track, time) rows"] = _tidy_case(pd.concat([ok, ok.iloc[[3]]]).sort_index())
    spots = _valid_spots()
    twice = pd.concat([spots, spots.iloc[[5]].assign(ID=99999)]).sort_index(kind="stable")
    cases["TrackMate track that splits (a division), with 'branches: refuse'"] = _trackmate_case(
        twice, "branches: refuse\n")
    cases["TrackMate spot table without a time unit"] = _old_trackmate_case(spots)
    cases["a single condition"] = _tidy_case(ok[ok["condition"] == "A"])
    short = ok[(ok["condition"] == "A") | (ok["t"] <= 100)]
    cases["a condition with no usable tracks"] = _tidy_case(short)
    back = ok.copy()
    back.loc[[10, 11], "t"] = back.loc[[11, 10], "t"].to_numpy()
    cases["time going backwards"] = _tidy_case(back)
    mixed = _valid_tidy(z=True).astype({"z": object})
    mixed.loc[mixed["condition"] == "B", "z"] = np.nan
    cases["mixed 2D and 3D tracks"] = _tidy_case(mixed)
    cases["unknown unit"] = _tidy_case(ok, "units: {length: inch}\n")
    cases["pixels without a pixel size"] = _tidy_case(ok, "units: {length: pixel}\n")
    cases["misspelt config key"] = _tidy_case(ok, "units: {time: frame, frame_intervall: 2.0}\n")
    cases["frame interval that does not fit the analysis interval"] = _tidy_case(
        ok, "interval: 12.0\n")
    cases["malformed TrackMate XML (file cut short)"] = _xml_case(
        damage=lambda text: text[: len(text) // 2])
    cases["TrackMate XML without tracks"] = _xml_case(no_tracks=True)
    cases["TrackMate XML in pixels without a pixel size"] = _xml_case(extra="")
    cases["bytes the stated encoding cannot decode"] = _encoded_case("utf-8")
    return cases


def refusal_table(cases: dict | None = None) -> pd.DataFrame:
    """Load every bad-input case with the real loader and collect what the user is told.

    Parameters
    ----------
    cases : dict, optional
        ``{what is wrong: build}``, where ``build(folder)`` writes a dataset into a temporary
        folder and returns its config path; :func:`bad_input_cases` by default.

    Returns
    -------
    pandas.DataFrame
        One row per case with columns ``what is wrong`` (the case's key) and ``message``
        (the :class:`DataError` text, with the temporary folder left out of file names), or
        ``accepted: <n> tracks, <m> conditions`` for a dataset that loads.
    """
    rows = []
    for what, build in (cases or bad_input_cases()).items():
        with tempfile.TemporaryDirectory() as tmp:
            config = build(Path(tmp))
            try:
                df = load_dataset(str(config))
                msg = f"accepted: {df['track_id'].nunique()} tracks, {df['condition'].nunique()} conditions"
            except DataError as err:
                msg = str(err).replace(str(Path(tmp).resolve()) + "/", "").replace(tmp + "/", "")
        rows.append({"what is wrong": what, "message": msg})
    return pd.DataFrame(rows)

"""The worked example of "Your own data": four drug treatments tracked with TrackMate.

A small, seeded, *synthetic* dataset that looks like what a lab brings: 2D tracks of cells
on a dish under four treatments, recorded as uncalibrated movies (positions in pixels, time
in frames, 0.65 µm per pixel), two treatments filmed every minute and two every 2.5 min,
tracks of very different lengths, some with missing frames, exported as one TrackMate spot
table per movie. It is drawn from the same superstatistical persistent random walk as the
default dataset (:mod:`cellmotion.synthetic.simulator`, after Metzner et al. 2015) with new,
illustrative parameters: they are not measurements of these drugs.

:func:`ensure_example` writes the CSV files next to the committed ``data/example/config.yml``
the first time they are needed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import atomic_path, project_path
from .simulator import ConditionModel, simulate_track

#: Micrometres per pixel of the example movies.
UM_PER_PIXEL = 0.65
#: Length of every example movie [min].
MOVIE_MINUTES = 480.0

#: The four treatments (parameters at the native frame interval; illustrative only).
EXAMPLE_CONDITIONS = (
    ConditionModel("DMSO", 14, 0, 1.0, 2, persistence=0.93, persistence_spread=0.3, speed=0.45,
                   speed_spread=0.3, drift=0.25, drift_time=60.0, noise=1.0),
    ConditionModel("Blebbistatin", 14, 0, 1.0, 2, persistence=0.75, persistence_spread=0.3,
                   speed=0.3, speed_spread=0.3, drift=0.25, drift_time=60.0, noise=1.0),
    ConditionModel("Nocodazole", 14, 0, 2.5, 2, persistence=0.2, persistence_spread=0.3,
                   speed=0.4, speed_spread=0.3, drift=0.25, drift_time=60.0, noise=1.0),
    ConditionModel("Y-27632", 14, 0, 2.5, 2, persistence=0.85, persistence_spread=0.3,
                   speed=0.75, speed_spread=0.3, drift=0.25, drift_time=60.0, noise=1.0),
)
#: Track durations are drawn uniformly from this range [min]; the short ones are left out.
DURATION_RANGE = (100.0, 420.0)

SPOT_COLUMNS = ["LABEL", "ID", "TRACK_ID", "QUALITY", "POSITION_X", "POSITION_Y", "POSITION_Z",
                "POSITION_T", "FRAME", "RADIUS", "VISIBILITY", "MEAN_INTENSITY_CH1"]
_NAMES = ["Label", "Spot ID", "Track ID", "Quality", "X", "Y", "Z", "T", "Frame", "Radius",
          "Visibility", "Mean intensity ch1"]
_SHORT = ["Label", "Spot ID", "Track ID", "Quality", "X", "Y", "Z", "T", "Frame", "R",
          "Visibility", "Mean ch1"]


def example_file(condition: str) -> str:
    """File name of a condition's TrackMate export in the example folder."""
    return f"trackmate_spots_{condition}.csv"


def simulate_example_spots(model: ConditionModel, rng: np.random.Generator) -> pd.DataFrame:
    """TrackMate spot rows (pixels, frames) of one treatment, with gaps and untracked spots.

    Every cell gets its own duration and start frame within the movie. About a third of the
    tracks lose frames: mostly 1-3 in a row (the detector missed the cell), sometimes 6-10
    (the cell was out of focus), as TrackMate's gap closing produces them.
    """
    n_frames = int(MOVIE_MINUTES / model.dt)
    rows = []
    track_ids = np.sort(rng.choice(np.arange(3 * model.n_tracks), model.n_tracks, replace=False))
    for tid in track_ids:
        n = int(rng.uniform(*DURATION_RANGE) / model.dt) + 1
        pos = simulate_track(replace(model, n_positions=n), rng)[:, :2] / UM_PER_PIXEL
        pos += rng.uniform(100, 900, size=2) - pos[0]
        frames = int(rng.integers(0, n_frames - n + 1)) + np.arange(n)
        keep = np.ones(n, bool)
        if rng.random() < 0.35:
            for _ in range(int(rng.integers(1, 3))):
                length = int(rng.integers(6, 11)) if rng.random() < 0.25 else int(rng.integers(1, 4))
                start = int(rng.integers(2, max(3, n - length - 2)))
                keep[start:start + length] = False
        for f, (x, y) in zip(frames[keep], pos[keep]):
            rows.append((int(tid), float(x), float(y), int(f)))
    for _ in range(int(rng.integers(3, 8))):  # a few spots that no track picked up
        rows.append((None, float(rng.uniform(0, 1000)), float(rng.uniform(0, 1000)),
                     int(rng.integers(0, n_frames))))
    spots = pd.DataFrame(rows, columns=["TRACK_ID", "POSITION_X", "POSITION_Y", "FRAME"])
    spots["ID"] = rng.permutation(len(spots)) + 1000 * len(spots)
    spots["LABEL"] = "ID" + spots["ID"].astype(str)
    spots["QUALITY"] = rng.uniform(5, 60, len(spots)).round(3)
    spots["POSITION_Z"] = 0.0
    spots["POSITION_T"] = spots["FRAME"].astype(float)
    spots["RADIUS"] = 8.0
    spots["VISIBILITY"] = 1
    spots["MEAN_INTENSITY_CH1"] = rng.uniform(80, 400, len(spots)).round(2)
    spots["TRACK_ID"] = spots["TRACK_ID"].astype("Int64")
    return spots[SPOT_COLUMNS]


def write_trackmate_csv(spots: pd.DataFrame, path, length_unit: str = "pixel",
                        time_unit: str = "frame") -> Path:
    """Write spot rows the way TrackMate (>= 7) exports its spot table.

    Header of feature keys, then three rows: names, short names and units. Written to a
    temporary file first and renamed, so a half-written file never appears.
    """
    path = Path(path)
    units = ["", "", "", "(quality)", f"({length_unit})", f"({length_unit})", f"({length_unit})",
             f"({time_unit})", "", f"({length_unit})", "", "(counts)"]
    cols = list(spots.columns)
    known = {c: i for i, c in enumerate(SPOT_COLUMNS)}
    head = [",".join(cols)] + [
        ",".join(row[known[c]] if c in known else fallback for c in cols)
        for row, fallback in ((_NAMES, "?"), (_SHORT, "?"), (units, ""))]
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        fh.write("\n".join(head) + "\n")
        spots.to_csv(fh, header=False, index=False, float_format="%.3f")
    return path


def write_trackmate_xml(spots: pd.DataFrame, path, spatial_unit: str = "pixel",
                        time_unit: str = "frame", drop_tracks=()) -> Path:
    """Write spot rows the way TrackMate saves a session: XML with spots, edges and tracks.

    ``AllSpots`` holds every spot by frame, ``AllTracks`` one ``Track`` per ``TRACK_ID`` whose
    edges link each spot to the next one in time (a gap is one longer edge, as TrackMate's gap
    closing makes it), and ``FilteredTracks`` lists the tracks kept, all but ``drop_tracks``.
    Units go into the ``Model`` element. Written atomically.
    """
    from xml.sax.saxutils import quoteattr

    path = Path(path)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<TrackMate version="7.11.1">',
             f'  <Model spatialunits={quoteattr(spatial_unit)} timeunits={quoteattr(time_unit)}>',
             f'    <AllSpots nspots="{len(spots)}">']
    for frame, g in spots.sort_values(["FRAME", "ID"]).groupby("FRAME", sort=True):
        lines.append(f'      <SpotsInFrame frame="{int(frame)}">')
        for r in g.itertuples(index=False):
            lines.append(
                f'        <Spot ID="{int(r.ID)}" name="{r.LABEL}" QUALITY="{r.QUALITY}" '
                f'POSITION_X="{r.POSITION_X:.3f}" POSITION_Y="{r.POSITION_Y:.3f}" '
                f'POSITION_Z="{r.POSITION_Z:.3f}" POSITION_T="{r.POSITION_T:.3f}" '
                f'FRAME="{int(r.FRAME)}" RADIUS="{r.RADIUS}" VISIBILITY="{int(r.VISIBILITY)}" />')
        lines.append("      </SpotsInFrame>")
    lines += ["    </AllSpots>", "    <AllTracks>"]
    tracked = spots[spots["TRACK_ID"].notna()]
    kept = []
    for tid, g in tracked.groupby("TRACK_ID", sort=True):
        g = g.sort_values("FRAME")
        ids = g["ID"].astype(int).to_list()
        lines.append(f'      <Track name="Track_{int(tid)}" TRACK_ID="{int(tid)}" '
                     f'NUMBER_SPOTS="{len(ids)}" NUMBER_SPLITS="0" NUMBER_MERGES="0">')
        lines += [f'        <Edge SPOT_SOURCE_ID="{a}" SPOT_TARGET_ID="{b}" LINK_COST="-1.0" />'
                  for a, b in zip(ids[:-1], ids[1:])]
        lines.append("      </Track>")
        if int(tid) not in set(drop_tracks):
            kept.append(int(tid))
    lines += ["    </AllTracks>", "    <FilteredTracks>"]
    lines += [f'      <TrackID TRACK_ID="{t}" />' for t in kept]
    lines += ["    </FilteredTracks>", "  </Model>", "</TrackMate>", ""]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines), encoding="utf-8")
    return path


def example_xml_file(condition: str) -> str:
    """File name of a condition's TrackMate XML in the example folder."""
    return f"trackmate_{condition}.xml"


def ensure_example(folder="data/example", seed: int = 0) -> list[Path]:
    """Write the example's TrackMate exports (spot-table CSV and XML) into ``folder`` unless
    they are there.

    Each treatment draws from its own seeded stream, so the files do not depend on each
    other or on which ones already exist. Returns the paths.
    """
    folder = project_path(folder)
    paths = []
    for k, model in enumerate(EXAMPLE_CONDITIONS):
        path = folder / example_file(model.name)
        xml = folder / example_xml_file(model.name)
        if not (path.exists() and xml.exists()):
            rng = np.random.default_rng([seed, k])
            spots = simulate_example_spots(model, rng)
            spots = spots.sort_values(["TRACK_ID", "FRAME"], na_position="last", kind="stable")
            if not path.exists():
                write_trackmate_csv(spots, path)
            if not xml.exists():  # the same tracks, as TrackMate saves them
                write_trackmate_xml(spots, xml)
        paths += [path, xml]
    return paths

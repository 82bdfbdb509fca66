"""Reader for TrackMate's saved session file (the ``.xml`` that *File > Save* writes).

The parts of the file this reader uses::

    <TrackMate version="7.x">
      <Model spatialunits="micron" timeunits="sec">
        <AllSpots nspots="...">
          <SpotsInFrame frame="0">
            <Spot ID="12" POSITION_X="..." POSITION_Y="..." POSITION_Z="..." POSITION_T="..."
                  FRAME="0" .../>
          </SpotsInFrame> ...
        </AllSpots>
        <AllTracks>
          <Track name="Track_0" TRACK_ID="0" ...>
            <Edge SPOT_SOURCE_ID="12" SPOT_TARGET_ID="17" .../> ...
          </Track> ...
        </AllTracks>
        <FilteredTracks> <TrackID TRACK_ID="0"/> ... </FilteredTracks>
      </Model>
      <Settings> ... </Settings>
    </TrackMate>

Positions are in ``spatialunits`` (the image calibration: ``micron``, ``µm``, ``pixel``,
...) and ``POSITION_T`` in ``timeunits`` (``sec``, ``min``, ``frame``, ...). A track is the
set of spots its edges connect; tracks that TrackMate's track filters removed are missing
from ``FilteredTracks`` and are not read. The file is read as a stream
(:func:`xml.etree.ElementTree.iterparse`), so large sessions do not need much memory.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from ..contract import (LENGTH_UNITS, REPLICATE, DataError, canonical_unit, convert_units,
                        validate_tracks)
from .lineage import check_policy, resolve
from .text import check_positive, open_bytes, read_bytes

#: Spot attributes the reader needs (``POSITION_Z`` is optional: 2D files may lack it).
SPOT_ATTRIBUTES = ("ID", "POSITION_X", "POSITION_Y", "POSITION_T", "FRAME")
#: Largest disagreement between ``POSITION_T`` and ``FRAME * frame_interval``, as a
#: fraction of the frame interval, before a given frame interval is refused.
FRAME_INTERVAL_TOLERANCE = 0.01


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".xml"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


class _Model:
    """What the stream parse collected: units, spots, tracks and the filtered track ids."""

    def __init__(self):
        self.root: str | None = None
        self.model: dict | None = None
        self.all_spots = False
        self.spots: dict[str, tuple] = {}
        self.tracks: list[tuple[str, str | None, list[tuple[str, str]]]] = []
        self.filtered: set[str] | None = None


def _float(spot: dict, key: str, src: str) -> float:
    try:
        return float(spot[key])
    except (TypeError, ValueError):
        raise DataError(f"{src}: spot ID {spot.get('ID', '?')} has a non-numeric {key} "
                        f"{spot[key]!r}.") from None


def _spot(attrib: dict, frame_of_parent: str | None, src: str) -> tuple[str, tuple]:
    spot = dict(attrib)
    if "FRAME" not in spot and frame_of_parent is not None:
        spot["FRAME"] = frame_of_parent
    missing = [k for k in SPOT_ATTRIBUTES if k not in spot]
    if missing:
        raise DataError(f"{src}: spot {spot.get('ID', '(no ID)')} lacks the attribute(s) "
                        f"{', '.join(missing)}; a TrackMate spot has "
                        f"{', '.join(SPOT_ATTRIBUTES)}.")
    frame = _float(spot, "FRAME", src)
    z = _float(spot, "POSITION_Z", src) if "POSITION_Z" in spot else np.nan
    return spot["ID"].strip(), (int(frame), _float(spot, "POSITION_X", src),
                                _float(spot, "POSITION_Y", src), z,
                                _float(spot, "POSITION_T", src))


def _declared_encoding(head: bytes) -> str:
    m = re.match(rb'^\s*<\?xml[^>]*encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']', head)
    return m.group(1).decode("ascii") if m else "utf-8"


def _parse_error(path: Path, err: ET.ParseError) -> DataError:
    """A DataError for a parse failure: undecodable bytes, or malformed XML at line/column."""
    line, column = getattr(err, "position", (None, None))
    try:
        raw, gzipped = read_bytes(path)
    except DataError as derr:
        return derr
    encoding = _declared_encoding(raw[:200])
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as uerr:
        where = f"byte offset {uerr.start}" + (" of the decompressed content" if gzipped else "")
        lineno = raw.count(b"\n", 0, uerr.start) + 1
        return DataError(
            f"{path}: cannot decode byte {raw[uerr.start:uerr.end]!r} at {where} (line "
            f"{lineno}) as {encoding}, the encoding the file declares. TrackMate writes "
            "UTF-8; the file was probably edited and saved in another encoding. Save it as "
            "UTF-8 again.")
    except LookupError:
        return DataError(f"{path}: the file declares an unknown encoding '{encoding}'.")
    what = str(err).split(":")[0] if str(err) else "parse error"
    ends_early = what in ("no element found", "unclosed token")  # expat's words at EOF
    hint = " The file ends early (an incomplete copy or download?)." if ends_early else ""
    return DataError(f"{path}: malformed XML at line {line}, column {column}: {what}.{hint}")


def _parse(path: Path) -> _Model:
    src = str(path)
    m = _Model()
    fh, _ = open_bytes(path)
    if path.stat().st_size == 0:
        fh.close()
        raise DataError(f"{src}: the file is empty.")
    stack: list[str] = []
    frame_of_parent: str | None = None
    track: tuple[str, str | None, list] | None = None
    try:
        with fh:
            for event, elem in ET.iterparse(fh, events=("start", "end")):
                tag = _local(elem.tag)
                if event == "start":
                    if m.root is None:
                        m.root = tag
                        if tag != "TrackMate":
                            raise DataError(
                                f"{src}: not a TrackMate file: the root element is <{tag}>, "
                                "not <TrackMate>. Save the session in TrackMate (File > Save).")
                    parent = stack[-1] if stack else None
                    stack.append(tag)
                    if tag == "Model" and parent == "TrackMate":
                        m.model = dict(elem.attrib)
                    elif tag == "AllSpots" and parent == "Model":
                        m.all_spots = True
                    elif tag == "SpotsInFrame":
                        frame_of_parent = elem.get("frame")
                    elif tag == "Track" and parent == "AllTracks":
                        tid = elem.get("TRACK_ID")
                        if tid is None:
                            raise DataError(f"{src}: a <Track> (name {elem.get('name')!r}) has "
                                            "no TRACK_ID.")
                        track = (tid.strip(), elem.get("name"), [])
                    elif tag == "FilteredTracks" and parent == "Model":
                        m.filtered = set() if m.filtered is None else m.filtered
                    continue
                # end events: attributes are complete; free what has been used
                stack.pop()
                parent = stack[-1] if stack else None
                if tag == "Spot" and parent == "SpotsInFrame":
                    sid, values = _spot(elem.attrib, frame_of_parent, src)
                    m.spots[sid] = values
                    elem.clear()
                elif tag == "SpotsInFrame":
                    elem.clear()
                elif tag == "Edge" and track is not None:
                    s, t = elem.get("SPOT_SOURCE_ID"), elem.get("SPOT_TARGET_ID")
                    if s is None or t is None:
                        raise DataError(f"{src}: an edge of track {track[1] or track[0]!r} "
                                        "lacks SPOT_SOURCE_ID or SPOT_TARGET_ID.")
                    track[2].append((s.strip(), t.strip()))
                    elem.clear()
                elif tag == "Track" and track is not None:
                    m.tracks.append(track)
                    track = None
                    elem.clear()
                elif tag == "TrackID" and parent == "FilteredTracks":
                    tid = elem.get("TRACK_ID")
                    if tid is not None:
                        m.filtered.add(tid.strip())
    except ET.ParseError as err:
        raise _parse_error(path, err) from None
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{src}: cannot read the file ({err}); a gzip file may be damaged "
                        "or truncated.") from None
    if m.model is None or not m.all_spots:
        missing = "<Model>" if m.model is None else "<AllSpots>"
        raise DataError(f"{src}: not a TrackMate session file: <TrackMate> has no {missing}. "
                        "Save the session in TrackMate (File > Save) and read that file.")
    return m


def _length_unit(model: dict, um_per_pixel, src: str, calibrated: bool = True) -> str:
    stated = model.get("spatialunits")
    unit = canonical_unit(stated)
    if unit is None:
        if not calibrated:
            return "pixel"
        if um_per_pixel is None:
            raise DataError(f"{src}: the TrackMate model does not state its spatial units "
                            "(spatialunits); give um_per_pixel (config: units: {um_per_pixel: "
                            "...}) if positions are in pixels, or 'calibrated: false' to keep "
                            "pixels.")
        return "pixel"
    if unit == "pixel":
        if um_per_pixel is None and calibrated:
            raise DataError(f"{src}: positions are in pixels (spatialunits=\"{stated}\"): give "
                            "um_per_pixel, the pixel size in micrometres (config: units: "
                            "{um_per_pixel: ...}), or set the image calibration in Fiji "
                            "(Image > Properties) before tracking, or keep pixels with "
                            "'units: {calibrated: false}'.")
    elif unit in LENGTH_UNITS and um_per_pixel is not None:
        raise DataError(f"{src}: positions are already in {stated} (spatialunits=\"{stated}\"), "
                        "not pixels; leave um_per_pixel out (it would scale them twice).")
    return unit


def _time_unit(model: dict, frame_interval, src: str, calibrated: bool = True) -> str | None:
    """The unit of POSITION_T, or None when time is to be taken as FRAME (times an interval)."""
    stated = model.get("timeunits")
    unit = canonical_unit(stated)
    if unit is None or unit == "frame":
        if frame_interval is None and calibrated:
            what = (f"times are frame numbers (timeunits=\"{stated}\")" if unit
                    else "the TrackMate model does not state its time units (timeunits)")
            raise DataError(f"{src}: {what}; give frame_interval, the time between frames in "
                            "minutes (config: units: {frame_interval: ...} or a condition's "
                            "frame_interval), or set the frame interval in Fiji (Image > "
                            "Properties) before tracking, or keep frames with 'units: "
                            "{calibrated: false}'.")
        return None
    return unit


def stated_units(path) -> tuple[str | None, str | None]:
    """The spatial and time units a TrackMate XML states (canonical names), reading only its
    ``<Model>`` element; ``None`` for a unit it does not state."""
    fh, _ = open_bytes(path)
    try:
        with fh:
            for _, elem in ET.iterparse(fh, events=("start",)):
                if _local(elem.tag) == "Model":
                    return (canonical_unit(elem.get("spatialunits")),
                            canonical_unit(elem.get("timeunits")))
    except (ET.ParseError, OSError, EOFError, zlib.error):
        return None, None
    return None, None


def _spot_key(sid: str):
    """Sort key of a spot ID that does not depend on file order (numeric where possible)."""
    try:
        return (0, float(sid), sid)
    except ValueError:
        return (1, 0.0, sid)


def load_trackmate_xml(path, condition: str | None = None, *, um_per_pixel: float | None = None,
                       frame_interval: float | None = None, replicate: str | None = None,
                       branches: str = "split", calibrated: bool = True) -> pd.DataFrame:
    """Read a TrackMate session file (``.xml``, or gzip-compressed) into the tidy table.

    Parameters
    ----------
    path : the XML file TrackMate saved (File > Save), plain or gzip-compressed.
    condition : the condition of every track in the file; by default the file name without
        ``.xml``/``.gz``.
    um_per_pixel : micrometres per pixel; needed when (and only allowed when) the model is in
        pixels (``spatialunits="pixel"``).
    frame_interval : minutes between frames; needed when the model's time is in frames. When
        the model's time is physical, it must agree with ``POSITION_T`` (to 1 % of a frame);
        time is then ``FRAME * frame_interval``.
    replicate : fill the ``replicate`` column with this name (the movie, donor, experiment).
    branches : what to do with a track that branches (a division or merge; two spots at one
        time): ``split`` (default) cuts it into unbranched pieces ``<id>~1``, ``<id>~2``, ...
        (one cell), ``longest`` keeps its longest path, ``refuse`` refuses the file naming
        every such track (:mod:`cellmotion.io.lineage`).
    calibrated : ``False`` when no pixel size or frame interval is given: the file's own
        units are used where it states them (converted to µm and minutes), and positions stay
        in pixels and times in frames where it does not.

    Returns
    -------
    pandas.DataFrame
        The tidy table: one row per spot of each track that passes TrackMate's track filters,
        ordered by time within each track whatever order the file lists its edges in; track
        ids ``<condition>/<track name>`` (``<condition>/<TRACK_ID>`` when names repeat); no z
        column when every spot has the same z. ``attrs`` hold ``source``, ``spatialunits``,
        ``timeunits``, ``length_unit`` and ``time_unit`` of the table (``µm``/``px``,
        ``min``/``frame``), ``tracks_in_file``, ``tracks_filtered_out`` and ``branches`` (a
        :class:`~cellmotion.io.lineage.BranchReport` as a dict).
    """
    path = Path(path)
    src = str(path)
    if condition is None:
        condition = _stem(path)
    check_policy(branches, src)
    um_per_pixel = check_positive("um_per_pixel", um_per_pixel, src)
    frame_interval = check_positive("frame_interval", frame_interval, src)
    m = _parse(path)
    if not m.tracks:
        raise DataError(f"{src}: the file has {len(m.spots)} spot(s) but no tracks (<AllTracks> "
                        "is empty or missing). Run the tracking step in TrackMate and save again.")
    kept = m.tracks if m.filtered is None else [t for t in m.tracks if t[0] in m.filtered]
    if not kept:
        raise DataError(f"{src}: none of the file's {len(m.tracks)} tracks passes TrackMate's "
                        "track filters (<FilteredTracks> lists none of them).")
    length_unit = _length_unit(m.model, um_per_pixel, src, calibrated)
    time_unit = _time_unit(m.model, frame_interval, src, calibrated)

    names = [name for _, name, _ in kept]
    by_name = None not in names and len(set(names)) == len(names)
    rows, keys, links, labels = [], [], [], {}
    for tid, name, edges in kept:
        label = f"'{name}' (TRACK_ID {tid})" if name else f"TRACK_ID {tid}"
        if not edges:
            raise DataError(f"{src}: track {label} has no edges, so no spots.")
        ids = sorted(dict.fromkeys(s for edge in edges for s in edge), key=_spot_key)
        unknown = [s for s in ids if s not in m.spots]
        if unknown:
            raise DataError(f"{src}: track {label} links spot ID {unknown[0]}, which is not in "
                            "<AllSpots>; the file is incomplete.")
        track_id = f"{condition}/{name if by_name else tid}"
        labels[track_id] = label
        index = {s: len(rows) + k for k, s in enumerate(ids)}
        links.extend((index[a], index[b]) for a, b in edges)
        rows.extend((track_id, *m.spots[s]) for s in ids)
        keys.extend(_spot_key(s) for s in ids)

    df = pd.DataFrame(rows, columns=["track_id", "frame", "x", "y", "z", "position_t"])
    new_ids, report = resolve(df["track_id"].to_numpy(), df["frame"].to_numpy(float),
                              keys, links, branches, labels=labels,
                              source=src)
    df = df.assign(track_id=new_ids)[pd.notna(new_ids)].reset_index(drop=True)
    if time_unit is None:
        t, tunit = df["frame"].astype(float), "frame"
    else:
        t, tunit = df["position_t"], time_unit
        if frame_interval is not None:
            t_min = convert_units(pd.DataFrame({"t": t}), time_unit=time_unit, source=src)["t"]
            off = np.abs(t_min.to_numpy() - df["frame"].to_numpy() * float(frame_interval))
            if off.max() > FRAME_INTERVAL_TOLERANCE * frame_interval:
                i = int(np.argmax(off))
                raise DataError(
                    f"{src}: frame_interval = {frame_interval:g} min disagrees with the file: "
                    f"frame {df['frame'].iloc[i]} is at POSITION_T = {df['position_t'].iloc[i]:g} "
                    f"{m.model.get('timeunits')} ({t_min.iloc[i]:g} min). Leave frame_interval "
                    "out to use the file's times.")
            t, tunit = df["frame"].astype(float), "frame"
    out = pd.DataFrame({"track_id": df["track_id"], "condition": condition, "t": t,
                        "x": df["x"], "y": df["y"]})
    if df["z"].notna().all() and df["z"].nunique() > 1:
        out["z"] = df["z"]
    if replicate is not None:
        out[REPLICATE] = str(replicate)
    out = out.sort_values(["track_id", "t"], kind="stable").reset_index(drop=True)
    keep_px = length_unit == "pixel" and um_per_pixel is None
    keep_frames = tunit == "frame" and frame_interval is None
    out = convert_units(out, length_unit=length_unit, um_per_pixel=1.0 if keep_px else um_per_pixel,
                        time_unit=tunit, frame_interval=1.0 if keep_frames else frame_interval,
                        source=src)
    out = validate_tracks(out, source=src, time_unit="frame" if keep_frames else "min")
    out.attrs.update(source=src, spatialunits=m.model.get("spatialunits"),
                     timeunits=m.model.get("timeunits"), length_unit="px" if keep_px else "µm",
                     time_unit="frame" if keep_frames else "min", tracks_in_file=len(m.tracks),
                     tracks_filtered_out=len(m.tracks) - len(kept), branches=report.as_dict(),
                     branching_tracks=list(report.branching))
    return out

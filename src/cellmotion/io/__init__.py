"""Readers: every supported input format turned into the tidy table of :mod:`cellmotion.contract`.

Each reader reads files and nothing else: curation (gaps, short tracks, resampling) happens in
:mod:`cellmotion.curation`, and :mod:`cellmotion.datasets` is the one entry point that combines
them as a dataset config asks. Delimited text goes through :func:`.text.read_table` (gzip,
byte-order marks, Windows encodings, separators including runs of spaces, lines before the
header, files without a header). Readers of tracker exports order each track's positions by
time, whatever order the file lists them in, and handle branching tracks (cell divisions,
merges) as :mod:`.lineage` describes (``branches``: split, longest or refuse).

========================  =====================================================================
reader                    input
========================  =====================================================================
:func:`load_tidy_csv`     one row per position, any column names (celltrackR-like, own trackers)
:func:`load_trackmate_csv`   TrackMate's spot-table CSV export
:func:`load_trackmate_xml`   TrackMate's saved XML (spots, edges, filtered tracks, units)
:func:`load_trackpy`      trackpy's linked frame (``particle, frame, x, y``), pixels and frames
:func:`load_celltrackr_csv`  celltrackR's ``write.csv(as.data.frame(tracks))``
:func:`load_report_layout`   the report's folders of ``x y z`` text files
========================  =====================================================================
"""

from .report import load_report_layout
from .text import read_table
from .tidy import load_tidy_csv
from .trackmate import load_trackmate_csv, read_trackmate_spots
from .trackmate_xml import load_trackmate_xml
from .trackpy import load_celltrackr_csv, load_trackpy

__all__ = ["load_celltrackr_csv", "load_report_layout", "load_tidy_csv", "load_trackmate_csv",
           "load_trackmate_xml", "load_trackpy", "read_table", "read_trackmate_spots"]

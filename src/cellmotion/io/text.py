"""Reading options shared by every text reader: compression, encoding, separator, header.

Exports from other programs differ in small ways that should not matter to the analysis:

- gzip compression (``tracks.csv.gz``, or a compressed file without the suffix);
- the text encoding: UTF-8 (with or without a byte-order mark) from most programs,
  cp1252 from Windows programs and Excel (where ``µm`` is the single byte ``0xB5``),
  UTF-16 from Excel's "Unicode text";
- the separator: comma, semicolon (Excel in locales with a decimal comma) or tab;
- lines before the header (Imaris writes a title and a rule above the column names);
- Windows line ends (CRLF).

:func:`read_table` absorbs all of these and records what it found in ``DataFrame.attrs``
(``source``, ``encoding``, ``gzipped``, ``sep``, ``decimal``), so a reader can report it.
Unit spellings (``µm``, ``μm``, ``micron``, ``sec``, ...) are the business of
:func:`cellmotion.contract.canonical_unit`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from ..contract import DataError

# --------------------------------------------------------------------------- bytes -> text
GZIP_MAGIC = b"\x1f\x8b"
#: Encodings tried in order when none is given. cp1252 is what Windows programs write;
#: latin-1 decodes any byte, so it catches the five bytes cp1252 leaves undefined.
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class Text:
    """A decoded file: its text (LF line ends) and how it was stored."""

    text: str
    encoding: str
    gzipped: bool
    source: str


def _check_file(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a file.")
    return path


def read_bytes(path) -> tuple[bytes, bool]:
    """The content of ``path``, decompressed when gzip (``.gz`` suffix or gzip magic bytes).

    Returns the bytes and whether the file was gzip-compressed.
    """
    path = _check_file(path)
    raw = path.read_bytes()
    gzipped = raw[:2] == GZIP_MAGIC or path.suffix.lower() == ".gz"
    if gzipped:
        if raw[:2] != GZIP_MAGIC:
            raise DataError(f"{path}: the name ends in .gz but the file is not gzip-compressed; "
                            "rename it without .gz.")
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise DataError(f"{path}: the gzip file is damaged or truncated ({err}).") from None
    return raw, gzipped


def open_bytes(path) -> tuple[BinaryIO, bool]:
    """Open ``path`` for streaming, through gzip when it is compressed; and whether it is.

    For readers of large files (XML) that should not hold the raw file in memory. Errors
    of a damaged gzip stream show up while reading (as ``OSError``/``EOFError``).
    """
    path = _check_file(path)
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == GZIP_MAGIC:
        return gzip.open(path, "rb"), True
    if path.suffix.lower() == ".gz":
        raise DataError(f"{path}: the name ends in .gz but the file is not gzip-compressed; "
                        "rename it without .gz.")
    return open(path, "rb"), False


def _decode(raw: bytes, encoding: str, path, gzipped: bool) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        bad = raw[err.start:err.end]
        line = raw.count(b"\n", 0, err.start) + 1
        where = f"byte offset {err.start}" + (" of the decompressed content" if gzipped else "")
        raise DataError(
            f"{path}: cannot decode byte {bad!r} at {where} (line {line}) as {encoding}; the "
            "file is in another encoding. Leave the encoding out to detect it (UTF-8, then "
            "cp1252 for Windows exports), or name the right one.") from None


def decode_file(path, encoding: str | None = None) -> Text:
    """Read and decode a (possibly gzip-compressed) text file.

    With ``encoding=None`` a byte-order mark decides (UTF-8 or UTF-16), else UTF-8 is tried,
    then cp1252 (Windows exports), then latin-1. An explicit ``encoding`` is used as given;
    bytes it cannot decode raise :class:`DataError` naming the file and the byte offset.
    Line ends are normalised to ``\\n``; a UTF-8 byte-order mark is removed.
    """
    raw, gzipped = read_bytes(path)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"{path}: unknown encoding '{encoding}'.") from None
        text = _decode(raw, encoding, path, gzipped)
        used = encoding
        if text.startswith("\ufeff"):
            text = text[1:]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, used = _decode(raw, "utf-16", path, gzipped), "utf-16"
    else:
        for used in FALLBACK_ENCODINGS:
            try:
                text = raw.decode(used)
                break
            except UnicodeDecodeError:
                continue
        if used == "utf-8-sig":
            used = "utf-8"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Text(text=text, encoding=used, gzipped=gzipped, source=str(path))


def read_text(path, encoding: str | None = None) -> str:
    """The text of a (possibly gzip-compressed) file; see :func:`decode_file`."""
    return decode_file(path, encoding).text


# --------------------------------------------------------------------------- text -> table
SEPARATORS = (",", ";", "\t")
_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")


def _fields(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep), [])


#: The separator name for runs of spaces and tabs (celltrackR's ``sep = ""``, R's default).
WHITESPACE = r"\s+"
_SEP_NAMES[WHITESPACE] = "whitespace"
#: What a user may write for the whitespace separator.
WHITESPACE_SPELLINGS = ("", " ", "  ", "whitespace", "space", "spaces", r"\s+")


def sniff_separator(lines: list[str]) -> str:
    """The separator of a header line and the data lines after it.

    Comma, semicolon or tab: the separator that splits the header into the most columns
    wins, among those that split the following lines into as many fields; quoted fields are
    respected. When none of them splits the header, runs of spaces (celltrackR's and R's
    text files, ``1 1 24 90.8 65.3``) are the separator if they split every line into the
    same number of fields. A one-column file gives a comma.
    """
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        return ","
    header, data = lines[0], lines[1:21]
    best, best_n = ",", 1
    for sep in SEPARATORS:
        n = len(_fields(header, sep))
        if n <= 1:
            continue
        consistent = sum(len(_fields(ln, sep)) == n for ln in data)
        if data and consistent < max(1, len(data) // 2):
            continue
        if n > best_n:
            best, best_n = sep, n
    if best_n == 1:
        n = len(header.split())
        if n > 1 and all(len(ln.split()) == n for ln in data):
            return WHITESPACE
    return best


def _sniff_decimal(lines: list[str], sep: str) -> str:
    """``','`` when a semicolon/tab table writes numbers with a decimal comma (``1,5``)."""
    if sep in (",", WHITESPACE):
        return "."
    comma = point = 0
    for ln in lines[1:51]:
        for f in _fields(ln, sep):
            f = f.strip()
            comma += bool(_DECIMAL_COMMA.match(f))
            point += bool(_DECIMAL_POINT.match(f))
    return "," if comma and not point else "."


def read_table(path, *, sep: str | None = None, skiprows: int = 0, encoding: str | None = None,
               header: bool = True, **kw) -> pd.DataFrame:
    """Read a delimited text table (CSV, semicolon or tab separated, gzip or not).

    Parameters
    ----------
    path : the file; ``.gz`` or gzip-compressed content is decompressed.
    sep : the separator; by default sniffed from the header (comma, semicolon or tab).
        With a semicolon or tab and numbers written ``1,5``, the decimal comma is detected
        too (pass ``decimal`` to override).
        Runs of spaces are sniffed too; ``sep: " "`` (or ``whitespace``) asks for them.
    skiprows : number of lines before the header line (Imaris writes 3).
    encoding : the text encoding; by default UTF-8, then cp1252, then latin-1.
    header : ``False`` for a file without a header line (celltrackR's ``header = FALSE``);
        its columns are then numbered ``1, 2, ...`` (the positions a config can name).
    **kw : passed on to :func:`pandas.read_csv` (``dtype``, ``keep_default_na``, ...).

    The table's ``attrs`` record ``source``, ``encoding``, ``gzipped``, ``sep``,
    ``decimal`` and ``lines`` (the line of the file each row was read from, so that
    messages can name it). Empty files and ragged rows raise :class:`DataError` naming the
    file.
    """
    if not isinstance(header, bool):
        raise DataError(f"{path}: header must be true or false, got {header!r}.")
    if sep is not None and sep in WHITESPACE_SPELLINGS:
        sep = WHITESPACE
    decoded = decode_file(path, encoding)
    if not isinstance(skiprows, int) or isinstance(skiprows, bool) or skiprows < 0:
        raise DataError(f"{path}: skiprows must be a whole number of lines >= 0, "
                        f"got {skiprows!r}.")
    lines = decoded.text.split("\n")
    if skiprows > len(lines):
        raise DataError(f"{path}: cannot skip {skiprows} lines; the file has only "
                        f"{len(lines)}.")
    body = lines[skiprows:]
    # leading blank lines are part of the junk above the header
    while body and not body[0].strip():
        body = body[1:]
    if not any(ln.strip() for ln in body):
        extra = f" after skipping {skiprows} line(s)" if skiprows else ""
        raise DataError(f"{path}: the file is empty{extra} (no header, no rows).")
    if sep is None:
        sep = sniff_separator(body[:21])
    if "decimal" not in kw:
        kw["decimal"] = _sniff_decimal([ln for ln in body if ln.strip()], sep)
    if not header:
        kw["header"] = None
    try:
        df = pd.read_csv(io.StringIO("\n".join(body)), sep=sep, **kw)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty (no header, no rows).") from None
    except pd.errors.ParserError as err:
        msg = str(err).strip()
        m = re.search(r"line (\d+)", msg)
        if m:  # pandas counts the lines it was given; report lines of the file
            lineno = int(m.group(1)) + skiprows + (len(lines) - skiprows - len(body))
            msg = re.sub(r"line \d+", f"line {lineno}", msg, count=1)
        raise DataError(f"{path}: cannot read the table ({_SEP_NAMES.get(sep, repr(sep))}-"
                        f"separated): {msg}. Check the separator and the lines above the "
                        "header (skiprows).") from None
    if not header:
        df.columns = range(1, df.shape[1] + 1)
    first = len(lines) - len(body)  # 0-based index of the header (or first data) line
    numbers = [first + k + 1 for k, ln in enumerate(body) if ln.strip()]
    numbers = numbers[1:] if header else numbers
    df.attrs.update(source=decoded.source, encoding=decoded.encoding, gzipped=decoded.gzipped,
                    sep=sep, decimal=kw["decimal"],
                    lines=LineNumbers(numbers[:len(df)]))
    return df


class LineNumbers:
    """The line of the file each row of a table was read from, kept in ``DataFrame.attrs``.

    A plain array there breaks ``pd.concat`` on pandas < 3.1 (it compares the frames' attrs
    with ``==``) and a tuple makes every copy of the frame slow (attrs are deep-copied), so
    the numbers live in one array behind an ``==`` that answers with one bool.
    ``np.asarray(lines)``, ``len`` and indexing work as on the array.
    """

    __hash__ = None

    def __init__(self, numbers):
        self.numbers = np.asarray(numbers, dtype=np.int64)

    def __array__(self, dtype=None, copy=None):
        return self.numbers if dtype is None else self.numbers.astype(dtype)

    def __len__(self):
        return len(self.numbers)

    def __getitem__(self, key):
        return self.numbers[key]

    def __eq__(self, other):
        return isinstance(other, LineNumbers) and np.array_equal(self.numbers, other.numbers)


def check_positive(name: str, value, source: str = "input") -> float | None:
    """``value`` as a float when it is a positive number; ``None`` stays ``None``."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (v > 0 and v != float("inf")):
        raise DataError(f"{source}: {name} must be a positive number, got {value!r}.")
    return v

"""Tolerant CSV reading (SPEC §3): detect encoding and separator instead of asking for them.

Exports come from Excel (French, `;` and decimal comma, Windows-1252), from Meta (UTF-8 with
quoted thousands) and from scripts (UTF-8, maybe gzipped); every cell stays a string here and
the readers type it by contract. Messages are French: they go back to the data providers.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# Text cells have no size limit in the contracts: a 10 MB note is data, not a fault.
csv.field_size_limit(sys.maxsize)


class CsvError(Exception):
    """A file that cannot be read at all; `rule` becomes the FileError rule."""

    def __init__(self, file: str, rule: str, message: str):
        super().__init__(f"{file}: {rule}: {message}")
        self.file = file
        self.rule = rule
        self.message = message


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (physical line where the row starts, cells)
    encoding: str
    separator: str
    checksum: str
    warnings: list[str] = field(default_factory=list)


def checksum(path: Path) -> str:
    """SHA-256 of the bytes on disk, so a manifest can tell which version of a file was read."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_bytes(path: Path) -> bytes:
    """Raw content, gunzipped for `.gz`; a truncated or corrupt archive is `unreadable`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvError(str(path), "unreadable", f"ouverture impossible : {exc}") from exc
    if not data:
        raise CsvError(str(path), "empty_file", "fichier vide (0 octet)")
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise CsvError(
                str(path), "unreadable", f"archive gzip tronquée ou corrompue ({exc})"
            ) from exc
    return data


def decode(data: bytes, file: str = "") -> tuple[str, str]:
    """Strict UTF-8 (BOM allowed) first, since Windows-1252 accepts almost any byte sequence;
    NUL bytes mean a binary or UTF-16 file, which is not one of the accepted encodings."""
    if b"\x00" in data:
        raise CsvError(
            file, "encoding", "octets nuls : fichier binaire ou UTF-16, pas un CSV texte"
        )
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise CsvError(
            file,
            "encoding",
            f"encodage illisible (ni UTF-8 ni Windows-1252, octet {data[exc.start]:#04x} "
            f"à la position {exc.start})",
        ) from None


def sniff_separator(header_line: str) -> str:
    """`;` when the header has more semicolons than commas (Excel in French), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv(path: Path) -> CsvTable:
    """Every row as strings, with the physical line where it starts (header = line 1).

    The csv module counts the lines a quoted multi-line cell spans, so the line of the next
    row stays right; blank lines are skipped but still counted.
    """
    path = Path(path)
    name = str(path)
    data = read_bytes(path)
    text, encoding = decode(data, name)
    if not text.strip():
        raise CsvError(name, "empty_file", "aucune ligne d'en-tête")
    first = text.lstrip("\r\n").splitlines()[0]
    sep = sniff_separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    prev = 0
    try:
        for cells in reader:
            start, prev = prev + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if header is None:
                header = [c.replace("\ufeff", "").strip() for c in cells]
                continue
            rows.append((start, cells))
    except csv.Error as exc:
        raise CsvError(
            name, "unreadable", f"CSV mal formé vers la ligne {reader.line_num} : {exc}"
        ) from exc
    if header is None:
        raise CsvError(name, "empty_file", "aucune ligne d'en-tête")
    return CsvTable(header, rows, encoding, sep, checksum(path))


_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, separator: str) -> float:
    """A number as Excel or Meta wrote it; ValueError when it is not one.

    With `;` the comma is the decimal mark (Excel in French); with `,` a comma can only be a
    thousands separator inside quotes (Meta's "1,250"), so "12,5" there is refused rather
    than guessed. Spaces (also non-breaking) are thousands separators in both.
    """
    s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if separator == ";":
        s = s.replace(",", ".")
    elif _THOUSANDS_COMMA.match(s):
        s = s.replace(",", "")
    if not _PLAIN.match(s):
        raise ValueError(f"not a number: {text!r}")
    return float(s)

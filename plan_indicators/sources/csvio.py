"""Tolerant CSV reading (SPEC §3): detect encoding and separator instead of asking for them.

Exports come from Excel (French, `;` and decimal comma, Windows-1252), from Meta (UTF-8 with
quoted thousands) and from scripts (UTF-8, maybe gzipped); every cell stays a string here and
the readers type it by contract.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path


class CsvError(Exception):
    """A file that cannot be read at all; `rule` is the FileError rule."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number of the row's first line, cells)
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
        raise CsvError("unreadable", f"cannot open file: {exc.strerror or exc}") from exc
    if not data:
        raise CsvError("empty_file", "file is empty (0 bytes)")
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise CsvError("unreadable", f"corrupt or truncated gzip: {exc}") from exc
    return data


def decode(data: bytes) -> tuple[str, str]:
    """Strict UTF-8 (BOM allowed) first, since cp1252 would accept any byte sequence."""
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_separator(header_line: str) -> str:
    """`;` when the header has more semicolons than commas (Excel in French), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv(path: Path) -> CsvTable:
    """Every row as strings, with the file line where it starts (header = line 1)."""
    digest = checksum(path) if path.exists() else ""
    text, encoding = decode(read_bytes(path))
    if not text.strip():
        raise CsvError("empty_file", "file has no header line")
    first = text.lstrip("\r\n").split("\n", 1)[0]
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
        raise CsvError("unreadable", f"malformed CSV near line {reader.line_num}: {exc}") from exc
    if header is None:
        raise CsvError("empty_file", "file has no header line")
    return CsvTable(header, rows, encoding, sep, digest)


_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, separator: str) -> float:
    """A number as Excel or Meta wrote it; ValueError when it is not one."""
    s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if separator == ";":
        s = s.replace(",", ".")
    elif _THOUSANDS_COMMA.match(s):
        s = s.replace(",", "")
    if not _PLAIN.match(s):
        raise ValueError(f"not a number: {text!r}")
    return float(s)

"""Tolerant CSV reading (docs/contracts.md §4.2): detect encoding and separator instead of
asking for them.

Exports come from Excel (French, `;` and decimal comma, Windows-1252), from Meta (UTF-8 with
quoted thousands) and from scripts (UTF-8, maybe gzipped); every cell stays a string here and
the readers type it by contract. Messages are French: they go back to the data providers.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import sys
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

# Text cells have no size limit in the contracts: a 10 MB note is data, not a fault.
csv.field_size_limit(sys.maxsize)


class CsvError(Exception):
    """A file that cannot be read at all; `rule` becomes the FileError rule, `line` and `field`
    (0-based cell index) say where when the fault has a place."""

    def __init__(
        self,
        file: str,
        rule: str,
        message: str,
        line: int | None = None,
        field: int | None = None,
        header: list[str] | None = None,
    ):
        super().__init__(f"{file}: {rule}: {message}")
        self.file = file
        self.rule = rule
        self.message = message
        self.line = line
        self.field = field
        self.header = header


@dataclass
class CsvTable:
    """Rows as strings, and the physical-line count that proves nothing was swallowed:
    `lines == header_lines + blank_lines + len(rows) + continued_lines`, where a continued line
    is a line break inside a (free-text) cell."""

    header: list[str]
    rows: list[tuple[int, list[str]]]  # (physical line where the row starts, cells)
    encoding: str
    separator: str
    checksum: str
    warnings: list[str] = field(default_factory=list)
    lines: int = 0
    header_lines: int = 1
    blank_lines: int = 0
    continued_lines: int = 0
    sheet: str | None = None  # workbooks: the sheet read
    epoch: dt.datetime | None = None  # workbooks: day 0 of serial dates


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


_BREAK = re.compile(r"\r\n|\r|\n")

FreeText = Callable[[list[str]], Collection[int]]


def line_breaks(text: str) -> int:
    """Line breaks in a cell, counted as physical lines are (`\\r\\n` is one break)."""
    if "\n" not in text and "\r" not in text:
        return 0
    return len(_BREAK.findall(text))


def read_csv(path: Path, free_text: FreeText | None = None) -> CsvTable:
    """Every row as strings, with the physical line where it starts (header = line 1).

    Nothing is swallowed: a quoted cell may hold line breaks only where `free_text(header)`
    allows them (cell indexes of free-text columns; None allows any cell). A quote that never
    closes, a line break in any other cell, or a free-text cell whose later lines look like
    rows of the file (as many separators as a row) is an `unclosed_quote` CsvError naming the
    line where the quote opened and its cell; text after a closing quote is `malformed_quote`.
    Blank lines are skipped but counted, so `CsvTable.lines` reconciles.
    """
    path = Path(path)
    name = str(path)
    data = read_bytes(path)
    text, encoding = decode(data, name)
    if not text.strip():
        raise CsvError(name, "empty_file", "aucune ligne d'en-tête")
    first = text.lstrip("\r\n").splitlines()[0]
    sep = sniff_separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    allowed: Collection[int] | None = None
    rows: list[tuple[int, list[str]]] = []
    header_lines = blank = continued = prev = 0
    try:
        for cells in reader:
            start, prev = prev + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                blank += prev - start + 1
                continue
            if header is None:
                header = [c.replace("\ufeff", "").strip() for c in cells]
                header_lines = prev - start + 1
                allowed = None if free_text is None else set(free_text(header))
                continue
            if prev > start:
                continued += _spanning(name, start, prev, cells, header, allowed, sep)
            rows.append((start, cells))
    except csv.Error as exc:
        raise _quote_fault(name, text, sep, prev + 1, header, exc) from None
    if header is None:
        raise CsvError(name, "empty_file", "aucune ligne d'en-tête")
    lines = sum(1 for _ in io.StringIO(text, newline=""))
    return CsvTable(
        header, rows, encoding, sep, checksum(path), [], lines, header_lines, blank, continued
    )


def _unclosed(file: str, line: int, cell: int, header, why: str) -> CsvError:
    return CsvError(
        file,
        "unclosed_quote",
        f"guillemet ouvert ligne {line} (cellule {cell + 1}) {why} : corrigez le guillemet "
        "de cette ligne, aucune ligne du fichier n'est lue",
        line=line,
        field=cell,
        header=header,
    )


def _spanning(file, start, end, cells, header, allowed, sep) -> int:
    """The line breaks of a row spanning lines `start..end`, all inside free-text cells of a
    row of the right width; else the quote of the first cell holding one never closed."""
    width = len(header)
    line = start
    for i, cell in enumerate(cells):
        n = line_breaks(cell)
        if not n:
            continue
        if len(cells) != width or (allowed is not None and i not in allowed):
            why = f"court sur {n + 1} lignes dans une colonne qui ne peut pas en contenir"
            raise _unclosed(file, line, i, header, why)
        for k, part in enumerate(_BREAK.split(cell)[1:], start=1):
            if width > 1 and part.count(sep) >= width - 1:
                why = f"englobe la ligne {line + k}, qui a la forme d'une ligne de données"
                raise _unclosed(file, line, i, header, why)
        line += n
    if line != end:
        raise CsvError(file, "unreadable", f"lignes {start}-{end} : décompte incohérent", start)
    return end - start


def _quote_fault(file, text, sep, start, header, exc) -> CsvError:
    """Where the row starting at line `start` broke the strict parser: the quote that opened
    the cell running on (`unclosed_quote`), or text after a closing quote (`malformed_quote`)."""
    chunk = "".join(io.StringIO(text, newline="").readlines()[start - 1 :])
    line, cell, i, n = start, 0, 0, len(chunk)
    field_start = True
    while i < n:
        c = chunk[i]
        if c == '"' and field_start:  # a quoted cell: jump from quote to quote
            opened = line
            j = i + 1
            while True:
                k = chunk.find('"', j)
                if k < 0:  # the last line is the one the file ends on, past its last break
                    rest = chunk[j:]
                    line += line_breaks(rest) - rest.endswith(("\n", "\r"))
                    why = f"jamais refermé : il court jusqu'à la fin du fichier (ligne {line})"
                    return _unclosed(file, opened, cell, header, why)
                line += line_breaks(chunk[j:k])
                if chunk.startswith('"', k + 1):
                    j = k + 2
                    continue
                break
            i = k + 1
            after = chunk[i] if i < n else ""
            if after and after != sep and after not in "\r\n":
                if line > opened:
                    why = f"refermé seulement ligne {line}, au milieu d'une cellule"
                    return _unclosed(file, opened, cell, header, why)
                return CsvError(
                    file,
                    "malformed_quote",
                    f"texte après le guillemet fermant de la cellule {cell + 1}",
                    line=line,
                    field=cell,
                    header=header,
                )
            field_start = False
            continue
        if c == sep:
            cell += 1
            field_start = True
        elif c in "\r\n":
            break
        else:
            field_start = False
        i += 1
    return CsvError(file, "unreadable", f"CSV mal formé vers la ligne {start} : {exc}", start)


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

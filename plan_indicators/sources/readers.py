"""Read a landing-zone source into one typed frame (docs/contracts.md §4.4), never losing a row
silently.

Each row read is either staged or quarantined with its file, line, column and rule, so that
rows read = rows staged + rows quarantined per file, and the file's physical lines are all
accounted for (header, blank lines, rows, line breaks inside free-text cells). A fault that
makes a whole file unusable (unreadable, missing column, a quote that never closes, ids
mangled by Excel) is a FileError: the file is refused (its rows count as not read) and the
caller publishes nothing. A row breaking several rules is quarantined once, under the first
column that fails. Workbooks (`.xlsx`) go through the same contracts; their `line` is the
sheet row and `sheet` names the sheet. Personal columns are replaced by their keyed pseudonym
before any check; in a source that has one, no rejected raw cell is kept or shown (a shifted
row can put an id in any column): quarantine values are withheld, only their shape is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from plan_indicators.sources.cells import (
    Reject,
    check,
    mangled_id,
    masked,
    number_text,
    type_cell,
    type_text,
)
from plan_indicators.sources.contracts import CONTRACTS, WEB, SourceContract
from plan_indicators.sources.csvio import CsvError, CsvTable, checksum, read_csv
from plan_indicators.sources.folders import WORKBOOK, IgnoredEntry, list_files, scan_folder
from plan_indicators.sources.pseudonym import KEY_ENV, MissingKeyError, pseudonymise
from plan_indicators.sources.xlsxio import CellError, read_xlsx

__all__ = [
    "KEY_ENV",
    "FileError",
    "FileReport",
    "IgnoredEntry",
    "QuarantineRow",
    "SourceRead",
    "list_files",
    "masked",
    "read_source",
    "scan_folder",
]

_DATETIME_TYPES = ("date", "yyyymmdd", "mdy_hm")


@dataclass
class FileError:
    file: str
    line: int | None
    column: str | None
    rule: str
    message: str
    sheet: str | None = None


@dataclass
class QuarantineRow:
    source: str
    file: str
    line: int
    column: str | None
    rule: str
    reason: str
    value: str | None
    sheet: str | None = None


@dataclass
class FileReport:
    """Per file: rows read = staged + quarantined, and (when the reader counts them, CSV and
    workbooks) `lines` = header + blank + rows read + continued lines."""

    file: str
    checksum: str
    rows_read: int
    rows_staged: int
    rows_quarantined: int
    encoding: str
    separator: str
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    lines: int | None = None
    header_lines: int = 0
    blank_lines: int = 0
    continued_lines: int = 0
    refused: bool = False
    notes: list[str] = field(default_factory=list)
    """What the reader tells without a fault (the export's known columns it does not read):
    printed, not counted as warnings."""

    def lines_mismatch(self) -> str | None:
        """Why the physical lines do not add up, or None (refused files read no line)."""
        if self.refused or self.lines is None:
            return None
        counted = self.header_lines + self.blank_lines + self.rows_read + self.continued_lines
        if counted == self.lines:
            return None
        return (
            f"{self.lines} lignes physiques, {counted} comptées (en-tête {self.header_lines}, "
            f"vides {self.blank_lines}, lues {self.rows_read}, suites {self.continued_lines})"
        )


@dataclass
class SourceRead:
    source: str
    frame: pd.DataFrame
    quarantine: list[QuarantineRow]
    files: list[FileReport]
    errors: list[FileError]
    ignored: list[IgnoredEntry] = field(default_factory=list)


def _safe_checksum(path: Path) -> str:
    """The checksum of a refused file too, when it can be opened at all."""
    try:
        return checksum(path)
    except OSError:
        return ""


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().casefold().split())


def _header_map(contract: SourceContract) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in contract.columns:
        for h in (c.name, *c.aliases):
            out.setdefault(_norm(h), c.name)
    return out


def _empty_frame(contract: SourceContract) -> pd.DataFrame:
    return _typed(contract, pd.DataFrame(columns=_frame_columns(contract)))


def _frame_columns(contract: SourceContract) -> list[str]:
    cols = [c.name for c in contract.columns]
    if any(c.type == "mdy_hm" for c in contract.columns):
        cols.append("publish_date")
    return cols + ["_file", "_line"]


def _typed(contract: SourceContract, df: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes whatever the rows, so an empty read has the same schema as a full one."""
    for c in contract.columns:
        s = df[c.name]
        if c.type in _DATETIME_TYPES:
            df[c.name] = pd.to_datetime(s.astype(object)).astype("datetime64[ns]")
        elif c.type == "bool":
            df[c.name] = s.astype("boolean")
        elif c.type in ("int", "float"):
            df[c.name] = pd.to_numeric(s).astype("float64")
        else:
            df[c.name] = s.astype(object)
        if c.type == "mdy_hm":
            df["publish_date"] = df[c.name].dt.normalize()
    df["_file"] = df["_file"].astype(object)
    df["_line"] = df["_line"].astype("int64")
    return df


def _require_key(key: bytes | None) -> bytes:
    if not key:
        raise MissingKeyError()
    return key


_Problem = tuple[str | None, str, str, str | None]  # column, rule, reason, value


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _row(
    contract: SourceContract,
    cells: list,
    table: CsvTable,
    positions: dict[str, int],
    key: bytes | None,
) -> tuple[dict[str, Any], _Problem | None]:
    """A typed record, or the first rule the row breaks (one row is quarantined once)."""
    width = len(table.header)
    workbook = table.sheet is not None
    if workbook:
        used = set(positions.values()) | {i for i, h in enumerate(table.header) if h}
        stray = [i for i, v in enumerate(cells) if i not in used and not _is_empty(v)]
        if stray:
            return {}, (None, "field_count", f"valeur hors des colonnes de l'en-tête "
                        f"(colonne {_letter(stray[0])})", None)  # fmt: skip
    elif len(cells) != width:
        return {}, (None, "field_count", f"{len(cells)} champs au lieu de {width}", None)
    rec: dict[str, Any] = {}
    for c in contract.columns:
        i = positions.get(c.name)
        v = cells[i] if i is not None and i < len(cells) else None
        if isinstance(v, str):
            v = v.strip()
        if c.personal and not _is_empty(v) and not isinstance(v, CellError):
            text = number_text(v) if isinstance(v, int | float) else str(v)
            v = pseudonymise(text, _require_key(key))
        if _is_empty(v):
            if c.required:
                return rec, (c.name, "required_value", f"{c.name}: valeur obligatoire vide", None)
            rec[c.name] = None
            continue
        try:
            typed = (
                type_text(c, v, table.separator)
                if isinstance(v, str)
                else type_cell(c, v, table.epoch)
            )
            rec[c.name] = check(c, typed)
        except Reject as r:
            return rec, (c.name, r.rule, r.reason, str(v))
    return rec, None


def _letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based index (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _read_table(path: Path, contract: SourceContract, headers: dict[str, str]) -> CsvTable:
    if path.name.lower().endswith(WORKBOOK):
        return read_xlsx(path, contract.sheet)

    def free_text(header: list[str]) -> set[int]:
        """Free-text columns, and columns the contract ignores (unknown, duplicated)."""
        out, seen = set(), set()
        for i, h in enumerate(header):
            name = headers.get(_norm(h))
            if name is None or name in seen or contract.column(name).free_text:
                out.add(i)
            if name is not None:
                seen.add(name)
        return out

    return read_csv(path, free_text)


def _column_of(headers: dict[str, str], exc: CsvError) -> str | None:
    if exc.header is None or exc.field is None or exc.field >= len(exc.header):
        return None
    h = exc.header[exc.field]
    return headers.get(_norm(h), h or None)


def read_source(
    landing_dir: Path, source: str, *, pseudonym_key: bytes | None = None
) -> SourceRead:
    """Read, type and check every file of a source's folder; see the module docstring.

    A missing folder or an empty one is an absent source: empty frame, no error. Entries not
    read are in `ignored` (a workbook where none is read is also a FileError). Raises
    ValueError (MissingKeyError) when a personal column has values and no key is given.
    """
    if source not in CONTRACTS:
        raise KeyError(f"unknown source: {source}")
    if source == WEB:
        raise ValueError(f"{WEB} is scanned by DuckDB: see plan_indicators.sources.web")
    contract = CONTRACTS[source]
    landing_dir = Path(landing_dir)
    headers = _header_map(contract)
    records: list[dict[str, Any]] = []
    quarantine: list[QuarantineRow] = []
    reports: list[FileReport] = []
    errors: list[FileError] = []
    seen: dict[tuple, str] = {}
    files, ignored = scan_folder(landing_dir, source)

    def shown(value: Any) -> str:
        return f"forme {masked(value)!r}" if contract.personal else repr(str(value).strip())

    for path in files:
        rel = path.relative_to(landing_dir).as_posix()
        try:
            table = _read_table(path, contract, headers)
        except CsvError as exc:
            sheet = contract.sheet if path.name.lower().endswith(WORKBOOK) else None
            column = _column_of(headers, exc)
            errors.append(FileError(rel, exc.line, column, exc.rule, exc.message, sheet))
            reports.append(
                FileReport(rel, _safe_checksum(path), 0, 0, 0, "", "", [exc.message], refused=True)
            )
            continue
        sheet = table.sheet
        report = FileReport(
            rel,
            table.checksum,
            0,
            0,
            0,
            table.encoding,
            table.separator,
            list(table.warnings),
            sheet,
            table.lines,
            table.header_lines,
            table.blank_lines,
            table.continued_lines,
        )
        reports.append(report)
        positions: dict[str, int] = {}
        unknown: list[tuple[str, str | None]] = []  # (header, column it repeats)
        for i, h in enumerate(table.header):
            name = headers.get(_norm(h))
            if name is None:
                if h or sheet is None:
                    unknown.append((h, None))
            elif name in positions:
                unknown.append((h, name))
            else:
                positions[name] = i
        # A file of a personal source without its header has a data row in its place: its
        # cells are shown by their shape only.
        headless = contract.personal and any(
            c.required and c.name not in positions for c in contract.columns
        )
        known = {_norm(h) for h in contract.known_unused}
        for h, repeats in unknown:
            if _norm(h) in known and not headless:
                continue
            label = f"forme {masked(h)!r}" if headless else repr(h)
            report.warnings.append(
                f"colonne inconnue ignorée : {label}"
                if repeats is None
                else f"colonne en double ignorée : {label} ({repeats})"
            )
        if not headless and (named := [h for h, _ in unknown if _norm(h) in known]):
            report.notes.append(
                f"{len(named)} colonne(s) connue(s) de l'export, non lue(s) : {', '.join(named)}"
            )
        file_errors = [
            FileError(
                rel, 1, c.name, "missing_column", f"colonne obligatoire absente : {c.name}", sheet
            )
            for c in contract.columns
            if c.required and c.name not in positions
        ]
        for c in contract.columns:
            i = positions.get(c.name)
            if not c.identifier or i is None:
                continue
            for line, cells in table.rows:
                found = mangled_id(cells[i]) if i < len(cells) else None
                if found:
                    rule, what = found
                    file_errors.append(
                        FileError(
                            rel,
                            line,
                            c.name,
                            rule,
                            f"{c.name} ({table.header[i]!r}) {what} ({shown(cells[i])}) : "
                            "identifiant illisible, ne se joint plus, fichier refusé",
                            sheet,
                        )
                    )
                    break
        if file_errors:
            errors.extend(file_errors)
            report.refused = True
            report.warnings.append(
                f"fichier refusé ({', '.join(e.rule for e in file_errors)}) : "
                f"ses {len(table.rows)} lignes ne sont pas lues"
            )
            continue
        for line, cells in table.rows:
            report.rows_read += 1
            rec, problem = _row(contract, cells, table, positions, pseudonym_key)
            if problem is None and contract.key:
                k = tuple(rec[n] for n in contract.key)
                first = seen.get(k)
                if first is None:
                    seen[k] = f"{rel}:{line}"
                else:
                    problem = (
                        ",".join(contract.key),
                        "duplicate_key",
                        f"clé en double, première occurrence : {first}",
                        "|".join(str(v) for v in k),
                    )
            if problem is not None:
                column, rule, reason, value = problem
                if sheet is not None and column in positions:
                    # In the terms of the sheet the person filled in: its cell and header.
                    i = positions[column]
                    reason += f" (cellule {_letter(i)}{line}, colonne « {table.header[i]} »)"
                if contract.personal and value is not None:
                    reason = f"{reason} (valeur masquée, {shown(value)})"
                    value = None
                quarantine.append(
                    QuarantineRow(source, rel, line, column, rule, reason, value, sheet)
                )
                report.rows_quarantined += 1
                continue
            rec["_file"] = rel
            rec["_line"] = line
            records.append(rec)
            report.rows_staged += 1
    for entry in ignored:
        if entry.rule == "unsupported_format":
            errors.append(FileError(entry.file, None, None, entry.rule, entry.message))
    if records:
        columns = _frame_columns(contract)
        frame = _typed(contract, pd.DataFrame.from_records(records, columns=columns))
    else:
        frame = _empty_frame(contract)
    return SourceRead(source, frame, quarantine, reports, errors, ignored)

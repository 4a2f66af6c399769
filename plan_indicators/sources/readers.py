"""Read a landing-zone source into one typed frame (SPEC §3), never losing a row silently.

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

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import CONTRACTS, Column, SourceContract
from plan_indicators.sources.csvio import CsvError, CsvTable, checksum, parse_number, read_csv
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

_TRUE = {"true", "oui", "yes", "1", "vrai"}
_FALSE = {"false", "non", "no", "0", "faux"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YYYYMMDD = re.compile(r"^\d{8}$")
_DATETIME_TYPES = ("date", "yyyymmdd", "mdy_hm")
# How Excel leaves an id it re-saved: rounded to scientific notation, typed as a decimal
# number, or kept as text with the apostrophe that forces text.
_MANGLED_ID = (
    (re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"), "scientific_notation_id",
     "en notation scientifique"),
    (re.compile(r"^\d+[.,]0+$"), "decimal_id", "suivi d'une décimale .0"),
    (re.compile(r"^'"), "apostrophe_id", "précédé d'une apostrophe"),
)  # fmt: skip
_EXCEL_DIGITS = 10**15  # Excel keeps 15 significant digits: a longer number lost its end
_SERIAL_RANGE = (61, 2958465)  # 1900-03-01 .. 9999-12-31 in the 1900 date system


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


class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


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


def masked(value: object) -> str:
    """The shape of a withheld value: letters as A, digits as 9, the rest kept, 24 at most."""
    text = str(value)
    shape = "".join("A" if ch.isalpha() else "9" if ch.isdigit() else ch for ch in text[:24])
    return shape + ("…" if len(text) > 24 else "")


def _type_text(col: Column, raw: str, sep: str) -> Any:
    """The typed value of a non-empty text cell, or _Reject naming the rule it breaks."""
    t = col.type
    if t == "date":
        try:
            if not _ISO_DATE.match(raw):
                raise ValueError
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise _Reject("date_format", f"{col.name}: date attendue AAAA-MM-JJ") from None
    if t == "yyyymmdd":
        try:
            if not _YYYYMMDD.match(raw):
                raise ValueError
            return dt.datetime.strptime(raw, "%Y%m%d")
        except ValueError:
            raise _Reject("date_format", f"{col.name}: date attendue AAAAMMJJ") from None
    if t == "mdy_hm":
        for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
            try:
                return dt.datetime.strptime(raw, fmt)
            except ValueError:
                continue
        raise _Reject("date_format", f"{col.name}: date-heure attendue MM/JJ/AAAA HH:MM")
    if t == "bool":
        low = raw.casefold()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise _Reject("bool_value", f"{col.name}: booléen attendu (true/false, oui/non, 1/0)")
    if t in ("int", "float"):
        try:
            return parse_number(raw, sep)
        except ValueError:
            raise _Reject("number_format", f"{col.name}: nombre attendu") from None
    if t == "fiscal_year":
        try:
            return FiscalYear.parse(raw).key
        except ValueError:
            raise _Reject("fiscal_year_format", f"{col.name}: exercice attendu AAAA-AAAA") from None
    return raw


def _number_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _type_cell(col: Column, v: Any, epoch: dt.datetime | None) -> Any:
    """A typed workbook cell (number, date, datetime, boolean, time) by contract: real date
    cells and Excel serial numbers are dates, numbers are numbers, text goes as in a CSV."""
    t = col.type
    if isinstance(v, CellError):
        raise _Reject("cell_error", f"{col.name}: cellule en erreur dans le classeur ({v})")
    if isinstance(v, bool):
        if t == "bool":
            return v
        v = int(v)
    if isinstance(v, int | float):
        if t in ("int", "float"):
            return float(v)
        if t == "bool":
            if v in (0, 1):
                return bool(v)
            raise _Reject("bool_value", f"{col.name}: booléen attendu (true/false, oui/non, 1/0)")
        if t in ("date", "mdy_hm"):
            lo, hi = _SERIAL_RANGE
            if epoch is None or not lo <= v <= hi or (t == "date" and not float(v).is_integer()):
                raise _Reject("date_format", f"{col.name}: numéro de série de date Excel invalide")
            when = epoch + dt.timedelta(days=float(v))
            return when.date() if t == "date" else when.replace(microsecond=0)
        return _type_text(col, _number_text(v), ",")
    if isinstance(v, dt.datetime):
        if t == "date":
            return v.date()
        if t in ("mdy_hm", "yyyymmdd"):
            return v if t == "mdy_hm" else dt.datetime.combine(v.date(), dt.time())
        if t == "str":
            return v.isoformat(sep=" ")
        raise _Reject("number_format", f"{col.name}: date inattendue dans cette colonne")
    if isinstance(v, dt.date):
        if t == "date":
            return v
        if t in ("mdy_hm", "yyyymmdd"):
            return dt.datetime.combine(v, dt.time())
        if t == "str":
            return v.isoformat()
        raise _Reject("number_format", f"{col.name}: date inattendue dans cette colonne")
    if t == "str":
        return str(v)
    raise _Reject("date_format", f"{col.name}: valeur de ce type inattendue ({type(v).__name__})")


def _check(col: Column, value: Any) -> Any:
    """Integer, allowed values and range, whatever the file type."""
    if col.type == "int" and not float(value).is_integer():
        raise _Reject("number_format", f"{col.name}: nombre entier attendu")
    if col.allowed and value not in col.allowed:
        raise _Reject("allowed_values", f"{col.name}: valeur hors de la liste permise")
    if col.minimum is not None and value < col.minimum:
        raise _Reject("out_of_range", f"{col.name}: valeur inférieure au minimum {col.minimum:g}")
    if col.maximum is not None and value > col.maximum:
        raise _Reject("out_of_range", f"{col.name}: valeur supérieure au maximum {col.maximum:g}")
    return value


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
            text = _number_text(v) if isinstance(v, int | float) else str(v)
            v = pseudonymise(text, _require_key(key))
        if _is_empty(v):
            if c.required:
                return rec, (c.name, "required_value", f"{c.name}: valeur obligatoire vide", None)
            rec[c.name] = None
            continue
        try:
            typed = (
                _type_text(c, v, table.separator)
                if isinstance(v, str)
                else _type_cell(c, v, table.epoch)
            )
            rec[c.name] = _check(c, typed)
        except _Reject as r:
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


def _mangled_id(contract: SourceContract, value: Any) -> tuple[str, str] | None:
    """(rule, what) when an identifier cell carries one of Excel's manglings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not float(value).is_integer():
            return "decimal_id", "enregistré comme nombre décimal dans le classeur"
        if abs(value) >= _EXCEL_DIGITS:
            return (
                "scientific_notation_id",
                "enregistré comme nombre de 16 chiffres ou plus (Excel n'en garde que 15)",
            )
        return None
    text = str(value).strip()
    for pattern, rule, what in _MANGLED_ID:
        if pattern.match(text):
            return rule, what
    return None


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
    if source == "web_analytics":
        raise ValueError("web_analytics is scanned by DuckDB: see plan_indicators.sources.web")
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
        for i, h in enumerate(table.header):
            name = headers.get(_norm(h))
            if name is None:
                if h or sheet is None:
                    report.warnings.append(f"colonne inconnue ignorée : {h!r}")
            elif name in positions:
                report.warnings.append(f"colonne en double ignorée : {h!r} ({name})")
            else:
                positions[name] = i
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
                found = _mangled_id(contract, cells[i]) if i < len(cells) else None
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

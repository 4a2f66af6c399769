"""Read a landing-zone source into one typed frame (SPEC §3), never losing a row silently.

Each row read is either staged or quarantined with its file, line, column and rule, so that
rows read = rows staged + rows quarantined per file. A fault that makes a whole file
unusable (unreadable, missing column, Post IDs mangled by Excel) is a FileError: the file is
refused (its rows count as not read) and the caller publishes nothing. A row breaking several
rules is quarantined once, under the first column that fails. Personal columns are replaced by
their keyed pseudonym before any check, so no raw value reaches a frame, message or quarantine.
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
from plan_indicators.sources.csvio import CsvError, checksum, parse_number, read_csv
from plan_indicators.sources.pseudonym import KEY_ENV, MissingKeyError, pseudonymise

__all__ = [
    "KEY_ENV",
    "FileError",
    "FileReport",
    "QuarantineRow",
    "SourceRead",
    "list_files",
    "read_source",
]

_TRUE = {"true", "oui", "yes", "1", "vrai"}
_FALSE = {"false", "non", "no", "0", "faux"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YYYYMMDD = re.compile(r"^\d{8}$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SCIENTIFIC_CHECK = {"facebook_posts": "post_id", "facebook_post_topics": "post_id"}
_DATETIME_TYPES = ("date", "yyyymmdd", "mdy_hm")


@dataclass
class FileError:
    file: str
    line: int | None
    column: str | None
    rule: str
    message: str


@dataclass
class QuarantineRow:
    source: str
    file: str
    line: int
    column: str | None
    rule: str
    reason: str
    value: str | None


@dataclass
class FileReport:
    file: str
    checksum: str
    rows_read: int
    rows_staged: int
    rows_quarantined: int
    encoding: str
    separator: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourceRead:
    source: str
    frame: pd.DataFrame
    quarantine: list[QuarantineRow]
    files: list[FileReport]
    errors: list[FileError]


class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def list_files(landing_dir: Path, source: str) -> list[Path]:
    """Every file of the source's folder in a stable order; hidden and lock files skipped."""
    folder = Path(landing_dir) / source
    if not folder.is_dir():
        return []
    formats = CONTRACTS[source].formats
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.name.lower().endswith(formats)
    )


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


def _parse(col: Column, raw: str, sep: str) -> Any:
    """The typed value of a non-empty cell, or _Reject naming the rule it breaks."""
    t = col.type
    if t == "date":
        try:
            if not _ISO_DATE.match(raw):
                raise ValueError
            value: Any = dt.date.fromisoformat(raw)
        except ValueError:
            raise _Reject("date_format", f"{col.name}: date attendue AAAA-MM-JJ") from None
    elif t == "yyyymmdd":
        try:
            if not _YYYYMMDD.match(raw):
                raise ValueError
            value = dt.datetime.strptime(raw, "%Y%m%d")
        except ValueError:
            raise _Reject("date_format", f"{col.name}: date attendue AAAAMMJJ") from None
    elif t == "mdy_hm":
        value = None
        for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
            try:
                value = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        if value is None:
            raise _Reject("date_format", f"{col.name}: date-heure attendue MM/JJ/AAAA HH:MM")
    elif t == "bool":
        low = raw.casefold()
        if low in _TRUE:
            value = True
        elif low in _FALSE:
            value = False
        else:
            raise _Reject("bool_value", f"{col.name}: booléen attendu (true/false, oui/non, 1/0)")
    elif t in ("int", "float"):
        try:
            value = parse_number(raw, sep)
        except ValueError:
            raise _Reject("number_format", f"{col.name}: nombre attendu") from None
        if t == "int" and not value.is_integer():
            raise _Reject("number_format", f"{col.name}: nombre entier attendu")
    elif t == "fiscal_year":
        try:
            value = FiscalYear.parse(raw).key
        except ValueError:
            raise _Reject("fiscal_year_format", f"{col.name}: exercice attendu AAAA-AAAA") from None
    else:
        value = raw
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


def _row(
    contract: SourceContract,
    cells: list[str],
    width: int,
    positions: dict[str, int],
    sep: str,
    key: bytes | None,
) -> tuple[dict[str, Any], _Problem | None]:
    """A typed record, or the first rule the row breaks (one row is quarantined once)."""
    if len(cells) != width:
        return {}, (None, "field_count", f"{len(cells)} champs au lieu de {width}", None)
    rec: dict[str, Any] = {}
    for c in contract.columns:
        raw = cells[positions[c.name]].strip() if c.name in positions else ""
        if c.personal and raw:
            raw = pseudonymise(raw, _require_key(key))
        if not raw:
            if c.required:
                return rec, (c.name, "required_value", f"{c.name}: valeur obligatoire vide", None)
            rec[c.name] = None
            continue
        try:
            rec[c.name] = _parse(c, raw, sep)
        except _Reject as r:
            return rec, (c.name, r.rule, r.reason, raw)
    return rec, None


def read_source(
    landing_dir: Path, source: str, *, pseudonym_key: bytes | None = None
) -> SourceRead:
    """Read, type and check every file of a CSV source; see the module docstring.

    A missing folder or an empty one is an absent source: empty frame, no error. Raises
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
    for path in list_files(landing_dir, source):
        rel = path.relative_to(landing_dir).as_posix()
        try:
            table = read_csv(path)
        except CsvError as exc:
            errors.append(FileError(rel, None, None, exc.rule, exc.message))
            reports.append(FileReport(rel, _safe_checksum(path), 0, 0, 0, "", "", [exc.message]))
            continue
        report = FileReport(rel, table.checksum, 0, 0, 0, table.encoding, table.separator)
        reports.append(report)
        positions: dict[str, int] = {}
        for i, h in enumerate(table.header):
            name = headers.get(_norm(h))
            if name is None:
                report.warnings.append(f"colonne inconnue ignorée : {h!r}")
            elif name in positions:
                report.warnings.append(f"colonne en double ignorée : {h!r} ({name})")
            else:
                positions[name] = i
        file_errors = [
            FileError(rel, 1, c.name, "missing_column", f"colonne obligatoire absente : {c.name}")
            for c in contract.columns
            if c.required and c.name not in positions
        ]
        sci_col = _SCIENTIFIC_CHECK.get(source)
        if sci_col in positions:
            i = positions[sci_col]
            for line, cells in table.rows:
                if i < len(cells) and _SCIENTIFIC.match(cells[i].strip()):
                    file_errors.append(
                        FileError(
                            rel,
                            line,
                            sci_col,
                            "scientific_notation_id",
                            f"{sci_col} ({table.header[i]!r}) en notation scientifique "
                            f"({cells[i].strip()!r}) : identifiant illisible, fichier refusé",
                        )
                    )
                    break
        if file_errors:
            errors.extend(file_errors)
            report.warnings.append(
                f"fichier refusé ({', '.join(e.rule for e in file_errors)}) : "
                f"ses {len(table.rows)} lignes ne sont pas lues"
            )
            continue
        width = len(table.header)
        for line, cells in table.rows:
            report.rows_read += 1
            rec, problem = _row(contract, cells, width, positions, table.separator, pseudonym_key)
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
                quarantine.append(QuarantineRow(source, rel, line, *problem))
                report.rows_quarantined += 1
                continue
            rec["_file"] = rel
            rec["_line"] = line
            records.append(rec)
            report.rows_staged += 1
    if records:
        columns = _frame_columns(contract)
        frame = _typed(contract, pd.DataFrame.from_records(records, columns=columns))
    else:
        frame = _empty_frame(contract)
    return SourceRead(source, frame, quarantine, reports, errors)

"""One cell typed by its column's contract, from CSV text or a typed workbook cell.

Text is read strictly (docs/contracts.md §4.2: ISO dates, the listed boolean spellings, numbers as
Excel or Meta write them); a workbook's numbers, dates and booleans are taken as they are, with
Excel's serial dates. A cell that breaks a rule raises `Reject` with the rule, so the reader
quarantines its row. `mangled_id` spots the ids Excel rewrote, which refuse a whole file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import Column
from plan_indicators.sources.csvio import parse_number
from plan_indicators.sources.xlsxio import CellError

_TRUE = {"true", "oui", "yes", "1", "vrai"}
_FALSE = {"false", "non", "no", "0", "faux"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YYYYMMDD = re.compile(r"^\d{8}$")
# How Excel leaves an id it re-saved: rounded to scientific notation, typed as a decimal
# number, or kept as text with the apostrophe that forces text. Excel (and LibreOffice, and
# Python) write scientific notation with one digit before the mark and a signed exponent
# (`1.22158E+17`), so an id of letters and digits such as `2024E0001` is no such spelling.
_MANGLED_ID = (
    (re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE][+-]\d+$"), "scientific_notation_id",
     "en notation scientifique"),
    (re.compile(r"^\d+[.,]0+$"), "decimal_id", "suivi d'une décimale .0"),
    (re.compile(r"^'"), "apostrophe_id", "précédé d'une apostrophe"),
)  # fmt: skip
_EXCEL_DIGITS = 10**15  # Excel keeps 15 significant digits: a longer number lost its end
_SERIAL_RANGE = (61, 2958465)  # 1900-03-01 .. 9999-12-31 in the 1900 date system


class Reject(Exception):
    """A cell its column refuses: the row is quarantined under `rule`."""

    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def masked(value: object) -> str:
    """The shape of a withheld value: letters as A, digits as 9, the rest kept, 24 at most."""
    text = str(value)
    shape = "".join("A" if ch.isalpha() else "9" if ch.isdigit() else ch for ch in text[:24])
    return shape + ("…" if len(text) > 24 else "")


def type_text(col: Column, raw: str, sep: str) -> Any:
    """The typed value of a non-empty text cell, or Reject naming the rule it breaks."""
    t = col.type
    if t == "date":
        try:
            if not _ISO_DATE.match(raw):
                raise ValueError
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise Reject("date_format", f"{col.name}: date attendue AAAA-MM-JJ") from None
    if t == "yyyymmdd":
        try:
            if not _YYYYMMDD.match(raw):
                raise ValueError
            return dt.datetime.strptime(raw, "%Y%m%d")
        except ValueError:
            raise Reject("date_format", f"{col.name}: date attendue AAAAMMJJ") from None
    if t == "mdy_hm":
        for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"):
            try:
                return dt.datetime.strptime(raw, fmt)
            except ValueError:
                continue
        raise Reject("date_format", f"{col.name}: date-heure attendue MM/JJ/AAAA HH:MM")
    if t == "bool":
        low = raw.casefold()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise Reject("bool_value", f"{col.name}: booléen attendu (true/false, oui/non, 1/0)")
    if t in ("int", "float"):
        try:
            return parse_number(raw, sep)
        except ValueError:
            raise Reject("number_format", f"{col.name}: nombre attendu") from None
    if t == "fiscal_year":
        try:
            return FiscalYear.parse(raw).key
        except ValueError:
            raise Reject("fiscal_year_format", f"{col.name}: exercice attendu AAAA-AAAA") from None
    return raw


def number_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def type_cell(col: Column, v: Any, epoch: dt.datetime | None) -> Any:
    """A typed workbook cell (number, date, datetime, boolean, time) by contract: real date
    cells and Excel serial numbers are dates, numbers are numbers, text goes as in a CSV."""
    t = col.type
    if isinstance(v, CellError):
        raise Reject("cell_error", f"{col.name}: cellule en erreur dans le classeur ({v})")
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
            raise Reject("bool_value", f"{col.name}: booléen attendu (true/false, oui/non, 1/0)")
        if t in ("date", "mdy_hm"):
            lo, hi = _SERIAL_RANGE
            if epoch is None or not lo <= v <= hi or (t == "date" and not float(v).is_integer()):
                raise Reject("date_format", f"{col.name}: numéro de série de date Excel invalide")
            # To the nearest second: 10:00 is stored as 45413.41666666666, a hair before it.
            when = epoch + dt.timedelta(seconds=round(float(v) * 86400))
            return when.date() if t == "date" else when
        return type_text(col, number_text(v), ",")
    if isinstance(v, dt.datetime):
        if t == "date":
            return v.date()
        if t in ("mdy_hm", "yyyymmdd"):
            return v if t == "mdy_hm" else dt.datetime.combine(v.date(), dt.time())
        if t == "str":
            return v.isoformat(sep=" ")
        raise Reject("number_format", f"{col.name}: date inattendue dans cette colonne")
    if isinstance(v, dt.date):
        if t == "date":
            return v
        if t in ("mdy_hm", "yyyymmdd"):
            return dt.datetime.combine(v, dt.time())
        if t == "str":
            return v.isoformat()
        raise Reject("number_format", f"{col.name}: date inattendue dans cette colonne")
    if t == "str":
        return str(v)
    raise Reject("date_format", f"{col.name}: valeur de ce type inattendue ({type(v).__name__})")


def check(col: Column, value: Any) -> Any:
    """Integer, allowed values and range, whatever the file type."""
    if col.type == "int" and not float(value).is_integer():
        raise Reject("number_format", f"{col.name}: nombre entier attendu")
    if col.allowed and value not in col.allowed:
        raise Reject("allowed_values", f"{col.name}: valeur hors de la liste permise")
    if col.minimum is not None and value < col.minimum:
        raise Reject("out_of_range", f"{col.name}: valeur inférieure au minimum {col.minimum:g}")
    if col.maximum is not None and value > col.maximum:
        raise Reject("out_of_range", f"{col.name}: valeur supérieure au maximum {col.maximum:g}")
    return value


def mangled_id(value: Any) -> tuple[str, str] | None:
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

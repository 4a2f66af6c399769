"""Excel workbooks (`.xlsx`) read into the same table as a CSV, cells keeping their types.

Meta Business Suite and planning teams produce workbooks. One sheet is read: the contract's
`sheet`, else the first. A row's `line` is its row number in that sheet, so errors name the
file, sheet, row and column. Cells stay typed (numbers, dates, datetimes, booleans, text);
the readers type them by contract. An error cell (`#DIV/0!`, `#N/A`) becomes a `CellError`,
never an empty cell. Read with openpyxl in read-only mode (cached values of formulas).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

from plan_indicators.sources.csvio import CsvError, CsvTable, checksum


@dataclass(frozen=True)
class CellError:
    """An Excel error value; its code is shown, being no data of anyone."""

    code: str

    def __str__(self) -> str:
        return self.code


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_xlsx(path: Path, sheet: str | None = None) -> CsvTable:
    """The sheet's first non-empty row as header, every later row with its sheet row number.

    `epoch` of the table is the workbook's date system, for serial numbers typed as numbers.
    Raises CsvError: `unreadable` (not a workbook, protected, corrupt), `missing_sheet`,
    `empty_file` (no header row).
    """
    import openpyxl

    path = Path(path)
    name = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise CsvError(
            name, "unreadable", f"classeur illisible (corrompu ou protégé ?) : {exc}"
        ) from None
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise CsvError(
                name,
                "missing_sheet",
                f"feuille {sheet!r} absente (feuilles : {', '.join(map(repr, names))})",
            )
        chosen = sheet if sheet is not None else names[0]
        ws = wb[chosen]
        # Rows as the file holds them: a stale dimension (A1:XFD1048576 after formatting whole
        # columns) would otherwise pad every row to 16 384 cells.
        ws.reset_dimensions()
        header: list[str] | None = None
        rows: list[tuple[int, list]] = []
        blank = pending = last = 0
        for number, cells in enumerate(ws.iter_rows(min_row=1), start=1):
            values = [CellError(c.value) if c.data_type == "e" else c.value for c in cells]
            if all(_empty(v) for v in values):
                pending += 1  # counted once a later row shows it lies inside the sheet
                continue
            blank, pending, last = blank + pending, 0, number
            if header is None:
                header = ["" if v is None else str(v).replace("\ufeff", "").strip() for v in values]
                continue
            rows.append((number, values))
        epoch = wb.epoch
    except CsvError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged part
        raise CsvError(name, "unreadable", f"classeur illisible : {exc}") from None
    finally:
        wb.close()
    if header is None:
        raise CsvError(name, "empty_file", f"feuille {chosen!r} : aucune ligne d'en-tête")
    others = [s for s in names if s != chosen]
    warnings = (
        [f"feuille(s) non lue(s) : {', '.join(map(repr, others))} (lue : {chosen!r})"]
        if others
        else []
    )
    # Empty rows below the last non-empty one are formatting, not lines of the sheet.
    return CsvTable(
        header, rows, "xlsx", "", checksum(path), warnings, last, 1, blank, 0, chosen, epoch
    )


def serial_to_datetime(serial: float, epoch: dt.datetime) -> dt.datetime:
    """An Excel serial number (days since the workbook's epoch, fraction = time of day)."""
    return epoch + dt.timedelta(days=serial)

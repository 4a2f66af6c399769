"""Every source folder but web analytics reads `.xlsx` with its CSV contract (docs/contracts.md
§4.8): rows built from each contract, written as CSV and as workbooks whose dates are real date
cells or Excel serial numbers, stage the same frame; the first sheet is read; a bad cell is
named by sheet, row and column."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from contract_rows import csv_text, valid_rows

from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.sources.readers import read_source

SOURCES = [s for s, c in CONTRACTS.items() if ".xlsx" in c.formats]
EPOCH = dt.datetime(1899, 12, 30)  # day 0 of the 1900 date system as openpyxl counts it


def typed(col, text: str, serial: bool):
    """The cell a workbook would hold for a CSV text (a text cell when it is not one)."""
    if text == "??":
        return text
    if col.type == "date":
        day = dt.date.fromisoformat(text)
        return (day - EPOCH.date()).days if serial else day
    if col.type == "mdy_hm":
        when = dt.datetime.strptime(text, "%m/%d/%Y %H:%M")
        return (when - EPOCH).total_seconds() / 86400 if serial else when
    if col.type == "bool":
        return text in ("oui", "true", "1")
    if col.type in ("int", "float"):
        return float(text)
    return text


def workbook(path, contract, rows, serial: bool):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Données"
    ws.append([c.name for c in contract.columns])
    for row in rows:
        ws.append([typed(c, v, serial) for c, v in zip(contract.columns, row, strict=True)])
    wb.create_sheet("Notes").append(["not read: the first sheet is"])
    wb.save(path)


def frame(root, source):
    read = read_source(root, source, pseudonym_key=b"k" * 32)
    assert read.errors == [] and read.quarantine == [], (read.errors, read.quarantine)
    return read, read.frame.drop(columns=["_file"])


def assert_frame_equal(a, b):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("serial", [False, True], ids=["date-cells", "serial-numbers"])
def test_workbook_stages_as_its_csv(tmp_path, source, serial):
    contract = CONTRACTS[source]
    if contract.sheet is not None:
        pytest.skip("a contract naming a sheet is tested in test_bad_inputs")
    rows = valid_rows(contract, 3)
    (tmp_path / "csv" / source).mkdir(parents=True)
    (tmp_path / "csv" / source / "f.csv").write_text(csv_text(contract, rows))
    (tmp_path / "xlsx" / source).mkdir(parents=True)
    workbook(tmp_path / "xlsx" / source / "f.xlsx", contract, rows, serial)
    _, a = frame(tmp_path / "csv", source)
    read, b = frame(tmp_path / "xlsx", source)
    assert len(b) == 3
    assert_frame_equal(a, b)  # _line too: CSV lines 2-4 = sheet rows 2-4
    assert read.files[0].sheet == "Données"
    assert any("'Notes'" in w for w in read.files[0].warnings)  # the other sheet is named


@pytest.mark.parametrize("source", SOURCES)
def test_bad_workbook_cell_named_by_sheet_row_and_column(tmp_path, source):
    contract = CONTRACTS[source]
    column = next(c for c in contract.columns if c.required and c.type != "str" or c.allowed)
    rows = valid_rows(contract, 3)
    rows[1][contract.columns.index(column)] = "??"  # sheet row 3
    (tmp_path / source).mkdir()
    workbook(tmp_path / source / "f.xlsx", contract, rows, serial=False)
    read = read_source(tmp_path, source, pseudonym_key=b"k" * 32)
    assert [(q.file, q.sheet, q.line, q.column) for q in read.quarantine] == [
        (f"{source}/f.xlsx", "Données", 3, column.name)
    ]
    assert read.files[0].rows_read == read.files[0].rows_staged + 1

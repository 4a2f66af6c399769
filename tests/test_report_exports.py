"""Each export read back with its own reader (openpyxl, python-docx, csv, json): the values are
the warehouse's, the reporting year is honoured, texts stay texts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from test_report import FORMULA, PLAN, build_warehouse
from test_report_browser import OPHQ, OPQ, build_demo_warehouse

from orchestration.cli import main
from plan_indicators import warehouse as wh
from plan_indicators.report import write_report
from plan_indicators.report.table import COLUMNS

AS_OF = dt.date(2026, 5, 15)
GENERATED = dt.datetime(2026, 5, 15, 13, 0, tzinfo=dt.UTC)
# On 2026-05-15 with reporting year 2025-2026: OPHQ 2024-2025 and 2025-2026 are reported,
# 2026-2027 (running, after the reporting year) shows its target only, 2027-2028 has not begun.
REPORTED = {(OPHQ, "2024-2025"), (OPHQ, "2025-2026"), (OPQ, "2020-2021"), (OPQ, "2021-2022")}


@pytest.fixture
def engine(tmp_path):
    return build_demo_warehouse(tmp_path / "warehouse.db")


def _warehouse(engine) -> dict[tuple[str, str, str], dict]:
    """Target, result and evaluation of every (plan, indicator, year), read with plain SQL."""
    sql = sa.text(
        "SELECT t.plan_id, t.indicator_id, t.fiscal_year, t.text_fr AS target, r.value, "
        "e.threshold, e.status, e.status_fr, e.explanation_fr FROM indicator_target t "
        "LEFT JOIN indicator_result r USING (plan_id, indicator_id, fiscal_year) "
        "LEFT JOIN indicator_evaluation e USING (plan_id, indicator_id, fiscal_year)"
    )
    with engine.connect() as conn:
        return {(r.plan_id, r.indicator_id, r.fiscal_year): r._asdict() for r in conn.execute(sql)}


def _check_rows(rows: list[dict], engine) -> None:
    """Every exported row against the warehouse: reported years carry its value, threshold
    and status; later years their target only."""
    expected = _warehouse(engine)
    assert {(r["plan_id"], r["indicator_id"], r["fiscal_year"]) for r in rows} == set(expected)
    for row in rows:
        key = (row["plan_id"], row["indicator_id"], row["fiscal_year"])
        want = expected[key]
        assert row["target_text_fr"] == want["target"], key
        if (key[0], key[2]) in REPORTED:
            assert row["reported"] is True, key
            assert row["value"] == want["value"], key
            assert row["status"] == want["status"] and row["status_fr"] == want["status_fr"]
            assert row["threshold"] == want["threshold"], key
            assert row["explanation_fr"] == want["explanation_fr"], key
        else:
            assert row["reported"] is False and row["value"] is None, key
            assert row["status"] == ("not_started" if key[2] == "2027-2028" else None), key
            assert row["explanation_fr"] is None, key  # a later year's text is not published
    explained = {k for k, r in expected.items() if r["explanation_fr"]}
    assert explained == {(OPHQ, "1.1.2", "2024-2025"), (OPHQ, "1.1.2", "2025-2026")}
    assert {(r["plan_id"], r["indicator_id"], r["fiscal_year"]) for r in rows if
            r["explanation_fr"]} == explained  # fmt: skip
    baseline = next(
        r for r in rows if r["indicator_id"] == "2.2.1" and r["fiscal_year"] == "2025-2026"
    )
    # 2.2.1: baseline = result of 2024-2025 = 8.2; threshold 8.2 + 0.1 = 8.3 (as published)
    assert (baseline["baseline_year"], baseline["baseline_value"]) == ("2024-2025", 8.2)
    assert baseline["threshold"] == 8.3


def _export(engine, tmp_path, fmt: str, **kw):
    return write_report(
        engine, tmp_path / f"resultats.{fmt}", fmt=fmt, generated_at=GENERATED, as_of=AS_OF,
        fiscal_year="2025-2026", **kw,
    )  # fmt: skip


def _typed(column_kind: str, text: str):
    if text == "":
        return None
    if column_kind == "number":
        return float(text)
    if column_kind == "bool":
        return {"true": True, "false": False}[text]
    return text


def test_csv_is_open_data(engine, tmp_path):
    raw = _export(engine, tmp_path, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for spreadsheets
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == [c.key for c in COLUMNS]
    kinds = {c.key: c.kind for c in COLUMNS}
    rows = [{k: _typed(kinds[k], v) for k, v in r.items()} for r in reader]
    _check_rows(rows, engine)
    assert b"\r\n" in raw  # RFC 4180 line ends


def test_json_is_open_data(engine, tmp_path):
    doc = json.loads(_export(engine, tmp_path, "json").read_text(encoding="utf-8"))
    assert (doc["as_of"], doc["reporting_year"]) == ("2026-05-15", "2025-2026")
    assert [c["key"] for c in doc["columns"]] == [c.key for c in COLUMNS]
    _check_rows(doc["rows"], engine)
    milestone = next(r for r in doc["rows"] if r["plan_id"] == OPQ and r["indicator_id"] ==
                     "1.1.1" and r["fiscal_year"] == "2021-2022")  # fmt: skip
    assert milestone["achieved_on"] == "2021-10-04"
    assert milestone["value_display"] == "Atteinte le 4 octobre 2021"


def test_xlsx_one_sheet_per_plan_numbers_as_numbers(engine, tmp_path):
    wb = openpyxl.load_workbook(_export(engine, tmp_path, "xlsx"))
    assert wb.sheetnames == [OPHQ, OPQ]
    labels = {c.label_fr: c for c in COLUMNS}
    rows = []
    for ws in wb.worksheets:
        header = [cell.value for cell in ws[1]]
        assert header == [c.label_fr for c in COLUMNS]
        for line in ws.iter_rows(min_row=2):
            row = {}
            for head, cell in zip(header, line, strict=True):
                column = labels[head]
                if column.kind == "number" and cell.value is not None:
                    assert cell.data_type == "n" and isinstance(cell.value, int | float)
                row[column.key] = cell.value
            assert row["plan_id"] == ws.title
            rows.append(row)
    _check_rows(rows, engine)
    first = next(r for r in rows if r["indicator_id"] == "1.1.2" and r["fiscal_year"] ==
                 "2024-2025")  # fmt: skip
    assert first["value"] == 52.3 and first["value_display"] == "52,3\u202f%"


def test_docx_rag_tables(engine, tmp_path):
    document = docx.Document(str(_export(engine, tmp_path, "docx")))
    tables = document.tables
    # per plan: one summary table, then one table per indicator (5 OPHQ + 2 OPQ)
    assert len(tables) == 2 + 7
    summary = [[c.text for c in row.cells] for row in tables[0].rows]
    assert summary[0] == ["Objectif", "Indicateur", "Cible 2025-2026", "Résultat 2025-2026",
                          "Statut"]  # fmt: skip
    assert summary[1][1:] == [
        "1.1.2 Proportion de publications informant le public sur les programmes, mesures et "
        "services dont la portée organique sur Facebook est de 1 000 ou plus",
        "≥ 53 %", "49,8\u202f%\nrésultat provisoire", "Non atteinte",
    ]  # fmt: skip
    by_id = {}
    for paragraph, table in zip(
        [p for p in document.paragraphs if p.text.startswith("Indicateur ")], tables[1:6] +
        tables[7:], strict=True,
    ):  # fmt: skip
        # OPHQ's tables come first; OPQ reuses some ids (2.1.1), keep the OPHQ one
        by_id.setdefault(paragraph.text.split(" ")[1], [[c.text for c in r.cells] for r in
                                                          table.rows])  # fmt: skip
    assert by_id["1.1.2"] == [
        ["", "2024-2025", "2025-2026", "2026-2027", "2027-2028"],
        ["Cibles", "≥ 50 %", "≥ 53 %", "≥ 56 %", "≥ 60 %"],
        ["Résultats", "52,3\u202f%\n(Atteinte)",
         "49,8\u202f%\nrésultat provisoire\n(Non atteinte)", "",
         "(À venir)"],
    ]  # fmt: skip
    baseline = by_id["2.2.1"]
    assert baseline[1][2] == (
        "+0,1 par rapport à la mesure de départ (2024-2025)\n"
        "Mesure de départ (2024-2025) : 8,2 · seuil : 8,3"
    )
    assert by_id["2.1.1"][2][2] == "—\n(Donnée non disponible)"
    assert "2025-2026 : Fichier service_offers en quarantaine" in [
        p.text for p in document.paragraphs
    ]
    # Each explanation of the warehouse under its heading, verbatim (line break included).
    texts = [p.text for p in document.paragraphs]
    for fy in ("2024-2025", "2025-2026"):
        at = texts.index(f"Explication du résultat obtenu en {fy}")
        assert texts[at + 1] == _warehouse(engine)[(OPHQ, "1.1.2", fy)]["explanation_fr"]
    assert sum(t.startswith("Explication du résultat") for t in texts) == 2


def test_texts_stay_texts(tmp_path):
    """A target worded like a spreadsheet formula is text in every export, verbatim."""
    engine = build_warehouse(tmp_path)
    opts = {"as_of": dt.date(2026, 5, 1), "plan_ids": [PLAN], "generated_at": GENERATED}
    wb = openpyxl.load_workbook(write_report(engine, tmp_path / "r.xlsx", fmt="xlsx", **opts))
    cells = [c for row in wb[PLAN].iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 1 and cells[0].data_type == "s"
    raw = write_report(engine, tmp_path / "r.csv", fmt="csv", **opts).read_text("utf-8-sig")
    assert FORMULA.replace('"', '""') in raw
    rows = json.loads(write_report(engine, tmp_path / "r.json", fmt="json", **opts).read_text())
    assert FORMULA in [r["target_text_fr"] for r in rows["rows"]]


def test_export_command(engine, tmp_path, capsys):
    url = str(engine.url)
    out = tmp_path / "opq.xlsx"
    assert main(["export", "--warehouse", url, "--out", str(out), "--plan", OPQ,
                 "--fiscal-year", "2020-2021", "--as-of", "2026-05-15"]) == 0  # fmt: skip
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [OPQ]
    head = [c.value for c in wb[OPQ][1]]
    year, value = head.index("Année financière"), head.index("Résultat")
    got = {(r[year].value, r[value].value) for r in wb[OPQ].iter_rows(min_row=2)
           if r[head.index("Indicateur")].value == "2.1.1"}  # fmt: skip
    assert got == {("2020-2021", 8.44), ("2021-2022", None)}  # 2021-2022 after the year asked
    assert main(["export", "--warehouse", url, "--out", str(tmp_path / "x.txt")]) == 2
    assert "give --format" in capsys.readouterr().err
    assert main(["export", "--warehouse", url, "--out", str(tmp_path / "x.json"),
                 "--fiscal-year", "2025"]) == 2  # fmt: skip
    assert "not a fiscal year key" in capsys.readouterr().err
    assert main(["report", "--warehouse", url, "--out", str(tmp_path / "r.html"),
                 "--plan", OPHQ, "--as-of", "2026-05-15"]) == 0  # fmt: skip
    assert "2027-2028" in (tmp_path / "r.html").read_text("utf-8")


def test_older_warehouse_gains_new_columns(tmp_path):
    """A warehouse made before dim_indicator.note_fr existed still takes the new rows."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    raw = sa.create_engine(url)
    with raw.begin() as conn:
        conn.execute(sa.text("CREATE TABLE dim_indicator (plan_id VARCHAR(64), "
                             "indicator_id VARCHAR(32), text_fr TEXT NOT NULL)"))  # fmt: skip
    assert wh.add_missing_columns(raw)[:2] == ["dim_indicator.enjeu", "dim_indicator.orientation"]
    assert "note_fr" in {c["name"] for c in sa.inspect(raw).get_columns("dim_indicator")}
    assert wh.add_missing_columns(raw) == []

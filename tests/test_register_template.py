"""`register-template` round trip (docs/contracts.md §4.7.9): the workbook a planning officer
fills in is read back as `activity_register`, its evidence reaches the warehouse, the report
and the exports ("Preuve"), and a wrong entry is explained in the terms of the sheet.

Plan `tpl-2024-2026`, three register indicators and one survey indicator (not listed):
  M  milestone, due 2024-12-31: reached 2024-10-15 (evidence https://ex.org/pv-2024-10.pdf)
  C  count ≥ 2 in 2024-2025: rows c1 (PV-001), c2 (no evidence), c3 (quantity 2, PV-003)
     -> 1 + 1 + 2 = 4, evidence "PV-001 ; PV-003"
  R  rate: r1 oui, r2 non -> 50 %; r3 "peut-être" is quarantined (never read as false)
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
import yaml
from register_plans import catalog, indicator, publish, rows_by_key

from orchestration.cli import main
from plan_indicators.register_template import ENTRY_SHEET, INDICATORS_SHEET
from plan_indicators.sources.landing import check_landing

PLAN = "tpl-2024-2026"
YEARS = ["2024-2025", "2025-2026"]


CATALOG = {
    "plan": {"id": PLAN, "organisation": "Organisme", "title": "Plan", "fiscal_years": YEARS},
    "indicators": [
        indicator("M", "register_milestone", "date",
                  {"2024-2025": {"kind": "deadline", "due": "2024-12-31",
                                 "text_fr": "décembre 2024"}},
                  text="Date d'adoption de la politique"),
        indicator("C", "register_count", "count",
                  {fy: {"kind": "at_least", "value": 2, "text_fr": "2 rencontres"} for fy in YEARS},
                  text="Nombre de rencontres"),
        indicator("R", "register_rate", "percent",
                  {"2024-2025": {"kind": "at_least", "value": 40, "text_fr": "40 %"}},
                  text="Taux de dossiers conformes"),
        indicator("S", "survey_value", "percent",
                  {"2024-2025": {"kind": "at_least", "value": 40}}, text="Satisfaction"),
    ],
}  # fmt: skip
D = dt.date
ENTRIES = [
    # plan, indicator, record, event_date, quantity, outcome, start, subject, note, evidence
    [PLAN, "M", "m1", D(2024, 10, 15), None, None, None, None, "Adoptée au CA",
     "https://ex.org/pv-2024-10.pdf"],
    [PLAN, "C", "c1", D(2024, 5, 2), None, None, None, None, None, "PV-001"],
    [PLAN, "C", "c2", D(2024, 9, 12), None, None, None, None, None, None],
    [PLAN, "C", "c3", "2025-01-20", 2, None, None, None, None, "PV-003"],  # date typed as text
    [PLAN, "R", "r1", D(2024, 6, 1), None, "oui", None, None, None, None],
    [PLAN, "R", "r2", D(2024, 7, 1), None, "non", None, None, None, None],
    [PLAN, "R", "r3", D(2024, 8, 1), None, "peut-être", None, None, None, None],  # sheet row 8
]  # fmt: skip


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("template")
    (tmp / "plans").mkdir()
    (tmp / "plans" / "tpl.yaml").write_text(yaml.safe_dump(CATALOG), encoding="utf-8")
    template = tmp / "registre.xlsx"
    code = main(
        ["register-template", "--plan", PLAN, "--out", str(template), "--plans", str(tmp / "plans")]
    )
    assert code == 0
    wb = openpyxl.load_workbook(template)
    ws = wb[ENTRY_SHEET]
    for number, row in enumerate(ENTRIES, start=2):  # the formatted rows under the header
        for column, value in enumerate(row, start=1):
            ws.cell(number, column, value)
    landing = tmp / "landing" / "activity_register"
    landing.mkdir(parents=True)
    wb.save(landing / "registre.xlsx")
    return tmp, template


def test_template_lists_the_register_indicators_and_validates_entries(filled):
    _, template = filled
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [ENTRY_SHEET, INDICATORS_SHEET]  # the contract reads the first
    listing = list(wb[INDICATORS_SHEET].iter_rows(values_only=True))
    assert listing[0][:5] == ("indicator_id", "Libellé", "Mesure", "Cible 2024-2025",
                              "Cible 2025-2026")  # fmt: skip
    assert [r[0] for r in listing[1:]] == ["M", "C", "R"]  # S reads a survey, not the register
    assert listing[1][3] == "décembre 2024" and "preuve" in listing[1][-1].casefold()
    entry = wb[ENTRY_SHEET]
    assert [c.value for c in entry[1]] == [
        "plan_id", "indicator_id", "record_id", "event_date", "quantity", "outcome",
        "start_date", "subject", "note", "evidence",
    ]  # fmt: skip
    rules = {str(v.sqref).split(":")[0]: v for v in entry.data_validations.dataValidation}
    assert rules["A2"].formula1 == f'"{PLAN}"'
    assert rules["B2"].formula1 == f"{INDICATORS_SHEET}!$A$2:$A$4"  # the three ids
    assert rules["F2"].formula1 == '"oui,non"'
    assert rules["D2"].type == "date" and entry["D2"].number_format == "yyyy-mm-dd"
    assert entry["A2"].value is None  # nothing pre-filled: an untouched row is blank


def test_unknown_plan_is_refused(filled, capsys):
    tmp, _ = filled
    code = main(["register-template", "--plan", "nope", "--out", str(tmp / "x.xlsx"),
                 "--plans", str(tmp / "plans")])  # fmt: skip
    assert code == 2 and "unknown plan 'nope'" in capsys.readouterr().err
    assert not (tmp / "x.xlsx").exists()


def test_check_landing_names_the_wrong_entry_in_the_terms_of_the_sheet(filled):
    tmp, _ = filled
    report = check_landing(tmp / "landing")
    assert report.ok  # a quarantined row does not refuse the file
    [line] = [p for p in report.problems() if "bool_value" in p]
    assert line.startswith("WARN activity_register/registre.xlsx[Saisie]:8:outcome: bool_value:")
    assert "cellule F8, colonne « outcome »" in line and "'peut-être'" in line
    counts = report.counts()["activity_register"]
    assert (counts["read"], counts["staged"], counts["quarantined"]) == (7, 6, 1)


@pytest.fixture(scope="module")
def published(filled):
    tmp, _ = filled
    url = publish(tmp, "2026-06-01")  # the plan and the filled workbook are there already
    return tmp, url, rows_by_key(url, "indicator_result")


def test_evidence_reaches_the_warehouse(published):
    _, _, results = published
    m = results[("M", "2024-2025")]
    assert m["achieved_on"] == D(2024, 10, 15) and m["evidence"] == "https://ex.org/pv-2024-10.pdf"
    c = results[("C", "2024-2025")]
    assert c["value"] == 4.0  # c1 + c2 + c3 (quantity 2)
    assert c["evidence"] == "PV-001 ; PV-003"  # c2 gives none
    r = results[("R", "2024-2025")]
    assert r["value"] == 50.0 and r["evidence"] is None  # r1 oui / (r1, r2); r3 quarantined
    assert results[("C", "2025-2026")]["evidence"] is None  # no record that year


def test_evidence_in_the_report_and_the_exports(published):
    tmp, url, _ = published
    html = (tmp / "report.html").read_text("utf-8")
    assert 'Preuve : <a href="https://ex.org/pv-2024-10.pdf">' in html
    assert "Preuve : PV-001 ; PV-003" in html
    out = tmp / "resultats.json"
    assert main(["export", "--warehouse", url, "--out", str(out), "--fiscal-year", "2024-2025",
                 "--as-of", "2026-06-01"]) == 0  # fmt: skip
    rows = json.loads(out.read_text("utf-8"))
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    by_key = {(r["indicator_id"], r["fiscal_year"]): r for r in rows}
    assert by_key[("C", "2024-2025")]["evidence"] == "PV-001 ; PV-003"
    xlsx = tmp / "resultats.xlsx"
    assert main(["export", "--warehouse", url, "--out", str(xlsx), "--fiscal-year", "2024-2025",
                 "--as-of", "2026-06-01"]) == 0  # fmt: skip
    sheet = openpyxl.load_workbook(xlsx, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert "Preuve" in header


def test_an_amount_is_recorded_in_dollars_and_a_headcount_rate_says_where_people_are(tmp_path):
    plan = catalog("montants-2024-2026", YEARS, [
        indicator("A", "register_amount", "currency",
                  {"2024-2025": {"kind": "cumulative_at_least", "value": 1e9,
                                 "text_fr": "1,0 G$"}}, text="Investissements cumulés"),
        indicator("T", "register_share_of_headcount", "percent",
                  {"2024-2025": {"kind": "at_most", "value": 10}},
                  text="Taux de roulement du personnel", direction="lower_is_better"),
    ])  # fmt: skip
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "m.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    out = tmp_path / "registre.xlsx"
    assert main(["register-template", "--plan", "montants-2024-2026", "--out", str(out),
                 "--plans", str(tmp_path / "plans")]) == 0  # fmt: skip
    wb = openpyxl.load_workbook(out)
    listing = {r[0]: r for r in wb[INDICATORS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert "quantity = le montant en dollars, obligatoire" in listing["A"][-1]
    assert listing["A"][3] == "1,0 G$"
    assert "headcounts/" in listing["T"][-1]
    prompt = next(v for v in wb[ENTRY_SHEET].data_validations.dataValidation
                  if str(v.sqref).startswith("E2"))  # fmt: skip
    assert "montant en dollars" in prompt.prompt

"""`cumulative_at_least` and `currency` (docs/contracts.md §2.3, §2.4, §2.5 "Cumulative
targets"): the engine's cumul by hand, amounts in French, the drafted lines of each wording, and a
small plan with a cumulative amount run end to end (warehouse, report, exports)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import pytest
import yaml
from register_plans import indicator, publish, rows_by_key

from plan_indicators.catalog import CatalogError, parse_plan
from plan_indicators.drafting import draft_plan, render
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import NBSP, NNBSP, format_value
from plan_indicators.target_kinds.cumulative_at_least import CumulativeAtLeast
from plan_indicators.targets import Observed, evaluate, threshold_text

FY23, FY24, FY25 = FiscalYear(2023), FiscalYear(2024), FiscalYear(2025)
AFTER_24 = dt.date(2025, 4, 1)  # 2024-2025 is over
RUNNING_25 = dt.date(2025, 9, 1)  # 2025-2026 runs


def cumul(value, from_year=None):
    return CumulativeAtLeast(kind="cumulative_at_least", value=value, from_year=from_year)


def ev(target, fy, observed, results, as_of=AFTER_24, unit="count", plan_start="2023-2024"):
    return evaluate(target, observed, fy, as_of, results=results, plan_start=plan_start, unit=unit)


# ── engine ─────────────────────────────────────────────────────────────────────────────────


def test_counts_are_summed_from_the_plans_first_year():
    results = {"2023-2024": Observed(40.0), "2024-2025": Observed(60.0)}
    # 40 + 60 = 100 >= 100: met, gap 0; the evaluation's value is the cumul
    res = ev(cumul(100), FY24, results["2024-2025"], results)
    assert (res.status, res.value, res.threshold, res.gap) == ("met", 100.0, 100.0, 0.0)
    # 40 + 60 = 100 < 150: not met, gap -50
    res = ev(cumul(150), FY24, results["2024-2025"], results)
    assert (res.status, res.value, res.gap) == ("not_met", 100.0, -50.0)


def test_a_stated_from_year_starts_the_cumul_there():
    results = {"2023-2024": Observed(40.0), "2024-2025": Observed(60.0)}
    # from 2024-2025 only: 60 < 100
    res = ev(cumul(100, "2024-2025"), FY24, results["2024-2025"], results)
    assert (res.status, res.value) == ("not_met", 60.0)


def test_amounts_are_summed():
    # 287 000 000 + 250 000 000 + 400 000 000 = 937 000 000 < 1 000 000 000: gap -63 000 000
    results = {
        "2023-2024": Observed(537e6),
        "2024-2025": Observed(400e6),
    }
    res = ev(cumul(1e9), FY24, results["2024-2025"], results, unit="currency")
    assert (res.status, res.value, res.gap) == ("not_met", 937e6, -63e6)


def test_a_rate_is_recomputed_on_the_pooled_period():
    # 10/50 = 20 % then 30/100 = 30 %: pooled (10 + 30) / (50 + 100) = 40/150 = 26.67 %,
    # not the mean of the rates (25 %). Target 26: met on the pooled rate (the mean would fail).
    results = {
        "2023-2024": Observed(20.0, numerator=10, denominator=50),
        "2024-2025": Observed(30.0, numerator=30, denominator=100),
    }
    res = ev(cumul(26), FY24, results["2024-2025"], results, unit="percent")
    assert res.status == "met"
    assert res.value == pytest.approx(100 * 40 / 150)
    # a mean score: (8 + 18) / (2 + 3) = 5.2, no factor
    scores = {
        "2023-2024": Observed(4.0, numerator=8, denominator=2),
        "2024-2025": Observed(6.0, numerator=18, denominator=3),
    }
    assert ev(cumul(5), FY24, scores["2024-2025"], scores, unit="score").value == 5.2


def test_a_year_missing_from_the_period_is_no_data_never_skipped():
    results = {"2023-2024": Observed(None), "2024-2025": Observed(200.0)}
    # 200 alone would pass 150; 2023-2024 has no result, so the cumul is unknown
    res = ev(cumul(150), FY24, results["2024-2025"], results)
    assert res.status == "no_data"
    assert res.note == "résultat de 2023-2024 non disponible : le cumul ne peut être calculé"
    # a rate without its terms cannot be pooled
    rates = {"2023-2024": Observed(20.0), "2024-2025": Observed(30.0, numerator=3, denominator=10)}
    res = ev(cumul(10), FY24, rates["2024-2025"], rates, unit="percent")
    assert res.status == "no_data"
    assert "numérateur ou dénominateur de 2023-2024" in res.note


def test_the_running_year_counts_its_partial_result_and_a_later_year_has_not_started():
    results = {
        "2023-2024": Observed(40.0),
        "2024-2025": Observed(60.0),
        "2025-2026": Observed(20.0),
    }
    # 40 + 60 + 20 = 120 so far, target 150: in progress, gap -30
    res = ev(cumul(150), FY25, results["2025-2026"], results, as_of=RUNNING_25)
    assert (res.status, res.value, res.gap) == ("in_progress", 120.0, -30.0)
    res = ev(cumul(150), FY25, Observed(None), results, as_of=dt.date(2025, 3, 1))
    assert (res.status, res.threshold) == ("not_started", 150.0)


def test_threshold_text():
    assert threshold_text(cumul(1.5e9), 1.5e9, unit="currency") == (
        f"cumul depuis le début du plan ≥ 1,5{NBSP}G$"
    )
    assert threshold_text(cumul(20, "2018-2019"), 20, unit="percent") == (
        f"cumul depuis 2018-2019 ≥ 20,0{NNBSP}%"
    )


# ── catalog ────────────────────────────────────────────────────────────────────────────────


def _plan(unit: str, target: dict, measure: str = "register_amount") -> dict:
    return {
        "plan": {"id": "tbp", "organisation": "O", "title": "T",
                 "fiscal_years": ["2023-2024", "2024-2025", "2025-2026"]},
        "indicators": [{
            "id": "1.1.1", "enjeu": "e", "orientation": "o", "objective": "b",
            "text_fr": "Investissements cumulés", "unit": unit, "measure": {"name": measure},
            "targets": {"2024-2025": target},
        }],
    }  # fmt: skip


def test_the_catalog_takes_a_cumulative_amount_and_its_years_as_partitions():
    plan = parse_plan(
        _plan("currency", {"kind": "cumulative_at_least", "value": 1.5e9,
                           "from_year": "2021-2022"}), "t.yaml",
    )  # fmt: skip
    # 2021-2022 and 2022-2023 are computed, so the cumul of 2024-2025 can be made
    assert plan.partition_years() == [
        "2021-2022", "2022-2023", "2023-2024", "2024-2025", "2025-2026",
    ]  # fmt: skip


def test_the_catalog_refuses_a_cumul_after_its_year_a_date_and_a_negative_amount():
    with pytest.raises(CatalogError) as err:
        parse_plan(_plan("currency", {"kind": "cumulative_at_least", "value": 1,
                                      "from_year": "2025-2026"}), "t.yaml")  # fmt: skip
    assert "field targets.2024-2025.from_year: from_year 2025-2026 is after 2024-2025" in str(
        err.value
    )
    with pytest.raises(CatalogError) as err:
        parse_plan(_plan("date", {"kind": "cumulative_at_least", "value": 1},
                         "register_milestone"), "t.yaml")  # fmt: skip
    assert "target kind cumulative_at_least does not fit unit date" in str(err.value)
    with pytest.raises(CatalogError) as err:
        parse_plan(_plan("currency", {"kind": "at_least", "value": -5}), "t.yaml")
    assert "target -5 is outside the currency range ≥ 0" in str(err.value)


# ── formatting ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_500_000_000, f"1,5{NBSP}G$"),  # 1.5 × 10^9
        (287_000_000, f"287,0{NBSP}M$"),  # 287.0 × 10^6
        (1_234_567_890, f"1,2{NBSP}G$"),  # 1.23 × 10^9, one decimal
        (999_960_000, f"1,0{NBSP}G$"),  # 999.96 M$ rounds to 1 000,0 M$: the next scale
        (999_940_000, f"999,9{NBSP}M$"),
        (45_000, f"45{NNBSP}000{NBSP}$"),  # under a million: whole dollars
        (999_999.5, f"1,0{NBSP}M$"),  # rounds to 1 000 000 $
        (-2_500_000, f"-2,5{NBSP}M$"),
    ],
)
def test_amounts_read_as_public_reports_print_them(amount, text):
    assert format_value(amount, "currency") == text


# ── drafts ─────────────────────────────────────────────────────────────────────────────────

TABLEAU = (
    "PLAN STRATÉGIQUE 2023-2026\n\nMinistère de l'Économie et de l'Innovation\n\n"
    "Enjeu 1 : Une économie innovante\n\nOrientation 1 : Stimuler l'investissement\n\n"
    "OBJECTIF\tINDICATEUR\tCIBLE 2023-2024\tCIBLE 2024-2025\tCIBLE 2025-2026\n"
    "1.1 Accroître les investissements\t1.1.1 Investissements cumulés des entreprises "
    "soutenues\t0,5 G$\t1,0 G$\t1,5 G$\n"
    "\t1.1.2 Nombre cumulé de projets soutenus\t50\t100\t150\n"
    "\t1.1.3 Taux de demandes traitées en ligne\t70 % annuellement\t70 % annuellement"
    "\t70 % annuellement\n"
)
LABELLED = (
    "Plan stratégique 2019-2023 du Bureau des exemples du Québec\n\n"
    "1.\t UNE ORGANISATION PERFORMANTE\n\n1.1\t Améliorer les services\n\n"
    "1.1.1\t Accroître l'emploi\n\n"
    "\t Indicateur :\t taux d'emploi des personnes accompagnées\n"
    "\t Cible :\t 20 % (de 2019 à 2022)\n\n"
    "\t Indicateur :\t Nombre cumulé de projets soutenus\n\t Cible :\t Nombre cumulé : 150\n\n"
    "\t Indicateur :\t Investissements cumulés dans les régions\n"
    "\t Cible :\t Investissements cumulés : 1,5 G$\n\n"
    "\t Indicateur :\t Taux de satisfaction\n\t Cible :\t 70 % annuellement\n"
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in render(draft_plan(text, source="plan.txt")).splitlines()]


def test_drafted_lines_of_a_tableau_synoptique():
    lines = _lines(TABLEAU)
    # "cumulés" in the wording: each year's amount is the cumul from the plan's first year;
    # 1,5 G$ = 1 500 000 000 $
    assert (
        "2025-2026: {kind: cumulative_at_least, value: 1500000000, from_year: 2023-2024, "
        'text_fr: "1,5 G$"}'
    ) in lines
    assert "unit: currency  # libellé « Investissements »" in lines
    assert "measure: {name: register_amount}  # seule mesure de la bibliothèque en currency" in (
        lines
    )
    assert (
        '2024-2025: {kind: cumulative_at_least, value: 100, from_year: 2023-2024, text_fr: "100"}'
    ) in lines
    # "annuellement": the same at_least target in every year, not a cumul
    for fy in ("2023-2024", "2024-2025", "2025-2026"):
        assert f'{fy}: {{kind: at_least, value: 70, text_fr: "70 % annuellement"}}' in lines


def test_drafted_lines_of_the_labelled_layout():
    lines = _lines(LABELLED)
    # "de 2019 à 2022": the fiscal years that start in 2019 ... 2022, written under the last
    assert (
        "2022-2023: {kind: cumulative_at_least, value: 20, from_year: 2019-2020, "
        'text_fr: "20 % (de 2019 à 2022)"}'
    ) in lines
    # no year given: a cumul judged in the plan's last year, counted from its first
    assert (
        "2022-2023: {kind: cumulative_at_least, value: 150, from_year: 2019-2020, "
        'text_fr: "Nombre cumulé : 150"}'
    ) in lines
    assert (
        "2022-2023: {kind: cumulative_at_least, value: 1500000000, from_year: 2019-2020, "
        'text_fr: "Investissements cumulés : 1,5 G$"}'
    ) in lines
    for fy in ("2019-2020", "2020-2021", "2021-2022", "2022-2023"):
        assert f'{fy}: {{kind: at_least, value: 70, text_fr: "70 % annuellement"}}' in lines


def test_a_drafted_cumulative_amount_validates():
    catalog = yaml.safe_load(render(draft_plan(TABLEAU, source="plan.txt")))
    catalog["indicators"] = [i for i in catalog["indicators"] if i["id"] == "1.1.1"]
    plan = parse_plan(catalog, "draft.yaml")
    target = plan.indicator("1.1.1").targets["2025-2026"]
    assert (target.kind, target.value, target.from_year) == (
        "cumulative_at_least", 1.5e9, "2023-2024",
    )  # fmt: skip


# ── end to end ─────────────────────────────────────────────────────────────────────────────

PLAN = "tbp-2023-2026"
YEARS = ["2023-2024", "2024-2025", "2025-2026"]
AMOUNTS = (0.5e9, 1e9, 1.5e9)


CATALOG = {
    "plan": {"id": PLAN, "organisation": "Ministère", "title": "Plan", "fiscal_years": YEARS},
    "indicators": [
        indicator("A", "register_amount", "currency", text="Investissements cumulés", targets={
            fy: {"kind": "cumulative_at_least", "value": v, "text_fr": t}
            for fy, v, t in zip(YEARS, AMOUNTS, ("0,5 G$", "1,0 G$", "1,5 G$"), strict=True)
        }),
        indicator("B", "register_count", "count", text="Nombre cumulé de projets", targets={
            fy: {"kind": "cumulative_at_least", "value": v}
            for fy, v in zip(YEARS, (50, 100, 150), strict=True)
        }),
        indicator("C", "register_rate", "percent", text="Taux de réussite", targets={
            "2024-2025": {"kind": "cumulative_at_least", "value": 40, "from_year": "2023-2024",
                          "text_fr": "40 % (de 2023 à 2024)"},
        }),
    ],
}  # fmt: skip

P = f"{PLAN},"
REGISTER = (
    "plan_id,indicator_id,record_id,event_date,quantity,outcome\n"
    + f"{P}A,a1,2023-06-01,287000000,\n{P}A,a2,2023-11-01,250000000,\n"
    + f"{P}A,a3,2024-05-01,400000000,\n{P}A,a4,2025-06-01,300000000,\n"
    + f"{P}B,b1,2023-06-01,30,\n{P}B,b2,2024-01-10,25,\n{P}B,b3,2024-07-01,50,\n"
    + f"{P}C,c1,2023-05-01,,true\n"
    + "".join(f"{P}C,c{i},2023-06-0{i},,false\n" for i in range(2, 6))
    + f"{P}C,c6,2024-05-01,,true\n{P}C,c7,2024-06-01,,true\n{P}C,c8,2024-07-01,,false\n"
)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from plan_indicators import warehouse as wh
    from plan_indicators.report import load_view, write_output

    tmp = tmp_path_factory.mktemp("cumul")
    url = publish(tmp, "2025-09-01", CATALOG, {"activity_register/registre.csv": REGISTER},
                  dagster_home=True)  # fmt: skip
    evaluations = rows_by_key(url, "indicator_evaluation")
    view = load_view(wh.engine_for(url), as_of=dt.date(2025, 9, 1))
    for fmt, name in (("xlsx", "r.xlsx"), ("csv", "r.csv"), ("json", "r.json")):
        write_output(view, tmp / name, fmt)
    return tmp, evaluations


def test_cumulative_amounts_are_evaluated_in_the_warehouse(published):
    _, ev = published
    # 2023-2024: 287 M + 250 M = 537 M >= 500 M
    assert (ev["A", "2023-2024"]["status"], ev["A", "2023-2024"]["value"]) == ("met", 537e6)
    # 2024-2025: 537 M + 400 M = 937 M < 1 000 M, gap -63 M
    a24 = ev["A", "2024-2025"]
    assert (a24["status"], a24["value"], a24["gap"]) == ("not_met", 937e6, -63e6)
    # 2025-2026 runs at 2025-09-01: 937 M + 300 M = 1 237 M so far
    assert (ev["A", "2025-2026"]["status"], ev["A", "2025-2026"]["value"]) == (
        "in_progress", 1237e6,
    )  # fmt: skip
    # counts: 30 + 25 = 55 >= 50; 55 + 50 = 105 >= 100
    assert (ev["B", "2023-2024"]["status"], ev["B", "2023-2024"]["value"]) == ("met", 55)
    assert (ev["B", "2024-2025"]["status"], ev["B", "2024-2025"]["value"]) == ("met", 105)
    # rate: 1/5 = 20 % then 2/3 = 66.7 %; pooled 3/8 = 37.5 % < 40 (their mean, 43.3, would pass)
    c24 = ev["C", "2024-2025"]
    assert c24["status"] == "not_met"
    assert c24["value"] == pytest.approx(37.5)


def test_the_report_prints_amounts_and_the_cumul(published):
    tmp, _ = published
    html = (tmp / "report.html").read_text(encoding="utf-8")
    assert f"537,0{NBSP}M$" in html  # the 2023-2024 result: 287 M + 250 M
    # under 2024-2025: the cumul evaluated (537 M + 400 M) and the target
    assert f"Cumul jusqu&#x27;en 2024-2025 : 937,0{NBSP}M$ · cible : ≥ 1,0{NBSP}G$" in html


def test_the_chart_draws_the_cumul_against_its_threshold(published):
    tmp, _ = published
    html = (tmp / "report.html").read_text(encoding="utf-8")
    amounts = re.search(r'<svg\b[^>]*indicateur A".*?</svg>', html, flags=re.S).group(0)
    # bars are the cumul compared with the dashed tick: 537 M, then 537 + 400 = 937 M (not the
    # year's own 400 M); the running 2025-2026 is after the reporting year: its target only
    bars = re.findall(r'class="val"[^>]*>([^<]*)<', amounts)
    assert bars == [f"537,0{NBSP}M$", f"937,0{NBSP}M$"]
    # ticks in dollars as the table prints them, never "1 000 000 000"
    assert f"1,0{NBSP}G$" in amounts or f"1,5{NBSP}G$" in amounts
    assert "000 000" not in amounts


def test_the_exports_keep_amounts_as_numbers(published):
    from openpyxl import load_workbook

    tmp, _ = published
    ws = load_workbook(tmp / "r.xlsx").active
    header = [c.value for c in ws[1]]
    col, comp = header.index("Résultat"), header.index("Valeur comparée au seuil")
    rows = {(r[header.index("Indicateur")].value, r[header.index("Année financière")].value): r
            for r in ws.iter_rows(min_row=2)}  # fmt: skip
    cell = rows["A", "2023-2024"][col]
    assert (cell.value, cell.number_format) == (537e6, '#,##0.0,," M$"')
    assert rows["A", "2024-2025"][comp].value == 937e6
    with (tmp / "r.csv").open(encoding="utf-8-sig", newline="") as f:
        line = next(r for r in csv.DictReader(f) if (r["indicator_id"], r["fiscal_year"]) == (
            "A", "2024-2025"))  # fmt: skip
    assert float(line["value"]) == 400e6 and float(line["compared"]) == 937e6
    doc = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    rows_json = doc["rows"] if isinstance(doc, dict) else doc
    row = next(r for r in rows_json if (r["indicator_id"], r["fiscal_year"]) == ("A", "2024-2025"))
    assert (row["value"], row["compared"], row["threshold"]) == (400e6, 937e6, 1e9)

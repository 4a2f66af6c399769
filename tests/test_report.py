"""The annual report read from a real SQLite warehouse: French wording, numbers, escaping."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plan_indicators import warehouse as wh
from plan_indicators.closing import record_closing
from plan_indicators.report import (
    format_value,
    parse_assumptions,
    render_report,
    write_report,
)
from plan_indicators.statuses import STATUS_FR

NNBSP = "\u202f"
NBSP = "\u00a0"
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
PLAN = "demo-2024-2026"
FY1, FY2 = "2024-2025", "2025-2026"
GENERATED = dt.datetime(2026, 5, 1, 14, 5, tzinfo=dt.UTC)


def _indicator(ind_id, text, unit, enjeu, orientation, objective, assumptions=None, order=0,
               note_fr=None):  # fmt: skip
    return {
        "plan_id": PLAN, "indicator_id": ind_id, "enjeu": enjeu, "orientation": orientation,
        "objective": objective, "text_fr": text, "unit": unit,
        "direction": "lower_is_better" if unit == "days" else "higher_is_better",
        "measure": "survey_value", "assumptions": assumptions, "sort_order": order,
        "note_fr": note_fr,
    }  # fmt: skip


def _cell(ind_id, fy, *, kind, target, threshold=None, value=None, display=None,
          achieved_on=None, status, note=None, reason=None):  # fmt: skip
    """One (indicator, year): its target, result and evaluation rows."""
    key = {"plan_id": PLAN, "indicator_id": ind_id, "fiscal_year": fy}
    return (
        {**key, "kind": kind, "text_fr": target, "threshold": threshold},
        {
            **key,
            "value": value,
            "value_display": display,
            "achieved_on": achieved_on,
            "reason": reason,
            "data_as_of": dt.date(2026, 3, 31) if fy == FY2 else dt.date(2025, 3, 31),
            "is_final": fy == FY1,
        },  # fmt: skip
        {
            **key,
            "value": value,
            "threshold": threshold,
            "status": status,
            "status_fr": STATUS_FR[status],
            "note": note,
        },  # fmt: skip
    )


def build_warehouse(tmp_path: Path, *, text_fr: str = f"{SCRIPT} Proportion des publications"):
    """A tiny plan: 1.1.1 percent, 1.2.1 delay in days, 2.1.1 milestone; two fiscal years."""
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'warehouse.db'}")
    plan = {"plan_id": PLAN, "organisation": "Office de démonstration",
            "title": "Plan stratégique 2024-2026", "first_fiscal_year": FY1,
            "last_fiscal_year": FY2, "source": "demo.txt"}  # fmt: skip
    other = {**plan, "plan_id": "other-plan", "title": "Autre plan"}
    e1, o1 = "1 — L'accès aux services", "1 — Informer la population"
    indicators = [
        _indicator("1.1.1", text_fr, "percent", e1, o1, "1.1 Mieux informer",
                   json.dumps(["Portée organique seulement", "Publications étiquetées"]), 1,
                   note_fr="Publications sur les programmes seulement"),
        _indicator("1.2.1", "Délai moyen de production des BES", "days", e1, o1,
                   "1.2 Répondre plus vite", "Jours ouvrables du Québec\n- Jours fériés exclus", 2),
        _indicator("2.1.1", "Date d'adoption de la politique", "date", "2 — La gouvernance",
                   "2 — Moderniser", "2.1 Adopter la politique", None, 3),
    ]  # fmt: skip
    cells = [
        # 52.25 rounds half up to 52.3; 52.25 >= 50 -> met
        _cell("1.1.1", FY1, kind="at_least", target="≥ 50 %", threshold=50.0, value=52.25,
              status="met"),
        # 41.0 < 55 -> not_met; the target's text is a spreadsheet formula injection
        _cell("1.1.1", FY2, kind="at_least", target=FORMULA, threshold=55.0, value=41.0,
              status="not_met"),
        _cell("1.2.1", FY1, kind="at_most", target="≤ 10 jours ouvrables", threshold=10.0,
              status="no_data", reason="Aucun fichier activity_register"),
        # 8.44 rounds to 8.4
        _cell("1.2.1", FY2, kind="at_most", target="≤ 10 jours ouvrables", threshold=10.0,
              value=8.44, status="in_progress"),
        # a pipeline may write "Non atteinte" as a milestone's display: no result to print
        _cell("2.1.1", FY1, kind="not_applicable", target="S. O.", status="not_applicable",
              display="Non atteinte"),
        # due automne 2025 = 2025-12-20; achieved 2026-02-15 > due -> met_late
        _cell("2.1.1", FY2, kind="deadline", target="automne 2025",
              achieved_on=dt.date(2026, 2, 15), status="met_late",
              note="Adoptée au conseil d'administration de février"),
    ]  # fmt: skip
    wh.replace_rows(engine, wh.dim_plan, {}, [plan, other])
    wh.replace_rows(engine, wh.dim_indicator, {}, indicators)
    for table, rows in zip(
        (wh.indicator_target, wh.indicator_result, wh.indicator_evaluation),
        zip(*cells, strict=True),
        strict=True,
    ):
        wh.replace_rows(engine, table, {}, list(rows))
    # FY1 is closed (its results final, is_final above); FY2 stays open: provisional.
    with engine.begin() as conn:
        record_closing(conn, PLAN, FY1, run_id="closing-run", closed_by="test",
                       as_of=dt.date(2025, 5, 15), results_closed=3)  # fmt: skip
    return engine


class _Tables(HTMLParser):
    """Text of every table row, per table class, to read the report as a reader would."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.footnotes: list[str] = []
        self.in_li = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = attrs.get("class", "")
            self.tables.setdefault(self.current, [])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "li":
            self.in_li = True
            self.footnotes.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.current is not None and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None
        elif tag == "li":
            self.in_li = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_li:
            self.footnotes[-1] += data


def _parse(doc: str) -> _Tables:
    parser = _Tables()
    parser.feed(doc)
    return parser


@pytest.fixture
def report(tmp_path) -> str:
    return render_report(build_warehouse(tmp_path), plan_ids=[PLAN], generated_at=GENERATED)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (52.25, "percent", f"52,3{NNBSP}%"),  # 52.25 -> half up -> 52.3
        (50, "percent", f"50,0{NNBSP}%"),  # one decimal always for percent
        (1250, "count", f"1{NNBSP}250"),  # whole count, thousands split by a narrow space
        (12.5, "count", "12,5"),  # not whole -> one decimal
        (7.85, "score", "7,9"),  # 7.85 half up -> 7.9 (not the binary 7.8499…)
        (8.44, "days", f"8,4{NBSP}jours"),  # 8.44 -> 8.4
        (1.0, "days", f"1,0{NBSP}jour"),  # below 2: singular
        (-3.25, "score", "-3,3"),  # half up away from zero
        (None, "percent", "—"),
    ],
)
def test_format_value_french(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('["a", " b ", ""]', ["a", "b"]),
        ("première\n- deuxième\n\n* troisième", ["première", "deuxième", "troisième"]),
        ("[pas du JSON", ["[pas du JSON"]),
        ('"une seule"', ["une seule"]),
        (None, []),
        ("  ", []),
    ],
)
def test_parse_assumptions_json_or_lines(raw, expected):
    assert parse_assumptions(raw) == expected


def test_results_rows_in_french(report):
    rows = _parse(report).tables["results"]
    text = [[re.sub(r"\s+", " ", c) for c in r] for r in rows]
    # Rows of the first indicator: its cell spans both years (rowspan), so FY2 has 4 cells.
    first = next(i for i, r in enumerate(text) if r[0].startswith("1.1.1"))
    assert text[first][1:] == [FY1, "≥ 50 %", "52,3 %", "Atteinte"]
    # FY2 has ended but is not closed: its result is provisional; FY1's is final.
    assert text[first + 1] == [FY2, FORMULA, "41,0 % résultat provisoire", "Non atteinte"]
    delay = next(i for i, r in enumerate(text) if r[0].startswith("1.2.1"))
    assert text[delay][1:4] == [FY1, "≤ 10 jours ouvrables", "—2"]  # "—" + footnote mark 2
    assert text[delay][4] == "Donnée non disponible"
    assert text[delay + 1] == [
        FY2, "≤ 10 jours ouvrables", "8,4 jours résultat provisoire", "En cours"
    ]  # fmt: skip
    milestone = next(i for i, r in enumerate(text) if r[0].startswith("2.1.1"))
    assert text[milestone][1:] == [FY1, "S. O.", "—", "Sans objet"]
    assert text[milestone + 1][:2] == [FY2, "automne 2025"]
    assert text[milestone + 1][2] == "Atteinte le 15 février 2026 résultat provisoire"
    assert text[milestone + 1][3].startswith("Atteinte après l'échéance")
    # Table cells carry a no-break space (copied into spreadsheets); the charts keep the narrow
    # one before "%".
    assert f'x:num="52.3">52,3{NBSP}%</td>' in report and f"8,4{NBSP}jours" in report
    assert f">52,3{NNBSP}%</text>" in report


def test_grouping_follows_enjeu_orientation_objective(report):
    headings = [r[0] for r in _parse(report).tables["results"] if len(r) == 1]
    assert headings == [
        "Enjeu 1 — L'accès aux services",
        "Orientation 1 — Informer la population",
        "Objectif 1.1 Mieux informer",
        "Objectif 1.2 Répondre plus vite",
        "Enjeu 2 — La gouvernance",
        "Orientation 2 — Moderniser",
        "Objectif 2.1 Adopter la politique",
    ]


def test_summary_counts_statuses_per_year(report):
    rows = _parse(report).tables["summary"]
    assert rows[0] == ["Statut", FY1, FY2]
    body = {r[0]: r[1:] for r in rows[1:]}
    assert body == {
        "Atteinte": ["1", "0"],
        "Non atteinte": ["0", "1"],
        "Sans objet": ["1", "0"],
        "Donnée non disponible": ["1", "0"],
        "En cours": ["0", "1"],
        "Atteinte après l'échéance": ["0", "1"],
        "Total évalué": ["3", "3"],  # 3 indicators evaluated in each year
    }


def test_data_text_is_escaped(report):
    assert "<script" not in report.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Proportion des publications" in report
    assert "=cmd|&#x27; /C calc&#x27;!A0" in report
    assert FORMULA not in report


def test_every_text_field_is_escaped(tmp_path):
    payload = '<img src=x onerror="alert(1)">'
    engine = build_warehouse(tmp_path, text_fr=payload)
    with engine.begin() as conn:
        conn.execute(
            wh.dim_plan.update().values(organisation=payload, title=payload, source=payload)
        )
        conn.execute(wh.dim_indicator.update().values(
            enjeu=payload, orientation=payload, objective=payload, text_fr=payload,
            assumptions=json.dumps([payload])))  # fmt: skip
        conn.execute(wh.indicator_target.update().values(text_fr=payload))
        conn.execute(wh.indicator_result.update().values(value_display=payload, reason=payload))
        conn.execute(wh.indicator_evaluation.update().values(note=payload, status_fr=payload))
    doc = render_report(engine, generated_at=GENERATED)
    assert "<img" not in doc
    assert 'onerror="' not in doc
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in doc


def test_one_chart_per_numeric_indicator(report):
    charts = re.findall(r"<svg\b.*?</svg>", report, flags=re.S)
    # 1.1.1 (percent) and 1.2.1 (days) are numeric; 2.1.1 is a milestone (date)
    assert len(charts) == 2
    percent, days = charts
    assert "Pourcentage (%)" in percent and "Année financière" in percent
    assert "Jours" in days
    # one result bar per year with a value: 1.1.1 has 2, 1.2.1 has 1 (FY1 has no data)
    assert percent.count('class="bar"') == 2 and days.count('class="bar"') == 1
    # one dashed threshold tick per year with a threshold
    assert percent.count('class="target"') == 2 + 1  # + the legend's sample line
    assert "<script" not in "".join(charts)


def test_footnotes_for_publishable_notes_and_reasons(report):
    parsed = _parse(report)
    notes = [re.sub(r"\s+", " ", n) for n in parsed.footnotes]
    # The analysts' assumptions stay internal: only the catalog's note_fr reaches readers.
    assert notes == [
        "Indicateur 1.1.1 : Publications sur les programmes seulement",
        f"{FY1}, indicateur 1.2.1 : Aucun fichier activity_register",
        f"{FY2}, indicateur 2.1.1 : Adoptée au conseil d'administration de février",
    ]
    assert "hypothèses" not in report and "Portée organique seulement" not in report
    for n in range(1, 4):
        assert f'href="#p1-fn-{n}"' in report and f'id="p1-fn-{n}"' in report


def test_header_dates_and_plan_filter(report, tmp_path):
    # 14:05 UTC on 2026-05-01 is 10:05 in Toronto (EDT, UTC-4)
    assert "Généré le 1er mai 2026 à 10 h 05" in report
    assert "données au 31 mars 2026" in report  # latest data_as_of of the results
    assert "demo.txt" not in report  # the plan's internal source file is not cited
    assert "Office de démonstration" in report and "Autre plan" not in report
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'warehouse.db'}")
    assert "Autre plan" in render_report(engine)
    with pytest.raises(ValueError, match="nope"):
        render_report(engine, plan_ids=["nope"])


def test_self_contained_document(report, tmp_path):
    assert report.startswith("<!DOCTYPE html>") and '<html lang="fr">' in report
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", report)
    assert "@import" not in report and "url(" not in report
    assert "@media print" in report
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'warehouse.db'}")
    out = write_report(engine, tmp_path / "out" / "rapport.html", generated_at=GENERATED)
    assert out.read_text(encoding="utf-8") == render_report(engine, generated_at=GENERATED)

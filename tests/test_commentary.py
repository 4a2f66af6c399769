"""The explanations of results (`result_commentary`, docs/contracts.md §4.7.11): read and
quarantined like every source, published with the evaluations, printed in the report and every
export, and a final missed target left unexplained is a warning, never a block."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import docx
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from warehouse_rows import add_indicators
from zone_run import run_zone

from assets.checks import MISSED_TARGET_EXPLAINED
from orchestration.runner import closing_report
from plan_indicators import warehouse as wh
from plan_indicators.commentary import unexplained_missed
from plan_indicators.report import write_report
from plan_indicators.sources.readers import read_source

KEY = "test-key-not-secret"
AUTHOR = "Marie Tremblay"  # a person's name: personal, never past the reader


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", KEY)


# ── reading ───────────────────────────────────────────────────────────────────────────────────

# Physical lines: 1 header; 2-3 one row whose quoted text spans two lines; 4 a row; 5 the key
# of line 2 again; 6 a fiscal year that is no fiscal year. Read 4 = staged 2 + quarantined 2.
COMMENTARY_CSV = (
    "plan_id,indicator_id,fiscal_year,text_fr,author,updated_on\n"
    f'p-2024-2026,1.1,2024-2025,"Hausse due à la campagne,\nsuivie en 2025.",{AUTHOR},2025-05-02\n'
    "p-2024-2026,1.2,2024-2025,Réorganisation de l'équipe.,,\n"
    f"p-2024-2026,1.1,2024-2025,Une autre version.,{AUTHOR},2025-06-01\n"
    "p-2024-2026,1.2,2024-2026,Année mal saisie.,,\n"
)


def test_csv_read_staged_and_quarantined(tmp_path):
    folder = tmp_path / "result_commentary"
    folder.mkdir()
    (folder / "explications.csv").write_text(COMMENTARY_CSV, "utf-8")
    read = read_source(tmp_path, "result_commentary", pseudonym_key=KEY.encode())
    (report,) = read.files
    assert (report.rows_read, report.rows_staged, report.rows_quarantined) == (4, 2, 2)
    assert report.continued_lines == 1  # line 3 continues the text opened on line 2
    frame = read.frame.sort_values("_line")
    assert frame["_line"].tolist() == [2, 4]
    assert frame["text_fr"].iloc[0] == "Hausse due à la campagne,\nsuivie en 2025."
    assert frame["updated_on"].iloc[0] == pd.Timestamp("2025-05-02")
    # The author is its keyed pseudonym, the same for the same person; never the name.
    assert frame["author"].iloc[0] != AUTHOR and len(frame["author"].iloc[0]) == 64
    assert pd.isna(frame["author"].iloc[1])
    got = {(q.file, q.line, q.column, q.rule) for q in read.quarantine}
    assert got == {
        ("result_commentary/explications.csv", 5, "plan_id,indicator_id,fiscal_year",
         "duplicate_key"),
        ("result_commentary/explications.csv", 6, "fiscal_year", "fiscal_year_format"),
    }  # fmt: skip
    duplicate = next(q for q in read.quarantine if q.rule == "duplicate_key")
    assert "première occurrence : result_commentary/explications.csv:2" in duplicate.reason
    # A source with a personal column shows no rejected raw cell (docs/contracts.md §4.6).
    assert all(q.value is None for q in read.quarantine)
    assert AUTHOR not in repr(read.quarantine) and AUTHOR not in read.frame.to_csv()


def test_workbook_read_with_sheet_cells_named(tmp_path):
    folder = tmp_path / "result_commentary"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Explications"
    ws.append(["plan_id", "indicator_id", "fiscal_year", "explication", "auteur", "updated_on"])
    ws.append(["p-2024-2026", "1.1", "2024-2025", "Texte A", AUTHOR, dt.date(2025, 5, 2)])
    ws.append(["p-2024-2026", "1.1", "2024-2025", "Texte répété", None, None])
    ws.append(["p-2024-2026", "1.2", "2024", "Texte C", None, None])
    ws.append(["p-2024-2026", "1.2", "2025-2026", "Texte D", None, None])
    wb.save(folder / "explications.xlsx")
    read = read_source(tmp_path, "result_commentary", pseudonym_key=KEY.encode())
    (report,) = read.files
    # rows 2-5 of the sheet: read 4 = staged 2 (rows 2 and 5) + quarantined 2 (rows 3 and 4)
    assert (report.rows_read, report.rows_staged, report.rows_quarantined) == (4, 2, 2)
    assert sorted(read.frame["_line"]) == [2, 5]
    assert sorted(read.frame["text_fr"]) == ["Texte A", "Texte D"]  # `explication` is text_fr
    assert read.frame["updated_on"].dropna().tolist() == [pd.Timestamp("2025-05-02")]
    bad = {q.line: q for q in read.quarantine}
    assert set(bad) == {3, 4}
    assert (bad[3].rule, bad[4].rule, bad[4].column) == (
        "duplicate_key", "fiscal_year_format", "fiscal_year",
    )  # fmt: skip
    assert bad[4].sheet == "Explications" and bad[4].file == "result_commentary/explications.xlsx"
    assert "(cellule C4, colonne « fiscal_year »)" in bad[4].reason
    assert AUTHOR not in read.frame.to_csv()


# ── the check's rule, on hand-made warehouse rows ─────────────────────────────────────────────


def test_unexplained_missed_needs_final_not_met_and_no_text(tmp_path):
    engine = wh.engine_for(f"sqlite:///{tmp_path}/w.sqlite")
    key = {"plan_id": "p", "indicator_id": "1.1"}
    add_indicators(engine, "p", ["1.1"])
    # (year, status, is_final, explanation) → unexplained only for 2021-2022 and 2024-2025
    cases = [
        ("2020-2021", "not_met", True, "Expliqué."),  # explained
        ("2021-2022", "not_met", True, None),  # final, missed, nothing written
        ("2022-2023", "not_met", False, None),  # provisional
        ("2023-2024", "met", True, None),  # met: nothing to explain
        ("2024-2025", "not_met", True, "   "),  # blanks explain nothing
    ]
    for fy, status, final, text in cases:
        where = {**key, "fiscal_year": fy}
        wh.replace_rows(engine, wh.indicator_result, where, [{**where, "is_final": final}])
        wh.replace_rows(
            engine, wh.indicator_evaluation, where,
            [{**where, "status": status, "status_fr": status, "explanation_fr": text}],
        )  # fmt: skip
    assert unexplained_missed(engine, "p", "1.1") == ["2021-2022", "2024-2025"]
    assert unexplained_missed(engine, "p", "9.9") == []


# ── through the pipeline ──────────────────────────────────────────────────────────────────────

PLAN_ID = "expl-2024-2026"
PLAN = {
    "plan": {
        "id": PLAN_ID,
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": ind,
            "enjeu": "1 — La population",
            "orientation": "1 — Se faire connaître",
            "objective": "1.1 Notoriété",
            "text_fr": text,
            "unit": "percent",
            "measure": {"name": "survey_value"},
            "targets": {
                "2024-2025": {"kind": "at_least", "value": 60},
                "2025-2026": {"kind": "at_least", "value": 60},
            },
        }
        for ind, text in (("7.1.1", "Taux de notoriété"), ("7.2.1", "Taux de confiance"))
    ],
}
# 7.1.1: 62.5 ≥ 60 met, 58.0 < 60 not_met; 7.2.1: 61.0 ≥ 60 met, 55.0 < 60 not_met.
SURVEY = """plan_id,indicator_id,fiscal_year,value,respondents,population
expl-2024-2026,7.1.1,2024-2025,62.5,,
expl-2024-2026,7.1.1,2025-2026,58.0,,
expl-2024-2026,7.2.1,2024-2025,61.0,,
expl-2024-2026,7.2.1,2025-2026,55.0,,
"""
TEXT_MET = "La campagne du printemps a fait connaître l'Office."
TEXT_MISSED = "La période électorale a suspendu les communications.\nUn plan de rattrapage suit."
# Lines: 1 header; 2 (7.1.1 2024-2025); 3-4 (7.2.1 2025-2026, two lines); 5 repeats line 3's
# key; 6 a bad fiscal year. Read 4 = staged 2 + quarantined 2.
COMMENTARY = (
    "plan_id;indicator_id;fiscal_year;text_fr;author;updated_on\n"
    f"{PLAN_ID};7.1.1;2024-2025;{TEXT_MET};{AUTHOR};2025-05-20\n"
    f'{PLAN_ID};7.2.1;2025-2026;"{TEXT_MISSED}";{AUTHOR};2026-05-02\n'
    f"{PLAN_ID};7.2.1;2025-2026;Seconde version.;;\n"
    f"{PLAN_ID};7.1.1;2025-13;Année impossible.;;\n"
)
TEXT_LATE = "Le sondage a été reporté d'un mois ; la notoriété remonte en 2026-2027."


def _run(root: Path, **kw):
    return run_zone(root, report="rapport.html", **kw)


def _explanations(engine, table: str = "indicator_evaluation") -> dict:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT indicator_id, fiscal_year, explanation_fr FROM {table}")
        ).all()
    return {(r[0], r[1]): r[2] for r in rows}


def _check_warnings(outcome) -> list[str]:
    return [w for w in outcome.warnings if f"check {MISSED_TARGET_EXPLAINED} " in w]


def _latest_check(indicator: str):
    key = dg.AssetKey(
        ["indicator_evaluation", "expl_2024_2026", f"i_{indicator.replace('.', '_')}"]
    )
    record = dg.DagsterInstance.get().get_latest_asset_check_evaluation_record(
        dg.AssetCheckKey(key, MISSED_TARGET_EXPLAINED)
    )
    return record.evaluation


class _Text(HTMLParser):
    """The text of each `tr.explanation` row and of the whole document."""

    def __init__(self):
        super().__init__()
        self.rows: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._in = ("class", "explanation") in attrs
            if self._in:
                self.rows.append("")
        elif tag == "br" and self._in:
            self.rows[-1] += "\n"

    def handle_endtag(self, tag):
        if tag == "tr":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.rows[-1] += data


def test_explanations_from_landing_to_report_and_exports(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "expl.yaml").write_text(yaml.safe_dump(PLAN, allow_unicode=True))
    for folder, name, text in (
        ("survey_results", "sondage.csv", SURVEY),
        ("result_commentary", "explications.csv", COMMENTARY),
    ):
        (tmp_path / "landing" / folder).mkdir(parents=True)
        (tmp_path / "landing" / folder / name).write_text(text, "utf-8")
    engine = wh.engine_for(f"sqlite:///{tmp_path}/w.sqlite")

    # 1. Provisional results: the missed targets need no explanation yet.
    outcome = _run(tmp_path)
    assert outcome.ok, outcome.failures
    published = {("7.1.1", "2024-2025"): TEXT_MET, ("7.2.1", "2025-2026"): TEXT_MISSED}
    expected = {
        (i, fy): published.get((i, fy)) for i in ("7.1.1", "7.2.1")
        for fy in ("2024-2025", "2025-2026")
    }  # fmt: skip
    assert _explanations(engine) == expected
    assert _explanations(engine, "v_scorecard") == expected
    with engine.connect() as conn:
        dates = conn.execute(
            sa.text("SELECT explanation_updated_on FROM indicator_evaluation "
                    "WHERE indicator_id = '7.2.1' AND fiscal_year = '2025-2026'")
        ).scalar()  # fmt: skip
    assert str(dates) == "2026-05-02"
    quarantined = {
        (r["file"], r["line"], r["column_name"], r["rule"])
        for r in wh.table_rows(engine, "quarantine")
        if r["source"] == "result_commentary"
    }
    assert quarantined == {
        ("result_commentary/explications.csv", 5, "plan_id,indicator_id,fiscal_year",
         "duplicate_key"),
        ("result_commentary/explications.csv", 6, "fiscal_year", "fiscal_year_format"),
    }  # fmt: skip
    (counts,) = [f for f in outcome.landing.files if f.file.startswith("result_commentary/")]
    assert (counts.rows_read, counts.rows_staged, counts.rows_quarantined) == (4, 2, 2)
    assert _check_warnings(outcome) == []
    assert _latest_check("7.1.1").passed and _latest_check("7.2.1").passed
    # No personal identifier past the reader: not staged, not in any table of the warehouse.
    staged = pd.read_parquet(tmp_path / "staging" / "result_commentary.parquet")
    assert AUTHOR not in staged.to_csv() and staged["author"].notna().all()
    dump = "".join(str(wh.table_rows(engine, t.name)) for t in wh.metadata.sorted_tables)
    assert AUTHOR not in dump

    # 2. The closing run makes 2025-2026 final: 7.1.1's miss has no explanation, a warning
    # that blocks nothing; 7.2.1's is explained.
    outcome = _run(tmp_path, final_years=("2025-2026",))
    assert outcome.ok, outcome.failures
    (line,) = _check_warnings(outcome)
    assert "indicator_evaluation/expl_2024_2026/i_7_1_1" in line
    assert f"{PLAN_ID} 7.1.1, année définitive 2025-2026" in line
    assert f"WARN {line}" in closing_report(outcome).splitlines()
    assert "run finished with warnings" in closing_report(outcome)
    missed = _latest_check("7.1.1")
    assert not missed.passed and missed.severity == dg.AssetCheckSeverity.WARN
    assert missed.metadata["unexplained_years"].value == ["2025-2026"]
    assert _latest_check("7.2.1").passed
    assert _explanations(engine) == expected  # published all the same

    # 3. The planning team adds the missing explanation in a new file: the next run publishes
    # it and the warning is gone.
    (tmp_path / "landing" / "result_commentary" / "ajout.csv").write_text(
        f"plan_id,indicator_id,fiscal_year,text_fr\n{PLAN_ID},7.1.1,2025-2026,{TEXT_LATE}\n",
        "utf-8",
    )
    outcome = _run(tmp_path)
    assert outcome.ok and _check_warnings(outcome) == [], outcome.warnings
    assert _latest_check("7.1.1").passed
    expected[("7.1.1", "2025-2026")] = TEXT_LATE
    assert _explanations(engine) == expected

    # 4. A refused commentary file (no text_fr column) is an ERROR of its own, but the
    # evaluations still run and keep the explanations already published.
    (tmp_path / "landing" / "result_commentary" / "ajout.csv").write_text(
        f"plan_id,indicator_id,fiscal_year,texte\n{PLAN_ID},7.1.1,2025-2026,x\n", "utf-8"
    )
    before = {r["indicator_id"] + r["fiscal_year"]: r["run_id"] for r in
              wh.table_rows(engine, "indicator_evaluation")}  # fmt: skip
    refused = _run(tmp_path)
    assert not refused.ok and refused.not_run == []
    assert "ERROR result_commentary/ajout.csv:1:text_fr: missing_column" in closing_report(refused)
    after = wh.table_rows(engine, "indicator_evaluation")
    # 2025-2026 was closed in step 2: its evaluations stay those of the closing run
    # (docs/contracts.md §6.1); the open year's are evaluated again.
    for r in after:
        same = r["run_id"] == before[r["indicator_id"] + r["fiscal_year"]]
        assert same == (r["fiscal_year"] == "2025-2026"), r
    assert _explanations(engine) == expected
    (tmp_path / "landing" / "result_commentary" / "ajout.csv").write_text(
        f"plan_id,indicator_id,fiscal_year,text_fr\n{PLAN_ID},7.1.1,2025-2026,{TEXT_LATE}\n",
        "utf-8",
    )

    # The report prints each explanation under its result, line breaks kept.
    parser = _Text()
    parser.feed((tmp_path / "rapport.html").read_text("utf-8"))
    assert sorted(parser.rows) == sorted(
        f"Explication des résultats ({fy}) : {text}"
        for (_ind, fy), text in expected.items()
        if text
    )
    # Every export carries the warehouse's text in `explanation_fr`.
    opts = {"as_of": dt.date(2026, 6, 1), "fiscal_year": "2025-2026"}
    want = dict(expected)
    raw = write_report(engine, tmp_path / "r.csv", fmt="csv", **opts).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert {
        (r["indicator_id"], r["fiscal_year"]): r["explanation_fr"] or None for r in rows
    } == want
    doc = json.loads(write_report(engine, tmp_path / "r.json", fmt="json", **opts).read_text())
    assert {(r["indicator_id"], r["fiscal_year"]): r["explanation_fr"] for r in doc["rows"]} == want
    wb = openpyxl.load_workbook(write_report(engine, tmp_path / "r.xlsx", fmt="xlsx", **opts))
    ws = wb[PLAN_ID]
    head = [c.value for c in ws[1]]
    col = {
        h: head.index(h) for h in ("Indicateur", "Année financière", "Explication des résultats")
    }
    got = {
        (r[col["Indicateur"]].value, r[col["Année financière"]].value):
        r[col["Explication des résultats"]].value
        for r in ws.iter_rows(min_row=2)
    }  # fmt: skip
    assert got == want
    paragraphs = [
        p.text for p in docx.Document(str(write_report(engine, tmp_path / "r.docx", fmt="docx",
                                                       **opts))).paragraphs
    ]  # fmt: skip
    for (_ind, fy), text in want.items():
        if text:
            assert (
                paragraphs[paragraphs.index(text) - 1] == f"Explication du résultat obtenu en {fy}"
            )


def test_automation_evaluates_without_commentary_and_again_when_it_lands(tmp_path):
    """`indicator_automation`: a plan whose commentary was never staged still evaluates when
    its results change (plain `eager()` would wait for the missing dep forever), and staging a
    commentary file requests every evaluation's years again, not the results."""
    from concurrent.futures import ThreadPoolExecutor

    from assets.keys import evaluation_key, result_key
    from orchestration.definitions import build_definitions
    from orchestration.jobs import INGEST_JOB, ingest_selection, plan_job_name
    from orchestration.runner import range_tags
    from plan_indicators.catalog import load_catalog

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "expl.yaml").write_text(yaml.safe_dump(PLAN, allow_unicode=True))
    (tmp_path / "landing" / "survey_results").mkdir(parents=True)
    (tmp_path / "landing" / "survey_results" / "sondage.csv").write_text(SURVEY, "utf-8")
    defs = build_definitions(
        str(tmp_path / "plans"), landing=str(tmp_path / "landing"),
        warehouse_url=f"sqlite:///{tmp_path}/w.sqlite", staging=str(tmp_path / "staging"),
        as_of="2026-06-01",
    )  # fmt: skip
    (plan,) = load_catalog(str(tmp_path / "plans"))
    results = [result_key(plan, ind) for ind in plan.indicators]
    evaluations = [evaluation_key(plan, ind) for ind in plan.indicators]
    years = {"2024-2025", "2025-2026"}
    tags = range_tags(sorted(years))

    def evaluate(**kwargs):
        # Off the test's thread: the session's Playwright loop may hold this one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(dg.evaluate_automation_conditions, defs=defs, **kwargs).result()

    def execute(job: str, keys, **kw):
        result = defs.resolve_job_def(job).execute_in_process(
            instance=instance, asset_selection=keys, raise_on_error=False, **kw
        )
        assert result.success
        return result

    graph = defs.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        # The catalog and the survey are ingested; the commentary folder does not exist.
        catalog = dg.AssetSelection.groups("catalog").resolve(graph)
        survey = ingest_selection(("survey_results",)).resolve(graph)
        execute(INGEST_JOB, [*catalog, *survey], tags=range_tags(["2024-2025"]))
        before = evaluate(instance=instance)
        execute(plan_job_name(plan), results, tags=tags)
        after = evaluate(instance=instance, cursor=before.cursor)
        for key in evaluations:
            assert after.get_requested_partitions(key) == years, key
        execute(plan_job_name(plan), evaluations, tags=tags)
        quiet = evaluate(instance=instance, cursor=after.cursor)
        assert not any(quiet.get_requested_partitions(k) for k in evaluations)

        folder = tmp_path / "landing" / "result_commentary"
        folder.mkdir()
        (folder / "explications.csv").write_text(COMMENTARY, "utf-8")
        commentary = ingest_selection(("result_commentary",)).resolve(graph)
        execute(INGEST_JOB, list(commentary), tags=range_tags(["2024-2025"]))
        landed = evaluate(instance=instance, cursor=quiet.cursor)
        for key in evaluations:
            assert landed.get_requested_partitions(key) == years, key
        assert not any(landed.get_requested_partitions(k) for k in results)

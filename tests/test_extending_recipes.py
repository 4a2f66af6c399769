"""Each recipe of docs/extending.md, followed to the letter in a temporary copy of the project,
then run: a toy source, a toy measure that reads it, a toy plan that uses the measure, and a toy
output format that renders the plan. The recipes cannot rot without this failing.

One copy holds the four toys and the pipeline runs once (module scope); each test checks what
its own recipe promised. Commands run in the copy (`python -c` from its root), so the copy's
packages are imported, not the installed ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SKIP = (".git", ".venv", "var", ".dagster_home", "__pycache__", "*.pyc", ".hypothesis",
        "*.egg-info", "data", "bench")  # fmt: skip

# Recipe "a source": its module, then its section of docs/contracts.md.
TOY_SOURCE = '''"""Visits to a toy counter: a source nobody but the recipe test knows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "toy_visits",
    "visit to the toy counter",
    (
        Column("visit_id", identifier=True),
        Column("visit_date", "date"),
        Column("office", allowed=("nord", "sud")),
    ),
    key=("visit_id",),
    date_column="visit_date",
    section="4.7.90",  # far from the real sources: a new one never takes its number
)

SAMPLE_STREAM = 50


def sample(ctx: SampleContext) -> list[SampleFile]:
    """Two visits a month in 2024-2025 (the 1st and the 15th), at a counter drawn at random."""
    dates = [dt.date(2024 + (m < 4), m, d) for m in (*range(4, 13), 1, 2, 3) for d in (1, 15)]
    office = ctx.rng().choice(["nord", "sud"], len(dates))
    df = pd.DataFrame(
        {
            "visit_id": [f"V-{i:03d}" for i in range(1, len(dates) + 1)],
            "visit_date": sp.iso(dates),
            "office": office,
        }
    )
    return [("visites_2024-2025.csv", df, sp.PLAIN)]
'''
TOY_SECTION = """#### 4.7.90 `toy_visits`

A visit to the toy counter.

<!-- BEGIN GENERATED source:toy_visits -->
<!-- END GENERATED source:toy_visits -->

"""

# Recipe "a measure": one module of plan_indicators/measures/.
TOY_MEASURE = '''"""A toy measure over the toy source."""

from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures._common import absent, in_year


@measure("toy_visit_count", sources=("toy_visits",), units=("count",))
def toy_visit_count(ctx: MeasureContext) -> MeasureResult:
    """Number of visits to the toy counter in the fiscal year."""
    visits = ctx.data.frame("toy_visits")
    if visits is None:
        return absent("toy_visits")
    year = in_year(visits, "visit_date", ctx)
    return MeasureResult(value=float(len(year)), numerator=float(len(year)), rows_used=len(year))
'''

# Recipe "a plan": one catalog file in data/plans/.
TOY_PLAN = """plan:
  id: toy-2024-2025
  organisation: Organisme fictif
  title: Plan fictif 2024-2025
  fiscal_years: [2024-2025]

indicators:
  - id: "1.1.1"
    enjeu: "1 — Un enjeu fictif"
    orientation: "1 — Une orientation fictive"
    objective: "1.1 Un objectif fictif"
    text_fr: "Nombre de visites au comptoir fictif"
    unit: count
    direction: higher_is_better
    measure:
      name: toy_visit_count
    targets:
      2024-2025: {kind: at_least, value: 20, text_fr: "≥ 20"}
    owners: ["team:equipe-fictive"]
"""

# Recipe "an output format": one module of plan_indicators/report/formats/.
TOY_FORMAT = '''"""A toy format: one line per indicator and fiscal year, from the view only."""

from plan_indicators.report.formats import Renderer
from plan_indicators.report.table import rows
from plan_indicators.report.view import ReportView


def render_lines(view: ReportView) -> bytes:
    keys = ("plan_id", "indicator_id", "fiscal_year", "value")
    lines = [" ".join(str(r[k]) for k in keys) for r in rows(view)]
    return ("\\n".join(lines) + "\\n").encode("utf-8")


RENDERER = Renderer(
    name="toy_lines",
    suffix=".txt",
    description="une ligne par indicateur et année (recette)",
    render=render_lines,
)
'''


def _cli(copy: Path, *args: str) -> subprocess.CompletedProcess:
    code = "import sys\nfrom orchestration.cli import main\nsys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "DAGSTER_HOME": str(copy / ".dagster_home"), "PYTHONPATH": str(copy),
           "PLAN_INDICATORS_PSEUDONYM_KEY": "recipe-key-not-secret"}  # fmt: skip
    (copy / ".dagster_home").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=copy, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


def _ok(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    copy = tmp_path_factory.mktemp("project") / "plan-indicators"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIP))
    (copy / "data" / "plans").mkdir(parents=True)  # the toy plan alone: a faster run

    (copy / "plan_indicators/sources/declared/toy_visits.py").write_text(TOY_SOURCE, "utf-8")
    doc = copy / "docs" / "contracts.md"
    text = doc.read_text("utf-8")
    doc.write_text(text.replace("### 4.8 ", TOY_SECTION + "### 4.8 ", 1), "utf-8")
    (copy / "plan_indicators/measures/toy.py").write_text(TOY_MEASURE, "utf-8")
    (copy / "plan_indicators/report/formats/toy_lines.py").write_text(TOY_FORMAT, "utf-8")
    (copy / "data/plans/toy-2024-2025.yaml").write_text(TOY_PLAN, "utf-8")
    make_docs = [sys.executable, "-m", "plan_indicators.docgen"]
    _ok(subprocess.run(make_docs, cwd=copy, capture_output=True, text=True, timeout=120))
    suites = [sys.executable, "-m", "expectations.suites"]
    _ok(subprocess.run(suites, cwd=copy, capture_output=True, text=True, timeout=120))

    landing, var = copy / "landing", copy / "var"
    sample = _ok(_cli(copy, "sample-data", "--out", str(landing), "--scale", "0.01"))
    for folder in landing.iterdir():  # the pipeline run needs the toy's folder only
        if folder.name != "toy_visits":
            shutil.rmtree(folder)
    url = f"sqlite:///{var / 'warehouse.db'}"
    common = ["--warehouse", url, "--as-of", "2025-06-30"]
    plans = str(copy / "data" / "plans")
    run = _cli(copy, "run", "--landing", str(landing), "--staging", str(var / "staging"),
               "--plans", plans, "--plan", "toy-2024-2025", *common)  # fmt: skip
    out = var / "toy.txt"
    export = _cli(copy, "export", "--format", "toy_lines", "--out", str(out),
                  "--plan", "toy-2024-2025", *common)  # fmt: skip
    validate = _cli(copy, "validate-plan", str(copy / "data/plans/toy-2024-2025.yaml"))
    return {"copy": copy, "sample": sample, "run": run, "export": export, "out": out,
            "validate": validate, "url": url, "landing": landing}  # fmt: skip


def _rows(url: str, sql: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql))]


def test_a_source_is_one_module_and_one_section(project):
    copy = project["copy"]
    # sample-data calls the declared generator: 2 visits a month × 12 months = 24 rows.
    assert any(line.split() == ["toy_visits", "24"] for line in project["sample"].splitlines())
    assert (project["landing"] / "toy_visits" / "visites_2024-2025.csv").exists()
    # The regenerated docs and suites describe it.
    assert "Folder `toy_visits/`, one row per visit to the toy counter." in (
        copy / "docs" / "contracts.md"
    ).read_text("utf-8")
    raw = json.loads((copy / "expectations/suites/raw_toy_visits.json").read_text("utf-8"))
    assert raw["name"] == "raw_toy_visits" and raw["expectations"]
    assert (copy / "expectations/suites/staging_toy_visits.json").exists()
    # The run read and staged it through the generated raw and staging assets.
    _ok(project["run"])
    staged = pd.read_parquet(copy / "var" / "staging" / "toy_visits.parquet")
    assert len(staged) == 24 and set(staged["office"]) <= {"nord", "sud"}


def test_a_measure_is_one_module(project):
    assert "| `toy_visit_count` | `toy_visits` |" in (
        project["copy"] / "docs" / "contracts.md"
    ).read_text("utf-8")
    _ok(project["run"])
    rows = _rows(
        project["url"],
        "SELECT value FROM indicator_result WHERE plan_id = 'toy-2024-2025'"
        " AND fiscal_year = '2024-2025'",
    )
    assert [r["value"] for r in rows] == [24.0]  # 24 visits in the year


def test_a_plan_is_one_catalog_file(project):
    _ok(project["validate"])
    _ok(project["run"])
    rows = _rows(
        project["url"],
        "SELECT status FROM indicator_evaluation WHERE plan_id = 'toy-2024-2025'"
        " AND fiscal_year = '2024-2025'",
    )
    assert [r["status"] for r in rows] == ["met"]  # 24 ≥ 20


def test_an_output_format_is_one_module(project):
    _ok(project["export"])
    lines = project["out"].read_text("utf-8").splitlines()
    assert lines == ["toy-2024-2025 1.1.1 2024-2025 24.0"]

"""docs/extending.md, "A target kind": the recipe run on a temporary copy of the library, so it
cannot rot. A toy kind `within` (result between `low` and `high`) is one new module; the catalog,
the target engine, the display and the drafts find it without any other edit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TOY_KIND = '''
"""`within`: result between `low` and `high` ("entre 40 % et 60 %")."""

from __future__ import annotations

import re
from typing import Literal

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import Reading
from plan_indicators.drafting.text import to_number
from plan_indicators.formatting import format_value
from plan_indicators.target_kinds import TargetKind, target_kind, verdict

_BETWEEN = re.compile(r"entre (\\d+(?:,\\d+)?) ?%? et (\\d+(?:,\\d+)?) ?%?")


def read_within(folded: str, r: Reading) -> bool:
    match = _BETWEEN.search(folded)
    if not match:
        return False
    r.kind = "within"
    r.fields = {"low": to_number(match.group(1)), "high": to_number(match.group(2))}
    return True


@target_kind
class Within(TargetKind):
    kind: Literal["within"]
    low: float
    high: float

    draft_rules = ((15, read_within),)

    def catalog_problems(self, frame):
        return [] if self.low < self.high else [("high", "high must be above low")]

    def threshold(self, *, baseline, previous):
        return self.low

    def assess(self, observed, s):
        if not s.fiscal_year.is_over(s.as_of):
            return verdict(st.IN_PROGRESS, self.low)
        if observed.value is None:
            return verdict(st.NO_DATA, self.low)
        met = self.low <= observed.value <= self.high
        gap = min(observed.value - self.low, self.high - observed.value)
        return verdict(st.MET if met else st.NOT_MET, self.low, gap)

    def display(self, threshold, *, unit, direction, seasons=None):
        return f"entre {format_value(self.low, unit)} et {format_value(self.high, unit)}"
'''

SCRIPT = """
import datetime as dt, json
from plan_indicators.catalog import TARGET_KINDS, CatalogError, parse_plan
from plan_indicators.drafting.wording import read_target
from plan_indicators.fiscal import FiscalYear
from plan_indicators.targets import Observed, evaluate, threshold_text

def plan(target):
    return {
        "plan": {"id": "toy", "organisation": "O", "title": "T", "fiscal_years": ["2024-2025"]},
        "indicators": [{
            "id": "1", "enjeu": "e", "orientation": "o", "objective": "b", "text_fr": "Taux",
            "unit": "percent", "measure": {"name": "survey_value"},
            "targets": {"2024-2025": target},
        }],
    }

target = parse_plan(plan({"kind": "within", "low": 40, "high": 60}), "toy.yaml")
target = target.indicators[0].targets["2024-2025"]
fy, after = FiscalYear(2024), dt.date(2025, 4, 1)
out = {
    "known": "within" in TARGET_KINDS,
    "met": evaluate(target, Observed(52.5), fy, after).status,
    "gap": evaluate(target, Observed(52.5), fy, after).gap,
    "not_met": evaluate(target, Observed(61), fy, after).status,
    "running": evaluate(target, Observed(61), fy, dt.date(2024, 9, 1)).status,
    "display": threshold_text(target, 40, unit="percent"),
    "draft": [read_target("Entre 40 % et 60 %").kind, read_target("Entre 40 % et 60 %").fields],
}
try:
    parse_plan(plan({"kind": "within", "low": 60, "high": 40}), "toy.yaml")
except CatalogError as exc:
    out["error"] = str(exc)
print(json.dumps(out, ensure_ascii=False))
"""


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "plan_indicators",
        tmp_path / "plan_indicators",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path / "plan_indicators" / "target_kinds"


def _run(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_new_kind_is_one_module(tmp_path):
    (_copy(tmp_path) / "within.py").write_text(TOY_KIND, encoding="utf-8")
    done = _run(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["known"]
    # 40 <= 52.5 <= 60: met; gap = min(52.5 - 40, 60 - 52.5) = 7.5
    assert (out["met"], out["gap"]) == ("met", 7.5)
    assert out["not_met"] == "not_met"  # 61 > 60
    assert out["running"] == "in_progress"  # 2024-09-01: the year runs
    assert out["display"] == "entre 40,0\u202f% et 60,0\u202f%"
    assert out["draft"] == ["within", {"low": 40.0, "high": 60.0}]
    assert (
        "toy.yaml: indicator 1: field targets.2024-2025.high: high must be above low"
        in (out["error"])
    )


def test_a_kind_module_that_cannot_be_imported_is_named(tmp_path):
    (_copy(tmp_path) / "broken.py").write_text("import not_a_module_here\n", encoding="utf-8")
    done = _run(tmp_path, "import plan_indicators.catalog")
    assert done.returncode != 0
    assert "TargetKindModuleError" in done.stderr
    assert "target kind module plan_indicators.target_kinds.broken" in done.stderr
    assert "broken.py" in done.stderr


@pytest.mark.parametrize("name", ["at_least", "deadline", "every_year_from"])
def test_every_kind_module_registers_its_kind(name):
    from plan_indicators.target_kinds import registry

    assert registry()[name].__module__ == f"plan_indicators.target_kinds.{name}"

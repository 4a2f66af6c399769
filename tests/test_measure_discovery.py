"""Measure modules are discovered: a new module registers its measures by existing, and a module
that cannot be imported stops the registry with its name, instead of vanishing silently.

Each case runs in a subprocess on a temporary copy of the `plan_indicators` package, so the
real package is never touched and the copy's registry starts empty.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import plan_indicators

PACKAGE = Path(plan_indicators.__file__).resolve().parent

TOY = '''"""A toy measure, known to nobody but this file."""

from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure


@measure("toy_count", sources=("activity_register",), params=(Param("weight", "a factor"),))
def toy_count(ctx: MeasureContext, weight: float = 1.0) -> MeasureResult:
    """Always one, times `weight`."""
    return MeasureResult(value=weight)
'''

PROBE = (
    "import json, plan_indicators\n"
    "from plan_indicators.measures import registry\n"
    "print(json.dumps({'package': plan_indicators.__file__, 'measures': sorted(registry())}))\n"
)


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "plan_indicators", ignore=shutil.ignore_patterns("*.pyc"))
    return tmp_path / "plan_indicators" / "measures"


def _run(tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_a_new_measure_module_is_registered_by_existing(tmp_path):
    (_copy(tmp_path) / "toy.py").write_text(TOY, encoding="utf-8")
    out = _run(tmp_path)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["package"].startswith(str(tmp_path))  # the copy, not the installed package
    assert "toy_count" in found["measures"]
    assert "distinct_users" in found["measures"]  # the existing modules still load


def test_a_module_that_cannot_be_imported_is_named(tmp_path):
    (_copy(tmp_path) / "broken.py").write_text(
        "import plan_indicators_no_such_dependency\n", encoding="utf-8"
    )
    out = _run(tmp_path)
    assert out.returncode != 0
    assert "MeasureModuleError: measure module plan_indicators.measures.broken" in out.stderr
    assert "plan_indicators_no_such_dependency" in out.stderr


def test_a_module_that_raises_while_importing_is_named(tmp_path):
    (_copy(tmp_path) / "faulty.py").write_text(
        "raise RuntimeError('bad parameter table')\n", encoding="utf-8"
    )
    out = _run(tmp_path)
    assert out.returncode != 0
    assert "measure module plan_indicators.measures.faulty" in out.stderr
    assert "RuntimeError: bad parameter table" in out.stderr


def test_a_measure_with_an_undeclared_parameter_is_named(tmp_path):
    """Every parameter is declared with its meaning, or the measure's reference would lie."""
    undeclared = TOY.replace(', params=(Param("weight", "a factor"),)', "")
    (_copy(tmp_path) / "toy.py").write_text(undeclared, encoding="utf-8")
    out = _run(tmp_path)
    assert out.returncode != 0
    assert "measure module plan_indicators.measures.toy" in out.stderr
    assert "measure 'toy_count': its parameters ['weight'] and its declared params [] differ" in (
        out.stderr
    )

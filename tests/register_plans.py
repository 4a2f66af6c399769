"""Small register-based plans for tests: a catalog indicator, a staged register record, and a
whole run of a plan on a landing zone written from text (what test_cumulative,
test_silent_zeros, test_register_template and test_measures_headcount share)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

KEY = "test-key-not-secret"


def indicator(ind_id: str, measure: str | dict, unit: str, targets: dict,
              text: str | None = None, **extra) -> dict:  # fmt: skip
    """A catalog indicator under one enjeu, orientation and objective; `measure` is a name or
    the whole mapping (`{"name": …, "filter": …}`), `extra` adds fields (`direction`, `scale`)."""
    return {
        "id": ind_id, "enjeu": "1 — Enjeu", "orientation": "1 — Orientation",
        "objective": "1.1 Objectif", "text_fr": text or f"Indicateur {ind_id}", "unit": unit,
        "measure": measure if isinstance(measure, dict) else {"name": measure},
        "targets": targets, **extra,
    }  # fmt: skip


def catalog(plan_id: str, years: list[str], indicators: list[dict]) -> dict:
    return {
        "plan": {"id": plan_id, "organisation": "Organisme", "title": "Plan",
                 "fiscal_years": years},
        "indicators": indicators,
    }  # fmt: skip


def record(rid: str, when: str, indicator: str = "1.1", plan: str = "plan-a", **extra) -> dict:
    """A staged `activity_register` row (tests/measure_fixtures.py::stage types it)."""
    return {"plan_id": plan, "indicator_id": indicator, "record_id": rid, "event_date": when,
            **extra}  # fmt: skip


def publish(
    tmp: Path,
    as_of: str,
    plan: dict | None = None,
    files: dict[str, str] | None = None,
    dagster_home: bool = False,
) -> str:
    """Write `plan` to `tmp/plans/` and `files` ({"activity_register/registre.csv": text}) to
    `tmp/landing/`, run the whole pipeline with the report at `tmp/report.html`, and return the
    warehouse URL; the run must succeed."""
    from orchestration.runner import RunOptions, run_pipeline

    (tmp / "plans").mkdir(exist_ok=True)
    if plan is not None:
        path = tmp / "plans" / f"{plan['plan']['id']}.yaml"
        path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    for name, text in (files or {}).items():
        (tmp / "landing" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "landing" / name).write_text(text, encoding="utf-8")
    url = f"sqlite:///{tmp}/w.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", KEY)
        if dagster_home:
            (tmp / "dagster_home").mkdir(exist_ok=True)
            mp.setenv("DAGSTER_HOME", str(tmp / "dagster_home"))
        outcome = run_pipeline(
            RunOptions(
                landing=str(tmp / "landing"),
                warehouse=url,
                plans_dir=str(tmp / "plans"),
                staging=str(tmp / "staging"),
                as_of=as_of,
                report=str(tmp / "report.html"),
            ),
            echo=lambda _line: None,
        )
    assert outcome.ok, outcome.failures
    return url


def rows_by_key(url: str, table: str) -> dict[tuple[str, str], dict]:
    """A warehouse table's rows by (indicator_id, fiscal_year)."""
    from plan_indicators import warehouse as wh

    rows = wh.table_rows(wh.engine_for(url), table)
    return {(r["indicator_id"], r["fiscal_year"]): r for r in rows}

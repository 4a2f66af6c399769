"""Validate a DataFrame against a suite file with an ephemeral GX context.

Suites are generated from the landing-zone contracts by `write_suites()` and committed; a test
checks that the files and the contracts never drift. Every expectation carries a `severity`:
`error` blocks downstream assets, `warn` reports (the rows concerned are already quarantined).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from plan_indicators.sources.contracts import CONTRACTS

SUITES_DIR = Path(__file__).parent / "suites"
DATE_MIN, DATE_MAX = "2015-04-01", "2030-03-31"
_DATE_TYPES = ("date", "yyyymmdd", "mdy_hm")


def _exp(type_: str, severity: str, rule: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": severity, "rule": rule}}


def _source_expectations(source: str, staging: bool) -> list[dict]:
    contract = CONTRACTS[source]
    exps = [
        _exp("expect_column_to_exist", "error", "required_column", column=c)
        for c in contract.required
    ]
    for c in contract.key:
        exps.append(_exp("expect_column_values_to_not_be_null", "error", "key_not_null", column=c))
    if len(contract.key) == 1:
        exps.append(
            _exp("expect_column_values_to_be_unique", "warn", "key_unique", column=contract.key[0])
        )
    elif contract.key:
        exps.append(
            _exp(
                "expect_compound_columns_to_be_unique",
                "warn",
                "key_unique",
                column_list=list(contract.key),
            )
        )
    for col in contract.columns:
        if col.allowed:
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    "warn",
                    "allowed_values",
                    column=col.name,
                    value_set=list(col.allowed),
                )
            )
        if col.minimum is not None or col.maximum is not None:
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "warn",
                    "out_of_range",
                    column=col.name,
                    min_value=col.minimum,
                    max_value=col.maximum,
                )
            )
        if col.type in _DATE_TYPES and source != "web_analytics":
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "warn",
                    "date_in_plan_years",
                    column=col.name,
                    min_value=DATE_MIN,
                    max_value=DATE_MAX,
                )
            )
    if staging:
        for c in ("_file", "_line"):
            exps.append(_exp("expect_column_values_to_not_be_null", "error", "lineage", column=c))
    return exps


def _result_expectations() -> list[dict]:
    exps = [
        _exp("expect_column_values_to_not_be_null", "error", "key_not_null", column=c)
        for c in ("plan_id", "indicator_id", "fiscal_year")
    ]
    exps += [
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "percent_range",
            column="value",
            min_value=0,
            max_value=100,
            row_condition='unit=="percent"',
            condition_parser="pandas",
        ),
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "non_negative",
            column="value",
            min_value=0,
            row_condition='unit=="count" or unit=="days" or unit=="score"',
            condition_parser="pandas",
        ),
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "score_range",
            column="value",
            min_value=0,
            max_value=10,
            row_condition='unit=="score"',
            condition_parser="pandas",
        ),
        _exp(
            "expect_column_values_to_not_be_null",
            "error",
            "denominator_present",
            column="denominator",
            row_condition='unit=="percent" and value==value',
            condition_parser="pandas",
        ),
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "denominator_positive",
            column="denominator",
            min_value=0,
            strict_min=True,
            row_condition='unit=="percent" and value==value',
            condition_parser="pandas",
        ),
    ]
    return exps


def expected_suites() -> dict[str, dict]:
    suites = {}
    for source, contract in CONTRACTS.items():
        suites[f"raw_{source}"] = {
            "name": f"raw_{source}",
            "meta": {
                "description": f"Raw {source}: one row per {contract.row}, as typed from "
                "the landing files."
            },
            "expectations": _source_expectations(source, staging=False),
        }
        if source != "web_analytics":
            suites[f"staging_{source}"] = {
                "name": f"staging_{source}",
                "meta": {"description": f"Staged {source}, with the file and line of each row."},
                "expectations": _source_expectations(source, staging=True),
            }
    suites["indicator_result"] = {
        "name": "indicator_result",
        "meta": {
            "description": "Published indicator results: percent in 0-100, counts and "
            "delays ≥ 0, scores in 0-10, no percent without a denominator."
        },
        "expectations": _result_expectations(),
    }
    return suites


def suite_text(suite: dict) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def write_suites(folder: Path = SUITES_DIR) -> list[Path]:
    """(Re)write every suite file from the contracts."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in expected_suites().items():
        p = folder / f"{name}.json"
        p.write_text(suite_text(suite), encoding="utf-8")
        paths.append(p)
    return paths


@cache
def load_suite(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text("utf-8"))


@dataclass
class ExpectationFailure:
    expectation: str
    column: str | None
    severity: str
    rule: str
    unexpected_count: int
    sample: list = field(default_factory=list)
    index: list[int] = field(default_factory=list)


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    error_failures: list[ExpectationFailure]
    warn_failures: list[ExpectationFailure]
    evaluated: int

    @property
    def failures(self) -> list[ExpectationFailure]:
        return self.error_failures + self.warn_failures

    def markdown(self) -> str:
        if not self.failures:
            return f"All {self.evaluated} expectations of `{self.suite}` passed."
        lines = [
            "| severity | expectation | column | rule | unexpected | sample |",
            "|---|---|---|---|---|---|",
        ]
        for f in self.failures:
            sample = ", ".join(str(s) for s in f.sample[:5]).replace("|", "\\|")
            lines.append(
                f"| {f.severity} | {f.expectation} | {f.column or ''} | {f.rule} | "
                f"{f.unexpected_count} | {sample} |"
            )
        return "\n".join(lines)

    def summary(self) -> str:
        f = (self.error_failures or self.warn_failures or [None])[0]
        if f is None:
            return ""
        return (
            f"{f.expectation} on column {f.column}: {f.unexpected_count} unexpected "
            f"(rule {f.rule}; sample {f.sample[:3]})"
        )


_lock = threading.Lock()


@cache
def _context():
    """One ephemeral GX context per process, analytics and progress bars off."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    datasource = ctx.data_sources.add_pandas("plan_indicators")
    batch_def = datasource.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
    return gx, batch_def


def _build(gx, suite: dict, df: pd.DataFrame):
    """GX suite for the expectations whose columns exist; the others fail as missing columns."""
    built = gx.ExpectationSuite(name=suite["name"])
    missing: list[ExpectationFailure] = []
    for exp in suite["expectations"]:
        kwargs = dict(exp["kwargs"])
        cols = kwargs.get("column_list") or ([kwargs["column"]] if "column" in kwargs else [])
        absent = [c for c in cols if c not in df.columns]
        if absent:
            missing.append(
                ExpectationFailure(
                    exp["type"],
                    absent[0],
                    exp["meta"]["severity"] if exp["type"] != "expect_column_to_exist" else "error",
                    "missing_column",
                    len(df),
                )
            )
            continue
        col = kwargs.get("column")
        if col and pd.api.types.is_datetime64_any_dtype(df[col]):
            for bound in ("min_value", "max_value"):
                if isinstance(kwargs.get(bound), str):
                    kwargs[bound] = pd.Timestamp(kwargs[bound])
        name = "".join(p.capitalize() for p in exp["type"].split("_"))
        built.add_expectation(getattr(gx.expectations, name)(**kwargs, meta=exp["meta"]))
    return built, missing


def validate(suite_name: str, df: pd.DataFrame) -> SuiteOutcome:
    suite = load_suite(suite_name)
    with _lock:
        gx, batch_def = _context()
        built, failures = _build(gx, suite, df)
        frame = df.reset_index(drop=True)
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            built, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20}
        )
    for res in result.results:
        if res.success:
            continue
        cfg = res.expectation_config
        meta = cfg.meta or {}
        info = res.result or {}
        failures.append(
            ExpectationFailure(
                expectation=cfg.type,
                column=cfg.kwargs.get("column") or ",".join(cfg.kwargs.get("column_list") or []),
                severity=meta.get("severity", "error"),
                rule=meta.get("rule", cfg.type),
                unexpected_count=int(info.get("unexpected_count") or 0),
                sample=[_plain(v) for v in (info.get("partial_unexpected_list") or [])[:20]],
                index=[
                    int(i)
                    for i in (info.get("unexpected_index_list") or [])[:20]
                    if isinstance(i, int)
                ],
            )
        )
    errors = [f for f in failures if f.severity == "error"]
    warns = [f for f in failures if f.severity != "error"]
    return SuiteOutcome(suite_name, not errors, errors, warns, len(suite["expectations"]))


def _plain(v):
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, dict | list | str | int | float | bool) or v is None:
        return v
    return str(v)

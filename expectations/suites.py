"""The Great Expectations suites, as data: what each raw, staged and result frame must satisfy.

Source suites are generated from the landing-zone contracts by `write_suites()` and committed
under `suites/`; a test checks that the files and the contracts never drift. Every expectation
carries a `severity`: `error` blocks downstream assets, `warn` reports (the rows concerned are
already quarantined). Running a suite over a frame is `expectations.runner`'s job.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from plan_indicators.sources.contracts import CONTRACTS

SUITES_DIR = Path(__file__).parent / "suites"
DATE_MIN, DATE_MAX = "2015-04-01", "2030-03-31"
_DATE_TYPES = ("date", "yyyymmdd", "mdy_hm")
_DATETIMES = ["datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]"]
# What the readers stage for each contract type (see readers._typed). Text columns are checked
# value by value (`str`): `validate` hands pandas' string dtype over as plain objects.
STAGED_TYPES: dict[str, list[str]] = {
    "str": ["str"],
    "fiscal_year": ["str"],
    "date": _DATETIMES,
    "yyyymmdd": _DATETIMES,
    "mdy_hm": _DATETIMES,
    "bool": ["BooleanDtype", "bool"],
    "int": ["float64", "int64"],
    "float": ["float64", "int64"],
}


def _exp(type_: str, severity: str, rule: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": severity, "rule": rule}}


def _source_expectations(source: str, staging: bool) -> list[dict]:
    """The contract's rules as expectations; staging adds lineage and the staged dtypes."""
    contract = CONTRACTS[source]
    exps = [
        _exp("expect_column_to_exist", "error", "missing_column", column=c)
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
        if col.type in _DATE_TYPES:
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
        types = [(c.name, STAGED_TYPES[c.type]) for c in contract.columns]
        for name, type_list in [*types, ("_file", ["str"]), ("_line", ["int64"])]:
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_type_list",
                    "error",
                    "type",
                    column=name,
                    type_list=type_list,
                )
            )
    return exps


RESULT_COLUMNS = (
    "plan_id",
    "indicator_id",
    "fiscal_year",
    "unit",
    "value",
    "numerator",
    "denominator",
)


def _result_expectations() -> list[dict]:
    """Hand-written: what a published result must satisfy whatever its measure."""
    exps = [
        _exp("expect_column_to_exist", "error", "missing_column", column=c) for c in RESULT_COLUMNS
    ]
    exps += [
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
    """Every suite, by name, as `write_suites()` writes it."""
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
                "meta": {
                    "description": f"Staged {source}: the raw rules, typed columns, and the "
                    "file and line of each row."
                },
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
def _suite_text(name: str) -> str:
    return (SUITES_DIR / f"{name}.json").read_text("utf-8")


def load_suite(name: str) -> dict:
    """A fresh copy of a committed suite (the file is read once per process)."""
    return json.loads(_suite_text(name))

"""The Great Expectations suites, as data: what each raw, staged and result frame must satisfy.

Source suites are generated from the source declarations by `write_suites()` (`make docs`, or
`python -m expectations.suites`) and committed under `suites/`; a test checks that the files and
the contracts never drift. Every expectation carries a `severity`: `error` blocks downstream
assets, `warn` reports (the rows concerned are already quarantined). Running a suite over a
frame is `expectations.runner`'s job.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from plan_indicators.sources.contracts import CONTRACTS, WEB

SUITES_DIR = Path(__file__).parent / "suites"
FIRST_DAY, LAST_DAY = "first_day", "last_day"
"""Suite parameters of the `date_in_plan_years` rule, given when a suite runs
(`expectations.runner.validate`): the first and last day of the catalog's fiscal years
(`plan_indicators.catalog.years_window`), so that no plan period is written into a suite."""
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
        if col.type in _DATE_TYPES and col.name == contract.date_column:
            # Only the row's own date says which year it counts in (docs/contracts.md §1.2): a
            # delay's start or an adoption may fall outside the catalog's years.
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "warn",
                    "date_in_plan_years",
                    column=col.name,
                    min_value={"$PARAMETER": FIRST_DAY},
                    max_value={"$PARAMETER": LAST_DAY},
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
    "scale_min",
    "scale_max",
    "computes_denominator",
)
"""What `result_frame` hands the result suite: the published row, plus what the catalog and
the measure library say of it (the score's declared scale, whether the measure gives a
denominator), so no rule assumes a scale or a denominator the contract does not state."""

_SCORE = 'unit=="score" and value==value'
_WITH_DENOMINATOR = "computes_denominator==True and value==value"


def _result_expectations() -> list[dict]:
    """Hand-written: what a published result must satisfy whatever its measure."""
    exps = [
        _exp("expect_column_to_exist", "error", "missing_column", column=c) for c in RESULT_COLUMNS
    ]
    exps += [
        _exp("expect_column_values_to_not_be_null", "error", "key_not_null", column=c)
        for c in ("plan_id", "indicator_id", "fiscal_year")
    ]
    pandas = {"condition_parser": "pandas"}
    exps += [
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "percent_range",
            column="value",
            min_value=0,
            max_value=100,
            row_condition='unit=="percent"',
            **pandas,
        ),
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "non_negative",
            column="value",
            min_value=0,
            row_condition='unit=="count" or unit=="days" or unit=="currency"',
            **pandas,
        ),
        *(
            _exp(
                "expect_column_values_to_not_be_null",
                "error",
                "scale_declared",
                column=bound,
                row_condition=_SCORE,
                **pandas,
            )
            for bound in ("scale_min", "scale_max")
        ),
        _exp(
            "expect_column_pair_values_a_to_be_greater_than_b",
            "error",
            "score_scale",
            column_A="value",
            column_B="scale_min",
            or_equal=True,
            row_condition=_SCORE,
            **pandas,
        ),
        _exp(
            "expect_column_pair_values_a_to_be_greater_than_b",
            "error",
            "score_scale",
            column_A="scale_max",
            column_B="value",
            or_equal=True,
            row_condition=_SCORE,
            **pandas,
        ),
        _exp(
            "expect_column_values_to_not_be_null",
            "error",
            "denominator_present",
            column="denominator",
            row_condition=_WITH_DENOMINATOR,
            **pandas,
        ),
        _exp(
            "expect_column_values_to_be_between",
            "error",
            "denominator_positive",
            column="denominator",
            min_value=0,
            strict_min=True,
            row_condition=_WITH_DENOMINATOR,
            **pandas,
        ),
    ]
    return exps


def result_frame(plan, rows: list[dict]) -> pd.DataFrame:
    """A plan's published `indicator_result` rows as the result suite reads them (RESULT_COLUMNS):
    each row with its indicator's unit and scale and whether its measure gives a denominator."""
    from plan_indicators.measures import get_measure

    values = ("value", "numerator", "denominator")
    frame = pd.DataFrame(rows, columns=["plan_id", "indicator_id", "fiscal_year", *values])
    about = {
        ind.id: {
            "unit": ind.unit,
            "scale_min": ind.scale.min if ind.scale else None,
            "scale_max": ind.scale.max if ind.scale else None,
            "computes_denominator": get_measure(ind.measure.name).computes_denominator,
        }
        for ind in plan.indicators
    }
    for col in ("unit", "scale_min", "scale_max", "computes_denominator"):
        frame[col] = [about.get(i, {}).get(col) for i in frame["indicator_id"]]
    frame["computes_denominator"] = frame["computes_denominator"].fillna(False).astype(bool)
    for col in (*values, "scale_min", "scale_max"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame[list(RESULT_COLUMNS)].reset_index(drop=True)


def expected_suites() -> dict[str, dict]:
    """Every suite, by name, as `write_suites()` writes it."""
    suites = {}
    for source, contract in CONTRACTS.items():
        layers = {
            "raw": f"Raw {source}: one row per {contract.row}, as typed from the landing files."
        }
        if source != WEB:  # staged per fiscal year by DuckDB, not as a frame
            layers["staging"] = (
                f"Staged {source}: the raw rules, typed columns, and the file and line of each row."
            )
        for layer, description in layers.items():
            suites[f"{layer}_{source}"] = {
                "name": f"{layer}_{source}",
                "meta": {"description": description},
                "expectations": _source_expectations(source, staging=layer == "staging"),
            }
    suites["indicator_result"] = {
        "name": "indicator_result",
        "meta": {
            "description": "Published indicator results: percent in 0-100, counts and "
            "delays ≥ 0, each score within its indicator's declared scale, a denominator > 0 "
            "wherever the measure computes one."
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


if __name__ == "__main__":
    for path in write_suites():
        print(f"wrote {path.relative_to(SUITES_DIR.parent.parent)}")

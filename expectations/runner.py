"""Validate a DataFrame against a committed suite with an ephemeral GX context.

The suites themselves are defined in `expectations.suites`; this module only runs them and
turns GX's results into failures split by severity, with the file and line of each bad row.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from expectations.suites import FIRST_DAY, LAST_DAY, load_suite

Parameters = dict[str, str]
"""Values of a suite's `{"$PARAMETER": name}` arguments, by name (ISO dates)."""


@dataclass
class ExpectationFailure:
    expectation: str
    column: str | None
    severity: str
    rule: str
    unexpected_count: int
    sample: list = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    """Every unexpected row's position in the frame (complete, unlike the sample)."""
    rows: list[str] = field(default_factory=list)
    """`file:line` of the unexpected rows when the frame carries `_file`/`_line` (staged data)."""
    exception: str | None = None
    """GX could not evaluate the expectation (e.g. a bad row condition): a failure, not a crash."""
    position: int = -1
    """The expectation's place in its suite (-1: a column missing before GX ran), which orders
    the failures the same way however the suite was run (whole frame or file by file)."""


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
        """The failing expectations as a table for the Dagster UI."""
        if not self.failures:
            return f"All {self.evaluated} expectations of `{self.suite}` passed."
        lines = [
            "| severity | expectation | column | rule | unexpected | sample | rows |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in self.failures:
            cells = [
                f.severity,
                f.expectation,
                f.column or "",
                f.rule,
                str(f.unexpected_count),
                f.exception or ", ".join(str(s) for s in f.sample[:5]),
                ", ".join(f.rows[:5]),
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)

    def summary(self) -> str:
        """One line naming the first failure (errors first), with where it was found."""
        f = (self.error_failures or self.warn_failures or [None])[0]
        if f is None:
            return ""
        where = f" at {', '.join(f.rows[:3])}" if f.rows else ""
        return (
            f"{f.expectation} on column {f.column}: {f.unexpected_count} unexpected "
            f"(rule {f.rule}; sample {f.sample[:3]}){where}"
        )


_lock = threading.Lock()


def _free_lock() -> None:
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_free_lock)  # a thread of the parent's may have held it


@cache
def _context():
    """One ephemeral GX context per process, analytics and progress bars off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.config.analytics_enabled = False
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    datasource = ctx.data_sources.add_pandas("plan_indicators")
    batch_def = datasource.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
    return gx, batch_def


_NOT_COLUMNS = {"and", "or", "not", "in", "is", "True", "False", "None"}


def _columns(kwargs: dict) -> list[str]:
    """Columns an expectation reads, including those named in its pandas row condition."""
    cols = list(
        kwargs.get("column_list")
        or ([kwargs["column"]] if "column" in kwargs else [])
        or [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
    )
    condition = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", kwargs.get("row_condition") or "")
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", condition)
    return cols + [n for n in dict.fromkeys(names) if n not in _NOT_COLUMNS and n not in cols]


def catalog_parameters(plans=None) -> Parameters:
    """The suite parameters of a catalog (the default one when `plans` is None): the first and
    last day of its fiscal years, the bounds of `date_in_plan_years`."""
    from plan_indicators.catalog import load_catalog, years_window

    first, last = years_window(load_catalog() if plans is None else plans)
    return {FIRST_DAY: first.isoformat(), LAST_DAY: last.isoformat()}


def _resolved(kwargs: dict, parameters: Parameters) -> dict:
    """`kwargs` with each `{"$PARAMETER": name}` replaced by its value (a missing one is loud)."""
    out = {}
    for key, value in kwargs.items():
        if isinstance(value, dict) and "$PARAMETER" in value:
            name = value["$PARAMETER"]
            if name not in parameters:
                raise KeyError(f"suite parameter {name!r} not given")
            value = parameters[name]
        out[key] = value
    return out


def _build(gx, suite: dict, df: pd.DataFrame, parameters: Parameters):
    """GX suite for the expectations whose columns exist.

    A missing column fails its `expect_column_to_exist` (error) once; expectations on a missing
    column that no such expectation covers become an error failure here instead of a GX crash.
    """
    built = gx.ExpectationSuite(name=suite["name"])
    exists = "expect_column_to_exist"
    checked = {e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == exists}
    missing: list[ExpectationFailure] = []
    for i, exp in enumerate(suite["expectations"]):
        meta = {**exp["meta"], "position": exp["meta"].get("position", i)}
        kwargs = _resolved(exp["kwargs"], parameters)
        absent = [c for c in _columns(kwargs) if c not in df.columns]
        if absent and exp["type"] != exists:
            reported = checked | {f.column for f in missing}
            missing += [
                ExpectationFailure(exp["type"], c, "error", "missing_column", 0)
                for c in absent
                if c not in reported
            ]
            continue
        col = kwargs.get("column")
        if col in df.columns and pd.api.types.is_datetime64_any_dtype(df[col]):
            for bound in ("min_value", "max_value"):
                if isinstance(kwargs.get(bound), str):
                    kwargs[bound] = pd.Timestamp(kwargs[bound])
        name = "".join(p.capitalize() for p in exp["type"].split("_"))
        built.add_expectation(getattr(gx.expectations, name)(**kwargs, meta=meta))
    return built, missing


_BUILT: dict[tuple, tuple] = {}


def _built(gx, suite_name: str, suite: dict, df: pd.DataFrame, parameters: Parameters):
    """`_build`, kept per suite and frame shape (columns, and which are dates): a result check
    runs after every materialisation, and building the suite is a third of a small validation."""
    shape = (
        suite_name,
        tuple(df.columns),
        tuple(c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])),
        tuple(sorted(parameters.items())),
    )
    if shape not in _BUILT:
        _BUILT[shape] = _build(gx, suite, df, parameters)
    built, missing = _BUILT[shape]
    return built, list(missing)


def _vacuous(suite: dict, df: pd.DataFrame) -> frozenset[int]:
    """Positions of the expectations whose pandas row condition selects no row of `df`, each
    condition evaluated once as GX evaluates it (`DataFrame.query`). GX passes such an
    expectation with nothing evaluated, at the cost of one on every row (a condition is a third
    of a results validation when a plan has no score and no percentage); one pandas cannot
    evaluate is kept, for GX to report."""
    selected: dict[str, bool] = {}
    out = set()
    for i, exp in enumerate(suite["expectations"]):
        kwargs = exp["kwargs"]
        condition = kwargs.get("row_condition")
        if not isinstance(condition, str) or kwargs.get("condition_parser") != "pandas":
            continue
        if condition not in selected:
            try:
                selected[condition] = bool(len(df.query(condition)))
            except Exception:  # noqa: BLE001 - GX reports the condition's error itself
                selected[condition] = True
        if not selected[condition]:
            out.add(exp["meta"].get("position", i))
    return frozenset(out)


_PARTS: dict[tuple, object] = {}


def _without(gx, built, vacuous: frozenset[int]):
    """`built` less the expectations at `vacuous` positions, kept per suite and positions
    (`built` lives in `_BUILT` for the process's life, so its id names it)."""
    if not vacuous:
        return built
    key = (id(built), vacuous)
    if key not in _PARTS:
        kept = [e for e in built.expectations if (e.meta or {}).get("position") not in vacuous]
        _PARTS[key] = gx.ExpectationSuite(name=built.name, expectations=kept)
    return _PARTS[key]


def _as_objects(df: pd.DataFrame) -> pd.DataFrame:
    """Positional index, and text columns as plain objects (what the `str` type check reads)."""
    frame = df.reset_index(drop=True)
    text = [c for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)]
    if text:
        frame = frame.astype(dict.fromkeys(text, object))
        for c in text:
            frame[c] = frame[c].where(frame[c].notna(), None)
    return frame


def _rows(frame: pd.DataFrame, index: list[int]) -> list[str]:
    if not {"_file", "_line"} <= set(frame.columns):
        return []
    return [f"{frame.at[i, '_file']}:{frame.at[i, '_line']}" for i in index if i in frame.index]


def validate(
    suite_name: str, df: pd.DataFrame, parameters: Parameters | None = None
) -> SuiteOutcome:
    """Run one suite over a frame; failures are split by the severity in each expectation's meta.
    `parameters` default to those of the default catalog (`catalog_parameters`)."""
    return validate_suite(load_suite(suite_name), df, parameters)


def validate_suite(suite: dict, df: pd.DataFrame, parameters: Parameters | None = None):
    """`validate` for a suite given as data (a part of a committed suite, for instance), its
    failures in the suite's order; in the GX worker when the command started one
    (`expectations.worker`)."""
    from expectations import worker

    if parameters is None:
        parameters = catalog_parameters()
    return worker.call(_validate_suite, suite, df, parameters)


def validate_staged(
    suite_name: str, staging: str, source: str, parameters: Parameters
) -> SuiteOutcome | None:
    """The suite on a source's staged Parquet under `staging`, read where it is validated (in
    the worker, when handed to it); None when nothing is staged."""
    from pathlib import Path

    from plan_indicators.staging import ParquetStagedData

    frame = ParquetStagedData(Path(staging)).frame(source)
    if frame is None:
        return None
    return _validate_suite(load_suite(suite_name), frame, parameters)


def _validate_suite(suite: dict, df: pd.DataFrame, parameters: Parameters) -> SuiteOutcome:
    suite_name = suite["name"]
    frame = _as_objects(df)
    with _lock:
        gx, batch_def = _context()
        built, failures = _built(gx, suite_name, suite, frame, parameters)
        built = _without(gx, built, _vacuous(suite, frame))
        batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
        # Pass/fail first: the row-level detail costs as much again, and only a failure needs it.
        result = batch.validate(built, result_format={"result_format": "BOOLEAN_ONLY"})
        if not result.success:
            result = batch.validate(
                built, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20}
            )
    for res in result.results:
        if res.success:
            continue
        cfg = res.expectation_config
        meta = cfg.meta or {}
        info = res.result or {}
        exception = _exception(res.exception_info)
        index = [int(i) for i in (info.get("unexpected_index_list") or []) if isinstance(i, int)]
        failures.append(
            ExpectationFailure(
                expectation=cfg.type,
                column=_column_name(cfg.kwargs),
                severity=meta.get("severity", "error"),
                rule=meta.get("rule", cfg.type),
                unexpected_count=int(info.get("unexpected_count") or 0),
                sample=[_plain(v) for v in (info.get("partial_unexpected_list") or [])[:20]],
                index=index,
                rows=_rows(frame, index[:20]),
                exception=exception,
                position=int(meta.get("position", -1)),
            )
        )
    failures.sort(key=lambda f: f.position)  # stable: columns missing first, in suite order
    errors = [f for f in failures if f.severity == "error"]
    warns = [f for f in failures if f.severity != "error"]
    return SuiteOutcome(suite_name, not errors, errors, warns, len(suite["expectations"]))


def _column_name(kwargs: dict) -> str:
    """The column a failure concerns: one, a compound key `a,b`, or a compared pair `a,b`."""
    names = kwargs.get("column_list") or [kwargs.get(k) for k in ("column_A", "column_B")]
    return kwargs.get("column") or ",".join(n for n in names if n)


def _exception(info) -> str | None:
    """The first exception message GX recorded for a result (flat or keyed by metric)."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "exception")
    return None


def _plain(v):
    """A JSON-friendly sample value (dates as ISO text, numpy scalars as Python ones)."""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() else v.isoformat()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, list | str | int | float | bool) or v is None:
        return v
    return str(v)

"""The measure library (docs/contracts.md §2.6): functions registered by name, referenced by the
catalog.

A measure reads staged sources through a `StagedData` and returns a `MeasureResult` for one
indicator and one fiscal year. A missing input is `value=None` with a French `reason`, which
the evaluation turns into `no_data`: a measure never returns a silent zero.

Every module of this package is imported on first use, so a new measure is registered by
existing in a new module; a module that fails to import raises `MeasureModuleError` naming it,
rather than leaving its measures silently unknown.
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import pandas as pd

from plan_indicators.discovery import import_modules
from plan_indicators.fiscal import FiscalYear


class StagedData(Protocol):
    """Read access to staged sources; `None` means the source has no staged data at all."""

    def frame(self, source: str) -> pd.DataFrame | None: ...

    def parquet_glob(self, source: str, fiscal_year: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class MeasureContext:
    plan_id: str
    indicator_id: str
    fiscal_year: FiscalYear
    as_of: dt.date
    data: StagedData
    business_days: Callable[[dt.date, dt.date], int] | None = None
    plan_start: FiscalYear | None = None
    """The plan's first fiscal year: a register is kept from then on, so a plan year without a
    record is a real zero (see `register_count`)."""


@dataclass
class MeasureResult:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    achieved_on: dt.date | None = None
    periods: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    rows_used: int = 0
    sources: tuple[str, ...] = ()
    excluded: dict[str, int] = field(default_factory=dict)
    """Rows left out of numerator and denominator, by rule: data-quality warnings that the
    result's metadata shows (a post without a tag, a record without an outcome)."""
    evidence: str | None = None
    """The evidence the value rests on (register records' document references or URLs,
    `" ; "`-joined), published as the result's "Preuve"."""
    regions: dict[str, tuple[int, int]] = field(default_factory=dict)
    """(numerator, denominator) per administrative region, for a share over rows that carry
    `region_code` (`plan_indicators.regions`); they add up to `numerator`, `denominator`."""

    @classmethod
    def missing(cls, reason: str, sources: tuple[str, ...] = ()) -> MeasureResult:
        return cls(value=None, reason=reason, sources=sources)

    def exclude(self, rule: str, count: int, note: str) -> MeasureResult:
        """Count `count` rows left out under `rule`, and say so (French) in the reason."""
        if count:
            self.excluded[rule] = self.excluded.get(rule, 0) + count
            self.reason = f"{self.reason} ; {note}" if self.reason else note
        return self

    def by_region(self, counts: dict[str, tuple[int, int]]) -> MeasureResult:
        """Attach the per-region terms of a share that has a value (none for a missing one)."""
        if self.value is not None:
            self.regions = dict(counts)
        return self


MeasureFn = Callable[..., MeasureResult]

REQUIRED = inspect.Parameter.empty
"""The default of a parameter the catalog must give."""


@dataclass(frozen=True)
class Param:
    """A catalog parameter of a measure, declared beside it so that the reference
    (`plan-indicators measures`, docs/measures.md) and the catalog's checks read the same thing.

    `doc` says what it means; `allowed` lists the values it accepts (each item, for a list);
    `minimum`/`maximum` bound a number. Its type and default are the function's own
    (`hint`, `default`), filled in at registration: the signature stays the one source of both.
    """

    name: str
    doc: str
    allowed: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    example: Any = None
    """A value to show in the reference's catalog example, for a required parameter."""
    hint: Any = None
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def choices(self) -> tuple[Any, ...]:
        """The accepted values: declared, or those of a `Literal` type."""
        if self.allowed:
            return self.allowed
        return typing.get_args(self.hint) if typing.get_origin(self.hint) is Literal else ()

    def type_text(self) -> str:
        """The type as a planner writes it in YAML."""
        return _type_text(self.hint)

    def default_text(self) -> str:
        return "required" if self.required else _yaml_value(self.default)

    def summary(self) -> str:
        """`statistic (one of mean, median; default mean)`: what an error lists."""
        choices = self.choices()
        listed = ", ".join(_yaml_value(c) for c in choices)
        if choices and self.type_text().startswith("list"):
            what = f"list of {listed}"
        elif choices:
            what = f"one of {listed}"
        else:
            what = self.type_text()
        tail = (
            "required"
            if self.required
            else "optional"
            if self.default is None
            else f"default {self.default_text()}"
        )
        return f"{self.name} ({what}; {tail})"

    def problem(self, value: Any) -> str | None:
        """Why `value` is refused (type, allowed values, bounds), or None."""
        from pydantic import TypeAdapter, ValidationError

        if self.hint is not None and typing.get_origin(self.hint) is not Literal:
            try:
                TypeAdapter(self.hint).validate_python(value, strict=True)
            except ValidationError:
                return f"takes {self.name} as {self.type_text()}, not {value!r}"
        choices = self.choices()
        items = value if isinstance(value, list) else [value]
        if choices:
            bad = [v for v in items if v is not None and v not in choices]
            if bad:
                listed = ", ".join(_yaml_value(c) for c in choices)
                return f"{self.name} {bad[0]!r} is not accepted; allowed: {listed}"
        for v in items:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            if self.minimum is not None and v < self.minimum:
                return f"{self.name} {v!r} is below its minimum {self.minimum:g}"
            if self.maximum is not None and v > self.maximum:
                return f"{self.name} {v!r} is above its maximum {self.maximum:g}"
        return None


def _yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return str(value)


def _type_text(hint: Any) -> str:
    if hint is None:
        return "any"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return "text"
    if origin in (list, tuple):
        return f"list of {_type_text(args[0])}" if args else "list"
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        return " or ".join(_type_text(a) for a in kept)
    return {bool: "true/false", int: "whole number", float: "number", str: "text"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )


@dataclass(frozen=True)
class Measure:
    """A registered measure; `units` are the catalog units its value can carry (an empty tuple:
    not declared), so a catalog draft can tell which measures fit an indicator.
    `computes_denominator`: every value it returns comes with the denominator it was computed
    on (a share, a mean), so a result without one is a fault; a measure that reads an
    aggregate (`survey_value`) has none to give. `params` are its declared parameters,
    `label_fr` the plan wording it answers ("Taux de satisfaction")."""

    name: str
    sources: tuple[str, ...]
    fn: MeasureFn
    doc: str
    units: tuple[str, ...] = ()
    computes_denominator: bool = False
    params: tuple[Param, ...] = ()
    label_fr: str = ""
    year_to_date: bool = True
    """Its value can be computed at a date inside the year from rows dated in it, which a
    projection of the running year needs (docs/contracts.md §5.10); false for a measure whose
    staged input keeps no date within the year (web users, survey aggregates)."""
    accumulates: bool = False
    """Its value grows over the year as its numerator, a count, does (a turnover rate: the
    year's departures over a mean headcount): the projection scales it as it scales a count,
    never reads the value to date as the year's (docs/contracts.md §5.10)."""

    def parameters(self) -> tuple[Param, ...]:
        """Every parameter the function takes, with its declaration where there is one."""
        declared = {p.name: p for p in self.params}
        hints = typing.get_type_hints(self.fn)
        out = []
        for p in list(inspect.signature(self.fn).parameters.values())[1:]:
            if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                continue
            base = declared.get(p.name, Param(p.name, ""))
            out.append(replace(base, hint=hints.get(p.name), default=p.default))
        return tuple(out)

    def takes_any(self) -> bool:
        """A function with `**params` takes names nobody declared."""
        return any(
            p.kind is inspect.Parameter.VAR_KEYWORD
            for p in inspect.signature(self.fn).parameters.values()
        )


_REGISTRY: dict[str, Measure] = {}
_LOADED: list[str] = []


class MeasureModuleError(ImportError):
    """A module of the measure library that cannot be imported, named."""


def measure(
    name: str,
    sources: tuple[str, ...],
    units: tuple[str, ...] = (),
    computes_denominator: bool = False,
    params: tuple[Param, ...] = (),
    label_fr: str = "",
    year_to_date: bool = True,
    accumulates: bool = False,
) -> Callable[[MeasureFn], MeasureFn]:
    """Register `fn(ctx: MeasureContext, **params) -> MeasureResult` under `name`.

    Every parameter of `fn` is declared in `params` and every declaration names a parameter of
    `fn`: a measure whose reference would be incomplete does not register (its module then
    fails to import, named by `MeasureModuleError`)."""

    def register(fn: MeasureFn) -> MeasureFn:
        doc = (fn.__doc__ or "").strip()
        taken = [p.name for p in list(inspect.signature(fn).parameters.values())[1:]]
        declared = [p.name for p in params]
        if sorted(taken) != sorted(declared):
            raise TypeError(
                f"measure {name!r}: its parameters {taken} and its declared params {declared} "
                "differ; declare each one with Param(name, doc, …)"
            )
        _REGISTRY[name] = Measure(
            name,
            sources,
            fn,
            doc,
            units,
            computes_denominator,
            tuple(params),
            label_fr,
            year_to_date,
            accumulates,
        )
        return fn

    return register


def _load() -> dict[str, Measure]:
    """Import every module of the package, once."""
    if not _LOADED:
        _LOADED.extend(import_modules(__name__, __path__, MeasureModuleError, "measure"))
    return _REGISTRY


def registry() -> dict[str, Measure]:
    return _load()


def measure_names() -> set[str]:
    return set(_load())


def measures_for_unit(unit: str) -> list[str]:
    """Names of the measures whose value can carry a catalog unit, sorted."""
    return sorted(name for name, m in _load().items() if unit in m.units)


def get_measure(name: str) -> Measure:
    measures = _load()
    if name not in measures:
        raise KeyError(f"unknown measure {name!r}; known: {sorted(measures)}")
    return measures[name]


def not_started_reason(ctx: MeasureContext) -> str:
    """Why a year that has not begun has no value: nothing of it can be known yet."""
    return f"L'année {ctx.fiscal_year.key} n'a pas commencé au {ctx.as_of.isoformat()}"


class FilteredData:
    """Staged data seen through a catalog `filter`: each source's rows whose filterable
    columns hold one of the values asked (a row with the column empty matches none)."""

    def __init__(self, data: StagedData, filters: dict[str, Any]):
        self.data = data
        self.filters = {c: v if isinstance(v, list) else [v] for c, v in filters.items()}
        self._frames: dict[str, pd.DataFrame | None] = {}

    def frame(self, source: str) -> pd.DataFrame | None:
        """The source's rows the filter keeps, filtered once for every year asked."""
        if source not in self._frames:
            self._frames[source] = self._filtered(source)
        return self._frames[source]

    def _filtered(self, source: str) -> pd.DataFrame | None:
        from plan_indicators.sources.contracts import CONTRACTS

        frame = self.data.frame(source)
        if frame is None:
            return None
        for column, values in self.filters.items():
            if column in CONTRACTS[source].filters:
                kept = frame[column].astype("string").isin([str(v) for v in values])
                frame = frame.loc[kept.fillna(False).astype(bool)]
        return frame

    def parquet_glob(self, source: str, fiscal_year: str | None = None) -> str | None:
        return self.data.parquet_glob(source, fiscal_year)

    def describe(self) -> str:
        return ", ".join(f"{c} = {' ou '.join(map(str, v))}" for c, v in self.filters.items())


def for_indicator(plan: Any, ind: Any, data: StagedData, business_days=None):
    """`result_at(fiscal_year, day)`: the indicator's measure as the pipeline computes it (its
    params and catalog filter), for any fiscal year known at any day; what the result step, the
    running-year projection and its backtest all call."""
    plan_start = FiscalYear.parse(min(plan.plan.fiscal_years))
    filters = ind.measure.filter
    # One filtered view for every year and day asked: its frames are filtered once.
    seen = FilteredData(data, filters) if filters else data

    def result_at(fiscal_year: FiscalYear, day: dt.date) -> MeasureResult:
        ctx = MeasureContext(plan.id, ind.id, fiscal_year, day, seen, business_days, plan_start)
        return compute(ind.measure.name, ctx, ind.measure.params, filters)

    return result_at


def compute(
    name: str,
    ctx: MeasureContext,
    params: dict[str, Any],
    filters: dict[str, Any] | None = None,
) -> MeasureResult:
    """The measure `name` for one indicator and year, on the rows its catalog `filter` keeps."""
    m = get_measure(name)
    if not ctx.fiscal_year.has_begun(ctx.as_of):
        return MeasureResult.missing(not_started_reason(ctx), sources=m.sources)
    filtered = None
    if filters:
        filtered = FilteredData(ctx.data, filters)
        if isinstance(ctx.data, FilteredData) and ctx.data.filters == filtered.filters:
            filtered = ctx.data  # already seen through this filter (`for_indicator`)
        ctx = replace(ctx, data=filtered)
    result = m.fn(ctx, **params)
    if not result.sources:
        result.sources = m.sources
    if filtered is not None and result.value is None and result.reason:
        result.reason = f"{result.reason} (filtre : {filtered.describe()})"
    return result

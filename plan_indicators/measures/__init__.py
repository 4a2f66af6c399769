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
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

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


@dataclass(frozen=True)
class Measure:
    """A registered measure; `units` are the catalog units its value can carry (an empty tuple:
    not declared), so a catalog draft can tell which measures fit an indicator.
    `computes_denominator`: every value it returns comes with the denominator it was computed
    on (a share, a mean), so a result without one is a fault; a measure that reads an
    aggregate (`survey_value`) has none to give."""

    name: str
    sources: tuple[str, ...]
    fn: MeasureFn
    doc: str
    units: tuple[str, ...] = ()
    computes_denominator: bool = False


_REGISTRY: dict[str, Measure] = {}
_LOADED: list[str] = []


class MeasureModuleError(ImportError):
    """A module of the measure library that cannot be imported, named."""


def measure(
    name: str,
    sources: tuple[str, ...],
    units: tuple[str, ...] = (),
    computes_denominator: bool = False,
) -> Callable[[MeasureFn], MeasureFn]:
    """Register `fn(ctx: MeasureContext, **params) -> MeasureResult` under `name`."""

    def register(fn: MeasureFn) -> MeasureFn:
        doc = (fn.__doc__ or "").strip()
        _REGISTRY[name] = Measure(name, sources, fn, doc, units, computes_denominator)
        return fn

    return register


def _load() -> dict[str, Measure]:
    """Import every module of the package, once."""
    if not _LOADED:
        modules = sorted(info.name for info in pkgutil.iter_modules(__path__))
        for module in modules:
            name = f"{__name__}.{module}"
            try:
                importlib.import_module(name)
            except Exception as exc:
                raise MeasureModuleError(
                    f"measure module {name} ({Path(__path__[0]) / module}.py) cannot be "
                    f"imported: {type(exc).__name__}: {exc}",
                    name=name,
                ) from exc
        _LOADED.extend(modules)
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


def compute(name: str, ctx: MeasureContext, params: dict[str, Any]) -> MeasureResult:
    m = get_measure(name)
    if not ctx.fiscal_year.has_begun(ctx.as_of):
        return MeasureResult.missing(not_started_reason(ctx), sources=m.sources)
    result = m.fn(ctx, **params)
    if not result.sources:
        result.sources = m.sources
    return result

"""The plan catalog: one YAML file per plan under `data/plans/` (docs/contracts.md §2).

Loading validates everything a run relies on and raises `CatalogError` naming the file, the
indicator and the field at fault, so a planner who edits YAML reads what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
import unicodedata
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from plan_indicators import target_kinds
from plan_indicators.fiscal import FiscalYear
from plan_indicators.target_kinds import CatalogFrame
from plan_indicators.target_kinds._baseline import BaselineKind

Unit = Literal["percent", "count", "score", "days", "date", "currency"]
Direction = Literal["higher_is_better", "lower_is_better"]

TO_CHOOSE = "à choisir"
"""What a catalog draft (`draft-plan`) writes where the plan's text cannot say: a measure, a unit,
a scale, the organisation. Every occurrence is a validation error naming its field, reported
with the file's other faults, so a draft cannot pass with a guess nobody made."""
_LEFT_TO_CHOOSE = "left to choose: the draft could not tell it from the plan's text"

PLAN_ID_MAX, INDICATOR_ID_MAX = 64, 32
"""Lengths of the warehouse key columns (`plan_id`, `indicator_id`): longer ids would fail the
first write to PostgreSQL, so the catalog refuses them."""


def _non_blank(v: str) -> str:
    """A required text a report prints: present and not blank."""
    if not v.strip():
        raise ValueError("must not be empty: write the plan's wording")
    return v


Text = Annotated[str, AfterValidator(_non_blank)]


def _target_union() -> Any:
    """Every registered target kind, told apart by `kind` (docs/contracts.md §2.4)."""
    return Annotated[Union[tuple(target_kinds.registry().values())], Field(discriminator="kind")]  # noqa: UP007


Target = _target_union()
TARGET_KINDS = target_kinds.kind_names()
BASELINE_KINDS = tuple(
    name for name, cls in target_kinds.registry().items() if issubclass(cls, BaselineKind)
)


def __getattr__(name: str) -> Any:
    """A kind class by its class name (`AtLeast`), as `from plan_indicators.catalog import`."""
    for cls in target_kinds.registry().values():
        if cls.__name__ == name:
            return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_OWNER = re.compile(r"team:.+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,7}")


def _owner(v: Any) -> Any:
    """Dagster takes an e-mail address or `team:NAME` as an asset owner, and nothing else."""
    if isinstance(v, str) and not _OWNER.fullmatch(v):
        raise ValueError(f"owner {v!r} must be an e-mail address or 'team:NAME'")
    return v


Owner = Annotated[str, AfterValidator(_owner)]


class Scale(BaseModel):
    """The range a `score` is read on ("note sur 10" = 0-10, an index on 100 = 0-100): every
    check of a score uses its indicator's scale, none assumes one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"scale min {self.min:g} must be below max {self.max:g}")
        return self


FilterValue = Annotated[str, Field(min_length=1)] | Annotated[list[str], Field(min_length=1)]


class MeasureSpec(BaseModel):
    """The measure of an indicator: its name, its parameters, and a `filter` selecting the rows
    of a shared source on the columns that source declares filterable (a survey, a question,
    a programme, a channel): `{survey: accueil}`, `{channel: [web_form, email]}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    filter: dict[str, FilterValue] = Field(default_factory=dict)


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=INDICATOR_ID_MAX)
    enjeu: Text
    orientation: Text
    objective: Text
    text_fr: Text
    unit: Unit
    scale: Scale | None = None
    direction: Direction = "higher_is_better"
    measure: MeasureSpec
    targets: dict[str, Target] = Field(default_factory=dict)
    # `assumptions` are the analysts' working notes (kept internal); `note_fr` is the note
    # that readers of the report and the exports see under the results table.
    assumptions: list[str] = Field(default_factory=list)
    note_fr: str | None = None
    owners: list[Owner] = Field(default_factory=list)

    @field_validator("targets", mode="before")
    @classmethod
    def _target_keys(cls, v: Any) -> Any:
        """Normalise fiscal-year keys; a key that is no fiscal year is reported by `parse_plan`."""
        if isinstance(v, dict):
            return {_fy_key(k): t for k, t in v.items()}
        return v

    @property
    def key_slug(self) -> str:
        """The id as a Dagster name (`[A-Za-z0-9_]`): accents folded, anything else `_`."""
        return "i_" + name_part(self.id)

    def baseline_years(self) -> set[str]:
        """Baseline years computed from data (a catalog `baseline_value` needs no partition)."""
        return {
            year for t in self.targets.values() if (year := t.computed_baseline_year()) is not None
        }


@cache
def name_part(text: str) -> str:
    """`text` folded to ASCII letters, digits and `_` (`1.1-é` → `1_1_e`), for Dagster names."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append(base if re.fullmatch(r"[A-Za-z0-9_]+", base or "-") else "_")
    return "".join(out)


def _fy_key(key: Any) -> str:
    try:
        return FiscalYear.parse(str(key)).key
    except ValueError:
        return str(key)


class PlanInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=PLAN_ID_MAX)
    organisation: Text
    title: Text
    fiscal_years: list[str] = Field(min_length=1)
    source: str = ""
    owners: list[Owner] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)

    @field_validator("fiscal_years")
    @classmethod
    def _fys(cls, v: list[str]) -> list[str]:
        return [FiscalYear.parse(str(k)).key for k in v]


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: PlanInfo
    indicators: list[Indicator]
    open_questions: list[str] = Field(default_factory=list)
    path: str = ""

    @property
    def id(self) -> str:
        return self.plan.id

    @property
    def slug(self) -> str:
        return self.plan.id.replace("-", "_")

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"{self.id}: no indicator {indicator_id!r}")

    def partition_years(self) -> list[str]:
        """The plan's fiscal years plus every baseline year its targets refer to."""
        years = set(self.plan.fiscal_years)
        for ind in self.indicators:
            for fy, target in ind.targets.items():
                years |= target.needed_years(fy, tuple(self.plan.fiscal_years))
        return sorted(years)


class CatalogError(ValueError):
    """A catalog fault, with where it is: file, indicator, field."""

    def __init__(self, file: str, problems: list[tuple[str, str, str]]):
        self.file = file
        self.problems = problems
        lines = [
            f"{file}: indicator {ind or '-'}: field {fld}: {msg}" for ind, fld, msg in problems
        ]
        super().__init__("\n".join(lines))


def _locate(raw: dict, loc: tuple) -> tuple[str, str]:
    """Indicator id and dotted field path of a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        items = raw.get("indicators") or []
        ind = items[loc[1]] if loc[1] < len(items) and isinstance(items[loc[1]], dict) else {}
        field = [str(p) for p in loc[2:] if p not in TARGET_KINDS]
        return str(ind.get("id", f"#{loc[1] + 1}")), ".".join(field) or "(indicator)"
    return "", ".".join(str(p) for p in loc)


def _describe(err: dict, field: str) -> tuple[str, str]:
    """Field and a planner-readable message for one pydantic error."""
    error, ctx = err["type"], err.get("ctx") or {}
    known = ", ".join(TARGET_KINDS)
    if error == "union_tag_invalid":
        return f"{field}.kind", f"unknown target kind {ctx.get('tag')!r} (known: {known})"
    if error == "union_tag_not_found":
        return f"{field}.kind", f"target has no 'kind' (one of: {known})"
    if error == "missing":
        target_kind = next((p for p in err["loc"] if p in TARGET_KINDS), None)
        name = field.rsplit(".", 1)[-1]
        needed = f" (required by kind {target_kind})" if target_kind else ""
        return field, f"missing field {name!r}{needed}"
    if error == "extra_forbidden":
        return field, "unknown field (not part of the catalog format)"
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return field, msg


def parse_plan(raw: Any, file: str, measure_names: set[str] | None = None) -> Plan:
    """Validate a plan's YAML content; `measure_names` defaults to the measure library.

    With the default, measure parameters are also checked against the registered functions.
    """
    if not isinstance(raw, dict):
        raise CatalogError(
            file, [("", "(file)", "expected a mapping with 'plan' and 'indicators'")]
        )
    registry: dict[str, Any] = {}
    if measure_names is None:
        from plan_indicators.measures import registry as _registry

        registry = _registry()
        measure_names = set(registry)
    to_choose = _to_choose(raw, measure_names)
    try:
        plan = Plan.model_validate({**raw, "path": file})
    except ValidationError as exc:
        marked = {(ind, fld) for ind, fld, _ in to_choose}
        problems = list(to_choose)
        for err in exc.errors():
            ind, fld = _locate(raw, tuple(err["loc"]))
            fld, msg = _describe(err, fld)
            if not any(i == ind and (fld == f or fld.startswith(f"{f}.")) for i, f in marked):
                problems.append((ind, fld, msg))
        raise CatalogError(file, problems) from None
    problems = to_choose + _semantic_problems(plan, measure_names)
    problems += [p for ind in plan.indicators for p in _param_problems(ind, registry)]
    problems += [p for ind in plan.indicators for p in _unit_problems(ind, registry)]
    problems += [p for ind in plan.indicators for p in _filter_problems(ind, registry)]
    if problems:
        raise CatalogError(file, problems)
    return plan


def _semantic_problems(plan: Plan, measure_names: set[str]) -> list[tuple[str, str, str]]:
    """Faults that need the whole plan: ids, measure names, years, baselines, deadlines."""
    problems: list[tuple[str, str, str]] = []
    first_seen: dict[str, int] = {}
    slugs: dict[str, str] = {}
    plan_years = plan.plan.fiscal_years
    for pos, ind in enumerate(plan.indicators, start=1):
        if ind.id in first_seen:
            msg = f"duplicate indicator id {ind.id!r} (indicators #{first_seen[ind.id]} and #{pos})"
            problems.append((ind.id, "id", msg))
        elif ind.key_slug in slugs:
            msg = (
                f"ids {slugs[ind.key_slug]!r} and {ind.id!r} give the same asset key "
                f"{ind.key_slug!r}: make them differ by a letter or a digit"
            )
            problems.append((ind.id, "id", msg))
        first_seen.setdefault(ind.id, pos)
        slugs.setdefault(ind.key_slug, ind.id)
        if ind.measure.name not in measure_names | {TO_CHOOSE}:
            known = ", ".join(sorted(measure_names)) or "none registered"
            msg = f"unknown measure {ind.measure.name!r} (known: {known})"
            problems.append((ind.id, "measure.name", msg))
        problems += [(ind.id, f, m) for f, m in _scale_problems(ind)]
        for fy, target in ind.targets.items():
            found = _kind_problems(fy, target, ind) or _target_problems(fy, target, plan_years, ind)
            problems += [(ind.id, f, m) for f, m in found]
    return problems


def _to_choose(raw: dict, measure_names: set[str]) -> list[tuple[str, str, str]]:
    """Every field written `à choisir`, found in the YAML itself so that it is reported whatever
    else is wrong with the file (a draft shows all that is left to choose at once)."""
    plan = raw.get("plan") if isinstance(raw.get("plan"), dict) else {}
    found = [("", f"plan.{path}", _to_choose_message(path, None, measure_names))
             for path in _paths_to(TO_CHOOSE, plan)]  # fmt: skip
    items = raw.get("indicators") if isinstance(raw.get("indicators"), list) else []
    for pos, ind in enumerate(items, start=1):
        if isinstance(ind, dict):
            ind_id = str(ind.get("id", f"#{pos}"))
            unit = ind.get("unit")
            found += [(ind_id, path, _to_choose_message(path, unit, measure_names))
                      for path in _paths_to(TO_CHOOSE, ind)]  # fmt: skip
    return found


def _paths_to(value: Any, node: Any, prefix: str = "") -> list[str]:
    """Dotted paths under `node` whose value is `value`."""
    if node == value:
        return [prefix]
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    return [p for k, v in items for p in _paths_to(value, v, f"{prefix}.{k}" if prefix else str(k))]


def _to_choose_message(path: str, unit: Any, measure_names: set[str]) -> str:
    if path in ("measure", "measure.name"):
        from plan_indicators.measures import measures_for_unit

        fits = [n for n in measures_for_unit(str(unit)) if n in measure_names]
        known = ", ".join(fits or sorted(measure_names)) or "none registered"
        return f"measure {_LEFT_TO_CHOOSE}; measures for unit {unit}: {known}"
    if path == "unit":
        return f"{_LEFT_TO_CHOOSE}; write one of {', '.join(typing.get_args(Unit))}"
    if path == "scale":
        return f"{_LEFT_TO_CHOOSE}; write {{min: …, max: …}}, the range the score is read on"
    return f"{_LEFT_TO_CHOOSE}; write it"


def value_range(ind: Indicator) -> tuple[float | None, float | None]:
    """The range an indicator's value can take: 0-100 for a percent, its scale for a score,
    ≥ 0 for a count or a delay (docs/contracts.md §2.3 units); nothing for a date."""
    if ind.unit == "percent":
        return 0.0, 100.0
    if ind.unit == "score":
        return (ind.scale.min, ind.scale.max) if ind.scale else (None, None)
    if ind.unit in ("count", "days", "currency"):
        return 0.0, None
    return None, None


def _scale_problems(ind: Indicator) -> list[tuple[str, str]]:
    """A score says what it is out of; no other unit takes a scale (a percent is 0-100, counts
    and delays have no upper bound)."""
    if ind.unit == "score" and ind.scale is None:
        return [("scale", "unit score needs its scale, e.g. scale: {min: 0, max: 10}")]
    if ind.unit != "score" and ind.scale is not None:
        return [("scale", f"only unit score takes a scale, not unit {ind.unit}")]
    return []


def _kind_problems(fy: str, target: Any, ind: Indicator) -> list[tuple[str, str]]:
    """A kind on a unit it cannot judge, or whose sense contradicts the indicator's direction,
    as each kind declares them (`TargetKind.units`, `TargetKind.direction`)."""
    field = f"targets.{fy}.kind"
    if target.units is not None and ind.unit not in target.units:
        kinds = target_kinds.registry().items()
        fits = [k for k, cls in kinds if cls.units is None or ind.unit in cls.units]
        hint = f" ({target.unit_hint})" if target.unit_hint else ""
        msg = (
            f"target kind {target.kind} does not fit unit {ind.unit}{hint}; it fits "
            f"{', '.join(target.units)}; kinds for unit {ind.unit}: {', '.join(fits)}"
        )
        return [(field, msg)]
    if target.direction is not None and ind.unit != "date" and target.direction != ind.direction:
        msg = (
            f"target kind {target.kind} contradicts direction {ind.direction}: write "
            f"{target.opposite}, or direction: {target.direction}"
        )
        return [(field, msg)]
    return []


def _target_problems(
    fy: str, target: Any, plan_years: list[str], ind: Indicator
) -> list[tuple[str, str]]:
    """A target's year, then what its kind checks (baseline years, due dates, ranges)."""
    try:
        year = FiscalYear.parse(fy)
    except ValueError as exc:
        return [(f"targets.{fy}", str(exc))]
    if fy not in plan_years:
        return [(f"targets.{fy}", f"fiscal year {fy} is not one of the plan's {plan_years}")]
    frame = CatalogFrame(year, tuple(plan_years), ind.unit, value_range(ind))
    return [(f"targets.{fy}.{f}", m) for f, m in target.catalog_problems(frame)]


def _param_problems(ind: Indicator, registry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Parameters the measure does not take (listing those it does), values of the wrong type,
    outside the declared allowed values or bounds, and required ones missing."""
    measure = registry.get(ind.measure.name)
    if measure is None:
        return []
    params = {p.name: p for p in measure.parameters()}
    name = repr(ind.measure.name)
    takes = "; ".join(p.summary() for p in params.values()) or "no parameters"
    problems = []
    for key, value in ind.measure.params.items():
        field = f"measure.params.{key}"
        if key not in params:
            if not measure.takes_any():
                problems.append(
                    (ind.id, field, f"measure {name} takes no {key!r}; it takes: {takes}")
                )
            continue
        why = params[key].problem(value)
        if why:
            problems.append((ind.id, field, f"measure {name} {why}"))
    problems += [
        (ind.id, f"measure.params.{p.name}", f"measure {name} needs {p.name!r}: {p.summary()}")
        for p in params.values()
        if p.required and p.name not in ind.measure.params
    ]
    return problems


def _filter_problems(ind: Indicator, registry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A filter column none of the measure's sources declares filterable, or a value outside
    the column's accepted values (docs/contracts.md §4.7)."""
    measure = registry.get(ind.measure.name)
    if measure is None or not ind.measure.filter:
        return []
    from plan_indicators.sources.contracts import CONTRACTS

    filterable = {c: s for s in measure.sources for c in CONTRACTS[s].filters}
    offered = ", ".join(f"{c} ({s})" for c, s in filterable.items()) or "none"
    problems = []
    for column, wanted in ind.measure.filter.items():
        field = f"measure.filter.{column}"
        if column not in filterable:
            msg = (
                f"measure {ind.measure.name!r} reads {', '.join(measure.sources)}, which cannot "
                f"be filtered on {column!r}; filterable columns: {offered}"
            )
            problems.append((ind.id, field, msg))
            continue
        allowed = CONTRACTS[filterable[column]].column(column).allowed
        values = wanted if isinstance(wanted, list) else [wanted]
        bad = [v for v in values if allowed and v not in allowed]
        if bad:
            msg = f"filter {column} {bad[0]!r} is not accepted; allowed: {', '.join(allowed)}"
            problems.append((ind.id, field, msg))
    return problems


def _unit_problems(ind: Indicator, registry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A unit the measure's value cannot carry: a mean score read as a percent, a count as a
    date."""
    measure = registry.get(ind.measure.name)
    if measure is None or not measure.units or ind.unit in measure.units:
        return []
    from plan_indicators.measures import measures_for_unit

    fits = ", ".join(measures_for_unit(ind.unit)) or "none"
    msg = (
        f"measure {ind.measure.name!r} gives {', '.join(measure.units)}, not {ind.unit}; "
        f"measures for unit {ind.unit}: {fits}"
    )
    return [(ind.id, "unit", msg)]


# libyaml's parser when PyYAML was built with it (the same safe constructors, so the same
# values; about ten times faster, most of the code location's load with many plans).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_plan(path: str | Path, measure_names: set[str] | None = None) -> Plan:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise CatalogError(str(path), [("", "(file)", f"invalid YAML: {exc}")]) from None
    return parse_plan(raw, str(path), measure_names)


def years_window(plans: typing.Iterable[Plan]) -> tuple[dt.date, dt.date]:
    """First and last day of the catalog's fiscal years (each plan's years and the baseline years
    its targets compute): a row dated outside counts in no result."""
    years = [FiscalYear.parse(fy) for plan in plans for fy in plan.partition_years()]
    if not years:
        raise ValueError("a catalog without any plan has no fiscal years")
    return min(years).start, max(years).end


def default_plans_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "plans"


@cache
def _load_catalog_cached(plans_dir: str) -> tuple[Plan, ...]:
    files = sorted(Path(plans_dir).glob("*.yaml")) + sorted(Path(plans_dir).glob("*.yml"))
    plans = tuple(load_plan(f) for f in files)
    ids = [p.id for p in plans]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CatalogError(plans_dir, [("", "plan.id", f"plan id used twice: {sorted(dupes)}")])
    return plans


def load_catalog(plans_dir: str | Path | None = None) -> tuple[Plan, ...]:
    """Every plan of a folder, validated; cached per folder."""
    return _load_catalog_cached(str(Path(plans_dir or default_plans_dir()).resolve()))

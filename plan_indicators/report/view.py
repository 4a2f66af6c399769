"""The view model of the results: what every output format (HTML, exports) renders.

Plans hold enjeux, enjeux orientations, orientations objectives, objectives indicators, and each
indicator one `YearView` per fiscal year of its plan. The view is built from plain warehouse rows
and carries the data as published (unrounded values, French labels, notes), so a renderer decides
presentation only and two formats cannot disagree on a number or a status.

Groups follow the catalog order: a new enjeu, orientation or objective starts wherever its text
changes from the previous indicator's, as the plan's *tableau synoptique* reads.

A view is drawn for a reporting year at an as-of date (docs/contracts.md §7.4): years up to the
reporting year carry their results (the running one marked partial), later years their target only,
and a year not begun at the as-of date is `not_started` ("À venir") with no value, whatever the
warehouse holds for it. A year's `period` is its state (`plan_indicators.fiscal.year_state`):
an ended year the plan has not closed (`fiscal_year_closing`) shows provisional results. A
threshold that depends on a result after the reporting year (a baseline or previous year not yet
reported) is left out with that result.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from plan_indicators.fiscal import CLOSED, ENDED, RUNNING, FiscalYear, fiscal_range, year_state
from plan_indicators.formatting import date_fr, format_value
from plan_indicators.regions import UNKNOWN
from plan_indicators.report.load import Row, WarehouseRows
from plan_indicators.scorecard import Tally, tally
from plan_indicators.statuses import NOT_STARTED, STATUS_FR
from plan_indicators.target_kinds import kind_class

LOCAL_TZ = ZoneInfo("America/Toronto")
NUMERIC_UNITS = ("percent", "count", "score", "days", "currency")
NO_TARGET = "S. O."
MILESTONE_REACHED = ("met", "met_late")

OVER = (ENDED, CLOSED)


@dataclass(frozen=True)
class ProjectionView:
    """A year-end projection of the running year, as of `as_of` (docs/contracts.md §5.10)."""

    as_of: dt.date
    value: float | None
    value_display: str
    low: float | None
    high: float | None
    status: str | None
    status_fr: str | None
    method_fr: str | None
    note: str | None


@dataclass(frozen=True)
class YearView:
    """One indicator in one fiscal year: its target, result and evaluation, as published."""

    fiscal_year: str
    period: str = ENDED
    reported: bool = True
    partial_as_of: dt.date | None = None
    target_text: str = NO_TARGET
    kind: str | None = None
    baseline_year: str | None = None
    baseline_value: float | None = None
    threshold: float | None = None
    value: float | None = None
    compared: float | None = None
    """The value its evaluation compared with the threshold (for a cumulative target, the
    cumul to this year; otherwise the year's value)."""
    value_display: str | None = None
    achieved_on: dt.date | None = None
    status: str | None = None
    status_fr: str | None = None
    gap: float | None = None
    reason: str | None = None
    note: str | None = None
    is_final: bool | None = None
    data_as_of: dt.date | None = None
    explanation: str | None = None
    """The planning team's *explication des résultats* for readers (`result_commentary`)."""
    evidence: str | None = None
    """The result's evidence (document references or URLs, `" ; "`-joined): "Preuve"."""
    coverage: tuple[str, ...] = ()
    """Notes on the year's input data left with gaps ("données incomplètes : …")."""
    projection: ProjectionView | None = None
    """The running year's year-end projection, when the view shows that year's result."""

    @property
    def notes(self) -> tuple[str, ...]:
        """Why there is no value, then what the evaluation adds, then incomplete inputs."""
        return tuple(n for n in (self.reason, self.note, *self.coverage) if n)

    @property
    def partial(self) -> bool:
        """A result of the running year: it will still change."""
        return self.partial_as_of is not None

    @property
    def provisional(self) -> bool:
        """A result of an ended year not closed yet (docs/contracts.md §6.1): « résultat
        provisoire » until the yearly closing makes it final. A year without a value to print
        (`no_data`, a milestone not reached) has nothing to mark."""
        return self.reported and self.period == ENDED and self.value_display is not None


@dataclass(frozen=True)
class RegionView:
    """One region's share in the reporting year; no number when the cell is suppressed."""

    region_code: str
    region_fr: str
    value: float | None
    denominator: float | None
    suppressed: str | None

    @property
    def display(self) -> str:
        return "x" if self.suppressed else format_value(self.value, "percent")


@dataclass(frozen=True)
class RegionsView:
    """An indicator's breakdown by region for one fiscal year (the reporting year)."""

    fiscal_year: str
    cells: tuple[RegionView, ...]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.cells)


@dataclass(frozen=True)
class IndicatorView:
    """An indicator and its years. `note_fr` is the catalog's note for readers; `assumptions`
    are the analysts' internal working notes, kept for them and never printed for readers."""

    plan_id: str
    indicator_id: str
    text_fr: str
    unit: str
    direction: str
    enjeu: str | None
    orientation: str | None
    objective: str | None
    note_fr: str | None
    assumptions: tuple[str, ...]
    years: tuple[YearView, ...]
    regions: RegionsView | None = None
    """Its shares by region in the reporting year, when its source carries regions."""

    @property
    def numeric(self) -> bool:
        return self.unit in NUMERIC_UNITS


@dataclass(frozen=True)
class ObjectiveView:
    text: str | None
    indicators: list[IndicatorView] = field(default_factory=list)


@dataclass(frozen=True)
class OrientationView:
    text: str | None
    objectives: list[ObjectiveView] = field(default_factory=list)


@dataclass(frozen=True)
class EnjeuView:
    text: str | None
    orientations: list[OrientationView] = field(default_factory=list)


@dataclass(frozen=True)
class PlanView:
    plan_id: str
    organisation: str
    title: str
    source: str | None
    fiscal_years: tuple[str, ...]
    enjeux: list[EnjeuView]

    reported_years: tuple[str, ...] = ()
    scorecard: Tally | None = None
    """The share of targets met in the reporting year (docs/contracts.md §3.3), from the
    statuses this view shows; None while that year runs (its share is not a result yet)."""
    scorecard_year: str | None = None

    @property
    def indicators(self) -> list[IndicatorView]:
        """Every indicator in catalog order."""
        return [
            ind
            for e in self.enjeux
            for o in e.orientations
            for obj in o.objectives
            for ind in obj.indicators
        ]

    @property
    def data_as_of(self) -> dt.date | None:
        dates = [y.data_as_of for ind in self.indicators for y in ind.years if y.data_as_of]
        return max(dates) if dates else None


@dataclass(frozen=True)
class ReportView:
    plans: list[PlanView]
    generated_at: dt.datetime
    as_of: dt.date
    reporting_year: str

    @property
    def data_as_of(self) -> dt.date | None:
        dates = [d for d in (p.data_as_of for p in self.plans) if d]
        return max(dates) if dates else None

    def rows(self) -> Iterator[tuple[PlanView, IndicatorView, YearView]]:
        """One row per plan, indicator and fiscal year: the shape of the tabular exports."""
        for plan in self.plans:
            for ind in plan.indicators:
                for year in ind.years:
                    yield plan, ind, year


def parse_assumptions(raw: str | None) -> list[str]:
    """`dim_indicator.assumptions` holds a JSON list, or plain text with one item a line."""
    if raw is None or not str(raw).strip():
        return []
    text = str(raw).strip()
    if text[0] in '["':
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return [str(item).strip() for item in loaded if str(item).strip()]
        if isinstance(loaded, str):
            return [loaded.strip()] if loaded.strip() else []
    items = (re.sub(r"^\s*(?:[-*•]\s+)", "", line).strip() for line in text.splitlines())
    return [item for item in items if item]


def natural_key(indicator_id: str) -> tuple:
    """Indicator ids compare part by part, numbers as numbers: "1.10" comes after "1.9"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"[.\-]", indicator_id)
    )


def result_display(unit: str, result: Row) -> str | None:
    """The result as the report prints it; None when there is none to print.

    Numbers are formatted here from the unrounded value (one rule for every format); a
    milestone prints its date in French, and a milestone not reached has no result at all (its
    status says the rest), whatever text the pipeline kept in `value_display`.
    """
    achieved = _as_date(result.get("achieved_on"))
    if achieved is not None:
        return f"Atteinte le {date_fr(achieved)}"
    if result.get("value") is not None and unit in NUMERIC_UNITS:
        return format_value(result["value"], unit)
    if unit == "date":
        return None
    return result.get("value_display") or None


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _baseline_value(target: Row, results: dict[str, Row]) -> float | None:
    """The catalog's `baseline_value` when given, else the computed result of the baseline year."""
    try:
        params = json.loads(target.get("params") or "{}")
    except ValueError:
        params = {}
    if isinstance(params, dict) and params.get("baseline_value") is not None:
        return float(params["baseline_value"])
    baseline = results.get(target.get("baseline_year") or "", {}).get("value")
    return None if baseline is None else float(baseline)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class _Frame:
    """What the view is drawn for: the as-of date and the reporting year."""

    as_of: dt.date
    reporting_year: FiscalYear
    closed: frozenset[tuple[str, str]] = frozenset()

    def period(self, fy: FiscalYear, plan_id: str | None = None) -> str:
        """The year's state (`plan_indicators.fiscal.year_state`), closed for its plan."""
        return year_state(fy, self.as_of, closed=(plan_id, fy.key) in self.closed)

    def reported(self, fy: FiscalYear) -> bool:
        return fy <= self.reporting_year and self.period(fy) != NOT_STARTED

    def known(self, fy_key: str | None) -> bool:
        """Whether a result of `fy_key` (a baseline, a previous year) is reported by now."""
        return fy_key is not None and FiscalYear.parse(fy_key) <= self.reporting_year


def _milestone_shown(result: Row, ev: Row, fy: FiscalYear, frame: _Frame) -> bool:
    """A milestone's date shows from the year it was reached on (and in the year its target
    evaluates it), never in earlier years, and never before the as-of date knows it."""
    achieved = _as_date(result.get("achieved_on"))
    if achieved is None or achieved > frame.as_of:
        return False
    return achieved <= fy.end or ev.get("status") in MILESTONE_REACHED


def _target_only(fy: str, period: str, target: Row, baseline: float | None, frame: _Frame):
    """A year after the reporting year (or not begun): its target, nothing of its result."""
    threshold = target.get("threshold")
    baseline_year = target.get("baseline_year")
    if baseline_year and not frame.known(baseline_year):
        threshold, baseline = None, None
    kind = kind_class(target.get("kind"))
    if kind is not None and (year := kind.threshold_year(fy)) and not frame.known(year):
        threshold = None
    return YearView(
        fiscal_year=fy,
        period=period,
        reported=False,
        target_text=target.get("text_fr") or NO_TARGET,
        kind=target.get("kind"),
        baseline_year=baseline_year,
        baseline_value=baseline,
        threshold=_float(threshold),
        status=NOT_STARTED if period == NOT_STARTED else None,
        status_fr=STATUS_FR[NOT_STARTED] if period == NOT_STARTED else None,
    )


def _year_view(
    plan_id: str,
    fy: str,
    unit: str,
    target: Row,
    result: Row,
    ev: Row,
    results,
    frame: _Frame,
    coverage: tuple[str, ...] = (),
    projection: Row | None = None,
) -> YearView:
    fiscal_year = FiscalYear.parse(fy)
    period = frame.period(fiscal_year, plan_id)
    baseline = _baseline_value(target, results) if target.get("baseline_year") else None
    if not frame.reported(fiscal_year):
        return _target_only(fy, period, target, baseline, frame)
    if unit == "date" and not _milestone_shown(result, ev, fiscal_year, frame):
        result = {k: v for k, v in result.items() if k not in ("value", "achieved_on")}
    threshold = next((r["threshold"] for r in (ev, target) if r.get("threshold") is not None), None)
    partial = None
    if period == RUNNING and result:
        partial = result.get("data_as_of") or frame.as_of
    return YearView(
        fiscal_year=fy,
        period=period,
        reported=True,
        partial_as_of=partial,
        target_text=target.get("text_fr") or NO_TARGET,
        kind=target.get("kind"),
        baseline_year=target.get("baseline_year"),
        baseline_value=baseline,
        threshold=_float(threshold),
        value=_float(result.get("value")),
        compared=_float(ev.get("value")),
        value_display=result_display(unit, result),
        achieved_on=_as_date(result.get("achieved_on")),
        status=ev.get("status"),
        status_fr=ev.get("status_fr"),
        gap=_float(ev.get("gap")),
        reason=result.get("reason"),
        note=ev.get("note"),
        is_final=result.get("is_final") if result else None,
        data_as_of=result.get("data_as_of"),
        evidence=result.get("evidence") or None,
        explanation=(ev.get("explanation_fr") or "").strip() or None,
        coverage=coverage if result else (),
        projection=_projection_view(projection, unit) if period == RUNNING else None,
    )


def _keyed(rows: list[Row]) -> dict[tuple[str, str], dict[str, Row]]:
    """Rows by (plan, indicator), then by fiscal year."""
    out: dict[tuple[str, str], dict[str, Row]] = {}
    for r in rows:
        out.setdefault((r["plan_id"], r["indicator_id"]), {})[r["fiscal_year"]] = r
    return out


def _sources(measure: str | None) -> tuple[str, ...]:
    """The sources a measure reads (none for a measure the library no longer has)."""
    from plan_indicators.measures import get_measure

    try:
        return get_measure(measure).sources if measure else ()
    except (KeyError, ValueError):
        return ()


def _coverage_notes(row: Row, coverage: dict[tuple[str, str], str], fy: str) -> tuple[str, ...]:
    notes = (coverage.get((s, fy)) for s in _sources(row.get("measure")))
    return tuple(dict.fromkeys(n for n in notes if n))


def _regions_view(cells: dict[str, list[Row]], frame: _Frame) -> RegionsView | None:
    """The reporting year's regions; none for a year whose result the view does not show."""
    fy = frame.reporting_year.key
    rows = cells.get(fy)
    if not rows or not frame.reported(frame.reporting_year):
        return None
    rows = sorted(rows, key=lambda c: (c["region_code"] == UNKNOWN, c["region_code"]))
    return RegionsView(
        fy,
        tuple(
            RegionView(
                c["region_code"], c["region_fr"], _float(c["value"]),
                _float(c["denominator"]), c["suppressed"],
            )
            for c in rows
        ),
    )  # fmt: skip


def _projection_view(row: Row | None, unit: str) -> ProjectionView | None:
    if not row:
        return None
    value = _float(row["projected_value"])
    return ProjectionView(
        as_of=_as_date(row["as_of"]), value=value, value_display=format_value(value, unit),
        low=_float(row["projected_low"]), high=_float(row["projected_high"]),
        status=row["projected_status"], status_fr=row["projected_status_fr"],
        method_fr=row["method_fr"], note=row["note"],
    )  # fmt: skip


def _latest_projections(rows: list[Row], as_of: dt.date) -> dict[tuple[str, str, str], Row]:
    """Per (plan, indicator, year), the projection made last on or before `as_of`."""
    out: dict[tuple[str, str, str], Row] = {}
    for p in rows:
        day = _as_date(p["as_of"])
        key = (p["plan_id"], p["indicator_id"], p["fiscal_year"])
        if day <= as_of and (key not in out or _as_date(out[key]["as_of"]) < day):
            out[key] = p
    return out


def _indicator_view(
    row: Row, fiscal_years, frame: _Frame, t, r, e, coverage, regions=None, projections=None
) -> IndicatorView:
    key = (row["plan_id"], row["indicator_id"])
    targets, results, evaluations = t.get(key, {}), r.get(key, {}), e.get(key, {})
    projections = projections or {}
    years = tuple(
        _year_view(
            row["plan_id"], fy, row["unit"], targets.get(fy, {}), results.get(fy, {}),
            evaluations.get(fy, {}), results, frame, _coverage_notes(row, coverage, fy),
            projections.get((*key, fy)),
        )
        for fy in fiscal_years
    )  # fmt: skip
    return IndicatorView(
        plan_id=row["plan_id"],
        indicator_id=row["indicator_id"],
        text_fr=row["text_fr"],
        unit=row["unit"],
        direction=row["direction"],
        enjeu=row.get("enjeu"),
        orientation=row.get("orientation"),
        objective=row.get("objective"),
        note_fr=(row.get("note_fr") or "").strip() or None,
        assumptions=tuple(parse_assumptions(row.get("assumptions"))),
        years=years,
        regions=_regions_view((regions or {}).get(key, {}), frame),
    )


def _grouped(indicators: list[IndicatorView]) -> list[EnjeuView]:
    """Enjeux > orientations > objectives, a new group wherever the text changes."""
    enjeux: list[EnjeuView] = []
    current: tuple[Any, Any, Any] = (object(), object(), object())
    for ind in indicators:
        key = (ind.enjeu, ind.orientation, ind.objective)
        if key[0] != current[0]:
            enjeux.append(EnjeuView(key[0]))
        if key[:2] != current[:2]:
            enjeux[-1].orientations.append(OrientationView(key[1]))
        if key != current:
            enjeux[-1].orientations[-1].objectives.append(ObjectiveView(key[2]))
        enjeux[-1].orientations[-1].objectives[-1].indicators.append(ind)
        current = key
    return enjeux


def default_reporting_year(as_of: dt.date) -> str:
    """The last fiscal year ended at `as_of` (on 31 March itself the year still runs)."""
    return FiscalYear.of(as_of).previous.key


def build_view(
    rows: WarehouseRows,
    *,
    generated_at: dt.datetime,
    as_of: dt.date | None = None,
    reporting_year: str | None = None,
) -> ReportView:
    """The view of every plan in `rows`, plans by id, indicators in catalog order.

    `as_of` defaults to the day the view is generated (local time), `reporting_year` to the
    last fiscal year ended at `as_of`.
    """
    as_of = as_of or local_date(generated_at)
    fy = FiscalYear.parse(reporting_year or default_reporting_year(as_of))
    frame = _Frame(as_of, fy, rows.closed)
    t, r, e = _keyed(rows.targets), _keyed(rows.results), _keyed(rows.evaluations)
    projections = _latest_projections(rows.projections, as_of)
    regions: dict[tuple[str, str], dict[str, list[Row]]] = {}
    for c in rows.regions:
        by_year = regions.setdefault((c["plan_id"], c["indicator_id"]), {})
        by_year.setdefault(c["fiscal_year"], []).append(c)
    coverage = {
        (c["source"], c["fiscal_year"]): c["note_fr"] for c in rows.coverage if c["note_fr"]
    }
    plans = []
    for p in sorted(rows.plans, key=lambda row: row["plan_id"]):
        members = [i for i in rows.indicators if i["plan_id"] == p["plan_id"]]
        members.sort(
            key=lambda i: (
                i.get("sort_order") is None,
                i.get("sort_order") or 0,
                natural_key(i["indicator_id"]),
            )
        )
        years = tuple(fiscal_range(p["first_fiscal_year"], p["last_fiscal_year"]))
        indicators = [
            _indicator_view(i, years, frame, t, r, e, coverage, regions, projections)
            for i in members
        ]
        over = frame.period(fy, p["plan_id"]) in OVER
        reported = over and frame.reported(fy) and fy.key in years
        card = tally(y.status for i in indicators for y in i.years if y.fiscal_year == fy.key)
        plans.append(
            PlanView(
                plan_id=p["plan_id"],
                organisation=p["organisation"],
                title=p["title"],
                source=p.get("source") or None,
                fiscal_years=years,
                enjeux=_grouped(indicators),
                reported_years=tuple(y for y in years if frame.reported(FiscalYear.parse(y))),
                scorecard=card if reported else None,
                scorecard_year=fy.key if reported else None,
            )
        )
    return ReportView(plans=plans, generated_at=generated_at, as_of=as_of, reporting_year=fy.key)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day of `moment` in Québec (a naive moment is taken as local already)."""
    return moment.astimezone(LOCAL_TZ).date() if moment.tzinfo else moment.date()

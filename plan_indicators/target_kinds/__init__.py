"""Target kinds (docs/contracts.md §2.4, §2.5): one class per kind, one module per class.

A kind is a pydantic model of its catalog fields (`kind` is the discriminator) that also says how
its threshold is resolved, how a result is evaluated against it, how it is shown in French and
what `draft-plan` reads as this kind. The catalog, the target engine, the catalog assets, the
report view and the drafts dispatch through `registry()`; none of them names a kind.

Every module of this package is imported on first use, so a new kind is registered by existing in
a new module (decorated with `@target_kind`); a module that fails to import raises
`TargetKindModuleError` naming it, rather than leaving its kind silently unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from plan_indicators import statuses as st
from plan_indicators.discovery import import_modules
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import format_value
from plan_indicators.seasons import DEFAULT_SEASONS, SeasonSettings

if TYPE_CHECKING:
    from plan_indicators.drafting.reading import Reading

NOTE_NO_TARGET = "aucune cible pour cette année"
NOTE_NO_DATA = "aucune donnée pour l'année"
NOTE_NOT_STARTED = "l'année n'a pas commencé à la date de référence"

DIRECTIONS = ("higher_is_better", "lower_is_better")
NUMBER_UNITS = ("percent", "count", "score", "days", "currency")
MAX_BASELINE_LAG = 3
"""How many fiscal years before the plan's first one a computed baseline year may be: a plan
measures its baseline in the year or two before it starts. An older baseline is given as a
`baseline_value` (docs/contracts.md §2.5: the year is before the data), which needs no partition."""


@dataclass(frozen=True)
class Observed:
    """A fiscal year's result: value, milestone date, per-half counts ("H1" Apr-Sep, "H2"
    Oct-Mar), and the terms of a rate or a mean (a cumulative target pools them)."""

    value: float | None
    achieved_on: dt.date | None = None
    periods: dict[str, float] = field(default_factory=dict)
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Evaluation:
    status: str
    status_fr: str
    threshold: float | None
    gap: float | None
    note: str | None = None
    value: float | None = None
    """The value compared with the threshold when it is not the year's own result (the
    accumulated result of a cumulative target); None otherwise."""


def verdict(
    status: str,
    threshold: float | None = None,
    gap: float | None = None,
    note: str | None = None,
    value: float | None = None,
) -> Evaluation:
    return Evaluation(status, st.STATUS_FR[status], threshold, gap, note, value)


@dataclass(frozen=True)
class Situation:
    """What an evaluation knows besides the year's own result."""

    fiscal_year: FiscalYear
    as_of: dt.date
    direction: str = "higher_is_better"
    baseline: float | None = None
    previous: float | None = None
    seasons: SeasonSettings = DEFAULT_SEASONS
    results: Mapping[str, Observed] = field(default_factory=dict)
    """Every published result of the indicator by fiscal year (a cumulative target sums them)."""
    plan_start: str | None = None
    """The plan's first fiscal year."""
    unit: str | None = None
    """The indicator's unit (a cumulative target sums counts and amounts, pools rates)."""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be higher_is_better or lower_is_better: {self.direction!r}"
            )


@dataclass(frozen=True)
class CatalogFrame:
    """What a target's checks need from its plan and indicator."""

    fiscal_year: FiscalYear
    plan_years: tuple[str, ...]
    unit: str
    value_range: tuple[float | None, float | None] = (None, None)

    @property
    def first_year(self) -> FiscalYear:
        return FiscalYear.parse(min(self.plan_years))


DraftRule = Callable[[str, "Reading"], bool]
"""Reads a folded target wording into a `Reading` (kind and fields); True once it has decided,
even when it could only add a note."""
DraftAdjuster = Callable[[str, "Reading", list[str]], bool]
"""Revises a reading from the indicator's own wording ("cumulé", "semestrielle"); True once done."""


class TargetKind(BaseModel):
    """A catalog target. Subclasses declare `kind: Literal["…"]`, their fields, and override what
    differs from these defaults: no threshold, sense from the indicator's direction, evaluated by
    `assess` once the year has begun."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    text_fr: str = ""
    note: str | None = None

    units: ClassVar[tuple[str, ...] | None] = NUMBER_UNITS
    """The units the kind can judge (None: any): the catalog refuses it on another."""
    unit_hint: ClassVar[str] = ""
    """Why it fits only those units, for the catalog's message."""
    direction: ClassVar[str | None] = None
    """For a kind that names its own sense, the indicator direction it fits."""
    opposite: ClassVar[str | None] = None
    """The kind of the other sense, that the catalog proposes when the direction contradicts."""

    draft_rules: ClassVar[tuple[tuple[int, DraftRule], ...]] = ()
    """(order, rule) pairs: `read_target` tries every kind's rules by ascending order."""
    draft_adjusters: ClassVar[tuple[tuple[int, DraftAdjuster], ...]] = ()
    draft_unit: ClassVar[str | None] = None
    """The unit a draft gives an indicator whose targets are of this kind (a deadline: date)."""
    draft_plain: ClassVar[bool] = False
    """A plain threshold: an indicator whose targets are all plain numbers is drafted a count."""
    draft_says_higher: ClassVar[bool] = False
    """The wording states that more is better ("≥ 50 %"), fixing the draft's direction."""
    draft_measures_baseline: ClassVar[bool] = False
    """A year whose result is the baseline of later targets ("Première mesure")."""

    # -- catalog ------------------------------------------------------------------------------

    def computed_baseline_year(self) -> str | None:
        """A baseline year whose result must be computed (and so is a partition), if any."""
        return None

    def needed_years(self, fiscal_year: str, plan_years: tuple[str, ...]) -> set[str]:
        """Years whose results this target of `fiscal_year` is evaluated with: the plan's
        partitions include them."""
        year = self.computed_baseline_year()
        return {year} if year else set()

    def catalog_problems(self, frame: CatalogFrame) -> list[tuple[str, str]]:
        """(field, message) for what this target cannot be in its plan; fields are relative to
        the target (`due`, `baseline_year`)."""
        return []

    def target_number(self) -> float | None:
        """The target's own number (`indicator_target.value`): value, percent, points, delta."""
        return None

    def due_date(self, seasons: SeasonSettings = DEFAULT_SEASONS) -> dt.date | None:
        """The date a milestone is due by (`indicator_target.due`)."""
        return None

    # -- engine -------------------------------------------------------------------------------

    def threshold(self, *, baseline: float | None, previous: float | None) -> float | None:
        """The number a result is compared with, or None when it is not (yet) known."""
        return None

    def at_most(self, direction: str) -> bool:
        """Whether the result must stay at or below the threshold."""
        return direction == "lower_is_better"

    def before_start(self, fiscal_year: FiscalYear, seasons: SeasonSettings) -> bool:
        """A year that ends before the target applies: not applicable, begun or not."""
        return False

    def evaluate(self, observed: Observed, s: Situation) -> Evaluation:
        """`not_started` for a year not begun at the as-of date, else `assess`."""
        if not s.fiscal_year.has_begun(s.as_of) and not self.before_start(s.fiscal_year, s.seasons):
            threshold = self.threshold(baseline=s.baseline, previous=s.previous)
            return verdict(st.NOT_STARTED, threshold, note=NOTE_NOT_STARTED)
        return self.assess(observed, s)

    def assess(self, observed: Observed, s: Situation) -> Evaluation:
        raise NotImplementedError(f"target kind {self.kind!r} does not evaluate")

    def sample_count(self, rng: Any, baseline: int) -> int | None:
        """How many events the sample data draws for a year of a count under this target
        (`rng`: a numpy Generator; `baseline`: the count it drew for a baseline year); None
        leaves it to the generator (around the plan's other thresholds)."""
        return None

    # -- display ------------------------------------------------------------------------------

    def display(
        self,
        threshold: float | None,
        *,
        unit: str,
        direction: str,
        seasons: SeasonSettings = DEFAULT_SEASONS,
    ) -> str:
        """The resolved target in French for reports: "≥ 52,0 %", "au plus tard le …"."""
        if threshold is None:
            return self.text_fr or "—"
        sign = "≤" if self.at_most(direction) else "≥"
        return f"{sign} {format_value(threshold, unit)}"

    @classmethod
    def threshold_year(cls, fiscal_year: str) -> str | None:
        """A year, besides the baseline year, whose result the threshold is made of: the view
        hides the threshold until that year is reported."""
        return None

    @classmethod
    def reference_line(
        cls, fiscal_year: str, threshold: str | None, compared: str | None
    ) -> str | None:
        """What the report prints under the result besides a baseline ("Seuil : … (résultat de
        …)"); `threshold` and `compared` (the value evaluated, when not the year's own result)
        come formatted."""
        return None

    # -- drafts -------------------------------------------------------------------------------

    @classmethod
    def draft_dated_year(cls, fields: dict[str, Any]) -> str | None:
        """The fiscal year a drafted target dates (a deadline's), for a plan without a period."""
        return None

    @classmethod
    def draft_years(
        cls, r: Reading, cell_year: str | None, years: list[str], notes: list[str]
    ) -> list[str]:
        """The fiscal years a drafted target is written under: its column's, else every year."""
        if cell_year:
            return [cell_year]
        if not r.every_year:
            notes.append(f"« {r.text_fr} » sans année : inscrite pour chaque année du plan")
        return list(years)

    @classmethod
    def draft_fields(cls, fields: dict[str, Any], years: list[str]) -> dict[str, Any]:
        """A drafted target's fields once its years are known."""
        return dict(fields)


_REGISTRY: dict[str, type[TargetKind]] = {}
_LOADED: list[str] = []


class TargetKindModuleError(ImportError):
    """A module of the target-kind package that cannot be imported, named."""


def target_kind(cls: type[TargetKind]) -> type[TargetKind]:
    """Register a kind class under the literal of its `kind` field."""
    (name,) = cls.model_fields["kind"].annotation.__args__
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"target kind {name!r} declared twice")
    _REGISTRY[name] = cls
    return cls


def registry() -> dict[str, type[TargetKind]]:
    """Every kind by name, in module order; imports every module of the package once."""
    if not _LOADED:
        _LOADED.extend(import_modules(__name__, __path__, TargetKindModuleError, "target kind"))
    return _REGISTRY


def kind_names() -> tuple[str, ...]:
    return tuple(registry())


def kind_class(name: str | None) -> type[TargetKind] | None:
    """The class of a kind named in a warehouse row; None for a kind the library lacks."""
    return registry().get(name) if name else None


def draft_rules() -> list[tuple[int, DraftRule]]:
    """Every kind's wording rules as (order, rule), shared ones once, by ascending order."""
    return _ordered("draft_rules")


def draft_adjusters() -> list[tuple[int, DraftAdjuster]]:
    """Every kind's revisions of a reading by the indicator's wording, by ascending order."""
    return _ordered("draft_adjusters")


def _ordered(attr: str) -> list[tuple[int, Callable]]:
    seen: dict[Callable, int] = {}
    for cls in registry().values():
        for order, fn in getattr(cls, attr):
            seen.setdefault(fn, order)
    return sorted(((o, fn) for fn, o in seen.items()), key=lambda p: (p[0], p[1].__qualname__))

"""The vocabulary of a source declaration (docs/contracts.md §4.7): what a landing-zone folder
must hold, as data the readers, checks, suites and staging share.

A column's `type` says how the reader types it: str, date, bool, int, float, timestamp_us,
yyyymmdd. `allowed` lists the accepted values; `aliases` the other headers that mean the same
column (Meta's French and legacy exports). `free_text` columns (notes, titles) are the only
ones whose quoted cells may span lines: a line break anywhere else means a quote never closed.
An `identifier` is joined across files, so the spellings Excel leaves on ids it re-saved
(scientific notation, a trailing `.0`, a leading apostrophe, a number of 16 digits or more in
a workbook) refuse the file. `references` declare, per column, the source and column its
values must exist in: staging quarantines the rows whose value is unknown there. Staged
frames use the `name`s below, plus `_file` and `_line` (1-based line in the file, header =
line 1; in a workbook, the row number of the sheet read).

Each source is declared once, in its own module of `plan_indicators.sources.declared`; this
module holds only the types, so that a declaration imports nothing of the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEB = "web_analytics"
"""The one source scanned by DuckDB and staged per fiscal year (plan_indicators.sources.web)."""

REGIONS = tuple(f"{i:02d}" for i in range(1, 18))
"""Québec's 17 administrative regions, as the services code them."""

COVERAGE_UNITS = ("day", "month")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"
    required: bool = True
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    personal: bool = False
    free_text: bool = False
    identifier: bool = False


@dataclass(frozen=True)
class Reference:
    """Values of the column must exist in `source`.`column`; unknown ones are quarantined
    under `rule`."""

    source: str
    column: str
    rule: str


@dataclass(frozen=True)
class SourceContract:
    name: str
    row: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    formats: tuple[str, ...] = (".csv", ".csv.gz", ".xlsx")
    date_column: str | None = None
    references: dict[str, Reference] = field(default_factory=dict)
    sheet: str | None = None  # the workbook sheet to read; None = the first one
    coverage: str | None = None
    """`day` or `month`: the unit its data are expected in every fiscal year, which the
    coverage check counts (plan_indicators/coverage.py); None for sources sparse by nature."""
    filters: tuple[str, ...] = ()
    """Columns a catalog's `measure.filter` may select rows on, for a source that mixes several
    surveys, questions, programmes or channels (docs/contracts.md §2.6)."""
    section: str | None = None
    """Its section of docs/contracts.md (`4.7.4`): where providers read it, and the order in
    which sources are listed everywhere."""
    daily: bool = False
    """Refreshed every day with the digital sources (the `digital_sources` job)."""
    known_unused: tuple[str, ...] = ()
    """Headers of the provider's own export that the contract knows and does not read (Meta's
    `Permalink`, `Views`…): named once per file in a note, where any other header the
    contract does not know is a warning of its own."""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def personal(self) -> bool:
        """A source with a personal column never shows a rejected raw cell, whatever column
        it landed in (a shifted row puts an id anywhere)."""
        return any(c.personal for c in self.columns)

"""Fiscal years of the Québec government: 1 April to 31 March, keyed "2024-2025"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_KEY = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True, order=True)
class FiscalYear:
    """The fiscal year that starts on 1 April of `start_year`."""

    start_year: int

    @classmethod
    def parse(cls, key: str) -> FiscalYear:
        match = _KEY.match(str(key).strip())
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValueError(f"not a fiscal year key: {key!r} (expected e.g. '2024-2025')")
        return cls(int(match.group(1)))

    @classmethod
    def of(cls, day: dt.date) -> FiscalYear:
        """The fiscal year that contains `day`."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def key(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def previous(self) -> FiscalYear:
        return FiscalYear(self.start_year - 1)

    @property
    def next(self) -> FiscalYear:
        return FiscalYear(self.start_year + 1)

    def halves(self) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
        """April-September and October-March."""
        return (
            (self.start, dt.date(self.start_year, 9, 30)),
            (dt.date(self.start_year, 10, 1), self.end),
        )

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def is_over(self, as_of: dt.date) -> bool:
        return as_of > self.end

    def has_begun(self, as_of: dt.date) -> bool:
        return as_of >= self.start

    def __str__(self) -> str:
        return self.key


def fiscal_year_key(day: dt.date) -> str:
    return FiscalYear.of(day).key


def fiscal_range(first: str, last: str) -> list[str]:
    """Every fiscal-year key from `first` to `last`, inclusive."""
    a, b = FiscalYear.parse(first), FiscalYear.parse(last)
    return [FiscalYear(y).key for y in range(a.start_year, b.start_year + 1)]


# A fiscal year's state at an as-of date (`dim_fiscal_year.state`, docs/contracts.md §6): the one
# rule the warehouse, the report view and the exports share.
NOT_STARTED, RUNNING, ENDED, CLOSED = "not_started", "running", "ended", "closed"
YEAR_STATES = (NOT_STARTED, RUNNING, ENDED, CLOSED)


def year_state(fy: FiscalYear, as_of: dt.date, *, closed: bool = False) -> str:
    """`not_started` before 1 April, `running` up to and including 31 March, then `ended`, or
    `closed` once the yearly closing has run for it (and it was not reopened)."""
    if as_of < fy.start:
        return NOT_STARTED
    if not fy.is_over(as_of):
        return RUNNING
    return CLOSED if closed else ENDED

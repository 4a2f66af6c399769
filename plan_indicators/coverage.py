"""Whether a source's data cover each fiscal year, or leave a gap that would lower a result.

A source declares the unit its data are expected in (`SourceContract.coverage`): `day` for web
analytics (GA4 exports one table per day), `month` for the dated sources that flow all year
(service requests and offers, survey answers, posts, coordination requests). Sources sparse by
nature (activity register, survey results, action-plan filings, post topics) declare none and
are not checked: a month without a register entry is not missing data.

The rule, per source and fiscal year:
- The window runs from the later of the year's start and the source's first unit with data,
  to the earliest of the year's end, the as-of date and the source's last unit with data. What
  lies after the last data is already told by `data_as_of`; a source that began mid-year has
  nothing missing before it began.
- A run of consecutive units of the window without any row is a gap when a quiet stretch that
  long is implausible: its length times the year's quiet level (the 10th percentile of rows
  per unit, over the window's units with data) reaches `GAP_MIN_ROWS`. A quiet Sunday on a
  small site is not a gap; a missing month of files is one on any source busy enough to
  publish a result from.
- A year without any data in its window is `absent`: no gap is reported, the measure itself
  says there are no data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from plan_indicators.fiscal import FiscalYear

DAY, MONTH = "day", "month"
GAP_MIN_ROWS = 20
QUIET_QUANTILE = 0.10
_UNIT_FR = {DAY: ("jour", "jours"), MONTH: ("mois", "mois")}


@dataclass(frozen=True)
class Gap:
    start: dt.date
    end: dt.date
    units: int


@dataclass(frozen=True)
class YearCoverage:
    source: str
    fiscal_year: str
    unit: str
    window_start: dt.date | None
    window_end: dt.date | None
    expected: int
    covered: int
    quiet_level: int
    gaps: tuple[Gap, ...] = ()

    @property
    def missing(self) -> int:
        return sum(g.units for g in self.gaps)

    @property
    def absent(self) -> bool:
        return self.covered == 0

    @property
    def complete(self) -> bool:
        return not self.gaps

    def note_fr(self) -> str | None:
        """ "données incomplètes : 30 jours sans données en 2024-2025 (du … au …)", or None."""
        if not self.gaps:
            return None
        one, many = _UNIT_FR[self.unit]
        spans = [_span_fr(g, self.unit) for g in self.gaps[:3]]
        if len(self.gaps) > 3:
            spans.append(f"et {len(self.gaps) - 3} autres")
        word = one if self.missing == 1 else many
        return (
            f"données incomplètes : {self.missing} {word} sans données en {self.fiscal_year} "
            f"({' ; '.join(spans)})"
        )


def _span_fr(gap: Gap, unit: str) -> str:
    if unit == MONTH:
        first, last = gap.start.strftime("%Y-%m"), gap.end.strftime("%Y-%m")
        return first if first == last else f"de {first} à {last}"
    if gap.start == gap.end:
        return f"le {gap.start.isoformat()}"
    return f"du {gap.start.isoformat()} au {gap.end.isoformat()}"


def unit_of(day: dt.date, unit: str) -> dt.date:
    return day if unit == DAY else day.replace(day=1)


def _next(u: dt.date, unit: str) -> dt.date:
    if unit == DAY:
        return u + dt.timedelta(days=1)
    return dt.date(u.year + u.month // 12, u.month % 12 + 1, 1)


def _last_day(u: dt.date, unit: str) -> dt.date:
    return u if unit == DAY else _next(u, MONTH) - dt.timedelta(days=1)


def counts_by_unit(days: Iterable[dt.date], unit: str) -> dict[dt.date, int]:
    """Rows per unit, from one date per row."""
    out: dict[dt.date, int] = {}
    for d in days:
        u = unit_of(d, unit)
        out[u] = out.get(u, 0) + 1
    return out


def frame_counts(frame, column: str, unit: str) -> dict[dt.date, int]:
    """Rows per unit of a staged frame's date column (rows without a date are not counted)."""
    if frame is None or column not in frame or not len(frame):
        return {}
    import pandas as pd

    dates = pd.to_datetime(frame[column]).dropna()
    keys = dates.dt.normalize() if unit == DAY else dates.dt.to_period("M").dt.start_time
    return {ts.date(): int(n) for ts, n in keys.value_counts().items()}


def year_coverage(
    source: str,
    unit: str,
    counts: dict[dt.date, int],
    fiscal_year: FiscalYear,
    as_of: dt.date,
) -> YearCoverage:
    """One fiscal year of a source whose rows per unit are `counts` (keys from `unit_of`)."""
    with_data = sorted(u for u, n in counts.items() if n > 0)
    if not with_data:
        return YearCoverage(source, fiscal_year.key, unit, None, None, 0, 0, 0)
    start = max(unit_of(fiscal_year.start, unit), with_data[0])
    end = min(unit_of(fiscal_year.end, unit), unit_of(as_of, unit), with_data[-1])
    units: list[dt.date] = []
    u = start
    while u <= end:
        units.append(u)
        u = _next(u, unit)
    present = sorted(counts.get(u, 0) for u in units if counts.get(u, 0) > 0)
    if not present:
        return YearCoverage(source, fiscal_year.key, unit, None, None, len(units), 0, 0)
    quiet = present[int(QUIET_QUANTILE * (len(present) - 1))]
    gaps: list[Gap] = []
    run: list[dt.date] = []
    for u in [*units, None]:
        if u is not None and counts.get(u, 0) == 0:
            run.append(u)
            continue
        if run and len(run) * quiet >= GAP_MIN_ROWS:
            gaps.append(Gap(run[0], _last_day(run[-1], unit), len(run)))
        run = []
    window_end = min(_last_day(end, unit), fiscal_year.end, as_of)
    return YearCoverage(
        source,
        fiscal_year.key,
        unit,
        start,
        window_end,
        len(units),
        len(present),
        quiet,
        tuple(gaps),
    )


def source_coverage(
    source: str, unit: str, counts: dict[dt.date, int], as_of: dt.date
) -> list[YearCoverage]:
    """Every fiscal year from the source's first data to its last, or to the as-of date if
    that comes first (none when the source has no data)."""
    with_data = sorted(u for u, n in counts.items() if n > 0)
    if not with_data or as_of < with_data[0]:
        return []
    first = FiscalYear.of(with_data[0])
    last = FiscalYear.of(min(_last_day(with_data[-1], unit), as_of))
    return [
        year_coverage(source, unit, counts, FiscalYear(y), as_of)
        for y in range(first.start_year, last.start_year + 1)
    ]


def gaps_json(cov: YearCoverage) -> str:
    """The gaps as the warehouse keeps them: `[[first_day, last_day, units], …]`."""
    return json.dumps([[g.start.isoformat(), g.end.isoformat(), g.units] for g in cov.gaps])

"""Business days (jours ouvrables) of the Québec public service, SPEC §1.

Holidays: 1 and 2 January, Good Friday, Easter Monday, Journée nationale des patriotes (the
Monday before 25 May), 24 June, 1 July, Labour Day (1st Monday of September), Thanksgiving
(2nd Monday of October), 24, 25, 26 and 31 December.

Weekend rule (our reading of the collective agreements, SPEC asks us to state it):

- 24 June and 1 July: on a Saturday the holiday is taken the Friday before, on a Sunday the
  Monday after.
- Year-end block (24, 25, 26, 31 December of year Y and 1, 2 January of Y+1): the block keeps
  its six days off. Taking the block's dates in chronological order, each one that falls on a
  Saturday or Sunday is replaced by the first weekday after it that is neither a block date
  falling on a weekday nor a replacement already given. Example, 2022-2023: 24 Dec (Sat) and
  25 Dec (Sun) become 27 and 28 Dec since 26 Dec (Mon) is already off; 31 Dec (Sat) becomes
  3 Jan since 2 Jan (Mon) is off; 1 Jan (Sun) becomes 4 Jan.
- The other holidays are defined on weekdays and never move.

A replacement day may fall in the next calendar year (31 December → early January);
`holidays(year)` lists the days off that fall in `year`, whatever block they come from.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from functools import cache

_YEAR_END = (
    (12, 24, "Veille de Noël"),
    (12, 25, "Noël"),
    (12, 26, "Lendemain de Noël"),
    (12, 31, "Veille du jour de l'An"),
    (1, 1, "Jour de l'An"),
    (1, 2, "Lendemain du jour de l'An"),
)
_MOVED = " (reporté)"


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_monday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _summer_day(day: dt.date, name: str) -> tuple[dt.date, str]:
    """24 June and 1 July: Saturday → Friday before, Sunday → Monday after."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1), name + _MOVED
    if day.weekday() == 6:
        return day + dt.timedelta(days=1), name + _MOVED
    return day, name


@cache
def _year_end_block(year: int) -> tuple[tuple[dt.date, str], ...]:
    """Days off of the block from 24 December `year` to 2 January `year + 1`."""
    dates = [(dt.date(year if m == 12 else year + 1, m, d), name) for m, d, name in _YEAR_END]
    taken = {day for day, _ in dates if day.weekday() < 5}
    observed = [(day, name) for day, name in dates if day.weekday() < 5]
    for day, name in dates:
        if day.weekday() < 5:
            continue
        repl = day + dt.timedelta(days=1)
        while repl.weekday() >= 5 or repl in taken:
            repl += dt.timedelta(days=1)
        taken.add(repl)
        observed.append((repl, name + _MOVED))
    return tuple(sorted(observed))


@cache
def _holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    easter = easter_sunday(year)
    may_25 = dt.date(year, 5, 25)
    days = [
        (easter - dt.timedelta(days=2), "Vendredi saint"),
        (easter + dt.timedelta(days=1), "Lundi de Pâques"),
        (may_25 - dt.timedelta(days=may_25.weekday() or 7), "Journée nationale des patriotes"),
        _summer_day(dt.date(year, 6, 24), "Fête nationale du Québec"),
        _summer_day(dt.date(year, 7, 1), "Fête du Canada"),
        (_nth_monday(year, 9, 1), "Fête du Travail"),
        (_nth_monday(year, 10, 2), "Action de grâces"),
    ]
    for block_year in (year - 1, year):
        days += [(d, n) for d, n in _year_end_block(block_year) if d.year == year]
    return tuple(sorted(days))


def holidays(year: int) -> dict[dt.date, str]:
    """Public-service days off that fall in calendar year `year`, with their French names."""
    return dict(_holidays(year))


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def _weekdays_through(day: dt.date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) through `day`, inclusive."""
    n = day.toordinal()
    return 5 * (n // 7) + min(n % 7, 5)


class BusinessCalendar:
    """Business days, with optional extra days off (e.g. a decreed closure)."""

    def __init__(self, extra_holidays: Iterable[dt.date] = ()) -> None:
        self.extra_holidays = frozenset(_as_date(d) for d in extra_holidays)
        self._cache: dict[int, tuple[dt.date, ...]] = {}

    def _days_off(self, year: int) -> tuple[dt.date, ...]:
        """Sorted weekday holidays of `year`; cached because delays are computed per row."""
        days = self._cache.get(year)
        if days is None:
            extra = {d for d in self.extra_holidays if d.year == year}
            all_days = {d for d, _ in _holidays(year)} | extra
            days = tuple(sorted(d for d in all_days if d.weekday() < 5))
            self._cache[year] = days
        return days

    def is_business_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        if day.weekday() >= 5:
            return False
        days = self._days_off(day.year)
        i = bisect.bisect_left(days, day)
        return not (i < len(days) and days[i] == day)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days strictly after `start` up to and including `end` (SPEC §1 delay)."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        count = _weekdays_through(end) - _weekdays_through(start)
        for year in range(start.year, end.year + 1):
            days = self._days_off(year)
            count -= bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
        return count


_DEFAULT = BusinessCalendar()


def is_business_day(day: dt.date) -> bool:
    return _DEFAULT.is_business_day(day)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days strictly after `start` up to and including `end`."""
    return _DEFAULT.business_days_between(start, end)

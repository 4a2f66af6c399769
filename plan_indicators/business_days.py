"""Business days (jours ouvrables) of the Québec public service, docs/contracts.md §1.3.

Holidays: 1 and 2 January, Good Friday, Easter Monday, Journée nationale des patriotes (the
Monday before 25 May), 24 June, 1 July, Labour Day (1st Monday of September), Thanksgiving
(2nd Monday of October), 24, 25, 26 and 31 December.

Weekend rule — our rule, following the collective agreements of the Québec public service
(docs/contracts.md §1.4 states it for data providers):

- 24 June and 1 July: on a Saturday the day off is taken the Friday before (23 June, 30 June),
  on a Sunday the Monday after (25 June, 2 July).
- Christmas/New Year block (24, 25, 26, 31 December of year Y and 1, 2 January of Y+1): the
  block keeps its six days off. Taking the six dates in calendar order, each one that falls on
  a Saturday or a Sunday is replaced by the first day after it that is a weekday, is not one of
  the six dates falling on a weekday, and was not given already to an earlier date of the
  block. Example 2022-2023: 24 Dec (Sat) → Tue 27 and 25 Dec (Sun) → Wed 28, since Mon 26 is
  off already; 31 Dec (Sat) → Tue 3 Jan, since Mon 2 Jan is off; 1 Jan (Sun) → Wed 4 Jan.
- The other holidays are defined on weekdays (Good Friday, Mondays) and never move.

`holidays(year)` lists the days actually off in calendar year `year` (a moved day under its
new date, its name followed by " (reporté)"); a replacement may cross into January of the
next year, and is then listed under that year.

Delay (`business_days_between`): business days strictly after the start up to and including the
end, so a request received on a Monday and answered the next Monday took 5 days, and the same
day gives 0. An end before its start raises `ValueError`: a negative delay is a data error that
the caller must report, not a number to average.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
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


EXTRA_HOLIDAY_NAME = "Congé supplémentaire"


class BusinessCalendar:
    """Business days, with optional extra days off (a setting, e.g. a decreed closure).

    `extra_holidays` is an iterable of dates, or a mapping of date to French name.
    """

    def __init__(self, extra_holidays: Iterable[dt.date] | Mapping[dt.date, str] = ()) -> None:
        names = (
            extra_holidays
            if isinstance(extra_holidays, Mapping)
            else dict.fromkeys(extra_holidays, EXTRA_HOLIDAY_NAME)
        )
        self.extra_holidays: dict[dt.date, str] = {_as_date(d): n for d, n in names.items()}
        self._cache: dict[int, tuple[dt.date, ...]] = {}

    def holidays(self, year: int) -> dict[dt.date, str]:
        """Days off of calendar year `year`, the extra ones included, by date."""
        days = dict(_holidays(year))
        for day, name in self.extra_holidays.items():
            if day.year == year:
                days.setdefault(day, name)
        return dict(sorted(days.items()))

    def _days_off(self, year: int) -> tuple[dt.date, ...]:
        """Sorted weekday holidays of `year`; cached because delays are computed per row."""
        days = self._cache.get(year)
        if days is None:
            days = tuple(d for d in self.holidays(year) if d.weekday() < 5)
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
        """Business days strictly after `start` up to and including `end` (docs/contracts.md §1.5).

        Weekdays come from ordinal arithmetic and holidays from a bisect per calendar year, so
        a pair costs a few microseconds whatever the span.
        """
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

"""Québec public-service business days: holiday list, weekend shifts, delays (SPEC §1)."""

import datetime as dt

import pytest

from plan_indicators.business_days import (
    BusinessCalendar,
    business_days_between,
    easter_sunday,
    holidays,
    is_business_day,
)

D = dt.date


def test_easter_known_years():
    # Published Easter Sundays.
    assert easter_sunday(2019) == D(2019, 4, 21)
    assert easter_sunday(2024) == D(2024, 3, 31)
    assert easter_sunday(2025) == D(2025, 4, 20)
    assert easter_sunday(2038) == D(2038, 4, 25)  # latest possible date


def test_holidays_2024_by_date():
    assert sorted(holidays(2024)) == [
        D(2024, 1, 1),  # Mon
        D(2024, 1, 2),  # Tue
        D(2024, 1, 3),  # 31 Dec 2023 was a Sunday; 1 and 2 Jan already off -> Wed 3 Jan
        D(2024, 3, 29),  # Good Friday: Easter 31 Mar - 2
        D(2024, 4, 1),  # Easter Monday: 31 Mar + 1
        D(2024, 5, 20),  # 25 May is a Saturday; Monday before = 20 May
        D(2024, 6, 24),  # Mon
        D(2024, 7, 1),  # Mon
        D(2024, 9, 2),  # 1 Sep is a Sunday; 1st Monday = 2 Sep
        D(2024, 10, 14),  # 1 Oct Tue; Mondays 7, 14 -> 2nd = 14
        D(2024, 12, 24),  # Tue
        D(2024, 12, 25),  # Wed
        D(2024, 12, 26),  # Thu
        D(2024, 12, 31),  # Tue
    ]
    assert holidays(2024)[D(2024, 3, 29)] == "Vendredi saint"
    assert holidays(2024)[D(2024, 5, 20)] == "Journée nationale des patriotes"


def test_holidays_2025_by_date():
    assert sorted(holidays(2025)) == [
        D(2025, 1, 1),  # Wed
        D(2025, 1, 2),  # Thu
        D(2025, 4, 18),  # Good Friday: Easter 20 Apr - 2
        D(2025, 4, 21),  # Easter Monday
        D(2025, 5, 19),  # 25 May is a Sunday; Monday before = 19 May
        D(2025, 6, 24),  # Tue
        D(2025, 7, 1),  # Tue
        D(2025, 9, 1),  # 1 Sep is a Monday
        D(2025, 10, 13),  # Mondays of October 2025: 6, 13 -> 2nd = 13
        D(2025, 12, 24),  # Wed
        D(2025, 12, 25),  # Thu
        D(2025, 12, 26),  # Fri
        D(2025, 12, 31),  # Wed
    ]


def test_patriotes_when_25_may_is_monday():
    # 25 May 2026 is a Monday: the Monday *before* it is 18 May.
    assert D(2026, 5, 18) in holidays(2026)
    assert D(2026, 5, 25) not in holidays(2026)


def test_year_end_2022_weekend_shift():
    # Block 2022-2023: 24 Sat, 25 Sun, 26 Mon, 31 Sat, 1 Jan Sun, 2 Jan Mon.
    # 24 -> first free weekday after it: Mon 26 taken -> Tue 27; 25 -> Wed 28;
    # 31 -> Mon 2 Jan taken -> Tue 3 Jan; 1 Jan -> 2 Jan taken, 3 Jan taken -> Wed 4 Jan.
    dec = sorted(d for d in holidays(2022) if d.month == 12)
    assert dec == [D(2022, 12, 26), D(2022, 12, 27), D(2022, 12, 28)]
    jan = sorted(d for d in holidays(2023) if d.month == 1)
    assert jan == [D(2023, 1, 2), D(2023, 1, 3), D(2023, 1, 4)]
    assert holidays(2022)[D(2022, 12, 27)] == "Veille de Noël (reporté)"


def test_year_end_2021_weekend_shift():
    # Block 2021-2022: 24 Fri, 25 Sat, 26 Sun, 31 Fri, 1 Jan Sat, 2 Jan Sun.
    # 25 -> Mon 27; 26 -> Tue 28; 1 Jan -> Mon 3 Jan; 2 Jan -> Tue 4 Jan.
    dec = sorted(d for d in holidays(2021) if d.month == 12)
    assert dec == [D(2021, 12, 24), D(2021, 12, 27), D(2021, 12, 28), D(2021, 12, 31)]
    jan = sorted(d for d in holidays(2022) if d.month == 1)
    assert jan == [D(2022, 1, 3), D(2022, 1, 4)]


def test_summer_holidays_weekend_shift():
    # 2023-06-24 Sat -> Fri 23; 2023-07-01 Sat -> Fri 30 June.
    assert D(2023, 6, 23) in holidays(2023)
    assert D(2023, 6, 30) in holidays(2023)
    # 2029-07-01 Sun -> Mon 2; 2029-06-24 Sun -> Mon 25.
    assert D(2029, 7, 2) in holidays(2029)
    assert D(2029, 6, 25) in holidays(2029)
    assert holidays(2029)[D(2029, 7, 2)] == "Fête du Canada (reporté)"
    assert not is_business_day(D(2023, 6, 23))
    assert not is_business_day(D(2029, 7, 2))


def test_is_business_day():
    assert is_business_day(D(2024, 3, 28))  # Thursday, no holiday
    assert not is_business_day(D(2024, 3, 29))  # Good Friday
    assert not is_business_day(D(2024, 3, 30))  # Saturday
    assert not is_business_day(D(2024, 3, 31))  # Sunday
    assert not is_business_day(D(2024, 4, 1))  # Easter Monday
    assert is_business_day(dt.datetime(2024, 4, 2, 15, 30))  # Tuesday, datetime accepted


def test_spec_example_monday_to_next_monday():
    # Received Mon 2024-05-06, produced Mon 2024-05-13: Tue..Fri (4) + Mon (1) = 5.
    assert business_days_between(D(2024, 5, 6), D(2024, 5, 13)) == 5


def test_same_day_is_zero_and_reverse_raises():
    assert business_days_between(D(2024, 5, 6), D(2024, 5, 6)) == 0
    with pytest.raises(ValueError):
        business_days_between(D(2024, 5, 7), D(2024, 5, 6))


def test_delay_across_easter_2024():
    # After Thu 28 Mar: Fri 29 holiday, Sat, Sun, Mon 1 Apr holiday, Tue 2 Apr -> 1.
    assert business_days_between(D(2024, 3, 28), D(2024, 4, 2)) == 1


def test_delay_across_year_end_2022():
    # After Fri 2022-12-23 up to Thu 2023-01-05: weekdays 26,27,28,29,30 Dec, 2,3,4,5 Jan = 9;
    # holidays among them 26,27,28 Dec and 2,3,4 Jan = 6 -> 9 - 6 = 3 (29, 30 Dec and 5 Jan).
    assert business_days_between(D(2022, 12, 23), D(2023, 1, 5)) == 3


def test_delay_over_a_full_year():
    # 2025: 365 days, 1 Jan is a Wednesday -> 52 weeks (260 weekdays) + Wed 31 Dec = 261 weekdays;
    # 13 holidays, all on weekdays -> 248. Start 2024-12-31 is excluded, end 2025-12-31 included.
    assert business_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 248


def test_start_on_weekend():
    # After Sat 2024-05-11 up to Mon 2024-05-13: Sun (no) + Mon (yes) = 1.
    assert business_days_between(D(2024, 5, 11), D(2024, 5, 13)) == 1


def test_extra_holidays():
    cal = BusinessCalendar(extra_holidays=[D(2024, 5, 8), D(2024, 5, 11)])
    # SPEC example week minus the extra Wed 8 May (Sat 11 May is no business day anyway): 5 - 1.
    assert cal.business_days_between(D(2024, 5, 6), D(2024, 5, 13)) == 4
    assert not cal.is_business_day(D(2024, 5, 8))
    assert cal.is_business_day(D(2024, 5, 9))
    # The module-level calendar is not affected.
    assert is_business_day(D(2024, 5, 8))


def test_many_pairs_are_consistent_with_day_by_day_count():
    """The arithmetic shortcut agrees with counting day by day across several years."""
    cal = BusinessCalendar()
    start = D(2019, 3, 1)
    running = 0
    day = start
    while day < D(2023, 4, 30):
        day += dt.timedelta(days=1)
        running += cal.is_business_day(day)
        if day.day in (1, 15):
            assert cal.business_days_between(start, day) == running, day

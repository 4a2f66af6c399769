"""Québec public-service business days: holiday list, weekend shifts, delays
(docs/contracts.md §1.3, §1.4, §1.5)."""

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


@pytest.mark.parametrize(
    "expected",
    [
        # Published Easter Sundays.
        D(2019, 4, 21), D(2020, 4, 12), D(2021, 4, 4), D(2022, 4, 17), D(2023, 4, 9),
        D(2024, 3, 31), D(2025, 4, 20), D(2026, 4, 5), D(2027, 3, 28), D(2028, 4, 16),
        D(1818, 3, 22),  # earliest possible date
        D(2038, 4, 25),  # latest possible date
    ],
)  # fmt: skip
def test_easter_known_years(expected):
    assert easter_sunday(expected.year) == expected


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
    # The contract's example week (docs/contracts.md §1.5) minus the extra Wed 8 May (Sat 11 May
    # is no business day anyway): 5 - 1.
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


def test_holidays_2023_with_every_weekend_shift():
    # 2023 starts on a Sunday. Block 2022-2023 (see test_year_end_2022_weekend_shift) gives
    # 2, 3, 4 Jan; Easter 9 Apr; 25 May Thu -> Monday before 22 May; 24 June and 1 July are
    # Saturdays -> Fridays 23 and 30 June; 1 Sep Fri -> 4 Sep; Mondays of Oct: 2, 9 -> 9;
    # block 2023-2024: 24 Dec Sun -> Mon 25 and Tue 26 taken -> Wed 27; 31 Dec Sun -> 3 Jan 2024.
    assert holidays(2023) == {
        D(2023, 1, 2): "Lendemain du jour de l'An",
        D(2023, 1, 3): "Veille du jour de l'An (reporté)",
        D(2023, 1, 4): "Jour de l'An (reporté)",
        D(2023, 4, 7): "Vendredi saint",
        D(2023, 4, 10): "Lundi de Pâques",
        D(2023, 5, 22): "Journée nationale des patriotes",
        D(2023, 6, 23): "Fête nationale du Québec (reporté)",
        D(2023, 6, 30): "Fête du Canada (reporté)",
        D(2023, 9, 4): "Fête du Travail",
        D(2023, 10, 9): "Action de grâces",
        D(2023, 12, 25): "Noël",
        D(2023, 12, 26): "Lendemain de Noël",
        D(2023, 12, 27): "Veille de Noël (reporté)",
    }


@pytest.mark.parametrize(
    ("year", "days_off"),
    [
        # 24 Dec weekday per year; 25, 26 Dec and 1, 2 Jan follow it by 1, 2, 8, 9 days and
        # 31 Dec is the same weekday as 24 Dec.
        # 2019: Tue -> block Tue Wed Thu / Tue Wed Thu, nothing moves.
        (2019, ["2019-12-24", "2019-12-25", "2019-12-26", "2019-12-31", "2020-01-01",
                "2020-01-02"]),
        # 2020: Thu -> 26 Dec Sat -> Mon 28; 2 Jan Sat -> Mon 4 Jan.
        (2020, ["2020-12-24", "2020-12-25", "2020-12-28", "2020-12-31", "2021-01-01",
                "2021-01-04"]),
        # 2021: Fri -> 25 Sat -> Mon 27, 26 Sun -> Tue 28; 1 Jan Sat -> Mon 3, 2 Jan Sun -> Tue 4.
        (2021, ["2021-12-24", "2021-12-27", "2021-12-28", "2021-12-31", "2022-01-03",
                "2022-01-04"]),
        # 2022: Sat -> 24 -> Tue 27 (Mon 26 off), 25 -> Wed 28; 31 -> Tue 3 (Mon 2 off), 1 -> Wed 4.
        (2022, ["2022-12-26", "2022-12-27", "2022-12-28", "2023-01-02", "2023-01-03",
                "2023-01-04"]),
        # 2023: Sun -> 24 -> Wed 27 (Mon 25, Tue 26 off); 31 -> Wed 3 Jan (Mon 1, Tue 2 off).
        (2023, ["2023-12-25", "2023-12-26", "2023-12-27", "2024-01-01", "2024-01-02",
                "2024-01-03"]),
        # 2024: Tue -> nothing moves.
        (2024, ["2024-12-24", "2024-12-25", "2024-12-26", "2024-12-31", "2025-01-01",
                "2025-01-02"]),
        # 2025: Wed -> Wed Thu Fri / Wed Thu Fri, nothing moves.
        (2025, ["2025-12-24", "2025-12-25", "2025-12-26", "2025-12-31", "2026-01-01",
                "2026-01-02"]),
        # 2026: Thu, as 2020.
        (2026, ["2026-12-24", "2026-12-25", "2026-12-28", "2026-12-31", "2027-01-01",
                "2027-01-04"]),
        # 2027: Fri, as 2021.
        (2027, ["2027-12-24", "2027-12-27", "2027-12-28", "2027-12-31", "2028-01-03",
                "2028-01-04"]),
        # 2028 (leap year, +2 weekdays): Sun, as 2023.
        (2028, ["2028-12-25", "2028-12-26", "2028-12-27", "2029-01-01", "2029-01-02",
                "2029-01-03"]),
    ],
)  # fmt: skip
def test_year_end_block_2019_to_2028(year, days_off):
    block = [d for d in holidays(year) if d.month == 12]
    block += [d for d in holidays(year + 1) if d.month == 1]
    assert [d.isoformat() for d in sorted(block)] == days_off
    assert all(d.weekday() < 5 for d in block)  # every day of the block is a real day off


@pytest.mark.parametrize(
    ("year", "fete_nationale", "fete_du_canada"),
    [
        # 1 July is 24 June + 7 days, so both fall on the same weekday.
        (2018, D(2018, 6, 25), D(2018, 7, 2)),  # Sunday -> Monday after
        (2019, D(2019, 6, 24), D(2019, 7, 1)),  # Monday
        (2020, D(2020, 6, 24), D(2020, 7, 1)),  # Wednesday
        (2021, D(2021, 6, 24), D(2021, 7, 1)),  # Thursday
        (2022, D(2022, 6, 24), D(2022, 7, 1)),  # Friday
        (2023, D(2023, 6, 23), D(2023, 6, 30)),  # Saturday -> Friday before
        (2024, D(2024, 6, 24), D(2024, 7, 1)),  # Monday
        (2025, D(2025, 6, 24), D(2025, 7, 1)),  # Tuesday
        (2026, D(2026, 6, 24), D(2026, 7, 1)),  # Wednesday
        (2027, D(2027, 6, 24), D(2027, 7, 1)),  # Thursday
        (2028, D(2028, 6, 23), D(2028, 6, 30)),  # Saturday -> Friday before
    ],
)
def test_summer_holidays_2018_to_2028(year, fete_nationale, fete_du_canada):
    summer = sorted(d for d in holidays(year) if d.month in (6, 7))
    assert summer == [fete_nationale, fete_du_canada]


def test_full_year_2023_count():
    # 2023 starts on a Sunday: 365 = 52 weeks + Sunday 31 Dec -> 260 weekdays; its 13 holidays
    # all fall on weekdays -> 260 - 13 = 247.
    assert business_days_between(D(2022, 12, 31), D(2023, 12, 31)) == 247


def test_delay_across_summer_shift_2023():
    # After Thu 2023-06-22 up to Tue 2023-07-04: weekdays 23, 26-30 Jun, 3, 4 Jul = 8;
    # off: Fri 23 (24 June moved), Fri 30 (1 July moved) -> 8 - 2 = 6.
    assert business_days_between(D(2023, 6, 22), D(2023, 7, 4)) == 6


def test_calendar_holidays_with_named_extra_days():
    cal = BusinessCalendar({D(2024, 5, 8): "Fermeture décrétée", D(2024, 1, 1): "Doublon"})
    days = cal.holidays(2024)
    assert days[D(2024, 5, 8)] == "Fermeture décrétée"
    assert days[D(2024, 1, 1)] == "Jour de l'An"  # the official name is kept
    assert len(days) == len(holidays(2024)) + 1  # 14 official + 1 extra
    assert list(days) == sorted(days)
    plain = BusinessCalendar([D(2024, 5, 8)])
    assert plain.holidays(2024)[D(2024, 5, 8)] == "Congé supplémentaire"
    assert D(2024, 5, 8) not in plain.holidays(2025)


def test_extra_holiday_across_years():
    cal = BusinessCalendar([D(2025, 1, 3)])
    # After Tue 2024-12-31 up to Mon 2025-01-06: weekdays 1, 2, 3, 6 Jan = 4;
    # off: 1, 2 Jan (official), 3 Jan (extra) -> 4 - 3 = 1.
    assert cal.business_days_between(D(2024, 12, 31), D(2025, 1, 6)) == 1
    assert business_days_between(D(2024, 12, 31), D(2025, 1, 6)) == 2  # default: 4 - 2

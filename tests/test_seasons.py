"""Deadline and start wording of the plans read as dates (docs/contracts.md §1.6)."""

import datetime as dt

import pytest

from plan_indicators.seasons import (
    DEFAULT_SEASONS,
    DeadlineTextError,
    SeasonSettings,
    parse_due,
    parse_start,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hiver 2021", D(2021, 3, 19)),  # the winter that ends in 2021
        ("été 2019", D(2019, 9, 22)),
        ("Été 2019", D(2019, 9, 22)),  # case and accents folded
        ("printemps 2020", D(2020, 6, 20)),
        ("automne 2022", D(2022, 12, 20)),
        ("juin 2019", D(2019, 6, 30)),  # last day of the month
        ("décembre 2019", D(2019, 12, 31)),
        ("février 2020", D(2020, 2, 29)),  # leap year
        ("février 2021", D(2021, 2, 28)),
        ("2020-07-31", D(2020, 7, 31)),
        ("  juillet 2020 ", D(2020, 7, 31)),
    ],
)
def test_parse_due(text, expected):
    assert parse_due(text) == expected


def test_season_dates_are_settings():
    seasons = SeasonSettings(hiver=(3, 20), ete=(9, 21))
    assert parse_due("hiver 2021", seasons) == D(2021, 3, 20)
    assert parse_due("été 2019", seasons) == D(2019, 9, 21)
    assert parse_due("hiver 2021", DEFAULT_SEASONS) == D(2021, 3, 19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("à partir de 2020", D(2020, 4, 1)),  # fiscal year that contains 2020-04-01
        ("A partir de 2020", D(2020, 4, 1)),
        ("2020", D(2020, 4, 1)),
        ("2019-2020", D(2019, 4, 1)),
        ("automne 2020", D(2020, 12, 20)),
        ("à partir de automne 2020", D(2020, 12, 20)),
        ("À partir de l’automne 2020", D(2020, 12, 20)),  # article and typographic apostrophe
        ("à partir du 2020-07-31", D(2020, 7, 31)),
        ("à partir de 2019-2020", D(2019, 4, 1)),
        ("à partir de juin 2020", D(2020, 6, 30)),
        ("automne 2020 ", D(2020, 12, 20)),  # trailing space as in the OPQ plan's text
        ("2020-07-31", D(2020, 7, 31)),
    ],
)
def test_parse_start(text, expected):
    assert parse_start(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "bientôt", "hiver", "mi-2021", "juin", "2021-02-30", "2019-2021", "brumaire 2020",
        "20200731", "2020-W31-5", "2020-7-31", "hiver 21", "à partir de", "à partir de bientôt",
    ],
)  # fmt: skip
def test_unreadable_text_raises(text):
    with pytest.raises(DeadlineTextError):
        parse_due(text)
    with pytest.raises(DeadlineTextError):
        parse_start(text)


def test_season_setting_without_a_date_raises_deadline_error():
    # 30 February does not exist in any year.
    with pytest.raises(DeadlineTextError):
        parse_due("hiver 2021", SeasonSettings(hiver=(2, 30)))


def test_errors_name_the_text_and_the_expected_forms():
    with pytest.raises(DeadlineTextError, match=r"cannot read deadline 'mi-2021'.*hiver 2021"):
        parse_due("mi-2021")
    with pytest.raises(DeadlineTextError, match=r"cannot read start 'bientôt'.*partir de 2020"):
        parse_start("bientôt")
    with pytest.raises(DeadlineTextError, match="no such date"):
        parse_due("2021-02-30")


def test_deadline_error_is_a_value_error():
    # Catalog validation (pydantic) turns ValueError into a field error.
    assert issubclass(DeadlineTextError, ValueError)


def test_start_follows_season_settings():
    assert parse_start("automne 2020", SeasonSettings(automne=(12, 21))) == D(2020, 12, 21)
    # A year is a fiscal year whatever the seasons say.
    assert parse_start("à partir de 2020", SeasonSettings(printemps=(5, 1))) == D(2020, 4, 1)

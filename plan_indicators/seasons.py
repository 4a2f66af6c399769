"""Deadline wording of the plans ("hiver 2021", "juin 2019", "à partir de 2020") as dates.

The season end dates are settings (`SeasonSettings`), docs/contracts.md §1.6 gives their defaults.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MONTHS_FR = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip


@dataclass(frozen=True)
class SeasonSettings:
    """Month and day on which each season's deadline falls (winter: the one ending in YYYY)."""

    printemps: tuple[int, int] = (6, 20)
    ete: tuple[int, int] = (9, 22)
    automne: tuple[int, int] = (12, 20)
    hiver: tuple[int, int] = (3, 19)


DEFAULT_SEASONS = SeasonSettings()


class DeadlineTextError(ValueError):
    """A deadline or start text that the calendar rules cannot turn into a date."""


def _fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in norm if not unicodedata.combining(c)).replace("’", "'")


def parse_due(text: str, seasons: SeasonSettings = DEFAULT_SEASONS) -> dt.date:
    """Last day on which a deadline written as `text` is still met."""
    folded = _fold(str(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", folded):
        try:
            return dt.date.fromisoformat(folded)
        except ValueError:
            raise DeadlineTextError(f"no such date: {text!r}") from None
    match = re.fullmatch(r"(printemps|ete|automne|hiver)\s+(\d{4})", folded)
    if match:
        month, day = getattr(seasons, match.group(1))
        try:
            return dt.date(int(match.group(2)), month, day)
        except ValueError as exc:
            raise DeadlineTextError(f"season setting gives no date for {text!r}: {exc}") from None
    match = re.fullmatch(r"([a-z]+)\s+(\d{4})", folded)
    if match and match.group(1) in MONTHS_FR:
        year, month = int(match.group(2)), MONTHS_FR[match.group(1)]
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    raise DeadlineTextError(
        f"cannot read deadline {text!r}: expected a season ('hiver 2021'), a month "
        "('juin 2019') or an ISO date ('2020-07-31')"
    )


def parse_start(text: str, seasons: SeasonSettings = DEFAULT_SEASONS) -> dt.date:
    """First day from which a recurring target applies.

    "à partir de 2020" starts with the fiscal year that contains 1 April 2020; a season or
    month means its deadline date, so "automne 2020" counts the halves that end after it.
    """
    folded = re.sub(r"^a partir (?:de la |de l'|du |de )", "", _fold(str(text))).strip()
    match = re.fullmatch(r"(\d{4})", folded)
    if match:
        return dt.date(int(match.group(1)), 4, 1)
    match = re.fullmatch(r"(\d{4})-(\d{4})", folded)
    if match and int(match.group(2)) == int(match.group(1)) + 1:
        return dt.date(int(match.group(1)), 4, 1)
    try:
        return parse_due(folded, seasons)
    except DeadlineTextError:
        raise DeadlineTextError(
            f"cannot read start {text!r}: expected a year ('à partir de 2020'), a fiscal year "
            "('2019-2020'), a season ('automne 2020'), a month or an ISO date"
        ) from None

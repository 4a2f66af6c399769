"""Calendar settings: season deadlines and extra public-service holidays."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from plan_indicators.seasons import SeasonSettings


class CalendarResource(dg.ConfigurableResource):
    """Season end dates ("MM-DD") used to read deadlines such as "hiver 2021"."""

    printemps: str = "06-20"
    ete: str = "09-22"
    automne: str = "12-20"
    hiver: str = "03-19"
    extra_holidays: list[str] = []

    def seasons(self) -> SeasonSettings:
        def md(text: str) -> tuple[int, int]:
            month, day = text.split("-")
            return int(month), int(day)

        return SeasonSettings(
            printemps=md(self.printemps),
            ete=md(self.ete),
            automne=md(self.automne),
            hiver=md(self.hiver),
        )

    def business_days(self):
        """`business_days_between(start, end)` honouring the extra holidays."""
        from plan_indicators.business_days import BusinessCalendar

        extra = [dt.date.fromisoformat(d) for d in self.extra_holidays]
        return BusinessCalendar(extra_holidays=extra).business_days_between

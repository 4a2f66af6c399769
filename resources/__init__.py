"""Dagster resources, chosen by deployment in one place (`build_resources`)."""

from resources.calendar import CalendarResource
from resources.landing import LandingZone
from resources.settings import DEFAULT_HOME, RunSettings, build_resources, env_or_default
from resources.warehouse import Warehouse

__all__ = [
    "DEFAULT_HOME",
    "CalendarResource",
    "LandingZone",
    "RunSettings",
    "Warehouse",
    "build_resources",
    "env_or_default",
]

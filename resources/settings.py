"""Run settings and the one place where each deployment's resources are chosen.

Locally everything lives under `var/` (SQLite warehouse, staged Parquet); in production the
environment names a PostgreSQL warehouse and the landing folder. Options of the CLI override the
environment, which overrides these defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from resources.calendar import CalendarResource
from resources.landing import LandingZone
from resources.warehouse import Warehouse

DEFAULT_HOME = Path(os.environ.get("PLAN_INDICATORS_HOME", "var"))

ENV_LANDING = "PLAN_INDICATORS_LANDING_DIR"
ENV_WAREHOUSE = "PLAN_INDICATORS_WAREHOUSE_URL"
ENV_PLANS = "PLAN_INDICATORS_PLANS_DIR"
ENV_KEY = "PLAN_INDICATORS_PSEUDONYM_KEY"
ENV_STAGING = "PLAN_INDICATORS_STAGING_DIR"
ENV_AS_OF = "PLAN_INDICATORS_AS_OF"
ENV_SENSOR_INTERVAL = "PLAN_INDICATORS_SENSOR_INTERVAL"


def sensor_interval(default: int) -> int:
    """Seconds between two evaluations of a sensor: the environment can shorten it (a test of
    the daemon, a demo), production keeps the default."""
    return int(os.environ.get(ENV_SENSOR_INTERVAL) or default)


class RunSettings(dg.ConfigurableResource):
    """`as_of` decides whether a fiscal year or a deadline is over (ISO date; empty = today)."""

    as_of: str = ""
    final_years: list[str] = []
    report_path: str = str(DEFAULT_HOME / "reports" / "rapport-annuel.html")

    def as_of_date(self):
        import datetime as dt

        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()


def env_or_default(name: str, default: str) -> str | dg.EnvVar:
    """`dg.EnvVar(name)` when the variable is set, so the UI shows where a value comes from."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def default_warehouse_url(home: Path = DEFAULT_HOME) -> str:
    return f"sqlite:///{(home / 'warehouse.sqlite').resolve()}"


def build_resources(
    *,
    landing: str | None = None,
    warehouse_url: str | None = None,
    staging: str | None = None,
    pseudonym_key: str | None = None,
    as_of: str | None = None,
    report_path: str | None = None,
) -> dict[str, dg.ConfigurableResource]:
    """Resources for this deployment: explicit arguments, then environment, then defaults."""
    home = DEFAULT_HOME
    return {
        "warehouse": Warehouse(
            url=warehouse_url or env_or_default(ENV_WAREHOUSE, default_warehouse_url(home))
        ),
        "landing": LandingZone(
            path=landing or env_or_default(ENV_LANDING, str((home / "landing").resolve())),
            staging_path=staging or env_or_default(ENV_STAGING, str((home / "staging").resolve())),
            pseudonym_key=pseudonym_key or env_or_default(ENV_KEY, ""),
        ),
        "calendar": CalendarResource(),
        "settings": RunSettings(
            as_of=as_of or env_or_default(ENV_AS_OF, ""),
            report_path=report_path or str((home / "reports" / "rapport-annuel.html").resolve()),
        ),
    }

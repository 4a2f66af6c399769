"""Every source's contract (docs/contracts.md §4.7), by name, in the order of its section.

Each source is declared once, in its own module of `plan_indicators.sources.declared`; this
module is the view of that registry that readers, checks, suites, staging, sensors and docs
import. The types live in `plan_indicators.sources.declaration`.
"""

from __future__ import annotations

from plan_indicators.sources.declaration import (
    REGIONS,
    WEB,
    Column,
    Reference,
    SourceContract,
)
from plan_indicators.sources.declared import declared
from plan_indicators.sources.declared.action_plan_filings import ORGANISATION_TYPES
from plan_indicators.sources.declared.service_requests import CHANNELS

__all__ = [
    "CHANNELS",
    "CONTRACTS",
    "DAILY_SOURCES",
    "ORGANISATION_TYPES",
    "REGIONS",
    "SOURCES",
    "WEB",
    "Column",
    "Reference",
    "SourceContract",
]

CONTRACTS: dict[str, SourceContract] = {name: d.contract for name, d in declared().items()}
SOURCES: tuple[str, ...] = tuple(CONTRACTS)
DAILY_SOURCES: tuple[str, ...] = tuple(s for s, c in CONTRACTS.items() if c.daily)
"""The sources refreshed every day (the `digital_sources` job)."""

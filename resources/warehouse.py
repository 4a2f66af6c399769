"""The warehouse BI reads: a SQLAlchemy URL, SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import dagster as dg
from sqlalchemy.engine import Engine

from plan_indicators import warehouse


class Warehouse(dg.ConfigurableResource):
    """Published tables (docs/warehouse.md); schema created on first use."""

    url: str

    def engine(self) -> Engine:
        return warehouse.engine_for(self.url)

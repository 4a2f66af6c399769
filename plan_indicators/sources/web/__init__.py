"""GA4 events staged with DuckDB (docs/contracts.md §4.7.1): a year of events never enters pandas.

`distinct_users` only needs, per fiscal year, which users viewed which of the catalog's
pages, so that is all we write: one row per user with a bit per page. Page paths are
normalised the way the catalog lists pages: scheme and host dropped (so the host's case does
not matter), query and fragment dropped, trailing slash ignored except for the root; the
path's own case is kept, since web servers may treat it as significant. `event_date` is
GA4's local day (America/Toronto), read as text so that string, integer and DATE columns
all work.

Cost grows with new data, not with history: an inventory of the files (rows, events per
fiscal year, days that are not days) is read from Parquet footers where they settle it and
kept in the raw manifest keyed by each file's size and modification time, so a refresh
inspects only new or changed files and staging a year scans only the files that hold it.

One module per layer: `sql` (what both share), `inventory` (raw: files, counts, refusals,
reports) and `staging` (users per year and page masks); this package is their public face.
"""

from __future__ import annotations

from plan_indicators.sources.declaration import WEB
from plan_indicators.sources.web.inventory import (
    WebFile,
    WebInventory,
    inventory_web_files,
    validate_web_files,
    web_file_reports,
    web_fiscal_years,
)
from plan_indicators.sources.web.sql import DAY_SQL, FY_SQL, PAGE_PATH_SQL
from plan_indicators.sources.web.staging import (
    PAGES_METADATA,
    mask_columns,
    stage_web_analytics,
    stage_web_analytics_years,
    staged_pages,
)

__all__ = [
    "DAY_SQL",
    "FY_SQL",
    "PAGES_METADATA",
    "PAGE_PATH_SQL",
    "WEB",
    "WebFile",
    "WebInventory",
    "inventory_web_files",
    "mask_columns",
    "stage_web_analytics",
    "stage_web_analytics_years",
    "staged_pages",
    "validate_web_files",
    "web_file_reports",
    "web_fiscal_years",
]

"""Web analytics measures, computed by DuckDB over the staged (page path, user) pairs."""

from __future__ import annotations

import re

from plan_indicators.measures import MeasureContext, MeasureResult, measure

_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def normalise_path(path: str) -> str:
    """A catalog page the way web staging stores `page_path`, so that both sides match.

    Scheme and host dropped (a full URL in the catalog still works), query and fragment
    dropped, trailing slashes ignored except for the root. The path's case is kept: web
    servers may treat `/Services` and `/services` as different pages.
    """
    path = re.sub(r"[?#].*$", "", _ORIGIN.sub("", path.strip()))
    return path.rstrip("/") or "/"


@measure("distinct_users", sources=("web_analytics",))
def distinct_users(ctx: MeasureContext, pages: list[str], event_name: str = "page_view"):
    """Distinct `user_pseudo_id` that viewed one of `pages` during the fiscal year.

    Staging keeps only `page_view` events, which is the contract's `event_name`.
    """
    import duckdb

    if event_name != "page_view":
        return MeasureResult.missing(
            f"Seuls les événements page_view sont conservés (demandé : {event_name})"
        )
    path = ctx.data.parquet_glob("web_analytics", ctx.fiscal_year.key)
    if path is None:
        return MeasureResult.missing("Aucune donnée d'analytique web pour l'année")
    wanted = sorted({normalise_path(p) for p in pages})
    con = duckdb.connect()
    try:
        users, pairs = con.execute(
            "SELECT COUNT(DISTINCT user_pseudo_id), COUNT(*) FROM read_parquet(?) "
            "WHERE page_path IN (SELECT unnest(?::VARCHAR[]))",
            [path, wanted],
        ).fetchone()
    finally:
        con.close()
    return MeasureResult(value=float(users), numerator=float(users), rows_used=int(pairs))

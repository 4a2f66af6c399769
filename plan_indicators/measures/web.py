"""Web analytics measures, computed by DuckDB over the staged (page path, user) pairs."""

from __future__ import annotations

from plan_indicators.measures import MeasureContext, MeasureResult, measure


def normalise_path(path: str) -> str:
    """Catalog page paths the way staging stores them: no trailing slash except the root."""
    path = path.split("?")[0].split("#")[0]
    return path.rstrip("/") or "/"


@measure("distinct_users", sources=("web_analytics",))
def distinct_users(ctx: MeasureContext, pages: list[str], event_name: str = "page_view"):
    """Distinct `user_pseudo_id` that viewed one of `pages` during the fiscal year.

    Staging keeps only `page_view` events, which is the contract's `event_name`.
    """
    import duckdb

    if event_name != "page_view":
        raise ValueError("web analytics are staged for page_view events only")
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

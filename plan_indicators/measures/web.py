"""Web analytics measures, computed by DuckDB over the staged users and their page masks."""

from __future__ import annotations

import re

from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure
from plan_indicators.sources.declaration import WEB

_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def normalise_path(path: str) -> str:
    """A catalog page the way web staging normalises `page_location`, so that both sides match.

    Scheme and host dropped (a full URL in the catalog still works), query and fragment
    dropped, trailing slashes ignored except for the root. The path's case is kept: web
    servers may treat `/Services` and `/services` as different pages.
    """
    path = re.sub(r"[?#].*$", "", _ORIGIN.sub("", path.strip()))
    return path.rstrip("/") or "/"


@measure(
    "distinct_users",
    sources=(WEB,),
    units=("count",),
    params=(
        Param(
            "pages",
            "paths (or full URLs) of the pages whose visitors are counted; query, fragment and "
            "trailing slash ignored",
            example=["/services"],
        ),
        Param("event_name", "the GA4 event counted; staging keeps page_view only", ("page_view",)),
    ),
    label_fr="Nombre d'utilisateurs distincts ayant consulté des pages web",
    year_to_date=False,
)
def distinct_users(ctx: MeasureContext, pages: list[str], event_name: str = "page_view"):
    """Distinct `user_pseudo_id` that viewed one of `pages` during the fiscal year.

    Staging keeps only `page_view` events, which is the contract's `event_name`, and writes one
    row per user with a bit per catalog page; a page the staged file does not know is missing
    data, never zero users.
    """
    from plan_indicators.sources.web import mask_columns, staged_pages
    from plan_indicators.sources.web.sql import connect

    if event_name != "page_view":
        return MeasureResult.missing(
            f"Seuls les événements page_view sont conservés (demandé : {event_name})"
        )
    path = ctx.data.parquet_glob(WEB, ctx.fiscal_year.key)
    if path is None:
        return MeasureResult.missing("Aucune donnée d'analytique web pour l'année")
    staged = staged_pages(path)
    wanted = sorted({normalise_path(p) for p in pages})
    absent = [p for p in wanted if p not in staged]
    if absent:
        return MeasureResult.missing(
            "Pages absentes des données web préparées (relancer staging/web_analytics) : "
            + ", ".join(absent)
        )
    masks = [0] * len(mask_columns(len(staged)))
    for page in wanted:
        bit = staged.index(page)
        masks[bit // 64] |= 1 << (bit % 64)
    seen = " OR ".join(
        f"(pages_{j} & {mask}::UBIGINT) <> 0" for j, mask in enumerate(masks) if mask
    )
    con = connect()
    try:
        [(users,)] = con.execute(
            f"SELECT count(*) FROM read_parquet(?) WHERE {seen or 'false'}", [path]
        ).fetchall()
    finally:
        con.close()
    return MeasureResult(value=float(users), numerator=float(users), rows_used=int(users))

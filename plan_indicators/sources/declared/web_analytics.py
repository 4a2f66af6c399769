"""GA4 events, the BigQuery export as it comes or flattened (docs/contracts.md §4.7.1).

The one source scanned by DuckDB rather than read into a frame, and staged per fiscal year
(plan_indicators.sources.web). Its sample imitates the export: monthly flattened `.csv.gz`
extracts before PARQUET_FROM, daily flattened Parquet for a year, then the export's own nested
schema (daily Parquet from NESTED_FROM, newline-delimited JSON for the last JSON_DAYS days),
returning users, weekly and seasonal rhythm, URLs
with queries, fragments and trailing slashes, and pages that a sloppy prefix match would count.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from plan_indicators import sampling as sp
from plan_indicators.catalog import Plan
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import WEB, Column, SourceContract

CONTRACT = SourceContract(
    WEB,
    "GA4 event: the BigQuery export as it comes (nested `event_params`), or flattened",
    (
        Column("event_date", "yyyymmdd"),
        Column("event_timestamp", "int", minimum=0),
        Column("event_name"),
        Column("user_pseudo_id"),
        Column("page_location"),
    ),
    # no workbook: see docs/contracts.md §4.7.1
    formats=(".csv", ".csv.gz", ".parquet", ".json", ".json.gz"),
    date_column="event_date",
    coverage="day",
    section="4.7.1",
    daily=True,
)

SAMPLE_STREAM = 1

PARQUET_FROM = dt.date(2024, 4, 1)
NESTED_FROM = dt.date(2025, 4, 1)  # the BigQuery export as it comes, from then on
JSON_DAYS = 7  # the last days as newline-delimited JSON
WEB_EVENTS = 200_000
QUEBEC_CA = "https://www.quebec.ca"

FALLBACK_PAGES = (
    "/personnes-handicapees",
    "/personnes-handicapees/aide-financiere",
    "/personnes-handicapees/education-et-emploi",
    "/personnes-handicapees/sante-et-services-sociaux",
    "/personnes-handicapees/transport-et-deplacements",
    "/personnes-handicapees/habitation",
    "/personnes-handicapees/loisirs-et-culture",
)
# Non-target pages, including look-alikes a sloppy prefix match would count.
OTHER_PAGES = (
    "/",
    "/personnes-handicapees/aide-financiere/supplement-pour-enfant-handicape",
    "/personnes-handicapees/transport-et-deplacements/vignette-de-stationnement",
    "/personnes-handicapees-en-ligne",
    "/famille-et-soutien-aux-personnes",
    "/famille-et-soutien-aux-personnes/aide-financiere",
    "/sante/trouver-une-ressource",
    "/emploi/trouver-un-emploi",
    "/education/aide-financiere-aux-etudes",
    "/habitation-territoire/programmes-d-aide",
    "/gouvernement/ministeres-et-organismes/office-personnes-handicapees",
    "/nouvelles/actualites",
    "/transport/permis-de-conduire",
    "/justice-et-etat-civil",
    "/loisirs-sport/activites-accessibles",
    "/culture/carte-accompagnement-loisir",
)
URL_SUFFIXES = ("", "/", "?utm_source=facebook&utm_medium=social", "#contenu", "/?gclid=Cj0KEQ")
URL_SUFFIX_WEIGHTS = (0.72, 0.1, 0.1, 0.05, 0.03)


def sample(ctx: SampleContext) -> list[SampleFile]:
    return _files(_events(ctx.rng(), ctx.scale, target_pages(ctx.plans)))


def target_pages(plans: list[Plan]) -> list[str]:
    """The pages the catalogs' `distinct_users` indicators count, so sample visits reach them."""
    pages = [
        p
        for plan in plans
        for ind in plan.indicators
        if ind.measure.name == "distinct_users"
        for p in ind.measure.params.get("pages", [])
    ]
    return list(dict.fromkeys(pages)) or list(FALLBACK_PAGES)


def _events(rng: np.random.Generator, scale: float, targets: list[str]) -> pa.Table:
    """GA4 events built from sessions: returning users, weekly and seasonal rhythm, growth."""
    days = sp.days(sp.START, sp.PRESENT)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    weekly = np.where(weekday < 5, 1.0, 0.55)
    seasonal = np.array([1.1, 1.1, 1.15, 1.0, 0.95, 0.85, 0.7, 0.75, 1.1, 1.1, 1.05, 0.8])
    intensity = weekly * seasonal[month - 1] * (1.0 + 0.35 * sp.frac(days))
    pages_mean, scroll_p, click_p = 1.7, 0.45, 0.25
    per_session = 1 + pages_mean * (1 + scroll_p + click_p)
    base = WEB_EVENTS * scale / (per_session * intensity.sum())
    n_sessions = rng.poisson(base * intensity)
    s_day = np.repeat(days, n_sessions)
    n = s_day.size
    hour_w = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 7, 7, 6, 6, 7, 6, 5, 4, 4, 5, 5, 4,
                       3, 2], dtype=float)  # fmt: skip
    seconds = rng.choice(24, n, p=hour_w / hour_w.sum()) * 3600 + rng.integers(0, 3600, n)
    s_time = s_day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    s_time.sort()

    # A returning session points to an earlier one; pointer jumping finds the first visit.
    idx = np.arange(n)
    offset = rng.geometric(1 / max(50.0, 1500 * scale), n)
    back = (rng.random(n) < 0.4) & (offset <= idx)
    user = np.where(back, idx - offset, idx)
    while not np.array_equal(nxt := user[user], user):
        user = nxt

    oriented = rng.random(n) < 0.3
    n_pages = 1 + rng.poisson(pages_mean - 1, n)
    p_session = np.repeat(idx, n_pages)
    first = np.repeat(np.cumsum(n_pages) - n_pages, n_pages)
    order = np.arange(p_session.size) - first
    p_time = s_time[p_session] + (order * 45 + rng.integers(0, 40, p_session.size)).astype(
        "timedelta64[s]"
    )
    paths = list(targets) + [p for p in OTHER_PAGES if p not in targets]
    n_t = len(targets)
    t_w = np.r_[3.0, np.ones(n_t - 1)] if n_t > 1 else np.ones(1)
    is_target = rng.random(p_session.size) < np.where(oriented[p_session], 0.6, 0.06)
    path = np.where(
        is_target,
        rng.choice(n_t, p_session.size, p=t_w / t_w.sum()),
        n_t + rng.integers(0, len(paths) - n_t, p_session.size),
    )
    suffix = rng.choice(len(URL_SUFFIXES), p_session.size, p=URL_SUFFIX_WEIGHTS)
    urls = np.array(
        [
            QUEBEC_CA + (p.rstrip("/") if s.startswith("/") else p) + s
            for p in paths
            for s in URL_SUFFIXES
        ],
        dtype=object,
    )
    p_url = path * len(URL_SUFFIXES) + suffix

    scroll = rng.random(p_session.size) < scroll_p
    click = rng.random(p_session.size) < click_p
    first_page = np.cumsum(n_pages) - n_pages
    parts = [
        ("session_start", s_time, user, p_url[first_page]),
        ("page_view", p_time, user[p_session], p_url),
        (
            "scroll",
            p_time[scroll] + rng.integers(5, 60, scroll.sum()).astype("timedelta64[s]"),
            user[p_session][scroll],
            p_url[scroll],
        ),
        (
            "click",
            p_time[click] + rng.integers(3, 40, click.sum()).astype("timedelta64[s]"),
            user[p_session][click],
            p_url[click],
        ),
    ]
    names = np.concatenate(
        [np.full(len(t), i, dtype=np.int8) for i, (_, t, _, _) in enumerate(parts)]
    )
    local = np.concatenate([t for _, t, _, _ in parts])
    e_user = np.concatenate([u for _, _, u, _ in parts])
    e_url = np.concatenate([u for _, _, _, u in parts])
    keep = local.astype("datetime64[D]") <= np.datetime64(sp.PRESENT, "D")
    names, local, e_user, e_url = names[keep], local[keep], e_user[keep], e_url[keep]

    stamp = _toronto_us(local) + rng.integers(0, 1_000_000, local.size)
    order = np.argsort(stamp, kind="stable")
    names, local, e_user, e_url, stamp = (a[order] for a in (names, local, e_user, e_url, stamp))

    roots, inverse = np.unique(e_user, return_inverse=True)
    first_seen = _toronto_us(s_time[roots]) // 1_000_000
    client = rng.integers(100_000_000, 2_147_483_647, roots.size)
    pseudo = pd.Series(client.astype(str)) + "." + pd.Series(first_seen.astype(str))
    day = local.astype("datetime64[D]")
    ymd = pd.DatetimeIndex(day).strftime("%Y%m%d").to_numpy(dtype=object)
    event_names = np.array([p[0] for p in parts], dtype=object)
    return pa.table(
        {
            "event_date": pa.array(ymd, pa.string()),
            "event_timestamp": pa.array(stamp, pa.int64()),
            "event_name": pa.array(event_names[names], pa.string()),
            "user_pseudo_id": pa.array(pseudo.to_numpy(dtype=object)[inverse], pa.string()),
            "page_location": pa.array(urls[e_url], pa.string()),
        }
    )


def _toronto_us(local: np.ndarray) -> np.ndarray:
    """Microseconds since the epoch of naive America/Toronto wall times (DST side when doubled)."""
    idx = pd.DatetimeIndex(local).tz_localize(
        "America/Toronto", ambiguous=np.ones(local.size, dtype=bool), nonexistent="shift_forward"
    )
    return idx.as_unit("us").asi8


def _files(table: pa.Table) -> list[SampleFile]:
    """Monthly flattened `.csv.gz` before PARQUET_FROM (older BigQuery extracts), daily
    flattened Parquet for a year, then the BigQuery export as it comes (nested `event_params`):
    daily Parquet from NESTED_FROM, newline-delimited JSON for the last JSON_DAYS days."""
    ymd = table.column("event_date").to_numpy(zero_copy_only=False).astype(str)
    cut = PARQUET_FROM.strftime("%Y%m%d")
    split = int(np.searchsorted(ymd, cut))
    old, new = table.slice(0, split), table.slice(split)
    months = np.array([d[:6] for d in ymd[:split]])
    gz, parquet, ndjson = sp.Csv(gz=True), sp.Parquet(), sp.Ndjson()
    files: list[SampleFile] = []
    for month in np.unique(months):
        lo, hi = np.searchsorted(months, month), np.searchsorted(months, month, side="right")
        files.append((f"events_{month}.csv.gz", old.slice(lo, hi - lo).to_pandas(), gz))
    new_days = ymd[split:]
    nested_from = NESTED_FROM.strftime("%Y%m%d")
    json_from = (sp.PRESENT - dt.timedelta(days=JSON_DAYS - 1)).strftime("%Y%m%d")
    for day in np.unique(new_days):
        lo = np.searchsorted(new_days, day)
        hi = np.searchsorted(new_days, day, side="right")
        events = new.slice(lo, hi - lo)
        if day < nested_from:
            files.append((f"events_{day}.parquet", events, parquet))
        elif day < json_from:
            files.append((f"events_{day}.parquet", bigquery_export(events), parquet))
        else:
            files.append((f"events_{day}.json.gz", bigquery_export(events), ndjson))
    return files


_PARAM_VALUE = pa.struct(
    [
        ("string_value", pa.string()),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("double_value", pa.float64()),
    ]
)
_PARAM = pa.struct([("key", pa.string()), ("value", _PARAM_VALUE)])
_PARAM_KEYS = ("ga_session_id", "page_location", "engagement_time_msec")


def bigquery_export(flat: pa.Table) -> pa.Table:
    """Flattened events in the BigQuery export's schema: the page is the `page_location`
    entry of `event_params` (between two integer parameters), `device`, `geo` and
    `traffic_source` structs beside it. Derived from the event only, so it stays seeded; built
    column-wise, so the benchmark writes tens of millions of events with it."""
    n = flat.num_rows
    stamp = flat.column("event_timestamp").to_numpy()
    urls = flat.column("page_location").combine_chunks()
    k = len(_PARAM_KEYS)
    keys = pa.array(np.tile(np.array(_PARAM_KEYS, dtype=object), n), pa.string())
    # Parameter j of event i sits at i * k + j; only page_location (j = 1) has a string.
    blank = pa.nulls(n, pa.string())
    pos = np.arange(n * k)
    strings = pa.concat_arrays([blank, urls.cast(pa.string()), blank]).take(
        pa.array((pos % k) * n + pos // k)
    )
    ints = np.empty(n * k, dtype=np.int64)
    ints[0::k] = stamp // 1_000_000_000  # a session id: the event's time, coarse
    ints[2::k] = stamp % 60_000
    int_mask = np.zeros(n * k, dtype=bool)
    int_mask[1::k] = True
    nulls = pa.nulls(n * k, pa.float64())
    value = pa.StructArray.from_arrays(
        [strings, pa.array(ints, pa.int64(), mask=int_mask), nulls, nulls],
        fields=list(_PARAM_VALUE),
    )
    params = pa.ListArray.from_arrays(
        pa.array(np.arange(0, n * k + 1, k, dtype=np.int32)),
        pa.StructArray.from_arrays([keys, value], fields=list(_PARAM)),
    )
    mobile = (stamp // 1_000_000) % 3 == 0

    def const(text: str) -> pa.Array:
        return pa.array(np.full(n, text, dtype=object), pa.string())

    device = pa.StructArray.from_arrays(
        [pa.array(np.where(mobile, "mobile", "desktop"), pa.string()), const("fr-ca")],
        names=["category", "language"],
    )
    geo = pa.StructArray.from_arrays(
        [const("Canada"), const("Quebec")], names=["country", "region"]
    )
    source = pa.StructArray.from_arrays(
        [const("(direct)"), const("(none)"), const("(direct)")], names=["name", "medium", "source"]
    )
    return pa.table(
        {
            "event_date": flat.column("event_date"),
            "event_timestamp": flat.column("event_timestamp"),
            "event_name": flat.column("event_name"),
            "event_params": params,
            "user_pseudo_id": flat.column("user_pseudo_id"),
            "device": device,
            "geo": geo,
            "traffic_source": source,
        }
    )

"""A deterministic sample landing zone (docs/contracts.md §4) for demos and end-to-end tests.

Everything derives from `numpy.random.default_rng` seeded per source, and nothing reads the
clock: the "present" is fixed at `PRESENT`, so the same seed gives byte-identical files (gzip
headers carry no time, Parquet no pandas metadata). The files imitate real exports on purpose
(several encodings, separators, boolean spellings, Meta's header variants, GA4's URLs with
queries, fragments and trailing slashes) so that the readers are exercised on demo data too.
The register and survey rows follow the plan catalogs, so a new plan gets sample data by YAML.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from plan_indicators.catalog import Indicator, Plan, default_plans_dir, load_plan, value_range
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import parse_due, parse_start
from plan_indicators.sources.contracts import CHANNELS, REGIONS, SOURCES

PRESENT = dt.date(2026, 10, 31)
START = dt.date(2022, 4, 1)
PARQUET_FROM = dt.date(2024, 4, 1)
SATISFACTION_FROM = dt.date(2024, 4, 1)
WEB_EVENTS = 200_000
QUEBEC_CA = "https://www.quebec.ca"

SPEC_MEASURES = frozenset(
    {
        "distinct_users", "share_posts_reach_at_least", "share_initial_offers_accepted",
        "mean_satisfaction_score", "share_requests_by_channel", "share_eligible_processed",
        "share_plans_with_consultation", "share_plans_adopted_within", "register_count",
        "register_rate", "register_milestone", "register_mean_delay", "survey_value",
        "survey_participation",
    }
)  # fmt: skip

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

BOOLS = {"oui": ("oui", "non"), "true": ("true", "false"), "1": ("1", "0"), "yes": ("yes", "no")}


def generate(
    out_dir: Path, *, seed: int = 42, scale: float = 1.0, plans_dir: Path | None = None
) -> dict[str, int]:
    """Write one folder per source under `out_dir`; return the number of rows per source.

    `scale` multiplies web events linearly and the transactional sources by its square root;
    posts, filings, register and survey rows do not depend on it (they are bounded by reality:
    ~190 organisations, a few posts a week). Existing files of the same names are overwritten,
    other files are left alone.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out_dir = Path(out_dir)
    plans = _load_plans(Path(plans_dir) if plans_dir else default_plans_dir())
    small = float(np.sqrt(scale))

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, k])

    web = _web_analytics(rng(1), scale, _target_pages(plans))
    posts, topics = _facebook(rng(2))
    requests, received = _service_requests(rng(3), small)
    offers, offered = _service_offers(rng(4), requests, received)
    frames: dict[str, list[File]] = {
        "facebook_posts": posts,
        "facebook_post_topics": topics,
        "service_requests": _by_fiscal_year(requests, received, "demandes", _REQUEST_FORMATS),
        "service_offers": _by_fiscal_year(offers, offered, "offres", _OFFER_FORMATS),
        "satisfaction_responses": _satisfaction(rng(5), small),
        "coordination_requests": _coordination(rng(6), small),
        "action_plan_filings": _filings(rng(7)),
        "activity_register": _register(rng(8), plans),
        "survey_results": _surveys(rng(9), plans),
    }
    counts = {"web_analytics": _write_web(out_dir / "web_analytics", web)}
    for source, files in frames.items():
        folder = out_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        for name, df, fmt in files:
            fmt.write(folder / name, df)
        counts[source] = sum(len(df) for _, df, _ in files)
    return {s: counts[s] for s in SOURCES}


# ── catalogs ──────────────────────────────────────────────────────────────────────────────────


def _load_plans(plans_dir: Path) -> list[Plan]:
    """Every plan of the folder, checked only against the contract's measure names
    (docs/contracts.md §2.6) or the files.

    The registry is not imported: sample data must not depend on the measure library.
    """
    files = sorted(plans_dir.glob("*.yaml")) + sorted(plans_dir.glob("*.yml"))
    names = set(SPEC_MEASURES)
    for f in files:
        raw = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for ind in raw.get("indicators") or []:
            measure = ind.get("measure") if isinstance(ind, dict) else None
            if isinstance(measure, dict) and isinstance(measure.get("name"), str):
                names.add(measure["name"])
    return [load_plan(f, measure_names=names) for f in files]


def _target_pages(plans: list[Plan]) -> list[str]:
    pages = [
        p
        for plan in plans
        for ind in plan.indicators
        if ind.measure.name == "distinct_users"
        for p in ind.measure.params.get("pages", [])
    ]
    return list(dict.fromkeys(pages)) or list(FALLBACK_PAGES)


# ── writing ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Csv:
    """One export's CSV habits; gzip with mtime 0 keeps the bytes reproducible."""

    encoding: str = "utf-8"
    sep: str = ","
    decimal: str = "."
    gz: bool = False
    crlf: bool = False

    @property
    def suffix(self) -> str:
        return ".csv.gz" if self.gz else ".csv"

    def write(self, path: Path, df: pd.DataFrame) -> None:
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = [_num(v, self.decimal) for v in out[col]]
        text = out.to_csv(index=False, sep=self.sep, lineterminator="\r\n" if self.crlf else "\n")
        data = text.encode(self.encoding)
        path.write_bytes(gzip.compress(data, mtime=0) if self.gz else data)


EXCEL_FR = Csv("cp1252", ";", ",", crlf=True)
BOM = Csv("utf-8-sig")
PLAIN = Csv()
File = tuple[str, pd.DataFrame, Csv]


def _num(value: float, decimal: str) -> str:
    if pd.isna(value):
        return ""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", decimal)


def _bools(values: Iterable[bool], style: str) -> list[str]:
    yes, no = BOOLS[style]
    return [yes if v else no for v in values]


def _iso(dates: Iterable[Any]) -> list[str]:
    """ISO dates, empty for missing (NaT or None)."""
    return ["" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates]


def _iso_where(dates: np.ndarray, present: np.ndarray) -> list[str]:
    """ISO dates where `present`, empty cells elsewhere (not processed, not adopted…)."""
    return ["" if not keep else d for d, keep in zip(_iso(dates), present, strict=True)]


def _fiscal_starts(days: np.ndarray) -> np.ndarray:
    """Start year of the fiscal year of each datetime64 day."""
    months = days.astype("datetime64[M]").astype(np.int64)
    return 1970 + (months - 3) // 12


def _by_fiscal_year(
    df: pd.DataFrame, days: np.ndarray, prefix: str, formats: dict[int, Csv]
) -> list[File]:
    """One file per fiscal year, as the services export them, each year with its own habits."""
    years = _fiscal_starts(days)
    return [
        (
            f"{prefix}_{FiscalYear(y).key}{formats.get(y, PLAIN).suffix}",
            df[years == y].reset_index(drop=True),
            formats.get(y, PLAIN),
        )
        for y in sorted(set(years.tolist()))
    ]


# ── calendar helpers ──────────────────────────────────────────────────────────────────────────


def _days(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def _frac(days: np.ndarray) -> np.ndarray:
    """Position of each day between START (0) and PRESENT (1): drives the rising trends."""
    span = (np.datetime64(PRESENT, "D") - np.datetime64(START, "D")).astype(float)
    return (days - np.datetime64(START, "D")).astype(float) / span


_FIXED_HOLIDAYS = ((1, 1), (1, 2), (6, 24), (7, 1), (12, 24), (12, 25), (12, 26), (12, 31))


def _holidays(first_year: int, last_year: int) -> np.ndarray:
    """Fixed-date public-service holidays only: enough to make plausible working dates."""
    return np.array(
        [
            np.datetime64(dt.date(y, m, d), "D")
            for y in range(first_year, last_year + 1)
            for m, d in _FIXED_HOLIDAYS
        ]
    )


_HOLIDAYS = _holidays(2017, 2029)


def _workdays(start: dt.date, end: dt.date) -> np.ndarray:
    days = _days(start, end)
    return days[np.is_busday(days, holidays=_HOLIDAYS)]


# ── web analytics ─────────────────────────────────────────────────────────────────────────────


def _web_analytics(rng: np.random.Generator, scale: float, targets: list[str]) -> pa.Table:
    """GA4 events built from sessions: returning users, weekly and seasonal rhythm, growth."""
    days = _days(START, PRESENT)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    weekly = np.where(weekday < 5, 1.0, 0.55)
    seasonal = np.array([1.1, 1.1, 1.15, 1.0, 0.95, 0.85, 0.7, 0.75, 1.1, 1.1, 1.05, 0.8])
    intensity = weekly * seasonal[month - 1] * (1.0 + 0.35 * _frac(days))
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
    keep = local.astype("datetime64[D]") <= np.datetime64(PRESENT, "D")
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


def _write_web(folder: Path, table: pa.Table) -> int:
    """Monthly `.csv.gz` before PARQUET_FROM (older BigQuery extracts), daily Parquet after."""
    folder.mkdir(parents=True, exist_ok=True)
    ymd = table.column("event_date").to_numpy(zero_copy_only=False).astype(str)
    cut = PARQUET_FROM.strftime("%Y%m%d")
    split = int(np.searchsorted(ymd, cut))
    old, new = table.slice(0, split), table.slice(split)
    months = np.array([d[:6] for d in ymd[:split]])
    gz = Csv(gz=True)
    for month in np.unique(months):
        lo, hi = np.searchsorted(months, month), np.searchsorted(months, month, side="right")
        gz.write(folder / f"events_{month}.csv.gz", old.slice(lo, hi - lo).to_pandas())
    new_days = ymd[split:]
    for day in np.unique(new_days):
        lo = np.searchsorted(new_days, day)
        hi = np.searchsorted(new_days, day, side="right")
        pq.write_table(new.slice(lo, hi - lo), folder / f"events_{day}.parquet")
    return table.num_rows


# ── Facebook ──────────────────────────────────────────────────────────────────────────────────

_POST_TYPES = (("Photo", "Photo"), ("Link", "Lien"), ("Video", "Vidéo"), ("Reel", "Reel"))
_SUBJECTS = (
    "Allocation pour enfant handicapé : êtes-vous admissible?",
    "Vignette de stationnement : comment l'obtenir",
    "Programme de soutien aux familles : ce qu'il faut savoir",
    "Semaine québécoise des personnes handicapées",
    "Guide des programmes d'aide : nouvelle édition",
    "Transport adapté : vos droits",
    "Crédit d'impôt pour frais médicaux",
    "Accessibilité des lieux culturels cet été",
    "Journée internationale des personnes handicapées",
    "Emploi : mesures d'accompagnement en entreprise",
)


def _facebook(
    rng: np.random.Generator,
) -> tuple[list[File], list[File]]:
    """Meta "Posts" exports (legacy, English and French headers) and the team's tagging."""
    days = _days(START, PRESENT)
    weekday = (days.astype(np.int64) + 3) % 7
    post_day = days[rng.random(days.size) < np.where(weekday < 5, 0.55, 0.12)]
    n = post_day.size
    minutes = rng.integers(8 * 60, 18 * 60, n)
    local = post_day.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    ids = 122158000000000000 // 10 + np.cumsum(rng.integers(1_000_000, 90_000_000, n))
    post_id = ids.astype(str)
    mu = np.log(850) + 0.08 * _frac(post_day) * 4.6
    reach = np.round(rng.lognormal(mu, 0.8)).astype(np.int64)
    impressions = np.round(reach * rng.uniform(1.15, 1.9, n)).astype(np.int64)
    kind = rng.choice(len(_POST_TYPES), n, p=[0.5, 0.25, 0.15, 0.1])
    title = np.array(_SUBJECTS, dtype=object)[rng.integers(0, len(_SUBJECTS), n)]
    publish = pd.DatetimeIndex(local).strftime("%m/%d/%Y %H:%M").to_numpy(dtype=object)
    fy = _fiscal_starts(post_day)

    def thousands(v: np.ndarray) -> list[str]:
        return [f"{x:,}" for x in v.tolist()]

    post_files: list[File] = []
    for year in sorted(set(fy.tolist())):
        m = fy == year
        en = [_POST_TYPES[k][0] for k in kind[m]]
        permalink = [f"https://www.facebook.com/OPHQ/posts/{p}" for p in post_id[m]]
        if year == 2022:
            headers = ("Post ID", "Publish time", "Post type", "Description")
            reach_col, types = "Lifetime Post organic reach", en
        elif year == 2024:
            headers = ("Identifiant de la publication", "Heure de publication",
                       "Type de publication", "Titre")  # fmt: skip
            reach_col, types = "Couverture", [_POST_TYPES[k][1] for k in kind[m]]
        else:
            headers = ("Post ID", "Publish time", "Post type", "Title")
            reach_col, types = "Reach", en
        df = pd.DataFrame(
            {
                headers[0]: post_id[m],
                "Permalink": permalink,
                headers[1]: publish[m],
                headers[2]: types,
                headers[3]: title[m],
                reach_col: thousands(reach[m]),
                "Impressions": thousands(impressions[m]),
            }
        )
        end = min(FiscalYear(year).end, PRESENT)
        name = f"Posts_{FiscalYear(year).start.isoformat()}_{end.isoformat()}.csv"
        post_files.append((name, df, BOM if year % 2 else PLAIN))

    tagged = rng.random(n) >= 0.02
    informs = rng.random(n) < 0.62
    styles = {2022: "oui", 2023: "true", 2024: "1", 2025: "oui", 2026: "true"}
    topic_files: list[File] = []
    for year in sorted(set(fy.tolist())):
        m = (fy == year) & tagged
        df = pd.DataFrame(
            {"post_id": post_id[m], "informs_programs": _bools(informs[m], styles.get(year, "1"))}
        )
        writer = EXCEL_FR if year == 2022 else PLAIN
        topic_files.append((f"classement_publications_{FiscalYear(year).key}.csv", df, writer))
    return post_files, topic_files


# ── services to the population ────────────────────────────────────────────────────────────────


def _service_requests(rng: np.random.Generator, volume: float) -> tuple[pd.DataFrame, np.ndarray]:
    """~3,000 requests a year; digital share rising from ~35 % to ~55 %; people come back."""
    days = _workdays(START, PRESENT)
    day = np.repeat(days, rng.poisson(3000 * volume / 250, days.size))
    n = day.size
    digital = rng.random(n) < 0.35 + 0.20 * _frac(day)
    d_channel = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    o_channel = 3 + rng.choice(4, n, p=[0.7, 0.12, 0.12, 0.06])
    channel = np.array(CHANNELS, dtype=object)[np.where(digital, d_channel, o_channel)]
    people = rng.permutation(1_000_000)[rng.integers(0, max(1, int(n * 0.6)), n)]
    df = pd.DataFrame(
        {
            "request_id": [f"DEM-{i:06d}" for i in range(1, n + 1)],
            "received_date": _iso(day),
            "channel": channel,
            "requester_id": [f"QC-{p:06d}" for p in people],
            "region_code": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)],
        }
    )
    return df, day


def _service_offers(
    rng: np.random.Generator, requests: pd.DataFrame, received: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Initial offers for most requests, follow-ups for some; acceptance rising ~40 % → ~75 %."""
    present = np.datetime64(PRESENT, "D")
    n = received.size
    has = rng.random(n) < 0.62
    initial = received + rng.integers(1, 21, n).astype("timedelta64[D]")
    follow = has & (rng.random(n) < 0.2)
    follow_date = initial + rng.integers(30, 90, n).astype("timedelta64[D]")
    req = np.r_[np.flatnonzero(has), np.flatnonzero(follow)]
    date = np.r_[initial[has], follow_date[follow]]
    kind = np.r_[np.zeros(has.sum(), bool), np.ones(follow.sum(), bool)]
    keep = date <= present
    req, date, kind = req[keep], date[keep], kind[keep]
    order = np.lexsort((kind, req, date))
    req, date, kind = req[order], date[order], kind[order]
    m = date.size
    accept_p = 0.40 + 0.35 * _frac(date)
    u = rng.random(m)
    response = np.where(u < accept_p, 0, np.where(u < accept_p + (1 - accept_p) * 0.6, 1, 2))
    answered = date + rng.integers(1, 30, m).astype("timedelta64[D]")
    pending = (answered > present) | (rng.random(m) < 0.02)
    response = np.where(pending, 3, response)
    labels = np.array(("accepted", "refused", "no_response", "pending"), dtype=object)
    df = pd.DataFrame(
        {
            "offer_id": [f"OFF-{i:06d}" for i in range(1, m + 1)],
            "request_id": requests["request_id"].to_numpy()[req],
            "offer_date": _iso(date),
            "offer_kind": np.where(kind, "follow_up", "initial"),
            "response": labels[response],
            "response_date": _iso_where(answered, response < 2),
        }
    )
    return df, date


_REQUEST_FORMATS = {2022: Csv("cp1252", ";", crlf=True, gz=True), 2023: BOM}
_OFFER_FORMATS = {2023: EXCEL_FR, 2025: BOM}


def _satisfaction(rng: np.random.Generator, volume: float) -> list[File]:
    """Survey answers from 2024-04-01; half points appear, mean ~7.8 rising slightly."""
    days = _days(SATISFACTION_FROM, PRESENT)
    day = np.repeat(days, rng.poisson(900 * volume / 365, days.size))
    n = day.size
    years = (day - np.datetime64(SATISFACTION_FROM, "D")).astype(float) / 365.25
    score = np.clip(np.round(rng.normal(7.8 + 0.15 * years, 1.5) * 2) / 2, 0, 10)
    df = pd.DataFrame(
        {
            "response_id": [f"SAT-{i:05d}" for i in range(1, n + 1)],
            "response_date": _iso(day),
            "score": score.astype(float),
        }
    )
    return _by_fiscal_year(df, day, "sondage_experience_client", {2025: EXCEL_FR})


def _coordination(rng: np.random.Generator, volume: float) -> list[File]:
    """Requests to the 17 regional coordinations; processed share rising ~78 % → ~90 %."""
    days = _workdays(START, PRESENT)
    day = np.repeat(days, rng.poisson(1200 * volume / 250, days.size))
    n = day.size
    eligible = rng.random(n) < 0.86
    processed = rng.random(n) < np.where(eligible, 0.78 + 0.12 * _frac(day), 0.1)
    done = day + rng.integers(3, 45, n).astype("timedelta64[D]")
    processed &= done <= np.datetime64(PRESENT, "D")
    fy = _fiscal_starts(day)
    styles = {2022: "oui", 2023: "1", 2024: "true", 2025: "yes", 2026: "true"}
    formats = {2022: EXCEL_FR, 2025: BOM}
    ids = np.array([f"CR-{i:06d}" for i in range(1, n + 1)], dtype=object)
    region = np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)]
    files = []
    for y in sorted(set(fy.tolist())):
        m = fy == y
        df = pd.DataFrame(
            {
                "request_id": ids[m],
                "region_code": region[m],
                "received_date": _iso(day[m]),
                "eligible": _bools(eligible[m], styles[y]),
                "processed_date": _iso_where(done[m], processed[m]),
            }
        )
        files.append((f"coordination_{FiscalYear(y).key}.csv", df, formats.get(y, PLAIN)))
    return files


# ── action plans of bound organisations ───────────────────────────────────────────────────────


def _filings(rng: np.random.Generator) -> list[File]:
    """~190 organisations, one plan a year 2022-2026; consultation and promptness improving."""
    kinds = ["ministere"] * 24 + ["organisme"] * 71 + ["municipalite"] * 96
    prefix = {"ministere": "MIN", "organisme": "ORG", "municipalite": "MUN"}
    codes = rng.choice(np.arange(10_000, 99_999), len(kinds), replace=False)
    org_id = [
        f"{prefix[k]}-{c:05d}" if k == "municipalite" else f"{prefix[k]}-{i:03d}"
        for i, (k, c) in enumerate(zip(kinds, codes, strict=True), start=1)
    ]
    propensity = rng.normal(0, 0.6, len(kinds))
    styles = {2022: "oui", 2023: "true", 2024: "1", 2025: "oui", 2026: "true"}
    files = []
    for year in range(2022, 2027):
        step = year - 2022
        ref = [dt.date(year, 1, 1) if k == "municipalite" else dt.date(year, 4, 1) for k in kinds]
        ref64 = np.array(ref, dtype="datetime64[D]")
        on_time = rng.random(len(kinds)) < 0.37 + 0.03 * step + 0.1 * propensity
        lag = np.where(
            on_time, rng.integers(-90, 182, len(kinds)), rng.integers(185, 330, len(kinds))
        )
        adopted = ref64 + lag.astype("timedelta64[D]")
        missing = (rng.random(len(kinds)) < 0.05) | (adopted > np.datetime64(PRESENT, "D"))
        consult = rng.random(len(kinds)) < 0.52 + 0.025 * step + 0.08 * propensity
        df = pd.DataFrame(
            {
                "organisation_id": org_id,
                "organisation_type": kinds,
                "reference_start": _iso(ref64),
                "adopted_date": _iso_where(adopted, ~missing),
                "consultation": _bools(consult, styles[year]),
            }
        )
        writer = EXCEL_FR if year == 2023 else PLAIN
        files.append((f"plans_action_{year}.csv", df, writer))
    return files


# ── activity register ─────────────────────────────────────────────────────────────────────────

_NOTES = {
    "register_count": "Événement consigné au registre",
    "register_rate": "Dossier évalué",
    "register_milestone": "Jalon franchi",
    "register_mean_delay": "Bilan d'évaluation sommaire produit",
}


def _register(rng: np.random.Generator, plans: list[Plan]) -> list[File]:
    """Rows for every `register_*` indicator, shaped by its measure and targets."""
    milestones = [
        (plan.id, ind.id)
        for plan in plans
        for ind in plan.indicators
        if ind.measure.name == "register_milestone"
    ]
    fate = {key: "on_time" for key in milestones}
    if len(milestones) >= 4:  # one not achieved, two late, the rest on time
        for pos, k in enumerate(rng.permutation(len(milestones))[:3]):
            fate[milestones[k]] = "missing" if pos == 0 else "late"
    files = []
    for i, plan in enumerate(plans):
        rows: list[dict[str, Any]] = []
        for ind in plan.indicators:
            name = ind.measure.name
            if not name.startswith("register_"):
                continue
            if name == "register_milestone":
                new = _milestone_rows(rng, ind, fate[(plan.id, ind.id)])
            elif name == "register_rate":
                new = _rate_rows(rng, plan, ind)
            elif name == "register_mean_delay":
                new = _delay_rows(rng, plan, ind)
            else:
                new = _count_rows(rng, plan, ind)
            for seq, row in enumerate(sorted(new, key=lambda r: r["event_date"]), start=1):
                rows.append(
                    {
                        "plan_id": plan.id,
                        "indicator_id": ind.id,
                        "record_id": f"{ind.id}-{seq:04d}",
                        "note": _NOTES.get(name, ""),
                        **row,
                    }
                )
        if not rows:
            continue
        df = pd.DataFrame(
            rows,
            columns=["plan_id", "indicator_id", "record_id", "event_date", "quantity", "outcome",
                     "start_date", "subject", "note"],
        )  # fmt: skip
        style = "oui" if i % 2 == 0 else "true"
        df["outcome"] = ["" if pd.isna(v) else _bools([v], style)[0] for v in df["outcome"]]
        df["quantity"] = df["quantity"].astype(float)
        writer = EXCEL_FR if i % 2 == 0 else BOM
        files.append((f"registre_{plan.id}.csv", df, writer))
    return files


def _data_years(plan: Plan) -> list[FiscalYear]:
    """Plan and baseline years that have started by PRESENT."""
    years = [FiscalYear.parse(k) for k in plan.partition_years()]
    return [y for y in years if y.start <= PRESENT]


def _spread(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """`n` working days between `start` and `end`, dropping those after PRESENT."""
    pool = _workdays(start, end)
    if n <= 0 or pool.size == 0:
        return []
    chosen = np.sort(pool[rng.integers(0, pool.size, n)])
    return [d for d in chosen.astype(dt.date).tolist() if d <= PRESENT]


def _count_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """Counts around each year's target; recurring targets get one event per period, mostly."""
    recurring = [t for t in ind.targets.values() if t.kind == "every_year_from"]
    if recurring:
        return _recurring_rows(rng, plan, recurring[0])
    baseline = int(rng.integers(12, 25))
    typical = [t.value for t in ind.targets.values() if t.kind in ("at_least", "at_most")]
    rows = []
    for year in _data_years(plan):
        target = ind.targets.get(year.key)
        kind = target.kind if target else None
        if kind == "not_applicable":
            n = 0
        elif kind in ("at_least", "at_most"):
            n = max(0, int(target.value) + int(rng.choice([-1, 0, 0, 1, 1, 2])))
        elif kind == "relative_to_baseline":
            n = int(round(baseline * (1 + target.percent / 100) + rng.normal(1.5, 2.5)))
        elif typical:
            n = int(round(np.mean(typical))) + int(rng.integers(0, 2))
        else:
            n = baseline
        rows += [{"event_date": d, "quantity": 1.0} for d in _spread(rng, year.start, year.end, n)]
    return rows


def _recurring_rows(rng: np.random.Generator, plan: Plan, target: Any) -> list[dict[str, Any]]:
    """Guides once a year, newsletters once a half-year from `start`, one half being missed."""
    start = parse_start(target.start)
    periods: list[tuple[dt.date, dt.date]] = []
    for year in _data_years(plan):
        halves = year.halves() if target.per == "half_year" else ((year.start, year.end),)
        periods += [(a, b) for a, b in halves if b >= start and a <= PRESENT]
    halves = target.per == "half_year" and len(periods) > 2
    missed = int(rng.integers(1, len(periods))) if halves else -1
    rows = []
    for k, (a, b) in enumerate(periods):
        n = 0 if k == missed else target.min_count + int(rng.random() < 0.15)
        rows += [{"event_date": d, "quantity": 1.0} for d in _spread(rng, max(a, start), b, n)]
    return rows


def _rate_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    rows = []
    for year in _data_years(plan):
        target = ind.targets.get(year.key)
        level = target.value / 100 if target is not None and hasattr(target, "value") else 0.7
        p = float(np.clip(level + rng.normal(0.04, 0.08), 0.05, 0.98))
        for d in _spread(rng, year.start, year.end, int(rng.integers(10, 22))):
            rows.append({"event_date": d, "outcome": bool(rng.random() < p)})
    return rows


def _milestone_rows(rng: np.random.Generator, ind: Indicator, fate: str) -> list[dict[str, Any]]:
    """One row at the due date's side chosen by `fate`; `subjects: n` spreads n subjects."""
    dues = [parse_due(t.due) for t in ind.targets.values() if t.kind == "deadline"]
    if not dues:
        return []
    due = min(dues)
    n = int(ind.measure.params.get("subjects") or 1)
    if fate == "missing" and n == 1:
        return []
    shift = int(rng.integers(10, 120)) if fate == "late" else -int(rng.integers(3, 60))
    shifted = np.datetime64(due + dt.timedelta(days=shift), "D")
    reached = np.busday_offset(shifted, 0, roll="backward", holidays=_HOLIDAYS).astype(dt.date)
    if n == 1:
        return [{"event_date": reached}] if reached <= PRESENT else []
    count = n - 1 if fate == "missing" else n
    dates = sorted(_spread(rng, reached - dt.timedelta(days=150), reached, count - 1))
    dates.append(reached)
    subjects = rng.permutation(n)[:count] + 1
    return [
        {"event_date": d, "subject": f"ordre-{s:02d}"}
        for d, s in zip(dates, subjects, strict=False)
        if d <= PRESENT
    ]


def _delay_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """BES produced a few business days after the regulation was received."""
    rows = []
    for year in _data_years(plan):
        target = ind.targets.get(year.key)
        limit = target.value if target is not None and hasattr(target, "value") else 10
        centre = limit - 2.5 + rng.normal(0, 1.2)
        ends = _spread(rng, year.start, year.end, int(rng.integers(25, 45)))
        delays = np.clip(np.round(rng.normal(centre, 2.5, len(ends))), 2, 25).astype(int)
        for end, k in zip(ends, delays.tolist(), strict=True):
            start = np.busday_offset(np.datetime64(end, "D"), -k, holidays=_HOLIDAYS)
            rows.append({"event_date": end, "start_date": start.astype(dt.date)})
    return rows


# ── surveys ───────────────────────────────────────────────────────────────────────────────────


def _surveys(rng: np.random.Generator, plans: list[Plan]) -> list[File]:
    """One row per survey indicator and fiscal year whose survey (held in February) is done."""
    files = []
    for i, plan in enumerate(plans):
        rows = []
        for ind in plan.indicators:
            if ind.measure.name not in ("survey_value", "survey_participation"):
                continue
            # Drawn on 10, then put on the indicator's own range (an index on 100 reads 73,1).
            value = float(rng.uniform(7.0, 7.6))
            low, high = value_range(ind)
            low, high = (0.0, 10.0) if low is None or high is None else (low, high)
            for year in _data_years(plan):
                if dt.date(year.start_year + 1, 2, 28) > PRESENT:
                    continue
                row = {"plan_id": plan.id, "indicator_id": ind.id, "fiscal_year": year.key}
                if ind.measure.name == "survey_value":
                    value = value + float(rng.normal(0.08, 0.15))
                    scaled = round(low + (high - low) * value / 10, 1)
                    row |= {"value": scaled, "respondents": np.nan, "population": np.nan}
                else:
                    population = int(rng.integers(120, 160))
                    respondents = int(round(population * float(rng.normal(0.8, 0.05))))
                    rate = round(respondents / population * 100, 1)
                    row |= {"value": rate, "respondents": respondents, "population": population}
                rows.append(row)
        if not rows:
            continue
        df = pd.DataFrame(rows).astype({"value": float, "respondents": float, "population": float})
        writer = EXCEL_FR if i % 2 == 0 else PLAIN
        files.append((f"sondages_{plan.id}.csv", df, writer))
    return files

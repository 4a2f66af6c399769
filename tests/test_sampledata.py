"""The sample landing zone: reproducible, complete for both plans, shaped like real exports."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from plan_indicators.catalog import Plan, default_plans_dir, load_plan
from plan_indicators.sampledata import PRESENT, SPEC_MEASURES, generate
from plan_indicators.sources.contracts import CONTRACTS, SOURCES

BOOL = {"oui": True, "non": False, "true": True, "false": False, "1": True, "0": False}
BOOL |= {"yes": True, "no": False}


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate(out, seed=42, scale=1.0)


def catalogs() -> list[Plan]:
    """The repository's plans, without depending on the measure registry being complete."""
    return [load_plan(f, set(SPEC_MEASURES)) for f in sorted(default_plans_dir().glob("*.yaml"))]


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_csv(path: Path) -> pd.DataFrame:
    """A test-side reader: gzip, UTF-8 (BOM or not) else Windows-1252, `,` or `;`."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    sep = ";" if ";" in text.splitlines()[0] else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def read_xlsx(path: Path) -> pd.DataFrame:
    """A test-side workbook reader: the first sheet, cells as CSV text (dates ISO)."""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))

    def text(v) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return pd.DataFrame([[text(v) for v in r] for r in rows[1:]], columns=list(rows[0]))


def read_source(root: Path, source: str) -> pd.DataFrame:
    files = sorted((root / source).glob("*.csv*")) + sorted((root / source).glob("*.xlsx"))
    return pd.concat([read_xlsx(p) if p.suffix == ".xlsx" else read_csv(p) for p in files])


def flattened(rows: list[dict]) -> pd.DataFrame:
    """Export rows (nested `event_params`) as the five flattened columns, test-side."""
    out = []
    for r in rows:
        pages = [
            p["value"]["string_value"] for p in r["event_params"] if p["key"] == "page_location"
        ]
        out.append(
            {
                "event_date": str(r["event_date"]),
                "event_timestamp": str(r["event_timestamp"]),
                "event_name": r["event_name"],
                "user_pseudo_id": r["user_pseudo_id"],
                "page_location": pages[0] if pages else None,
            }
        )
    return pd.DataFrame(out)


def web_events(root: Path) -> pd.DataFrame:
    folder = root / "web_analytics"
    frames = []
    for p in sorted(folder.glob("*.parquet")):
        table = pq.read_table(p)
        nested = "event_params" in table.column_names
        frames.append(flattened(table.to_pylist()) if nested else table.to_pandas().astype(str))
    for p in sorted(folder.glob("*.json.gz")):
        lines = gzip.decompress(p.read_bytes()).decode().splitlines()
        frames.append(flattened([json.loads(line) for line in lines]))
    frames += [read_csv(p) for p in sorted(folder.glob("*.csv.gz"))]
    return pd.concat(frames, ignore_index=True)


def test_same_seed_gives_byte_identical_files(landing, tmp_path):
    root, _ = landing
    generate(tmp_path, seed=42, scale=1.0)
    first, second = hashes(root), hashes(tmp_path)
    assert len(first) > 100
    assert first == second


def test_another_seed_gives_other_files(landing, tmp_path):
    root, _ = landing
    generate(tmp_path, seed=43, scale=1.0)
    first, other = hashes(root), hashes(tmp_path)
    same = [name for name in first if first[name] == other.get(name)]
    assert same == []


def test_every_source_folder_holds_files_of_its_formats(landing):
    root, counts = landing
    assert list(counts) == list(SOURCES)
    for source in SOURCES:
        files = sorted((root / source).iterdir())
        assert files, source
        formats = CONTRACTS[source].formats
        assert all(any(f.name.endswith(ext) for ext in formats) for f in files), source
        assert counts[source] > 0, source


def test_web_analytics_volume_formats_and_local_dates(landing):
    root, counts = landing
    folder = root / "web_analytics"
    # 2022-04 .. 2024-03 monthly = 24 gz files; 2024-04-01 .. 2026-10-31 daily =
    # 365 (2024-04-01..2025-03-31) + 365 (..2026-03-31) + 214 (April-October 2026) = 944:
    # flattened Parquet for 2024-2025 (365), the BigQuery export's nested Parquet from
    # 2025-04-01 (365 + 214 − 7 = 572), newline-delimited JSON for the last 7 days.
    assert len(list(folder.glob("events_??????.csv.gz"))) == 24
    parquet = sorted(folder.glob("events_????????.parquet"))
    nested = [p for p in parquet if "event_params" in pq.read_schema(p).names]
    assert (len(parquet), len(nested)) == (937, 572)
    assert min(nested).name == "events_20250401.parquet"
    assert len(list(folder.glob("events_????????.json.gz"))) == 7
    events = web_events(root)
    # WEB_EVENTS = 200,000 events at scale 1, Poisson noise well under 5 %.
    assert 190_000 <= len(events) == counts["web_analytics"] <= 210_000
    assert events["event_date"].min() == "20220401"
    assert events["event_date"].max() == PRESENT.strftime("%Y%m%d")
    local = (
        pd.to_datetime(events["event_timestamp"].astype("int64"), unit="us", utc=True)
        .dt.tz_convert("America/Toronto")
        .dt.strftime("%Y%m%d")
    )
    assert (local == events["event_date"]).all()
    assert set(events["event_name"]) == {"page_view", "scroll", "click", "session_start"}
    assert events["user_pseudo_id"].str.fullmatch(r"\d{9,10}\.\d{10}").all()
    assert events["page_location"].str.startswith("https://www.quebec.ca/").all()
    for marker in ("?", "#", "/?"):
        assert events["page_location"].str.contains(marker, regex=False).any(), marker
    # Returning users: far fewer users than sessions.
    sessions = (events["event_name"] == "session_start").sum()
    assert events["user_pseudo_id"].nunique() < 0.8 * sessions


def test_web_hits_every_target_page_in_every_year_and_other_pages(landing):
    root, _ = landing
    plan = next(p for p in catalogs() if p.id == "ophq-2024-2028")
    pages = set(plan.indicator("1.1.1").measure.params["pages"])
    events = web_events(root)
    views = events[events["event_name"] == "page_view"]
    path = (
        views["page_location"]
        .str.removeprefix("https://www.quebec.ca")
        .str.split(r"[?#]", regex=True)
        .str[0]
        .str.rstrip("/")
    )
    year = views["event_date"].str[:4].astype(int) - (views["event_date"].str[4:6] < "04")
    hits = views[path.isin(pages)].assign(path=path, year=year)
    for fy_start in range(2022, 2027):
        assert set(hits.loc[hits["year"] == fy_start, "path"]) == pages, fy_start
    assert (~path.isin(pages)).mean() > 0.3


def test_scale_two_doubles_web_events(landing, tmp_path):
    _, counts = landing
    doubled = generate(tmp_path, seed=42, scale=2.0)
    # Expected events are WEB_EVENTS × scale: 400,000 / 200,000 = 2, within 5 %.
    assert 1.9 <= doubled["web_analytics"] / counts["web_analytics"] <= 2.1
    # Posts do not scale (a few a week whatever the traffic).
    assert doubled["facebook_posts"] == counts["facebook_posts"]


def test_facebook_exports_headers_and_tagging(landing):
    root, _ = landing
    files = sorted((root / "facebook_posts").glob("*.csv"))
    [workbook] = sorted((root / "facebook_posts").glob("*.xlsx"))  # one year saved by Excel
    headers = [read_csv(f).columns for f in files] + [read_xlsx(workbook).columns]
    assert sum("Lifetime Post organic reach" in h for h in headers) == 1
    assert sum("Couverture" in h and "Identifiant de la publication" in h for h in headers) == 1
    assert sum("Reach" in h for h in headers) >= 3
    raw = "".join(f.read_text(encoding="utf-8-sig") for f in files)
    assert re.search(r'"\d{1,3},\d{3}"', raw)
    posts = pd.concat(
        [
            (read_xlsx(f) if f.suffix == ".xlsx" else read_csv(f)).rename(
                columns={"Identifiant de la publication": "Post ID"}
            )
            for f in [*files, workbook]
        ]
    )
    assert posts["Post ID"].str.fullmatch(r"\d{17}").all()
    assert posts["Post ID"].is_unique
    # ~3 posts a week over 2022-04-01..2026-10-31 (240 weeks) = ~720.
    assert 550 <= len(posts) <= 900
    topics = read_source(root, "facebook_post_topics")
    assert set(topics["post_id"]) <= set(posts["Post ID"])
    untagged = 1 - len(topics) / len(posts)
    assert 0.005 <= untagged <= 0.05  # ~2 % untagged
    assert set(topics["informs_programs"]) <= set(BOOL)
    assert {"oui", "true", "1"} <= set(topics["informs_programs"])


def test_requester_ids_look_personal_and_recur(landing):
    root, _ = landing
    requests = read_source(root, "service_requests")
    assert requests["requester_id"].str.fullmatch(r"QC-\d{6}").all()
    assert requests["requester_id"].duplicated().any()
    assert set(requests["channel"]) == set(CONTRACTS["service_requests"].column("channel").allowed)
    assert requests["region_code"].str.fullmatch(r"0[1-9]|1[0-7]").all()
    assert requests["request_id"].is_unique
    offers = read_source(root, "service_offers")
    assert set(offers["request_id"]) <= set(requests["request_id"])
    assert set(offers["response"]) == {"accepted", "refused", "no_response", "pending"}
    assert set(offers["offer_kind"]) == {"initial", "follow_up"}
    assert (offers.loc[offers["response"] == "pending", "response_date"] == "").all()


def test_exports_vary_encoding_separator_and_decimals(landing):
    root, _ = landing
    files = [p for p in root.rglob("*.csv*") if p.parent.name != "web_analytics"]
    raws = {
        p: gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files
    }
    assert any(raw.startswith(b"\xef\xbb\xbf") for raw in raws.values())
    cp1252 = [p for p, raw in raws.items() if re.search(rb"[\x80-\xff]", raw) and _not_utf8(raw)]
    assert cp1252, "no Windows-1252 file with accented text"
    semicolon = [p for p, raw in raws.items() if b";" in raw.split(b"\n")[0]]
    assert len(semicolon) >= 3
    scores = read_source(root, "satisfaction_responses")["score"]
    assert scores.str.fullmatch(r"\d+,5").any()  # French Excel: "7,5"
    values = scores.str.replace(",", ".").astype(float)
    assert values.between(0, 10).all()
    assert read_source(root, "satisfaction_responses")["response_date"].min() == "2024-04-01"


def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_filings_and_coordination_follow_the_contract(landing):
    root, _ = landing
    filings = read_source(root, "action_plan_filings")
    assert 180 <= filings["organisation_id"].nunique() <= 200
    starts = filings.groupby("organisation_type")["reference_start"].agg(lambda s: set(s.str[5:]))
    assert starts["municipalite"] == {"01-01"}
    assert starts["ministere"] == starts["organisme"] == {"04-01"}
    # One filing per organisation and reference year 2022..2026: 5 per organisation.
    assert (filings.groupby("organisation_id").size() == 5).all()
    assert (filings["adopted_date"] == "").any()
    assert (filings["adopted_date"].replace("", None).dropna() <= PRESENT.isoformat()).all()
    assert set(filings["consultation"]) <= set(BOOL)
    coord = read_source(root, "coordination_requests")
    assert coord["region_code"].nunique() == 17
    assert set(coord["eligible"]) <= set(BOOL)
    assert (coord["processed_date"] == "").any()


def test_register_rows_cover_every_register_indicator(landing):
    root, _ = landing
    register = read_source(root, "activity_register")
    plans = catalogs()
    indicators = {
        (p.id, i.id): i
        for p in plans
        for i in p.indicators
        if i.measure.name.startswith("register_")
    }
    assert {p.id for p in plans} >= {"ophq-2024-2028", "opq-2019-2023"}
    covered = set(zip(register["plan_id"], register["indicator_id"], strict=True))
    assert covered <= set(indicators)
    missing = set(indicators) - covered
    # Exactly one milestone is left unachieved (no row, or one subject short).
    assert len(missing) <= 1
    assert all(indicators[k].measure.name == "register_milestone" for k in missing)
    assert not register.duplicated(["plan_id", "indicator_id", "record_id"]).any()
    assert (register["event_date"] <= PRESENT.isoformat()).all()
    bes = register[
        (register["plan_id"] == "opq-2019-2023") & (register["indicator_id"] == "1.2.1-b")
    ]
    assert (bes["start_date"] < bes["event_date"]).all()
    plan_years = {f"{y}-{y + 1}" for y in range(2019, 2023)}
    assert {_fy(d) for d in bes["event_date"]} >= plan_years
    rates = register[register["outcome"] != ""]
    assert set(rates["outcome"]) <= set(BOOL)
    assert {BOOL[v] for v in rates["outcome"]} == {True, False}
    orders = register[register["subject"] != ""]["subject"]
    assert orders.str.fullmatch(r"ordre-(0[1-9]|[1-3]\d|4[0-6])").all()
    assert orders.nunique() >= 45  # 46 orders, or 45 if it is the unachieved milestone


def _fy(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{start + 1}"


def test_ophq_register_counts_exist_in_every_started_plan_year(landing):
    root, _ = landing
    register = read_source(root, "activity_register")
    meetings = register[
        (register["plan_id"] == "ophq-2024-2028") & (register["indicator_id"] == "4.1.1")
    ]
    years = {_fy(d) for d in meetings["event_date"]}
    # Plan years started by 2026-10-31: 2024-2025, 2025-2026, 2026-2027.
    assert years >= {"2024-2025", "2025-2026", "2026-2027"}
    assert "2027-2028" not in years


def test_survey_results_for_both_plans(landing):
    root, _ = landing
    surveys = read_source(root, "survey_results")
    ophq = surveys[surveys["plan_id"] == "ophq-2024-2028"]
    assert set(ophq["indicator_id"]) == {"6.1.1"}
    # A survey held in February: 2024-2025 and 2025-2026 are done by 2026-10-31, 2026-2027 not.
    assert {"2024-2025", "2025-2026"} <= set(ophq["fiscal_year"])
    assert "2026-2027" not in set(ophq["fiscal_year"])
    opq = surveys[(surveys["plan_id"] == "opq-2019-2023") & (surveys["indicator_id"] == "3.1.1")]
    assert {f"{y}-{y + 1}" for y in range(2019, 2023)} <= set(opq["fiscal_year"])
    respondents = opq["respondents"].astype(float)
    population = opq["population"].astype(float)
    assert ((respondents > 0) & (respondents <= population)).all()


def test_survey_index_is_drawn_on_its_declared_scale(landing):
    root, _ = landing
    surveys = read_source(root, "survey_results")
    index = surveys[(surveys["plan_id"] == "ophq-2024-2028") & (surveys["indicator_id"] == "6.1.1")]
    # 6.1.1 declares scale 0-100: about 7 on 10 is drawn as about 70 on 100
    values = index["value"].str.replace(",", ".").astype(float)
    assert len(values) >= 2 and values.between(10, 100).all()


def test_a_new_plan_gets_register_rows_and_its_own_pages(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "demo.yaml").write_text(
        """
plan: {id: demo-2025-2027, organisation: Démo, title: Plan, fiscal_years: [2025-2026, 2026-2027]}
indicators:
  - id: "9.9.9"
    enjeu: E
    orientation: O
    objective: Ob
    text_fr: Nombre d'ateliers
    unit: count
    measure: {name: register_count}
    targets:
      2025-2026: {kind: at_least, value: 5}
  - id: "9.9.8"
    enjeu: E
    orientation: O
    objective: Ob
    text_fr: Visiteurs
    unit: count
    measure: {name: distinct_users, params: {pages: [/demo-page]}}
""",
        encoding="utf-8",
    )
    out = tmp_path / "landing"
    generate(out, seed=1, scale=0.05, plans_dir=plans)
    register = read_source(out, "activity_register")
    assert set(zip(register["plan_id"], register["indicator_id"], strict=True)) == {
        ("demo-2025-2027", "9.9.9")
    }
    # at_least 5 gives 5 + one of (-1, 0, 0, 1, 1, 2) workshops in 2025-2026: 4 to 7.
    in_year = register["event_date"].between("2025-04-01", "2026-03-31").sum()
    assert 4 <= in_year <= 7
    events = web_events(out)
    assert events["page_location"].str.contains("/demo-page", regex=False).any()
    assert not events["page_location"].str.contains("/personnes-handicapees/habitation").any()


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale=0)


def test_check_landing_finds_no_file_level_error(landing):
    landing_checks = pytest.importorskip("plan_indicators.sources.landing")
    root, _ = landing
    report = landing_checks.check_landing(root)
    assert report.ok, list(report.problems())

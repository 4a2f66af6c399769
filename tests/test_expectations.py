"""Great Expectations suites: versioned files equal to the contracts, and faults caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from expectations.runner import validate
from expectations.suites import SUITES_DIR, load_suite, write_suites
from plan_indicators.sampledata import generate
from plan_indicators.sources.contracts import CONTRACTS, Column, SourceContract
from plan_indicators.sources.readers import read_source
from plan_indicators.staging import ParquetStagedData

ROOT = Path(__file__).resolve().parents[1]
CSV_SOURCES = sorted(s for s in CONTRACTS if s != "web_analytics")
SUITE_NAMES = sorted(p.stem for p in SUITES_DIR.glob("*.json"))


def failures(outcome) -> set[tuple[str, str, str]]:
    return {(f.severity, f.rule, f.column) for f in outcome.failures}


# ── the files ───────────────────────────────────────────────────────────────────────────────


def test_committed_suites_equal_what_write_suites_produces(tmp_path):
    write_suites(tmp_path)
    written = {p.name: p.read_text("utf-8") for p in tmp_path.glob("*.json")}
    committed = {p.name: p.read_text("utf-8") for p in SUITES_DIR.glob("*.json")}
    assert sorted(written) == sorted(committed)
    for name, text in written.items():
        assert committed[name] == text, f"{name} drifted from the contracts: run write_suites()"


def test_one_suite_per_raw_source_per_staged_source_and_for_results():
    # 12 raw sources + 11 staged (web analytics is staged by DuckDB, never as a frame) + 1 = 24
    assert len(SUITE_NAMES) == 24
    assert {f"raw_{s}" for s in CONTRACTS} | {f"staging_{s}" for s in CSV_SOURCES} | {
        "indicator_result"
    } == set(SUITE_NAMES)


@pytest.mark.parametrize("name", SUITE_NAMES)
def test_every_suite_file_loads_as_gx_expectations(name):
    import great_expectations as gx

    suite = load_suite(name)
    assert suite["name"] == name and suite["meta"]["description"]
    for exp in suite["expectations"]:
        assert exp["meta"]["severity"] in {"error", "warn"}
        assert exp["meta"]["rule"]
        cls = getattr(gx.expectations, "".join(p.capitalize() for p in exp["type"].split("_")))
        cls(**exp["kwargs"])  # raises on an unknown keyword or a bad value


@pytest.mark.parametrize("source", sorted(CONTRACTS))
def test_raw_suites_require_exactly_the_contract_columns(source):
    required = {
        e["kwargs"]["column"]
        for e in load_suite(f"raw_{source}")["expectations"]
        if e["type"] == "expect_column_to_exist"
    }
    assert required == set(CONTRACTS[source].required)


def test_load_suite_returns_a_fresh_copy():
    load_suite("raw_satisfaction_responses")["expectations"].clear()
    assert load_suite("raw_satisfaction_responses")["expectations"]


def test_importing_the_package_does_not_import_gx():
    code = (
        "import sys, expectations.suites, expectations.runner, expectations.checks; "
        "sys.exit('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# ── hand-made frames: the faults named in the contracts ─────────────────────────────────────


def _satisfaction(**overrides) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r3"],
            "response_date": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-07-01"]),
            "score": [8.0, 7.0, 9.0],
            "survey": ["accueil", "accueil", None],  # optional: staged as read, empty allowed
            "question": None,
            "_file": "satisfaction_responses/a.csv",
            "_line": [2, 3, 4],
        }
    )
    for col, values in overrides.items():
        df[col] = values
    return df


def test_clean_frame_passes_raw_and_staging():
    assert failures(validate("raw_satisfaction_responses", _satisfaction())) == set()
    assert failures(validate("staging_satisfaction_responses", _satisfaction())) == set()


def test_score_eleven_is_out_of_range_with_its_sample_and_row():
    outcome = validate("staging_satisfaction_responses", _satisfaction(score=[8.0, 11.0, 9.0]))
    assert outcome.success  # a warning: the reader has already quarantined such rows
    [f] = outcome.warn_failures
    assert (f.rule, f.column, f.sample, f.unexpected_count) == ("out_of_range", "score", [11.0], 1)
    # second row of the frame (index 1) was line 3 of the file
    assert (f.index, f.rows) == ([1], ["satisfaction_responses/a.csv:3"])
    assert "| warn | expect_column_values_to_be_between | score | out_of_range | 1 | 11.0 |" in (
        outcome.markdown()
    )


def test_index_lists_every_unexpected_row_while_the_sample_stops_at_20():
    n = 25
    frame = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "response_date": pd.to_datetime(["2024-05-01"] * n),
            "score": [11.0] * n,
        }
    )
    [f] = validate("raw_satisfaction_responses", frame).warn_failures
    assert (f.unexpected_count, f.index, len(f.sample)) == (25, list(range(25)), 20)


def test_null_key_is_an_error():
    outcome = validate("raw_satisfaction_responses", _satisfaction(response_id=["r1", None, "r3"]))
    assert not outcome.success
    assert failures(outcome) == {("error", "key_not_null", "response_id")}
    assert outcome.error_failures[0].unexpected_count == 1


def test_duplicate_key_warns_with_both_rows():
    outcome = validate(
        "staging_satisfaction_responses", _satisfaction(response_id=["r1", "r1", "r3"])
    )
    assert failures(outcome) == {("warn", "key_unique", "response_id")}
    [f] = outcome.warn_failures
    assert (f.unexpected_count, f.sample, f.rows) == (
        2,
        ["r1", "r1"],
        ["satisfaction_responses/a.csv:2", "satisfaction_responses/a.csv:3"],
    )


def test_date_before_the_first_plan_year_warns():
    dates = pd.to_datetime(["2024-05-01", "2018-03-31", "2024-07-01"])  # one day before 2018-04-01
    outcome = validate("raw_satisfaction_responses", _satisfaction(response_date=dates))
    assert failures(outcome) == {("warn", "date_in_plan_years", "response_date")}
    assert outcome.warn_failures[0].sample == ["2018-03-31"]


def test_missing_column_is_one_error_not_a_crash():
    outcome = validate("raw_satisfaction_responses", _satisfaction().drop(columns=["score"]))
    assert not outcome.success
    # the range expectation on the missing column is not reported a second time
    assert failures(outcome) == {("error", "missing_column", "score")}


def test_unknown_channel_warns():
    requests = pd.DataFrame(
        {
            "request_id": ["a", "b"],
            "received_date": pd.to_datetime(["2024-05-01"] * 2),
            "channel": ["web_form", "pigeon"],
            "requester_id": ["x", "y"],
            "region_code": ["01", "18"],  # regions run 01-17
        }
    )
    outcome = validate("raw_service_requests", requests)
    assert failures(outcome) == {
        ("warn", "allowed_values", "channel"),
        ("warn", "allowed_values", "region_code"),
    }
    assert {f.column: f.sample for f in outcome.warn_failures} == {
        "channel": ["pigeon"],
        "region_code": ["18"],
    }


def test_negative_reach_warns():
    posts = pd.DataFrame(
        {
            "post_id": ["1", "2"],
            "publish_time": pd.to_datetime(["2024-05-01 10:00"] * 2),
            "reach": [1250.0, -3.0],
            "post_type": ["Photo"] * 2,
            "title": ["a", "b"],
        }
    )
    [f] = validate("raw_facebook_posts", posts).warn_failures
    assert (f.rule, f.column, f.sample) == ("out_of_range", "reach", [-3.0])


def test_negative_quantity_and_duplicate_compound_key_warn():
    register = pd.DataFrame(
        {
            "plan_id": ["opq", "opq", "opq"],
            "indicator_id": ["1.1", "1.1", "1.1"],
            "record_id": ["a", "a", "b"],
            "event_date": pd.to_datetime(["2020-05-01"] * 3),
            "quantity": [1.0, 2.0, -1.0],
            "outcome": pd.array([True, None, False], dtype="boolean"),
            "start_date": pd.NaT,
            "subject": None,
            "note": None,
        }
    )
    outcome = validate("raw_activity_register", register)
    assert failures(outcome) == {
        ("warn", "key_unique", "plan_id,indicator_id,record_id"),
        ("warn", "out_of_range", "quantity"),
    }
    by_rule = {f.rule: f for f in outcome.warn_failures}
    assert by_rule["out_of_range"].sample == [-1.0]
    assert by_rule["key_unique"].index == [0, 1]


# ── every raw suite against faults generated from its contract ──────────────────────────────


def _value(col: Column, i: int):
    if col.type in ("date", "yyyymmdd", "mdy_hm"):
        return pd.Timestamp("2024-05-01")
    if col.type == "bool":
        return bool(i % 2)
    if col.type in ("int", "float"):
        return 5.0  # inside every contract range (score 0-10, counts ≥ 0)
    if col.type == "fiscal_year":
        return "2024-2025"
    return col.allowed[0] if col.allowed else f"{col.name}-{i}"


def _clean(contract: SourceContract) -> pd.DataFrame:
    df = pd.DataFrame({c.name: [_value(c, i) for i in range(2)] for c in contract.columns})
    for c in contract.columns:
        if c.type == "bool":
            df[c.name] = df[c.name].astype("boolean")
    return df


def _faults() -> list[tuple[str, str, str, str, object]]:
    """(source, column, rule, severity, bad value) for every rule a contract states."""
    out = []
    for source, contract in CONTRACTS.items():
        for key in contract.key:
            out.append((source, key, "key_not_null", "error", None))
        for c in contract.columns:
            if c.allowed:
                out.append((source, c.name, "allowed_values", "warn", "inconnu"))
            if c.minimum is not None:
                out.append((source, c.name, "out_of_range", "warn", c.minimum - 1))
            if c.maximum is not None:
                out.append((source, c.name, "out_of_range", "warn", c.maximum + 1))
            if c.name == contract.date_column:  # the row's date, the one a year is read from
                out.append((source, c.name, "date_in_plan_years", "warn", "2031-01-01"))
    return out


@pytest.mark.parametrize("source", sorted(CONTRACTS))
def test_clean_contract_frame_passes_its_raw_suite(source):
    assert failures(validate(f"raw_{source}", _clean(CONTRACTS[source]))) == set()


@pytest.mark.parametrize(("source", "column", "rule", "severity", "bad"), _faults())
def test_raw_suite_catches_the_fault(source, column, rule, severity, bad):
    df = _clean(CONTRACTS[source])
    dates = pd.api.types.is_datetime64_any_dtype(df[column])
    df[column] = df[column].astype(object)
    df.loc[1, column] = bad
    if dates:
        df[column] = pd.to_datetime(df[column])
    outcome = validate(f"raw_{source}", df)
    assert failures(outcome) == {(severity, rule, column)}
    [f] = outcome.failures
    assert f.unexpected_count == 1 and f.index == [1]
    if bad is not None:
        assert f.sample == [bad]


@pytest.mark.parametrize("source", sorted(s for s, c in CONTRACTS.items() if c.key))
def test_raw_suite_warns_on_a_duplicate_key(source):
    contract = CONTRACTS[source]
    df = _clean(contract)
    for k in contract.key:
        df.loc[1, k] = df.loc[0, k]
    column = ",".join(contract.key)
    assert failures(validate(f"raw_{source}", df)) == {("warn", "key_unique", column)}


@pytest.mark.parametrize("source", sorted(CONTRACTS))
def test_raw_suite_errors_on_each_missing_required_column(source):
    contract = CONTRACTS[source]
    df = _clean(contract).drop(columns=contract.required)
    assert failures(validate(f"raw_{source}", df)) == {
        ("error", "missing_column", c) for c in contract.required
    }


def test_date_window_is_the_default_catalog_years():
    # data/plans: OPQ 2019-2023 with its 2018-2019 baselines, OPHQ 2024-2028 (2027-2028 ends
    # on 31 March 2028): the dates of date_in_plan_years, given to the suites when they run.
    from expectations.runner import catalog_parameters

    assert catalog_parameters() == {"first_day": "2018-04-01", "last_day": "2028-03-31"}


# ── staging: lineage and types, on what the readers really stage ────────────────────────────


def test_staged_text_dates_are_a_type_error():
    df = _satisfaction(response_date=["2024-05-01", "2024-06-01", "2024-07-01"])
    outcome = validate("staging_satisfaction_responses", df)
    assert ("error", "type", "response_date") in failures(outcome)
    assert not outcome.success


def test_staged_rows_without_a_file_are_an_error():
    df = _satisfaction(_file=["a.csv", None, "a.csv"])
    assert failures(validate("staging_satisfaction_responses", df)) == {
        ("error", "lineage", "_file")
    }


def test_raw_suite_does_not_ask_for_lineage():
    assert failures(validate("raw_satisfaction_responses", _satisfaction().iloc[:, :3])) == set()


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> ParquetStagedData:
    """Sample landing zone → readers → staged Parquet, the way the staging assets do it."""
    root = tmp_path_factory.mktemp("dq")
    generate(root / "landing", seed=7, scale=0.01)
    store = ParquetStagedData(root / "staging")
    for source in CSV_SOURCES:
        store.write(source, read_source(root / "landing", source, pseudonym_key=b"k").frame)
    return store


@pytest.mark.parametrize("source", CSV_SOURCES)
def test_staged_sample_data_passes_its_staging_suite(staged, source):
    frame = staged.frame(source)
    assert len(frame) > 0
    outcome = validate(f"staging_{source}", frame)
    assert failures(outcome) == set(), outcome.markdown()


def test_staged_parquet_with_a_text_column_turned_number_fails_its_type(staged, tmp_path):
    frame = staged.frame("service_requests").copy()
    frame["channel"] = 1.0
    outcome = validate("staging_service_requests", frame)
    assert ("error", "type", "channel") in failures(outcome)


# ── indicator results ───────────────────────────────────────────────────────────────────────


def _results(unit, value, denominator, scale=None, computes=None) -> pd.DataFrame:
    """Result rows as `result_frame` builds them; `scale` (min, max) per row, None off scores,
    `computes` whether each row's measure gives a denominator (default: every percent)."""
    n = len(unit)
    scale = scale or [(0.0, 10.0) if u == "score" else (None, None) for u in unit]
    computes = computes if computes is not None else [u == "percent" for u in unit]
    return pd.DataFrame(
        {
            "plan_id": ["ophq-2024-2028"] * n,
            "indicator_id": [f"{i}" for i in range(n)],
            "fiscal_year": ["2024-2025"] * n,
            "unit": unit,
            "value": value,
            "numerator": [None] * n,
            "denominator": denominator,
            "scale_min": [s[0] for s in scale],
            "scale_max": [s[1] for s in scale],
            "computes_denominator": computes,
        }
    )


def test_clean_results_pass():
    frame = _results(
        ["percent", "count", "score", "days", "date", "percent"],
        [45.5, 12.0, 7.5, 8.2, None, None],  # a percent with no value (no_data) needs nothing
        [200.0, None, None, None, None, None],
    )
    assert failures(validate("indicator_result", frame)) == set()


def test_result_suite_catches_each_bad_value():
    frame = _results(
        ["percent", "count", "percent", "score", "percent"],
        [120.0, -1.0, 50.0, 11.0, 40.0],
        [10.0, None, 0.0, None, None],
    )
    outcome = validate("indicator_result", frame)
    assert failures(outcome) == {
        ("error", "percent_range", "value"),
        ("error", "non_negative", "value"),
        ("error", "score_scale", "scale_max,value"),
        ("error", "denominator_positive", "denominator"),
        ("error", "denominator_present", "denominator"),
    }
    samples = {f.rule: (f.sample, f.index) for f in outcome.error_failures}
    assert samples["percent_range"] == ([120.0], [0])
    assert samples["non_negative"] == ([-1.0], [1])
    # 11 on a 0-10 scale: the pair (scale_max, value) = (10, 11) breaks scale_max ≥ value
    assert samples["score_scale"] == ([[10.0, 11.0]], [3])
    assert samples["denominator_positive"] == ([0.0], [2])
    assert samples["denominator_present"][1] == [4]


def test_a_score_is_checked_against_its_own_scale():
    # An index on 100 (73.1), a note on 10 (7.5) and a net score on -100..100 (-12) are all
    # inside their own scales; 73.1 on a 0-10 scale and -12 on 0-100 are not.
    scales = [(0.0, 100.0), (0.0, 10.0), (-100.0, 100.0), (0.0, 10.0), (0.0, 100.0)]
    frame = _results(["score"] * 5, [73.1, 7.5, -12.0, 73.1, -12.0], [None] * 5, scale=scales)
    outcome = validate("indicator_result", frame)
    by_column = {f.column: (f.sample, f.index) for f in outcome.error_failures}
    assert set(by_column) == {"scale_max,value", "value,scale_min"}
    assert by_column["scale_max,value"] == ([[10.0, 73.1]], [3])
    assert by_column["value,scale_min"] == ([[-12.0, 0.0]], [4])
    assert {f.rule for f in outcome.error_failures} == {"score_scale"}


def test_a_score_without_its_scale_is_an_error():
    frame = _results(["score"], [7.5], [None], scale=[(None, None)])
    assert ("error", "scale_declared", "scale_max") in failures(validate("indicator_result", frame))


def test_a_percent_needs_a_denominator_only_where_its_measure_computes_one():
    # 62.5 % published by a survey firm (survey_value: an aggregate, no denominator) passes;
    # the same value from a share measure without its denominator does not.
    frame = _results(["percent", "percent"], [62.5, 62.5], [None, None], computes=[False, True])
    outcome = validate("indicator_result", frame)
    assert failures(outcome) == {("error", "denominator_present", "denominator")}
    assert outcome.error_failures[0].index == [1]


def test_a_mean_that_computes_a_denominator_needs_it():
    # mean_satisfaction_score: 7.5 = 30 / 4 answers; published without its 4 it is a fault
    frame = _results(["score", "score"], [7.5, 7.5], [4.0, None], computes=[True, True])
    assert failures(validate("indicator_result", frame)) == {
        ("error", "denominator_present", "denominator")
    }


def test_result_suite_without_unit_reports_the_column_not_a_pandas_error():
    frame = _results(["percent"], [50.0], [10.0]).drop(columns=["unit"])
    assert failures(validate("indicator_result", frame)) == {("error", "missing_column", "unit")}


def test_result_frame_takes_unit_scale_and_denominator_from_catalog_and_measures():
    from expectations.suites import RESULT_COLUMNS, result_frame
    from plan_indicators.catalog import load_catalog

    ophq = next(p for p in load_catalog() if p.id == "ophq-2024-2028")
    rows = [
        {"plan_id": ophq.id, "indicator_id": i, "fiscal_year": "2024-2025", "value": v,
         "numerator": None, "denominator": d, "reason": None}
        for i, v, d in (("2.2.1", 7.8, 120.0), ("6.1.1", 73.1, None), ("4.2.1", 75.0, 60.0))
    ]  # fmt: skip
    frame = result_frame(ophq, rows)
    assert tuple(frame.columns) == RESULT_COLUMNS
    got = frame.set_index("indicator_id")[["unit", "scale_min", "scale_max"]]
    assert got.loc["2.2.1"].tolist() == ["score", 0.0, 10.0]  # "note sur 10"
    assert got.loc["6.1.1"].tolist() == ["score", 0.0, 100.0]  # an index on 100
    assert got.loc["4.2.1", "unit"] == "percent"
    # mean_satisfaction_score and share_eligible_processed compute one; survey_value does not
    assert frame["computes_denominator"].tolist() == [True, False, True]
    assert failures(validate("indicator_result", frame)) == set()


# ── no progress bars ────────────────────────────────────────────────────────────────────────


def test_no_progress_bar_reaches_stderr(capfd):
    validate("staging_satisfaction_responses", _satisfaction(score=[8.0, 11.0, 9.0]))
    assert "Calculating Metrics" not in capfd.readouterr().err


def test_a_default_gx_context_would_print_progress_bars(capfd):
    """The test above can fail: GX's own default prints tqdm bars on stderr."""
    import great_expectations as gx

    validate("raw_satisfaction_responses", _satisfaction())  # the shared context exists
    capfd.readouterr()
    ctx = gx.get_context(mode="ephemeral")
    batch_def = (
        ctx.data_sources.add_pandas("default")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = gx.ExpectationSuite(name="bars")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="score"))
    batch_def.get_batch(batch_parameters={"dataframe": _satisfaction()}).validate(suite)
    assert "Calculating Metrics" in capfd.readouterr().err

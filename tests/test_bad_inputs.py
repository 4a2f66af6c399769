"""Bad-input corpus (data-quality issue): every malformed drop has one exact, documented outcome.

Each case writes a landing zone in tmp_path with one bad file (and, where useful, a good file of
the same source) and asserts the exact FileError or quarantine row, that every file reconciles
(rows read = rows staged + rows quarantined) and that the good file loses nothing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plan_indicators.sources.landing import check_landing
from plan_indicators.sources.readers import FileError, read_source
from plan_indicators.sources.web import validate_web_files

KEY = b"bad-inputs-key"

SAT_GOOD = "response_id,response_date,score\nG1,2024-05-01,8\nG2,2024-05-02,9.5\n"
REQ_HEADER = "request_id,received_date,channel,requester_id,region_code\n"
ACT_HEADER = "plan_id,indicator_id,record_id,event_date,quantity,outcome,start_date,subject,note\n"


def write(root, source, name, data: str | bytes, encoding: str = "utf-8"):
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def reconciled(read) -> None:
    """Nothing vanishes: per file, every row read is either staged or quarantined."""
    for f in read.files:
        assert f.rows_read == f.rows_staged + f.rows_quarantined, f


def report(read, name: str):
    return next(f for f in read.files if f.file.endswith("/" + name))


def where(read) -> list[tuple]:
    return [(q.file, q.line, q.column, q.rule, q.value) for q in read.quarantine]


def good_file_intact(read, name: str, rows: int) -> None:
    """The good file of the same drop is fully staged."""
    f = report(read, name)
    assert (f.rows_read, f.rows_staged, f.rows_quarantined) == (rows, rows, 0)
    assert (read.frame["_file"] == f.file).sum() == rows


# 1 ---------------------------------------------------------------------------------------------
def test_truncated_gzip_is_unreadable_and_good_file_still_staged(tmp_path):
    full = gzip.compress(b"response_id,response_date,score\nR1,2024-05-01,7\n" * 50)
    write(tmp_path, "satisfaction_responses", "bad.csv.gz", full[: len(full) // 2])
    write(tmp_path, "satisfaction_responses", "good.csv", SAT_GOOD)
    read = read_source(tmp_path, "satisfaction_responses")
    # Half an archive cannot be gunzipped: whole file refused, no line/column can be named.
    [err] = read.errors
    assert (err.file, err.line, err.column, err.rule) == (
        "satisfaction_responses/bad.csv.gz", None, None, "unreadable",
    )  # fmt: skip
    assert "gzip" in err.message
    bad = report(read, "bad.csv.gz")
    assert (bad.rows_read, bad.rows_staged, bad.rows_quarantined) == (0, 0, 0)  # refused
    reconciled(read)
    good_file_intact(read, "good.csv", 2)  # G1, G2


# 2 ---------------------------------------------------------------------------------------------
def test_zero_byte_file_is_empty_file(tmp_path):
    write(tmp_path, "satisfaction_responses", "empty.csv", b"")
    write(tmp_path, "satisfaction_responses", "good.csv", SAT_GOOD)
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == [
        FileError(
            "satisfaction_responses/empty.csv", None, None, "empty_file", "fichier vide (0 octet)"
        )
    ]
    reconciled(read)
    good_file_intact(read, "good.csv", 2)


# 3 ---------------------------------------------------------------------------------------------
def test_header_only_is_zero_rows_and_no_error(tmp_path):
    write(tmp_path, "satisfaction_responses", "header.csv", "response_id,response_date,score\n")
    read = read_source(tmp_path, "satisfaction_responses")
    # A header with no data is a valid, empty extract (e.g. a month without answers).
    assert read.errors == [] and read.quarantine == []
    f = read.files[0]
    assert (f.rows_read, f.rows_staged, f.rows_quarantined) == (0, 0, 0)
    assert read.frame.empty
    # every contract column, the optional survey and question included, then the lineage
    assert list(read.frame.columns) == [
        "response_id", "response_date", "score", "survey", "question", "_file", "_line",
    ]  # fmt: skip


# 4 ---------------------------------------------------------------------------------------------
def test_windows_1252_accents_survive(tmp_path):
    text = ACT_HEADER + "P1,I1,A1,2024-05-01,1,,,Montréal,Écoute à Québec\n"
    write(tmp_path, "activity_register", "excel.csv", text, encoding="cp1252")
    read = read_source(tmp_path, "activity_register")
    # "é" is byte 0xE9 in cp1252, invalid as UTF-8 → the cp1252 fallback decodes it.
    assert read.errors == [] and read.quarantine == []
    assert read.files[0].encoding == "cp1252"
    assert read.frame["subject"].tolist() == ["Montréal"]
    assert read.frame["note"].tolist() == ["Écoute à Québec"]
    reconciled(read)


# 5 ---------------------------------------------------------------------------------------------
def test_utf8_bom_with_cp1252_bytes_decodes_as_cp1252(tmp_path):
    body = (ACT_HEADER + "P1,I1,A1,2024-05-01,1,,,Montréal,\n").encode("cp1252")
    write(tmp_path, "activity_register", "bom.csv", b"\xef\xbb\xbf" + body)
    read = read_source(tmp_path, "activity_register")
    # csvio.decode documents: strict UTF-8 (BOM allowed) first, else Windows-1252. 0xE9 makes
    # UTF-8 fail, so the file is cp1252; the BOM is a marker, not part of the first header
    # ("plan_id"), so the file must read like test 4, not be refused for a missing plan_id.
    assert read.errors == []
    assert read.files[0].encoding == "cp1252"
    assert read.frame["plan_id"].tolist() == ["P1"]
    assert read.frame["subject"].tolist() == ["Montréal"]
    reconciled(read)


# 6 ---------------------------------------------------------------------------------------------
def test_mixed_separators_rows_quarantined_field_count(tmp_path):
    text = (
        "response_id,response_date,score\n"  # header: 2 commas, 0 ';' → ',' file
        "R1,2024-05-01,7\n"  # line 2: 3 fields
        "R2;2024-05-02;8\n"  # line 3: 1 field under ',' → field_count
        "R3,2024-05-03,9\n"  # line 4
        "R4;2024-05-04;6\n"  # line 5: 1 field
    )
    write(tmp_path, "satisfaction_responses", "mixed.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == []
    f = "satisfaction_responses/mixed.csv"
    assert where(read) == [(f, 3, None, "field_count", None), (f, 5, None, "field_count", None)]
    assert read.quarantine[0].reason == "1 champs au lieu de 3"
    assert read.frame["response_id"].tolist() == ["R1", "R3"]
    r = read.files[0]
    assert (r.rows_read, r.rows_staged, r.rows_quarantined) == (4, 2, 2)  # 4 = 2 + 2
    reconciled(read)


# 7 ---------------------------------------------------------------------------------------------
def test_decimal_comma_in_comma_file(tmp_path):
    text = (
        "response_id,response_date,score\n"
        "R1,2024-05-01,7,5\n"  # line 2: unquoted → 4 fields, header has 3 → field_count
        'R2,2024-05-02,"7,5"\n'  # line 3: quoted; "7,5" is not n,nnn thousands → number_format
        "R3,2024-05-03,7.5\n"  # line 4: fine
    )
    write(tmp_path, "satisfaction_responses", "dec.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    f = "satisfaction_responses/dec.csv"
    assert where(read) == [
        (f, 2, None, "field_count", None),
        (f, 3, "score", "number_format", "7,5"),
    ]
    assert read.quarantine[0].reason == "4 champs au lieu de 3"
    assert read.frame["score"].tolist() == [7.5]
    reconciled(read)


# 8 ---------------------------------------------------------------------------------------------
def test_missing_required_column_names_it(tmp_path):
    write(
        tmp_path,
        "service_requests",
        "nochannel.csv",
        "request_id,received_date,region_code\nQ1,2024-05-01,06\n",
    )
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    assert read.errors == [
        FileError(
            "service_requests/nochannel.csv",
            1,  # the header line
            "channel",
            "missing_column",
            "colonne obligatoire absente : channel",
        )
    ]
    assert read.frame.empty
    reconciled(read)


# 9 ---------------------------------------------------------------------------------------------
def test_extra_unknown_column_accepted_with_warning(tmp_path):
    write(
        tmp_path,
        "satisfaction_responses",
        "extra.csv",
        "response_id,response_date,score,commentaire\nR1,2024-05-01,7,Très bien\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == [] and read.quarantine == []
    assert read.files[0].warnings == ["colonne inconnue ignorée : 'commentaire'"]
    assert read.frame["score"].tolist() == [7.0]
    assert "commentaire" not in read.frame.columns
    reconciled(read)


# 10 --------------------------------------------------------------------------------------------
def test_duplicated_key_second_row_quarantined(tmp_path):
    write(tmp_path, "satisfaction_responses", "a.csv", SAT_GOOD)
    write(
        tmp_path,
        "satisfaction_responses",
        "b.csv",
        "response_id,response_date,score\nG2,2024-06-01,3\nR9,2024-06-02,4\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    # Files are read in name order: a.csv line 3 holds G2 first, so b.csv line 2 is the duplicate.
    assert where(read) == [
        ("satisfaction_responses/b.csv", 2, "response_id", "duplicate_key", "G2")
    ]
    assert read.quarantine[0].reason == (
        "clé en double, première occurrence : satisfaction_responses/a.csv:3"
    )
    reconciled(read)
    good_file_intact(read, "a.csv", 2)
    assert sorted(read.frame["response_id"]) == ["G1", "G2", "R9"]  # 3 staged = 2 + 1


# 11-13 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["2024/05/01", "01/05/2024", "May 1, 2024"])
def test_other_date_formats_quarantined(tmp_path, raw):
    cell = f'"{raw}"' if "," in raw else raw  # "May 1, 2024" must be quoted in a ',' file
    write(
        tmp_path,
        "satisfaction_responses",
        "dates.csv",
        f"response_id,response_date,score\nR1,{cell},7\nR2,2024-05-01,8\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    # Only AAAA-MM-JJ is a date; "01/05/2024" is ambiguous (Jan 5 or May 1), so never guessed.
    assert where(read) == [
        ("satisfaction_responses/dates.csv", 2, "response_date", "date_format", raw)
    ]
    assert read.quarantine[0].reason == "response_date: date attendue AAAA-MM-JJ"
    assert read.frame["response_id"].tolist() == ["R2"]
    reconciled(read)


# 14 --------------------------------------------------------------------------------------------
def test_date_outside_plan_years_staged_but_warned(tmp_path):
    from expectations.runner import validate

    write(
        tmp_path,
        "satisfaction_responses",
        "old.csv",
        "response_id,response_date,score\nR1,1999-05-01,7\nR2,2024-05-01,8\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    # A well-formed date is the reader's business; plausibility is the expectation suite's.
    assert read.quarantine == [] and len(read.frame) == 2
    outcome = validate("raw_satisfaction_responses", read.frame)
    assert outcome.error_failures == []
    [warn] = [f for f in outcome.warn_failures if f.rule == "date_in_plan_years"]
    assert warn.column == "response_date"
    assert warn.unexpected_count == 1  # only 1999-05-01 < 2018-04-01 (the catalog's first day)
    assert warn.rows == ["satisfaction_responses/old.csv:2"]
    reconciled(read)


# 15 --------------------------------------------------------------------------------------------
def test_negative_reach_out_of_range(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "posts.csv",
        "Post ID,Publish time,Reach,Title\n"
        "122158000001,05/01/2024 14:30,-5,Négatif\n"
        "122158000002,05/02/2024 10:00,120,Correct\n",
    )
    read = read_source(tmp_path, "facebook_posts")
    assert where(read) == [("facebook_posts/posts.csv", 2, "reach", "out_of_range", "-5")]
    assert read.quarantine[0].reason == "reach: valeur inférieure au minimum 0"
    assert read.frame["post_id"].tolist() == ["122158000002"]
    reconciled(read)


# 16 --------------------------------------------------------------------------------------------
def test_score_eleven_out_of_range(tmp_path):
    write(
        tmp_path,
        "satisfaction_responses",
        "s.csv",
        "response_id,response_date,score\nR1,2024-05-01,11\nR2,2024-05-01,10\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    # 11 > maximum 10; 10 is the inclusive bound, so R2 is staged.
    assert where(read) == [("satisfaction_responses/s.csv", 2, "score", "out_of_range", "11")]
    assert read.quarantine[0].reason == "score: valeur supérieure au maximum 10"
    assert read.frame["score"].tolist() == [10.0]
    reconciled(read)


# 17 --------------------------------------------------------------------------------------------
def test_unknown_channel_allowed_values(tmp_path):
    write(
        tmp_path,
        "service_requests",
        "r.csv",
        REQ_HEADER + "Q1,2024-05-01,pigeon,,06\nQ2,2024-05-01,email,,06\n",
    )
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    # A source with a personal column withholds every rejected cell: "pigeon" → its shape only.
    assert where(read) == [("service_requests/r.csv", 2, "channel", "allowed_values", None)]
    assert read.quarantine[0].reason == (
        "channel: valeur hors de la liste permise (valeur masquée, forme 'AAAAAA')"
    )
    assert read.frame["request_id"].tolist() == ["Q2"]
    reconciled(read)


# 18 --------------------------------------------------------------------------------------------
def test_maybe_boolean_bool_value(tmp_path):
    write(
        tmp_path,
        "coordination_requests",
        "c.csv",
        "request_id,region_code,received_date,eligible,processed_date\n"
        "C1,06,2024-05-01,peut-être,\nC2,06,2024-05-01,oui,\n",
    )
    read = read_source(tmp_path, "coordination_requests")
    assert where(read) == [
        ("coordination_requests/c.csv", 2, "eligible", "bool_value", "peut-être")
    ]
    assert read.frame["eligible"].tolist() == [True]
    reconciled(read)


# 19 --------------------------------------------------------------------------------------------
def test_offer_for_unknown_request_quarantined_in_staging(tmp_path):
    import dagster as dg

    from orchestration.definitions import build_definitions
    from plan_indicators.warehouse import engine_for, table_rows

    landing, staging = tmp_path / "landing", tmp_path / "staging"
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    write(landing, "service_requests", "req.csv", REQ_HEADER + "Q1,2024-05-01,email,,06\n")
    write(
        landing,
        "service_offers",
        "off.csv",
        "offer_id,request_id,offer_date,offer_kind,response,response_date\n"
        "O1,Q1,2024-05-02,initial,accepted,2024-05-03\n"
        "O2,Q404,2024-05-02,initial,pending,\n",  # line 3: Q404 is in no request file
    )
    defs = build_definitions(
        None, landing=str(landing), warehouse_url=url, staging=str(staging), pseudonym_key="k"
    )
    keys = [
        dg.AssetKey([layer, src])
        for src in ("service_requests", "service_offers")
        for layer in ("raw", "staging")
    ]
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025", asset_selection=keys, raise_on_error=False
    )
    assert result.success
    rows = [
        (r["source"], r["file"], r["line"], r["column_name"], r["rule"], r["value"])
        for r in table_rows(engine_for(url), "quarantine")
    ]
    assert rows == [
        ("service_offers", "service_offers/off.csv", 3, "request_id", "unknown_request", "Q404")
    ]
    # The quarantined row names the version of the file it came from (its SHA-256).
    on_disk = hashlib.sha256((landing / "service_offers" / "off.csv").read_bytes()).hexdigest()
    assert [r["file_checksum"] for r in table_rows(engine_for(url), "quarantine")] == [on_disk]


# 20 --------------------------------------------------------------------------------------------
def test_ten_megabyte_note_is_read_and_staged(tmp_path):
    big = "x" * (10 * 1024 * 1024)
    write(
        tmp_path,
        "activity_register",
        "big.csv",
        ACT_HEADER + f"P1,I1,A1,2024-05-01,1,,,,{big}\nP1,I1,A2,2024-05-02,2,,,,court\n",
    )
    read = read_source(tmp_path, "activity_register")
    # No size limit is documented for text cells (contracts.py, csvio.py), so a long note is
    # staged whole; above all it must not refuse the file or crash.
    assert read.errors == [] and read.quarantine == []
    assert read.frame["record_id"].tolist() == ["A1", "A2"]
    assert len(read.frame["note"].iloc[0]) == 10 * 1024 * 1024
    reconciled(read)


# 21-22 -----------------------------------------------------------------------------------------
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize("title", [FORMULA, SCRIPT])
def test_hostile_text_staged_verbatim_and_escaped_in_report(tmp_path, title):
    from plan_indicators.report import render_report
    from plan_indicators.warehouse import (
        create_schema,
        dim_indicator,
        dim_plan,
        engine_for,
    )

    quoted = '"' + title.replace('"', '""') + '"'
    write(
        tmp_path,
        "facebook_posts",
        "p.csv",
        f"Post ID,Publish time,Reach,Title\n122158000001,05/01/2024 14:30,10,{quoted}\n",
    )
    read = read_source(tmp_path, "facebook_posts")
    # Staged as plain text: the reader neither runs, strips nor rewrites it.
    assert read.quarantine == [] and read.frame["title"].tolist() == [title]

    engine = engine_for(f"sqlite:///{tmp_path / 'wh.db'}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(
            dim_plan.insert(),
            {
                "plan_id": "P",
                "organisation": "Org",
                "title": "Plan",
                "first_fiscal_year": "2024-2025",
                "last_fiscal_year": "2024-2025",
            },
        )
        conn.execute(
            dim_indicator.insert(),
            {
                "plan_id": "P",
                "indicator_id": "1.1",
                "text_fr": read.frame["title"].iloc[0],
                "unit": "count",
                "direction": "increase",
                "measure": "m",
            },
        )
    page = render_report(engine, generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert html.escape(title, quote=True) in page
    assert title not in page  # both contain < or ' which must never appear unescaped
    assert "<script>" not in page


# 23 --------------------------------------------------------------------------------------------
def test_post_id_in_scientific_notation_refuses_file(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "excel.csv",
        "Post ID,Publish time,Reach\n"
        "122158000001,05/01/2024 14:30,10\n"
        "1.22158E+14,05/02/2024 14:30,10\n",  # line 3: Excel rounded the id away
    )
    read = read_source(tmp_path, "facebook_posts")
    [err] = read.errors
    assert (err.file, err.line, err.column, err.rule) == (
        "facebook_posts/excel.csv", 3, "post_id", "scientific_notation_id",
    )  # fmt: skip
    assert "'Post ID'" in err.message and "'1.22158E+14'" in err.message
    assert read.frame.empty  # the whole file is refused, even its good line 2
    reconciled(read)


# 24 --------------------------------------------------------------------------------------------
def test_web_parquet_without_user_pseudo_id(tmp_path):
    folder = tmp_path / "web_analytics"
    folder.mkdir()
    table = pa.table(
        {
            "event_date": ["20240501"],
            "event_timestamp": [1714560000000000],
            "event_name": ["page_view"],
            "page_location": ["https://www.quebec.ca/"],
        }
    )
    pq.write_table(table, folder / "events.parquet")
    assert validate_web_files(tmp_path) == [
        FileError(
            "web_analytics/events.parquet",
            1,
            "user_pseudo_id",
            "missing_column",
            "colonne obligatoire absente : user_pseudo_id",
        )
    ]


# 25 --------------------------------------------------------------------------------------------
def test_requester_id_never_leaks(tmp_path, capsys):
    from orchestration.cli import main

    secret = "NAS-123-456-789"
    write(
        tmp_path,
        "service_requests",
        "r.csv",
        REQ_HEADER
        + f"Q1,2024-05-01,email,{secret},06\n"  # staged
        + f"Q2,2024-05-01,pigeon,{secret},06\n"  # allowed_values on channel
        + f"Q3,2024/05/01,email,{secret},06\n"  # date_format
        + f"Q1,2024-05-02,email,{secret},06\n"  # duplicate_key
        + f"Q5,2024-05-02,email,{secret},99\n"  # allowed_values on region_code
        + f"Q6,2024-05-02,email,{secret}\n",  # field_count
    )
    write(tmp_path, "service_requests", "x.csv", f"request_id,requester_id\nQ9,{secret}\n")
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    assert len(read.quarantine) == 5 and len(read.errors) == 2  # x.csv lacks 2 columns
    texts = [str(q) for q in read.quarantine] + [str(e) for e in read.errors]
    texts += [str(read.frame.to_dict("records"))]
    landing = check_landing(tmp_path)
    texts += landing.problems()
    assert main(["check-landing", str(tmp_path)]) == 1
    texts.append(capsys.readouterr().out)
    assert all(secret not in t for t in texts)
    assert read.frame["requester_id"].iloc[0] != secret
    reconciled(read)


# 26 --------------------------------------------------------------------------------------------
def test_check_landing_cli_exit_codes_and_locations(tmp_path, capsys):
    from orchestration.cli import main

    rows_only = tmp_path / "rows_only"
    write(
        rows_only,
        "satisfaction_responses",
        "s.csv",
        "response_id,response_date,score\nR1,2024-05-01,11\nR2,2024-05-01,8\n",
    )
    assert main(["check-landing", str(rows_only)]) == 0  # quarantined rows only: exit 0, not OK
    out = capsys.readouterr().out.splitlines()
    assert (
        "WARN satisfaction_responses/s.csv:2:score: out_of_range: "
        "score: valeur supérieure au maximum 10 (valeur '11')"
    ) in out
    assert out[-1] == "landing zone NOT OK: 1 row(s) quarantined"

    file_level = tmp_path / "file_level"
    write(
        file_level,
        "service_requests",
        "r.csv",
        "request_id,received_date,region_code\nQ1,2024-05-01,06\n",
    )
    assert main(["check-landing", str(file_level)]) == 1  # a refused file
    out = capsys.readouterr().out.splitlines()
    assert (
        "ERROR service_requests/r.csv:1:channel: missing_column: "
        "colonne obligatoire absente : channel"
    ) in out
    assert out[-1] == "landing zone NOT OK: 1 file(s) refused"


def test_reconciliation_helper_can_fail(tmp_path):
    """The helper used everywhere above really checks something."""
    write(tmp_path, "satisfaction_responses", "s.csv", SAT_GOOD)
    read = read_source(tmp_path, "satisfaction_responses")
    read.files[0].rows_staged -= 1
    with pytest.raises(AssertionError):
        reconciled(read)
    assert isinstance(read.frame, pd.DataFrame)


# 28 --------------------------------------------------------------------------------------------
def sat_file(rows: int, bad_row: int | None = None) -> str:
    """A satisfaction file of `rows` rows (header = line 1, row i on line i + 1); the bad row's
    id opens a quote that never closes."""
    lines = ["response_id,response_date,score"]
    for i in range(1, rows + 1):
        cell = f"SAT-{i:05d}"
        lines.append(('"' if i == bad_row else "") + f"{cell},2024-04-{i % 28 + 1:02d},7.5")
    return "\n".join(lines) + "\n"


def test_unclosed_quote_in_870_row_file_refuses_it_naming_the_line(tmp_path):
    write(tmp_path, "satisfaction_responses", "s.csv", sat_file(870, bad_row=9))
    write(tmp_path, "satisfaction_responses", "good.csv", SAT_GOOD)
    read = read_source(tmp_path, "satisfaction_responses")
    # Before: 9 rows read (8 staged + 1 quarantined record holding lines 10-871), so
    # 870 - 9 = 861 rows vanished while rows_read = staged + quarantined held.
    # Now: the quote opened on line 10 (row 9 + header) never closes → the file is refused.
    [err] = read.errors
    assert (err.file, err.line, err.column, err.rule) == (
        "satisfaction_responses/s.csv", 10, "response_id", "unclosed_quote",
    )  # fmt: skip
    assert "ligne 10" in err.message and "fin du fichier (ligne 871)" in err.message
    bad = report(read, "s.csv")
    assert (bad.rows_read, bad.rows_staged, bad.rows_quarantined, bad.refused) == (0, 0, 0, True)
    reconciled(read)
    good_file_intact(read, "good.csv", 2)


# 29 --------------------------------------------------------------------------------------------
def test_quote_closed_lines_later_in_a_date_column_names_where_it_opened(tmp_path):
    text = (
        "response_id,response_date,score\n"
        "R1,2024-05-01,7\n"
        'R2,"2024-05-02,8\n'  # line 3: quote opens in response_date
        "R3,2024-05-03,9\n"  # line 4: swallowed
        'R4,"2024-05-04",6\n'  # line 5: its opening quote closes line 3's cell, then text
    )
    write(tmp_path, "satisfaction_responses", "s.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    [err] = read.errors
    assert (err.line, err.column, err.rule) == (3, "response_date", "unclosed_quote")
    assert "refermé seulement ligne 5" in err.message


# 30 --------------------------------------------------------------------------------------------
def test_line_break_in_a_date_cell_is_an_unclosed_quote(tmp_path):
    text = 'response_id,response_date,score\nR1,2024-05-01,7\nR2,"2024-05-02\n",8\n'
    write(tmp_path, "satisfaction_responses", "s.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    # A well-formed quoted cell, but a date cannot hold a line break: the quote belonged to
    # line 3 and the row spans lines 3-4.
    [err] = read.errors
    assert (err.line, err.column, err.rule) == (3, "response_date", "unclosed_quote")
    assert "ne peut pas en contenir" in err.message


# 31 --------------------------------------------------------------------------------------------
def test_multiline_note_is_staged_and_its_lines_reconcile(tmp_path):
    text = (
        ACT_HEADER  # line 1
        + 'P1,I1,A1,2024-05-01,1,,,,"première ligne\n'  # line 2, note opens
        + "deuxième ligne\r\n"  # line 3 (CRLF inside the cell)
        + 'fin"\n'  # line 4, note closes
        + "\n"  # line 5: blank
        + "P1,I1,A2,2024-05-02,1,,,,court\n"  # line 6
    )
    write(tmp_path, "activity_register", "a.csv", text)
    read = read_source(tmp_path, "activity_register")
    assert read.errors == [] and read.quarantine == []
    assert read.frame["_line"].tolist() == [2, 6]
    assert read.frame["note"].iloc[0] == "première ligne\ndeuxième ligne\r\nfin"
    f = read.files[0]
    # 6 physical lines = 1 header + 1 blank + 2 rows + 2 line breaks inside the note
    assert (f.lines, f.header_lines, f.blank_lines, f.rows_read, f.continued_lines) == (
        6, 1, 1, 2, 2,
    )  # fmt: skip
    assert f.lines_mismatch() is None


# 32 --------------------------------------------------------------------------------------------
def test_note_quote_that_swallows_whole_rows_is_refused(tmp_path):
    text = (
        ACT_HEADER
        + 'P1,I1,A1,2024-05-01,1,,,,"la note commence\n'  # line 2: note opens, never closed
        + "P1,I1,A2,2024-05-02,1,,,,x\n"  # line 3: a whole row (8 commas) swallowed
        + 'P1,I1,A3,2024-05-03,1,,,,y"\n'  # line 4: its quote "closes" the note
    )
    write(tmp_path, "activity_register", "a.csv", text)
    read = read_source(tmp_path, "activity_register")
    # Well-formed CSV, 9 cells, note is free text: but line 3 has the 8 separators of a row.
    [err] = read.errors
    assert (err.line, err.column, err.rule) == (2, "note", "unclosed_quote")
    assert "englobe la ligne 3" in err.message
    assert read.frame.empty


# 33 --------------------------------------------------------------------------------------------
def test_text_after_closing_quote_is_malformed_quote(tmp_path):
    text = 'response_id,response_date,score\nR1,2024-05-01,7\nR2,2024-05-02,"8"5\n'
    write(tmp_path, "satisfaction_responses", "s.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    [err] = read.errors
    assert (err.line, err.column, err.rule) == (3, "score", "malformed_quote")


# 34 --------------------------------------------------------------------------------------------
def test_unclosed_quote_fails_the_raw_asset_and_check_landing_alike(tmp_path, capsys):
    import dagster as dg

    from orchestration.cli import main
    from orchestration.definitions import build_definitions

    landing = tmp_path / "landing"
    write(landing, "satisfaction_responses", "s.csv", sat_file(30, bad_row=9))
    assert main(["check-landing", str(landing)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "ERROR satisfaction_responses/s.csv:10:response_id: unclosed_quote: guillemet ouvert "
        "ligne 10 (cellule 1) jamais refermé"
    )
    defs = build_definitions(
        None,
        landing=str(landing),
        warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}",
        staging=str(tmp_path / "staging"),
        pseudonym_key="k",
    )
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025",
        asset_selection=[dg.AssetKey(["raw", "satisfaction_responses"])],
        raise_on_error=False,
    )
    [check] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "file_contract"
    ]
    assert not check.passed
    assert check.description.startswith(
        "satisfaction_responses/s.csv line 10 column response_id: guillemet ouvert ligne 10"
    )


# 35 --------------------------------------------------------------------------------------------
def test_line_reconciliation_catches_a_lost_line(tmp_path):
    from plan_indicators.sources.landing import reconciliation_faults

    text = "response_id,response_date,score\r\nR1,2024-05-01,7\r\n\r\n  \r\nR2,2024-05-02,8\r\n"
    write(tmp_path, "satisfaction_responses", "s.csv", text)
    read = read_source(tmp_path, "satisfaction_responses")
    f = read.files[0]
    # 5 physical lines = 1 header + 2 blank (empty, spaces only) + 2 rows + 0 continued
    assert (f.lines, f.blank_lines, f.rows_read, f.continued_lines) == (5, 2, 2, 0)
    assert reconciliation_faults(read.files) == []
    f.blank_lines -= 1  # a line that no count holds, as a swallowing reader would leave
    [fault] = reconciliation_faults(read.files)
    assert (fault.file, fault.rule) == ("satisfaction_responses/s.csv", "rows_not_reconciled")
    assert fault.message.startswith("5 lignes physiques, 4 comptées")


def xlsx(root, source, name, rows, sheet="Feuil1", extra_sheets=()):
    """A workbook written with openpyxl: `rows` of Python values (None = empty cell)."""
    import openpyxl

    folder = root / source
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(list(r))
    for other in extra_sheets:
        wb.create_sheet(other).append(["autre"])
    path = folder / name
    wb.save(path)
    return path


# 36 --------------------------------------------------------------------------------------------
def test_every_entry_not_read_is_named(tmp_path, capsys):
    from orchestration.cli import main

    sat = tmp_path / "satisfaction_responses"
    write(tmp_path, "satisfaction_responses", "good.csv", SAT_GOOD)
    write(tmp_path, "satisfaction_responses", "notes.txt", SAT_GOOD)
    write(tmp_path, "satisfaction_responses", "~$mai.xlsx", b"lock")
    write(tmp_path, "satisfaction_responses", ".~lock.mai.xlsx#", b"lock")
    write(tmp_path, "satisfaction_responses", ".DS_Store", b"x")
    write(sat, "2023", "old.csv", SAT_GOOD)  # a sub-folder
    (sat / "gone.csv").symlink_to(tmp_path / "nowhere.csv")  # dangling link
    write(tmp_path, "satisfation_responses", "typo.csv", SAT_GOOD)  # misspelt source folder
    (tmp_path / "readme.md").write_text("x")
    report = check_landing(tmp_path)
    assert report.ok  # nothing refused: all warnings, each named
    s = "satisfaction_responses"
    assert [(e.file, e.rule) for e in report.ignored] == [
        ("readme.md", "stray_file"),
        ("satisfation_responses", "unknown_folder"),
        (f"{s}/.DS_Store", "hidden_file"),
        (f"{s}/.~lock.mai.xlsx#", "lock_file"),
        (f"{s}/2023", "subfolder"),
        (f"{s}/gone.csv", "broken_link"),
        (f"{s}/notes.txt", "unknown_extension"),
        (f"{s}/~$mai.xlsx", "lock_file"),
    ]
    assert (
        f"WARN {s}/notes.txt:-:-: unknown_extension: extension non lue (.txt) : formats lus "
        ".csv, .csv.gz, .xlsx"
    ) in report.problems()
    assert main(["check-landing", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "landing zone OK, 8 entries not read (see WARN lines)"
    assert sum(line.startswith("WARN ") for line in out) == 8
    good_file_intact(read_source(tmp_path, s), "good.csv", 2)


# 37 --------------------------------------------------------------------------------------------
def test_workbook_read_with_the_same_contract(tmp_path):
    xlsx(
        tmp_path,
        "satisfaction_responses",
        "sondage.xlsx",
        [
            [None, None, None],  # row 1: empty, a blank line before the header
            ["response_id", "response_date", "score"],  # row 2: header
            ["X1", dt.date(2024, 5, 1), 8],  # row 3: real date cell, number
            ["X2", dt.datetime(2024, 5, 2, 0, 0), 7.5],  # row 4: date-time cell
            ["X3", 45415, "9"],  # row 5: serial, 2024-05-03 − 1899-12-30 = 45415 days; text score
            ["X4", "2024-05-04", 6],  # row 6: ISO text date, as in a CSV
            [None, None, None],  # row 7: blank
            ["X5", "04/05/2024", 6],  # row 8: ambiguous text date → date_format
            ["X6", dt.date(2024, 5, 6), "#DIV/0!"],  # row 9: an Excel error cell
            ["X7", dt.date(2024, 5, 7), 5, "décalé"],  # row 10: value without a header (D)
        ],
        extra_sheets=["Notes"],
    )
    read = read_source(tmp_path, "satisfaction_responses")
    f = "satisfaction_responses/sondage.xlsx"
    assert read.errors == []
    assert [(q.file, q.sheet, q.line, q.column, q.rule, q.value) for q in read.quarantine] == [
        (f, "Feuil1", 8, "response_date", "date_format", "04/05/2024"),
        (f, "Feuil1", 9, "score", "cell_error", "#DIV/0!"),
        (f, "Feuil1", 10, None, "field_count", None),
    ]
    assert read.quarantine[1].reason == (
        "score: cellule en erreur dans le classeur (#DIV/0!) (cellule C9, colonne « score »)"
    )
    assert read.quarantine[2].reason == "valeur hors des colonnes de l'en-tête (colonne D)"
    assert read.frame["response_id"].tolist() == ["X1", "X2", "X3", "X4"]
    assert read.frame["response_date"].dt.day.tolist() == [1, 2, 3, 4]  # May 1-4 2024
    assert read.frame["score"].tolist() == [8.0, 7.5, 9.0, 6.0]
    assert read.frame["_line"].tolist() == [3, 4, 5, 6]  # sheet rows
    r = read.files[0]
    # 10 sheet rows = 1 header + 2 blank (rows 1, 7) + 7 rows read; 7 = 4 staged + 3 quarantined
    assert (r.sheet, r.lines, r.header_lines, r.blank_lines, r.rows_read) == (
        "Feuil1", 10, 1, 2, 7,
    )  # fmt: skip
    assert (r.rows_staged, r.rows_quarantined, r.lines_mismatch()) == (4, 3, None)
    assert r.warnings == ["feuille(s) non lue(s) : 'Notes' (lue : 'Feuil1')"]
    lines = check_landing(tmp_path).problems()
    assert (
        f"WARN {f}[Feuil1]:9:score: cell_error: score: cellule en erreur dans le classeur "
        "(#DIV/0!) (cellule C9, colonne « score ») (valeur '#DIV/0!')"
    ) in lines


# 38 --------------------------------------------------------------------------------------------
def test_workbook_sheet_named_by_the_contract(tmp_path, monkeypatch):
    import dataclasses

    from plan_indicators.sources import contracts

    named = dataclasses.replace(contracts.CONTRACTS["satisfaction_responses"], sheet="Réponses")
    monkeypatch.setitem(contracts.CONTRACTS, "satisfaction_responses", named)
    xlsx(tmp_path, "satisfaction_responses", "a.xlsx", [["x"]], extra_sheets=["Autre"])
    read = read_source(tmp_path, "satisfaction_responses")
    [err] = read.errors
    assert (err.file, err.sheet, err.line, err.column, err.rule) == (
        "satisfaction_responses/a.xlsx", "Réponses", None, None, "missing_sheet",
    )  # fmt: skip
    assert err.message == "feuille 'Réponses' absente (feuilles : 'Feuil1', 'Autre')"
    xlsx(
        tmp_path,
        "satisfaction_responses",
        "a.xlsx",
        [["lisez-moi"]],
        extra_sheets=["Réponses"],
    )
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "satisfaction_responses" / "a.xlsx")
    ws = wb["Réponses"]
    ws.delete_rows(1)
    ws.append(["response_id", "response_date", "score"])
    ws.append(["Y1", dt.date(2024, 6, 1), 4])
    wb.save(tmp_path / "satisfaction_responses" / "a.xlsx")
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == [] and read.frame["response_id"].tolist() == ["Y1"]
    assert read.files[0].sheet == "Réponses"


# 39 --------------------------------------------------------------------------------------------
def test_workbook_post_ids_as_numbers(tmp_path):
    head = ["Post ID", "Publish time", "Reach"]
    when = dt.datetime(2024, 5, 1, 14, 30)
    xlsx(tmp_path, "facebook_posts", "a.xlsx", [head, [122158000000544, when, 1250]])
    read = read_source(tmp_path, "facebook_posts")
    # 15 digits: Excel keeps the number whole, read back as its digits
    assert read.errors == [] and read.frame["post_id"].tolist() == ["122158000000544"]
    assert read.frame["publish_time"].tolist() == [pd.Timestamp("2024-05-01 14:30")]
    xlsx(tmp_path, "facebook_posts", "a.xlsx", [head, [1221580000000544, when, 1250]])
    read = read_source(tmp_path, "facebook_posts")
    # 16 digits: Excel kept 15 significant digits, the id no longer joins → file refused
    [err] = read.errors
    assert (err.sheet, err.line, err.column, err.rule) == (
        "Feuil1", 2, "post_id", "scientific_notation_id",
    )  # fmt: skip


# 40 --------------------------------------------------------------------------------------------
def test_workbook_in_web_analytics_is_refused(tmp_path):
    from plan_indicators.sources.web import stage_web_analytics

    xlsx(tmp_path, "web_analytics", "events.xlsx", [["event_date"], ["20240501"]])
    report = check_landing(tmp_path)
    assert [(e.file, e.line, e.column, e.rule) for e in report.errors] == [
        ("web_analytics/events.xlsx", None, None, "unsupported_format")
    ]
    assert report.summary() == "landing zone NOT OK: 1 file(s) refused"
    with pytest.raises(ValueError, match="unsupported_format"):
        stage_web_analytics(tmp_path, "2024-2025", tmp_path / "out.parquet", ["/"])


# 41 --------------------------------------------------------------------------------------------
def test_corrupt_workbook_is_unreadable(tmp_path):
    write(tmp_path, "satisfaction_responses", "faux.xlsx", b"PK\x03\x04 not really a zip")
    write(tmp_path, "satisfaction_responses", "good.csv", SAT_GOOD)
    read = read_source(tmp_path, "satisfaction_responses")
    [err] = read.errors
    assert (err.file, err.line, err.column, err.rule) == (
        "satisfaction_responses/faux.xlsx", None, None, "unreadable",
    )  # fmt: skip
    good_file_intact(read, "good.csv", 2)
    reconciled(read)


# 42-45 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "cell", "rule"),
    [
        ("facebook_posts", "1221580000000544.0", "decimal_id"),
        ("facebook_posts", "'1221580000000544", "apostrophe_id"),
        ("facebook_post_topics", "1221580000000544.0", "decimal_id"),
        ("facebook_post_topics", "'1221580000000544", "apostrophe_id"),
    ],
)
def test_excel_mangled_post_ids_refuse_the_file(tmp_path, source, cell, rule):
    if source == "facebook_posts":
        text = (
            "Post ID,Publish time,Reach\n122158000001,05/01/2024 14:30,10\n"
            f"{cell},05/02/2024 14:30,1\n"
        )
    else:
        text = f"post_id,informs_programs\n122158000001,oui\n{cell},non\n"
    write(tmp_path, source, "x.csv", text)
    read = read_source(tmp_path, source)
    [err] = read.errors
    assert (err.file, err.line, err.column, err.rule) == (f"{source}/x.csv", 3, "post_id", rule)
    assert repr(cell) in err.message
    assert read.frame.empty and read.files[0].refused
    reconciled(read)


# 46 --------------------------------------------------------------------------------------------
def test_topics_of_unknown_posts_quarantined_in_staging_and_counted(tmp_path):
    import dagster as dg

    from orchestration.definitions import build_definitions
    from plan_indicators.warehouse import engine_for, table_rows

    landing, url = tmp_path / "landing", f"sqlite:///{tmp_path / 'wh.db'}"
    write(
        landing,
        "facebook_posts",
        "p.csv",
        "Post ID,Publish time,Reach\n122158000001,05/01/2024 14:30,10\n",
    )
    write(
        landing,
        "facebook_post_topics",
        "t.csv",
        "post_id,informs_programs\n"
        "122158000001,oui\n"
        "122158000404,oui\n"  # line 3: in no posts file
        "122158000405,non\n",  # line 4: neither
    )
    write(landing, "facebook_post_topics", "notes.txt", "x")
    # check-landing names the same rows as staging
    q = [(q.file, q.line, q.rule) for q in check_landing(landing).quarantine]
    t = "facebook_post_topics/t.csv"
    assert q == [(t, 3, "unknown_post"), (t, 4, "unknown_post")]
    defs = build_definitions(
        None,
        landing=str(landing),
        warehouse_url=url,
        staging=str(tmp_path / "s"),
        pseudonym_key="k",
    )
    keys = [
        dg.AssetKey([layer, src])
        for src in ("facebook_posts", "facebook_post_topics")
        for layer in ("raw", "staging")
    ]
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025", asset_selection=keys, raise_on_error=False
    )
    assert result.success
    rows = [
        (r["file"], r["line"], r["column_name"], r["rule"], r["value"])
        for r in table_rows(engine_for(url), "quarantine")
    ]
    assert rows == [
        (t, 3, "post_id", "unknown_post", "122158000404"),
        (t, 4, "post_id", "unknown_post", "122158000405"),
    ]
    [check] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "references_known"
    ]
    # 3 topic rows checked, 2 unknown: a warning, the run goes on
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rows_unknown_reference"].value == 2
    assert check.description == "2 post_id inconnu(s) dans facebook_posts.post_id"
    mats = {
        tuple(e.asset_key.path): e.step_materialization_data.materialization.metadata
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert mats[("staging", "facebook_post_topics")]["dagster/row_count"].value == 1  # 3 - 2
    assert mats[("raw", "facebook_post_topics")]["entries_not_read"].value == 1  # notes.txt


# 47 --------------------------------------------------------------------------------------------
SHIFTED_IDS = ["QC-555001", "QC-555002", "QC-555003", "QC-555004"]


def test_requester_id_through_a_shifted_column_is_never_in_clear(tmp_path, capsys):
    import dagster as dg

    from orchestration.cli import main
    from orchestration.definitions import build_definitions

    landing = tmp_path / "landing"
    a, b, c, d = SHIFTED_IDS
    write(
        landing,
        "service_requests",
        "r.csv",
        REQ_HEADER
        + "Q1,2024-05-01,email,QC-555000,06\n"  # line 2: staged, pseudonymised
        + f"Q2,2024-05-01,{a},06,\n"  # line 3: channel missing, the id shifted left into it
        + f"Q3,2024-05-01,email,06,{b}\n"  # line 4: id shifted right into region_code
        + f"Q4,{c},email,,06\n"  # line 5: the id where the date should be
        + f"Q1,2024-05-02,email,{d},06\n",  # line 6: duplicate key (value = the key)
    )
    write(landing, "service_requests", "x.csv", f"request_id,received_date,channel\n'{a},x,y\n")
    read = read_source(landing, "service_requests", pseudonym_key=KEY)
    f = "service_requests/r.csv"
    assert [(q.file, q.line, q.column, q.rule, q.value) for q in read.quarantine] == [
        (f, 3, "channel", "allowed_values", None),
        (f, 4, "region_code", "allowed_values", None),
        (f, 5, "received_date", "date_format", None),
        (f, 6, "request_id", "duplicate_key", None),
    ]
    # only the shape is told: QC-555001 → AA-999999
    assert read.quarantine[0].reason.endswith("(valeur masquée, forme 'AA-999999')")
    [err] = read.errors  # x.csv: a mangled id in a personal source, shown by its shape only
    assert (err.file, err.line, err.column, err.rule) == (
        "service_requests/x.csv", 2, "request_id", "apostrophe_id",
    )  # fmt: skip
    assert 'forme "\'AA-999999"' in err.message
    texts = [repr(read.quarantine), repr(read.errors), read.frame.to_csv()]
    assert main(["check-landing", str(landing)]) == 1
    texts.append(capsys.readouterr().out)

    (landing / "service_requests" / "x.csv").unlink()  # now ingest the rest through Dagster
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    defs = build_definitions(
        None,
        landing=str(landing),
        warehouse_url=url,
        staging=str(tmp_path / "s"),
        pseudonym_key="k",
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("ingest").execute_in_process(
            partition_key="2024-2025",
            asset_selection=[dg.AssetKey([lay, "service_requests"]) for lay in ("raw", "staging")],
            raise_on_error=False,
            instance=instance,
        )
        assert result.success
        texts += [str(e) for e in instance.all_logs(result.run_id)]
    capture = capsys.readouterr()
    texts += [capture.out, capture.err]
    stored = [p for p in tmp_path.rglob("*") if p.is_file() and "landing" not in p.parts]
    assert any(p.name == "wh.db" for p in stored) and any(p.suffix == ".parquet" for p in stored)
    for raw in ["QC-555000", *SHIFTED_IDS]:
        assert all(raw not in t for t in texts), raw
        for p in stored:
            assert raw.encode() not in p.read_bytes(), f"{raw} in {p}"


# 48 --------------------------------------------------------------------------------------------
def test_gx_samples_of_a_personal_source_are_withheld():
    import dagster as dg

    from expectations.checks import check_result
    from expectations.runner import ExpectationFailure, SuiteOutcome

    failure = ExpectationFailure(
        "expect_column_values_to_be_in_set", "channel", "error", "allowed_values", 1,
        sample=["QC-555001"], rows=["service_requests/r.csv:3"],
    )  # fmt: skip
    outcome = SuiteOutcome("raw_service_requests", False, [failure], [], 5)
    result = check_result(
        outcome, "great_expectations_raw", dg.AssetKey(["raw", "service_requests"])
    )
    text = repr(result.metadata) + str(result.description)
    assert "QC-555001" not in text
    assert result.metadata["unexpected_sample"].value == {
        "allowed_values:channel": ["<1 valeur(s) masquée(s)>"]
    }
    assert result.metadata["unexpected_rows"].value == {
        "allowed_values:channel": ["service_requests/r.csv:3"]  # lineage kept
    }
    # a source without personal column keeps its samples
    other = check_result(outcome, "great_expectations_raw", dg.AssetKey(["raw", "survey_results"]))
    assert other.metadata["unexpected_sample"].value == {"allowed_values:channel": ["QC-555001"]}


# 49+ (one case per boolean column of every contract) -------------------------------------------
def _bool_columns():
    from plan_indicators.sources.contracts import CONTRACTS

    return [
        (source, col.name, col.required)
        for source, contract in CONTRACTS.items()
        if source != "web_analytics"
        for col in contract.columns
        if col.type == "bool"
    ]


def test_the_boolean_columns_are_the_ones_tested_below():
    # Written out so that a new boolean column shows up here and gets its cases.
    assert _bool_columns() == [
        ("facebook_post_topics", "informs_programs", True),
        ("coordination_requests", "eligible", True),
        ("action_plan_filings", "consultation", True),
        ("activity_register", "outcome", False),
    ]


@pytest.mark.parametrize(("source", "column", "required"), _bool_columns())
def test_unreadable_boolean_is_quarantined_never_false(tmp_path, source, column, required):
    from contract_rows import csv_text, valid_rows

    from plan_indicators.sources.contracts import CONTRACTS

    contract = CONTRACTS[source]
    i = [c.name for c in contract.columns].index(column)
    rows = valid_rows(contract, 4)
    rows[0][i] = ""  # line 2: empty
    rows[1][i] = "peut-être"  # line 3: not a boolean
    rows[2][i] = "NON"  # line 4: false, any case
    rows[3][i] = "Oui"  # line 5: true
    write(tmp_path, source, "b.csv", csv_text(contract, rows))
    read = read_source(tmp_path, source, pseudonym_key=KEY)
    f = f"{source}/b.csv"
    expected = [(f, 3, column, "bool_value", "peut-être")]
    if required:
        expected.insert(0, (f, 2, column, "required_value", None))
    assert where(read) == expected
    staged = dict(zip(read.frame["_line"], read.frame[column], strict=True))
    if not required:
        assert pd.isna(staged.pop(2))  # an optional empty boolean stays unknown, not false
    assert staged == {4: False, 5: True}
    r = read.files[0]
    # 4 rows read = (2 or 3 staged) + (2 or 1 quarantined)
    assert (r.rows_read, r.rows_quarantined) == (4, 2 if required else 1)
    reconciled(read)


def test_workbook_empty_required_boolean_is_quarantined(tmp_path):
    xlsx(
        tmp_path,
        "facebook_post_topics",
        "t.xlsx",
        [["post_id", "informs_programs"], ["P1", True], ["P2", None], ["P3", 0], ["P4", 2]],
    )
    read = read_source(tmp_path, "facebook_post_topics")
    f = "facebook_post_topics/t.xlsx"
    assert where(read) == [
        (f, 3, "informs_programs", "required_value", None),  # empty cell
        (f, 5, "informs_programs", "bool_value", "2"),  # a number other than 1/0
    ]
    assert read.frame["informs_programs"].tolist() == [True, False]  # P1, P3


# 54 --------------------------------------------------------------------------------------------
def test_web_csv_unclosed_quote_names_its_line(tmp_path):
    rows = ["event_date,event_timestamp,event_name,user_pseudo_id,page_location"] + [
        f'20240501,{i},page_view,u{i},"https://x.qc.ca/a?x=1,2"' for i in range(1, 21)
    ]
    rows[5] = '"20240501,5,page_view,u5,https://x.qc.ca/a'  # line 6: a quote opens the date
    write(tmp_path, "web_analytics", "e.csv", "\n".join(rows) + "\n")
    # DuckDB's sniffer gives up on the header; the CSV reader says why, as for other sources:
    # line 6's quote is closed by the first quote of line 7, in the middle of a cell.
    [err] = check_landing(tmp_path).errors
    assert (err.file, err.line, err.column, err.rule) == (
        "web_analytics/e.csv", 6, "event_date", "unclosed_quote",
    )  # fmt: skip
    assert validate_web_files(tmp_path) == [err]


# 55 --------------------------------------------------------------------------------------------
def test_same_rows_as_french_csv_and_as_workbook_stage_the_same(tmp_path):
    csv_root, xlsx_root = tmp_path / "csv", tmp_path / "xlsx"
    write(
        csv_root,
        "activity_register",
        "r.csv",
        "plan_id;indicator_id;record_id;event_date;quantity;outcome;start_date;subject;note\n"
        "opq;1.1.1;A1;2024-05-01;1,5;oui;2024-04-01;Ordre A;première\n"
        "opq;1.1.1;A2;2024-06-01;2;non;;;\n",
        encoding="cp1252",
    )
    xlsx(
        xlsx_root,
        "activity_register",
        "r.xlsx",
        [
            ACT_HEADER.strip().split(","),
            ["opq", "1.1.1", "A1", dt.date(2024, 5, 1), 1.5, True, dt.date(2024, 4, 1),
             "Ordre A", "première"],
            ["opq", "1.1.1", "A2", 45444, 2, "non", None, None, None],  # 45444 = 2024-06-01
        ],
    )  # fmt: skip
    a = read_source(csv_root, "activity_register").frame.drop(columns=["_file"])
    b = read_source(xlsx_root, "activity_register").frame.drop(columns=["_file"])
    pd.testing.assert_frame_equal(a, b)  # _line too: CSV line 2-3 = sheet rows 2-3
    assert a["quantity"].sum() == 3.5  # 1,5 + 2


# 56 --------------------------------------------------------------------------------------------
def test_personal_file_without_header_shows_no_cell_in_clear(tmp_path):
    # No header line: the first data row stands where the header should be.
    write(tmp_path, "service_requests", "r.csv", "Q1,2024-05-01,email,QC-555009,06\n")
    report = check_landing(tmp_path)
    assert [(e.file, e.line, e.column, e.rule) for e in report.errors] == [
        ("service_requests/r.csv", 1, c, "missing_column")
        for c in ("request_id", "received_date", "channel")
    ]
    text = "\n".join(report.problems())
    assert "QC-555009" not in text
    assert "colonne inconnue ignorée : forme 'AA-999999'" in repr(report.files[0].warnings)


# 57 --------------------------------------------------------------------------------------------
def test_letters_and_digits_id_with_an_e_is_no_scientific_notation(tmp_path):
    # A CRM numbering requests "year E sequence" (2024E0001) sends valid ids: only Excel's
    # spelling, one digit, a mark and a signed exponent (1.22158E+14, 1E+17), is refused.
    write(
        tmp_path,
        "service_requests",
        "crm.csv",
        REQ_HEADER + "2024E0001,2024-05-01,email,,06\n2024E0002,2024-05-02,phone,,06\n",
    )
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    assert read.errors == [] and read.quarantine == []
    assert list(read.frame["request_id"]) == ["2024E0001", "2024E0002"]
    reconciled(read)
    write(tmp_path, "service_requests", "excel.csv", REQ_HEADER + "1E+17,2024-05-03,email,,06\n")
    [err] = read_source(tmp_path, "service_requests", pseudonym_key=KEY).errors
    assert (err.file, err.line, err.column, err.rule) == (
        "service_requests/excel.csv", 2, "request_id", "scientific_notation_id",
    )  # fmt: skip

"""Contract typing, quarantine and file-level refusals of read_source (docs/contracts.md §4.4)."""

import gzip
import hashlib
import hmac

import pandas as pd
import pytest

from plan_indicators.sources.readers import list_files, read_source

KEY = b"test-key"


def write(root, source, name, text, encoding="utf-8"):
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    data = text.encode(encoding)
    p.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return p


def rules(read):
    return [(q.file, q.line, q.column, q.rule) for q in read.quarantine]


def test_list_files_sorted_and_filtered(tmp_path):
    assert list_files(tmp_path, "service_requests") == []  # missing folder
    write(tmp_path, "service_requests", "b.csv", "x")
    write(tmp_path, "service_requests", "a.csv.gz", "x")
    write(tmp_path, "service_requests", "c.parquet", "x")
    write(tmp_path, "service_requests", "notes.txt", "x")
    names = [p.name for p in list_files(tmp_path, "service_requests")]
    assert names == ["a.csv.gz", "b.csv"]
    write(tmp_path, "web_analytics", "d.parquet", "x")
    assert [p.name for p in list_files(tmp_path, "web_analytics")] == ["d.parquet"]


def test_satisfaction_semicolon_decimal_comma_and_out_of_range(tmp_path):
    write(
        tmp_path,
        "satisfaction_responses",
        "s.csv",
        "response_id;response_date;score\nR1;2024-05-01;8,5\nR2;2024-05-02;11\nR3;2024-05-03;x\n",
    )
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == []
    assert read.frame["score"].tolist() == [8.5]  # "8,5" with ";" separator
    assert rules(read) == [
        ("satisfaction_responses/s.csv", 3, "score", "out_of_range"),  # 11 > maximum 10
        ("satisfaction_responses/s.csv", 4, "score", "number_format"),
    ]
    assert read.quarantine[0].value == "11"
    f = read.files[0]
    assert (f.separator, f.rows_read, f.rows_staged, f.rows_quarantined) == (";", 3, 1, 2)


def test_frame_dtypes_and_provenance(tmp_path):
    write(
        tmp_path,
        "coordination_requests",
        "c.csv.gz",
        "request_id,region_code,received_date,eligible,processed_date\n"
        "C1,06,2024-04-02,oui,\nC2,03,2024-04-03,non,2024-05-01\n",
    )
    read = read_source(tmp_path, "coordination_requests")
    df = read.frame
    assert list(df.columns) == [
        "request_id", "region_code", "received_date", "eligible", "processed_date",
        "_file", "_line",
    ]  # fmt: skip
    assert df["received_date"].dtype == "datetime64[ns]"
    assert df["eligible"].dtype == "boolean"
    assert df["eligible"].tolist() == [True, False]
    assert df["processed_date"].isna().tolist() == [True, False]  # optional, empty = null
    assert df["_file"].tolist() == ["coordination_requests/c.csv.gz"] * 2
    assert df["_line"].tolist() == [2, 3]


def test_empty_source_has_the_contract_columns(tmp_path):
    read = read_source(tmp_path, "facebook_posts")
    assert read.frame.empty
    assert list(read.frame.columns) == [
        "post_id", "publish_time", "reach", "post_type", "title", "publish_date", "_file", "_line",
    ]  # fmt: skip
    assert read.frame["publish_time"].dtype == "datetime64[ns]"


def test_meta_french_headers_cp1252_and_publish_date(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "fr.csv",
        "Identifiant de la publication;Heure de publication;Couverture;Titre\n"
        "122158000001;05/01/2024 14:30;1 250;Été accessible\n",
        encoding="cp1252",
    )
    read = read_source(tmp_path, "facebook_posts")
    assert read.errors == []
    row = read.frame.iloc[0]
    assert row["post_id"] == "122158000001"
    assert row["publish_time"] == pd.Timestamp("2024-05-01 14:30")  # MM/DD: May 1st
    assert row["publish_date"] == pd.Timestamp("2024-05-01")
    assert row["reach"] == 1250.0
    assert row["title"] == "Été accessible"
    assert pd.isna(row["post_type"])  # optional column absent from the file → null
    assert read.files[0].encoding == "cp1252"


def test_legacy_reach_header_quoted_thousands_and_extra_column(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "en.csv",
        "Post ID,Publish time,Lifetime Post organic reach,Permalink\n"
        '122158000002,12/31/2024 09:05,"1,250",https://fb.com/x\n',
    )
    read = read_source(tmp_path, "facebook_posts")
    assert read.errors == []
    assert read.frame["reach"].tolist() == [1250.0]  # "1,250" = 1 250
    assert "Permalink" not in read.frame.columns
    # A column of Meta's export the contract knows: one note, no warning.
    assert read.files[0].warnings == []
    assert read.files[0].notes == ["1 colonne(s) connue(s) de l'export, non lue(s) : Permalink"]


def test_scientific_post_id_refuses_the_file(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "excel.csv",
        "Post ID,Publish time,Reach\n122158000003,01/02/2025 10:00,5\n"
        "1.22158E+17,01/03/2025 10:00,7\n",
    )
    write(tmp_path, "facebook_post_topics", "t.csv", "post_id,informs_programs\n1.2E+17,true\n")
    read = read_source(tmp_path, "facebook_posts")
    assert [(e.file, e.line, e.column, e.rule) for e in read.errors] == [
        ("facebook_posts/excel.csv", 3, "post_id", "scientific_notation_id")
    ]
    assert "Post ID" in read.errors[0].message
    assert read.frame.empty  # the whole file is refused, not just the row
    topics = read_source(tmp_path, "facebook_post_topics")
    assert [e.rule for e in topics.errors] == ["scientific_notation_id"]


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("true", True), ("FALSE", False), ("Oui", True), ("non", False),
        ("yes", True), ("No", False), ("1", True), ("0", False),
    ],
)  # fmt: skip
def test_boolean_spellings(tmp_path, spelling, expected):
    write(tmp_path, "facebook_post_topics", "t.csv", f"post_id,informs_programs\nP1,{spelling}\n")
    read = read_source(tmp_path, "facebook_post_topics")
    assert read.frame["informs_programs"].tolist() == [expected]


def test_unknown_boolean_is_quarantined(tmp_path):
    write(tmp_path, "facebook_post_topics", "t.csv", "post_id,informs_programs\nP1,peut-être\n")
    read = read_source(tmp_path, "facebook_post_topics")
    assert rules(read) == [("facebook_post_topics/t.csv", 2, "informs_programs", "bool_value")]
    assert read.quarantine[0].value == "peut-être"


def test_bad_date_unknown_channel_required_value(tmp_path):
    write(
        tmp_path,
        "service_requests",
        "r.csv",
        "request_id,received_date,channel\n"
        "D1,2024/05/01,email\n"
        "D2,2024-05-01,pigeon\n"
        "D3,,email\n"
        "D4,2024-05-02,chat\n",
    )
    read = read_source(tmp_path, "service_requests")
    assert rules(read) == [
        ("service_requests/r.csv", 2, "received_date", "date_format"),
        ("service_requests/r.csv", 3, "channel", "allowed_values"),
        ("service_requests/r.csv", 4, "received_date", "required_value"),
    ]
    # service_requests has a personal column: a rejected cell is withheld, only its shape told
    assert read.quarantine[0].value is None
    assert read.quarantine[0].reason.endswith("(valeur masquée, forme '9999/99/99')")
    assert read.frame["request_id"].tolist() == ["D4"]
    assert read.frame["requester_id"].isna().all()  # optional personal column absent


def test_one_row_quarantined_once(tmp_path):
    write(
        tmp_path,
        "service_requests",
        "r.csv",
        "request_id,received_date,channel\nD1,2024/05/01,pigeon\n",
    )
    read = read_source(tmp_path, "service_requests")
    assert rules(read) == [("service_requests/r.csv", 2, "received_date", "date_format")]


def test_duplicate_key_across_files_keeps_the_first(tmp_path):
    head = "response_id,response_date,score\n"
    write(tmp_path, "satisfaction_responses", "a.csv", head + "R1,2024-05-01,7\n")
    write(tmp_path, "satisfaction_responses", "b.csv", head + "R2,2024-05-01,9\nR1,2024-06-01,3\n")
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.frame["score"].tolist() == [7.0, 9.0]
    assert rules(read) == [("satisfaction_responses/b.csv", 3, "response_id", "duplicate_key")]
    assert "satisfaction_responses/a.csv:2" in read.quarantine[0].reason
    # per file: read = staged + quarantined → a: 1 = 1 + 0, b: 2 = 1 + 1
    assert [(f.rows_read, f.rows_staged, f.rows_quarantined) for f in read.files] == [
        (1, 1, 0),
        (2, 1, 1),
    ]


def test_missing_column_and_unreadable_files(tmp_path):
    write(tmp_path, "service_offers", "a.csv", "offer_id,request_id,offer_date\nO1,D1,2024-05-01\n")
    write(tmp_path, "service_offers", "b.csv", "")
    p = write(tmp_path, "service_offers", "c.csv.gz", "offer_id\n" + "O\n" * 1000)
    p.write_bytes(p.read_bytes()[:30])
    read = read_source(tmp_path, "service_offers")
    got = [(e.file, e.line, e.column, e.rule) for e in read.errors]
    assert got == [
        ("service_offers/a.csv", 1, "offer_kind", "missing_column"),
        ("service_offers/a.csv", 1, "response", "missing_column"),
        ("service_offers/b.csv", None, None, "empty_file"),
        ("service_offers/c.csv.gz", None, None, "unreadable"),
    ]
    assert read.frame.empty


def test_header_only_file_is_fine(tmp_path):
    write(tmp_path, "satisfaction_responses", "h.csv", "response_id,response_date,score\n")
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == []
    assert (read.files[0].rows_read, len(read.frame)) == (0, 0)


def test_reconciliation_invariant_on_a_mixed_file(tmp_path):
    write(
        tmp_path,
        "action_plan_filings",
        "f.csv",
        "organisation_id,organisation_type,reference_start,adopted_date,consultation\n"
        "M1,ministere,2024-04-01,2024-09-01,oui\n"
        "M1,ministere,2024-04-01,,non\n"  # duplicate (organisation_id, reference_start)
        "M2,ministere,2024-04-01,,non\n"
        "M3,club,2024-04-01,,non\n"  # unknown type
        "M4,organisme\n",  # too few fields
    )
    read = read_source(tmp_path, "action_plan_filings")
    f = read.files[0]
    # 5 rows read: M1 and M2 staged; dup M1, M3 and M4 quarantined → 5 = 2 + 3
    assert (f.rows_read, f.rows_staged, f.rows_quarantined) == (5, 2, 3)
    assert f.rows_read == f.rows_staged + f.rows_quarantined
    assert len(read.frame) == f.rows_staged
    assert [q.rule for q in read.quarantine] == ["duplicate_key", "allowed_values", "field_count"]


def test_survey_fiscal_year_is_validated(tmp_path):
    write(
        tmp_path,
        "survey_results",
        "s.csv",
        "plan_id;indicator_id;fiscal_year;value\np;1.1;2024-2025;0,62\np;1.2;2024-2026;3\n",
    )
    read = read_source(tmp_path, "survey_results")
    assert read.frame["fiscal_year"].tolist() == ["2024-2025"]
    assert read.frame["value"].tolist() == [0.62]
    assert [q.column for q in read.quarantine] == ["fiscal_year"]


def test_personal_column_is_pseudonymised(tmp_path):
    write(
        tmp_path,
        "service_requests",
        "r.csv",
        "request_id,received_date,channel,requester_id,region_code\n"
        "D1,2024-05-01,email,NAS-123456789,06\n"
        "D2,2024-05-01,pigeon,NAS-987654321,06\n",
    )
    with pytest.raises(ValueError, match="PLAN_INDICATORS_PSEUDONYM_KEY"):
        read_source(tmp_path, "service_requests")
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    expected = hmac.new(KEY, b"NAS-123456789", hashlib.sha256).hexdigest()
    assert read.frame["requester_id"].tolist() == [expected]
    dump = read.frame.to_csv() + repr(read.quarantine) + repr(read.files)
    assert "NAS-123456789" not in dump
    assert "NAS-987654321" not in dump


def test_utf8_bom_header_maps_to_the_contract(tmp_path):
    write(
        tmp_path,
        "satisfaction_responses",
        "bom.csv",
        "\ufeffResponse_ID,response_date, Score \nR1,2024-05-01,7\n",  # BOM, case, spaces
    )
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.errors == []
    assert read.files[0].encoding == "utf-8-sig"
    assert read.frame["response_id"].tolist() == ["R1"]
    assert read.frame["score"].tolist() == [7.0]


def test_meta_french_headers_utf8_with_comma_separator(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "fr.csv",
        "Identifiant de la publication,Heure de publication,Couverture,Type de publication\n"
        '122158000010,03/31/2025 23:59,"2,500",Photo\n',
    )
    read = read_source(tmp_path, "facebook_posts")
    assert read.errors == []
    row = read.frame.iloc[0]
    assert row["publish_date"] == pd.Timestamp("2025-03-31")  # last day of 2024-2025
    assert row["reach"] == 2500.0  # "2,500" = 2 500
    assert row["post_type"] == "Photo"


def test_bad_publish_time_and_fractional_reach(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "p.csv",
        "Post ID,Publish time,Reach\n"
        "P1,2024-05-01 10:00,5\n"  # ISO instead of MM/DD/YYYY
        "P2,13/01/2024 10:00,5\n"  # month 13
        "P3,05/01/2024 10:00,12.5\n",  # a reach is a whole number
    )
    read = read_source(tmp_path, "facebook_posts")
    assert rules(read) == [
        ("facebook_posts/p.csv", 2, "publish_time", "date_format"),
        ("facebook_posts/p.csv", 3, "publish_time", "date_format"),
        ("facebook_posts/p.csv", 4, "reach", "number_format"),
    ]
    assert read.frame.empty


def test_french_excel_scientific_post_id_in_semicolon_file(tmp_path):
    write(
        tmp_path,
        "facebook_posts",
        "fr.csv",
        "Identifiant de la publication;Heure de publication;Couverture\n"
        "1,22158E+17;05/01/2024 14:30;10\n",
    )
    read = read_source(tmp_path, "facebook_posts")
    assert [(e.line, e.column, e.rule) for e in read.errors] == [
        (2, "post_id", "scientific_notation_id")
    ]
    # a refused file reads no row: 0 = 0 + 0, and says why
    f = read.files[0]
    assert (f.rows_read, f.rows_staged, f.rows_quarantined) == (0, 0, 0)
    assert any("refusé" in w for w in f.warnings)


def test_undecodable_file_is_a_file_error(tmp_path):
    folder = tmp_path / "satisfaction_responses"
    folder.mkdir()
    (folder / "bad.csv").write_bytes(b"response_id,response_date,score\nR1,2024-05-01,\x81\n")
    write(tmp_path, "satisfaction_responses", "good.csv", "response_id,response_date,score\n")
    read = read_source(tmp_path, "satisfaction_responses")
    assert [(e.file, e.rule) for e in read.errors] == [
        ("satisfaction_responses/bad.csv", "encoding")
    ]
    assert [f.file for f in read.files] == [
        "satisfaction_responses/bad.csv",
        "satisfaction_responses/good.csv",
    ]


def test_missing_folder_is_an_absent_source(tmp_path):
    read = read_source(tmp_path, "service_offers")
    assert (read.errors, read.quarantine, read.files) == ([], [], [])
    assert read.frame.empty
    (tmp_path / "service_offers").mkdir()
    assert read_source(tmp_path, "service_offers").files == []


def test_web_analytics_is_not_read_here(tmp_path):
    with pytest.raises(ValueError, match="DuckDB"):
        read_source(tmp_path, "web_analytics")


def test_checksum_is_sha256_of_the_file_bytes(tmp_path):
    p = write(tmp_path, "satisfaction_responses", "s.csv", "response_id,response_date,score\n")
    read = read_source(tmp_path, "satisfaction_responses")
    assert read.files[0].checksum == hashlib.sha256(p.read_bytes()).hexdigest()

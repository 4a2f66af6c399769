"""The landing-zone dry run: every source checked, nothing written."""

import gzip

from plan_indicators.sampledata import generate
from plan_indicators.sources.landing import check_landing


def snapshot(root):
    return sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))


def test_generated_landing_zone_is_clean(tmp_path):
    generate(tmp_path, seed=1, scale=0.05)
    before = snapshot(tmp_path)
    report = check_landing(tmp_path)
    assert report.ok, report.problems()[:5]
    assert snapshot(tmp_path) == before  # writes nothing, touches nothing
    assert {f.file.split("/")[0] for f in report.files} >= {
        "facebook_posts",
        "service_requests",
        "survey_results",
        "web_analytics",
    }
    for f in report.files:
        assert f.rows_read == f.rows_staged + f.rows_quarantined, f.file


def test_problems_lines(tmp_path):
    sat = tmp_path / "satisfaction_responses"
    sat.mkdir()
    (sat / "s.csv").write_text("response_id,response_date,score\nR1,2024-05-01,11\n")
    posts = tmp_path / "facebook_posts"
    posts.mkdir()
    (posts / "p.csv").write_text("Post ID,Reach\n1,2\n")
    (tmp_path / "service_requests").mkdir()
    (tmp_path / "service_requests" / "r.csv").write_text(
        "request_id,received_date,channel,requester_id,canal\nD1,2024-05-01,email,secret-person,x\n"
    )
    report = check_landing(tmp_path)  # a throwaway key stands in for the personal column
    assert not report.ok
    assert report.problems() == [
        "ERROR facebook_posts/p.csv:1:publish_time: missing_column: "
        "colonne obligatoire absente : publish_time",
        "WARN satisfaction_responses/s.csv:2:score: out_of_range: "
        "score: valeur supérieure au maximum 10 (valeur '11')",
        "WARN service_requests/r.csv:-:-: file_warning: colonne inconnue ignorée : 'canal'",
    ]
    assert "secret-person" not in "\n".join(report.problems())


def test_quarantine_alone_keeps_the_zone_ok(tmp_path):
    sat = tmp_path / "satisfaction_responses"
    sat.mkdir()
    (sat / "s.csv").write_text(
        "response_id,response_date,score\nR1,01/05/2024,7\nR2,2024-05-01,7\n"
    )
    report = check_landing(tmp_path)
    assert report.ok
    assert report.problems() == [
        "WARN satisfaction_responses/s.csv:2:response_date: date_format: "
        "response_date: date attendue AAAA-MM-JJ (valeur '01/05/2024')"
    ]


def test_web_file_errors_and_counts(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    (web / "bad.csv").write_text("event_date,event_name\n20240401,page_view\n")
    (web / "good.csv.gz").write_bytes(
        gzip.compress(
            b"event_date,event_timestamp,event_name,user_pseudo_id,page_location\n"
            b"20240401,1,page_view,u1,https://x.qc.ca/a\n20240402,2,page_view,u2,https://x.qc.ca/b\n"
        )
    )
    report = check_landing(tmp_path)
    assert not report.ok
    assert [(e.file, e.column, e.rule) for e in report.errors] == [
        ("web_analytics/bad.csv", "event_timestamp", "missing_column"),
        ("web_analytics/bad.csv", "user_pseudo_id", "missing_column"),
        ("web_analytics/bad.csv", "page_location", "missing_column"),
    ]
    assert [(f.file, f.rows_read) for f in report.files] == [("web_analytics/good.csv.gz", 2)]

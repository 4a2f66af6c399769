"""The landing-zone dry run: every source checked, nothing written."""

from plan_indicators.sampledata import generate
from plan_indicators.sources.landing import check_landing


def test_generated_landing_zone_is_clean(tmp_path):
    generate(tmp_path, seed=1, scale=0.05)
    before = sorted(p for p in tmp_path.rglob("*"))
    report = check_landing(tmp_path)
    assert report.ok, report.problems()[:5]
    assert sorted(p for p in tmp_path.rglob("*")) == before  # writes nothing
    assert {f.file.split("/")[0] for f in report.files} >= {
        "facebook_posts",
        "service_requests",
        "survey_results",
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
        "request_id,received_date,channel,requester_id\nD1,2024-05-01,email,secret-person\n"
    )
    report = check_landing(tmp_path)  # a throwaway key stands in for the personal column
    assert not report.ok
    assert report.problems() == [
        "ERROR facebook_posts/p.csv:1:publish_time: missing_column: "
        "colonne obligatoire absente : publish_time",
        "WARN satisfaction_responses/s.csv:2:score: out_of_range: "
        "score: valeur supérieure au maximum 10",
    ]

"""share_posts_reach_at_least: tagged program posts of the year, reach threshold."""

import datetime as dt

from measure_fixtures import run, stage

PARAMS = {"min_reach": 1000}


def _post(pid, when, reach):
    return {"post_id": pid, "publish_time": when, "reach": reach}


def _stage(tmp_path, posts, tags):
    stage(tmp_path, "facebook_posts", posts)
    stage(
        tmp_path,
        "facebook_post_topics",
        [{"post_id": p, "informs_programs": v} for p, v in tags],
    )


def test_share_counts_reach_equal_to_threshold_and_excludes_untagged(tmp_path):
    _stage(
        tmp_path,
        [
            _post("p1", "2024-04-01 08:00", 1000),  # first day of the year, reach == min
            _post("p2", "2024-06-15 12:30", 999),
            _post("p3", "2025-03-31 23:59", 2500),  # last day of the year
            _post("p4", "2024-09-01 10:00", 5000),  # not about programs
            _post("p5", "2024-10-01 10:00", 9000),  # untagged
            _post("p6", "2024-03-31 23:59", 9000),  # previous year
            _post("p7", "2025-04-01 00:01", 9000),  # next year
        ],
        [("p1", True), ("p2", True), ("p3", True), ("p4", False), ("p6", True), ("p7", True)],
    )
    result = run("share_posts_reach_at_least", tmp_path, PARAMS)
    # program posts in 2024-2025: p1, p2, p3 = 3; reach >= 1000: p1 (1000), p3 = 2
    # 100 * 2 / 3 = 66.666...
    assert result.numerator == 2.0
    assert result.denominator == 3.0
    assert abs(result.value - 200 / 3) < 1e-9
    assert "1 publication(s) sans classement" in result.reason
    assert result.excluded == {"untagged_posts": 1}


def test_share_ignores_posts_after_as_of(tmp_path):
    _stage(
        tmp_path,
        [_post("p1", "2024-05-01 09:00", 100), _post("p2", "2024-11-02 09:00", 4000)],
        [("p1", True), ("p2", True)],
    )
    result = run("share_posts_reach_at_least", tmp_path, PARAMS, as_of=dt.date(2024, 11, 1))
    # only p1 (reach 100 < 1000) by 2024-11-01: 100 * 0 / 1 = 0
    assert result.value == 0.0
    assert result.denominator == 1.0


def test_share_missing_when_no_tagged_program_post(tmp_path):
    _stage(tmp_path, [_post("p1", "2024-05-01 09:00", 5000)], [("p1", False)])
    result = run("share_posts_reach_at_least", tmp_path, PARAMS)
    assert result.value is None
    assert result.reason


def test_share_missing_when_topics_not_staged(tmp_path):
    stage(tmp_path, "facebook_posts", [_post("p1", "2024-05-01 09:00", 5000)])
    result = run("share_posts_reach_at_least", tmp_path, PARAMS)
    assert result.value is None
    assert "facebook_post_topics" in result.reason

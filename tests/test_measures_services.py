"""Client-service measures: initial offers, satisfaction, channels, coordination."""

import datetime as dt

from measure_fixtures import run, stage


def _offer(oid, when, kind, response):
    return {
        "offer_id": oid,
        "request_id": "r" + oid,
        "offer_date": when,
        "offer_kind": kind,
        "response": response,
    }


def test_initial_offers_accepted_excludes_pending_follow_up_and_other_years(tmp_path):
    stage(
        tmp_path,
        "service_offers",
        [
            _offer("1", "2024-04-01", "initial", "accepted"),  # first day of the year
            _offer("2", "2024-07-10", "initial", "accepted"),
            _offer("3", "2024-08-10", "initial", "refused"),
            _offer("4", "2025-03-31", "initial", "no_response"),  # last day
            _offer("5", "2024-09-01", "initial", "pending"),  # excluded
            _offer("6", "2024-09-01", "follow_up", "accepted"),  # not initial
            _offer("7", "2024-03-31", "initial", "accepted"),  # 2023-2024
            _offer("8", "2025-04-01", "initial", "refused"),  # 2025-2026
        ],
    )
    result = run("share_initial_offers_accepted", tmp_path)
    # accepted 1, 2 = 2; answered 1, 2, 3, 4 = 4; 100 * 2 / 4 = 50
    assert result.value == 50.0
    assert (result.numerator, result.denominator) == (2.0, 4.0)


def test_initial_offers_missing_when_only_pending(tmp_path):
    stage(tmp_path, "service_offers", [_offer("1", "2024-05-01", "initial", "pending")])
    result = run("share_initial_offers_accepted", tmp_path)
    assert result.value is None
    assert result.reason


def test_mean_satisfaction_score_of_the_year(tmp_path):
    stage(
        tmp_path,
        "satisfaction_responses",
        [
            {"response_id": "a", "response_date": "2024-04-01", "score": 8.0},
            {"response_id": "b", "response_date": "2024-12-01", "score": 6.0},
            {"response_id": "c", "response_date": "2025-03-31", "score": 10.0},
            {"response_id": "d", "response_date": "2024-03-31", "score": 0.0},  # 2023-2024
        ],
    )
    result = run("mean_satisfaction_score", tmp_path)
    # (8 + 6 + 10) / 3 = 24 / 3 = 8
    assert result.value == 8.0
    assert (result.numerator, result.denominator) == (24.0, 3.0)


def test_mean_satisfaction_cut_at_as_of(tmp_path):
    stage(
        tmp_path,
        "satisfaction_responses",
        [
            {"response_id": "a", "response_date": "2024-05-01", "score": 7.0},
            {"response_id": "b", "response_date": "2024-05-02", "score": 1.0},  # after as_of
        ],
    )
    # only a: 7 / 1 = 7
    assert run("mean_satisfaction_score", tmp_path, as_of=dt.date(2024, 5, 1)).value == 7.0


def test_mean_satisfaction_missing_without_answers_in_year(tmp_path):
    stage(
        tmp_path,
        "satisfaction_responses",
        [{"response_id": "a", "response_date": "2023-05-01", "score": 7.0}],
    )
    assert run("mean_satisfaction_score", tmp_path).value is None


def _requests(tmp_path):
    stage(
        tmp_path,
        "service_requests",
        [
            {"request_id": "1", "received_date": "2024-04-01", "channel": "web_form"},
            {"request_id": "2", "received_date": "2024-05-01", "channel": "email"},
            {"request_id": "3", "received_date": "2024-06-01", "channel": "chat"},
            {"request_id": "4", "received_date": "2024-07-01", "channel": "phone"},
            {"request_id": "5", "received_date": "2025-03-31", "channel": "mail"},
            {"request_id": "6", "received_date": "2024-03-31", "channel": "phone"},  # 2023-24
        ],
    )


def test_share_requests_by_default_digital_channels(tmp_path):
    _requests(tmp_path)
    result = run("share_requests_by_channel", tmp_path)
    # digital 1, 2, 3 = 3 of 5 received in 2024-2025: 100 * 3 / 5 = 60
    assert result.value == 60.0
    assert (result.numerator, result.denominator) == (3.0, 5.0)


def test_share_requests_by_catalog_channels(tmp_path):
    _requests(tmp_path)
    result = run("share_requests_by_channel", tmp_path, {"channels": ["phone"]})
    # phone: 4 only = 1 of 5: 100 * 1 / 5 = 20
    assert result.value == 20.0


def test_share_eligible_processed_by_as_of(tmp_path):
    stage(
        tmp_path,
        "coordination_requests",
        [
            {
                "request_id": "1",
                "region_code": "03",
                "received_date": "2024-04-01",
                "eligible": True,
                "processed_date": "2024-04-10",
            },
            {
                "request_id": "2",
                "region_code": "03",
                "received_date": "2024-10-01",
                "eligible": True,
                "processed_date": None,
            },
            {
                "request_id": "3",
                "region_code": "06",
                "received_date": "2025-03-31",
                "eligible": True,
                "processed_date": "2025-04-15",
            },  # processed after as_of
            {
                "request_id": "4",
                "region_code": "06",
                "received_date": "2024-06-01",
                "eligible": False,
                "processed_date": "2024-06-02",
            },
            {
                "request_id": "5",
                "region_code": "06",
                "received_date": "2024-06-01",
                "eligible": None,
                "processed_date": "2024-06-02",
            },  # unreadable: neither eligible nor not, left out and counted
            {
                "request_id": "6",
                "region_code": "06",
                "received_date": "2024-03-31",
                "eligible": True,
                "processed_date": "2024-04-02",
            },  # 2023-2024
        ],
    )
    result = run("share_eligible_processed", tmp_path, as_of=dt.date(2025, 4, 10))
    # eligible in 2024-2025: 1, 2, 3 = 3; processed by 2025-04-10: 1 = 1; 100 * 1 / 3
    assert (result.numerator, result.denominator) == (1.0, 3.0)
    assert abs(result.value - 100 / 3) < 1e-9
    # 5 is never read as "not eligible": a data-quality warning, named in the reason
    assert result.excluded == {"eligible_unknown": 1}
    assert result.reason == "1 demande(s) d'admissibilité illisible exclue(s)"
    later = run("share_eligible_processed", tmp_path, as_of=dt.date(2025, 4, 15))
    # by 2025-04-15 request 3 counts too: 100 * 2 / 3
    assert later.numerator == 2.0

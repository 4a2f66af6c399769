"""Measures for common plan wordings, and catalog filters on shared sources
(docs/contracts.md §2.6, §5.4, §5.7): numbers checked by hand in the comments."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from measure_fixtures import context, run, stage

from orchestration import cli
from plan_indicators.catalog import CatalogError, load_plan
from plan_indicators.measures import compute


def _rec(rid, end, start=None, indicator="1.1"):
    return {
        "plan_id": "plan-a",
        "indicator_id": indicator,
        "record_id": rid,
        "event_date": end,
        "start_date": start,
    }


DELAYS = [
    # Mon 3 June → Mon 10 June: business days 4, 5, 6, 7, 10 = 5; calendar 7
    _rec("r1", "2024-06-10", "2024-06-03"),
    # Fri 21 June → Tue 25 June: 22-23 weekend, 24 Fête nationale, 25 = 1; calendar 4
    _rec("r2", "2024-06-25", "2024-06-21"),
    # Mon 2 Sept (Fête du Travail) → Mon 16 Sept: 3-6 (4) + 9-13 (5) + 16 (1) = 10; calendar 14
    _rec("r3", "2024-09-16", "2024-09-02"),
    _rec("r4", "2024-10-01"),  # no start: left out, counted
    _rec("r5", "2024-10-01", "2024-10-15"),  # start after end: left out, counted
    _rec("r6", "2025-04-10", "2025-04-01"),  # ends in 2025-2026
    _rec("x1", "2024-06-10", "2024-06-09", indicator="9.9"),  # another indicator
]


def test_share_delays_within_business_days(tmp_path):
    stage(tmp_path, "activity_register", DELAYS)
    result = run("share_delays_within", tmp_path, {"days": 5})
    # delays 5, 1, 10 business days; ≤ 5: r1, r2 → 2 / 3 = 66.67 %
    assert result.value == pytest.approx(200 / 3)
    assert (result.numerator, result.denominator) == (2.0, 3.0)
    assert result.excluded == {"start_date_invalid": 2}
    assert "2 enregistrement(s) sans date de début valide exclu(s)" in result.reason
    # within 0 days: none of 5, 1, 10 → a real 0 %, over 3 measured delays
    assert run("share_delays_within", tmp_path, {"days": 0}).value == 0.0


def test_share_delays_within_calendar_days(tmp_path):
    stage(tmp_path, "activity_register", DELAYS)
    calendar = {"business_days": False}
    # calendar delays 7, 4, 14: ≤ 5 → r2 only, 1 / 3; ≤ 7 → r1, r2, 2 / 3; ≤ 14 → 3 / 3
    assert run("share_delays_within", tmp_path, {"days": 5, **calendar}).value == pytest.approx(
        100 / 3
    )
    assert run("share_delays_within", tmp_path, {"days": 7, **calendar}).value == pytest.approx(
        200 / 3
    )
    assert run("share_delays_within", tmp_path, {"days": 14, **calendar}).value == 100.0


def test_share_delays_within_without_a_delay_is_no_data(tmp_path):
    stage(tmp_path, "activity_register", DELAYS)
    missing = run("share_delays_within", tmp_path, {"days": 5}, indicator_id="7.7")
    assert missing.value is None
    assert missing.reason == "Aucun enregistrement au registre pour cet indicateur"
    # 2026-2027: the indicator has records, none ending in the year
    later = run(
        "share_delays_within", tmp_path, {"days": 5}, fiscal_year="2026-2027",
        as_of=dt.date(2027, 6, 1),
    )  # fmt: skip
    assert later.value is None
    assert later.reason == "Aucun délai mesurable pour l'année"


def _answer(rid, when, score, survey=None, question=None):
    return {
        "response_id": rid,
        "response_date": when,
        "score": score,
        "survey": survey,
        "question": question,
    }


ANSWERS = [
    _answer("a1", "2024-05-01", 9.0, "accueil", "q1"),
    _answer("a2", "2024-06-01", 6.0, "accueil", "q2"),
    _answer("b1", "2024-05-01", 10.0, "services_en_ligne", "q1"),
    _answer("b2", "2024-07-01", 10.0, "services_en_ligne", "q1"),
    _answer("b3", "2024-08-01", 10.0),  # no survey named: matches no filter
    _answer("c1", "2025-05-01", 2.0, "accueil", "q1"),  # 2025-2026
]


def test_share_scores_at_least_is_the_satisfaction_rate(tmp_path):
    stage(tmp_path, "satisfaction_responses", ANSWERS)
    result = run("share_scores_at_least", tmp_path, {"min_score": 8})
    # 2024-2025: 9, 6, 10, 10, 10; ≥ 8: four of five = 80 %
    assert result.value == 80.0
    assert (result.numerator, result.denominator) == (4.0, 5.0)
    # ≥ 9.5: 10, 10, 10 → 3 / 5 = 60 %
    assert run("share_scores_at_least", tmp_path, {"min_score": 9.5}).value == 60.0


def test_a_filter_keeps_one_survey_of_a_shared_source(tmp_path):
    stage(tmp_path, "satisfaction_responses", ANSWERS)
    ctx = context(tmp_path)
    everything = compute("mean_satisfaction_score", ctx, {})
    # all five answers of 2024-2025: (9 + 6 + 10 + 10 + 10) / 5 = 9
    assert everything.value == 9.0
    accueil = compute("mean_satisfaction_score", ctx, {}, {"survey": "accueil"})
    # accueil only: (9 + 6) / 2 = 7.5
    assert (accueil.value, accueil.denominator) == (7.5, 2.0)
    rate = compute("share_scores_at_least", ctx, {"min_score": 8}, {"survey": "accueil"})
    assert rate.value == 50.0  # 9 of {9, 6}: 1 / 2
    # two columns together: accueil and question q1 → a1 only, 9
    both = compute("mean_satisfaction_score", ctx, {}, {"survey": "accueil", "question": ["q1"]})
    assert both.value == 9.0
    # a list is any of its values: accueil or services_en_ligne → 9, 6, 10, 10 = 35 / 4
    either = compute(
        "mean_satisfaction_score", ctx, {}, {"survey": ["accueil", "services_en_ligne"]}
    )
    assert either.value == 8.75


def test_a_filter_that_keeps_nothing_says_so(tmp_path):
    stage(tmp_path, "satisfaction_responses", ANSWERS)
    result = compute("mean_satisfaction_score", context(tmp_path), {}, {"survey": "accuiel"})
    assert result.value is None
    assert result.reason == "Aucune réponse au sondage pour l'année (filtre : survey = accuiel)"


def test_a_channel_or_programme_filter_on_requests(tmp_path):
    def req(rid, channel, programme):
        return {
            "request_id": rid,
            "received_date": "2024-05-01",
            "channel": channel,
            "programme": programme,
        }

    stage(tmp_path, "service_requests", [
        req("q1", "email", "soutien"), req("q2", "phone", "soutien"),
        req("q3", "web_form", "soutien"), req("q4", "phone", "transport"),
    ])  # fmt: skip
    ctx = context(tmp_path)
    # every request: email, web_form digital of 4 → 50 %
    assert compute("share_requests_by_channel", ctx, {}).value == 50.0
    # programme soutien: email, web_form of q1-q3 → 2 / 3
    soutien = compute("share_requests_by_channel", ctx, {}, {"programme": "soutien"})
    assert soutien.value == pytest.approx(200 / 3)
    # programme transport: q4 by phone → a real 0 % over 1 request
    assert compute("share_requests_by_channel", ctx, {}, {"programme": "transport"}).value == 0.0


# ── the catalog validates filters (docs/contracts.md §2.7) ──────────────────────────────────

PLAN = {
    "plan": {
        "id": "essai-2024-2026",
        "organisation": "Office d'essai",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": "2.1",
            "enjeu": "2 — Services",
            "orientation": "2 — Servir",
            "objective": "2.1 Accueillir",
            "text_fr": "Note moyenne attribuée à l'accueil",
            "unit": "score",
            "scale": {"min": 0, "max": 10},
            "measure": {"name": "mean_satisfaction_score", "filter": {"survey": "accueil"}},
            "targets": {"2024-2025": {"kind": "at_least", "value": 8}},
        }
    ],
}


def _load(tmp_path, measure: dict):
    raw = copy.deepcopy(PLAN)
    raw["indicators"][0]["measure"] = measure
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_plan(path)


def test_a_filter_loads_and_reaches_the_measure(tmp_path):
    plan = _load(tmp_path, PLAN["indicators"][0]["measure"])
    assert plan.indicators[0].measure.filter == {"survey": "accueil"}


@pytest.mark.parametrize(
    ("measure", "message"),
    [
        (
            {"name": "mean_satisfaction_score", "filter": {"sondage": "accueil"}},
            "field measure.filter.sondage: measure 'mean_satisfaction_score' reads "
            "satisfaction_responses, which cannot be filtered on 'sondage'; filterable "
            "columns: survey (satisfaction_responses), question (satisfaction_responses)",
        ),
        (
            {"name": "share_requests_by_channel", "filter": {"channel": ["email", "courriel"]}},
            "field measure.filter.channel: filter channel 'courriel' is not accepted; allowed: "
            "web_form, email, chat, phone, mail, in_person, fax",
        ),
        (
            {"name": "register_count", "filter": {"survey": "accueil"}},
            "measure 'register_count' reads activity_register, which cannot be filtered on "
            "'survey'; filterable columns: none",
        ),
    ],
    ids=["unknown_column", "unknown_value", "no_filterable_source"],
)
def test_a_filter_the_source_does_not_declare_is_refused(tmp_path, measure, message):
    with pytest.raises(CatalogError) as info:
        _load(tmp_path, measure)
    assert message in str(info.value)


def test_validate_plan_landing_names_a_filter_value_no_row_carries(tmp_path, capsys):
    raw = copy.deepcopy(PLAN)
    raw["indicators"][0]["measure"]["filter"] = {"survey": "acceuil"}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / "landing" / "satisfaction_responses"
    folder.mkdir(parents=True)
    (folder / "reponses.csv").write_text(
        "response_id,response_date,score,survey\nr1,2024-05-01,9,accueil\n"
        "r2,2024-05-02,7,services_en_ligne\n",
        encoding="utf-8",
    )
    assert cli.main(["validate-plan", str(path), "--landing", str(tmp_path / "landing")]) == 0
    assert (
        f"WARN {path}: indicator 2.1: satisfaction_responses: filtre survey : aucune ligne pour "
        "acceuil (valeurs présentes : accueil, services_en_ligne)"
    ) in capsys.readouterr().out

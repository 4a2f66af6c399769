"""Survey aggregates: value and participation rate of the matching row."""

from measure_fixtures import run, stage


def _stage(tmp_path):
    stage(
        tmp_path,
        "survey_results",
        [
            {
                "plan_id": "plan-a",
                "indicator_id": "1.1",
                "fiscal_year": "2024-2025",
                "value": 72.5,
                "respondents": 450.0,
                "population": 600.0,
            },
            {
                "plan_id": "plan-a",
                "indicator_id": "1.1",
                "fiscal_year": "2025-2026",
                "value": 80.0,
                "respondents": None,
                "population": None,
            },
            {
                "plan_id": "plan-b",
                "indicator_id": "1.1",
                "fiscal_year": "2023-2024",
                "value": 10.0,
                "respondents": 1.0,
                "population": 2.0,
            },
        ],
    )


def test_survey_value_of_the_matching_row(tmp_path):
    _stage(tmp_path)
    assert run("survey_value", tmp_path).value == 72.5
    assert run("survey_value", tmp_path, fiscal_year="2025-2026").value == 80.0


def test_survey_value_missing_for_other_plan_or_year(tmp_path):
    _stage(tmp_path)
    # plan-b's row is 2023-2024, not plan-a's
    assert run("survey_value", tmp_path, fiscal_year="2023-2024").value is None
    assert run("survey_value", tmp_path, indicator_id="9.9").value is None


def test_survey_participation(tmp_path):
    _stage(tmp_path)
    result = run("survey_participation", tmp_path)
    # 100 * 450 / 600 = 75
    assert result.value == 75.0
    assert (result.numerator, result.denominator) == (450.0, 600.0)


def test_survey_participation_missing_without_counts(tmp_path):
    _stage(tmp_path)
    result = run("survey_participation", tmp_path, fiscal_year="2025-2026")
    assert result.value is None
    assert result.reason

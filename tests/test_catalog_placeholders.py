"""What a catalog draft leaves to choose (`à choisir`) is an error naming its field; its open
questions are part of the catalog format."""

from __future__ import annotations

import copy

import pytest

from plan_indicators.catalog import TO_CHOOSE, CatalogError, parse_plan

PLAN = {
    "plan": {
        "id": "demo-2024-2026",
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "open_questions": ["1.1.1 : « 45 % » lu comme « au moins 45 »"],
    "indicators": [
        {
            "id": "1.1.1",
            "enjeu": "1 — Enjeu",
            "orientation": "1 — Orientation",
            "objective": "1.1 Objectif",
            "text_fr": "Nombre de rencontres",
            "unit": "count",
            "measure": {"name": "register_count"},
            "targets": {"2024-2025": {"kind": "at_least", "value": 2, "text_fr": "2"}},
        }
    ],
}


def _problems(edit) -> list[tuple[str, str, str]]:
    raw = copy.deepcopy(PLAN)
    edit(raw)
    with pytest.raises(CatalogError) as info:
        parse_plan(raw, "draft.yaml")
    return info.value.problems


def test_open_questions_are_part_of_the_catalog():
    plan = parse_plan(copy.deepcopy(PLAN), "draft.yaml")
    assert plan.open_questions == ["1.1.1 : « 45 % » lu comme « au moins 45 »"]


def test_measure_to_choose_names_the_indicator_and_the_measures_of_its_unit():
    def edit(raw):
        raw["indicators"][0]["measure"] = {"name": TO_CHOOSE}

    [(ind, fld, msg)] = _problems(edit)
    assert (ind, fld) == ("1.1.1", "measure.name")
    assert msg == (
        "measure left to choose: the draft could not tell it from the plan's text; "
        "measures for unit count: distinct_users, register_count, survey_value"
    )


def test_unit_to_choose_names_the_field_and_the_units():
    def edit(raw):
        raw["indicators"][0]["unit"] = TO_CHOOSE

    assert _problems(edit) == [
        (
            "1.1.1",
            "unit",
            "left to choose: the draft could not tell it from the plan's text; write one of "
            "percent, count, score, days, date, currency",
        )
    ]


def test_everything_left_to_choose_is_reported_with_the_other_faults():
    """A structural fault (here a misspelt field) stops the model, not the placeholder scan."""

    def edit(raw):
        ind = raw["indicators"][0]
        ind["measure"] = {"name": TO_CHOOSE}
        ind["unit"] = TO_CHOOSE
        ind["text"] = ind.pop("text_fr")

    problems = [(ind, fld) for ind, fld, _ in _problems(edit)]
    assert problems == [
        ("1.1.1", "unit"),
        ("1.1.1", "measure.name"),
        ("1.1.1", "text_fr"),
        ("1.1.1", "text"),
    ]


def test_organisation_to_choose_is_an_error():
    def edit(raw):
        raw["plan"]["organisation"] = TO_CHOOSE

    assert _problems(edit) == [
        (
            "",
            "plan.organisation",
            "left to choose: the draft could not tell it from the plan's text; write it",
        )
    ]

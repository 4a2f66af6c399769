"""Catalog validation: every fault names the file, the indicator and the field
(docs/contracts.md §2.7)."""

from __future__ import annotations

import copy
import inspect
from pathlib import Path

import pytest
import yaml

from plan_indicators.catalog import (
    BASELINE_KINDS,
    TARGET_KINDS,
    CatalogError,
    Indicator,
    Plan,
    _param_problems,
    load_plan,
    parse_plan,
)
from plan_indicators.measures import Measure, MeasureResult

# docs/contracts.md §2.6: the measure library's names (the registry may still be empty while it
# is written).
SPEC_MEASURES = {
    "distinct_users", "share_posts_reach_at_least", "share_initial_offers_accepted",
    "mean_satisfaction_score", "share_requests_by_channel", "share_eligible_processed",
    "share_plans_with_consultation", "share_plans_adopted_within", "register_count",
    "register_rate", "register_milestone", "register_mean_delay", "survey_value",
    "survey_participation",
}  # fmt: skip

BASE = {
    "plan": {
        "id": "demo-2024-2026",
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": "1.1.2",
            "enjeu": "1 — Enjeu",
            "orientation": "1 — Orientation",
            "objective": "1.1 Objectif",
            "text_fr": "Proportion de publications",
            "unit": "percent",
            "measure": {"name": "share_posts_reach_at_least", "params": {"min_reach": 1000}},
            "targets": {
                "2024-2025": {"kind": "at_least", "value": 50, "text_fr": "≥ 50 %"},
                "2025-2026": {"kind": "at_least", "value": 53, "text_fr": "≥ 53 %"},
            },
        },
        {
            "id": "2.1.1-a",
            "enjeu": "2 — Enjeu",
            "orientation": "2 — Orientation",
            "objective": "2.1 Objectif",
            "text_fr": "date de mise en ligne",
            "unit": "date",
            "direction": "lower_is_better",
            "measure": {"name": "register_milestone"},
            "targets": {"2025-2026": {"kind": "deadline", "due": "juillet 2025"}},
        },
    ],
}


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _error(tmp_path: Path, edit) -> tuple[str, CatalogError]:
    raw = copy.deepcopy(BASE)
    edit(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(CatalogError) as info:
        load_plan(path, measure_names=SPEC_MEASURES)
    return str(path), info.value


def _target(raw: dict, index: int, fy: str) -> dict:
    return raw["indicators"][index]["targets"][fy]


def test_valid_plan_loads(tmp_path):
    plan = load_plan(_write(tmp_path, BASE), measure_names=SPEC_MEASURES)
    assert isinstance(plan, Plan)
    assert [i.id for i in plan.indicators] == ["1.1.2", "2.1.1-a"]
    assert plan.indicator("2.1.1-a").key_slug == "i_2_1_1_a"
    assert plan.indicator("1.1.2").targets["2025-2026"].value == 53
    assert plan.path == str(tmp_path / "plan.yaml")


def test_unknown_measure(tmp_path):
    file, err = _error(tmp_path, lambda r: r["indicators"][0]["measure"].update(name="likes"))
    msg = str(err)
    assert f"{file}: indicator 1.1.2: field measure.name: unknown measure 'likes'" in msg
    assert "register_count" in msg  # the known names are listed
    assert err.file == file
    assert [(ind, fld) for ind, fld, _ in err.problems] == [("1.1.2", "measure.name")]


def test_unknown_target_kind(tmp_path):
    file, err = _error(tmp_path, lambda r: _target(r, 0, "2025-2026").update(kind="about"))
    msg = str(err)
    assert f"{file}: indicator 1.1.2: field targets.2025-2026.kind: unknown target kind" in msg
    assert "'about'" in msg and "every_year_from" in msg
    assert "Input tag" not in msg  # pydantic's raw wording is replaced


def test_missing_target_kind(tmp_path):
    file, err = _error(tmp_path, lambda r: _target(r, 0, "2024-2025").pop("kind"))
    assert f"{file}: indicator 1.1.2: field targets.2024-2025.kind: target has no 'kind'" in str(
        err
    )


def test_fiscal_year_not_in_plan(tmp_path):
    def edit(raw):
        raw["indicators"][0]["targets"]["2026-2027"] = {"kind": "at_least", "value": 56}

    file, err = _error(tmp_path, edit)
    msg = str(err)
    assert f"{file}: indicator 1.1.2: field targets.2026-2027: fiscal year 2026-2027" in msg
    assert "not one of the plan's" in msg


def test_malformed_fiscal_year_key(tmp_path):
    def edit(raw):
        raw["indicators"][0]["targets"]["2025-2027"] = {"kind": "at_least", "value": 56}

    file, err = _error(tmp_path, edit)
    assert f"{file}: indicator 1.1.2: field targets.2025-2027: not a fiscal year key" in str(err)


def test_missing_baseline_year(tmp_path):
    def edit(raw):
        raw["indicators"][0]["targets"]["2025-2026"] = {"kind": "points_over_baseline", "points": 2}

    file, err = _error(tmp_path, edit)
    msg = str(err)
    assert f"{file}: indicator 1.1.2: field targets.2025-2026.baseline_year: missing field" in msg
    assert "points_over_baseline" in msg
    assert "Field required" not in msg


def test_baseline_year_not_before_target_year(tmp_path):
    def edit(raw):
        raw["indicators"][0]["targets"]["2024-2025"] = {
            "kind": "relative_to_baseline", "percent": 2, "baseline_year": "2024-2025",
        }  # fmt: skip

    file, err = _error(tmp_path, edit)
    assert (
        f"{file}: indicator 1.1.2: field targets.2024-2025.baseline_year: "
        "baseline year 2024-2025 is not before 2024-2025"
    ) in str(err)


def test_baseline_value_allows_same_year(tmp_path):
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["targets"]["2024-2025"] = {
        "kind": "relative_to_baseline", "percent": 2, "baseline_year": "2024-2025",
        "baseline_value": 40.0,
    }  # fmt: skip
    plan = load_plan(_write(tmp_path, raw), measure_names=SPEC_MEASURES)
    assert plan.indicator("1.1.2").targets["2024-2025"].baseline_value == 40.0


def test_duplicate_indicator_id(tmp_path):
    file, err = _error(tmp_path, lambda r: r["indicators"].__setitem__(1, r["indicators"][0]))
    assert (
        f"{file}: indicator 1.1.2: field id: duplicate indicator id '1.1.2' (indicators #1 and #2)"
    ) in str(err)


def test_unreadable_deadline_text(tmp_path):
    file, err = _error(tmp_path, lambda r: _target(r, 1, "2025-2026").update(due="bientôt 2025"))
    msg = str(err)
    assert f"{file}: indicator 2.1.1-a: field targets.2025-2026.due: cannot read deadline" in msg
    assert "'bientôt 2025'" in msg
    assert "Value error" not in msg  # pydantic's prefix is removed


def test_deadline_under_wrong_year(tmp_path):
    # "juillet 2024" ends 2024-07-31, inside 2024-2025 (2024-04-01 .. 2025-03-31), not 2025-2026.
    file, err = _error(tmp_path, lambda r: _target(r, 1, "2025-2026").update(due="juillet 2024"))
    assert (
        f"{file}: indicator 2.1.1-a: field targets.2025-2026.due: "
        "deadline 'juillet 2024' falls in 2024-2025"
    ) in str(err)


def test_unreadable_every_year_start(tmp_path):
    def edit(raw):
        raw["indicators"][0]["targets"]["2025-2026"] = {
            "kind": "every_year_from", "start": "un jour", "min_count": 1,
        }  # fmt: skip

    file, err = _error(tmp_path, edit)
    assert (
        f"{file}: indicator 1.1.2: field targets.2025-2026.start: cannot read start 'un jour'"
    ) in str(err)


def test_every_year_start_after_the_year(tmp_path):
    # "automne 2025" starts 2025-12-20, after the end of 2024-2025 (2025-03-31).
    def edit(raw):
        raw["indicators"][0]["unit"] = "count"
        raw["indicators"][0]["targets"]["2024-2025"] = {
            "kind": "every_year_from", "start": "automne 2025", "min_count": 1, "per": "half_year",
        }  # fmt: skip

    file, err = _error(tmp_path, edit)
    assert (
        f"{file}: indicator 1.1.2: field targets.2024-2025.start: "
        "start 'automne 2025' is after the end of 2024-2025"
    ) in str(err)


def test_unknown_field_in_target(tmp_path):
    file, err = _error(tmp_path, lambda r: _target(r, 0, "2024-2025").update(valeur=50))
    assert f"{file}: indicator 1.1.2: field targets.2024-2025.valeur: unknown field" in str(err)


def test_every_problem_is_reported_at_once(tmp_path):
    def edit(raw):
        raw["indicators"][0]["measure"]["name"] = "likes"
        raw["indicators"][1]["id"] = "1.1.2"

    _, err = _error(tmp_path, edit)
    fields = sorted(fld for _, fld, _ in err.problems)
    assert fields == ["id", "measure.name"]
    assert len(str(err).splitlines()) == 2


def test_indicator_without_id_is_located_by_position(tmp_path):
    file, err = _error(tmp_path, lambda r: r["indicators"][1].pop("id"))
    assert f"{file}: indicator #2: field id: missing field 'id'" in str(err)


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("plan: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_plan(path, measure_names=SPEC_MEASURES)
    assert str(info.value).startswith(f"{path}: indicator -: field (file): invalid YAML")


def test_unquoted_iso_dates_are_kept_as_text(tmp_path):
    text = yaml.safe_dump(BASE, allow_unicode=True).replace("due: juillet 2025", "due: 2025-07-31")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path, measure_names=SPEC_MEASURES)
    assert plan.indicator("2.1.1-a").targets["2025-2026"].due == "2025-07-31"


def test_partition_years_add_baseline_years():
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["targets"]["2024-2025"] = {
        "kind": "points_over_baseline", "points": 2, "baseline_year": "2022-2023",
    }  # fmt: skip
    plan = parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    assert plan.partition_years() == ["2022-2023", "2024-2025", "2025-2026"]


KIND_EXAMPLES = {
    "at_least": {"value": 50},
    "at_most": {"value": 10},
    "relative_to_baseline": {"percent": 2, "baseline_year": "2023-2024"},
    "points_over_baseline": {"points": 2, "baseline_year": "2023-2024"},
    "delta_over_baseline": {"delta": 0.1, "baseline_year": "2023-2024"},
    "at_least_previous": {},
    "first_measure": {},
    "not_applicable": {},
    "deadline": {"due": "hiver 2025"},
    "every_year_from": {"start": "à partir de 2024", "min_count": 1},
    "cumulative_at_least": {"value": 50},
}


# The unit and direction each kind fits (docs/contracts.md §2.4); BASE is a higher_is_better
# percent.
KIND_FIT = {
    "at_most": {"direction": "lower_is_better"},
    "deadline": {"unit": "date", "direction": "lower_is_better"},
    "every_year_from": {"unit": "count"},
}


@pytest.mark.parametrize("kind", TARGET_KINDS)
def test_every_target_kind_loads(kind):
    raw = copy.deepcopy(BASE)
    raw["indicators"][0].update(KIND_FIT.get(kind, {}))
    raw["indicators"][0]["targets"] = {"2024-2025": {"kind": kind, **KIND_EXAMPLES[kind]}}
    plan = parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    target = plan.indicator("1.1.2").targets["2024-2025"]
    assert target.kind == kind
    # Only the three baseline kinds add the 2023-2024 partition.
    expected = 3 if kind in BASELINE_KINDS else 2
    assert len(plan.partition_years()) == expected


def _reach(ctx, min_reach: int) -> MeasureResult:
    return MeasureResult(value=None)


def test_measure_parameters_are_checked_against_the_function():
    measure = Measure("share_posts_reach_at_least", ("facebook_posts",), _reach, "")
    assert list(inspect.signature(measure.fn).parameters) == ["ctx", "min_reach"]
    good = Indicator.model_validate(BASE["indicators"][0])
    assert _param_problems(good, {measure.name: measure}) == []
    raw = copy.deepcopy(BASE["indicators"][0])
    raw["measure"]["params"] = {"min_rech": 1000}
    bad = Indicator.model_validate(raw)
    name = "'share_posts_reach_at_least'"
    assert _param_problems(bad, {measure.name: measure}) == [
        (
            "1.1.2",
            "measure.params.min_rech",
            f"measure {name} takes no 'min_rech'; it takes: min_reach (whole number; required)",
        ),
        (
            "1.1.2",
            "measure.params.min_reach",
            f"measure {name} needs 'min_reach': min_reach (whole number; required)",
        ),
    ]


# ── scales (docs/contracts.md §2.3: a score states what it is out of) ───────────────────────


def _score(raw: dict, **fields) -> dict:
    """Turn the first indicator into a score (the satisfaction note of OPHQ 2.2.1)."""
    ind = raw["indicators"][0]
    ind.update(unit="score", measure={"name": "mean_satisfaction_score"}, **fields)
    ind["targets"] = {"2024-2025": {"kind": "at_least", "value": 7.5}}
    return ind


def test_a_score_loads_with_its_scale(tmp_path):
    raw = copy.deepcopy(BASE)
    _score(raw, scale={"min": 0, "max": 10})
    plan = load_plan(_write(tmp_path, raw), measure_names=SPEC_MEASURES)
    scale = plan.indicator("1.1.2").scale
    assert (scale.min, scale.max) == (0, 10)


def test_a_score_without_scale_is_refused(tmp_path):
    file, err = _error(tmp_path, lambda r: _score(r))
    assert f"{file}: indicator 1.1.2: field scale: unit score needs its scale" in str(err)


def test_a_scale_on_another_unit_is_refused(tmp_path):
    edit = lambda r: r["indicators"][0].update(scale={"min": 0, "max": 100})  # noqa: E731
    file, err = _error(tmp_path, edit)
    assert (
        f"{file}: indicator 1.1.2: field scale: only unit score takes a scale, not unit percent"
    ) in str(err)


def test_a_scale_must_run_upwards(tmp_path):
    file, err = _error(tmp_path, lambda r: _score(r, scale={"min": 10, "max": 0}))
    assert f"{file}: indicator 1.1.2: field scale: scale min 10 must be below max 0" in str(err)


def test_a_target_outside_the_value_range_is_refused(tmp_path):
    def edit(raw):
        _target(raw, 0, "2024-2025")["value"] = 110  # a share cannot pass 100 %

    file, err = _error(tmp_path, edit)
    assert (
        f"{file}: indicator 1.1.2: field targets.2024-2025.value: target 110 is outside the "
        "percent range 0-100"
    ) in str(err)
    # 12 on a note out of 10
    file, err = _error(tmp_path, lambda r: _score(r, scale={"min": 0, "max": 10}).update(
        direction="lower_is_better", targets={"2024-2025": {"kind": "at_most", "value": 12}}
    ))  # fmt: skip
    assert "target 12 is outside the score range 0-10" in str(err)


# ── what the run would refuse, refused when the catalog loads ──────────────────────────────


def test_measure_parameters_of_the_wrong_type_are_refused(tmp_path):
    def edit(raw):
        raw["indicators"][0]["measure"]["params"] = {"min_reach": "mille"}

    raw = copy.deepcopy(BASE)
    edit(raw)
    with pytest.raises(CatalogError) as info:
        load_plan(_write(tmp_path, raw))  # the registry's functions and their annotations
    assert (
        "indicator 1.1.2: field measure.params.min_reach: measure 'share_posts_reach_at_least' "
        "takes min_reach as number, not 'mille'"
    ) in str(info.value)


def test_a_delay_statistic_is_mean_or_median(tmp_path):
    raw = copy.deepcopy(BASE)
    raw["indicators"][0].update(
        unit="days", measure={"name": "register_mean_delay", "params": {"statistic": "moyenne"}}
    )
    raw["indicators"][0]["targets"] = {"2024-2025": {"kind": "at_most", "value": 10}}
    with pytest.raises(CatalogError) as info:
        load_plan(_write(tmp_path, raw))
    assert "field measure.params.statistic" in str(info.value)
    assert "'moyenne'" in str(info.value)


def test_an_id_too_long_for_the_warehouse_is_refused(tmp_path):
    long_id = "1." * 17  # 34 characters; indicator_id is VARCHAR(32)
    file, err = _error(tmp_path, lambda r: r["indicators"][0].update(id=long_id))
    assert f"{file}: indicator {long_id}: field id: String should have at most 32" in str(err)


def test_a_plan_needs_a_fiscal_year(tmp_path):
    file, err = _error(tmp_path, lambda r: r["plan"].update(fiscal_years=[]))
    assert f"{file}: indicator -: field plan.fiscal_years: List should have at least 1" in str(err)


def test_odd_ids_become_valid_asset_names():
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["id"] = "1.1 é/(b)"
    plan = parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    # "." " " "/" "(" ")" → "_", "é" → "e"
    assert plan.indicator("1.1 é/(b)").key_slug == "i_1_1_e__b_"
    # ids that only differ by punctuation would share one asset key
    raw["indicators"][1]["id"] = "1-1-é/(b)"
    with pytest.raises(CatalogError) as info:
        parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    assert "ids '1.1 é/(b)' and '1-1-é/(b)' give the same asset key 'i_1_1_e__b_'" in str(
        info.value
    )


# ── baseline years (a computed baseline is a partition: it must be near the plan) ───────────


def _baseline(raw: dict, year: str, **extra) -> None:
    raw["indicators"][0]["targets"]["2025-2026"] = {
        "kind": "points_over_baseline", "points": 2, "baseline_year": year, **extra,
    }  # fmt: skip


def test_a_computed_baseline_decades_before_the_plan_is_refused(tmp_path):
    file, err = _error(tmp_path, lambda r: _baseline(r, "1990-1991"))
    assert (
        f"{file}: indicator 1.1.2: field targets.2025-2026.baseline_year: baseline year "
        "1990-1991 is more than 3 years before the plan's first year 2024-2025: give its "
        "baseline_value, or a later year"
    ) in str(err)


def test_a_computed_baseline_up_to_three_years_before_the_plan_is_a_partition():
    # first plan year 2024-2025; 2024 − 3 = 2021: 2021-2022 is the earliest computed baseline
    raw = copy.deepcopy(BASE)
    _baseline(raw, "2021-2022")
    plan = parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    assert plan.partition_years() == ["2021-2022", "2024-2025", "2025-2026"]
    _baseline(raw, "2020-2021")
    with pytest.raises(CatalogError):
        parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)


def test_a_given_baseline_value_needs_no_partition():
    raw = copy.deepcopy(BASE)
    _baseline(raw, "1990-1991", baseline_value=41.5)
    plan = parse_plan(raw, "mem.yaml", measure_names=SPEC_MEASURES)
    assert plan.partition_years() == ["2024-2025", "2025-2026"]


def test_measure_that_cannot_give_the_unit_is_refused(tmp_path):
    # A percent computed by register_count (a sum of quantities: 150 meetings) would pass
    # validate-plan, then fail the result suite's percent_range at every run: the measure's
    # declared units (docs/contracts.md §2.6) refuse it at load, as the run would.
    raw = copy.deepcopy(BASE)
    raw["indicators"][0]["measure"] = {"name": "register_count"}
    with pytest.raises(CatalogError) as info:
        load_plan(_write(tmp_path, raw))  # the real registry: its measures and their units
    [(ind, field, message)] = info.value.problems
    assert (ind, field) == ("1.1.2", "unit")
    assert message.startswith("measure 'register_count' gives count, not percent")
    raw["indicators"][0]["measure"] = {"name": "survey_value"}  # any number: a percent too
    assert load_plan(_write(tmp_path, raw)).indicators[0].measure.name == "survey_value"

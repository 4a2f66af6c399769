"""The two real catalogs (data/plans/) against their seed documents (data/seeds/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plan_indicators.catalog import Plan, default_plans_dir, load_catalog, load_plan
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import parse_due

# docs/contracts.md §2.6: the measure library's names (the registry may still be empty while it
# is written).
SPEC_MEASURES = {
    "distinct_users", "share_posts_reach_at_least", "share_initial_offers_accepted",
    "mean_satisfaction_score", "share_requests_by_channel", "share_eligible_processed",
    "share_plans_with_consultation", "share_plans_adopted_within", "register_count",
    "register_rate", "register_milestone", "register_mean_delay", "survey_value",
    "survey_participation",
}  # fmt: skip

PLANS = default_plans_dir()
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
OPHQ_FILE, OPHQ_SEED = PLANS / "ophq-2024-2028.yaml", SEEDS / "004_aa5d047514b639ec.txt"
OPQ_FILE, OPQ_SEED = PLANS / "opq-2019-2023.yaml", SEEDS / "000_1a4b9a83d82761a1.txt"


def _norm(text: str) -> str:
    """Whitespace-insensitive form: tabs, line wraps, NBSP and em spaces become one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def ophq() -> Plan:
    return load_plan(OPHQ_FILE, measure_names=SPEC_MEASURES)


@pytest.fixture(scope="module")
def opq() -> Plan:
    return load_plan(OPQ_FILE, measure_names=SPEC_MEASURES)


def test_catalog_loads_with_the_measure_registry():
    # Uses plan_indicators.measures' real registry: every contract measure must be registered.
    plans = {p.id: p for p in load_catalog(PLANS)}
    assert set(plans) == {"ophq-2024-2028", "opq-2019-2023"}


def test_ophq_plan_header(ophq):
    assert ophq.plan.organisation == "Office des personnes handicapées du Québec"
    assert ophq.plan.fiscal_years == ["2024-2025", "2025-2026", "2026-2027", "2027-2028"]
    assert ophq.plan.source == OPHQ_SEED.name


def test_ophq_has_every_indicator_of_the_seed(ophq):
    # Counted by hand in the seed's tables: 1.1.1, 1.1.2 | 2.1.1 | 2.2.1 | 3.1.1 | 4.1.1, 4.2.1,
    # 4.3.1, 4.4.1, 4.5.1, 4.5.2 | 5.1.1, 5.2.1 | 6.1.1 = 2 + 1 + 1 + 1 + 6 + 2 + 1 = 14.
    # (The first brief said 16, but the seed's synoptic table holds 14 indicators.)
    ids = [i.id for i in ophq.indicators]
    assert len(ids) == 14
    assert ids == [
        "1.1.1", "1.1.2", "2.1.1", "2.2.1", "3.1.1", "4.1.1", "4.2.1", "4.3.1", "4.4.1",
        "4.5.1", "4.5.2", "5.1.1", "5.2.1", "6.1.1",
    ]  # fmt: skip
    seed_ids = re.findall(r"\t(\d\.\d\.\d) [A-ZÉ]", OPHQ_SEED.read_text(encoding="utf-8"))
    assert seed_ids == ids


def test_ophq_has_one_target_per_fiscal_year(ophq):
    for ind in ophq.indicators:
        assert list(ind.targets) == ophq.plan.fiscal_years, ind.id


def test_ophq_partition_years_include_baseline_years(ophq):
    # 5.1.1 refers to 2022-2023 and 1.1.1 to 2023-2024, both before the plan's first year.
    years = ophq.partition_years()
    assert "2022-2023" in years and "2023-2024" in years
    assert years == ["2022-2023", "2023-2024", "2024-2025", "2025-2026", "2026-2027", "2027-2028"]


def test_ophq_scores_state_their_scales(ophq):
    # 2.2.1 is "(note sur 10)" in the seed; 6.1.1's index has no scale in the seed: 0-100,
    # justified in its assumptions (indices are published on 100; a 0-100 scale admits one on 10)
    note, index = ophq.indicator("2.2.1"), ophq.indicator("6.1.1")
    assert "(note sur 10)" in note.text_fr and (note.scale.min, note.scale.max) == (0, 10)
    assert (index.scale.min, index.scale.max) == (0, 100)
    assert any("Échelle présumée de 0 à 100" in a for a in index.assumptions)
    scored = [i.id for p in load_catalog(PLANS) for i in p.indicators if i.unit == "score"]
    assert scored == ["2.2.1", "6.1.1"]


def test_ophq_target_kinds_follow_the_plan(ophq):
    kinds = {i.id: [t.kind for t in i.targets.values()] for i in ophq.indicators}
    assert kinds["1.1.1"] == ["relative_to_baseline"] * 4
    assert kinds["2.2.1"] == ["first_measure"] + ["delta_over_baseline"] * 3
    assert kinds["3.1.1"] == ["first_measure"] + ["points_over_baseline"] * 3
    assert kinds["4.4.1"] == ["not_applicable"] + ["at_least"] * 3
    assert kinds["5.1.1"] == ["points_over_baseline"] * 4
    assert kinds["6.1.1"] == ["first_measure"] + ["at_least_previous"] * 3
    t = ophq.indicator("2.2.1").targets["2027-2028"]
    assert (t.delta, t.baseline_year, t.text_fr) == (
        0.3, "2024-2025", "+0,3 par rapport à la mesure de départ (2024-2025)",
    )  # fmt: skip
    t = ophq.indicator("2.1.1").targets["2024-2025"]
    assert (t.kind, t.value, t.text_fr) == ("at_least", 45, "45 %")  # no sign = at_least
    assert ophq.indicator("1.1.2").measure.params == {"min_reach": 1000}
    assert ophq.indicator("3.1.1").measure.params == {"channels": ["web_form", "email", "chat"]}
    assert ophq.indicator("5.2.1").measure.params == {"months": 6}
    assert all(p.startswith("/") for p in ophq.indicator("1.1.1").measure.params["pages"])


def test_opq_plan_header(opq):
    assert opq.plan.organisation == "Office des professions du Québec"
    assert opq.plan.fiscal_years == ["2019-2020", "2020-2021", "2021-2022", "2022-2023"]
    assert opq.plan.source == OPQ_SEED.name
    assert opq.plan.assumptions


def test_opq_has_every_indicator_of_the_seed(opq):
    # "Indicateur :" lines counted by hand per objective: 1.1.1 1, 1.1.2 1, 1.1.3 1, 1.2.1 3,
    # 1.2.2 1, 2.1.1 2, 2.1.2 1, 3.1.1 1, 3.1.2 1, 3.2.1 3, 3.3.1 3, 3.3.2 2, 3.4.1 3, 3.4.2 1,
    # 3.4.3 1, 3.4.4 1 → 1+1+1+3+1+2+1+1+1+3+3+2+3+1+1+1 = 26.
    ids = [i.id for i in opq.indicators]
    assert len(ids) == 26
    assert OPQ_SEED.read_text(encoding="utf-8").count("Indicateur :") == 26
    assert ids == [
        "1.1.1", "1.1.2", "1.1.3", "1.2.1-a", "1.2.1-b", "1.2.1-c", "1.2.2",
        "2.1.1-a", "2.1.1-b", "2.1.2", "3.1.1", "3.1.2", "3.2.1-a", "3.2.1-b", "3.2.1-c",
        "3.3.1-a", "3.3.1-b", "3.3.1-c", "3.3.2-a", "3.3.2-b", "3.4.1-a", "3.4.1-b", "3.4.1-c",
        "3.4.2", "3.4.3", "3.4.4",
    ]  # fmt: skip


def test_opq_indicators_follow_the_seed_order(opq):
    seed = _norm(OPQ_SEED.read_text(encoding="utf-8"))
    positions = [seed.index(f"Indicateur : {i.text_fr} Cible") for i in opq.indicators]
    assert positions == sorted(positions)


def test_opq_partition_years_include_the_pre_plan_baseline(opq):
    # 1.1.3's +20 % is measured against 2018-2019, the year before the plan.
    assert opq.partition_years() == [
        "2018-2019", "2019-2020", "2020-2021", "2021-2022", "2022-2023",
    ]  # fmt: skip


def test_opq_deadlines_sit_in_the_year_of_their_due_date(opq):
    deadlines = {
        ind.id: (fy, t.due)
        for ind in opq.indicators
        for fy, t in ind.targets.items()
        if t.kind == "deadline"
    }
    # 26 indicators − 6 non-milestones (1.1.3, 1.2.1-b, 1.2.2, 2.1.1-b, 3.1.1, 3.2.1-b) = 20.
    assert len(deadlines) == 20
    assert deadlines["1.1.1"] == ("2020-2021", "hiver 2021")  # 2021-03-19 ≤ 2021-03-31
    assert deadlines["3.3.1-a"] == ("2019-2020", "juin 2019")  # 2019-06-30 ≥ 2019-04-01
    assert deadlines["1.2.1-c"] == ("2019-2020", "été 2019")  # 2019-09-22
    assert deadlines["3.4.2"] == ("2020-2021", "printemps 2020")  # 2020-06-20
    for fy, due in deadlines.values():
        assert FiscalYear.of(parse_due(due)).key == fy
    assert opq.indicator("1.2.1-c").measure.params == {"subjects": 46}


def test_opq_recurring_and_numeric_targets(opq):
    bes = opq.indicator("1.2.1-b")
    assert (bes.unit, bes.direction) == ("days", "lower_is_better")
    assert bes.measure.params == {"business_days": True, "statistic": "mean"}
    assert {(t.kind, t.value) for t in bes.targets.values()} == {("at_most", 10)}
    news = opq.indicator("2.1.1-b")
    assert list(news.targets) == ["2020-2021", "2021-2022", "2022-2023"]
    assert {(t.start, t.min_count, t.per) for t in news.targets.values()} == {
        ("automne 2020", 1, "half_year")
    }
    guides = opq.indicator("1.2.2")
    assert list(guides.targets) == opq.plan.fiscal_years
    feedback = opq.indicator("1.1.3").targets["2022-2023"]
    assert (feedback.kind, feedback.percent, feedback.baseline_year) == (
        "relative_to_baseline", 20, "2018-2019",
    )  # fmt: skip
    panel = opq.indicator("3.1.1")
    assert panel.measure.name == "survey_participation"
    assert {(t.kind, t.value) for t in panel.targets.values()} == {("at_least", 75)}


@pytest.mark.parametrize(
    ("file", "seed"), [(OPHQ_FILE, OPHQ_SEED), (OPQ_FILE, OPQ_SEED)], ids=["ophq", "opq"]
)
def test_french_wording_is_verbatim(file, seed):
    plan = load_plan(file, measure_names=SPEC_MEASURES)
    text = _norm(seed.read_text(encoding="utf-8"))
    prefix = re.compile(r"^[\d.]+ — ")  # our "N — " separator replaces "Enjeu N :" / layout
    for ind in plan.indicators:
        assert _norm(ind.text_fr) in text, (ind.id, ind.text_fr)
        assert _norm(ind.objective) in text, (ind.id, ind.objective)
        for label in (ind.enjeu, ind.orientation):
            assert prefix.match(label), (ind.id, label)
            assert _norm(prefix.sub("", label)) in text, (ind.id, label)
        for fy, target in ind.targets.items():
            assert target.text_fr and _norm(target.text_fr) in text, (ind.id, fy, target.text_fr)


@pytest.mark.parametrize("file", [OPHQ_FILE, OPQ_FILE], ids=["ophq", "opq"])
def test_every_indicator_names_a_spec_measure_and_explains_itself(file):
    plan = load_plan(file, measure_names=SPEC_MEASURES)
    for ind in plan.indicators:
        assert ind.measure.name in SPEC_MEASURES, ind.id
        assert ind.targets, ind.id
        assert ind.assumptions, ind.id
        assert (ind.unit == "date") == (ind.measure.name == "register_milestone"), ind.id


def test_seeds_are_in_the_repository():
    # The seeds the catalogs were copied from live in data/seeds/; no tracked file reads the
    # shared folder outside the repository (the string is split so this file does not match).
    import subprocess

    root = Path(__file__).resolve().parents[1]
    assert OPHQ_SEED.is_file() and OPQ_SEED.is_file() and root / "data" / "seeds" == SEEDS
    outside = ["/work/" + "shared", "../" + "shared/"]
    files = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    found = [
        f
        for f in files
        if (root / f).is_file()
        and any(s in (root / f).read_text("utf-8", errors="ignore") for s in outside)
    ]
    assert found == []

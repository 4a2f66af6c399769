"""The drafts of the two seed plans against the hand catalogs of data/plans/, and what
`validate-plan` says of a draft (docs/contracts.md §7.1 `draft-plan`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import cli
from plan_indicators.catalog import CatalogError, Indicator, default_plans_dir, load_plan
from plan_indicators.drafting import draft_plan, render

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
PLANS = default_plans_dir()
OPHQ_SEED, OPHQ_FILE = SEEDS / "004_aa5d047514b639ec.txt", PLANS / "ophq-2024-2028.yaml"
OPQ_SEED, OPQ_FILE = SEEDS / "000_1a4b9a83d82761a1.txt", PLANS / "opq-2019-2023.yaml"
WORDING = ("enjeu", "orientation", "objective", "text_fr")

# Measures the text cannot tell, by hand: every OPHQ indicator is a count, percent or score,
# for which the library has several measures; in OPQ, all but the 20 milestones ("date de …",
# register_milestone is the only measure giving a date): 1.1.3 and 1.2.2 and 2.1.1-b and
# 3.2.1-b (counts), 1.2.1-b (days), 3.1.1 (percent).
OPHQ_TO_CHOOSE = [
    "1.1.1", "1.1.2", "2.1.1", "2.2.1", "3.1.1", "4.1.1", "4.2.1", "4.3.1", "4.4.1", "4.5.1",
    "4.5.2", "5.1.1", "5.2.1", "6.1.1",
]  # fmt: skip
OPQ_TO_CHOOSE = ["1.1.3", "1.2.1-b", "1.2.2", "2.1.1-b", "3.1.1", "3.2.1-b"]
# The OPHQ employee-experience index (6.1.1) names no scale: left to choose once the catalog
# reads `scale` (2.2.1's "note sur 10" gives 0-10).
SCALES_TO_CHOOSE = {"ophq": ["6.1.1"], "opq": []} if "scale" in Indicator.model_fields else {}


def _written(seed: Path) -> dict:
    """The draft as a planner gets it: the YAML text `draft-plan` writes, read back."""
    return yaml.safe_load(render(draft_plan(seed.read_text(encoding="utf-8"), source=seed.name)))


def _hand(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _targets(indicator: dict) -> dict:
    """Targets as compared: every field but a hand catalog's `note`."""
    return {
        fy: {k: v for k, v in t.items() if k != "note"}
        for fy, t in indicator.get("targets", {}).items()
    }


@pytest.fixture(scope="module")
def ophq() -> tuple[dict, dict]:
    return _written(OPHQ_SEED), _hand(OPHQ_FILE)


@pytest.fixture(scope="module")
def opq() -> tuple[dict, dict]:
    return _written(OPQ_SEED), _hand(OPQ_FILE)


@pytest.mark.parametrize("pair", ["ophq", "opq"])
def test_plan_header_equals_the_hand_catalog(pair, request):
    draft, hand = request.getfixturevalue(pair)
    keys = ("id", "organisation", "title", "fiscal_years", "source")
    assert {k: draft["plan"][k] for k in keys} == {k: hand["plan"][k] for k in keys}


@pytest.mark.parametrize("pair", ["ophq", "opq"])
def test_ids_wording_unit_and_direction_equal_the_hand_catalog(pair, request):
    draft, hand = request.getfixturevalue(pair)
    assert [i["id"] for i in draft["indicators"]] == [i["id"] for i in hand["indicators"]]
    for d, h in zip(draft["indicators"], hand["indicators"], strict=True):
        for key in (*WORDING, "unit", "direction"):
            assert d[key] == h[key], (h["id"], key)


def test_ophq_table_targets_equal_the_hand_catalog_completely(ophq):
    draft, hand = ophq
    # 14 indicators × 4 fiscal years = 56 targets, every kind, number and wording.
    assert sum(len(i["targets"]) for i in hand["indicators"]) == 56
    for d, h in zip(draft["indicators"], hand["indicators"], strict=True):
        assert _targets(d) == _targets(h), h["id"]


def test_opq_text_targets_match_the_hand_catalog_for_at_least_90_percent(opq):
    draft, hand = opq
    drafted = {i["id"]: _targets(i) for i in draft["indicators"]}
    matched, missed = 0, []
    for h in hand["indicators"]:
        for fy, target in _targets(h).items():
            if drafted[h["id"]].get(fy) == target:
                matched += 1
            else:
                missed.append(f"{h['id']} {fy}")
    # By hand: 20 milestones (one deadline each) + 1.1.3, 1.2.1-b, 1.2.2, 3.1.1 (4 years each)
    # + 2.1.1-b and 3.2.1-b (3 years each, from 2020-2021) = 20 + 16 + 6 = 42 targets.
    total = matched + len(missed)
    assert total == 42
    print(f"OPQ draft: {matched}/{total} targets equal the hand catalog ({matched / total:.0%})")
    assert matched / total >= 0.9
    # What does not match is listed as an open question of its indicator.
    for miss in missed:
        ind_id = miss.split()[0]
        assert any(q.startswith(f"{ind_id} :") for q in draft["open_questions"]), miss
    extra = [
        f"{i} {fy}" for i, ts in drafted.items() for fy in ts if fy not in _hand_targets(hand, i)
    ]
    assert extra == []


def _hand_targets(hand: dict, ind_id: str) -> dict:
    return next(_targets(i) for i in hand["indicators"] if i["id"] == ind_id)


def test_opq_guesses_are_open_questions(opq):
    """Each reading the hand catalog documents as an assumption is a question in the draft."""
    questions = "\n".join(opq[0]["open_questions"])
    for expected in (
        "plan : années du plan déduites des échéances (2019-2020 à 2022-2023)",
        "1.1.3 : « augmentation d’au moins 20 % » sans année de référence : mesure de départ "
        "présumée 2018-2019",
        "1.2.1-b : « 10 jours ouvrables » : nombre sans signe lu comme un maximum",
        "2.1.1-b : « semestrielle » : au moins 1 par semestre",
        "3.1.1 : « participation de 75 % du personnel » : nombre sans signe lu comme "
        "« au moins 75 »",
        "1.2.1-c : « chaque » dans le libellé : le jalon porte-t-il sur plusieurs sujets ?",
    ):
        assert expected in questions


def test_ophq_draft_leaves_only_the_scale_of_an_index_open(ophq):
    assert ophq[0]["open_questions"] == [
        "6.1.1 : échelle de la note à préciser (scale: {min: …, max: …})"
    ]


def test_proposed_measures_are_the_hand_catalogs(opq):
    draft, hand = opq
    measures = {i["id"]: i["measure"]["name"] for i in hand["indicators"]}
    proposed = {i["id"]: i["measure"]["name"] for i in draft["indicators"]}
    chosen = {i: m for i, m in proposed.items() if m != "à choisir"}
    assert len(chosen) == 20
    assert all(measures[i] == m == "register_milestone" for i, m in chosen.items())


@pytest.mark.parametrize(
    ("seed_name", "seed", "hand_file", "to_choose"),
    [
        ("ophq", OPHQ_SEED, OPHQ_FILE, OPHQ_TO_CHOOSE),
        ("opq", OPQ_SEED, OPQ_FILE, OPQ_TO_CHOOSE),
    ],
    ids=["ophq", "opq"],
)
def test_validate_plan_reports_exactly_the_measures_left_to_choose(
    seed_name, seed, hand_file, to_choose, tmp_path, capsys
):
    out = tmp_path / f"{seed.stem}.yaml"
    assert cli.main(["draft-plan", str(seed), "--out", str(out)]) == 0
    assert f"{len(to_choose)} measures to choose" in capsys.readouterr().out

    with pytest.raises(CatalogError) as info:
        load_plan(out)
    scales = [(ind, "scale") for ind in SCALES_TO_CHOOSE.get(seed_name, [])]
    expected = sorted([(ind, "measure.name") for ind in to_choose] + scales)
    assert sorted((ind, fld) for ind, fld, _ in info.value.problems) == expected
    assert all("left to choose" in msg for _, _, msg in info.value.problems)
    assert cli.main(["validate-plan", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{out}: indicator {to_choose[0]}: field measure.name: measure left to choose" in err
    assert err.count("\n") == len(expected)

    # Once a planner writes the measures and scales (here: the hand catalog's), it validates.
    draft, hand = yaml.safe_load(out.read_text(encoding="utf-8")), _hand(hand_file)
    chosen = {i["id"]: i for i in hand["indicators"]}
    for ind in draft["indicators"]:
        ind["measure"] = chosen[ind["id"]]["measure"]
        if ind.get("scale") == "à choisir":
            ind["scale"] = chosen[ind["id"]]["scale"]
    out.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert cli.main(["validate-plan", str(out)]) == 0
    questions = len(draft["open_questions"])
    assert f"{questions} open questions" in capsys.readouterr().out

"""Both layout readers on small plans nobody has seen: wrapped wording, continuation rows,
unnumbered indicators, year-labelled targets, wording the draft cannot read, the period, the
YAML it writes and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import cli
from plan_indicators.drafting import DraftError, draft_plan, render

TABLE = (
    "TABLEAU SYNOPTIQUE\n\nPLAN STRATÉGIQUE 2023-2026\n\n"
    "Ministère de l'Économie et de l'Innovation\n\nMISSION\n\nSoutenir l'économie.\n\n"
    "Enjeu 1 : Une économie innovante\n\n"
    "Orientation 1 : Stimuler l'investissement\n\n"
    "OBJECTIF\tINDICATEUR\tCIBLE 2023-2024\tCIBLE 2024-2025\tCIBLE 2025-2026\n"
    "1.1 Accroître les investissements\t1.1.1 Investissements cumulés des entreprises "
    "soutenues\t0,5 G$\t1,0 G$\t1,5 G$\n"
    "\t1.1.2 Nombre cumulé de projets soutenus\t50\t100\t150\n"
    "1.2 Réduire les délais\tDélai moyen de traitement des demandes\t≤ 30 jours ouvrables"
    "\t≤ 25 jours ouvrables\tÀ déterminer\n"
    "\tTaux de demandes traitées en ligne\t70 % annuellement\t70 % annuellement"
    "\t70 % annuellement\n\n"
    "Orientation 2 : Former la main-d'œuvre\n\n"
    "OBJECTIF\tINDICATEUR\tCIBLE 2023-2024\tCIBLE 2024-2025\tCIBLE 2025-2026\n"
    "2.1 Qualifier la relève\t2.1.1 Taux de diplomation\tPremière mesure"
    "\t+3 points de pourcentage par rapport à la mesure de départ\tS. O.\n"
)

TEXT = (
    "Plan stratégique 2021-2024 du Bureau des exemples du Québec\n\n"
    "La mission\n\nLe Bureau sert 1 000 personnes.\n\n"
    "  ENJEUX ORIENTATIONS OBJECTIFS\n\n"
    "1.\t UNE ORGANISATION \nPERFORMANTE\n\n"
    "1.1\t Améliorer \nles services\n\n"
    "1.1.1\t Réduire les délais de traitement des \ndemandes d’accès\n\n"
    "\t Indicateur :\t délai moyen de traitement des \t\t\n\t demandes\n\n"
    "\t Cible :\t 20 jours ouvrables\n\n"
    "\t Indicateur :\t taux de demandes traitées en ligne\n"
    "\t Cible 2021-2022 :\t 40 %\n\t Cible 2022-2023 :\t 45 %\n\t Cible 2023-2024 :\t 50 %\n\n"
    "1.1.2\t Faciliter la conciliation famille-\ntravail\n\n"
    "\t Indicateur :\t date de mise en ligne du portail\n\t Cible :\t printemps 2022\n\n"
    "Texte égaré entre deux objectifs.\n\n"
    "2.\t LA RELÈVE\n\n"
    "2.1\t Former\n\n"
    "2.1.1\t Publier des capsules\n\n"
    "\t Indicateur :\t capsules de formation publiées\n\t Cible :\t deux capsules par année\n\n"
    "\t Indicateur :\t nombre de partenaires mobilisés\n\t Cible :\t à confirmer\n\n"
    "\t Indicateur :\t date de dépôt du bilan final\n\t Cible :\t hiver 2026\n"
)


def _catalog(text: str, **kw) -> dict:
    return yaml.safe_load(render(draft_plan(text, source="plan.txt", **kw)))


def _by_id(catalog: dict) -> dict:
    return {i["id"]: i for i in catalog["indicators"]}


def test_table_layout_headings_columns_and_continuation_rows():
    catalog = _catalog(TABLE)
    assert catalog["plan"] == {
        "id": "mei-2023-2026",
        "organisation": "Ministère de l'Économie et de l'Innovation",
        "title": "Plan stratégique 2023-2026",
        "fiscal_years": ["2023-2024", "2024-2025", "2025-2026"],
        "source": "plan.txt",
    }
    inds = _by_id(catalog)
    # Unnumbered indicators of objective 1.2 take its number, lettered in the table's order.
    assert list(inds) == ["1.1.1", "1.1.2", "1.2-a", "1.2-b", "2.1.1"]
    second = inds["1.1.2"]
    assert second["objective"] == "1.1 Accroître les investissements"  # row begins with a tab
    assert second["enjeu"] == "1 — Une économie innovante"
    assert second["orientation"] == "1 — Stimuler l'investissement"
    assert inds["2.1.1"]["orientation"] == "2 — Former la main-d'œuvre"


def test_table_layout_targets_per_column():
    inds = _by_id(_catalog(TABLE))
    # "cumulés" in the wording: each year's amount is a cumul from the plan's first year;
    # 0,5 G$ = 500 000 000 $, 1,0 G$ = 1 000 000 000 $, 1,5 G$ = 1 500 000 000 $.
    money = inds["1.1.1"]
    assert money["unit"] == "currency"
    assert [(t["kind"], t["value"], t["from_year"]) for t in money["targets"].values()] == [
        ("cumulative_at_least", 500_000_000, "2023-2024"),
        ("cumulative_at_least", 1_000_000_000, "2023-2024"),
        ("cumulative_at_least", 1_500_000_000, "2023-2024"),
    ]
    assert [t["value"] for t in inds["1.1.2"]["targets"].values()] == [50, 100, 150]
    delay = inds["1.2-a"]
    assert (delay["unit"], delay["direction"]) == ("days", "lower_is_better")
    assert delay["targets"] == {
        "2023-2024": {"kind": "at_most", "value": 30, "text_fr": "≤ 30 jours ouvrables"},
        "2024-2025": {"kind": "at_most", "value": 25, "text_fr": "≤ 25 jours ouvrables"},
    }
    assert {t["value"] for t in inds["1.2-b"]["targets"].values()} == {70}
    # A relative target that names no baseline year: the year of "Première mesure".
    assert inds["2.1.1"]["targets"] == {
        "2023-2024": {"kind": "first_measure", "text_fr": "Première mesure"},
        "2024-2025": {
            "kind": "points_over_baseline",
            "points": 3,
            "baseline_year": "2023-2024",
            "text_fr": "+3 points de pourcentage par rapport à la mesure de départ",
        },
        "2025-2026": {"kind": "not_applicable", "text_fr": "S. O."},
    }


def test_table_layout_open_questions():
    questions = _catalog(TABLE)["open_questions"]
    assert (
        "1.2-a : cible (2025-2026) « À déterminer » non lue (aucun nombre ni échéance dans la "
        "cible) : à transcrire (docs/contracts.md §2.4)"
    ) in questions
    assert any(q.startswith("2.1.1 : « +3 points") and "présumée 2023-2024" in q for q in questions)
    assert any(q.startswith("1.1.1 : indicateur « cumulé »") for q in questions)


def test_text_layout_wrapped_wording_and_lettered_ids():
    catalog = _catalog(TEXT)
    assert catalog["plan"]["organisation"] == "Bureau des exemples du Québec"
    assert catalog["plan"]["id"] == "beq-2021-2024"
    assert catalog["plan"]["fiscal_years"] == ["2021-2022", "2022-2023", "2023-2024"]
    inds = _by_id(catalog)
    assert list(inds) == ["1.1.1-a", "1.1.1-b", "1.1.2", "2.1.1-a", "2.1.1-b", "2.1.1-c"]
    first = inds["1.1.1-a"]
    assert first["enjeu"] == "1 — UNE ORGANISATION PERFORMANTE"
    assert first["orientation"] == "1.1 — Améliorer les services"
    assert first["objective"] == "1.1.1 Réduire les délais de traitement des demandes d’accès"
    assert first["text_fr"] == "délai moyen de traitement des demandes"
    # A hyphen that ends a line joins without a space.
    assert inds["1.1.2"]["objective"] == "1.1.2 Faciliter la conciliation famille-travail"


def test_text_layout_targets_years_from_labels_deadlines_and_recurrence():
    inds = _by_id(_catalog(TEXT))
    # A delay without sign, no year: at most 20, every year of the plan.
    assert {fy: t["kind"] for fy, t in inds["1.1.1-a"]["targets"].items()} == {
        "2021-2022": "at_most", "2022-2023": "at_most", "2023-2024": "at_most",
    }  # fmt: skip
    # "Cible 2022-2023 :" labels give the year.
    assert {fy: t["value"] for fy, t in inds["1.1.1-b"]["targets"].items()} == {
        "2021-2022": 40, "2022-2023": 45, "2023-2024": 50,
    }  # fmt: skip
    # printemps 2022 = 2022-06-20, in fiscal year 2022-2023.
    assert inds["1.1.2"]["targets"] == {
        "2022-2023": {"kind": "deadline", "due": "printemps 2022", "text_fr": "printemps 2022"}
    }
    assert inds["1.1.2"]["measure"] == {"name": "register_milestone"}
    capsules = inds["2.1.1-a"]["targets"]
    assert list(capsules) == ["2021-2022", "2022-2023", "2023-2024"]
    assert capsules["2021-2022"] == {
        "kind": "every_year_from",
        "start": "2021-2022",
        "min_count": 2,
        "text_fr": "deux capsules par année",
    }


def test_text_layout_what_it_cannot_place_is_an_open_question():
    catalog = _catalog(TEXT)
    inds, questions = _by_id(catalog), catalog["open_questions"]
    assert inds["2.1.1-b"]["targets"] == {}
    assert inds["2.1.1-c"]["targets"] == {}
    assert any(q.startswith("2.1.1-b : cible « à confirmer » non lue") for q in questions)
    # hiver 2026 = 2026-03-19, fiscal year 2025-2026: after the plan's last year.
    assert "2.1.1-c : échéance « hiver 2026 » (2025-2026) hors des années du plan" in questions
    assert any("non lue : « Texte égaré entre deux objectifs. »" in q for q in questions)


def test_period_from_the_deadlines_or_the_option():
    untitled = TEXT.split("\n", 1)[1].replace("hiver 2026", "hiver 2024")
    catalog = _catalog(untitled)
    # Dated targets: printemps 2022 (2022-2023) and hiver 2024 (2023-2024).
    assert catalog["plan"]["fiscal_years"] == ["2022-2023", "2023-2024"]
    assert any(q.startswith("plan : années du plan déduites") for q in catalog["open_questions"])
    chosen = _catalog(untitled, period="2021-2024")
    assert chosen["plan"]["fiscal_years"] == ["2021-2022", "2022-2023", "2023-2024"]
    assert chosen["plan"]["title"] == "Plan stratégique 2021-2024"
    undated = untitled.replace("printemps 2022", "50 %").replace("hiver 2024", "60 %")
    with pytest.raises(DraftError, match="--period"):
        draft_plan(undated)


def test_unknown_layout_says_what_it_expected():
    with pytest.raises(DraftError, match="tableau synoptique.*Indicateur"):
        draft_plan("Un rapport annuel sans tableau ni cibles.\n")


@pytest.mark.parametrize("text", [TABLE, TEXT])
def test_written_yaml_reads_back_as_the_draft(text):
    draft = draft_plan(text, source="plan.txt")
    assert yaml.safe_load(render(draft)) == draft.catalog()


def test_cli_writes_once_refuses_to_overwrite_and_reads_windows_1252(tmp_path: Path, capsys):
    source, out = tmp_path / "plan.txt", tmp_path / "drafts" / "plan.yaml"
    source.write_bytes(TABLE.replace("≤", "<=").encode("cp1252"))  # cp1252 has no "≤"
    assert cli.main(["draft-plan", str(source), "--out", str(out)]) == 0
    assert "5 indicators, 14 targets" in capsys.readouterr().out
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["plan"]["organisation"] == "Ministère de l'Économie et de l'Innovation"
    assert cli.main(["draft-plan", str(source), "--out", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert cli.main(["draft-plan", str(source), "--out", str(out), "--force"]) == 0
    (tmp_path / "other.txt").write_text("rien à lire\n", encoding="utf-8")
    assert cli.main(["draft-plan", str(tmp_path / "other.txt"), "--out", str(out), "--force"]) == 1
    assert "layout not recognised" in capsys.readouterr().err

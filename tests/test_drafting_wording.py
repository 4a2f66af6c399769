"""Target wording -> kind and numbers (docs/contracts.md §2.4), one case per wording, expected
values by hand."""

from __future__ import annotations

import pytest

from plan_indicators.drafting.units import guess_unit
from plan_indicators.drafting.wording import read_target

# (wording, kind, fields). Fields not listed must be absent; None = left for the draft to settle.
CASES = [
    # Thresholds: a sign says the sense; none means "at least" (docs/contracts.md §2.4) unless
    # lower is better.
    ("≥ 50 %", "at_least", {"value": 50}),
    ("45 %", "at_least", {"value": 45}),
    ("2", "at_least", {"value": 2}),
    ("≥ 6 rencontres", "at_least", {"value": 6}),
    ("≤ 15 jours ouvrables", "at_most", {"value": 15}),
    ("15 jours au maximum", "at_most", {"value": 15}),
    ("au moins 1 000", "at_least", {"value": 1000}),  # "1 000" with a French thousands space
    ("participation de 75 % du personnel", "at_least", {"value": 75}),
    ("70 % annuellement", "at_least", {"value": 70}),
    # Baseline-relative: the number's unit picks the kind; the year in parentheses is the baseline.
    (
        "+2 % par rapport à la mesure de départ (2023-2024)",
        "relative_to_baseline",
        {"percent": 2, "baseline_year": "2023-2024"},
    ),
    (
        "+2 points de pourcentage par rapport à la mesure de départ (2024-2025)",
        "points_over_baseline",
        {"points": 2, "baseline_year": "2024-2025"},
    ),
    (
        "+0,1 par rapport à la mesure de départ (2024-2025)",
        "delta_over_baseline",
        {"delta": 0.1, "baseline_year": "2024-2025"},
    ),
    (
        "augmentation d’au moins 20 %",
        "relative_to_baseline",
        {"percent": 20, "baseline_year": None},
    ),
    ("réduction de 10 %", "relative_to_baseline", {"percent": -10, "baseline_year": None}),
    # No number.
    ("Première mesure", "first_measure", {}),
    ("S. O.", "not_applicable", {}),
    ("Sans objet", "not_applicable", {}),
    ("Mesure égale ou supérieure à l'année précédente", "at_least_previous", {}),
    # Deadlines keep the plan's season or month; a day is written as an ISO date.
    ("hiver 2021", "deadline", {"due": "hiver 2021"}),
    ("été 2019", "deadline", {"due": "été 2019"}),
    ("juin 2019", "deadline", {"due": "juin 2019"}),
    ("décembre 2019", "deadline", {"due": "décembre 2019"}),
    ("d'ici l'automne 2021", "deadline", {"due": "automne 2021"}),
    ("31 mars 2021", "deadline", {"due": "2021-03-31"}),
    # Recurring: "à partir de", "par année", "par semestre"; a number word is the count.
    ("à partir de 2020", "every_year_from", {"start": "à partir de 2020", "min_count": 1}),
    (
        "un guide thématique ou une ligne directrice par année",
        "every_year_from",
        {"start": None, "min_count": 1},
    ),
    ("2 rencontres par année", "every_year_from", {"start": None, "min_count": 2}),
    (
        "une infolettre par semestre",
        "every_year_from",
        {"start": None, "min_count": 1, "per": "half_year"},
    ),
    (
        "dès l'automne 2020, deux par semestre",
        "every_year_from",
        {"start": "automne 2020", "min_count": 2, "per": "half_year"},
    ),
    # Tableau de bord de la performance: cumulative targets, amounts in dollars.
    (
        "Nombre cumulé de projets soutenus : 150",
        "cumulative_at_least",
        {"value": 150, "from_year": None},
    ),
    # 1,5 G$ = 1.5 × 10^9 $ = 1 500 000 000 $.
    (
        "Investissements cumulés dans les régions : 1,5 G$",
        "cumulative_at_least",
        {"value": 1_500_000_000, "from_year": None},
    ),
    # "de 2018 à 2022": fiscal years that start in 2018 ... 2022 (as "à partir de 2020" does).
    ("20 % (de 2018 à 2022)", "cumulative_at_least", {"value": 20, "from_year": "2018-2019"}),
    # 287,0 M$ = 287.0 × 10^6 $ = 287 000 000 $.
    ("287,0 M$", "at_least", {"value": 287_000_000}),
]


@pytest.mark.parametrize(("wording", "kind", "fields"), CASES, ids=[c[0] for c in CASES])
def test_wording_gives_kind_and_numbers(wording, kind, fields):
    reading = read_target(wording)
    assert reading.kind == kind, reading.notes
    assert reading.fields == fields
    assert reading.text_fr == " ".join(wording.split())


def test_sense_and_units_written_in_the_wording():
    assert read_target("45 %").bare and read_target("45 %").unit == "percent"
    assert not read_target("≥ 50 %").bare
    days = read_target("≤ 15 jours ouvrables")
    assert (days.unit, days.business_days, days.lower) == ("days", True, True)
    assert read_target("10 jours").business_days is False
    assert read_target("1,5 G$").unit == "currency"
    assert read_target("+2 points de pourcentage").unit == "percent"
    assert read_target("réduction de 10 %").lower
    assert read_target("70 % annuellement").every_year
    assert not read_target("70 %").every_year


def test_when_a_wording_applies_without_a_year_column():
    assert read_target("hiver 2021").when == "due"
    assert read_target("à partir de 2020").when == "start"
    assert read_target("45 %").when == "plan"
    pooled = read_target("20 % (de 2018 à 2022)")
    assert (pooled.when, pooled.period_end) == ("period", "2022-2023")
    assert "2018-2019 à 2022-2023" in pooled.notes[0]


@pytest.mark.parametrize(
    ("wording", "says"),
    [
        ("", "cible vide"),
        ("À déterminer", "aucun nombre"),
        ("75 % d'ici mars 2022", "échéance « mars 2022 » avec d'autres termes"),
        ("entre 10 et 20 rencontres", "2 nombres"),
        ("2021", "une année seule"),
        ("10 semaines", None),
    ],
)
def test_wording_not_turned_into_a_target_says_why(wording, says):
    reading = read_target(wording)
    if says is None:  # read, with a note: the catalog counts delays in days
        assert reading.kind == "at_least" and "semaines" in reading.notes[0]
        return
    assert reading.kind is None
    assert says in " ".join(reading.notes)


def test_strict_inequality_is_read_with_a_note():
    reading = read_target("> 50 %")
    assert (reading.kind, reading.fields) == ("at_least", {"value": 50})
    assert "stricte" in reading.notes[0]


UP, DOWN, TEN = "higher_is_better", "lower_is_better", {"min": 0, "max": 10}


@pytest.mark.parametrize(
    ("text_fr", "targets", "unit", "direction", "scale"),
    [
        ("Proportion de demandes traitées dans les délais", ["≥ 80 %"], "percent", UP, None),
        ("Taux d'absentéisme du personnel", ["5 %"], "percent", DOWN, None),
        ("Nombre de rapports transmis", ["1"], "count", UP, None),
        ("Délai moyen de traitement", ["30 jours"], "days", DOWN, None),
        ("Degré de satisfaction (note sur 10)", ["Première mesure"], "score", UP, TEN),
        ("date d'adoption de la politique", ["hiver 2021"], "date", DOWN, None),
        ("date d'élaboration des plans annuels", ["à partir de 2020"], "count", UP, None),
        (
            "panel expérience globale de HEC Montréal",
            ["participation de 75 %"],
            "percent",
            UP,
            None,
        ),
        ("Investissements cumulés en infrastructures", ["1,5 G$"], "currency", UP, None),
        ("guides déposés sur le site", ["un guide par année"], "count", UP, None),
    ],
)
def test_unit_direction_and_scale_guessed_from_the_wording(
    text_fr, targets, unit, direction, scale
):
    guess = guess_unit(text_fr, [read_target(t) for t in targets])
    assert (guess.unit, guess.direction, guess.scale) == (unit, direction, scale)


def test_unit_that_nothing_says_is_left_to_choose():
    guess = guess_unit("Panel de l'expérience", [read_target("Première mesure")])
    assert guess.unit == "à choisir"
    assert "unité à choisir" in guess.notes[0]


def test_score_without_a_scale_asks_for_it():
    guess = guess_unit("Indice de satisfaction quant à l'expérience employé", [])
    assert (guess.unit, guess.scale) == ("score", None)
    assert any("échelle" in n for n in guess.notes)

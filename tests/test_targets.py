"""Target engine: thresholds and statuses for every target kind (docs/contracts.md §2.4, §2.5)."""

import datetime as dt

import pytest

from plan_indicators.catalog import (
    AtLeast,
    AtLeastPrevious,
    AtMost,
    Deadline,
    DeltaOverBaseline,
    EveryYearFrom,
    FirstMeasure,
    NotApplicable,
    PointsOverBaseline,
    RelativeToBaseline,
)
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import SeasonSettings
from plan_indicators.statuses import STATUS_FR
from plan_indicators.targets import (
    Evaluation,
    Observed,
    evaluate,
    resolve_threshold,
    threshold_text,
)

D = dt.date
FY = FiscalYear(2024)  # 2024-04-01 .. 2025-03-31
LAST_DAY = D(2025, 3, 31)  # still in progress
DECIDED = D(2025, 4, 1)  # first day after the year


def ev(target, value=None, as_of=DECIDED, fy=FY, **kw) -> Evaluation:
    achieved_on = kw.pop("achieved_on", None)
    periods = kw.pop("periods", {})
    return evaluate(target, Observed(value, achieved_on, periods), fy, as_of, **kw)


# --- resolve_threshold -------------------------------------------------------------------


def test_threshold_fixed_values():
    assert resolve_threshold(AtLeast(kind="at_least", value=50), baseline=None, previous=None) == 50
    assert resolve_threshold(AtMost(kind="at_most", value=10), baseline=3, previous=4) == 10


def test_threshold_baseline_kinds():
    rel = RelativeToBaseline(kind="relative_to_baseline", percent=2, baseline_year="2023-2024")
    assert resolve_threshold(rel, baseline=200, previous=None) == pytest.approx(204)  # 200 × 1.02
    pts = PointsOverBaseline(kind="points_over_baseline", points=2, baseline_year="2023-2024")
    assert resolve_threshold(pts, baseline=40, previous=None) == 42  # 40 + 2
    delta = DeltaOverBaseline(kind="delta_over_baseline", delta=0.1, baseline_year="2023-2024")
    assert resolve_threshold(delta, baseline=3.5, previous=None) == pytest.approx(3.6)  # 3.5+0.1
    assert resolve_threshold(rel, baseline=None, previous=None) is None


def test_threshold_catalog_baseline_value_wins():
    pts = PointsOverBaseline(
        kind="points_over_baseline", points=2, baseline_year="2022-2023", baseline_value=30
    )
    assert resolve_threshold(pts, baseline=40, previous=None) == 32  # 30 + 2, not 40 + 2
    assert resolve_threshold(pts, baseline=None, previous=None) == 32


def test_threshold_previous_and_others():
    prev = AtLeastPrevious(kind="at_least_previous")
    assert resolve_threshold(prev, baseline=1, previous=7.5) == 7.5
    assert resolve_threshold(prev, baseline=1, previous=None) is None
    assert resolve_threshold(FirstMeasure(kind="first_measure"), baseline=1, previous=2) is None
    assert resolve_threshold(NotApplicable(kind="not_applicable"), baseline=1, previous=2) is None
    assert (
        resolve_threshold(Deadline(kind="deadline", due="juin 2019"), baseline=1, previous=2)
        is None
    )


# --- no target / not applicable ----------------------------------------------------------


def test_no_target_and_not_applicable():
    none = ev(None, 12)
    assert (none.status, none.note) == ("not_applicable", "aucune cible pour cette année")
    assert none.status_fr == "Sans objet"
    na = ev(NotApplicable(kind="not_applicable"), 12)
    assert (na.status, na.threshold, na.gap) == ("not_applicable", None, None)


# --- at_least / at_most ------------------------------------------------------------------


def test_at_least_met_equal_and_not_met():
    t = AtLeast(kind="at_least", value=50)
    met = ev(t, 62.5)
    assert (met.status, met.threshold, met.gap) == ("met", 50, 12.5)  # 62.5 - 50
    assert met.status_fr == "Atteinte"
    assert ev(t, 50).status == "met"  # equal is met
    miss = ev(t, 49.96)  # unrounded: would round to 50.0 but is below 50
    assert miss.status == "not_met"
    assert miss.gap == pytest.approx(-0.04)  # 49.96 - 50
    assert miss.status_fr == "Non atteinte"


def test_at_most_gap_sign_flipped():
    t = AtMost(kind="at_most", value=10)
    good = ev(t, 7.5)
    assert (good.status, good.gap) == ("met", 2.5)  # 10 - 7.5
    assert ev(t, 10).status == "met"  # equal is met
    bad = ev(t, 12)
    assert (bad.status, bad.gap) == ("not_met", -2)  # 10 - 12


def test_in_progress_until_last_day_of_year():
    t = AtLeast(kind="at_least", value=50)
    running = ev(t, 62, as_of=LAST_DAY)
    assert (running.status, running.threshold, running.gap) == ("in_progress", 50, 12)  # 62 - 50
    assert running.status_fr == "En cours"
    assert ev(t, None, as_of=LAST_DAY).status == "in_progress"
    assert ev(t, 62, as_of=DECIDED).status == "met"


def test_no_data_after_year():
    res = ev(AtLeast(kind="at_least", value=50), None)
    assert (res.status, res.threshold, res.gap) == ("no_data", 50, None)
    assert res.note == "aucune donnée pour l'année"
    assert res.status_fr == "Donnée non disponible"


# --- baseline kinds ----------------------------------------------------------------------


def test_relative_to_baseline():
    t = RelativeToBaseline(kind="relative_to_baseline", percent=4, baseline_year="2023-2024")
    met = ev(t, 104, baseline=100)  # threshold 100 × 1.04 = 104 -> equal is met
    assert met.status == "met"
    assert met.threshold == pytest.approx(104)
    assert ev(t, 103.9, baseline=100).status == "not_met"  # 103.9 < 104


def test_points_and_delta_over_baseline():
    pts = PointsOverBaseline(kind="points_over_baseline", points=4, baseline_year="2024-2025")
    res = ev(pts, 45, fy=FiscalYear(2026), as_of=D(2027, 4, 1), baseline=40)
    assert (res.status, res.threshold, res.gap) == ("met", 44, 1)  # 40 + 4 = 44; 45 - 44
    delta = DeltaOverBaseline(kind="delta_over_baseline", delta=0.2, baseline_year="2024-2025")
    res = ev(delta, 3.6, fy=FiscalYear(2026), as_of=D(2027, 4, 1), baseline=3.5)
    assert res.status == "not_met"  # threshold 3.5 + 0.2 = 3.7 > 3.6
    assert res.gap == pytest.approx(-0.1)  # 3.6 - 3.7


def test_baseline_missing():
    t = PointsOverBaseline(kind="points_over_baseline", points=2, baseline_year="2023-2024")
    res = ev(t, 45, baseline=None)
    assert (res.status, res.threshold, res.note) == (
        "no_data",
        None,
        "mesure de départ non disponible",
    )
    running = ev(t, 45, as_of=LAST_DAY, baseline=None)
    assert (running.status, running.threshold, running.gap) == ("in_progress", None, None)


# --- at_least_previous -------------------------------------------------------------------


def test_at_least_previous():
    t = AtLeastPrevious(kind="at_least_previous")
    assert ev(t, 80, previous=80).status == "met"  # equal to previous
    res = ev(t, 79, previous=80)
    assert (res.status, res.threshold, res.gap) == ("not_met", 80, -1)  # 79 - 80
    missing = ev(t, 79, previous=None)
    assert missing.status == "no_data"
    assert missing.note == "résultat de l'année précédente non disponible"


# --- first_measure -----------------------------------------------------------------------


def test_first_measure():
    t = FirstMeasure(kind="first_measure")
    assert ev(t, 3.2, as_of=LAST_DAY).status == "in_progress"
    done = ev(t, 3.2)
    assert (done.status, done.threshold, done.gap) == ("baseline", None, None)
    assert done.status_fr == "Mesure de départ"
    assert ev(t, None).status == "no_data"


# --- deadline ----------------------------------------------------------------------------


def test_deadline_met_on_due_date_and_late_the_day_after():
    t = Deadline(kind="deadline", due="hiver 2021")  # due 2021-03-19
    fy = FiscalYear(2020)
    on_time = ev(t, fy=fy, as_of=D(2022, 1, 1), achieved_on=D(2021, 3, 19))
    assert (on_time.status, on_time.threshold, on_time.gap) == ("met", None, 0)
    early = ev(t, fy=fy, as_of=D(2022, 1, 1), achieved_on=D(2021, 3, 9))
    assert (early.status, early.gap) == ("met", 10)  # 19 - 9 days
    late = ev(t, fy=fy, as_of=D(2022, 1, 1), achieved_on=D(2021, 3, 20))
    assert (late.status, late.gap) == ("met_late", -1)
    assert late.status_fr == "Atteinte après l'échéance"


def test_deadline_pending_and_missed():
    t = Deadline(kind="deadline", due="juin 2019")  # due 2019-06-30
    fy = FiscalYear(2019)
    assert ev(t, fy=fy, as_of=D(2019, 6, 30)).status == "in_progress"  # due day itself
    # records exist (2 of 3 subjects reached), the milestone is not
    missed = ev(t, 2.0, fy=fy, as_of=D(2019, 7, 1))
    assert (missed.status, missed.gap) == ("not_met", None)


def test_deadline_uses_season_settings():
    t = Deadline(kind="deadline", due="été 2019")  # default due 2019-09-22
    achieved = D(2019, 9, 22)
    assert ev(t, fy=FiscalYear(2019), achieved_on=achieved).status == "met"
    moved = SeasonSettings(ete=(9, 21))  # due 2019-09-21 -> one day late
    res = ev(t, fy=FiscalYear(2019), achieved_on=achieved, seasons=moved)
    assert res.status == "met_late"


def test_deadline_accepts_iso_text_date():
    t = Deadline(kind="deadline", due="2020-07-31")
    res = ev(t, fy=FiscalYear(2020), achieved_on="2020-07-01")
    assert (res.status, res.gap) == ("met", 30)  # 31 July - 1 July


# --- every_year_from, per year ------------------------------------------------------------


def test_every_year_from_before_start_is_not_applicable():
    t = EveryYearFrom(kind="every_year_from", start="à partir de 2020", min_count=1)
    # FY 2019-2020 ends 2020-03-31 < start 2020-04-01.
    res = ev(t, 0, fy=FiscalYear(2019), as_of=D(2020, 4, 1))
    assert (res.status, res.threshold, res.gap) == ("not_applicable", None, None)
    assert res.note == "l'année précède le début de la cible"


def test_every_year_from_per_year():
    t = EveryYearFrom(kind="every_year_from", start="à partir de 2020", min_count=1)
    fy = FiscalYear(2020)  # 2020-04-01 .. 2021-03-31, first counted year
    after = D(2021, 4, 1)
    met = ev(t, 1, fy=fy, as_of=after)
    assert (met.status, met.threshold, met.gap) == ("met", 1, 0)  # 1 - 1
    assert ev(t, 0, fy=fy, as_of=after).status == "not_met"
    assert ev(t, None, fy=fy, as_of=after).status == "no_data"
    assert ev(t, 0, fy=fy, as_of=D(2021, 3, 31)).status == "in_progress"
    # Reached before the year ends: met already (a count cannot go down).
    assert ev(t, 2, fy=fy, as_of=D(2020, 10, 1)).status == "met"


# --- every_year_from, per half-year --------------------------------------------------------


NEWSLETTER = EveryYearFrom(
    kind="every_year_from", start="automne 2020", min_count=1, per="half_year"
)  # start 2020-12-20


def test_half_year_first_year_counts_only_h2():
    fy = FiscalYear(2020)  # H1 ends 2020-09-30 < 2020-12-20: not counted; H2 ends 2021-03-31
    res = ev(NEWSLETTER, 1, fy=fy, as_of=D(2021, 4, 1), periods={"H2": 1})
    assert (res.status, res.threshold, res.gap) == ("met", 1, 0)  # min(H2=1) - 1
    assert ev(NEWSLETTER, 0, fy=fy, as_of=D(2021, 4, 1), periods={"H1": 3}).status == "not_met"
    assert ev(NEWSLETTER, 0, fy=fy, as_of=D(2021, 1, 15), periods={}).status == "in_progress"


def test_half_year_full_year():
    fy = FiscalYear(2021)  # H1 2021-04-01..2021-09-30, H2 2021-10-01..2022-03-31
    after = D(2022, 4, 1)
    assert ev(NEWSLETTER, 3, fy=fy, as_of=after, periods={"H1": 2, "H2": 1}).status == "met"
    res = ev(NEWSLETTER, 3, fy=fy, as_of=after, periods={"H1": 3, "H2": 0})
    assert (res.status, res.gap) == ("not_met", -1)  # min(3, 0) - 1
    assert ev(NEWSLETTER, None, fy=fy, as_of=after, periods={}).status == "no_data"


def test_half_year_missed_first_half_is_decided_early():
    fy = FiscalYear(2021)
    # 2021-10-01: H1 is over with 0 issues -> not_met although the year is running.
    assert ev(NEWSLETTER, 0, fy=fy, as_of=D(2021, 10, 1), periods={"H1": 0}).status == "not_met"
    # On H1's last day it is still open.
    assert ev(NEWSLETTER, 0, fy=fy, as_of=D(2021, 9, 30), periods={}).status == "in_progress"
    # H1 satisfied, H2 running -> in_progress.
    running = ev(NEWSLETTER, 1, fy=fy, as_of=D(2021, 11, 1), periods={"H1": 1})
    assert running.status == "in_progress"


def test_status_fr_always_matches_status():
    cases = [
        ev(None),
        ev(AtLeast(kind="at_least", value=1), 2),
        ev(AtLeast(kind="at_least", value=1), 0),
        ev(AtLeast(kind="at_least", value=1), None),
        ev(FirstMeasure(kind="first_measure"), 1),
        ev(AtLeast(kind="at_least", value=1), 2, as_of=LAST_DAY),
        ev(
            Deadline(kind="deadline", due="juin 2019"),
            fy=FiscalYear(2019),
            achieved_on=D(2020, 1, 1),
        ),
        ev(AtLeast(kind="at_least", value=1), None, as_of=D(2024, 3, 31)),
    ]
    assert {c.status for c in cases} == set(STATUS_FR)
    assert all(c.status_fr == STATUS_FR[c.status] for c in cases)


# --- additions: direction, boundaries, data not yet known --------------------------------


def test_threshold_every_year_from_is_min_count():
    t = EveryYearFrom(kind="every_year_from", start="2020", min_count=2)
    assert resolve_threshold(t, baseline=None, previous=None) == 2


def test_lower_is_better_baseline_target_reads_at_most():
    # A delay that must fall 10 % below its baseline of 20 days: threshold 20 × 0.9 = 18.
    t = RelativeToBaseline(kind="relative_to_baseline", percent=-10, baseline_year="2023-2024")
    good = ev(t, 17.5, baseline=20, direction="lower_is_better")
    assert good.status == "met"
    assert good.threshold == pytest.approx(18)
    assert good.gap == pytest.approx(0.5)  # 18 - 17.5
    assert ev(t, 18, baseline=20, direction="lower_is_better").status == "met"  # equal
    bad = ev(t, 18.5, baseline=20, direction="lower_is_better")
    assert bad.status == "not_met"
    assert bad.gap == pytest.approx(-0.5)  # 18 - 18.5
    # Same numbers read "at least" for a higher_is_better indicator: 17.5 < 18.
    assert ev(t, 17.5, baseline=20).status == "not_met"


def test_lower_is_better_previous_year():
    t = AtLeastPrevious(kind="at_least_previous")
    res = ev(t, 8, previous=9, direction="lower_is_better")
    assert (res.status, res.threshold, res.gap) == ("met", 9, 1)  # 9 - 8
    res = ev(t, 10, previous=9, direction="lower_is_better")
    assert (res.status, res.gap) == ("not_met", -1)  # 9 - 10


def test_explicit_kind_wins_over_direction():
    # at_most 10 on a lower_is_better delay and at_least 50 on a mistyped direction: the kind
    # decides, and the gap keeps its "≥ 0 is good" sign.
    assert ev(AtMost(kind="at_most", value=10), 12, direction="lower_is_better").gap == -2
    res = ev(AtLeast(kind="at_least", value=50), 60, direction="lower_is_better")
    assert (res.status, res.gap) == ("met", 10)  # 60 - 50


def test_unknown_direction_raises():
    with pytest.raises(ValueError):
        ev(AtLeast(kind="at_least", value=50), 60, direction="up")


@pytest.mark.parametrize(
    ("target", "kw", "decided"),
    [
        (AtLeast(kind="at_least", value=50), {}, "met"),  # 60 >= 50
        (AtMost(kind="at_most", value=50), {}, "not_met"),  # 60 > 50
        (
            RelativeToBaseline(kind="relative_to_baseline", percent=20, baseline_year="2023-2024"),
            {"baseline": 50},
            "met",  # 50 × 1.2 = 60 <= 60
        ),
        (
            PointsOverBaseline(kind="points_over_baseline", points=11, baseline_year="2023-2024"),
            {"baseline": 50},
            "not_met",  # 50 + 11 = 61 > 60
        ),
        (
            DeltaOverBaseline(kind="delta_over_baseline", delta=10, baseline_year="2023-2024"),
            {"baseline": 50},
            "met",  # 50 + 10 = 60
        ),
        (AtLeastPrevious(kind="at_least_previous"), {"previous": 59.9}, "met"),  # 60 >= 59.9
        (FirstMeasure(kind="first_measure"), {}, "baseline"),
        (
            EveryYearFrom(kind="every_year_from", start="2020", min_count=61),
            {},
            "not_met",  # 60 < 61
        ),
    ],
)
def test_31_march_running_1_april_decided(target, kw, decided):
    # FY 2024-2025 ends 2025-03-31: still running that day, decided on 2025-04-01.
    assert ev(target, 60, as_of=D(2025, 3, 31), **kw).status == "in_progress"
    assert ev(target, 60, as_of=D(2025, 4, 1), **kw).status == decided


def test_in_progress_keeps_baseline_threshold_and_gap():
    t = PointsOverBaseline(kind="points_over_baseline", points=4, baseline_year="2023-2024")
    res = ev(t, 47, as_of=LAST_DAY, baseline=40)
    assert (res.status, res.threshold, res.gap) == ("in_progress", 44, 3)  # 40 + 4; 47 - 44


def test_deadline_late_achievement_known_on_its_day():
    t = Deadline(kind="deadline", due="hiver 2021")  # due 2021-03-19
    fy = FiscalYear(2020)
    late = ev(t, fy=fy, as_of=D(2021, 3, 20), achieved_on=D(2021, 3, 20))
    assert (late.status, late.gap) == ("met_late", -1)  # 19 - 20


def test_deadline_achievement_after_as_of_is_not_known_yet():
    t = Deadline(kind="deadline", due="hiver 2021")  # due 2021-03-19
    fy = FiscalYear(2020)
    # Looking back from 2021-03-01, a milestone of 2021-03-10 has not happened yet.
    early = ev(t, fy=fy, as_of=D(2021, 3, 1), achieved_on=D(2021, 3, 10))
    assert (early.status, early.gap) == ("in_progress", None)
    # From 2021-04-01, a milestone of 2021-05-01 is not known: the due date has passed.
    assert ev(t, fy=fy, as_of=D(2021, 4, 1), achieved_on=D(2021, 5, 1)).status == "not_met"


def test_deadline_achieved_in_an_earlier_year_counts():
    # Milestones achieved in any year count: 2019-12-01 for a deadline of July 2020.
    t = Deadline(kind="deadline", due="juillet 2020")  # due 2020-07-31
    res = ev(t, fy=FiscalYear(2020), as_of=D(2021, 4, 1), achieved_on=D(2019, 12, 1))
    assert (res.status, res.gap) == ("met", 243)  # Dec 30 + Jan-Jul 31+29+31+30+31+30+31 = 243


def test_every_year_from_missing_value_is_never_zero():
    t = EveryYearFrom(kind="every_year_from", start="à partir de 2020", min_count=1)
    fy = FiscalYear(2020)
    assert ev(t, None, fy=fy, as_of=D(2020, 10, 1)).status == "in_progress"
    res = ev(t, None, fy=fy, as_of=D(2021, 4, 1))
    assert (res.status, res.note) == ("no_data", "aucune donnée pour l'année")


def test_half_year_met_as_soon_as_every_counted_half_reached():
    fy = FiscalYear(2021)
    # 2021-11-01: H1 = 1, H2 = 1 already -> nothing left to decide.
    res = ev(NEWSLETTER, 2, fy=fy, as_of=D(2021, 11, 1), periods={"H1": 1, "H2": 1})
    assert (res.status, res.gap) == ("met", 0)  # min(1, 1) - 1


def test_half_year_failed_first_half_wins_over_running_second():
    fy = FiscalYear(2021)
    # H1 over with 0 -> not_met even though H2 (running) already has 2.
    res = ev(NEWSLETTER, 2, fy=fy, as_of=D(2021, 12, 1), periods={"H1": 0, "H2": 2})
    assert (res.status, res.gap) == ("not_met", -1)  # min(0, 2) - 1


def test_half_year_without_half_counts_is_no_data():
    fy = FiscalYear(2021)
    res = ev(NEWSLETTER, 2, fy=fy, as_of=D(2022, 4, 1), periods={})
    assert (res.status, res.note) == ("no_data", "décompte par semestre non disponible")
    assert ev(NEWSLETTER, None, fy=fy, as_of=D(2021, 10, 1)).status == "in_progress"


def test_half_year_from_start_in_first_half():
    # Start "été 2021" = 2021-09-22: H1 of 2021-2022 ends 2021-09-30 >= start -> counted.
    t = EveryYearFrom(kind="every_year_from", start="été 2021", min_count=1, per="half_year")
    fy = FiscalYear(2021)
    res = ev(t, 1, fy=fy, as_of=D(2022, 4, 1), periods={"H1": 0, "H2": 1})
    assert (res.status, res.gap) == ("not_met", -1)  # min(H1 0, H2 1) - 1
    # With the start one week later (2021-10-01 ISO), H1 is no longer counted.
    later = t.model_copy(update={"start": "2021-10-01"})
    assert ev(later, 1, fy=fy, as_of=D(2022, 4, 1), periods={"H1": 0, "H2": 1}).status == "met"


def test_threshold_text():
    assert threshold_text(AtLeast(kind="at_least", value=50), 50, unit="percent") == (
        "≥ 50,0\u202f%"
    )
    assert threshold_text(AtMost(kind="at_most", value=10), 10, unit="days") == (
        "≤ 10,0\u00a0jours"
    )
    rel = RelativeToBaseline(
        kind="relative_to_baseline", percent=-10, baseline_year="2023-2024", text_fr="-10 %"
    )
    assert threshold_text(rel, 18, unit="days", direction="lower_is_better").startswith("≤ 18,0")
    assert threshold_text(rel, None) == "-10 %"  # baseline unknown: the plan's wording
    assert threshold_text(Deadline(kind="deadline", due="hiver 2021")) == (
        "au plus tard le 2021-03-19"
    )
    assert threshold_text(NEWSLETTER) == "au moins 1 par semestre à partir du 2020-12-20"
    assert threshold_text(NotApplicable(kind="not_applicable")) == "Sans objet"
    assert threshold_text(FirstMeasure(kind="first_measure")) == "Mesure de départ"
    assert threshold_text(None) == "Aucune cible"


# --- years not begun, indicators never recorded, zero baselines ---------------------------


@pytest.mark.parametrize(
    ("target", "kw", "threshold"),
    [
        (AtLeast(kind="at_least", value=50), {}, 50),
        # 100 × (1 + 4 %) = 104, from a baseline year that is over
        (RelativeToBaseline(kind="relative_to_baseline", percent=4, baseline_year="2022-2023"),
         {"baseline": 100}, 104),
        (AtLeastPrevious(kind="at_least_previous"), {"previous": 60}, 60),
        (FirstMeasure(kind="first_measure"), {}, None),
        (Deadline(kind="deadline", due="2025-01-31"), {"achieved_on": D(2024, 2, 1)}, None),
        (EveryYearFrom(kind="every_year_from", start="2020", min_count=1), {}, 1),
    ],
)  # fmt: skip
def test_a_year_not_begun_is_not_started_with_its_target_only(target, kw, threshold):
    # FY 2024-2025 begins 2024-04-01: on 2024-03-31 it has not begun, and a value handed in (a
    # register's 0) is not one: nothing to compare yet, only the target.
    res = ev(target, 0, as_of=D(2024, 3, 31), **kw)
    assert (res.status, res.status_fr, res.gap) == ("not_started", "À venir", None)
    assert res.threshold == pytest.approx(threshold) if threshold else res.threshold is None
    assert res.note == "l'année n'a pas commencé à la date de référence"
    assert ev(target, 0, as_of=D(2024, 4, 1), **kw).status != "not_started"  # its first day


def test_a_year_not_begun_keeps_what_its_target_says_of_it():
    # "S. O." stays Sans objet; a recurring target's year before its start stays not applicable
    assert ev(NotApplicable(kind="not_applicable"), as_of=D(2024, 1, 1)).status == (
        "not_applicable"
    )
    later = EveryYearFrom(kind="every_year_from", start="à partir de 2026", min_count=1)
    assert ev(later, as_of=D(2024, 1, 1)).status == "not_applicable"


def test_deadline_without_any_record_is_no_data_not_not_met():
    # No record of the indicator: the measure gives no value and no date. After the due date
    # nothing says the milestone was missed rather than never recorded: no_data.
    t = Deadline(kind="deadline", due="juin 2019")  # due 2019-06-30
    fy = FiscalYear(2019)
    assert ev(t, None, fy=fy, as_of=D(2019, 6, 30)).status == "in_progress"  # due day itself
    res = ev(t, None, fy=fy, as_of=D(2019, 7, 1))
    assert (res.status, res.gap, res.note) == (
        "no_data", None, "aucun enregistrement pour cet indicateur",
    )  # fmt: skip
    # records exist (1 of 3 subjects reached) but not the milestone: that is not_met
    assert ev(t, 1.0, fy=fy, as_of=D(2019, 7, 1)).status == "not_met"


def test_zero_baseline_under_a_relative_target_is_no_data():
    # 0 × (1 + 10 %) = 0: every result would be "met"; a percentage of nothing sets no target.
    t = RelativeToBaseline(kind="relative_to_baseline", percent=10, baseline_year="2023-2024")
    assert resolve_threshold(t, baseline=0, previous=None) is None
    res = ev(t, 5, baseline=0)
    assert (res.status, res.threshold, res.gap) == ("no_data", None, None)
    assert res.note.startswith("mesure de départ nulle")
    given = RelativeToBaseline(
        kind="relative_to_baseline", percent=10, baseline_year="2020-2021", baseline_value=0
    )
    assert ev(given, 5, baseline=40).status == "no_data"  # the catalog's 0 wins over 40
    running = ev(t, 5, as_of=LAST_DAY, baseline=0)
    assert (running.status, running.threshold) == ("in_progress", None)
    # points over a zero baseline are a real threshold: 0 + 2 = 2; gap 5 − 2 = 3
    pts = PointsOverBaseline(kind="points_over_baseline", points=2, baseline_year="2023-2024")
    assert (ev(pts, 5, baseline=0).status, ev(pts, 5, baseline=0).gap) == ("met", 3)

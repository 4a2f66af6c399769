"""Measures over the activity register: counts, rates, milestones and delays.

Rows are picked by the indicator's own `plan_id` and `indicator_id`.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure
from plan_indicators.measures._common import absent, derived, in_year, read_bool, rows_where

NO_ROWS = "Aucun enregistrement au registre pour cet indicateur"
EVIDENCE_SHOWN = 10  # at most this many references published per result


def _evidence(rows: pd.DataFrame) -> str | None:
    """The records' `evidence` (document references or URLs), distinct, in date order; None
    when no record gives one (or the staged frame predates the column)."""
    if "evidence" not in rows.columns or rows.empty:
        return None
    ordered = rows.assign(_d=pd.to_datetime(rows["event_date"])).sort_values("_d", kind="stable")
    values = [v.strip() for v in ordered["evidence"] if isinstance(v, str) and v.strip()]
    unique = list(dict.fromkeys(values))
    if not unique:
        return None
    more = len(unique) - EVIDENCE_SHOWN
    return " ; ".join(unique[:EVIDENCE_SHOWN]) + (f" ; … (+{more})" if more > 0 else "")


def _rows(ctx: MeasureContext) -> pd.DataFrame | None:
    """The indicator's records of every year, up to `as_of` (later records are not known yet)."""
    register = ctx.data.frame("activity_register")
    if register is None:
        return None
    mine = rows_where(register, ("plan_id", "indicator_id"), (ctx.plan_id, ctx.indicator_id))
    return derived(
        mine,
        ("known", ctx.as_of),
        lambda: mine.loc[pd.to_datetime(mine["event_date"]) <= pd.Timestamp(ctx.as_of)],
    )


def kept_year(ctx: MeasureContext) -> tuple[pd.DataFrame | None, MeasureResult | None]:
    """The indicator's records of the year, or why the year has no data: no register, no row at
    all, or a year before the register is kept (from the plan's first year, or the first record
    if earlier); from then on a year without a record is a real zero."""
    rows = _rows(ctx)
    if rows is None:
        return None, absent("activity_register")
    if rows.empty:
        return None, MeasureResult.missing(NO_ROWS)
    first = FiscalYear.of(pd.to_datetime(rows["event_date"]).min().date())
    kept_from = min(first, ctx.plan_start) if ctx.plan_start else first
    if ctx.fiscal_year < kept_from:
        return None, MeasureResult.missing(
            f"Aucun enregistrement au registre avant {first.key} : l'année {ctx.fiscal_year.key} "
            "précède le registre et le plan"
        )
    return in_year(rows, "event_date", ctx), None


@measure(
    "register_count",
    sources=("activity_register",),
    units=("count",),
    label_fr="Nombre de … (réunions, projets, rapports, activités) inscrits au registre",
)
def register_count(ctx: MeasureContext) -> MeasureResult:
    """Sum of `quantity` (1 when empty) of the year's records, with each half-year's sum.

    A register with no row at all for the indicator (in any year, up to `as_of`) is missing
    data. The register is kept from the plan's first year, or from the indicator's first
    record if earlier: from then on a year without a record is a real zero (nothing happened);
    a year before both (a baseline year before the plan, with no record yet) is missing data.
    """
    year, missing = kept_year(ctx)
    if missing:
        return missing
    qty = year["quantity"].astype("float64").fillna(1.0)
    month = pd.to_datetime(year["event_date"]).dt.month
    first_half = month.between(4, 9)
    total = float(qty.sum())
    return MeasureResult(
        value=total,
        numerator=total,
        rows_used=len(year),
        periods={"H1": float(qty[first_half].sum()), "H2": float(qty[~first_half].sum())},
        evidence=_evidence(year),
    )


@measure(
    "register_rate",
    sources=("activity_register",),
    units=("percent",),
    computes_denominator=True,
    label_fr="Taux de … (recommandations retenues, demandes satisfaites) inscrits au registre",
)
def register_rate(ctx: MeasureContext) -> MeasureResult:
    """Records of the year with outcome true / records with an outcome, in percent."""
    rows = _rows(ctx)
    if rows is None:
        return absent("activity_register")
    year = in_year(rows, "event_date", ctx)
    true, unknown = read_bool(year["outcome"])
    empty = int(unknown.sum())
    known = len(year) - empty
    if known == 0:
        reason = NO_ROWS if rows.empty else "Aucun résultat connu pour l'année"
        result = MeasureResult.missing(reason)
    else:
        result = MeasureResult(
            value=100.0 * int(true.sum()) / known,
            numerator=float(true.sum()),
            denominator=float(known),
            rows_used=len(year),
            evidence=_evidence(year),
        )
    note = f"{empty} enregistrement(s) sans résultat exclu(s)"
    return result.exclude("outcome_empty", empty, note)


@measure(
    "register_milestone",
    sources=("activity_register",),
    units=("date",),
    params=(
        Param(
            "subjects",
            "the milestone is the n-th distinct `subject` reached (e.g. 46 professional orders); "
            "absent: the first record",
            minimum=1,
        ),
    ),
    label_fr="Date de … (jalon : guide publié, entente conclue, n ordres rejoints)",
)
def register_milestone(ctx: MeasureContext, subjects: int | None = None) -> MeasureResult:
    """Date the milestone was reached, over all years up to `as_of`.

    Without `subjects`, the first record's date; with `subjects=n`, the date on which the n-th
    distinct subject (e.g. professional order) was first reached.
    """
    if subjects is not None and subjects < 1:
        raise ValueError(f"subjects must be at least 1, got {subjects}")
    rows = _rows(ctx)
    if rows is None:
        return absent("activity_register")
    if rows.empty:
        return MeasureResult.missing(NO_ROWS)
    ordered = rows.assign(_d=pd.to_datetime(rows["event_date"])).sort_values("_d", kind="stable")
    if subjects is None:
        return MeasureResult(
            value=1.0,
            achieved_on=ordered["_d"].iloc[0].date(),
            rows_used=len(rows),
            evidence=_evidence(ordered.iloc[:1]),  # the record that reached the milestone
        )
    firsts = ordered.dropna(subset=["subject"]).drop_duplicates("subject")
    reached = len(firsts)
    achieved = firsts["_d"].iloc[subjects - 1].date() if reached >= subjects else None
    return MeasureResult(
        value=float(reached),
        numerator=float(reached),
        denominator=float(subjects),
        achieved_on=achieved,
        rows_used=len(rows),
        # The n-th subject's record once reached; the subjects reached so far otherwise.
        evidence=_evidence(firsts.iloc[subjects - 1 : subjects] if achieved else firsts),
    )


def _delays(
    ctx: MeasureContext, business_days: bool
) -> tuple[pd.Series, int, pd.DataFrame] | MeasureResult:
    """The delays of the records ending in the year (business days strictly after the start up
    to and including the end, §1.5, or calendar days) and how many of the year's records were
    left out for want of a valid start; a missing result when no delay can be measured."""
    rows = _rows(ctx)
    if rows is None:
        return absent("activity_register")
    year = in_year(rows, "event_date", ctx)
    dated = year.dropna(subset=["start_date"])
    # A start after its end is a data fault, not a negative delay: left out and counted.
    dated = dated.loc[pd.to_datetime(dated["start_date"]) <= pd.to_datetime(dated["event_date"])]
    if dated.empty:
        return MeasureResult.missing(
            NO_ROWS if rows.empty else "Aucun délai mesurable pour l'année"
        )
    starts, ends = pd.to_datetime(dated["start_date"]), pd.to_datetime(dated["event_date"])
    if business_days:
        count = ctx.business_days
        if count is None:
            from plan_indicators.business_days import business_days_between as count
        delays = pd.Series(
            [count(s.date(), e.date()) for s, e in zip(starts, ends, strict=True)],
            dtype="float64",
        )
    else:
        delays = (ends - starts).dt.days.astype("float64").reset_index(drop=True)
    return delays, len(year) - len(dated), dated


_BUSINESS_DAYS = Param(
    "business_days",
    "count business days of the Québec public service (§1.5); false: calendar days",
)
_LEFT_OUT = "{} enregistrement(s) sans date de début valide exclu(s)"


@measure(
    "register_mean_delay",
    sources=("activity_register",),
    units=("days",),
    computes_denominator=True,
    params=(_BUSINESS_DAYS, Param("statistic", "mean or median of the delays")),
    label_fr="Délai moyen (ou médian) de traitement, en jours ouvrables ou civils",
)
def register_mean_delay(
    ctx: MeasureContext, business_days: bool = True, statistic: Literal["mean", "median"] = "mean"
) -> MeasureResult:
    """Delay from `start_date` to `event_date` of the records ending in the year.

    Business days strictly after the start up to and including the end (Québec public-service
    calendar), or calendar days; mean or median.
    """
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}")
    found = _delays(ctx, business_days)
    if isinstance(found, MeasureResult):
        return found
    delays, left_out, dated = found
    value = float(delays.median() if statistic == "median" else delays.mean())
    result = MeasureResult(
        value=value,
        numerator=float(delays.sum()),
        denominator=float(len(delays)),
        rows_used=len(delays) + left_out,
        evidence=_evidence(dated),
    )
    return result.exclude("start_date_invalid", left_out, _LEFT_OUT.format(left_out))


@measure(
    "share_delays_within",
    sources=("activity_register",),
    units=("percent",),
    computes_denominator=True,
    params=(
        Param(
            "days",
            "the longest delay that counts as on time, in the unit `business_days` chooses",
            minimum=0,
            example=30,
        ),
        _BUSINESS_DAYS,
    ),
    label_fr="Proportion des demandes (plaintes, dossiers) traitées dans un délai de N jours",
)
def share_delays_within(ctx: MeasureContext, days: int, business_days: bool = True):
    """Records ending in the year whose delay from `start_date` to `event_date` is at most
    `days`, in percent of the records with a measurable delay.

    Delays are counted as `register_mean_delay` counts them (business days strictly after the
    start up to and including the end, or calendar days); a record without a valid start is
    left out of both terms and counted.
    """
    found = _delays(ctx, business_days)
    if isinstance(found, MeasureResult):
        return found
    delays, left_out, dated = found
    within = int((delays <= days).sum())
    result = MeasureResult(
        value=100.0 * within / len(delays),
        numerator=float(within),
        denominator=float(len(delays)),
        rows_used=len(delays) + left_out,
        evidence=_evidence(dated),
    )
    return result.exclude("start_date_invalid", left_out, _LEFT_OUT.format(left_out))

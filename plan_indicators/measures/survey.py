"""Measures from aggregates of external surveys (one row per plan, indicator and year)."""

from __future__ import annotations

from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures._common import absent


def _row(ctx: MeasureContext):
    results = ctx.data.frame("survey_results")
    if results is None:
        return None, absent("survey_results")
    match = results.loc[
        (results["plan_id"] == ctx.plan_id)
        & (results["indicator_id"] == ctx.indicator_id)
        & (results["fiscal_year"] == ctx.fiscal_year.key)
    ]
    if match.empty:
        return None, MeasureResult.missing("Aucun résultat de sondage pour l'année")
    return match.iloc[0], None


@measure(
    "survey_value",
    sources=("survey_results",),
    units=("percent", "count", "score", "days"),
    label_fr="Résultat publié d'un sondage externe (taux, indice, note)",
    year_to_date=False,
)
def survey_value(ctx: MeasureContext) -> MeasureResult:
    """The survey's published value for the year."""
    row, missing = _row(ctx)
    if missing:
        return missing
    value = float(row["value"])
    if value != value:
        return MeasureResult.missing("Valeur du sondage non fournie pour l'année")
    return MeasureResult(value=value, rows_used=1)


@measure(
    "survey_participation",
    sources=("survey_results",),
    units=("percent",),
    computes_denominator=True,
    label_fr="Taux de participation à un sondage (répondants / population)",
    year_to_date=False,
)
def survey_participation(ctx: MeasureContext) -> MeasureResult:
    """Respondents / population × 100."""
    row, missing = _row(ctx)
    if missing:
        return missing
    respondents, population = row.get("respondents"), row.get("population")
    if respondents != respondents or population != population or not population:
        return MeasureResult.missing("Répondants ou population non fournis")
    return MeasureResult(
        value=100.0 * float(respondents) / float(population),
        numerator=float(respondents),
        denominator=float(population),
        rows_used=1,
    )

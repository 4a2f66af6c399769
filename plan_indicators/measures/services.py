"""Client-service measures: offers accepted, satisfaction, digital requests, coordination."""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure
from plan_indicators.measures._common import absent, in_year, read_bool, share
from plan_indicators.regions import counts_by_region
from plan_indicators.sources.contracts import CHANNELS

DIGITAL = ("web_form", "email", "chat")


@measure(
    "share_initial_offers_accepted",
    sources=("service_offers",),
    units=("percent",),
    computes_denominator=True,
    label_fr="Proportion des offres de service initiales acceptées",
)
def share_initial_offers_accepted(ctx: MeasureContext) -> MeasureResult:
    """Initial offers made in the year: accepted / (accepted + refused + no_response)."""
    offers = ctx.data.frame("service_offers")
    if offers is None:
        return absent("service_offers")
    year = in_year(offers.loc[offers["offer_kind"] == "initial"], "offer_date", ctx)
    answered = year.loc[year["response"].isin(["accepted", "refused", "no_response"])]
    accepted = int((answered["response"] == "accepted").sum())
    return share(accepted, len(answered), len(year), "Aucune offre initiale répondue")


@measure(
    "mean_satisfaction_score",
    sources=("satisfaction_responses",),
    units=("score",),
    computes_denominator=True,
    label_fr="Note moyenne de satisfaction (sondage auprès de la clientèle)",
)
def mean_satisfaction_score(ctx: MeasureContext) -> MeasureResult:
    """Mean score (0-10) of the survey answers dated in the year."""
    answers = ctx.data.frame("satisfaction_responses")
    if answers is None:
        return absent("satisfaction_responses")
    scores = in_year(answers, "response_date", ctx)["score"].dropna()
    if scores.empty:
        return MeasureResult.missing("Aucune réponse au sondage pour l'année")
    return MeasureResult(
        value=float(scores.mean()),
        numerator=float(scores.sum()),
        denominator=float(len(scores)),
        rows_used=len(scores),
    )


@measure(
    "share_scores_at_least",
    sources=("satisfaction_responses",),
    units=("percent",),
    computes_denominator=True,
    params=(
        Param(
            "min_score",
            "the lowest score that counts as satisfied, on the survey's 0-10 scale",
            minimum=0,
            maximum=10,
            example=8,
        ),
    ),
    label_fr="Taux de satisfaction (part des réponses d'au moins N sur 10)",
)
def share_scores_at_least(ctx: MeasureContext, min_score: float) -> MeasureResult:
    """Survey answers dated in the year with a score of at least `min_score`, in percent of the
    answers with a score."""
    answers = ctx.data.frame("satisfaction_responses")
    if answers is None:
        return absent("satisfaction_responses")
    scores = in_year(answers, "response_date", ctx)["score"].dropna()
    satisfied = int((scores >= min_score).sum())
    return share(satisfied, len(scores), len(scores), "Aucune réponse au sondage pour l'année")


@measure(
    "share_requests_by_channel",
    sources=("service_requests",),
    units=("percent",),
    computes_denominator=True,
    params=(
        Param(
            "channels",
            "the channels counted in the numerator (the digital ones by default)",
            allowed=CHANNELS,
        ),
    ),
    label_fr="Proportion des demandes reçues par les modes numériques (ou d'autres canaux)",
)
def share_requests_by_channel(ctx: MeasureContext, channels: list[str] = DIGITAL):
    """Requests received in the year through `channels` (digital by default), in percent."""
    requests = ctx.data.frame("service_requests")
    if requests is None:
        return absent("service_requests")
    year = in_year(requests, "received_date", ctx)
    hits = year["channel"].isin(list(channels))
    result = share(int(hits.sum()), len(year), len(year), "Aucune demande reçue pour l'année")
    return result.by_region(counts_by_region(year, hits))


@measure(
    "share_eligible_processed",
    sources=("coordination_requests",),
    units=("percent",),
    computes_denominator=True,
    label_fr="Proportion des demandes admissibles traitées",
)
def share_eligible_processed(ctx: MeasureContext) -> MeasureResult:
    """Eligible requests received in the year that were processed (by `as_of`)."""
    requests = ctx.data.frame("coordination_requests")
    if requests is None:
        return absent("coordination_requests")
    year = in_year(requests, "received_date", ctx)
    is_eligible, unknown = read_bool(year["eligible"])
    eligible = year.loc[is_eligible]
    done = pd.to_datetime(eligible["processed_date"])
    hits = done.notna() & (done <= pd.Timestamp(ctx.as_of))
    empty = "Aucune demande admissible pour l'année"
    result = share(int(hits.sum()), len(eligible), len(year), empty)
    result.by_region(counts_by_region(eligible, hits))
    n = int(unknown.sum())
    return result.exclude(
        "eligible_unknown", n, f"{n} demande(s) d'admissibilité illisible exclue(s)"
    )

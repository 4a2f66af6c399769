"""Facebook measures: share of program posts whose organic reach meets a threshold."""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure
from plan_indicators.measures._common import absent, derived, in_year, read_bool, share


@measure(
    "share_posts_reach_at_least",
    sources=("facebook_posts", "facebook_post_topics"),
    units=("percent",),
    computes_denominator=True,
    params=(
        Param(
            "min_reach",
            "organic reach (people reached) a post must attain to count in the numerator",
            minimum=0,
            example=1000,
        ),
    ),
    label_fr="Proportion de publications sur les programmes dont la portée organique atteint "
    "un seuil",
)
def share_posts_reach_at_least(ctx: MeasureContext, min_reach: float) -> MeasureResult:
    """Posts of the year tagged `informs_programs`; share with reach ≥ `min_reach`.

    A post without a tag is a data-quality warning: excluded from both terms, counted in the
    reason so that the analyst sees it.
    """
    posts, topics = ctx.data.frame("facebook_posts"), ctx.data.frame("facebook_post_topics")
    if posts is None:
        return absent("facebook_posts")
    if topics is None:
        return absent("facebook_post_topics")
    year = in_year(posts, "publish_date", ctx)
    tags = derived(topics, "informs_programs", lambda: _post_tags(topics))
    tagged = year["post_id"].isin(tags.index)
    untagged = int((~tagged).sum())
    programs = year.loc[tagged]
    informs, _unknown = read_bool(programs["post_id"].map(tags))  # tagged: never unknown
    programs = programs.loc[informs]
    reached = int((programs["reach"] >= min_reach).sum())
    result = share(reached, len(programs), len(year), "Aucune publication sur les programmes")
    note = f"{untagged} publication(s) sans classement exclue(s)"
    return result.exclude("untagged_posts", untagged, note)


def _post_tags(topics: pd.DataFrame) -> pd.Series:
    """Each tagged post's `informs_programs`, its first tag if tagged twice."""
    tags = topics.dropna(subset=["informs_programs"]).drop_duplicates("post_id")
    return tags.set_index("post_id")["informs_programs"]

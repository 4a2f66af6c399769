"""Posts classified by the communications team (docs/contracts.md §4.7.3).

Every `post_id` must be a post of `facebook_posts`: staging quarantines the others under
`unknown_post`. The team tags the posts it sees, so the sample follows the drawn posts and
continues their random stream (SAMPLE_STREAM = None).
"""

from __future__ import annotations

import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.fiscal import FiscalYear
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, Reference, SourceContract

CONTRACT = SourceContract(
    "facebook_post_topics",
    "post classified by the communications team",
    (Column("post_id", identifier=True), Column("informs_programs", "bool")),
    key=("post_id",),
    references={"post_id": Reference("facebook_posts", "post_id", "unknown_post")},
    section="4.7.3",
    daily=True,
)

SAMPLE_STREAM = None


def sample(ctx: SampleContext) -> list[SampleFile]:
    """About 98 % of posts tagged, 62 % of them informing about programs; one file a year."""
    posts = ctx.upstream("facebook_posts")
    rng, fy, n = posts.rng, posts.fiscal_year, posts.post_id.size
    tagged = rng.random(n) >= 0.02
    informs = rng.random(n) < 0.62
    styles = {2022: "oui", 2023: "true", 2024: "1", 2025: "oui", 2026: "true"}
    files: list[SampleFile] = []
    for year in sorted(set(fy.tolist())):
        m = (fy == year) & tagged
        df = pd.DataFrame(
            {
                "post_id": posts.post_id[m],
                "informs_programs": sp.bools(informs[m], styles.get(year, "1")),
            }
        )
        writer = sp.EXCEL_FR if year == 2022 else sp.PLAIN
        files.append((f"classement_publications_{FiscalYear(year).key}.csv", df, writer))
    return files

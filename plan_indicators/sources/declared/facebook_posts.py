"""Facebook posts, as Meta Business Suite's "Posts" export gives them (docs/contracts.md §4.7.2).

Meta renamed the export's headers over the years and translates them, so each column lists
the headers that mean it. The sample writes one export per fiscal year with the legacy,
English and French headers, thousands separators and Meta's month/day/year times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.fiscal import FiscalYear
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "facebook_posts",
    "Facebook post (Meta Business Suite 'Posts' export)",
    (
        Column(
            "post_id",
            aliases=("Post ID", "Identifiant de la publication"),
            identifier=True,
        ),
        Column("publish_time", "mdy_hm", aliases=("Publish time", "Heure de publication")),
        Column(
            "reach",
            "int",
            minimum=0,
            aliases=("Reach", "Lifetime Post organic reach", "Couverture"),
        ),
        Column("post_type", required=False, aliases=("Post type", "Type de publication")),
        Column(
            "title",
            required=False,
            aliases=("Title", "Description", "Titre"),
            free_text=True,
        ),
    ),
    key=("post_id",),
    date_column="publish_time",
    coverage="month",
    section="4.7.2",
    daily=True,
    # The other columns of Business Suite's "Posts" export (2024 layout, English and French),
    # and `Description` beside `Title`: named in one note per file, not one warning each.
    known_unused=(
        "Page ID",
        "Page name",
        "Description",
        "Duration (sec)",
        "Caption type",
        "Permalink",
        "Is crosspost",
        "Is share",
        "Languages",
        "Custom labels",
        "Funded content status",
        "Data comment",
        "Date",
        "Views",
        "Impressions",
        "Reactions, Comments and Shares",
        "Reactions",
        "Comments",
        "Shares",
        "Total clicks",
        "Identifiant de la Page",
        "Nom de la Page",
        "Durée (s)",
        "Type de sous-titres",
        "Permalien",
        "Est une publication croisée",
        "Est un partage",
        "Langues",
        "Libellés personnalisés",
        "Statut du contenu financé",
        "Commentaire sur les données",
        "Vues",
        "Réactions, commentaires et partages",
        "Réactions",
        "Commentaires",
        "Partages",
        "Total des clics",
    ),  # fmt: skip
)

SAMPLE_STREAM = 2

_POST_TYPES = (("Photo", "Photo"), ("Link", "Lien"), ("Video", "Vidéo"), ("Reel", "Reel"))
_SUBJECTS = (
    "Allocation pour enfant handicapé : êtes-vous admissible?",
    "Vignette de stationnement : comment l'obtenir",
    "Programme de soutien aux familles : ce qu'il faut savoir",
    "Semaine québécoise des personnes handicapées",
    "Guide des programmes d'aide : nouvelle édition",
    "Transport adapté : vos droits",
    "Crédit d'impôt pour frais médicaux",
    "Accessibilité des lieux culturels cet été",
    "Journée internationale des personnes handicapées",
    "Emploi : mesures d'accompagnement en entreprise",
)


@dataclass(frozen=True)
class Posts:
    """The drawn posts; `rng` is the stream after them, which the team's tagging continues."""

    post_id: np.ndarray
    fiscal_year: np.ndarray
    kind: np.ndarray
    title: np.ndarray
    publish: np.ndarray
    reach: np.ndarray
    impressions: np.ndarray
    rng: np.random.Generator


def draw(ctx: SampleContext) -> Posts:
    """Posts on most working days and some weekends; reach rising over the years."""
    rng = ctx.rng()
    days = sp.days(sp.START, sp.PRESENT)
    weekday = (days.astype(np.int64) + 3) % 7
    post_day = days[rng.random(days.size) < np.where(weekday < 5, 0.55, 0.12)]
    n = post_day.size
    minutes = rng.integers(8 * 60, 18 * 60, n)
    local = post_day.astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    ids = 122158000000000000 // 10 + np.cumsum(rng.integers(1_000_000, 90_000_000, n))
    mu = np.log(850) + 0.08 * sp.frac(post_day) * 4.6
    reach = np.round(rng.lognormal(mu, 0.8)).astype(np.int64)
    impressions = np.round(reach * rng.uniform(1.15, 1.9, n)).astype(np.int64)
    kind = rng.choice(len(_POST_TYPES), n, p=[0.5, 0.25, 0.15, 0.1])
    title = np.array(_SUBJECTS, dtype=object)[rng.integers(0, len(_SUBJECTS), n)]
    publish = pd.DatetimeIndex(local).strftime("%m/%d/%Y %H:%M").to_numpy(dtype=object)
    return Posts(
        ids.astype(str), sp.fiscal_starts(post_day), kind, title, publish, reach, impressions, rng
    )


def sample(ctx: SampleContext) -> list[SampleFile]:
    """Meta "Posts" exports, one per fiscal year: legacy, English and French headers."""
    posts: Posts = ctx.upstream(CONTRACT.name)
    fy = posts.fiscal_year

    def thousands(v: np.ndarray) -> list[str]:
        return [f"{x:,}" for x in v.tolist()]

    files: list[SampleFile] = []
    for year in sorted(set(fy.tolist())):
        m = fy == year
        en = [_POST_TYPES[k][0] for k in posts.kind[m]]
        permalink = [f"https://www.facebook.com/OPHQ/posts/{p}" for p in posts.post_id[m]]
        if year == 2022:
            headers = ("Post ID", "Publish time", "Post type", "Description")
            reach_col, types = "Lifetime Post organic reach", en
        elif year == 2024:
            headers = ("Identifiant de la publication", "Heure de publication",
                       "Type de publication", "Titre")  # fmt: skip
            reach_col, types = "Couverture", [_POST_TYPES[k][1] for k in posts.kind[m]]
        else:
            headers = ("Post ID", "Publish time", "Post type", "Title")
            reach_col, types = "Reach", en
        df = pd.DataFrame(
            {
                headers[0]: posts.post_id[m],
                "Permalink": permalink,
                headers[1]: posts.publish[m],
                headers[2]: types,
                headers[3]: posts.title[m],
                reach_col: thousands(posts.reach[m]),
                "Impressions": thousands(posts.impressions[m]),
            }
        )
        end = min(FiscalYear(year).end, sp.PRESENT)
        writer: sp.Csv | sp.Workbook = sp.BOM if year % 2 else sp.PLAIN
        if year == 2025:  # exported as a workbook: counts as numbers, the id kept as text
            writer = sp.Workbook("Posts")
            df[reach_col] = posts.reach[m]
            df["Impressions"] = posts.impressions[m]
        name = f"Posts_{FiscalYear(year).start.isoformat()}_{end.isoformat()}{writer.suffix}"
        files.append((name, df, writer))
    return files

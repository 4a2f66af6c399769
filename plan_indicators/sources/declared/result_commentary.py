"""Explanations of results written by the planning team (docs/contracts.md §4.7.11).

One row per plan, indicator and fiscal year: the *explication des résultats* a *rapport annuel
de gestion* prints under a result, above all a missed one. The evaluation step of each plan
reads it (`staging/result_commentary` is upstream of every evaluation) and publishes it as
`indicator_evaluation.explanation_fr`; the report and every export print it.

`author` is whoever wrote the text, usually a person's name: it is personal, so readers replace
it with its keyed pseudonym on reading and nothing downstream carries it (the warehouse keeps
the text and its date, not who wrote it). The sample explains some of the ended years of each
plan, not all of them, so that a final missed target left unexplained shows the warning
`missed_target_explained` in the demo.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.catalog import Plan
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "result_commentary",
    "explanation of a result, written by the planning team",
    (
        Column("plan_id"),
        Column("indicator_id"),
        Column("fiscal_year", "fiscal_year"),
        Column("text_fr", free_text=True, aliases=("explication", "explication_fr")),
        Column("author", required=False, personal=True, aliases=("auteur",)),
        Column("updated_on", "date", required=False, aliases=("mis_a_jour_le",)),
    ),
    key=("plan_id", "indicator_id", "fiscal_year"),
    section="4.7.11",
)

SAMPLE_STREAM = 10

SHARE_EXPLAINED = 0.5
"""About half of the ended years with a target get an explanation in the sample."""

# Explanations as planning teams write them: what happened during the year, what was done,
# what comes next. Neutral on the outcome, since the sample does not know it before the run.
_TEXTS = (
    "Le résultat reflète la réorganisation de la direction au premier semestre : deux postes "
    "sont restés vacants pendant cinq mois, ce qui a retardé le traitement des dossiers. "
    "L'équipe a été complétée en novembre.",
    "La mise en ligne du nouveau formulaire en septembre a modifié la façon de compter les "
    "demandes ; les données d'avant et d'après ce changement ne sont pas tout à fait comparables.",
    "Les travaux ont été menés avec les partenaires du réseau ; certaines étapes dépendaient de "
    "leurs propres échéanciers, qui ont été revus en cours d'année.",
    "Les efforts de sensibilisation se sont poursuivis : campagne d'information au printemps,\n"
    "séances régionales à l'automne. Un suivi trimestriel est mis en place pour l'an prochain.",
    "La période électorale a suspendu pendant plusieurs semaines les communications publiques "
    "de l'organisation, ce qui a réduit la diffusion prévue.",
    "Le résultat tient compte d'un volume de demandes plus élevé que prévu (hausse d'environ "
    "15 %), absorbé à effectif constant.",
    "Une priorisation des dossiers a été faite en cours d'année afin de répondre d'abord aux "
    "situations urgentes ; les autres dossiers ont été reportés à l'exercice suivant.",
    "Les données du dernier trimestre ont été validées avec la direction responsable ; une "
    "révision des processus est prévue pour améliorer le résultat.",
)
_AUTHORS = ("Direction de la planification", "Équipe des services à la population")


def sample(ctx: SampleContext) -> list[SampleFile]:
    return _commentary(ctx.rng(), ctx.plans)


def _commentary(rng: np.random.Generator, plans: list[Plan]) -> list[SampleFile]:
    """Per plan, an explanation for about half of its ended years that have a target."""
    files: list[SampleFile] = []
    for i, plan in enumerate(plans):
        rows = []
        for ind in plan.indicators:
            for fy, _target in sorted(ind.targets.items()):
                year = next((y for y in sp.data_years(plan) if y.key == fy), None)
                if year is None or year.end >= sp.PRESENT or rng.random() >= SHARE_EXPLAINED:
                    continue
                written = year.end + dt.timedelta(days=int(rng.integers(20, 70)))
                rows.append(
                    {
                        "plan_id": plan.id,
                        "indicator_id": ind.id,
                        "fiscal_year": fy,
                        "text_fr": _TEXTS[int(rng.integers(0, len(_TEXTS)))],
                        "author": _AUTHORS[int(rng.integers(0, len(_AUTHORS)))],
                        "updated_on": min(written, sp.PRESENT).isoformat(),
                    }
                )
        if not rows:
            continue
        df = pd.DataFrame(rows)
        if i % 2 == 1:  # kept in Excel by the planning team
            writer: sp.Csv | sp.Workbook = sp.Workbook("Explications", dates=("updated_on",))
        else:
            writer = sp.EXCEL_FR
        files.append((f"explications_{plan.id}{writer.suffix}", df, writer))
    return files

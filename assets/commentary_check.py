"""The WARN check `explanations_matched` on the staged explanations (`result_commentary`,
docs/contracts.md §4.7.11): the rows no evaluation will carry (plan unknown to the catalog,
indicator the plan lacks, year without a target), each named by file and line, in the UI and
as the run's WARN line; the staged rows are published all the same where they match."""

import dagster as dg

from assets.keys import staging_key
from assets.step_order import LATER
from plan_indicators.catalog import Plan
from plan_indicators.commentary import SOURCE as COMMENTARY
from plan_indicators.commentary import UNKNOWN_IN_CATALOG, unmatched
from plan_indicators.staging import ParquetStagedData

EXPLANATIONS_MATCHED = "explanations_matched"
DESCRIPTION = (
    "Chaque explication des résultats préparée est portée par une évaluation : son plan est au "
    "catalogue, le plan a l'indicateur, l'indicateur a une cible cette année-là "
    "(docs/contracts.md §4.7.11). Avertissement seulement : les autres sont publiées."
)


def explanations_matched_check(plans: tuple[Plan, ...]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staging_key(COMMENTARY),
        name=EXPLANATIONS_MATCHED,
        blocking=False,
        description=DESCRIPTION,
        required_resource_keys={"landing"},
        op_tags=LATER,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        frame = ParquetStagedData(context.resources.landing.staging_path).frame(COMMENTARY)
        rows = unmatched(frame, plans, UNKNOWN_IN_CATALOG)
        table = "\n".join(
            ["| fichier:ligne | plan | indicateur | année | raison |", "|---|---|---|---|---|"]
            + [
                f"| {r.file}:{r.line} | {r.plan_id} | {r.indicator_id} | {r.fiscal_year} | "
                f"{r.why} |"
                for r in rows
            ]
        )
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                f"{len(rows)} explication(s) publiée(s) nulle part :\n"
                + "\n".join(f"  {COMMENTARY}: {r.message}" for r in rows)
                if rows
                else None
            ),
            metadata={
                "explanations_staged": 0 if frame is None else len(frame),
                "explanations_unmatched": len(rows),
                "unmatched": dg.MetadataValue.md(table if rows else "Aucune."),
            },
        )

    return _check

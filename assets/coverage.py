"""The `coverage` check of staged sources, its warehouse table, and the indicators' view of it.

The rule is `plan_indicators.coverage`'s: per source and fiscal year, the days (web analytics)
or months (other dated sources) without data that a quiet stretch cannot explain. The staging
step computes it from what it staged, publishes it in `source_coverage` and warns through the
`coverage` check (WARN, not blocking: the result is still published, with a note); indicator
results carry their sources' coverage in their metadata, and the report writes the note.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from plan_indicators import coverage
from plan_indicators import warehouse as wh
from plan_indicators.sources.contracts import CONTRACTS

COVERAGE_CHECK = "coverage"


def coverage_spec(source: str, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """The check, for a source that declares a coverage unit."""
    unit = CONTRACTS[source].coverage
    if unit is None:
        return []
    word = "jour" if unit == coverage.DAY else "mois"
    return [
        dg.AssetCheckSpec(
            COVERAGE_CHECK,
            asset=key,
            blocking=False,
            description=f"Couverture par exercice : avertit quand un {word} sans données ne "
            "s'explique pas par une période calme (règle dans plan_indicators/coverage.py).",
        )
    ]


def publish_coverage(
    context,
    engine,
    source: str,
    counts: dict[dt.date, int],
    as_of: dt.date,
) -> dg.AssetCheckResult:
    """Compute a source's coverage, replace its rows in `source_coverage`, return the check."""
    unit = CONTRACTS[source].coverage
    years = coverage.source_coverage(source, unit, counts, as_of)
    now = wh.utcnow()
    rows = [
        {
            "source": source,
            "fiscal_year": y.fiscal_year,
            "unit": y.unit,
            "window_start": y.window_start,
            "window_end": y.window_end,
            "expected_units": y.expected,
            "covered_units": y.covered,
            "missing_units": y.missing,
            "quiet_level": y.quiet_level,
            "gaps": coverage.gaps_json(y),
            "note_fr": y.note_fr(),
            "as_of": as_of,
            "computed_at": now,
            "run_id": context.run_id,
        }
        for y in years
    ]
    wh.replace_rows(engine, wh.source_coverage, {"source": source}, rows)
    incomplete = [y for y in years if y.gaps]
    return dg.AssetCheckResult(
        check_name=COVERAGE_CHECK,
        passed=not incomplete,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{source} : {y.note_fr()}" for y in incomplete) or None,
        metadata={
            "years": dg.MetadataValue.md(_years_md(rows)),
            "incomplete_years": [y.fiscal_year for y in incomplete],
        },
    )


def _years_md(rows: list[dict]) -> str:
    if not rows:
        return "_aucune donnée_"
    lines = [
        "| Année | Source | Fenêtre | Attendus | Avec données | Manquants | Lacunes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        window = f"{r['window_start'] or '—'} → {r['window_end'] or '—'}"
        lines.append(
            f"| {r['fiscal_year']} | {r['source']} | {window} | {r['expected_units']} | "
            f"{r['covered_units']} | {r['missing_units']} | {r['note_fr'] or ''} |"
        )
    return "\n".join(lines)


def coverage_metadata(engine, sources: tuple[str, ...], years: list[str]) -> dict:
    """An indicator result's view of its sources' coverage, for the years it computed."""
    rows = [
        r
        for source in sources
        if CONTRACTS[source].coverage
        for r in wh.read_rows(engine, wh.source_coverage, source=source)
        if r["fiscal_year"] in years
    ]
    if not rows:
        return {}
    rows.sort(key=lambda r: (r["fiscal_year"], r["source"]))
    return {
        "coverage": dg.MetadataValue.md(_years_md(rows)),
        "coverage_gaps": dg.MetadataValue.json(
            {r["fiscal_year"]: r["note_fr"] for r in rows if r["note_fr"]}
        ),
    }

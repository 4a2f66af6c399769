"""A deterministic sample landing zone (docs/contracts.md §4) for demos and end-to-end tests.

Each source's generator is declared beside its contract (`sample(ctx)` in its module of
`plan_indicators.sources.declared`), drawing from its own stream of
`numpy.random.default_rng([seed, SAMPLE_STREAM])`; nothing reads the clock (the "present" is
`PRESENT`), so the same seed gives byte-identical files. The files imitate real exports on
purpose (several encodings, separators, boolean spellings, Meta's header variants, GA4's URLs
with queries, fragments and trailing slashes, the BigQuery export's nested form in Parquet and
newline-delimited JSON, a Meta export and a register saved as workbooks) so that the readers
are exercised on demo data too. The register and survey rows follow the plan catalogs, so a
new plan gets sample data by YAML, and a new source by declaring its generator.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from plan_indicators.catalog import Plan, default_plans_dir, load_plan
from plan_indicators.sampling import PRESENT, SampleRun
from plan_indicators.sources.declared import declared

__all__ = ["PRESENT", "SPEC_MEASURES", "generate"]

SPEC_MEASURES = frozenset(
    {
        "distinct_users", "share_posts_reach_at_least", "share_initial_offers_accepted",
        "mean_satisfaction_score", "share_requests_by_channel", "share_eligible_processed",
        "share_plans_with_consultation", "share_plans_adopted_within", "register_count",
        "register_rate", "register_milestone", "register_mean_delay", "survey_value",
        "survey_participation",
    }
)  # fmt: skip


def generate(
    out_dir: Path, *, seed: int = 42, scale: float = 1.0, plans_dir: Path | None = None
) -> dict[str, int]:
    """Write one folder per source under `out_dir`; return the number of rows per source.

    `scale` multiplies web events linearly and the transactional sources by its square root;
    posts, filings, register and survey rows do not depend on it (they are bounded by reality:
    ~190 organisations, a few posts a week). Existing files of the same names are overwritten,
    other files are left alone.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out_dir = Path(out_dir)
    plans = _load_plans(Path(plans_dir) if plans_dir else default_plans_dir())
    run = SampleRun(seed, scale, plans)
    counts = {}
    for source, declaration in declared().items():
        files = declaration.sample(run.context(source))
        folder = out_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        for name, data, writer in files:
            writer.write(folder / name, data)
        counts[source] = sum(len(data) for _, data, _ in files)
    return counts


def _load_plans(plans_dir: Path) -> list[Plan]:
    """Every plan of the folder, checked only against the contract's measure names
    (docs/contracts.md §2.6) or the files.

    The registry is not imported: sample data must not depend on the measure library.
    """
    files = sorted(plans_dir.glob("*.yaml")) + sorted(plans_dir.glob("*.yml"))
    names = set(SPEC_MEASURES)
    for f in files:
        raw = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for ind in raw.get("indicators") or []:
            measure = ind.get("measure") if isinstance(ind, dict) else None
            if isinstance(measure, dict) and isinstance(measure.get("name"), str):
                names.add(measure["name"])
    return [load_plan(f, measure_names=names) for f in files]

"""Declared references between sources (`SourceContract.references`), enforced.

A topic row for a post that no Meta export holds, an offer for an unknown request: such rows
would never join, so they are quarantined under the reference's rule and counted, rather than
staged to vanish in a join. Staging and `check-landing` both call this, so they report the
same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from plan_indicators.sources.cells import masked
from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.sources.readers import QuarantineRow


@dataclass
class ReferenceCount:
    column: str
    references: str  # "source.column"
    rule: str
    checked: int
    unknown: int


def enforce_references(
    source: str, frame: pd.DataFrame, parents: Mapping[str, pd.DataFrame | None]
) -> tuple[pd.DataFrame, list[QuarantineRow], list[ReferenceCount]]:
    """(rows whose every declared reference is known, the others, counts per reference).

    `parents` maps a referenced source to its read frame (None when absent: every value is
    then unknown). Empty values are not references; a row failing several is quarantined once.
    """
    contract = CONTRACTS[source]
    kept = frame
    rejected: list[QuarantineRow] = []
    counts: list[ReferenceCount] = []
    for column, ref in contract.references.items():
        parent = parents.get(ref.source)
        known = set(parent[ref.column].dropna()) if parent is not None else set()
        values = kept[column]
        bad = values.notna() & ~values.isin(known)
        for r in kept.loc[bad].to_dict("records"):
            value = r[column]
            shown = f"forme {masked(value)!r}" if contract.personal else repr(str(value))
            rejected.append(
                QuarantineRow(
                    source,
                    r["_file"],
                    int(r["_line"]),
                    column,
                    ref.rule,
                    f"{column} {shown} absent de {ref.source}.{ref.column}",
                    None if contract.personal else str(value),
                )
            )
        counts.append(
            ReferenceCount(
                column,
                f"{ref.source}.{ref.column}",
                ref.rule,
                int(values.notna().sum()),
                int(bad.sum()),
            )  # fmt: skip
        )
        kept = kept.loc[~bad]
    return kept, rejected, counts

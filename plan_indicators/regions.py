"""Results by administrative region, with small cells suppressed (docs/contracts.md §5.9).

A share computed over rows that carry `region_code` is also published per region, as
statistical agencies publish such tables: a region whose denominator is below `MIN_DENOMINATOR`
is suppressed (shown "x"), and where exactly one region is suppressed, a second one is too,
since the published total minus the other regions would reveal it. A suppressed cell keeps no
number anywhere, warehouse included: BI cannot publish what the report withholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

REGIONS_FR: dict[str, str] = {
    "01": "Bas-Saint-Laurent",
    "02": "Saguenay–Lac-Saint-Jean",
    "03": "Capitale-Nationale",
    "04": "Mauricie",
    "05": "Estrie",
    "06": "Montréal",
    "07": "Outaouais",
    "08": "Abitibi-Témiscamingue",
    "09": "Côte-Nord",
    "10": "Nord-du-Québec",
    "11": "Gaspésie–Îles-de-la-Madeleine",
    "12": "Chaudière-Appalaches",
    "13": "Laval",
    "14": "Lanaudière",
    "15": "Laurentides",
    "16": "Montérégie",
    "17": "Centre-du-Québec",
}
UNKNOWN = "00"
"""Rows whose region is not given: their own cell, so the regions add up to the total."""
REGIONS_FR[UNKNOWN] = "Région non précisée"

REGION_COLUMN = "region_code"
MIN_DENOMINATOR = 5

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class RegionCell:
    """One region's share; `numerator`, `denominator`, `value` are None when suppressed."""

    region_code: str
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: str | None = None

    @property
    def region_fr(self) -> str:
        return REGIONS_FR[self.region_code]


def counts_by_region(frame: pd.DataFrame, hits: pd.Series) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per region of `frame`'s rows; `hits` marks the numerator.

    Empty when the frame has no region column: the source does not carry regions.
    """
    if REGION_COLUMN not in frame.columns:
        return {}
    codes = frame[REGION_COLUMN].astype("string").fillna(UNKNOWN).str.strip()
    codes = codes.where(codes.isin(list(REGIONS_FR)), UNKNOWN)
    grouped = pd.DataFrame({"code": codes, "hit": hits.astype(bool)}).groupby("code")["hit"]
    return {
        str(code): (int(n), int(d))
        for code, n, d in zip(grouped.sum().index, grouped.sum(), grouped.count(), strict=True)
    }


def suppress(
    counts: Mapping[str, tuple[float, float]], minimum: int = MIN_DENOMINATOR
) -> list[RegionCell]:
    """Cells in region order, small ones suppressed, and a second one where one alone would be
    revealed by the total (the unsuppressed cell with the smallest denominator, then code)."""
    primary = {code for code, (_, d) in counts.items() if d < minimum}
    secondary: set[str] = set()
    if len(primary) == 1:
        others = sorted(
            (d, code) for code, (_, d) in counts.items() if code not in primary and d > 0
        )
        if others:
            secondary.add(others[0][1])
    cells = []
    for code in sorted(counts, key=_order):
        n, d = counts[code]
        if code in primary or code in secondary:
            cells.append(
                RegionCell(code, None, None, None, PRIMARY if code in primary else SECONDARY)
            )
        else:
            cells.append(RegionCell(code, float(n), float(d), 100.0 * n / d))
    return cells


def _order(code: str) -> tuple[int, str]:
    """Regions 01-17 in order, the unknown region last."""
    return (code == UNKNOWN, code)

"""Valid rows for any landing contract, built from the contract itself (not from sample data),
so tests of every column and property tests cover sources nobody wrote a fixture for."""

from __future__ import annotations

from plan_indicators.sources.contracts import Column, SourceContract

_BY_TYPE = {
    "date": "2024-05-01",
    "yyyymmdd": "20240501",
    "mdy_hm": "05/01/2024 10:00",
    "bool": "oui",
    "int": "3",
    "float": "5",
    "fiscal_year": "2024-2025",
}


def valid_cell(col: Column, i: int) -> str:
    """A value the column accepts; text columns get one unique per row, so keys never repeat."""
    if col.allowed:
        return col.allowed[i % len(col.allowed)]
    return _BY_TYPE.get(col.type, f"{col.name[:3].upper()}{i:04d}")


def valid_rows(contract: SourceContract, n: int) -> list[list[str]]:
    return [[valid_cell(c, i) for c in contract.columns] for i in range(1, n + 1)]


def csv_text(contract: SourceContract, rows: list[list[str]], sep: str = ",") -> str:
    lines = [sep.join(c.name for c in contract.columns)] + [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"

"""Helpers shared by the measures: fiscal-year filters and the missing-input results."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult

_MEMO: dict[tuple[int, Hashable], Any] = {}
"""What was derived from a frame (`derived`), by the frame's identity while it lives."""


def derived(frame: pd.DataFrame, key: Hashable, make: Callable[[], Any]) -> Any:
    """`make()`, computed once per `frame` and `key`: a staged frame is asked the same thing for
    every fiscal year of an indicator (and every day of its projection's backtest). The frame
    must not be changed in place once asked (staged frames are only read)."""
    memo_key = (id(frame), key)
    if memo_key not in _MEMO:
        _MEMO[memo_key] = make()
        weakref.finalize(frame, _MEMO.pop, memo_key, None)
    return _MEMO[memo_key]


def rows_where(frame: pd.DataFrame, columns: tuple[str, ...], values: tuple) -> pd.DataFrame:
    """The rows of `frame` whose `columns` hold `values`, in the frame's order and index.

    The frame is split by `columns` once, the first time it is asked: a register holds every
    plan's indicators and each indicator asks for its own rows once per year, and comparing the
    whole frame's columns each time was a quarter of the measures' time. A row with an empty key
    column matches no value."""

    def split() -> dict[tuple, pd.DataFrame]:
        groups = frame.groupby(list(columns), sort=False, dropna=True)
        return {k if isinstance(k, tuple) else (k,): rows for k, rows in groups}

    found = derived(frame, ("rows_where", columns), split).get(tuple(values))
    return derived(frame, "no_rows", lambda: frame.iloc[0:0]) if found is None else found


def in_year(frame: pd.DataFrame, column: str, ctx: MeasureContext) -> pd.DataFrame:
    """Rows whose `column` date is in the fiscal year and not after `as_of`."""
    dates = derived(frame, ("day", column), lambda: pd.to_datetime(frame[column]).dt.normalize())
    start, end = pd.Timestamp(ctx.fiscal_year.start), pd.Timestamp(ctx.fiscal_year.end)
    cutoff = min(end, pd.Timestamp(ctx.as_of))
    return frame.loc[(dates >= start) & (dates <= cutoff)]


def share(numerator: int, denominator: int, rows: int, empty_reason: str) -> MeasureResult:
    """A percentage, or a missing result when the population is empty."""
    if denominator == 0:
        return MeasureResult.missing(empty_reason)
    return MeasureResult(
        value=100.0 * numerator / denominator,
        numerator=float(numerator),
        denominator=float(denominator),
        rows_used=rows,
    )


def absent(source: str) -> MeasureResult:
    return MeasureResult.missing(f"Source « {source} » absente de la zone d'atterrissage")


def read_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(true, unknown) masks of a boolean column. A value that cannot be read is neither true
    nor false: the caller leaves its row out of both terms and counts it, never reads it as
    false (the readers already quarantine an unreadable required boolean)."""
    values = series.astype("boolean")
    unknown = values.isna().astype(bool)
    return values.fillna(False).astype(bool) & ~unknown, unknown

"""Helpers shared by the measures: fiscal-year filters and the missing-input results."""

from __future__ import annotations

import weakref

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult

_SPLITS: dict[tuple[int, tuple[str, ...]], dict[tuple, pd.DataFrame]] = {}
"""Frames split by columns (`rows_where`), by the frame's identity while it lives."""


def rows_where(frame: pd.DataFrame, columns: tuple[str, ...], values: tuple) -> pd.DataFrame:
    """The rows of `frame` whose `columns` hold `values`, in the frame's order and index.

    A staged frame is split by `columns` once, the first time it is asked: a register holds
    every plan's indicators and each indicator asks for its own rows once per fiscal year (and
    per day of its projection's backtest), and comparing the whole frame's columns each time
    was a quarter of the measures' time. The frame must not be changed in place once asked
    (staged frames are only read); a row with an empty key column matches no value."""
    key = (id(frame), columns)
    split = _SPLITS.get(key)
    if split is None:
        split = {
            k if isinstance(k, tuple) else (k,): rows
            for k, rows in frame.groupby(list(columns), sort=False, dropna=True)
        }
        _SPLITS[key] = split
        weakref.finalize(frame, _SPLITS.pop, key, None)
    found = split.get(tuple(values))
    return frame.iloc[0:0] if found is None else found


def in_year(frame: pd.DataFrame, column: str, ctx: MeasureContext) -> pd.DataFrame:
    """Rows whose `column` date is in the fiscal year and not after `as_of`."""
    dates = pd.to_datetime(frame[column]).dt.normalize()
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

"""Suites a step hands over to a later step of the same run and process (the raw step to its
suite's check, the staging step to its staging check), by layer, run and source: the answer
is taken once, and only by a check given the same suite parameters."""

from __future__ import annotations

from typing import Any

_HANDED: dict[tuple[str, str, str], tuple[dict, Any]] = {}


def forget(layer: str, run_id: str, source: str) -> None:
    """An earlier attempt's answer is not this attempt's."""
    _HANDED.pop((layer, run_id, source), None)


def hand(layer: str, run_id: str, source: str, parameters: dict, answer: Any) -> None:
    _HANDED[(layer, run_id, source)] = (parameters, answer)


def take(layer: str, run_id: str, source: str, parameters: dict) -> Any | None:
    """The answer handed for these parameters, removed; None when there is none (another
    process ran the step, or the step did not hand it) or it was given other parameters."""
    given, answer = _HANDED.pop((layer, run_id, source), (None, None))
    return answer if answer is not None and given == parameters else None

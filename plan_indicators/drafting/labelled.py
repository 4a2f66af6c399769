"""Reader of the "Indicateur : … / Cible : …" layout: numbered enjeux ("1."), orientations
("1.1") and objectives ("1.1.1") whose wording wraps over several lines, each objective followed
by its indicators and their targets. An objective with several indicators gives them the ids
"<objective>-a", "-b"… in the text's order, as the hand catalogs do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plan_indicators.drafting.raw import (
    RawIndicator,
    RawPlan,
    RawTarget,
    heading,
    join_lines,
    name_unnumbered,
)
from plan_indicators.drafting.text import fiscal_years_in, fold, squash

LAYOUT = "Indicateur : … / Cible : …"
_INDICATOR = re.compile(r"^indicateurs?\s*:\s*(.*)$", re.I | re.S)
_TARGET = re.compile(r"^cibles?\b([^:]*):\s*(.*)$", re.I | re.S)
_COLUMN_TITLES = re.compile(r"^enjeux?\s+orientations?\s+objectifs?$")
_ITEMS = (  # enjeu "1.", orientation "1.1", objective "1.1.1"
    ("enjeu", re.compile(r"^(\d{1,2})\.\s+(\S.*)$")),
    ("orientation", re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s+(\S.*)$")),
    ("objective", re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s+(\S.*)$")),
)


def is_labelled(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return any(_INDICATOR.match(x) for x in lines) and any(_TARGET.match(x) for x in lines)


@dataclass
class _Field:
    """Wording being gathered over wrapped lines: which field, where it began, its lines."""

    kind: str
    number: str
    line: int
    parts: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def text(self) -> str:
        return join_lines(self.parts)


@dataclass
class _State:
    plan: RawPlan
    enjeu: str = ""
    orientation: str = ""
    objective: str = ""
    objective_number: str = ""
    current: _Field | None = None
    pending: list[RawIndicator] = field(default_factory=list)
    started: bool = False


def read(text: str) -> RawPlan:
    state = _State(RawPlan(LAYOUT, []))
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            _close(state)
            continue
        if _COLUMN_TITLES.match(fold(line)):
            _close(state)
            state.started = True
            continue
        if match := _INDICATOR.match(line):
            _close(state)
            state.current = _Field("indicator", "", number, [match.group(1)])
        elif match := _TARGET.match(line):
            _close(state)
            state.current = _Field("target", "", number, [match.group(2)], label=match.group(1))
        elif item := _item(line, number, state):
            _close(state)
            state.started = True
            state.current = item
        elif state.current is not None:
            state.current.parts.append(line)
        elif state.started:
            state.plan.notes.append(f"ligne {number} non lue : « {squash(line)} »")
    _close(state)
    _name_indicators(state)
    return state.plan


def _item(line: str, number: int, state: _State) -> _Field | None:
    """The enjeu, orientation or objective a numbered line opens.

    A number outside the current hierarchy ("3.5 millions …" under orientation 2.1) continues
    the wording being gathered, with a note, rather than opening an item.
    """
    for kind, pattern in _ITEMS:
        match = pattern.match(line)
        if not match:
            continue
        item = _Field(kind, match.group(1), number, [match.group(2)])
        parent = {"orientation": state.enjeu, "objective": state.orientation}.get(kind, "")
        parent_number = parent.split(" ", 1)[0]
        if not parent or item.number.rsplit(".", 1)[0] == parent_number:
            return item
        if state.current is None:
            state.plan.notes.append(f"ligne {number} : {kind} {item.number} hors de {parent}")
            return item
        state.plan.notes.append(
            f"ligne {number} : « {squash(line)} » lu comme la suite du texte (numéro "
            f"{item.number} hors de {parent_number})"
        )
        return None
    return None


def _close(state: _State) -> None:
    """The gathered field is complete: file it where it belongs."""
    current, state.current = state.current, None
    if current is None:
        return
    plan = state.plan
    if current.kind == "enjeu":
        _flush(state)
        state.enjeu, state.orientation = heading(current.number, current.text), ""
    elif current.kind == "orientation":
        _flush(state)
        state.orientation = heading(current.number, current.text)
    elif current.kind == "objective":
        _flush(state)
        state.objective = f"{current.number} {current.text}"
        state.objective_number = current.number
    elif current.kind == "indicator":
        if not state.objective:
            plan.notes.append(f"ligne {current.line} : indicateur avant tout objectif")
        state.pending.append(
            RawIndicator(
                number=None,
                text_fr=current.text,
                enjeu=state.enjeu,
                orientation=state.orientation,
                objective=state.objective,
                objective_number=state.objective_number,
                line=current.line,
            )
        )
    elif not state.pending:
        plan.notes.append(f"ligne {current.line} : cible sans indicateur : « {current.text} »")
    else:
        years = fiscal_years_in(current.label) or [None]
        state.pending[-1].targets.append(RawTarget(current.text, years[0], current.line))


def _flush(state: _State) -> None:
    """The objective is over: its indicators join the plan."""
    state.plan.indicators.extend(state.pending)
    state.pending = []


def _name_indicators(state: _State) -> None:
    _flush(state)
    name_unnumbered(state.plan.indicators)

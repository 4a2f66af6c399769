"""Reader of the *tableau synoptique* layout: enjeux and orientations as headings, then tables
of tab-separated rows "OBJECTIF / INDICATEUR / CIBLE 2024-2025 …"; a row that begins with a tab
continues the objective of the row above."""

from __future__ import annotations

import re

from plan_indicators.drafting.raw import (
    NUMBERED,
    RawIndicator,
    RawPlan,
    RawTarget,
    heading,
    name_unnumbered,
)
from plan_indicators.drafting.text import fiscal_years_in, fold, squash

LAYOUT = "tableau synoptique"
_ENJEU = re.compile(r"^\s*enjeu\s+(\d+)\s*[:.–—-]\s*(\S.*)$", re.I)
_ORIENTATION = re.compile(r"^\s*orientation\s+(\d+)\s*[:.–—-]\s*(\S.*)$", re.I)


def header_columns(line: str) -> tuple[int, int, dict[int, str | None]] | None:
    """(objective column, indicator column, {target column: fiscal year}) of a header row."""
    if "\t" not in line:
        return None
    cells = [fold(c) for c in line.split("\t")]
    objective = next((i for i, c in enumerate(cells) if c.startswith("objectif")), None)
    indicator = next((i for i, c in enumerate(cells) if c.startswith("indicateur")), None)
    targets = {i: (fiscal_years_in(c) or [None])[0] for i, c in enumerate(cells) if "cible" in c}
    if objective is None or indicator is None or not targets:
        return None
    return objective, indicator, targets


def is_synoptic(text: str) -> bool:
    return any(header_columns(line) for line in text.splitlines())


def read(text: str) -> RawPlan:
    plan = RawPlan(LAYOUT, [])
    enjeu = orientation = objective = objective_number = ""
    columns = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip("\r")
        if match := _ENJEU.match(line):
            enjeu, orientation, columns = heading(*match.groups()), "", None
        elif match := _ORIENTATION.match(line):
            orientation, columns = heading(*match.groups()), None
        elif found := header_columns(line):
            columns, objective, objective_number = found, "", ""
            for fy in found[2].values():
                if fy and fy not in plan.fiscal_years:
                    plan.fiscal_years.append(fy)
            missing = [i + 1 for i, fy in found[2].items() if fy is None]
            if missing:
                plan.notes.append(f"ligne {number} : colonne(s) {missing} « cible » sans année")
        elif columns and line.strip():
            if "\t" not in line:
                plan.notes.append(f"ligne {number} hors tableau, non lue : « {squash(line)} »")
                continue
            row = _row(line, number, columns, plan.notes)
            if row is None:
                continue
            if row[0]:
                objective = row[0]
                match = NUMBERED.match(objective)
                objective_number = match.group(1) if match else ""
            elif not objective:
                plan.notes.append(f"ligne {number} : indicateur sans objectif au-dessus")
            id_match = NUMBERED.match(row[1])
            numbered = bool(id_match and "." in id_match.group(1))
            indicator = RawIndicator(
                number=id_match.group(1) if numbered else None,
                text_fr=squash(id_match.group(2)) if numbered else row[1],
                enjeu=enjeu,
                orientation=orientation,
                objective=objective,
                objective_number=objective_number,
                line=number,
                targets=row[2],
            )
            plan.indicators.append(indicator)
    name_unnumbered(plan.indicators)
    return plan


def _row(
    line: str, number: int, columns: tuple[int, int, dict[int, str | None]], notes: list[str]
) -> tuple[str, str, list[RawTarget]] | None:
    """(objective cell, indicator cell, targets) of one data row."""
    objective_col, indicator_col, target_cols = columns
    cells = line.split("\t")
    width = max(objective_col, indicator_col, *target_cols) + 1
    extra = [squash(c) for c in cells[width:] if c.strip()]
    if extra:
        notes.append(f"ligne {number} : cellules au-delà des colonnes du tableau : {extra}")
    cells += [""] * (width - len(cells))
    indicator = squash(cells[indicator_col])
    if not indicator:
        notes.append(f"ligne {number} : ligne sans indicateur, non lue : « {squash(line)} »")
        return None
    targets = []
    for col, fy in target_cols.items():
        wording = squash(cells[col])
        if not wording:
            notes.append(f"ligne {number} : cible {fy or col + 1} vide")
        elif fy is not None:
            targets.append(RawTarget(wording, fy, number))
    return squash(cells[objective_col]), indicator, targets

"""`validate-plan`: every check a run makes on a catalog, so that what it accepts, the run accepts.

Loading the YAML checks the catalog format (`plan_indicators.catalog`); building the Dagster
definitions from it, as a run does, checks the rest: asset keys, tags, owners, partitions, jobs,
schedules and sensors. A file that passes both builds the same code location a run would load.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg

from plan_indicators.catalog import CatalogError, Plan, load_plan


def _build(plans: tuple[Plan, ...], where: str) -> None:
    """Build and load the plans' definitions; a refusal is a CatalogError naming `where`."""
    from orchestration.definitions import definitions_for

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            defs = definitions_for(plans)
            dg.Definitions.validate_loadable(defs)
    except Exception as exc:  # any refusal is reported, never raised past here
        message = " ".join(str(exc).split())
        problem = ("", "(definitions)", f"a run would refuse it: {message}")
        raise CatalogError(where, [problem]) from None


def check_plan(path: str | Path) -> Plan:
    """The plan of one file, once both the catalog and its Dagster definitions accept it."""
    plan = load_plan(path)
    _build((plan,), str(path))
    return plan


def check_together(paths: list[str | Path], plans: list[Plan]) -> None:
    """Files that each pass may still clash in one plans folder: the same plan id twice."""
    seen: dict[str, str] = {}
    for path, plan in zip(paths, plans, strict=True):
        if plan.id in seen:
            msg = f"plan id {plan.id!r} is also the id of {seen[plan.id]}: a run refuses both"
            raise CatalogError(str(path), [("", "plan.id", msg)])
        seen[plan.id] = str(path)
    if len(plans) > 1:
        _build(tuple(plans), ", ".join(str(p) for p in paths))

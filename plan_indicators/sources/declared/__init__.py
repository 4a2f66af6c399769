"""The registry of sources: one module per source in this package, found by existing.

A module `<source>.py` declares, once, everything the project knows of the source:

- `CONTRACT`: a `SourceContract` named like the module (columns, key, references, personal
  columns, date column, coverage unit, its docs/contracts.md section);
- `SAMPLE_STREAM`: the number of its random stream in `plan-indicators sample-data`, or None
  when its rows follow another source's draws (`ctx.upstream`);
- `sample(ctx) -> list[SampleFile]`: the files of its sample folder;
- optionally `draw(ctx)`: what a source that follows it reads through `ctx.upstream`.

Readers, checks, suites, staging assets, sensors and sample data iterate this registry, so a
new source is one new module (and its regenerated suites). A module that cannot be imported
or declares something inconsistent raises `SourceModuleError` naming it, at first use.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from plan_indicators.sources.declaration import COVERAGE_UNITS, SourceContract

COLUMN_TYPES = (
    "str", "date", "bool", "int", "float", "timestamp_us", "yyyymmdd", "mdy_hm", "fiscal_year",
)  # fmt: skip
_SECTION = re.compile(r"\d+(\.\d+)*")


class SourceModuleError(RuntimeError):
    """A source module is missing, broken or inconsistent; the message names it."""


@dataclass(frozen=True)
class DeclaredSource:
    contract: SourceContract
    stream: int | None
    sample: Callable[[Any], list]
    draw: Callable[[Any], Any] | None
    module: str


def _fail(module: str, message: str) -> SourceModuleError:
    return SourceModuleError(f"source module {module}: {message}")


def _load(name: str) -> tuple[str, ModuleType]:
    module = f"{__name__}.{name}"
    try:
        return module, importlib.import_module(module)
    except Exception as exc:  # any failure, named: never a source silently unknown
        raise _fail(module, f"cannot be imported ({type(exc).__name__}: {exc})") from exc


def _declare(module: str, mod: ModuleType) -> DeclaredSource:
    name = module.rsplit(".", 1)[1]
    contract = getattr(mod, "CONTRACT", None)
    if not isinstance(contract, SourceContract):
        raise _fail(module, "defines no CONTRACT = SourceContract(...)")
    if contract.name != name:
        raise _fail(module, f"CONTRACT is named {contract.name!r}; the module must be {name!r}")
    if not hasattr(mod, "SAMPLE_STREAM"):
        raise _fail(module, "defines no SAMPLE_STREAM (an int, or None to follow a source)")
    stream = mod.SAMPLE_STREAM
    if stream is not None and (not isinstance(stream, int) or isinstance(stream, bool)):
        raise _fail(module, f"SAMPLE_STREAM must be an int or None, not {stream!r}")
    sample = getattr(mod, "sample", None)
    if not callable(sample) or len(inspect.signature(sample).parameters) != 1:
        raise _fail(module, "defines no sample generator: def sample(ctx) -> list[SampleFile]")
    draw = getattr(mod, "draw", None)
    if draw is not None and not callable(draw):
        raise _fail(module, "draw must be a function of the sample context")
    _check_contract(module, contract)
    return DeclaredSource(contract, stream, sample, draw, module)


def _check_contract(module: str, c: SourceContract) -> None:
    names = [col.name for col in c.columns]
    if not names:
        raise _fail(module, "declares no column")
    if len(set(names)) != len(names):
        raise _fail(module, f"declares a column twice: {sorted(names)}")
    for col in c.columns:
        if col.type not in COLUMN_TYPES:
            raise _fail(module, f"column {col.name!r} has unknown type {col.type!r}")
    unknown = [k for k in (*c.key, c.date_column, *c.references) if k and k not in names]
    if unknown:
        raise _fail(module, f"key, date_column or references name unknown columns {unknown}")
    if c.coverage not in (None, *COVERAGE_UNITS):
        raise _fail(module, f"coverage must be one of {COVERAGE_UNITS} or None")
    if c.coverage and not c.date_column:
        raise _fail(module, "a coverage unit needs a date_column to count it in")
    if not c.formats:
        raise _fail(module, "declares no file format")
    if c.section is None or not _SECTION.fullmatch(c.section):
        raise _fail(module, "needs section='4.7.N', its section of docs/contracts.md")


def _check_registry(found: dict[str, DeclaredSource]) -> None:
    streams: dict[int, str] = {}
    sections: dict[str, str] = {}
    for d in found.values():
        if d.stream is not None and d.stream in streams:
            raise _fail(d.module, f"SAMPLE_STREAM {d.stream} is already {streams[d.stream]}'s")
        if d.stream is not None:
            streams[d.stream] = d.contract.name
        if d.contract.section in sections:
            other = sections[d.contract.section]
            raise _fail(d.module, f"section {d.contract.section} is already {other}'s")
        sections[d.contract.section] = d.contract.name
        for column, ref in d.contract.references.items():
            target = found.get(ref.source)
            if target is None or ref.column not in {c.name for c in target.contract.columns}:
                raise _fail(
                    d.module, f"{column!r} references {ref.source}.{ref.column}, not declared"
                )


def _section_key(d: DeclaredSource) -> tuple[int, ...]:
    return tuple(int(p) for p in (d.contract.section or "").split("."))


@cache
def declared() -> dict[str, DeclaredSource]:
    """Every declared source, in the order of their docs/contracts.md sections."""
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.ispkg and not m.name.startswith("_")
    )
    found = {}
    for name in names:
        module, mod = _load(name)
        found[name] = _declare(module, mod)
    _check_registry(found)
    return dict(sorted(found.items(), key=lambda kv: _section_key(kv[1])))
